"""Every console page with a real request (uvicorn on 127.0.0.1, httpx), over a real inspected round."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from govcheck.round import rescore
from govcheck.store import findings, review_log, scores
from web_harness import HOSTILE_UNIT, PASSWORD, console_for, csrf_of, png


@pytest.fixture()
def con(web_source, tmp_path):
    with console_for(web_source, tmp_path) as c:
        yield c


def _scores(h) -> list[tuple]:
    with h.engine.connect() as c:
        return [tuple(r) for r in c.execute(select(scores.c.target, scores.c.score, scores.c.part2, scores.c.bonus,
                                                   scores.c.verdict).where(scores.c.round_id == h.id)
                                            .order_by(scores.c.seq))]


def _site_finding(h, unit: str, **kw) -> dict:
    with h.engine.connect() as c:
        rows = [dict(r) for r in c.execute(select(findings).where(findings.c.round_id == h.id, findings.c.unit == unit,
                                                                  findings.c.target_type == "site")
                                           .order_by(findings.c.seq)).mappings()]
    rows = [r for r in rows if all(r.get(k) == v for k, v in kw.items())]
    assert rows, f"no finding of {unit} {kw}"
    return rows[0]


def test_pages_need_a_login_and_the_right_role(con):
    anon = con.client()
    r = anon.get("/r/round/review")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    unit = con.client("keji")
    for path in ("/r/round/", "/r/round/review", "/r/round/manual", "/admin/users", "/admin/audit"):
        assert unit.get(path).status_code in (403, 404), path
    insp = con.client("inspector")
    for path in ("/", "/r/round/", "/r/round/review", "/r/round/manual", "/r/round/publish", "/r/round/rectify",
                 "/r/prev/", "/tokens"):
        r = insp.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert "<html lang=\"zh-CN\">" in r.text
    assert insp.get("/admin/users").status_code == 403
    assert con.client("admin").get("/admin/users").status_code == 200


def test_wrong_password_is_refused_and_audited(con):
    c = con.client()
    page = c.get("/login")
    r = c.post("/login", data={"username": "admin", "password": "wrong-Pass-1", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    audit = con.client("admin").get("/admin/audit?action=login_failed").text
    assert "登录失败" in audit and "127.0.0.1" in audit


def test_overview_prints_the_notices_brackets_and_rates(con):
    """The overview's shares are the notice's: each one appears in the notice the round wrote."""
    import docx

    html = con.client("inspector").get("/r/round/").text
    table = html[html.index('id="site-summary"'):html.index("</table>", html.index('id="site-summary"'))]
    shares = re.findall(r'<td class="num">([\d.]+%)</td>', table)
    counts = re.findall(r'<td class="num">(\d+)</td>', table)
    assert shares and counts[0] == "4"  # three replica units and the hostile site
    notice = next(con.round_dir.glob("通报*.docx"))
    text = "\n".join(p.text for p in docx.Document(str(notice)).paragraphs)
    for s in shares:
        assert s in text, (s, shares)
    assert 'data-chart="distribution"' in html and 'id="chart-data"' in html
    data = json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S).group(1))
    assert sum(data["distribution"]["values"]) == 4
    assert data["trend"]["labels"][0].startswith("2022年第一季度") and len(data["trend"]["labels"]) == 2
    # sorting and filters
    by_score = con.client("inspector").get("/r/round/?sort=score&desc=1").text
    vals = [v for v in re.findall(r'<td class="num score">([^<]*)</td>', by_score)]
    nums = [float(v) for v in vals if v and v != "一票否决"]
    assert nums == sorted(nums, reverse=True)
    only = con.client("inspector").get("/r/round/", params={"kind": "门户"}).text
    assert "<td>部门</td>" not in only


def test_queue_filters(con):
    c = con.client("inspector")
    h = con.handle
    all_rows = c.get("/r/round/review").text
    n_pending = int(re.search(r'data-state="pending">待复核 <span class="count">(\d+)', all_rows).group(1))
    with h.engine.connect() as conn:
        want = conn.execute(select(findings.c.id).where(findings.c.round_id == h.id, findings.c.review == "pending")).all()
    assert n_pending == len(want) > 0
    page = c.get("/r/round/review", params={"unit": "国资委", "rule": "D02.2"}).text
    units = set(re.findall(r'data-unit="([^"]+)"', page))
    codes = set(re.findall(r'data-code="([^"]+)"', page))
    assert units == {"市国资委"} and codes == {"D02.2"}
    district = h.unit_regions()["市国资委"]
    page = c.get("/r/round/review", params={"district": district, "type": "site"}).text
    assert set(re.findall(r'data-unit="([^"]+)"', page)) <= {u for u, r in h.unit_regions().items() if r == district}
    assert "没有符合条件的问题" in c.get("/r/round/review", params={"state": "dismissed"}).text


def test_bulk_dismiss_needs_a_reason_writes_the_review_log_and_rescores(con):
    c = con.client("inspector")
    h = con.handle
    f = _site_finding(h, "市国资委", code="D02.2")
    ids = [x["id"] for x in _unit_findings(h, "市国资委") if x["code"] == "D02.2"]
    page = c.get("/r/round/review", params={"unit": "市国资委"})
    token = csrf_of(page.text)
    r = c.post("/r/round/review", data={"csrf_token": token, "ids": ids, "action": "dismiss", "reason": ""})
    assert r.status_code == 400 and "理由" in r.text
    before = dict((t, s) for t, s, *_ in _scores(h))[f["target"]]
    r = c.post("/r/round/review", data={"csrf_token": token, "ids": ids, "action": "dismiss",
                                        "reason": "核实：负责人信息已在科室页公布", "back": "state=all&unit=市国资委"})
    assert r.status_code == 303
    shown = c.get(r.headers["location"]).text
    after = dict((t, s) for t, s, *_ in _scores(h))[f["target"]]
    assert after > before
    assert f"{before:g}" in shown and f"{after:g}" in shown and "评分变化" in shown
    with h.engine.connect() as conn:
        log = conn.execute(select(review_log.c.finding_id, review_log.c.action, review_log.c.by, review_log.c.reason)
                           .where(review_log.c.round_id == h.id)).all()
    assert sorted(x[0] for x in log) == sorted(ids)
    assert {(x[1], x[2], x[3]) for x in log} == {("dismiss", "inspector", "核实：负责人信息已在科室页公布")}
    # the incremental rescore equals a whole-round rescore
    incremental = _scores(h)
    rescore(h.store, h.store.round(h.info.key), h.rs)
    assert _scores(h) == incremental


def _unit_findings(h, unit: str) -> list[dict]:
    with h.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(findings).where(findings.c.round_id == h.id,
                                                                     findings.c.unit == unit)).mappings()]


def test_review_from_the_finding_page_and_its_trail(con):
    c = con.client("inspector")
    f = _site_finding(con.handle, "市民政局")
    page = c.get(f"/r/round/f/{f['id']}")
    assert page.status_code == 200 and "证据" in page.text
    r = c.post(f"/r/round/f/{f['id']}", data={"csrf_token": csrf_of(page.text), "action": "confirm",
                                              "reason": "已核实"})
    assert r.status_code == 303
    page = c.get(f"/r/round/f/{f['id']}").text
    assert "已确认" in page and "复核记录" in page and "已核实" in page


def test_evidence_viewer_verifies_the_hash_and_highlights(con):
    c = con.client("inspector")
    h = con.handle
    f = next(x for x in _unit_findings(h, "市国资委") if x["code"] == "D09.2")  # a stale column with its newest date
    page = c.get(f"/r/round/f/{f['id']}").text
    assert 'data-verified="yes"' in page
    ev = f["evidence"][0]
    assert ev["archive"]["sha256"] in page and ev["url"] in page
    assert f'<iframe sandbox="" referrerpolicy="no-referrer" src="/replay/round/{f["id"]}/0#govcheck-hl-1"' in page
    r = c.get(f"/replay/round/{f['id']}/0")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script-src" not in csp
    assert 'class="govcheck-hl govcheck-hl-date"' in r.text and "<script" not in r.text.lower()
    assert "href=" not in re.sub(r"data-govcheck-href=", "", r.text)
    raw = c.get(f"/r/round/f/{f['id']}/ev/0/raw")
    import hashlib

    assert raw.headers["content-disposition"].startswith("attachment")
    assert hashlib.sha256(raw.content).hexdigest() == ev["archive"]["sha256"]
    # the previous round's copy of the same page is offered beside it
    assert "上一轮存档" in page and f"/replay/round/{f['id']}/0?prev=1" in page
    assert c.get(f"/replay/round/{f['id']}/0?prev=1").status_code == 200


def test_evidence_screenshot_from_the_finding(con):
    """The place for a finding's screenshot: a path in the round folder + SHA-256 in the evidence."""
    import hashlib

    from sqlalchemy import update

    h = con.handle
    f = _site_finding(h, "市科技局")
    data = png()
    (con.round_dir / "shots").mkdir()
    (con.round_dir / "shots" / "a.png").write_bytes(data)
    evs = [dict(e) for e in f["evidence"]]
    evs[0]["screenshot"] = {"path": "shots/a.png", "sha256": hashlib.sha256(data).hexdigest()}
    with h.engine.begin() as conn:
        conn.execute(update(findings).where(findings.c.id == f["id"]).values(evidence=evs))
    c = con.client("inspector")
    page = c.get(f"/r/round/f/{f['id']}").text
    assert "问题截图" in page and "SHA-256 一致" in page
    img = c.get(f"/r/round/f/{f['id']}/ev/0/shot")
    assert img.headers["content-type"] == "image/png" and img.content == data
    (con.round_dir / "shots" / "a.png").write_bytes(png(rgb=(0, 0, 0)))
    assert "SHA-256 不一致" in c.get(f"/r/round/f/{f['id']}").text


