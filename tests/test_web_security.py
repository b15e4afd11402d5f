"""Each of these is a real HTTP request to the console, and each is refused (issue 11's security list).

The check that script in a crawled page does not run is made in a real browser: test_web_browser.py.
"""
from __future__ import annotations

import re
import secrets

import pytest
from sqlalchemy import func, select

from govcheck.store import findings, review_log
from govcheck.web.db import web_feedback, web_files
from web_harness import console_for, csrf_of


@pytest.fixture(scope="module")
def published(web_source, tmp_path_factory):
    """A published round where 市国资委 has answered one finding with an attachment."""
    with console_for(web_source, tmp_path_factory.mktemp("sec")) as con:
        admin = con.client("admin")
        page = admin.get("/r/round/publish")
        r = admin.post("/r/round/publish", data={"csrf_token": csrf_of(page.text), "action": "publish",
                                                 "reason": "安全测试"})
        assert r.status_code == 303
        guozi = con.client("guozi")
        ids = re.findall(r'<tr data-id="([0-9a-f]+)"', guozi.get("/u/round/").text)
        detail = guozi.get(f"/u/round/f/{ids[0]}").text
        r = guozi.post(f"/u/round/f/{ids[0]}/feedback", data={"csrf_token": csrf_of(detail), "text": "已整改"},
                       files=[("files", ("证明.pdf", b"%PDF-1.4 guozi", "application/pdf"))])
        assert r.status_code == 303
        office = con.client("inspector")
        page = office.get("/r/round/rectify/unit", params={"unit": "市国资委"}).text
        file_id = re.search(r'href="/r/round/file/([0-9a-f]+)"', page).group(1)
        keji_ids = re.findall(r'<tr data-id="([0-9a-f]+)"', con.client("keji").get("/u/round/").text)
        yield con, ids, file_id, keji_ids


def _count(con, table) -> int:
    with con.handle.engine.connect() as c:
        return c.execute(select(func.count()).select_from(table)).scalar()


# ---------------------------------------------------------------------------------------------- another unit's data
def test_unit_cannot_reach_another_units_finding_evidence_or_attachment(published):
    con, guozi_ids, file_id, keji_ids = published
    keji = con.client("keji")
    other = guozi_ids[0]
    assert other not in keji_ids
    for path in (f"/u/round/f/{other}", f"/replay/round/{other}/0", f"/replay/round/{other}/0?prev=1",
                 f"/r/round/f/{other}/ev/0/raw", f"/r/round/f/{other}/ev/0/shot", f"/r/round/file/{file_id}",
                 f"/r/round/f/{other}"):
        r = keji.get(path)
        assert r.status_code in (403, 404), (path, r.status_code)
        assert "已整改" not in r.text and "guozi" not in r.text
    # the published version's data files hold every unit's findings: a unit gets the documents only
    assert keji.get("/r/round/pub/1/findings.json").status_code == 404
    assert keji.get("/r/round/pub/1/scores.json").status_code == 404
    assert con.client("inspector").get("/r/round/pub/1/findings.json").status_code == 200
    # the same ids through the unit's own forms
    page = keji.get("/u/round/").text
    r = keji.post("/u/round/read", data={"csrf_token": csrf_of(page), "ids": [other]})
    assert r.status_code == 404
    n = _count(con, web_feedback)
    r = keji.post(f"/u/round/f/{other}/feedback", data={"csrf_token": csrf_of(page), "text": "冒充"})
    assert r.status_code == 404 and _count(con, web_feedback) == n
    # its own finding and attachment-less evidence work (the refusals are not a broken page)
    assert keji.get(f"/u/round/f/{keji_ids[0]}").status_code == 200
    assert keji.get(f"/replay/round/{keji_ids[0]}/0").status_code in (200, 404)
    # the owner gets its attachment
    assert con.client("guozi").get(f"/r/round/file/{file_id}").content == b"%PDF-1.4 guozi"


