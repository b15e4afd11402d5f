"""Availability probes: one visit of a home page (or key column) through the fetch layer, the monitoring record
they are kept in, and the scheduler that makes them (`govcheck monitor`, `govcheck probe`).

A probe is one GET, no retries. It records when it started, how long the complete answer took, the status and,
when the page did not open, the kind of failure (PROBE_KINDS). A WAF challenge page is `blocked`, never an
outage; robots.txt forbidding the page, or our own address policy refusing it, is not a visit at all.
Thresholds (the 15-second rule, the interval, the window) are V2's params in the rule set: callers pass them.

The schedule is APScheduler's (one interval job per target, first runs spread over the interval and continued
from the last recorded probe after a restart). Probes are written as they finish: a writer task commits
whatever has finished since its last commit (group commit), so a kill loses only probes still on the wire.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import zlib
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, NamedTuple

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Engine

from govcheck.collect.archive import utcnow
from govcheck.collect.classify import classifier
from govcheck.collect.config import CrawlOptions, load_data
from govcheck.collect.fetch import FetchClient, error_kind
from govcheck.collect.store import make_probe_engine, monitor_probe, monitor_run, monitor_target

log = logging.getLogger(__name__)

# What a probe that did not simply open the page is recorded as (monitor_probe.kind; NULL = opened fine).
OUTAGE_KINDS = frozenset({"slow", "timeout", "dns", "connect", "http"})  # the page could not be opened
UNSURE_KINDS = frozenset({"blocked", "tls"})  # a WAF challenge / a failed TLS handshake: decides nothing
NOT_VISITS = frozenset({"robots", "refused", "error"})  # says nothing about the site: not counted
PROBE_KINDS = OUTAGE_KINDS | UNSURE_KINDS | NOT_VISITS
KIND_WORDS = {  # for evidence and messages
    None: "正常打开", "slow": "打开过慢", "timeout": "超时无响应", "dns": "域名无法解析", "connect": "无法连接",
    "http": "HTTP错误", "tls": "TLS握手失败", "blocked": "被拦截（WAF验证页）", "robots": "robots.txt不允许访问",
    "refused": "地址策略拒绝访问", "error": "其他错误",
}
_FETCH_KIND = {  # fetch-layer error kind → probe kind
    "dns": "dns", "connect": "connect", "reset": "connect", "server_disconnected": "connect",
    "timeout": "timeout", "tls": "tls", "robots": "robots", "address_refused": "refused", "bad_url": "refused",
    "redirect_loop": "http", "too_many_redirects": "http", "bad_redirect": "http", "bad_response": "http",
}
_ANSWERED = frozenset({"body_too_large", "decompressed_too_large", "bad_encoding", "unsupported_encoding",
                       "bad_payload"})  # the page answered; its body is not what a probe judges


def probe_data() -> dict[str, Any]:
    """How a probe is made (crawl.toml [probe]); V2's thresholds and the schedule are rule-set params."""
    return dict(load_data()["probe"])


# ------------------------------------------------------------------------------------------------ one probe
@dataclass
class Target:
    url: str  # what is probed
    site: str  # the roster's home page it belongs to
    unit: str = ""
    interval: float = 900.0  # seconds between two probes
    role: str = "home"  # home / column
    name: str | None = None


@dataclass
class ProbeResult:
    url: str
    at: datetime  # naive UTC, when the probe started
    latency: float | None  # seconds to the complete answer; None = no answer
    status: int | None
    kind: str | None  # None = opened fine; else PROBE_KINDS
    detail: str | None = None

    @property
    def ok(self) -> bool | None:
        if self.kind in NOT_VISITS or self.kind in UNSURE_KINDS:
            return None
        return self.kind is None


def probe_kind(error: str | None, status: int | None, latency: float, body: bytes, slow: float) -> str | None:
    """The kind of one probe's outcome (None = the page opened within `slow` seconds)."""
    ek = error_kind(error)
    if ek and ek not in _ANSWERED:
        return _FETCH_KIND.get(ek, "error")
    if status is None:
        return "error"
    if classifier().is_blocked(status, body):
        return "blocked"
    if status >= 400:
        return "http"
    if latency >= slow:
        return "slow"
    return None