def test_worklist_records_a_finding_with_a_screenshot_and_a_clear_item(con):
    c = con.client("inspector")
    h = con.handle
    page = c.get("/r/round/manual").text
    item_ids = re.findall(r'href="/r/round/manual/([0-9]+:[0-9a-f]+)"', page)
    assert len(item_ids) >= 2
    before = dict((t, s) for t, s, *_ in _scores(h))
    form = c.get(f"/r/round/manual/{item_ids[0]}")
    token = csrf_of(form.text)
    shot = png()
    r = c.post(f"/r/round/manual/{item_ids[0]}",
               data={"csrf_token": token, "result": "finding", "code": "D21", "note": "页脚缺少网站标识码（人工核实）",
                     "url": "", "path": "", "title": ""},
               files=[("files", ("截图1.png", shot, "image/png"))])
    assert r.status_code == 303, r.text[:500]
    item = c.get(f"/r/round/manual/{item_ids[0]}").text
    assert "已记为问题" in item and "截图1.png" in item
    fid = re.search(r'href="/r/round/f/([0-9a-z]+)"', item).group(1)
    f = next(x for x in _all(h) if x["id"] == fid)
    assert f["source"] == "manual" and f["review"] == "confirmed" and f["code"] == "D21"
    assert f["evidence"][0]["screenshot"]["sha256"]
    assert dict((t, s) for t, s, *_ in _scores(h))[f["target"]] < before[f["target"]]
    assert "SHA-256 一致" in c.get(f"/r/round/f/{fid}").text
    r = c.post(f"/r/round/manual/{item_ids[1]}", data={"csrf_token": token, "result": "clear", "note": "已核实无问题"})
    assert r.status_code == 303
    assert "无问题" in c.get(f"/r/round/manual/{item_ids[1]}").text
    r = c.post(f"/r/round/manual/{item_ids[1]}", data={"csrf_token": token, "result": "clear", "note": "再来一次"})
    assert r.status_code == 400 and "已处理" in r.text