def test_unit_token_cannot_reach_another_units_data_through_the_api(published):
    con, guozi_ids, _file_id, keji_ids = published
    from govcheck.web.auth import find_user, new_api_token

    home = con.app.state.console.home
    token = new_api_token(home, find_user(home, "keji"), "测试")
    hdr = {"Authorization": f"Bearer {token}"}
    api = con.client()
    for path in (f"/api/v1/rounds/round/findings/{guozi_ids[0]}",
                 f"/api/v1/rounds/round/findings/{guozi_ids[0]}/evidence"):
        r = api.get(path, headers=hdr)
        assert r.status_code == 404, path
    listed = api.get("/api/v1/rounds/round/findings", headers=hdr, params={"page_size": 500}).json()
    assert {f["unit"] for f in listed["findings"]} == {"市科技局"}
    assert sorted(f["id"] for f in listed["findings"]) == sorted(keji_ids)
    scores = api.get("/api/v1/rounds/round/scores", headers=hdr).json()["scores"]
    assert scores and {s["unit"] for s in scores} == {"市科技局"}
    # an unpublished round does not exist for a unit
    assert api.get("/api/v1/rounds/prev", headers=hdr).status_code == 404
    assert [r["slug"] for r in api.get("/api/v1/rounds", headers=hdr).json()["rounds"]] == ["round"]


# ---------------------------------------------------------------------------------------------- CSRF
def test_forms_without_their_csrf_token_are_refused(web_source, tmp_path):
    with console_for(web_source, tmp_path) as con:
        c = con.client("inspector")
        with con.handle.engine.connect() as conn:
            fid = conn.execute(select(findings.c.id).where(findings.c.review == "pending")).scalar()
        for data in ({"ids": [fid], "action": "dismiss", "reason": "无令牌"},
                     {"ids": [fid], "action": "dismiss", "reason": "错令牌", "csrf_token": secrets.token_urlsafe(32)}):
            r = c.post("/r/round/review", data=data)
            assert r.status_code == 403 and "表单令牌" in r.text
        assert _count(con, review_log) == 0
        # another user's token is not this user's
        other = con.client("admin")
        r = c.post("/r/round/review", data={"ids": [fid], "action": "dismiss", "reason": "x",
                                            "csrf_token": csrf_of(other.get("/r/round/review").text)})
        assert r.status_code == 403 and _count(con, review_log) == 0
        # the log-in form too (login CSRF), and log-out
        anon = con.client()
        r = anon.post("/login", data={"username": "admin", "password": "Test-pass-2022"})
        assert r.status_code == 403 and "govcheck_session" not in r.headers.get("set-cookie", "")
        r = c.post("/logout", data={})
        assert r.status_code == 403
        assert c.get("/r/round/review").status_code == 200  # still logged in
        audit = con.client("admin").get("/admin/audit?action=csrf_refused").text
        assert audit.count("表单令牌无效") >= 4


# ---------------------------------------------------------------------------------------------- uploads
def test_attachment_names_with_a_path_are_refused(published):
    con, guozi_ids, _f, _k = published
    guozi = con.client("guozi")
    page = guozi.get(f"/u/round/f/{guozi_ids[0]}").text
    n_files, n_fb = _count(con, web_files), _count(con, web_feedback)
    stored = sorted(p.name for p in (con.round_dir / "console-files").iterdir())
    for name in ("../../../etc/cron.d/x.pdf", "..\\..\\win.pdf", "/tmp/abs.pdf", "a/../../b.pdf", "..pdf",
                 ".hidden.pdf"):
        r = guozi.post(f"/u/round/f/{guozi_ids[0]}/feedback", data={"csrf_token": csrf_of(page), "text": "路径测试"},
                       files=[("files", (name, b"%PDF-1.4 x", "application/pdf"))])
        assert r.status_code == 400 and "文件名不合法" in r.text, (name, r.status_code, r.text[:200])
    assert (_count(con, web_files), _count(con, web_feedback)) == (n_files, n_fb)
    assert sorted(p.name for p in (con.round_dir / "console-files").iterdir()) == stored
    assert not (con.round_dir.parent / "etc").exists()
    # a type the office does not take, or bytes that are not what the name says
    for name, data in (("run.exe", b"MZ\x90\x00"), ("page.html", b"<script>"), ("fake.pdf", b"MZ not a pdf")):
        r = guozi.post(f"/u/round/f/{guozi_ids[0]}/feedback", data={"csrf_token": csrf_of(page), "text": "类型测试"},
                       files=[("files", (name, data, "application/octet-stream"))])
        assert r.status_code == 400, name
    assert _count(con, web_files) == n_files