async def probe_once(client: FetchClient, url: str, slow: float, wait: float | None = None,
                     max_body: int | None = None) -> ProbeResult:
    """One visit through the fetch layer (robots rules, address policy, TLS facts hold here too), one
    attempt, waiting at most `wait` seconds (past `slow`, so a slow answer's time is known)."""
    d = probe_data()
    wait = float(wait if wait is not None else slow + float(d["extra_wait"]))
    at = utcnow()
    res = await client.fetch(url, purpose="probe", max_body=int(max_body or d["max_body"]), retries=0,
                             deadline=wait, timeout=wait, robots=True)
    body = res.body or (res.hops[-1].body if res.hops else b"")
    kind = probe_kind(res.error, res.status, res.elapsed, body, slow)
    answered = res.status is not None and (kind is None or kind in ("slow", "http", "blocked"))
    detail = None
    if kind == "slow":
        detail = f"首页打开用时 {res.elapsed:.1f} 秒"
    elif kind == "http":
        detail = res.error or f"HTTP {res.status} {res.reason}".strip()
    elif kind is not None:
        detail = res.error or KIND_WORDS.get(kind)
    return ProbeResult(url=url, at=at, latency=round(res.elapsed, 3) if answered else None, status=res.status,
                       kind=kind, detail=detail[:300] if detail else None)


# ------------------------------------------------------------------------------------------------ the record
def _ms(t: datetime) -> int:
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return int(t.timestamp() * 1000)


def _from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)


@dataclass
class ProbeRow:
    url: str
    at: datetime  # aware, UTC
    latency: float | None
    status: int | None
    kind: str | None
    detail: str | None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["at"] = self.at.isoformat()
        return d


class ProbeStore:
    """The monitoring record in a database (the round folder's, or any SQLAlchemy URL)."""

    def __init__(self, url_or_engine: str | Engine):
        self.engine = make_probe_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
        if not isinstance(url_or_engine, str):
            from govcheck.collect.store import probe_metadata

            probe_metadata.create_all(self.engine, checkfirst=True)
        self._ids: dict[str, int] = {}

    def close(self) -> None:
        self.engine.dispose()

    def register(self, targets: Iterable[Target]) -> dict[str, int]:
        """Target ids by URL, adding the new ones."""
        targets = list(targets)
        with self.engine.begin() as c:
            have = {r.url: r.id for r in c.execute(select(monitor_target.c.url, monitor_target.c.id))}
            new = [t for t in {t.url: t for t in targets}.values() if t.url not in have]
            if new:
                c.execute(insert(monitor_target), [dict(url=t.url, site=t.site, unit=t.unit, role=t.role,
                                                        name=t.name, added_at=utcnow()) for t in new])
                have = {r.url: r.id for r in c.execute(select(monitor_target.c.url, monitor_target.c.id))}
        self._ids.update(have)
        return have

    def targets(self, role: str | None = None) -> list[Target]:
        """The targets recorded (of one role: home / column), as registered."""
        q = select(monitor_target)
        if role is not None:
            q = q.where(monitor_target.c.role == role)
        with self.engine.connect() as c:
            return [Target(url=r.url, site=r.site, unit=r.unit or "", role=r.role, name=r.name)
                    for r in c.execute(q.order_by(monitor_target.c.id))]

    def last_probes(self) -> dict[str, datetime]:
        """Each target's last recorded probe (aware UTC)."""
        with self.engine.connect() as c:
            q = (select(monitor_target.c.url, func.max(monitor_probe.c.at_ms))
                 .join(monitor_probe, monitor_probe.c.target_id == monitor_target.c.id)
                 .group_by(monitor_target.c.url))
            return {url: _from_ms(ms) for url, ms in c.execute(q) if ms is not None}

    def write(self, results: list[ProbeResult]) -> int:
        """Record finished probes in one transaction; returns how many were new (a probe already recorded,
        same target and start time, is not written twice)."""
        if not results:
            return 0
        missing = [r.url for r in results if r.url not in self._ids]
        if missing:
            with self.engine.connect() as c:
                self._ids.update({r.url: r.id for r in c.execute(
                    select(monitor_target.c.url, monitor_target.c.id).where(monitor_target.c.url.in_(missing)))})
        rows = {}
        for r in results:
            tid = self._ids.get(r.url)
            if tid is None:
                log.warning("probe of an unregistered target %s dropped", r.url)
                continue
            rows[(tid, _ms(r.at))] = dict(target_id=tid, at_ms=_ms(r.at),
                                          latency_ms=None if r.latency is None else int(round(r.latency * 1000)),
                                          status=r.status, kind=r.kind, detail=r.detail)
        with self.engine.begin() as c:
            lo = min(k[1] for k in rows)
            tids = sorted({k[0] for k in rows})
            have = {(t, a) for t, a in c.execute(select(monitor_probe.c.target_id, monitor_probe.c.at_ms).where(
                monitor_probe.c.target_id.in_(tids), monitor_probe.c.at_ms >= lo))}
            fresh = [v for k, v in rows.items() if k not in have]
            if fresh:
                c.execute(insert(monitor_probe), fresh)
        return len(fresh)

    def rows(self, url: str, start: datetime | None = None, end: datetime | None = None) -> list[ProbeRow]:
        """The probes of one URL in [start, end), oldest first."""
        cond = [monitor_target.c.url == url]
        if start is not None:
            cond.append(monitor_probe.c.at_ms >= _ms(start))
        if end is not None:
            cond.append(monitor_probe.c.at_ms < _ms(end))
        q = (select(monitor_probe).join(monitor_target, monitor_probe.c.target_id == monitor_target.c.id)
             .where(and_(*cond)).order_by(monitor_probe.c.at_ms))
        with self.engine.connect() as c:
            return [ProbeRow(url=url, at=_from_ms(r.at_ms), latency=None if r.latency_ms is None else r.latency_ms / 1000,
                             status=r.status, kind=r.kind, detail=r.detail) for r in c.execute(q)]

    def runs(self) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(select(monitor_run).order_by(monitor_run.c.id)).mappings()]

    def start_run(self, command: str, settings: dict[str, Any]) -> int:
        with self.engine.begin() as c:
            return c.execute(insert(monitor_run).values(started_at=utcnow(), pid=os.getpid(), command=command,
                                                        settings=json.dumps(settings, ensure_ascii=False))
                             ).inserted_primary_key[0]

    def stop_run(self, run_id: int) -> None:
        with self.engine.begin() as c:
            c.execute(update(monitor_run).where(monitor_run.c.id == run_id).values(stopped_at=utcnow()))


