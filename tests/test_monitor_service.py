"""`govcheck monitor` against replica sites on a compressed schedule (seconds, not days), killed with SIGKILL and
restarted once; then a round decides V2 from what it recorded.

The rule set's V2 params make the schedule: probe every 0.4 s, a probe of 1 s or more is a failure, a window of
one day needing 20 probes. Sites: healthy; down (503) 30% of the time; slow (1.5 s) 40% of the time; behind a WAF
(every answer a challenge page); and one down for a blink (0.1 s of every 8 s: now and then a failure, mostly
under 5%, judged like the others from what was recorded).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govcheck.collect.probe import ProbeStore
from govcheck.sim.testing import running_region
from monitor_support import china_today, write_scenario

ROOT = Path(__file__).resolve().parents[1]
SLOW = 1.0
RATIO = 0.05

SITES = {  # key → (unit, defects)
    "mon-ok": ("示范市统计局", []),
    "mon-down": ("示范市审计局", [{"plant": "outage", "period": 4, "down": 1.2, "mode": "503"}]),
    "mon-slow": ("示范市水利局", [{"plant": "outage", "period": 4, "down": 1.6, "mode": "slow", "delay": 1.5}]),
    "mon-waf": ("示范市林业局", [{"plant": "waf", "paths": ["/"]}]),
    "mon-blip": ("示范市气象局", [{"plant": "outage", "period": 8, "down": 0.1, "mode": "503"}]),
}


def write_rules(path: Path) -> Path:
    path.write_text(f'''[ruleset]
name = "monitor-test"
version = "1"
extends = "gb2019"

[[rule]]
code = "V2"
window_days = 1
min_visits_per_day = 20
timeout_seconds = {SLOW}
threshold_ratio = {RATIO}
probe_interval_seconds = 0.4
probe_interval_portal_seconds = 0.4
''', encoding="utf-8")
    return path


def monitor(roster: Path, out: Path, rules: Path, allow: list[str], *extra: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    cmd = [sys.executable, "-m", "govcheck.cli", "monitor", "--sites", str(roster), "--out", str(out),
           "--rules", str(rules), "--quiet", *extra]
    for a in allow:
        cmd += ["--allow", a]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def recorded(out: Path) -> set[tuple[str, int]]:
    """Every probe in the record, read without creating anything (the service may be creating its tables)."""
    import sqlite3

    path = out / "monitor.sqlite"
    if not path.exists():
        return set()
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return set(con.execute("SELECT t.url, p.at_ms FROM monitor_probe p JOIN monitor_target t ON t.id = p.target_id"))
    except sqlite3.OperationalError:  # no tables yet
        return set()
    finally:
        con.close()


def per_target(rows: set[tuple[str, int]]) -> int:
    """The fewest probes any target has."""
    from collections import Counter

    n = Counter(u for u, _ in rows)
    return min(n.values()) if len(n) == len(SITES) else 0


def wait_for(cond, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.3)
    raise AssertionError("timed out")


@pytest.fixture(scope="module")
def monitored_round(tmp_path_factory):
    from govcheck.inspect.run import run_inspect

    tmp = tmp_path_factory.mktemp("monitor")
    today = china_today()
    scen = write_scenario(tmp / "scenario", today, {k: (u, [{"code": "V2", **x} for x in d]) for k, (u, d) in SITES.items()})
    rules = write_rules(tmp / "rules.toml")
    out = tmp / "round"
    with running_region(scen) as reg:
        roster = reg.write_roster(tmp / "sites.csv")
        first = monitor(roster, out, rules, reg.allow)
        try:
            wait_for(lambda: per_target(recorded(out)) >= 12, 60)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        before = recorded(out)
        second = monitor(roster, out, rules, reg.allow)
        try:
            wait_for(lambda: per_target(recorded(out)) >= 30, 90)
        finally:
            second.send_signal(signal.SIGTERM)
            _, err = second.communicate(timeout=30)
        assert second.returncode == 0, err
        after = recorded(out)
        res = run_inspect(roster, out, at=today, rules=str(rules), max_pages=40, delay=0.0, concurrency=4,
                          progress=False, search=False, external=False, allow=reg.allow)
    return {"out": out, "before": before, "after": after, "res": res, "sites": reg.sites, "today": today,
            "stderr": err}


def test_kill_and_restart_lose_no_probe(monitored_round):
    r = monitored_round
    assert r["before"] <= r["after"]  # every probe recorded before the SIGKILL is still there
    assert len(r["after"]) > len(r["before"])  # and the restarted service went on probing
    runs = ProbeStore(f"sqlite:///{r['out']}/monitor.sqlite").runs()
    assert len(runs) == 2 and runs[0]["stopped_at"] is None and runs[1]["stopped_at"] is not None
    settings = json.loads(runs[1]["settings"])
    assert settings["interval"] == 0.4 and settings["slow"] == SLOW  # from the rule set, not the program


def test_v2_for_exactly_the_sites_above_the_ratio(monitored_round):
    r = monitored_round
    res = r["res"]
    store = ProbeStore(f"sqlite:///{r['out']}/monitor.sqlite")
    by_key = {s["key"]: s["url"] for s in r["sites"]}
    found = {o.site.url: o for o in res.sites}
    vetoed = set()
    for key, url in by_key.items():
        rows = [p for p in store.rows(url) if p.kind not in ("robots", "refused", "error")]
        down = [p for p in rows if p.kind in ("slow", "timeout", "dns", "connect", "http")]
        v2 = [f for f in found[url].findings if f.code == "V2"]
        assert len(rows) >= 20, (key, len(rows))
        if key == "mon-waf":
            assert not v2 and not down
            assert all(p.kind == "blocked" for p in rows)
            assert any(m.code == "V2" for m in found[url].manual)  # a person decides
            continue
        above = len(down) / len(rows) >= RATIO
        assert bool(v2) == above, (key, len(down), len(rows))
        assert not any(m.code == "V2" for m in found[url].manual), key
        if v2:
            vetoed.add(key)
            ev = v2[0].evidence
            # the failing probes themselves, each with its time, and the first one summarising
            assert len(ev) == 1 + len(down) and f"无法访问{len(down)}次" in ev[0].note
            times = [e.fetched_at for e in ev[1:]]
            assert times == sorted(times) and all(e.detail for e in ev[1:])
            assert {dt.datetime.fromisoformat(t).astimezone(dt.timezone.utc) for t in times} == {p.at for p in down}
    store.close()
    assert {"mon-down", "mon-slow"} <= vetoed and not vetoed & {"mon-ok", "mon-waf"}
    # the round's verdicts: a counted veto decides; the WAF site was never read and is 需人工核查
    scores = {s.target: s for s in res.view.scores}
    assert scores[by_key["mon-down"]].verdict == "一票否决" and scores[by_key["mon-slow"]].verdict == "一票否决"
    assert scores[by_key["mon-waf"]].verdict == "需人工核查"
    # findings.json carries the probes as evidence; the round records where they came from
    fj = json.loads((r["out"] / "findings.json").read_text(encoding="utf-8"))
    v2 = [f for f in fj if f["code"] == "V2"]
    assert len(v2) == 2 and all(len(f["evidence"]) > 1 and "detail" in f["evidence"][1] for f in v2)
    slow_ev = next(f for f in v2 if f["target"] == by_key["mon-slow"])["evidence"][1:]
    assert all("打开过慢" in e["detail"] or "无法" in e["detail"] or "超时" in e["detail"] for e in slow_ev)


def test_score_decides_v2_again_under_another_rule_set(monitored_round, tmp_path):
    """`govcheck score --rules` re-reads the record: a ratio nobody reached vetoes no site; too few probes
    for the window makes every site a 需人工核查 item, never a pass. (Runs last: it re-scores the round.)"""
    from typer.testing import CliRunner

    from govcheck.cli import app

    out = monitored_round["out"]
    lax = tmp_path / "lax.toml"
    lax.write_text(write_rules(tmp_path / "x.toml").read_text(encoding="utf-8").replace(
        f"threshold_ratio = {RATIO}", "threshold_ratio = 0.9"), encoding="utf-8")
    r = CliRunner().invoke(app, ["score", str(out), "--rules", str(lax)])
    assert r.exit_code == 0, r.output
    fj = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert not [f for f in fj if f["code"] == "V2"]
    strict = tmp_path / "strict.toml"
    strict.write_text(write_rules(tmp_path / "y.toml").read_text(encoding="utf-8").replace(
        "min_visits_per_day = 20", "min_visits_per_day = 100000"), encoding="utf-8")
    r = CliRunner().invoke(app, ["score", str(out), "--rules", str(strict)])
    assert r.exit_code == 0, r.output
    manual = json.loads((out / "manual.json").read_text(encoding="utf-8"))
    assert {m["target"] for m in manual if m["code"] == "V2"} == {s["url"] for s in monitored_round["sites"]}
    assert all("少于" in m["what"] for m in manual if m["code"] == "V2")
    # back to the round's own rules: the same two vetoes, with the ids they had
    r = CliRunner().invoke(app, ["score", str(out), "--rules", str(write_rules(tmp_path / "z.toml"))])
    assert r.exit_code == 0, r.output
    fj = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    units = {f["unit"] for f in fj if f["code"] == "V2"}
    assert {"示范市审计局", "示范市水利局"} <= units and "示范市统计局" not in units
    first = {f.id for o in monitored_round["res"].sites for f in o.findings if f.code == "V2"}
    assert first and {f["id"] for f in fj if f["code"] == "V2"} == first


def test_monitor_runs_the_warnings_on_its_interval(tmp_path):
    """`monitor --warnings`: the light re-check runs as a child process on the configured interval while probing."""
    today = china_today()
    scen = write_scenario(tmp_path / "s", today, {"w-a": ("示范市审计局", [
        {"plant": "stale", "path": "首页>工作动态>部门动态", "last": (today - dt.timedelta(days=12)).isoformat()}])},
        name="monitor-warn")
    conf = tmp_path / "w.toml"
    conf.write_text("[warnings]\ninterval_seconds = 600\nfirst_delay_seconds = 0\nmax_pages = 60\ndelay = 0\n",
                    encoding="utf-8")
    out = tmp_path / "mon"
    with running_region(scen) as reg:
        roster = reg.write_roster(tmp_path / "sites.csv")
        proc = monitor(roster, out, write_rules(tmp_path / "r.toml"), reg.allow, "--warnings", str(conf))
        try:
            wait_for(lambda: (out / "warnings" / "feed.json").exists(), 120)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    feed = json.loads((out / "warnings" / "feed.json").read_text(encoding="utf-8"))
    assert any(i["content_text"] == "部门动态 已12天未更新，3天后将超期" for i in feed["items"])
    assert recorded(out)  # and it went on probing meanwhile