def test_an_upload_over_the_limit_is_refused(published):
    con, guozi_ids, _f, _k = published
    limit = con.app.state.console.max_upload
    guozi = con.client("guozi")
    page = guozi.get(f"/u/round/f/{guozi_ids[0]}").text
    n_files, n_fb = _count(con, web_files), _count(con, web_feedback)
    big = b"%PDF-1.4\n" + b"0" * (limit - 8)
    r = guozi.post(f"/u/round/f/{guozi_ids[0]}/feedback", data={"csrf_token": csrf_of(page), "text": "大文件"},
                   files=[("files", ("big.pdf", big, "application/pdf"))])
    assert r.status_code == 413 and "大小限制" in r.text
    assert (_count(con, web_files), _count(con, web_feedback)) == (n_files, n_fb)
    # a body past the whole-request cap is cut off before it is read (Content-Length)
    import httpx

    huge = con.app.state.console.max_body + 1
    r = httpx.post(f"{con.base}/u/round/f/{guozi_ids[0]}/feedback", content=b"x" * huge,
                   headers={"Content-Type": "multipart/form-data; boundary=zzz"},
                   cookies=guozi.cookies, timeout=60)
    assert r.status_code == 413

    def streamed():  # no Content-Length: counted as it arrives, cut off at the cap
        yield (b'--zzz\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n'
               b"Content-Type: application/pdf\r\n\r\n%PDF")
        for _ in range(huge // 1048576 + 2):
            yield b"0" * 1048576

    r = httpx.post(f"{con.base}/u/round/f/{guozi_ids[0]}/feedback", content=streamed(),
                   headers={"Content-Type": "multipart/form-data; boundary=zzz"}, cookies=guozi.cookies, timeout=60)
    assert r.status_code == 413
    assert (_count(con, web_files), _count(con, web_feedback)) == (n_files, n_fb)


# ---------------------------------------------------------------------------------------------- sessions and the API
def test_a_guessed_or_ended_session_is_refused(web_source, tmp_path):
    with console_for(web_source, tmp_path) as con:
        import httpx

        for guess in (secrets.token_urlsafe(32), "1", "admin", "' OR 1=1 --", "A" * 5000):
            c = httpx.Client(base_url=con.base, cookies={"govcheck_session": guess})
            r = c.get("/r/round/review")
            assert r.status_code == 303 and r.headers["location"].startswith("/login"), guess[:20]
            r = c.post("/r/round/review", data={"ids": ["x"], "action": "dismiss", "reason": "x", "csrf_token": "x"})
            assert r.status_code == 401
            c.close()
        # a real session stops working at log-out, and when its user's password is reset
        a = con.client("inspector")
        token = a.cookies.get("govcheck_session")
        a.post("/logout", data={"csrf_token": csrf_of(a.get("/").text)})
        replay = httpx.Client(base_url=con.base, cookies={"govcheck_session": token})
        assert replay.get("/").status_code == 303
        replay.close()
        b = con.client("inspector")
        from govcheck.web.auth import set_password

        set_password(con.app.state.console.home, "inspector", "Another-pass-2023")
        assert b.get("/").status_code == 303
        # the cookie is HttpOnly and SameSite=Strict
        c = con.client()
        page = c.get("/login")
        r = c.post("/login", data={"username": "admin", "password": "Test-pass-2022", "csrf_token": csrf_of(page.text)})
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie


def test_unauthenticated_api_calls_are_refused(published):
    con, guozi_ids, _f, _k = published
    api = con.client()
    browser_session = con.client("admin")  # a console cookie is not an API credential
    for path in ("/api/v1/rounds", "/api/v1/rounds/round/scores", "/api/v1/rounds/round/findings",
                 f"/api/v1/rounds/round/findings/{guozi_ids[0]}/evidence"):
        for hdr in ({}, {"Authorization": "Bearer gct_" + secrets.token_urlsafe(32)}, {"Authorization": "Basic YWRtaW46"}):
            r = api.get(path, headers=hdr)
            assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer", (path, hdr)
            assert "error" in r.json()
        assert browser_session.get(path).status_code == 401


def test_repeated_wrong_passwords_lock_the_account_for_a_while(web_source, tmp_path):
    with console_for(web_source, tmp_path, users={"admin": ("admin", None)}) as con:
        from web_harness import login

        c = con.client()
        for _ in range(5):
            assert login(c, "admin", "Wrong-pass-000").status_code == 401
        r = login(c, "admin")  # the right password, but locked now
        assert r.status_code == 401 and "登录失败次数过多" in r.text


def test_security_headers_and_no_open_redirect(web_source, tmp_path):
    with console_for(web_source, tmp_path) as con:
        c = con.client()
        r = c.get("/login")
        assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        page = c.get("/login?next=//evil.example/x")
        r = c.post("/login", data={"username": "admin", "password": "Test-pass-2022", "next": "//evil.example/x",
                                   "csrf_token": csrf_of(page.text)})
        assert r.status_code == 303 and r.headers["location"] == "/"
