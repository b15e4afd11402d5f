"""Crawling one site as a self-contained job (SiteJob in, SiteResult out, both JSON-serialisable).

State lives in the round's database (crawl_queue, crawl_fetch, crawl_skip) and the WARC files, so a
rerun of the same job after a kill resumes where the committed index ends.
"""
from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from govcheck.collect.archive import Item, WarcSink, recover_tail, trim_unindexed, utcnow
from govcheck.collect.classify import classifier
from govcheck.collect.config import CrawlOptions, load_data
from govcheck.collect.fetch import FetchClient, FetchResult
from govcheck.collect.links import Link, is_asset, link_rules, next_api_page
from govcheck.collect.parse import ParsePool
from govcheck.collect.robots import Robots, origin_of
from govcheck.collect.sniff import is_html, mismatch
from govcheck.collect.store import crawl_fetch, crawl_queue, crawl_skip, crawl_tls, make_engine
from govcheck.collect.store import crawl_site as site_table
from govcheck.collect.urls import TrapDetector, host_of, normalize_abs
from govcheck.model import Site


@dataclass
class SiteJob:
    site: dict[str, Any]  # model.Site fields
    out_dir: str
    db_url: str
    run_id: int
    options: dict[str, Any]  # CrawlOptions.to_dict()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SiteJob":
        return cls(**d)


@dataclass
class SiteResult:
    site: str
    unit: str
    status: str  # done / failed
    fetched: int = 0  # fetches this run
    total_fetched: int = 0  # fetches of the site in the index, all runs
    pages: int = 0
    errors: int = 0
    broken: int = 0
    suspected: int = 0
    blocked: int = 0
    traps: int = 0
    robots_skipped: int = 0
    limit_skipped: int = 0
    dynamic_pages: int = 0
    api_fetched: int = 0
    slow: int = 0
    elapsed: float = 0.0
    pages_per_s: float = 0.0
    warc_files: list[str] = field(default_factory=list)
    recovered: int = 0  # fetches of a killed run re-indexed from the WARC tail instead of refetched
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SiteResult":
        return cls(**d)


@dataclass
class Stats:
    """Shared counters for the progress display."""

    sites_total: int = 0
    sites_done: int = 0
    fetched: int = 0
    errors: int = 0
    started: float = field(default_factory=time.monotonic)


def site_slug(url: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "_", host_of(url) + url[url.find("/", 8):].rstrip("/"))[:80].strip("_")