def _all(h) -> list[dict]:
    with h.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(findings).where(findings.c.round_id == h.id)).mappings()]


def _publish(con, c=None, **extra):
    c = c or con.client("admin")
    page = c.get("/r/round/publish")
    data = {"csrf_token": csrf_of(page.text), "action": "publish", "reason": "测试发布（仍有待复核事项）"} | extra
    return c, c.post("/r/round/publish", data=data)


def test_publish_writes_the_files_locks_the_round_and_a_new_version_unlocks_it(con):
    h = con.handle
    insp = con.client("inspector")
    page = insp.get("/r/round/publish").text
    assert "须由管理员" in page
    token = csrf_of(page)
    assert insp.post("/r/round/publish", data={"csrf_token": token, "action": "publish"}).status_code == 403
    admin = con.client("admin")
    r = admin.post("/r/round/publish", data={"csrf_token": csrf_of(admin.get("/r/round/publish").text),
                                             "action": "publish"})
    assert r.status_code == 400 and "待复核" in r.text  # open items need a reason
    c, r = _publish(con, admin)
    assert r.status_code == 303
    page = c.get("/r/round/publish").text
    assert "已发布 · 第1版" in page
    names = re.findall(r'href="/r/round/pub/1/([^"]+)"', page)
    assert any(n.endswith(".docx") for n in names) and any(n.endswith(".xlsx") for n in names)
    import hashlib
    from urllib.parse import unquote

    for n in names:
        got = c.get(f"/r/round/pub/1/{n}")
        assert got.status_code == 200 and got.headers["content-disposition"].startswith("attachment")
        path = con.round_dir / _pub_dir(h, 1) / unquote(n)
        assert hashlib.sha256(got.content).hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()
    # read-only now: a review is refused, nothing is written
    f = _site_finding(h, "市民政局")
    q = insp.get("/r/round/review").text
    r = insp.post("/r/round/review", data={"csrf_token": csrf_of(q), "ids": [f["id"]], "action": "dismiss",
                                           "reason": "发布后试图修改"})
    assert r.status_code == 409 and "只读" in r.text
    assert next(x for x in _all(h) if x["id"] == f["id"])["review"] == "pending"
    # a new version (admin, with a reason) makes it a draft again; v1's files stay
    r = c.post("/r/round/publish", data={"csrf_token": csrf_of(page), "action": "new_version", "reason": ""})
    assert r.status_code == 400
    r = c.post("/r/round/publish", data={"csrf_token": csrf_of(page), "action": "new_version", "reason": "更正一处"})
    assert r.status_code == 303
    assert "未发布 · 第2版" in c.get("/r/round/publish").text
    assert (con.round_dir / _pub_dir(h, 1)).is_dir()
    # the console published through the CLI's own publication (the round's record, round.json final)
    assert [p["by"] for p in h.store.publications(h.id)] == ["admin"]
    r = insp.post("/r/round/review", data={"csrf_token": csrf_of(q), "ids": [f["id"]], "action": "dismiss",
                                           "reason": "第2版更正"})
    assert r.status_code == 303


