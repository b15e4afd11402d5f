"""`govcheck monitor`: the long-running availability service, with early warnings on the side.

Every roster site's home page is probed on V2's schedule (the rule set's probe_interval_seconds, shorter for
portals) and every probe recorded (collect.probe: APScheduler jobs, group commit). The 15-second rule and the
window are the same params V2 is judged by, so the monitor and the verdict cannot disagree. A restart continues
each site's schedule from its last recorded probe. With a warnings configuration, a light re-check of each
site (home page and dated columns) runs on its own interval in a child process (govcheck warn), so its crawl
never delays a probe's timing.
"""
from __future__ import annotations

import asyncio
import logging
import signal
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

from govcheck.checks.base import param
from govcheck.collect.config import CrawlOptions
from govcheck.collect.probe import KIND_WORDS, ProbeResult, ProbeService, ProbeSettings, ProbeStore, Target, targets_for
from govcheck.model import Site
from govcheck.rules import RuleSet

log = logging.getLogger(__name__)


@dataclass
class Schedule:
    """The monitor's schedule and thresholds, from V2's params (the command line may override them; the run
    records what it used)."""

    interval: float  # seconds between two probes of a home page
    portal_interval: float  # … of a portal's (网站类型 门户)
    slow: float  # the 15-second rule
    window_days: int
    rules: str = ""
    rules_hash: str = ""

    @classmethod
    def from_rules(cls, rs: RuleSet, **over: Any) -> "Schedule":
        s = cls(interval=float(param(rs, "V2", "probe_interval_seconds")),
                portal_interval=float(param(rs, "V2", "probe_interval_portal_seconds")),
                slow=float(param(rs, "V2", "timeout_seconds")), window_days=int(param(rs, "V2", "window_days")),
                rules=rs.name, rules_hash=rs.content_hash)
        for k, v in over.items():
            if v is not None:
                if float(v) <= 0:
                    raise ValueError(f"{k} 应为正数：{v}")
                setattr(s, k, type(getattr(s, k))(v))
        return s


@dataclass
class SideJob:
    """Something the monitor runs on its own interval besides the probes (the early warnings)."""

    name: str
    interval: float
    run: Callable[[], Any]  # an async callable
    first_delay: float = 0.0


def targets(sites: list[Site], sched: Schedule, columns: list[Any] = ()) -> list[Target]:
    """Each site's home page, then its key columns (monitor.columns.KeyColumn) on the same interval."""
    homes = targets_for(sites, sched.interval, sched.portal_interval)
    every = {t.site: t.interval for t in homes}
    return homes + [Target(url=c.url, site=c.site.url, unit=c.site.unit, interval=every.get(c.site.url, sched.interval),
                           role="column", name=c.name) for c in columns if c.url not in every]


async def serve(sites: list[Site], db_url: str, sched: Schedule, opts: CrawlOptions, *,
                duration: float | None = None, count: int | None = None, command: str = "govcheck monitor",
                on_result: Callable[[ProbeResult], None] | None = None, side_jobs: list[SideJob] = (),
                spread: bool = True, columns: list[Any] = ()) -> int:
    """Run the service until SIGTERM/SIGINT (or `duration` seconds, or `count` probes per site); returns the
    number of probes recorded. Probes already recorded stay; a restart continues the schedule. `columns`: key
    columns (monitor.columns.KeyColumn) probed beside the home pages."""
    store = ProbeStore(db_url)
    tl = targets(sites, sched, columns)
    run_id = await asyncio.to_thread(store.start_run, command, {**asdict(sched), "targets": len(tl),
                                                                "count": count, "duration": duration})
    service = ProbeService(store, tl, ProbeSettings(slow=sched.slow, spread=spread), opts, count=count,
                           on_result=on_result, jobs=side_jobs)
    loop = asyncio.get_running_loop()
    handled = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, service.stop)
            handled.append(sig)
        except (NotImplementedError, RuntimeError):  # not the main thread, or Windows
            pass
    try:
        return await service.run(duration)
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
        await asyncio.to_thread(store.stop_run, run_id)
        store.close()


def child_command(argv: list[str]) -> Callable[[], Any]:
    """A side job that runs `govcheck ARGV…` as a child process (its crawl and reading stay off the probes'
    event loop and process) and logs how it ended."""
    async def run() -> None:
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "govcheck.cli", *argv,
                                                    stdout=asyncio.subprocess.DEVNULL,
                                                    stderr=asyncio.subprocess.PIPE)
        try:
            _, err = await proc.communicate()
        except asyncio.CancelledError:  # the monitor is stopping: so does its child (the next start runs it again)
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except (asyncio.CancelledError, asyncio.TimeoutError):
                pass
            return
        if proc.returncode:
            log.warning("govcheck %s: exit %s: %s", argv[0], proc.returncode, err.decode("utf-8", "replace")[-500:])
    return run


def failure_line(r: ProbeResult, units: dict[str, str]) -> str | None:
    """One console line per probe that did not open the page."""
    if r.kind is None:
        return None
    when = r.at.strftime("%m-%d %H:%M:%S")
    return f"{when} {units.get(r.url, '')} {r.url} {KIND_WORDS.get(r.kind, r.kind)}" + (f"：{r.detail}" if r.detail else "")


def summary(db_url: str) -> list[dict[str, Any]]:
    store = ProbeStore(db_url)
    try:
        return store.runs()
    finally:
        store.close()


def roster_units(sites: list[Site]) -> dict[str, str]:
    return {s.url: s.unit for s in sites}


def warnings_dir(out: Path) -> Path:
    return Path(out) / "warnings"
