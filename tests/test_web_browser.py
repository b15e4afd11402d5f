"""The console in a real headless Chromium (Playwright driving Debian's /usr/bin/chromium), in Chinese.

One office-to-unit flow, step by step with a screenshot of each step in test-output/web-browser/ (or
$GOVCHECK_TEST_OUTPUT/web-browser/): log in, filter the queue, dismiss findings with a reason and see the score
change, publish, log in as a unit, submit a rectification with an attachment, see it as the office. And the
hostile page: its scripts must not run and it must not reach the network, checked in the browser.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from web_harness import HOSTILE_UNIT, PASSWORD, console_for

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
OUT = Path(os.environ.get("GOVCHECK_TEST_OUTPUT") or Path(__file__).resolve().parent.parent / "test-output") / "web-browser"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed (scripts/install-system-deps.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


class Steps:
    """Screenshots of each step, numbered, with the browser's console errors collected on the way."""

    def __init__(self, page, name: str):
        self.page = page
        self.dir = OUT / name
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.png"):
            old.unlink()
        self.n = 0
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def shot(self, label: str) -> Path:
        self.n += 1
        path = self.dir / f"{self.n:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        return path


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/$"))


def _logout(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r".*/login$"))


def _score(page_text: str, unit: str) -> str:
    m = re.search(rf"<tr[^>]*><td>{unit}</td><td>[^<]*</td><td class=\"num before\">([^<]+)</td><td>→</td>"
                  rf"<td class=\"num after\">([^<]+)</td>", page_text)
    assert m, "no before → after row for " + unit
    return m.group(1), m.group(2)


def test_office_and_unit_flow_in_chinese(browser, web_source, tmp_path):
    with console_for(web_source, tmp_path) as con:
        ctx = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}, accept_downloads=True)
        page = ctx.new_page()
        steps = Steps(page, "flow")

        # 1. log in (检查人员)
        page.goto(f"{con.base}/")
        page.wait_for_url(re.compile(r".*/login.*"))
        assert page.get_by_role("heading", name="登录").is_visible()
        steps.shot("login")
        _login(page, con.base, "inspector")
        assert page.get_by_role("heading", name="检查轮次").is_visible()

        # 2. the overview draws its charts from the vendored ECharts
        page.goto(f"{con.base}/r/round/")
        page.wait_for_selector('[data-chart="distribution"][data-rendered="1"] canvas')
        page.wait_for_selector('[data-chart="trend"][data-rendered="1"] canvas')
        steps.shot("overview")

        # 3. filter the review queue
        page.goto(f"{con.base}/r/round/review")
        page.get_by_label("单位").fill("市国资委")
        page.get_by_label("规则").select_option("D02.2")
        page.get_by_role("button", name="筛选").click()
        page.wait_for_url(re.compile(r".*unit=.*"))
        units = page.locator("#queue tbody tr").evaluate_all("rs => rs.map(r => r.dataset.unit)")
        codes = page.locator("#queue tbody tr").evaluate_all("rs => rs.map(r => r.dataset.code)")
        assert units and set(units) == {"市国资委"} and set(codes) == {"D02.2"}
        steps.shot("queue-filtered")

        # 4. dismiss them with a reason: the score changes, before → after
        page.locator("input[data-select-all]").check()
        assert page.locator('input[name="ids"]:checked').count() == len(units)
        page.get_by_label("操作").select_option("dismiss")
        page.get_by_label("理由（必填，留痕）").fill("经核实，科室负责人信息已在机构职能页公布")
        page.get_by_role("button", name="提交复核").click()
        page.wait_for_selector("table.changes")
        before, after = _score(page.content(), "市国资委")
        assert float(after) > float(before)
        steps.shot("dismissed-score-change")
        page.get_by_role("link", name=re.compile("已撤销")).click()
        assert page.locator("#queue tbody tr[data-unit='市国资委']").count() == len(units)
        steps.shot("queue-dismissed")
        _logout(page)

        # 5. publish (管理员)
        _login(page, con.base, "admin")
        page.goto(f"{con.base}/r/round/publish")
        page.get_by_label("带未处理事项发布的理由").fill("其余事项已由检查组线下核实")
        page.get_by_role("button", name=re.compile("发布第1版")).click()
        page.wait_for_selector("text=已发布 · 第1版")
        links = page.locator("#publications a").all_inner_texts()
        assert any(x.endswith(".docx") for x in links) and any(x.endswith(".xlsx") for x in links)
        with page.expect_download() as dl:
            page.locator("#publications a", has_text=".docx").first.click()
        assert dl.value.suggested_filename.endswith(".docx")
        steps.shot("published")
        _logout(page)

        # 6. log in as a unit (单位用户) and answer one finding with an attachment
        _login(page, con.base, "keji")
        page.get_by_role("link", name=re.compile("2022年第二季度")).click()
        rows = page.locator("#unit-findings tbody tr")
        assert rows.count() > 0
        units_seen = page.locator("#unit-findings tbody tr").evaluate_all("rs => rs.map(r => r.dataset.id)")
        steps.shot("unit-findings")
        page.get_by_role("link", name="查看并反馈").first.click()
        page.wait_for_selector("#feedback-form")
        steps.shot("unit-finding-evidence")
        attachment = tmp_path / "整改佐证.pdf"
        attachment.write_bytes(b"%PDF-1.4\n%\xe6\x95\xb4\xe6\x94\xb9\n")
        page.get_by_label("整改情况（必填）").fill("已在机构职能栏目补充各科室负责人姓名及联系电话。")
        page.locator('#feedback-form input[type="file"]').set_input_files(str(attachment))
        page.get_by_role("button", name="提交整改情况").click()
        page.wait_for_selector("text=整改情况已提交")
        assert "已反馈" in page.locator("#unit-status").inner_text()
        steps.shot("unit-feedback-submitted")
        _logout(page)

        # 7. the office sees it: 已读/已反馈 by unit, the claim and its attachment
        _login(page, con.base, "inspector")
        page.goto(f"{con.base}/r/round/rectify")
        row = page.locator('#rectify-units tr[data-unit="市科技局"]')
        assert row.locator("td.fed").inner_text() == "1"
        steps.shot("office-rectify-table")
        row.get_by_role("link", name="详情").click()
        page.wait_for_selector("text=已在机构职能栏目补充各科室负责人姓名及联系电话。")
        assert page.locator("a.attachment", has_text="整改佐证.pdf").count() == 1
        with page.expect_download() as dl:
            page.locator("a.attachment", has_text="整改佐证.pdf").click()
        assert Path(dl.value.path()).read_bytes() == attachment.read_bytes()
        steps.shot("office-sees-claim")
        assert len(units_seen) == len(set(units_seen))
        assert not steps.errors, steps.errors  # no CSP violation, no script error in any console page
        ctx.close()


