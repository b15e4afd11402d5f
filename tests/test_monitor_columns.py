"""Key columns (monitor --columns): column pages probed beside the home pages, recorded apart (role column), never
counted for V2, and an outage of one warned of to its own unit only."""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import threading

import pytest
from aiohttp import web
from typer.testing import CliRunner

from govcheck.collect.probe import ProbeStore
from govcheck.model import Site
from govcheck.monitor.columns import read_key_columns
from govcheck.tables import TableError
from test_crawl_support import LOCAL, serve, write_roster

A, B = "示范市甲局", "示范市乙局"


def site_app(gone: set[str]) -> web.Application:
    async def any_page(req):
        if req.path in gone:
            return web.Response(status=404, text="not found")
        return web.Response(text=f"<html><title>{req.path}</title></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", any_page)
    return app


@contextlib.contextmanager
def served(*apps: web.Application):
    """The apps on 127.0.0.1 from a thread of their own (the command under test runs its own event loop)."""
    loop = asyncio.new_event_loop()
    bases: list[str] = []
    ready, stop = threading.Event(), None

    async def main():
        nonlocal stop
        stop = asyncio.Event()
        async with contextlib.AsyncExitStack() as st:
            for app in apps:
                bases.append(await st.enter_async_context(serve(app)))
            ready.set()
            await stop.wait()

    t = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    t.start()
    assert ready.wait(30)
    try:
        yield bases
    finally:
        loop.call_soon_threadsafe(stop.set)
        t.join(30)
        loop.close()


def write_columns(path, rows: list[list[str]], header=("首页网址", "栏目名称", "栏目网址")):
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_key_columns_probed_apart_and_warned(tmp_path):
    from govcheck.inspect.probes import ProbeRecord
    from govcheck.monitor.warnings import availability_warnings, load_config
    from govcheck.rules import load_ruleset

    with served(site_app({"/tzgg/"}), site_app(set())) as (a, b):
        roster = tmp_path / "sites.csv"
        write_roster(roster, [{"unit": A, "url": a + "/"}, {"unit": B, "url": b + "/"}])
        cols = write_columns(tmp_path / "columns.csv", [
            [a + "/", "通知公告", a + "/tzgg/"],   # gone: answers 404
            [a, "政策文件", a + "/zcwj/"],          # the home page written without its slash
            [b + "/", "工作动态", b + "/gzdt/"],
            [b + "/", "首页", b + "/"],             # the home page itself: probed once, as the home page
        ])
        out = tmp_path / "mon"
        # the real command, on a compressed schedule, for a few seconds
        from govcheck.cli import app

        r = CliRunner().invoke(app, ["monitor", "--sites", str(roster), "--out", str(out), "--columns", str(cols),
                                     "--interval", "0.2", "--duration", "4", "--quiet", "--allow", "127.0.0.1"])
        assert r.exit_code == 0, r.output
        assert "及 3 个重点栏目" in r.output
    store = ProbeStore(f"sqlite:///{out}/monitor.sqlite")
    try:
        homes = {t.url: t for t in store.targets(role="home")}
        columns = {t.url: t for t in store.targets(role="column")}
        assert set(homes) == {a + "/", b + "/"}
        assert set(columns) == {a + "/tzgg/", a + "/zcwj/", b + "/gzdt/"}
        assert columns[a + "/tzgg/"].site == a + "/" and columns[a + "/tzgg/"].unit == A
        assert columns[a + "/tzgg/"].name == "通知公告"
        gone = store.rows(a + "/tzgg/")
        assert len(gone) >= 2 and all(p.kind == "http" and p.status == 404 for p in gone)
        assert all(p.kind is None for p in store.rows(a + "/zcwj/"))
        # V2 reads the home page only: the site whose column is gone has a clean record
        rs = load_ruleset("gb2019")
        rec = ProbeRecord(f"sqlite:///{out}/monitor.sqlite")
        try:
            facts = rec.facts(a + "/", rs, dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date())
        finally:
            rec.close()
        assert facts.probes and all(p.error is None and p.ok for p in facts.probes)
        assert {p.at for p in facts.probes} == {r.at.isoformat() for r in store.rows(a + "/")}
        # the warning: the gone column, under its own unit; nothing for the working ones
        sites = [Site(region="测试市", unit=A, name=A, url=a + "/"), Site(region="测试市", unit=B, name=B, url=b + "/")]
        now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)
        ws = availability_warnings(store, sites, rs, now, load_config(None))
    finally:
        store.close()
    assert [(w.unit, w.url) for w in ws] == [(A, a + "/tzgg/")]
    assert ws[0].text.startswith("重点栏目“通知公告”近7天监测") and "（100%）" in ws[0].text
    assert json.loads(json.dumps(ws[0].to_dict()))["kind"] == "availability"


def test_key_column_table_errors_name_file_row_column(tmp_path):
    sites = [Site(region="测试市", unit=A, name="甲局网站", url="http://a.example.gov.cn/"),
             Site(region="测试市", unit=B, name="乙局网站", url="http://b.example.gov.cn/")]
    ok = write_columns(tmp_path / "ok.csv", [["乙局网站", "工作动态", "http://b.example.gov.cn/gzdt/"]],
                       header=("网站名称", "栏目名称", "栏目网址"))
    [c] = read_key_columns(ok, sites)
    assert (c.site.unit, c.name, c.url) == (B, "工作动态", "http://b.example.gov.cn/gzdt/")
    by_unit = write_columns(tmp_path / "u.csv", [[A, "http://a.example.gov.cn/zcwj/"]], header=("单位名称", "栏目网址"))
    [c] = read_key_columns(by_unit, sites)
    assert c.site.unit == A and c.name == "/zcwj/"
    cases = [
        (("首页网址", "栏目名称", "栏目网址"), [["http://c.example.gov.cn/", "x", "http://c.example.gov.cn/x/"]],
         "第2行 列“首页网址”", "找不到"),
        (("首页网址", "栏目名称", "栏目网址"), [["http://a.example.gov.cn/", "x", "a.example.gov.cn/x/"]],
         "第2行 列“栏目网址”", "不是网址"),
        (("首页网址", "栏目名称"), [["http://a.example.gov.cn/", "x"]], "第1行 列“栏目网址”", "缺少必填列"),
        (("栏目名称", "栏目网址"), [["x", "http://a.example.gov.cn/x/"]], "第1行", "指明栏目所属网站"),
    ]
    for i, (header, rows, where, what) in enumerate(cases):
        p = write_columns(tmp_path / f"bad{i}.csv", rows, header=header)
        with pytest.raises(TableError) as e:
            read_key_columns(p, sites)
        assert str(p) in str(e.value) and where in str(e.value) and what in str(e.value), str(e.value)