def _pub_dir(h, version: int) -> str:
    from govcheck.web import publish as pb

    return next(p["dir"] for p in pb.publications(h) if p["version"] == version)


def test_rectification_loop_unit_reads_and_answers_office_sees_it(con):
    _c, r = _publish(con)
    assert r.status_code == 303
    unit = con.client("keji")
    home = unit.get("/").text
    assert "/u/round/" in home
    page = unit.get("/u/round/").text
    ids = re.findall(r'<tr data-id="([0-9a-f]+)"', page)
    assert ids and "未读" in page
    assert all(x["unit"] == "市科技局" for x in _all(con.handle) if x["id"] in ids)
    detail = unit.get(f"/u/round/f/{ids[0]}").text
    assert "已读" in detail and "证据" in detail and "整改期限" in detail
    r = unit.post(f"/u/round/f/{ids[0]}/feedback", data={"csrf_token": csrf_of(detail), "text": "已补充科室负责人信息"},
                  files=[("files", ("整改说明.pdf", b"%PDF-1.4\n% test\n", "application/pdf"))])
    assert r.status_code == 303, r.text[:300]
    assert "已反馈" in unit.get(f"/u/round/f/{ids[0]}").text
    office = con.client("inspector")
    table = office.get("/r/round/rectify").text
    row = re.search(r'<tr data-unit="市科技局">(.*?)</tr>', table, re.S).group(1)
    assert '<td class="num fed">1</td>' in row
    assert 'data-unit="市科技局"' in office.get("/r/round/rectify?status=read_fed").text
    assert 'data-unit="市科技局"' not in office.get("/r/round/rectify?status=read_unfed").text
    assert 'data-unit="市国资委"' in office.get("/r/round/rectify?status=unread_unfed").text
    detail = office.get("/r/round/rectify/unit", params={"unit": "市科技局"}).text
    assert "已补充科室负责人信息" in detail and "整改说明.pdf" in detail
    fid = re.search(r'href="/r/round/file/([0-9a-f]+)" class="attachment"', detail).group(1)
    got = office.get(f"/r/round/file/{fid}")
    assert got.status_code == 200 and got.content == b"%PDF-1.4\n% test\n"
    assert got.headers["content-disposition"].startswith("attachment")
    stored = list((con.round_dir / "console-files").iterdir())
    assert [p.name for p in stored] == [fid] and not any(p.suffix for p in stored)