class Availability(NamedTuple):
    visits: int
    failures: int
    ratio: float  # failures / visits (0.0 when there were no visits)


def availability(db: Engine | ProbeStore, site: str, at: datetime, window: timedelta) -> Availability:
    """Visits and outages of a URL in the window before `at` (probes robots.txt or the address policy stopped,
    and WAF challenges or TLS handshake failures, are not outages; the first two are not visits either)."""
    store = db if isinstance(db, ProbeStore) else ProbeStore(db)
    rows = [r for r in store.rows(site, at - window, at) if r.kind not in NOT_VISITS]
    down = sum(1 for r in rows if r.kind in OUTAGE_KINDS)
    return Availability(len(rows), down, down / len(rows) if rows else 0.0)


def v2_veto(a: Availability, window: timedelta, veto_ratio: float, min_visits_per_day: float) -> bool | None:
    """True = V2 veto (failure ratio at or above the threshold); None = too few visits to judge."""
    days = window.total_seconds() / 86400
    if a.visits < min_visits_per_day * days:
        return None
    return a.ratio >= veto_ratio


# ------------------------------------------------------------------------------------------------ the service
@dataclass
class ProbeSettings:
    slow: float  # the 15-second rule (V2 timeout_seconds)
    wait: float | None = None  # how long a probe waits for an answer (default: slow + [probe] extra_wait)
    spread: bool = True  # first runs spread over the interval (False: all start now)

    def __post_init__(self):
        if self.wait is None:
            self.wait = self.slow + float(probe_data()["extra_wait"])


def _first_run(t: Target, last: datetime | None, now: datetime, spread: bool) -> datetime:
    """When a target's schedule starts: one interval after its last recorded probe (a restart neither
    repeats nor skips one), else at a point of the interval fixed by its URL (2,000 sites do not all start
    in the same second)."""
    if last is not None:
        due = last + timedelta(seconds=t.interval)
        if due > now:
            return due
    offset = (zlib.crc32(t.url.encode("utf-8")) % 1000) / 1000 * t.interval if spread else 0.0
    return now + timedelta(seconds=min(offset, t.interval))


