"""Home-page probes on a compressed schedule against a server that is down part of the time."""
from __future__ import annotations

import asyncio
from datetime import timedelta, timezone

from aiohttp import web
from typer.testing import CliRunner

from govcheck.collect.archive import utcnow
from govcheck.collect.config import CrawlOptions
from govcheck.collect.probe import Availability, ProbeStore, Target, availability, probe_kind, run_probes, v2_veto
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
    db = f"sqlite:///{tmp_path}/monitor.sqlite"
    async with serve(flaky_app(plan)) as base:
        url = base + "/"
        before = utcnow().replace(tzinfo=timezone.utc)
        n = await run_probes(db, [Target(url=url, site=url, unit="可用性测试", interval=0.02)], slow=0.3,
                             count=len(plan), opts=OPTS)
        after = utcnow().replace(tzinfo=timezone.utc)
    assert n == len(plan)
    store = ProbeStore(db)
    rows = store.rows(url)
    assert [r.kind for r in rows] == [None] * 10 + ["http"] * 6 + ["slow"] * 2 + ["blocked"] * 2 + [None] * 10
    assert all(r.status == 500 for r in rows[10:16]) and all(r.latency >= 0.3 for r in rows[16:18])
    a = availability(store, url, after + timedelta(seconds=1), window=timedelta(minutes=5))
    assert a == Availability(30, 8, 8 / 30)  # 6 down + 2 slow; the WAF answers are not failures
    # a time point given in Beijing time means the same instant
    bj = (after + timedelta(seconds=1)).astimezone(timezone(timedelta(hours=8)))
    assert availability(store, url, bj, window=timedelta(minutes=5)) == a
    # the window only looks back from the time point
    assert availability(store, url, before, window=timedelta(minutes=5)).visits == 0
    # thresholds are arguments: per day of the window, at least this many visits
    w = timedelta(minutes=5)
    assert v2_veto(a, w, veto_ratio=0.05, min_visits_per_day=1000) is True
    assert v2_veto(a, w, veto_ratio=0.5, min_visits_per_day=1000) is False
    assert v2_veto(a, w, veto_ratio=0.05, min_visits_per_day=10_000_000) is None
    # written once: recording the same probes again adds nothing
    from govcheck.collect.probe import ProbeResult

    again = [ProbeResult(url=url, at=r.at.replace(tzinfo=None), latency=r.latency, status=r.status, kind=r.kind)
             for r in rows[:5]]
    assert store.write(again) == 0 and len(store.rows(url)) == 30
    store.close()


def test_probe_kinds():
    """How a fetch outcome is recorded: our own refusals and robots.txt are not visits; a WAF challenge is
    blocked whatever its status; a slow but complete answer is slow."""
    assert probe_kind("dns: name not known", None, 0.1, b"", 15) == "dns"
    assert probe_kind("reset: connection reset", None, 0.1, b"", 15) == "connect"
    assert probe_kind("address_refused: 内网", None, 0.0, b"", 15) == "refused"
    assert probe_kind("robots: 不允许", None, 0.0, b"", 15) == "robots"
    assert probe_kind("redirect_loop: x", 302, 0.1, b"", 15) == "http"
    assert probe_kind("body_too_large: x", 200, 0.1, b"<html>", 15) is None
    assert probe_kind(None, 403, 0.1, WAF_BODY.encode(), 15) == "blocked"
    assert probe_kind(None, 404, 0.1, b"not found", 15) == "http"
    assert probe_kind(None, 200, 15.0, b"<html>", 15) == "slow"
    assert probe_kind(None, 200, 14.9, b"<html>", 15) is None


async def test_probe_command(tmp_path):
    async with serve(flaky_app(["down", "ok", "ok"])) as base:
        roster = tmp_path / "sites.csv"
        write_roster(roster, [{"unit": "命令测试", "url": base + "/"}])
        import typer

        from govcheck.monitor.commands import register

        app = typer.Typer()
        register(app)
        out = tmp_path / "round"
        r = await asyncio.to_thread(CliRunner().invoke, app, ["probe", "--sites", str(roster), "--out", str(out),
                                                           "--interval", "0.01", "--count", "3",
                                                           "--allow", "127.0.0.1"])
        assert r.exit_code == 0, r.output
    store = ProbeStore(f"sqlite:///{out}/monitor.sqlite")
    a = availability(store, base + "/", utcnow().replace(tzinfo=timezone.utc) + timedelta(seconds=1),
                     window=timedelta(hours=1))
    assert (a.visits, a.failures) == (3, 1)
    store.close()


def test_bad_roster_names_row_and_column(tmp_path):
    roster = tmp_path / "sites.csv"
    roster.write_text("区域,单位名称,网站名称,首页网址\n咸宁市,甲局,甲网,http://a.gov.cn/\n咸宁市,乙局,乙网,ftp:/x\n",
                      encoding="utf-8")
    import typer

    from govcheck.monitor.commands import register

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
    db = f"sqlite:///{tmp_path}/monitor.sqlite"
    with sim.running_region(dst) as reg:
        roster = reg.write_roster(tmp_path / "sites.csv")
        from govcheck.collect.roster import read_sites

        sites = read_sites(roster)
        targets = [Target(url=s.url, site=s.url, unit=s.unit, interval=0.05) for s in sites]
        await run_probes(db, targets, slow=1.0, count=40,
                         opts=CrawlOptions.defaults(allow_addresses=reg.allow, min_delay=0))
    site = next(s for s in sites if s.unit == d["unit"])
    w = timedelta(minutes=10)
    a = availability(ProbeStore(db), site.url, utcnow().replace(tzinfo=timezone.utc) + timedelta(seconds=1), window=w)
    assert a.visits == 40
    assert 0.1 <= a.ratio <= 0.6, a  # ~30 % of the time down
    assert v2_veto(a, w, veto_ratio=0.05, min_visits_per_day=20) is True


async def test_probes_in_postgresql():
    """The same record in PostgreSQL (the round's --db): written, read back in order, written once."""
    import os
    import uuid

    import pytest

    url = os.environ.get("GOVCHECK_TEST_PG_URL")
    if not url:
        pytest.skip("GOVCHECK_TEST_PG_URL not set (scripts/start-postgres.sh prints it)")
    from sqlalchemy import delete

    from govcheck.collect.probe import ProbeResult
    from govcheck.collect.store import monitor_probe, monitor_target

    async with serve(flaky_app(["ok", "down", "waf", "ok"])) as base:
        site = f"{base}/?run={uuid.uuid4().hex}"  # this run's own target in a shared database
        n = await run_probes(url, [Target(url=site, site=site, interval=0.02)], slow=0.3, count=4, opts=OPTS)
    store = ProbeStore(url)
    try:
        rows = store.rows(site)
        assert n == 4 and [r.kind for r in rows] == [None, "http", "blocked", None]
        assert store.write([ProbeResult(url=site, at=rows[0].at.replace(tzinfo=None), latency=0.1, status=200,
                                        kind=None)]) == 0
        a = availability(store, site, utcnow().replace(tzinfo=timezone.utc) + timedelta(seconds=1), timedelta(hours=1))
        assert (a.visits, a.failures) == (4, 1)
    finally:
        tid = store.register([Target(url=site, site=site)])[site]
        with store.engine.begin() as c:
            c.execute(delete(monitor_probe).where(monitor_probe.c.target_id == tid))
            c.execute(delete(monitor_target).where(monitor_target.c.id == tid))
        store.close()