def test_recheck_crawls_and_checks_the_site_again(con, web_source):
    from govcheck.web import recheck

    _c, r = _publish(con)
    office = con.client("inspector")
    h = con.handle
    site = next(s for s in web_source.sites if s["unit"] == "市国资委")
    page = office.get("/r/round/rectify/unit", params={"unit": "市国资委"}).text
    r = office.post("/r/round/recheck", data={"csrf_token": csrf_of(page), "target": site["url"],
                                              "at": h.info.at.isoformat()})
    assert r.status_code == 303, r.text[:300]
    recheck.wait(h, site["url"], timeout=300)
    page = office.get("/r/round/rectify/unit", params={"unit": "市国资委"}).text
    results = re.findall(r'<td class="recheck-result"><b>([^<]+)</b>', page)
    assert results and set(results) == {"未整改"}, page[-3000:]  # the replica did not change: nothing is fixed
    assert (con.round_dir / "rechecks" / "0001" / "round" / "findings.json").exists()
    # the hostile site's unit "fixes" one dead link: that finding is 已整改, the others stay 未整改
    hostile = web_source.hostile
    hostile.fixed.add("/beacon-link")
    try:
        page = office.get("/r/round/rectify/unit", params={"unit": HOSTILE_UNIT}).text
        r = office.post("/r/round/recheck", data={"csrf_token": csrf_of(page), "target": hostile.url,
                                                  "at": h.info.at.isoformat()})
        assert r.status_code == 303
        recheck.wait(h, hostile.url, timeout=300)
    finally:
        hostile.fixed.clear()
    page = office.get("/r/round/rectify/unit", params={"unit": HOSTILE_UNIT}).text
    rows = re.findall(r'<tr data-id="([0-9a-f]+)">.*?<td class="recheck-result"><b>([^<]+)</b>', page, re.S)
    by_id = dict(rows)
    fixed_id = next(f["id"] for f in _all(h) if f["unit"] == HOSTILE_UNIT and f["code"] == "D22.1"
                    and f["evidence"][0]["url"].endswith("/beacon-link"))
    assert by_id[fixed_id] == "已整改", page[-3000:]
    others = [v for k, v in by_id.items() if k != fixed_id]
    assert others and set(others) == {"未整改"}


def test_recheck_matcher():
    from govcheck.web.recheck import FIXED, NOT_FIXED, UNDECIDED, match_findings

    old = [{"id": "a", "code": "D09.2", "evidence": [{"path": "首页>政府采购"}]},
           {"id": "b", "code": "D02.2", "evidence": [{"title": "法规科", "url": "http://x/jgzn/"}]},
           {"id": "c", "code": "D21", "evidence": [{"url": "http://x/"}]},
           {"id": "d", "code": "V1.5", "evidence": []},
           {"id": "e", "code": "D22.1", "evidence": [{"url": "http://x/dead1"}, {"url": "http://x/"}]},
           {"id": "f", "code": "D09.2", "evidence": []}]
    new = [{"id": "n1", "code": "D09.2", "evidence": [{"path": "首页>政府采购", "date": "2022-01-01"}]},
           {"id": "n2", "code": "D02.2", "evidence": [{"title": "办公室", "url": "http://x/jgzn/"}]},
           {"id": "n3", "code": "D22.1", "evidence": [{"url": "http://x/dead2"}, {"url": "http://x/"}]}]
    manual = [{"code": "D21"}]
    got = match_findings(old, new, manual, None)
    assert got["a"]["result"] == NOT_FIXED and got["a"]["new_id"] == "n1"
    assert got["b"]["result"] == FIXED and "其他位置" in got["b"]["note"]
    assert got["c"]["result"] == UNDECIDED
    assert got["d"]["result"] == FIXED  # the rule no longer fires on the site
    assert got["e"]["result"] == FIXED  # another dead link on the same page is another finding
    assert got["f"]["result"] == NOT_FIXED  # nothing to tell it apart: the rule still fires on the site
    assert {v["result"] for v in match_findings(old, new, [], "连接失败").values()} == {UNDECIDED}