class SiteCrawler:
    def __init__(self, job: SiteJob, engine: Engine | None = None, stats: Stats | None = None,
                 client: FetchClient | None = None, parser: ParsePool | None = None):
        self.job = job
        self.site = Site(**job.site)
        self.opts = CrawlOptions.from_dict(job.options)
        self.engine = engine or make_engine(job.db_url)
        self.stats = stats or Stats()
        # the fetch layer and the page readers are shared by the sites of a run (politeness is per host,
        # across sites: several units' sites often sit on one 信息公开 platform host)
        self.client = client
        self.parser = parser
        self.home = normalize_abs(self.site.url) or self.site.url
        self.key = self.site.url
        self.scope = {host_of(self.home)} | {h.lower() for h in self.site.extra_hosts}
        # a department site under a directory of a shared host (http://host/bm/jyj/) crawls only that
        # directory; other pages of the host are link-checked like external ones
        home_path = "/" + self.home.split("/", 3)[3] if self.home.count("/") >= 3 else "/"
        prefix = home_path[: home_path.rfind("/") + 1]
        self.prefix = (self.home.split("/", 3)[2], prefix) if prefix != "/" else None
        data = load_data()
        self.html_types = tuple(data["links"]["html_types"])
        self.dynamic_label = data["api"]["dynamic_label"]
        self.page_params = tuple(data["api"]["page_params"])
        self.rules = link_rules()
        self.cls = classifier()
        self.traps = TrapDetector(self.opts.traps)
        self.robots_rows: list[tuple[str, int | None, bytes]] = []  # robots.txt read before (resume)
        self.tls_seen: set[str] = set()  # origins whose certificate fact this site has recorded
        self.seen: set[str] = set()
        self.fetched_urls: set[str] = set()
        self.skipped: set[str] = set()  # trap/depth skips already recorded
        self.count = 0  # fetches in the index (all runs), for max_pages
        self.r = SiteResult(site=self.key, unit=self.site.unit, status="running")

    # ---------------------------------------------------------------- state
    def _load_state(self) -> list[tuple[str, str, int, str | None]]:
        with self.engine.connect() as c:
            fetched = c.execute(select(crawl_fetch.c.url, crawl_fetch.c.kind, crawl_fetch.c.warc,
                                       crawl_fetch.c.warc_offset)
                                .where(crawl_fetch.c.site == self.key)).all()
            queued = c.execute(select(crawl_queue.c.url, crawl_queue.c.kind, crawl_queue.c.depth,
                                      crawl_queue.c.referrer)
                               .where(crawl_queue.c.site == self.key).order_by(crawl_queue.c.id)).all()
            skipped = c.execute(select(crawl_skip.c.url, crawl_skip.c.reason)
                                .where(crawl_skip.c.site == self.key)).all()
        robots_rows = []
        for url, kind, warc, off in fetched:
            self.fetched_urls.add(url)
            if kind == "robots":
                robots_rows.append((url, warc, off))
            elif kind != "external":
                self.count += 1
        self.seen |= self.fetched_urls
        self.skipped.update(u for u, reason in skipped if reason in ("trap", "depth"))
        settled = {u for u, reason in skipped if reason not in ("trap", "depth", "limit")}
        for url, warc, off in robots_rows:
            self.robots_rows.append((url, *self._robots_from_warc(warc, off)))
        with self.engine.connect() as c:
            self.tls_seen |= {o for (o,) in c.execute(select(crawl_tls.c.origin).where(crawl_tls.c.site == self.key))}
        pending = []
        for url, kind, depth, ref in queued:
            if url in self.seen:
                continue
            self.seen.add(url)
            if url not in self.fetched_urls and url not in settled:
                pending.append((url, kind, depth, ref))
        if self.count >= self.opts.max_pages:
            pending = []  # the limit was reached before; a larger --max-pages continues
        self._resumed = bool(fetched or queued)
        return pending

    def _robots_from_warc(self, warc: str | None, off: int | None) -> tuple[int | None, bytes]:
        """A robots.txt archived by an earlier run: its status and body (rules are read the same way again)."""
        if not warc or off is None:
            return None, b""
        from govcheck.collect.query import read_record

        try:
            _, status, body = read_record(self.job.out_dir, warc, off)
            return status, body
        except Exception:  # noqa: BLE001 - an unreadable copy: rules as for a missing robots.txt
            return None, b""

    def _mark_site(self, status: str, result: SiteResult | None = None) -> None:
        now = utcnow()
        with self.engine.begin() as c:
            row = c.execute(select(site_table.c.site).where(site_table.c.site == self.key)).first()
            vals = {"status": status, "run_id": self.job.run_id, "unit": self.site.unit, "name": self.site.name}
            if result is not None:
                vals.update(finished_at=now, result=json.dumps(result.to_dict(), ensure_ascii=False))
            if row is None:
                c.execute(site_table.insert().values(site=self.key, started_at=now, **vals))
            else:
                if result is None:
                    vals["started_at"] = now
                c.execute(update(site_table).where(site_table.c.site == self.key).values(**vals))
            if status == "done":
                # the frontier's fetched URLs are resume state no longer needed (crawl_fetch holds them);
                # what a page limit left unfetched stays, so a larger --max-pages continues
                c.execute(crawl_queue.delete().where(
                    crawl_queue.c.site == self.key,
                    crawl_queue.c.url.in_(select(crawl_fetch.c.url).where(crawl_fetch.c.site == self.key))))

    # ---------------------------------------------------------------- run
    async def run(self) -> SiteResult:
        t0 = time.monotonic()
        out = Path(self.job.out_dir)
        slug = site_slug(self.home)
        await asyncio.to_thread(self._mark_site, "running")
        item_ends: dict[str, int] = {}
        self.recovered = await asyncio.to_thread(recover_tail, self.engine, out, self.key, slug, item_ends)
        await asyncio.to_thread(trim_unindexed, self.engine, out, self.key, slug, item_ends)
        pending = await asyncio.to_thread(self._load_state)
        self.sink = WarcSink(self.engine, out, f"{slug}-r{self.job.run_id}", self.opts.archive)
        self.queue: asyncio.Queue = asyncio.Queue()
        try:
            if not self._resumed:
                self.seen.add(self.home)
                seed = (self.home, "page", 0, None)
                self.sink.submit(Item(hops=[], row=None, queue_rows=[self._qrow(*seed)]))
                pending = [seed]
            for p in pending:
                self.queue.put_nowait(p)
            own_client = self.client is None
            own_parser = self.parser is None
            if own_client:
                self.client = await FetchClient(self.opts).start()
            if own_parser:
                self.parser = await ParsePool(self.opts).start()
            self.robots = Robots(self.client, self.opts.robots_agent, on_fetch=self._robots_fetched)
            for rurl, status, body in self.robots_rows:
                self.robots.load(origin_of(rurl), status, body)
            try:
                n_workers = max(1, min(self.opts.global_limit,
                                       self.opts.per_host_concurrency * max(1, len(self.scope)) + 2))
                workers = [asyncio.create_task(self._worker()) for _ in range(n_workers)]
                join = asyncio.create_task(self.queue.join())
                # a worker only ends early when archiving failed (disk full …): stop the site then
                await asyncio.wait([join, *workers], return_when=asyncio.FIRST_COMPLETED)
                for w in [*workers, join]:
                    w.cancel()
                outcomes = await asyncio.gather(*workers, return_exceptions=True)
                failed = [e for e in outcomes if isinstance(e, Exception)]
                if failed and not join.done():
                    raise failed[0]
            finally:
                if own_client:
                    await self.client.close()
                if own_parser:
                    await self.parser.close()
        finally:
            await asyncio.to_thread(self.sink.close)
        r = self.r
        r.status = "done"
        await asyncio.to_thread(self._summarize)
        r.elapsed = round(time.monotonic() - t0, 3)
        r.pages_per_s = round(r.fetched / r.elapsed, 1) if r.elapsed > 0 else 0.0
        r.warc_files = list(self.sink.files)
        r.recovered = self.recovered
        await asyncio.to_thread(self._mark_site, "done", r)
        return r

    def _summarize(self) -> None:
        """Totals over every run of this site (a resumed crawl reports the whole site, not the last leg)."""
        from sqlalchemy import func

        f = crawl_fetch.c
        with self.engine.connect() as c:
            row = c.execute(select(
                func.count().filter(f.kind.not_in(["robots", "external"])),
                func.count().filter(f.kind == "page", f.outcome == "ok"),
                func.count().filter(f.error.is_not(None)),
                func.count().filter(f.outcome == "broken"),
                func.count().filter(f.outcome == "suspected"),
                func.count().filter(f.outcome == "blocked"),
                func.count().filter(f.note.is_not(None)),
                func.count().filter(f.kind == "api", f.outcome == "ok"),
                func.count().filter(f.slow.is_(True)),
            ).where(f.site == self.key)).one()
            skips = dict(c.execute(select(crawl_skip.c.reason, func.count()).where(crawl_skip.c.site == self.key)
                                   .group_by(crawl_skip.c.reason)).all())
        r = self.r
        (r.total_fetched, r.pages, r.errors, r.broken, r.suspected, r.blocked, r.dynamic_pages, r.api_fetched,
         r.slow) = row
        r.traps = skips.get("trap", 0)
        r.robots_skipped = skips.get("robots", 0)
        r.limit_skipped = skips.get("limit", 0)

    def _qrow(self, url: str, kind: str, depth: int, ref: str | None) -> dict[str, Any]:
        return {"site": self.key, "url": url, "kind": kind, "depth": depth, "referrer": ref}

    async def _worker(self) -> None:
        while True:
            url, kind, depth, ref = await self.queue.get()
            try:
                await self._process(url, kind, depth, ref)
            except Exception as e:  # noqa: BLE001 - one bad URL never stops the site
                self.r.errors += 1
                self.r.message = f"内部错误（{url}）：{type(e).__name__}: {e}"[:500]
                if isinstance(e, RuntimeError) and "WARC" in str(e):
                    raise
            finally:
                self.queue.task_done()

    def _known(self, url: str) -> bool:
        return url in self.seen and host_of(url) in self.scope

    async def _get(self, url: str, method: str = "GET", max_body: int | None = None,
                   kind: str = "page") -> FetchResult:
        # robots rules hold at every redirect hop of the site's own fetches (checked before, for the skip row)
        res = await self.client.fetch(url, method, purpose=kind, max_body=max_body, known=self._known,
                                      robots=self.robots if kind != "external" else None)
        for h in res.hops[1:]:  # redirect targets fetched inline are not fetched again
            if host_of(h.url) in self.scope:
                self.seen.add(h.url)
        return res

    async def _allowed(self, url: str) -> bool:
        if not self.opts.obey_robots:
            return True
        return await self.robots.allowed(url)

    def _robots_fetched(self, res: FetchResult) -> None:
        """A robots.txt read through the fetch layer: archived and indexed like any fetch."""
        self.fetched_urls.add(res.url)
        item = Item(hops=res.hops, row=self._row(res, "robots", 0, None, None))
        self._tls_fact(res, item)
        self.sink.submit(item)

    def _tls_fact(self, res: FetchResult, item: Item) -> None:
        """The certificate fact of an origin this site fetched from, once per site (crawl_tls)."""
        t = res.tls
        if t is None or t.origin in self.tls_seen:
            return
        self.tls_seen.add(t.origin)
        item.tls_rows.append({"site": self.key, "origin": t.origin, "url": res.url, "checked_at": utcnow(),
                              "ok": t.ok, "problem": t.problem, "detail": t.detail[:500], "subject": t.subject,
                              "issuer": t.issuer, "names": json.dumps(t.names, ensure_ascii=False),
                              "not_before": t.not_before, "not_after": t.not_after})

    def _row(self, res: FetchResult, kind: str, depth: int, ref: str | None, outcome: str | None,
             title: str | None = None, note: str | None = None) -> dict[str, Any]:
        return {
            "site": self.key, "run_id": self.job.run_id, "url": res.url, "final_url": res.final_url,
            "kind": kind, "method": res.method, "status": res.status,
            "content_type": (res.content_type or None) and res.content_type[:200],
            "bytes": len(res.body), "wire_bytes": res.wire_bytes, "sha256": res.sha256,
            "fetched_at": res.fetched_at, "elapsed": round(res.elapsed, 4),
            "slow": res.elapsed >= self.opts.slow_seconds, "attempts": res.attempts,
            "redirects": sum(1 for h in res.hops if h.status in (301, 302, 303, 307, 308)), "error": res.error, "outcome": outcome, "depth": depth,
            "referrer": ref, "title": title, "note": note,
            "warc": None, "warc_offset": None, "warc_end": None, "record_id": None,
        }

    def _count_outcome(self, outcome: str, res: FetchResult) -> None:
        r = self.r
        r.fetched += 1
        self.stats.fetched += 1
        if res.error:
            r.errors += 1
            self.stats.errors += 1
        if res.elapsed >= self.opts.slow_seconds:
            r.slow += 1
        if outcome == "broken":
            r.broken += 1
        elif outcome == "suspected":
            r.suspected += 1
        elif outcome == "blocked":
            r.blocked += 1

    async def _process(self, url: str, kind: str, depth: int, ref: str | None) -> None:
        internal = host_of(url) in self.scope
        if kind != "external" and self.count >= self.opts.max_pages:
            self.r.limit_skipped += 1
            self.sink.submit(Item(hops=[], row=None, skip_rows=[
                {"site": self.key, "url": url, "reason": "limit", "detail": f"已达页数上限 {self.opts.max_pages}",
                 "referrer": ref}]))
            return
        if kind != "external":
            self.count += 1  # reserved before any await, so concurrent workers respect max_pages
        if internal and not await self._allowed(url):
            if kind != "external":
                self.count -= 1
            self.r.robots_skipped += 1
            self.sink.submit(Item(hops=[], row=None, skip_rows=[
                {"site": self.key, "url": url, "reason": "robots", "detail": "robots.txt 禁止抓取",
                 "referrer": ref}]))
            return
        if kind == "external":
            res = await self._get(url, "HEAD", kind=kind)
            if res.error or res.status is None or res.status >= 400:
                res2 = await self._get(url, "GET", max_body=self.opts.external_check_body_bytes, kind=kind)
                res2.hops = res.hops + res2.hops
                res2.attempts += res.attempts
                res = res2
                if res.error and res.error.startswith("body_too_large"):
                    res.error = None  # a check reads only the head of the body on purpose
        else:
            res = await self._get(url, kind=kind)
        self.fetched_urls.add(url)
        body = res.body
        if not res.error and body:
            mm = mismatch(res.content_type, body)
            if mm:
                res.error = mm
        blocked = self.cls.is_blocked(res.status, body or (res.hops[-1].body if res.hops else b""))
        outcome = self.cls.outcome(res.status, res.error, blocked, internal=internal)
        item = Item(hops=res.hops, row=None)
        self._tls_fact(res, item)
        title = note = None
        final_internal = res.final_url is not None and host_of(res.final_url) in self.scope
        if (kind == "page" and outcome == "ok" and final_internal and body
                and is_html(res.content_type, body, self.html_types)):
            # read in a worker process: a hostile page costs its own worker, never this event loop
            pl = await self.parser.page(body, res.content_type, res.final_url or url, self.opts.api_max_per_page)
            if pl.error:  # fetched fine, not read: a person looks (never a broken link, never extracted)
                res.error = pl.error
                outcome = self.cls.outcome(res.status, res.error, False, internal=internal)
            else:
                self.r.pages += 1
                title = pl.title or None
                if pl.dynamic:
                    note = self.dynamic_label
                    self.r.dynamic_pages += 1
                self._discover(url, depth, pl.links, item)
                if pl.api_urls:
                    self._discover(url, depth, [Link(u, "api") for u in pl.api_urls], item)
        elif kind == "api" and outcome == "ok" and body:
            pj = await self.parser.json(body, res.final_url or url)
            if pj.error:
                res.error = pj.error
                outcome = self.cls.outcome(res.status, res.error, False, internal=internal)
            else:
                self.r.api_fetched += 1
                found = pj.links
                self._discover(url, depth, found, item)
                nxt = next_api_page(url, self.page_params) if found else None
                if nxt:  # a paginated API: its next page, while pages still list items
                    self._discover(url, depth, [Link(nxt, "api")], item)
        self._count_outcome(outcome, res)
        item.row = self._row(res, kind, depth, ref, outcome, title, note)
        self.sink.submit(item)

    def _discover(self, ref: str, depth: int, links, item: Item) -> None:
        page_seen: set[str] = set()
        max_len = int(self.opts.traps["max_url_length"])
        for ln in links:
            u = ln.url
            if u in page_seen:
                continue
            page_seen.add(u)
            if len(u) > max_len:
                short = u[:max_len]
                if short not in self.skipped:
                    self.skipped.add(short)
                    self.r.traps += 1
                    item.skip_rows.append({"site": self.key, "url": short, "reason": "trap",
                                           "detail": f"网址过长（{len(u)}个字符）", "referrer": ref})
                continue
            h = host_of(u)
            internal = h in self.scope
            item.link_rows.append({"site": self.key, "referrer": ref, "url": u, "tag": ln.tag,
                                   "text": ln.text or None, "internal": internal})
            if u in self.seen:
                continue
            if not internal:
                if not self.opts.check_external:
                    continue
                kind = "external"
            elif ln.tag == "api":
                kind = "api"
            elif ln.tag in ("a", "area", "iframe", "frame", "json") and not is_asset(u, self.rules):
                kind = "page"
                if self.prefix and h == self.prefix[0] and not u.split("/", 3)[-1].startswith(self.prefix[1][1:]):
                    if not self.opts.check_external:
                        continue
                    kind = "external"  # same host, outside this site's directory: checked, not crawled
            else:
                if not self.opts.fetch_assets:
                    continue
                kind = "asset"
            nd = depth + 1
            if internal:
                # a skipped URL stays unseen: another page may link it by a shorter path later
                trap = self.traps.check(u, ref)
                reason = "trap" if trap else None
                if not trap and kind == "page" and nd > self.opts.max_depth:
                    reason, trap = "depth", f"深度超过 {self.opts.max_depth}"
                if reason:
                    if u not in self.skipped:
                        self.skipped.add(u)
                        if reason == "trap":
                            self.r.traps += 1
                        item.skip_rows.append({"site": self.key, "url": u, "reason": reason, "detail": trap,
                                               "referrer": ref})
                    continue
            self.seen.add(u)
            item.queue_rows.append(self._qrow(u, kind, nd, ref))
            self.queue.put_nowait((u, kind, nd, ref))


async def crawl_site(job: SiteJob, engine: Engine | None = None, stats: Stats | None = None,
                     client: FetchClient | None = None, parser: ParsePool | None = None) -> SiteResult:
    """Crawl (or resume) one site. Never raises for site trouble: failures come back in the result.
    `client` and `parser` are a run's shared fetch layer and page readers (made for the job when None)."""
    try:
        return await SiteCrawler(job, engine, stats, client, parser).run()
    except Exception as e:  # noqa: BLE001 - one site never stops a run
        site = job.site.get("url", "")
        return SiteResult(site=site, unit=job.site.get("unit", ""), status="failed",
                          message=f"{type(e).__name__}: {e}"[:500])
    finally:
        if stats is not None:
            stats.sites_done += 1


def run_site_job(job: dict[str, Any]) -> dict[str, Any]:
    """Entry point for a distributed executor: a job dict in, a result dict out."""
    return asyncio.run(crawl_site(SiteJob.from_dict(job))).to_dict()