def test_a_crawled_pages_script_never_runs_nor_reaches_the_network(browser, web_source, tmp_path):
    """The hostile site's home page (scripts, handlers, meta refresh, prefetch, frames, beacon links) in the
    evidence viewer and opened directly: nothing runs, nothing is requested."""
    with console_for(web_source, tmp_path) as con:
        from sqlalchemy import select

        from govcheck.store import findings

        h = con.handle
        with h.engine.connect() as c:
            rows = [dict(r) for r in c.execute(select(findings).where(findings.c.unit == HOSTILE_UNIT)).mappings()]
        home = web_source.hostile.url
        fid, idx = next((r["id"], i) for r in rows for i, e in enumerate(r["evidence"])
                        if e.get("url") == home and e.get("archive"))
        ctx = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        steps = Steps(page, "hostile")
        blocked: list[str] = []
        page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
        _login(page, con.base, "inspector")
        web_source.hostile.hits.clear()
        page.goto(f"{con.base}/r/round/f/{fid}")
        frame_el = page.locator(f"#evidence-{idx} iframe").first
        frame_el.wait_for()
        assert frame_el.get_attribute("sandbox") == ""
        frame = frame_el.element_handle().content_frame()
        frame.wait_for_load_state("load")
        page.wait_for_timeout(3000)  # the page's meta refresh asked for 2 s
        state = frame.evaluate("() => ({title: document.title, pwned: document.documentElement.getAttribute('data-pwned'),"
                               " body: [...document.body.attributes].map(a => a.name).join(','), url: location.href,"
                               " links: [...document.querySelectorAll('a[href]')].length})")
        assert state["title"] != "PWNED" and state["pwned"] is None
        assert "pwned" not in state["body"]
        assert state["url"].startswith(f"{con.base}/replay/") and "beacon" not in state["url"]
        assert state["links"] == 0
        assert frame.locator("text=市测试局").count() >= 1  # the page itself is shown
        # clicking a neutralised link goes nowhere
        frame.locator("a", has_text="工作动态").click()
        page.wait_for_timeout(500)
        assert frame.evaluate("() => location.href").startswith(f"{con.base}/replay/")
        steps.shot("evidence-viewer")
        # opened on its own, outside the iframe: the CSP's sandbox still forbids every script
        page.goto(f"{con.base}/replay/round/{fid}/{idx}")
        page.wait_for_timeout(2500)
        assert page.title() != "PWNED"
        assert page.evaluate("() => document.documentElement.getAttribute('data-pwned')") is None
        assert page.url.startswith(f"{con.base}/replay/")
        steps.shot("replay-top-level")
        assert web_source.hostile.beacons() == [], web_source.hostile.hits
        ctx.close()
