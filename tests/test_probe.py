"""Home-page probes on a compressed schedule against a server that is down part of the time."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import web
from typer.testing import CliRunner

from govcheck.collect.archive import utcnow
from govcheck.collect.config import CrawlOptions
from govcheck.collect.probe import Availability, availability, run_probes, v2_veto
from govcheck.collect.store import make_engine
from govcheck.model import Site
from test_crawl_support import LOCAL, WAF_BODY, serve, write_roster

OPTS = CrawlOptions.defaults(allow_addresses=LOCAL, min_delay=0)


def flaky_app(plan: list[str]) -> web.Application:
    """plan[i] says how request i is answered: ok, down (500), slow, waf, closed."""
    state = {"n": 0}

    async def home(req):
        i = state["n"]
        state["n"] += 1
        mode = plan[i] if i < len(plan) else "ok"
        if mode == "down":
            return web.Response(status=500, text="error")
        if mode == "slow":
            await asyncio.sleep(0.4)
        if mode == "waf":
            return web.Response(status=403, text=WAF_BODY, content_type="text/html")
        return web.Response(text="<html><title>首页</title></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/", home)
    return app


async def test_probes_and_availability(tmp_path):
    plan = ["ok"] * 10 + ["down"] * 6 + ["slow"] * 2 + ["waf"] * 2 + ["ok"] * 10
    engine = make_engine(f"sqlite:///{tmp_path}/round.sqlite")
    async with serve(flaky_app(plan)) as base:
        site = Site(region="x", unit="可用性测试", name="n", url=base + "/")
        before = utcnow()
        n = await run_probes(engine, [site], interval=0.01, count=len(plan), timeout=2.0, slow=0.3, opts=OPTS)
        after = utcnow()
    assert n == len(plan)
    a = availability(engine, site.url, after + timedelta(seconds=1), window=timedelta(minutes=5))
    assert a == Availability(30, 8, 8 / 30)  # 6 down + 2 slow; the WAF answers are not failures
    # a time point given in Beijing time means the same instant
    from datetime import timezone
    bj = (after + timedelta(seconds=1)).replace(tzinfo=timezone.utc).astimezone(timezone(timedelta(hours=8)))
    assert availability(engine, site.url, bj, window=timedelta(minutes=5)) == a
    # the window only looks back from the time point
    assert availability(engine, site.url, before, window=timedelta(minutes=5)).visits == 0
    # thresholds are arguments: per day of the window, at least this many visits
    w = timedelta(minutes=5)
    assert v2_veto(a, w, veto_ratio=0.05, min_visits_per_day=1000) is True
    assert v2_veto(a, w, veto_ratio=0.5, min_visits_per_day=1000) is False
    assert v2_veto(a, w, veto_ratio=0.05, min_visits_per_day=10_000_000) is None
    engine.dispose()


async def test_probe_command(tmp_path):
    async with serve(flaky_app(["down", "ok", "ok"])) as base:
        roster = tmp_path / "sites.csv"
        write_roster(roster, [{"unit": "命令测试", "url": base + "/"}])
        import typer

        from govcheck.collect.commands import register

        app = typer.Typer()
        register(app)
        out = tmp_path / "round"
        r = await asyncio.to_thread(CliRunner().invoke, app, ["probe", "--sites", str(roster), "--out", str(out),
                                                           "--interval", "0.01", "--count", "3",
                                                           "--allow", "127.0.0.1"])
        assert r.exit_code == 0, r.output
    engine = make_engine(f"sqlite:///{out}/round.sqlite")
    a = availability(engine, base + "/", utcnow() + timedelta(seconds=1), window=timedelta(hours=1))
    assert (a.visits, a.failures) == (3, 1)
    engine.dispose()


def test_bad_roster_names_row_and_column(tmp_path):
    roster = tmp_path / "sites.csv"
    roster.write_text("区域,单位名称,网站名称,首页网址\n咸宁市,甲局,甲网,http://a.gov.cn/\n咸宁市,乙局,乙网,ftp:/x\n",
                      encoding="utf-8")
    import typer

    from govcheck.collect.commands import register

    app = typer.Typer()
    register(app)
    r = CliRunner().invoke(app, ["probe", "--sites", str(roster), "--out", str(tmp_path / "o"), "--count", "1"])
    assert r.exit_code == 2
    assert "第3行" in r.output and "首页网址" in r.output


async def test_probes_against_the_replica_outage(tmp_path):
    """The availability-demo replica site is down (503) part of the time; probes on a compressed schedule
    (period 1 s, down 0.3 s instead of minutes) see that share of failures, and V2 is judged from them."""
    import shutil

    import pytest
    import yaml

    sim = pytest.importorskip("govcheck.sim.testing")
    from govcheck.sim.scenario import SCENARIOS_DIR

    dst = tmp_path / "avail"
    shutil.copytree(SCENARIOS_DIR / "availability-demo", dst)
    f = dst / "sites" / "demo-down.yaml"
    d = yaml.safe_load(f.read_text(encoding="utf-8"))
    outage = next(x for x in d["defects"] if x["plant"] == "outage")
    outage.update(period=1.0, down=0.3)
    f.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    (dst / "scenario.yaml").write_text((dst / "scenario.yaml").read_text(encoding="utf-8").replace(
        "../styles-demo/", str(SCENARIOS_DIR / "styles-demo") + "/"), encoding="utf-8")
    engine = make_engine(f"sqlite:///{tmp_path}/round.sqlite")
    with sim.running_region(dst) as reg:
        roster = reg.write_roster(tmp_path / "sites.csv")
        from govcheck.collect.roster import read_sites

        sites = read_sites(roster)
        await run_probes(engine, sites, interval=0.05, count=40, timeout=2.0, slow=1.0,
                             opts=CrawlOptions.defaults(allow_addresses=reg.allow, min_delay=0))
    site = next(s for s in sites if s.unit == d["unit"])
    w = timedelta(minutes=10)
    a = availability(engine, site.url, utcnow() + timedelta(seconds=1), window=w)
    engine.dispose()
    assert a.visits == 40
    assert 0.1 <= a.ratio <= 0.6, a  # ~30 % of the time down
    assert v2_veto(a, w, veto_ratio=0.05, min_visits_per_day=20) is True