class ProbeService:
    """Probe targets on their intervals (APScheduler) and record every probe (group commit).

    `count`: probes per target, then its job ends (None = until stopped). `on_result(ProbeResult)` is called
    for every finished probe (the monitor's console output). `jobs`: other work on the same scheduler, each
    with .name, .interval (seconds), .first_delay and .run (an async callable)."""

    def __init__(self, store: ProbeStore, targets: list[Target], settings: ProbeSettings, opts: CrawlOptions,
                 count: int | None = None, on_result: Callable[[ProbeResult], None] | None = None,
                 jobs: Iterable[Any] = ()):
        self.store = store
        self.targets = list({t.url: t for t in targets}.values())
        self.settings = settings
        self.opts = opts
        self.count = count
        self.on_result = on_result
        self.jobs = list(jobs)
        self.done: dict[str, int] = {}
        self.written = 0
        self._queue: asyncio.Queue[ProbeResult | None] | None = None
        self._stop: asyncio.Event | None = None
        self._inflight: set[asyncio.Task] = set()
        self.scheduler = None

    def stop(self) -> None:
        """Ask the service to stop (from a signal handler or another task)."""
        if self._stop is not None:
            self._stop.set()

    async def _writer(self) -> None:
        assert self._queue is not None
        while True:
            item = await self._queue.get()
            batch = [] if item is None else [item]
            end = item is None
            while not self._queue.empty():
                x = self._queue.get_nowait()
                if x is None:
                    end = True
                else:
                    batch.append(x)
            if batch:
                self.written += await asyncio.to_thread(self.store.write, batch)
            if end:
                return

    async def _probe(self, client: FetchClient, t: Target) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            r = await probe_once(client, t.url, self.settings.slow, self.settings.wait)
        except asyncio.CancelledError:
            return  # the service is stopping: a probe still on the wire was not made
        except Exception as e:  # noqa: BLE001 - a probe must never end the service
            log.warning("probe %s: %s", t.url, e)
            r = ProbeResult(url=t.url, at=utcnow(), latency=None, status=None, kind="error",
                            detail=f"{type(e).__name__}: {e}"[:300])
        finally:
            if task is not None:
                self._inflight.discard(task)
        assert self._queue is not None
        self._queue.put_nowait(r)
        n = self.done[t.url] = self.done.get(t.url, 0) + 1
        if self.on_result:
            self.on_result(r)
        if self.count is not None and n >= self.count:
            job = self.scheduler.get_job(t.url) if self.scheduler else None
            if job is not None:
                job.remove()
            if all(self.done.get(x.url, 0) >= self.count for x in self.targets):
                self.stop()

    async def run(self, duration: float | None = None) -> int:
        """Run until stopped (stop(), a signal, `duration` seconds, or `count` probes of every target);
        returns the number of probes recorded. Probes still on the wire when it stops are dropped."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        # a probe still running when its next one is due is not doubled (max_instances=1): that is the design,
        # not something to log every time
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
        logging.getLogger("apscheduler.executors").setLevel(logging.ERROR)
        self._queue = asyncio.Queue()
        self._stop = asyncio.Event()
        await asyncio.to_thread(self.store.register, self.targets)
        last = await asyncio.to_thread(self.store.last_probes)
        writer = asyncio.create_task(self._writer())
        client = await FetchClient(self.opts).start()
        self.scheduler = AsyncIOScheduler(timezone=timezone.utc)
        now = datetime.now(timezone.utc)
        for t in self.targets:
            start = _first_run(t, None if self.count is not None else last.get(t.url), now, self.settings.spread)
            self.scheduler.add_job(self._probe, IntervalTrigger(seconds=t.interval, start_date=start), args=(client, t),
                                   id=t.url, max_instances=1, coalesce=True,
                                   misfire_grace_time=max(1, int(t.interval)), next_run_time=start)
        for j in self.jobs:
            start = now + timedelta(seconds=float(j.first_delay))
            self.scheduler.add_job(j.run, IntervalTrigger(seconds=float(j.interval), start_date=start),
                                   id=f"job:{j.name}", max_instances=1, coalesce=True,
                                   misfire_grace_time=max(1, int(j.interval)), next_run_time=start)
        self.scheduler.start()
        try:
            if not self.targets:
                return 0
            await asyncio.wait_for(self._stop.wait(), timeout=duration)
        except asyncio.TimeoutError:
            pass
        finally:
            self.scheduler.shutdown(wait=False)
            running = list(self._inflight)
            for t in running:
                t.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            self._queue.put_nowait(None)
            await writer
            await client.close()
        return self.written


async def run_probes(engine: Engine | str, targets: list[Target], *, slow: float, count: int | None = None,
                     opts: CrawlOptions | None = None, duration: float | None = None, spread: bool = False,
                     on_result=None) -> int:
    """Probe every target on its interval, `count` times each (or for `duration` seconds); returns the
    number of probes recorded."""
    store = ProbeStore(engine)
    service = ProbeService(store, targets, ProbeSettings(slow=slow, spread=spread), opts or CrawlOptions.defaults(),
                           count=count, on_result=on_result)
    return await service.run(duration)


def targets_for(sites, interval: float, portal_interval: float | None = None) -> list[Target]:
    """One home-page target per roster site; portals (网站类型 门户) on their own, shorter interval."""
    out = []
    for s in sites:
        iv = portal_interval if portal_interval and getattr(s, "kind", "") == "门户" else interval
        out.append(Target(url=s.url, site=s.url, unit=s.unit, interval=float(iv)))
    return out