def test_api_with_a_token(con):
    admin = con.client("admin")
    page = admin.get("/tokens").text
    r = admin.post("/tokens", data={"csrf_token": csrf_of(page), "action": "add", "name": "大屏"})
    token = re.search(r'<code id="new-token">([^<]+)</code>', r.text).group(1)
    api = con.client()
    hdr = {"Authorization": f"Bearer {token}"}
    rounds = api.get("/api/v1/rounds", headers=hdr).json()["rounds"]
    assert [x["slug"] for x in rounds] == ["prev", "round"]
    sc = api.get("/api/v1/rounds/round/scores", headers=hdr).json()["scores"]
    assert {s["unit"] for s in sc if s["target_type"] == "site"} >= {"市科技局", "市国资委", "市民政局", HOSTILE_UNIT}
    fs = api.get("/api/v1/rounds/round/findings", headers=hdr, params={"unit": "市国资委", "page_size": 5}).json()
    assert fs["total"] > 5 and len(fs["findings"]) == 5 and fs["pages"] == -(-fs["total"] // 5)
    one = fs["findings"][0]
    ev = api.get(f"/api/v1/rounds/round/findings/{one['id']}/evidence", headers=hdr).json()["evidence"]
    assert ev and ev[0]["sha256"] and ev[0]["verified"] is True
    # revoked: refused
    page = admin.get("/tokens").text
    tid = re.search(r'name="id" value="(\d+)"', page).group(1)
    admin.post("/tokens", data={"csrf_token": csrf_of(page), "action": "revoke", "id": tid})
    assert api.get("/api/v1/rounds", headers=hdr).status_code == 401


def test_users_cli_and_audit(tmp_path):
    """`govcheck users …`: one real child process (the installed command path), the rest through typer's runner."""
    from typer.testing import CliRunner

    from govcheck.cli import app

    home = tmp_path / "home"
    r = subprocess.run([sys.executable, "-m", "govcheck.cli", "users", "add", "chief", "--role", "管理员",
                        "--password-stdin", "--home", str(home)], input=PASSWORD + "\n", capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    run = CliRunner().invoke
    r = run(app, ["users", "add", "weak", "--role", "检查人员", "--password-stdin", "--home", str(home)], input="short\n")
    assert r.exit_code == 2 and "密码至少" in r.output
    r = run(app, ["users", "add", "chief", "--role", "管理员", "--password-stdin", "--home", str(home), "--exist-ok"])
    assert r.exit_code == 0 and "已存在" in r.output
    r = run(app, ["users", "add", "chief", "--role", "管理员", "--password-stdin", "--home", str(home)], input="x\n")
    assert r.exit_code == 2 and "已存在" in r.output
    r = run(app, ["users", "add", "u1", "--role", "单位用户", "--password-stdin", "--home", str(home)],
            input=PASSWORD + "\n")
    assert r.exit_code == 2 and "所属单位" in r.output
    r = run(app, ["users", "list", "--home", str(home)])
    assert "chief\tchief\t管理员" in r.output
    r = run(app, ["users", "token", "chief", "--home", str(home)])
    assert r.exit_code == 0 and r.output.strip().startswith("gct_")
    from datetime import timedelta

    from govcheck.web.auth import api_user, authenticate
    from govcheck.web.db import home_engine, users

    eng = home_engine(f"sqlite:///{home / 'console.sqlite'}")
    assert authenticate(eng, "chief", PASSWORD, None, max_failures=5, window=timedelta(minutes=1)).role == "admin"
    assert api_user(eng, r.output.strip()).username == "chief"
    with eng.connect() as c:
        h = c.execute(select(users.c.password_hash)).scalar()
    assert h.startswith("$argon2id$") and PASSWORD not in h
    r = run(app, ["users", "disable", "chief", "--home", str(home)])
    assert r.exit_code == 0
    from govcheck.web.auth import AuthError

    with pytest.raises(AuthError):
        authenticate(eng, "chief", PASSWORD, None, max_failures=5, window=timedelta(minutes=1))


def test_serve_cli_starts_and_answers(web_source, tmp_path):
    """`govcheck serve` as a user runs it: a child process on a free port, the login page in Chinese."""
    import shutil
    import socket
    import time

    import httpx

    rd = tmp_path / "demo"
    shutil.copytree(web_source.dir, rd)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    proc = subprocess.Popen([sys.executable, "-m", "govcheck.cli", "serve", str(rd), "--port", str(port),
                             "--home", str(tmp_path / "home")], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                assert time.time() < deadline and proc.poll() is None, proc.stderr.read() if proc.poll() else "timeout"
                time.sleep(0.3)
        assert r.status_code == 200 and "登录" in r.text
        assert "script-src 'self'" in r.headers["content-security-policy"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    err = proc.stderr.read()
    assert "尚无任何账号" in err


def test_review_action_refused_on_unknown_ids_loses_nothing(con):
    c = con.client("inspector")
    f = _site_finding(con.handle, "市民政局")
    page = c.get("/r/round/review").text
    r = c.post("/r/round/review", data={"csrf_token": csrf_of(page), "ids": [f["id"], "ffffffffffff"],
                                        "action": "dismiss", "reason": "x"})
    assert r.status_code == 400
    assert next(x for x in _all(con.handle) if x["id"] == f["id"])["review"] == "pending"
    with con.handle.engine.connect() as conn:
        assert not conn.execute(select(review_log.c.id)).all()


def test_hostile_site_is_in_the_round(web_source):
    units = [s["unit"] for s in json.loads(Path(web_source.dir / "scores.json").read_text(encoding="utf-8"))]
    assert HOSTILE_UNIT in units


def test_a_broken_links_anchor_is_marked_on_the_page_that_links_to_it(con, web_source):
    """D22.1 cites the dead URL and the page linking to it: on that page the linking element is outlined."""
    h = con.handle
    f = next(x for x in _unit_findings(h, HOSTILE_UNIT)
             if x["code"] == "D22.1" and x["evidence"][0]["url"].endswith("/beacon-link"))
    idx = next(i for i, e in enumerate(f["evidence"]) if e.get("url") == web_source.hostile.url)
    c = con.client("inspector")
    body = c.get(f"/replay/round/{f['id']}/{idx}").text
    marked = re.findall(r'<a class="govcheck-hl govcheck-hl-link" id="govcheck-hl-\d+" data-govcheck-href="([^"]+)"', body)
    assert marked == ["/beacon-link"]
    page = c.get(f"/r/round/f/{f['id']}").text
    assert "指向问题链接的元素</mark> 1 处" in page


def test_dismissing_an_accounts_findings_makes_it_pass_as_a_full_rescore_would(con):
    h = con.handle
    acc = [x for x in _all(h) if x["target_type"] == "account"]
    target = acc[0]["target"]
    ids = [x["id"] for x in acc if x["target"] == target]
    c = con.client("inspector")
    page = c.get("/r/round/review", params={"type": "account"}).text
    r = c.post("/r/round/review", data={"csrf_token": csrf_of(page), "ids": ids, "action": "dismiss",
                                        "reason": "核实：账号已备案、有更新"})
    assert r.status_code == 303
    shown = c.get(r.headers["location"]).text
    assert "不合格</td><td>→</td><td class=\"num after\">合格" in shown
    incremental = _scores(h)
    rescore(h.store, h.store.round(h.info.key), h.rs)
    assert _scores(h) == incremental
