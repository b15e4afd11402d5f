"""A whole round in one call: crawl (resumable) → extract → SiteFacts → checks → new media → score → report."""
from __future__ import annotations

import asyncio
import datetime as dt
import functools
import gzip
import ipaddress
import json
import logging
import os
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from govcheck.checks import run_checks
from govcheck.checks.base import ManualItem, Sample, derive_rng, param
from govcheck.checks.facts import EvidenceRef, SearchFacts, SearchTest, SiteFacts
from govcheck.model import Finding, Site
from govcheck.rules import RuleSet, load_ruleset
from govcheck.store import StoreError
from govcheck.workers import worker_pool

from .access import describe, unassessed_record
from .adapter import Extracted, SiteBuild, build_site, data, extract_rows

if TYPE_CHECKING:  # the browser pass is imported only when asked for
    from govcheck.browser.passes import BrowserRun

log = logging.getLogger(__name__)


DEFAULT_RULES = "gb2019"  # the national table, unless the command or the round config names another


class InspectError(ValueError):
    """Bad input to an inspection (roster, round config, rule set); the message names the file."""


@dataclass
class SiteOutcome:
    site: Site
    facts: SiteFacts
    pages: int
    findings: list[Finding] = field(default_factory=list)
    manual: list[ManualItem] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    anomalies: list[Finding] = field(default_factory=list)
    error: str | None = None
    access: dict[str, Any] | None = None  # why the site could not be assessed (inspect/access.py)


@dataclass
class InspectResult:
    out: Path
    sites: list[SiteOutcome]
    findings: list[Finding]  # site and account findings this run derived
    timings: dict[str, float] = field(default_factory=dict)
    view: Any = None  # the round as scored (notice.RoundView): with imports and reviews kept from before
    files: list[Path] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- meta
def round_meta(config: Path | None, *, at: dt.date | None, rules: str | None, seed: int | None,
               name: str | None = None) -> dict[str, Any]:
    """[round] and [notice] settings: the --round-config TOML, overridden by the command's options."""
    meta: dict[str, Any] = {"round": {}}
    if config is not None:
        try:
            with Path(config).open("rb") as f:
                meta = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise InspectError(f"{config}: 无法读取轮次配置：{e}") from None
        if not isinstance(meta.get("round"), dict):
            raise InspectError(f"{config}: 缺少 [round] 表")
    r = meta["round"]
    if at is not None:
        r["at"] = at
    if rules is not None:
        r["rules"] = rules
    if seed is not None:
        r["seed"] = seed
    if name is not None:
        r["name"] = name
    r.setdefault("rules", DEFAULT_RULES)
    if "at" not in r:
        raise InspectError(f"{config or '命令行'}: 缺少 round.at（或 --at）")
    if isinstance(r["at"], str):
        try:
            r["at"] = dt.date.fromisoformat(r["at"])
        except ValueError:
            raise InspectError(f"{config or '命令行'}: round.at 不是有效日期：{r['at']!r}") from None
    if isinstance(r["at"], dt.datetime):
        r["at"] = r["at"].date()
    if not isinstance(r["at"], dt.date):
        raise InspectError(f"{config or '命令行'}: round.at 应为日期 YYYY-MM-DD，实为 {r['at']!r}")
    if "seed" in r and (isinstance(r["seed"], bool) or not isinstance(r["seed"], int)):
        raise InspectError(f"{config or '命令行'}: round.seed 应为整数，实为 {r['seed']!r}")
    if not isinstance(r["rules"], str) or not r["rules"].strip():
        raise InspectError(f"{config or '命令行'}: round.rules 应为规则集名称或文件路径，实为 {r['rules']!r}")
    if "name" in r and not isinstance(r["name"], str):
        raise InspectError(f"{config or '命令行'}: round.name 应为文本，实为 {r['name']!r}")
    r.setdefault("seed", int(r["at"].strftime("%Y%m%d")))
    r.setdefault("name", f"{r['at'].isoformat()} 检查")
    return meta


# ---------------------------------------------------------------------------------------------- crawl
async def crawl_and_build(sites: list[Site], out: Path, db_url: str, opts, at: dt.date, rs: RuleSet, *,
                          workers: int, on_crawled=None, on_built=None, stats=None,
                          browser: "BrowserRun | None" = None) -> dict[str, "SiteBuild | Exception"]:
    """Crawl all sites (as collect.runner.crawl_sites does) and read each one's pages in worker processes while
    it is being crawled: newly archived pages go out in chunks, in crawl order (a list before its entries),
    and the site's facts are built as soon as its crawl ends. Extracted pages travel worker → disk → worker,
    never through this process, which is busy crawling. With `browser`, the pages extraction could not read
    without one (inspect.rendered.wants_render) are rendered by Chromium before the facts are built."""
    import shutil

    from govcheck.collect.config import load_data as crawl_data
    from govcheck.collect.crawler import SiteJob, Stats, crawl_site
    from govcheck.collect.fetch import FetchClient
    from govcheck.collect.parse import ParsePool
    from govcheck.collect.runner import start_run
    from govcheck.collect.store import crawl_run, make_engine
    from govcheck.collect.archive import utcnow
    from sqlalchemy import update

    engine = make_engine(db_url)
    run_id = await asyncio.to_thread(start_run, engine, opts, "govcheck inspect")
    stats = stats or Stats(sites_total=len(sites))
    site_sem = asyncio.Semaphore(int(crawl_data()["run"]["max_sites"]))
    # one fetch layer (politeness per host across sites) and one set of page readers for the whole run
    client = await FetchClient(opts).start()
    parser = await ParsePool(opts).start()
    section = str(rs.rule("X03.2").params.get("section", "五")) if "X03.2" in rs.rules else "五"
    cycles = dict(rs.column_cycles)
    stream = data()["stream"]
    chunk_pages, poll = int(stream["chunk_pages"]), float(stream["poll_seconds"])
    # this run's own chunk folder: it removes only its own (run_inspect clears a killed run's, under the lock)
    parts_dir = out / "extract-parts" / f"run{run_id}-{os.getpid()}"
    parts_dir.mkdir(parents=True, exist_ok=True)
    loop = asyncio.get_running_loop()
    # workers exit with this process, however it ends (govcheck.workers)
    pool = worker_pool(workers, niceness=int(stream.get("worker_nice", 0)))
    built: dict[str, SiteBuild | Exception] = {}
    if browser is not None:
        await browser.start(client)

    async def one(index: int, site: Site) -> None:
        job = SiteJob(site=site.__dict__.copy(), out_dir=str(out), db_url=db_url, run_id=run_id,
                      options=opts.to_dict())

        async def crawl_it() -> None:
            async with site_sem:
                await crawl_site(job, engine, stats, client, parser)
            if on_crawled:
                on_crawled(site)

        crawl = asyncio.create_task(crawl_it())
        parts: list[str] = []
        try:
            entries: set[str] = set()
            cands: list[dict] = []
            seen: set[str] = set()
            pending: list[dict] = []
            last_id = 0
            while True:
                finished = crawl.done()
                rows, last_id = await asyncio.to_thread(_new_page_rows, engine, site.url, last_id, seen)
                pending += rows
                if pending and (finished or len(pending) >= chunk_pages):
                    part = str(parts_dir / f"{index:05d}-{len(parts):04d}.pickle")
                    entries, more = await loop.run_in_executor(pool, _extract_chunk, pending, str(out), at,
                                                               site.__dict__, entries, part)
                    cands += more
                    parts.append(part)
                    pending = []
                    continue
                if finished:
                    break
                await asyncio.wait({crawl}, timeout=poll)
            await crawl
            rendered = {}
            if browser is not None and cands:
                rendered = await browser.render_site(site, cands, parts_dir / f"{index:05d}-rendered")
            built[site.url] = await loop.run_in_executor(pool, _build_worker, site.__dict__, db_url, str(out), at,
                                                         section, cycles, parts, rendered)
        except Exception as e:  # noqa: BLE001 - one site's failure is reported, the round goes on
            log.warning("site %s: %s", site.url, e)
            built[site.url] = e
            if not crawl.done():
                await asyncio.gather(crawl, return_exceptions=True)
        finally:
            for part in parts:
                Path(part).unlink(missing_ok=True)
        if on_built:
            on_built(site)

    try:
        await asyncio.gather(*(one(i, s) for i, s in enumerate(sites)))
    finally:
        if browser is not None:
            await browser.stop()
        await client.close()
        await parser.close()
        pool.shutdown(wait=True)
        shutil.rmtree(parts_dir, ignore_errors=True)
        try:
            parts_dir.parent.rmdir()  # only when no other chunk folder is left
        except OSError:
            pass
        with engine.begin() as c:
            c.execute(update(crawl_run).where(crawl_run.c.id == run_id).values(finished_at=utcnow()))
        engine.dispose()
    return built


# ---------------------------------------------------------------------------------------------- facts
def _new_page_rows(engine, site_url: str, after_id: int, seen: set[str]) -> tuple[list[dict], int]:
    """Index rows of the site's pages archived fine since `after_id`, each URL once (the first copy read
    is the one judged), in crawl order; and the highest row id looked at."""
    from govcheck.collect.query import fetches

    rows, last = [], after_id
    for row in fetches(engine, site_url, "page", after_id=after_id):
        last = max(last, row["id"])
        if row["outcome"] == "ok" and row.get("warc") and row.get("warc_offset") is not None \
                and row["url"] not in seen:
            seen.add(row["url"])
            rows.append(row)
    return rows, last


def _extract_chunk(rows: list[dict], crawl_dir: str, at: dt.date, site: dict, entries: set[str],
                   part: str) -> tuple[set[str], list[dict]]:
    """Extract one chunk of a site's pages into a pickle file; returns the list entries known after it and the
    pages a browser pass would render (inspect.rendered.candidates)."""
    import pickle

    from .rendered import candidates

    ext = extract_rows(rows, crawl_dir, at, Site(**site), entries=entries)
    with open(part, "wb") as f:
        pickle.dump(ext, f, protocol=pickle.HIGHEST_PROTOCOL)
    return entries, candidates(ext.pages)


def _build_worker(site: dict, db_url: str, crawl_dir: str, at: dt.date, section: str,
                  cycles: dict[str, int], parts: list[str], rendered: dict | None = None) -> SiteBuild:
    """SiteFacts of one site; `parts`: its pages already extracted (pickled chunks, in crawl order);
    `rendered`: pages the browser pass rendered (url → {html: file, ref: EvidenceRef fields})."""
    import pickle

    from govcheck.collect.store import make_engine

    from .rendered import apply_rendered

    pre = Extracted()
    for part in parts:
        with open(part, "rb") as f:
            pre.extend(pickle.load(f))
    if rendered:
        apply_rendered(pre.pages, rendered, at)
    eng = make_engine(db_url)
    try:
        return build_site(Site(**site), eng, crawl_dir, at, x03_section=section, column_cycles=cycles, pre=pre)
    finally:
        eng.dispose()


# ---------------------------------------------------------------------------------------------- search
class SearchArchive:
    """The site-search results pages, archived like the crawl's (WARC response and request records under
    DIR/warc/, with the status line as received and every redirect hop), so a D25 finding cites the bytes
    it was judged on."""

    def __init__(self, out: Path, site_url: str):
        from govcheck.collect.archive import HopWriter

        host = (urlsplit(site_url).netloc or "site").replace(":", "_")
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d%H%M%S")
        self.rel = f"warc/search-{host}-{stamp}.warc.gz"
        self.path = out / self.rel
        self.writer = HopWriter(self.path)

    def add(self, res) -> EvidenceRef:
        """Archive one fetch (a `collect.fetch.FetchResult`) and return the reference to its final response."""
        offset, record_id = self.writer.write(res.hops)
        return _search_ref(res, warc=self.rel if offset is not None else None, record_id=record_id, offset=offset)


def _search_ref(res, **kw) -> EvidenceRef:
    import hashlib

    fetched = res.fetched_at.replace(tzinfo=dt.timezone.utc).isoformat() if res.fetched_at else None
    body = res.body or (res.hops[-1].body if res.hops else b"")
    return EvidenceRef(url=res.url, fetched_at=fetched, status=res.status,
                       sha256=hashlib.sha256(body).hexdigest() if body else None, **kw)


def search_test(b: SiteBuild, rs: RuleSet, seed: int, timeout: float | None = None,
                archive: SearchArchive | None = None, client=None) -> SearchFacts:
    """Query the home page's search form with sampled titles of the site's own articles (D25).

    Every query goes through the fetch layer (`client`: a collect.fetch.SyncFetchClient; the round's, so its
    address allow-list holds): the same user agent, robots rules, per-host delay, body and decoded-size caps,
    one deadline per query, and the address policy at the form's action and every redirect hop. A query
    that fails is recorded with its error kind, never judged."""
    from govcheck.collect.fetch import SyncFetchClient, fetch_options
    from govcheck.extract.decode import decode_html
    from govcheck.extract.dom import parse_page

    cfg = data()["search"]
    forms = b.search_forms
    if not forms:
        home = b.facts.home
        if b.search_absent and home is not None:  # the archived home page shows no search at all
            return SearchFacts(present=False, url=home.url, ref=home.ref)
        return SearchFacts(present=None)
    form = forms[0]
    n = int(param(rs, "D25.2", "sample_size")) if "D25.2" in rs.rules else 0
    rng, _ = derive_rng(seed, "inspect.search")
    pool = sorted({(a.title, a.url) for a in b.articles if a.title and a.url})
    chosen = rng.sample(pool, min(n, len(pool))) if n else []
    res = SearchFacts(present=True, url=form["action"])
    works = None
    own = client is None
    if own:
        client = SyncFetchClient(fetch_options())
    limit = float(timeout or cfg["timeout"])
    robots = getattr(client, "client", client).robots
    keep = robots.on_fetch
    if archive is not None:  # the robots.txt that decided whether a query may be sent is evidence too
        robots.on_fetch = lambda r: archive.writer.write(r.hops)
    try:
        for title, _ in chosen or [(None, None)]:
            q = (title or "")[: int(cfg["max_title_chars"])]
            sep = "&" if "?" in form["action"] else "?"
            url = f"{form['action']}{sep}{urlencode({**(form.get('params') or {}), form['field']: q})}"
            r = client.fetch(url, purpose="search", robots=True, max_body=int(cfg["max_body_bytes"]),
                             deadline=limit, timeout=limit, retries=0)
            ref = archive.add(r) if archive is not None else _search_ref(r)
            if r.error:
                log.info("search %s: %s", url, r.error)
                res.errors.append(f"{url}：{r.error}")
                continue
            if r.status != 200:
                works = False if works is None else works
                res.ref = res.ref or ref  # the archived error page is what shows the search does not work
                continue
            works = True
            if title is None:
                continue
            text, _ = decode_html(r.body, r.content_type)
            found = result_listed(parse_page(text, url), q, form["action"])
            res.tests.append(SearchTest(query=q, found=found, url=url, ref=ref))
            res.ref = res.ref or ref
    finally:
        robots.on_fetch = keep
        if own:
            client.close()
    res.works = works
    return res


def result_listed(page, query: str, action: str) -> bool:
    """Whether a results page links to the queried title. Not the page text: "no results" pages echo the
    query (未找到与“…”相关的结果), and so do search boxes and result counts. A result's title may be cut short
    (关于印发…的通知…): a cut title of at least `min_cut_chars` that begins the query counts too."""
    from govcheck.extract.dom import clean

    cfg = data()["search"]
    q = clean(query)
    cut_marks = tuple(cfg["cut_marks"])
    min_cut = int(cfg["min_cut_chars"])
    action_path = urlsplit(action).path
    for a in page.tree.css("a[href]"):
        href = a.attributes.get("href") or ""
        if href.startswith(("javascript:", "#")) or (action_path and urlsplit(href).path == action_path):
            continue  # pagination of the results, the search form's own links
        t = clean(a.text(separator=""))
        if not t:
            t = clean(a.attributes.get("title") or "")
        if q and q in t:
            return True
        stem = t
        for m in cut_marks:
            stem = stem.removesuffix(m)
        if stem != t and len(stem) >= min_cut and q.startswith(stem):
            return True
        title = clean(a.attributes.get("title") or "")
        if title and q in title:
            return True
    return False


# ---------------------------------------------------------------------------------------------- checks
def _ip_host(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def network_settings(meta: dict[str, Any], config: Path | None, allow: list[str] | None,
                     ca_bundle: str | None) -> dict[str, Any]:
    """CrawlOptions overrides from round.toml's [network] (allow, ca_bundle) and the command's own; a bad
    entry raises ValueError naming the file."""
    from govcheck.collect.fetch import AddressPolicy

    net = meta.get("network") or {}
    where = f"{config}: [network]" if config else "命令行"
    if not isinstance(net, dict):
        raise ValueError(f"{where} 应为表")
    listed = net.get("allow", [])
    if not isinstance(listed, list) or not all(isinstance(a, str) for a in listed):
        raise ValueError(f"{where} allow 应为字符串列表（IP、网段、主机名或 主机:端口）")
    entries = [*listed, *(allow or [])]
    try:
        AddressPolicy(entries)
    except ValueError as e:
        raise ValueError(f"{where} {e}") from None
    over: dict[str, Any] = {}
    if entries:
        over["allow_addresses"] = entries
    bundle = ca_bundle or net.get("ca_bundle")
    if bundle:
        p = Path(str(bundle))
        if not p.is_absolute() and config is not None and not ca_bundle:
            p = Path(config).parent / p  # relative to round.toml
        from govcheck.collect.fetch import check_ca_bundle

        try:
            over["ca_bundle"] = check_ca_bundle(str(p))
        except ValueError as e:
            raise ValueError(f"{where} ca_bundle {e}") from None
    return over


def tls_items(site: Site, tls: list[dict], rs: RuleSet) -> list[ManualItem]:
    """需人工核查 items for certificate problems the crawl recorded (expired, wrong host name, untrusted
    chain …). No shipped rule set scores certificates; a rule listed under tls.rules in inspect.yaml that the
    rule set has takes the item, otherwise it is a general one. Never silent, never a guessed deduction."""
    cfg = data()["tls"]
    code = next((c for c in cfg.get("rules", []) if c in rs.rules), "*")
    out = []
    for t in tls:
        if t.get("ok"):
            continue
        from govcheck.collect.fetch import TLS_PROBLEM_WORDS

        what = cfg["note"].format(origin=t["origin"], problem=TLS_PROBLEM_WORDS.get(t.get("problem") or "", "证书无效"),
                                  detail=t.get("detail") or "", not_after=(t.get("not_after") or "未知")[:10],
                                  names="、".join(t.get("names") or []) or "无")
        out.append(ManualItem(code, what, [t.get("url") or t["origin"]]))
    return out


def finish_site(s: Site, b: "SiteBuild | Exception | None", rs: RuleSet, at: dt.date, seed: int, engine,
                out: Path, fetcher=None, body_rows=None) -> SiteOutcome:
    """A site's outcome from its facts (or from the error that stopped it): the site-search test (when a
    `fetcher` is given), the 政务公开 platform facts (when the site is a 上级平台 of `body_rows`), the checks,
    and the access record of a site never read. Runs where the site was built: in this process, or on a
    cluster worker (inspect/cluster.py)."""
    from govcheck.collect.query import tls_facts

    if isinstance(b, Exception) or b is None:
        facts = SiteFacts(url=s.url, unit=s.unit, name=s.name, kind=s.kind, public_service=s.public_service)
        o = SiteOutcome(site=s, facts=facts, pages=0, error=str(b))
        o.manual.append(ManualItem("*", f"{data()['site_error_note']}：{b}", [s.url]))
        o.access = {"target": s.url, "target_type": "site", "kind": "error",
                    "label": data()["access_kinds"]["error"], "detail": str(b)[:500], "url": s.url}
        return o
    if fetcher is not None and b.pages:
        try:
            b.facts.search = search_test(b, rs, seed, archive=SearchArchive(out, s.url), client=fetcher)
        except Exception as e:  # noqa: BLE001 - the search test is one fact among many
            log.warning("search test %s: %s", s.url, e)
    if body_rows:
        from govcheck.bodies import platform_facts

        b.facts.platform = platform_facts(s, body_rows)
    o = check_site(s, b, rs, at, seed, tls=tls_facts(engine, s.url))
    if b.pages == 0:
        o.access = unassessed_record(engine, s)
        for m in o.manual:
            if m.code == "*":
                m.what = f"{m.what}（{describe(o.access)}）"
    return o


def judge_availability(o: SiteOutcome, availability, rs: RuleSet, at: dt.date, seed: int) -> None:
    """V2 decided again from the monitoring record's facts (None: no record → 需人工核查), in place of what the
    checks decided without them; its findings and items lead, as the veto they are."""
    o.facts.availability = availability
    v2 = run_checks(o.facts, rs, at, seed, codes={"V2"})
    o.findings = v2.findings + [f for f in o.findings if f.code != "V2"]
    o.manual = v2.manual + [m for m in o.manual if m.code != "V2"]


def check_site(site: Site, b: SiteBuild, rs: RuleSet, at: dt.date, seed: int,
               tls: list[dict] | None = None) -> SiteOutcome:
    res = run_checks(b.facts, rs, at, seed)  # V1.1 too: the page-text hits are in b.facts.wording
    o = SiteOutcome(site=site, facts=b.facts, pages=b.pages, findings=res.findings, manual=res.manual,
                    samples=res.samples, anomalies=res.anomalies)
    if _ip_host(site.url):
        # served at an IP address (a replica or a mirror): the URL names no domain to judge
        kept = [f for f in o.findings if f.code != "D20.1"]
        if len(kept) != len(o.findings):
            o.manual.append(ManualItem("D20.1", data()["ip_host_note"], [site.url]))
        o.findings = kept
    if b.pages == 0:
        o.manual.append(ManualItem("*", data()["no_pages_note"], [site.url]))
    o.manual += tls_items(site, tls or [], rs)
    return o


# ---------------------------------------------------------------------------------------------- round
def run_inspect(sites_path: Path, out: Path, *, at: dt.date | None = None, rules: str | None = None,
                round_config: Path | None = None, seed: int | None = None, accounts: Path | None = None,
                registry: list[Path] | None = None, previous: Path | None = None, max_pages: int | None = None,
                concurrency: int | None = None, delay: float | None = None, db: str | None = None,
                pdf: bool = False, workers: int = 1, progress: bool = True, search: bool = True,
                external: bool = True, variables: dict[str, str] | None = None,
                allow: list[str] | None = None, ca_bundle: str | None = None, fresh: bool = False,
                command: str | None = None, probes: str | None = None,
                cluster: str | None = None, browser: bool = False, bodies: Path | None = None) -> InspectResult:
    """The whole round, holding the round's lock throughout (a second run on OUT is refused). A rerun on
    the same OUT resumes the crawl and the round; `fresh` first moves the existing round into
    OUT/backups/ and starts from nothing. `allow`: addresses the fetch layer may reach besides public ones
    (a replica, an intranet site), added to round.toml's [network] allow; `ca_bundle`: extra trusted CA
    certificates (or [network] ca_bundle). `probes`: where the availability monitoring record is (a database
    URL or a folder; inspect/probes.py says where it is looked for otherwise). `cluster`: run each site's work
    (crawl, extract, facts, checks) as a dask.distributed task — "tcp://HOST:8786" (a running scheduler) or
    "local" (a LocalCluster of `workers` processes here); see inspect/cluster.py. `browser`: the browser pass
    (govcheck/browser): pages filled by script are read as Chromium renders them, and every finding that points
    at a page gets its screenshot (not with `cluster`). `bodies`: the subordinate-bodies roster (govcheck.bodies):
    the sites it names as 上级平台 get the 政务公开 platform checks (GK*)."""
    from govcheck.lock import round_lock
    from govcheck.rules import RuleSetError
    from govcheck.roster import RosterError, read_sites

    meta = round_meta(round_config, at=at, rules=rules, seed=seed)
    r = meta["round"]
    try:
        rs = load_ruleset(str(r["rules"]))
    except RuleSetError as e:
        raise InspectError(str(e)) from None
    try:
        sites = read_sites(sites_path)
        body_rows = None
        if bodies is not None:
            from govcheck.bodies import check_platforms, read_bodies

            body_rows = read_bodies(bodies)
            check_platforms(body_rows, sites, bodies)
    except RosterError as e:
        raise InspectError(str(e)) from None
    inputs = [p for p in (sites_path, accounts, round_config, bodies, *(registry or [])) if p is not None]
    try:
        with round_lock(out, command or "govcheck inspect"):
            return _inspect_locked(sites, out, meta, rs, inputs=inputs, accounts=accounts, registry=registry,
                                   previous=previous, max_pages=max_pages, concurrency=concurrency, delay=delay,
                                   db=db, pdf=pdf, workers=workers, progress=progress, search=search,
                                   external=external, variables=variables, fresh=fresh, command=command,
                                   round_config=round_config, allow=allow, ca_bundle=ca_bundle, probes=probes,
                                   cluster=cluster, browser=browser, body_rows=body_rows,
                                   bodies_name=str(bodies) if bodies else None)
    except StoreError as e:  # another time point or seed in OUT (RoundMismatch)
        raise InspectError(str(e)) from None


def _inspect_locked(sites: list[Site], out: Path, meta: dict[str, Any], rs: RuleSet, *, inputs: list[Path],
                    accounts, registry, previous, max_pages, concurrency, delay, db, pdf, workers, progress,
                    search, external, variables, fresh, command, round_config=None, allow=None,
                    ca_bundle=None, probes=None, cluster=None, browser=False, body_rows=None,
                    bodies_name=None) -> InspectResult:
    import shutil

    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from govcheck.collect.config import CrawlOptions
    from govcheck.collect.crawler import Stats
    from govcheck.collect.store import make_engine
    from govcheck.db import db_url_for
    from govcheck.round import attach_comparison, check_resumable, save_round, start_afresh

    console = Console(stderr=True, quiet=not progress, soft_wrap=True)
    r = meta["round"]
    at, seed = r["at"], int(r["seed"])
    if fresh:
        backup = start_afresh(out, db, site_urls=[s.url for s in sites], keep=inputs)
        if backup:
            console.print(f"原轮次已移入 {escape(str(backup))}")
    check_resumable(out, db, at, seed, rs)
    over: dict[str, Any] = {"max_pages": max_pages, "per_host_concurrency": concurrency, "min_delay": delay}
    if not external:
        over["check_external"] = False
    try:
        over.update(network_settings(meta, round_config, allow, ca_bundle))
        opts = CrawlOptions.defaults(**over)
    except ValueError as e:
        raise InspectError(str(e)) from None
    out.mkdir(parents=True, exist_ok=True)
    # chunks a killed run left behind; no other run can be using them, this one holds the round's lock
    shutil.rmtree(out / "extract-parts", ignore_errors=True)
    db_url = db or db_url_for(out)
    timings: dict[str, float] = {}
    brun = None
    if browser and cluster:
        raise InspectError(data()["browser_cluster"])
    if browser:
        from govcheck.browser.passes import BrowserRun
        from govcheck.browser.pool import available

        if not available():
            raise InspectError(data()["browser_missing"])
        brun = BrowserRun(out)

    t0 = time.perf_counter()
    console.print(f"[bold]1–2/5 抓取并抽取[/] {len(sites)} 个网站（可续抓，存档于 {escape(str(out / 'warc'))}）")
    cols = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[extra]}"),
            TimeElapsedColumn()]
    stats = Stats(sites_total=len(sites))
    with Progress(*cols, console=console, disable=not progress, refresh_per_second=4) as bar:
        t_crawl = bar.add_task("抓取网站", total=len(sites), extra="")
        t_build = bar.add_task("抽取页面、生成网站事实", total=len(sites), extra="")

        def crawled(s: Site) -> None:
            bar.update(t_crawl, advance=1, extra=f"已抓取 {stats.fetched} 个地址，错误 {stats.errors}")

        builds: dict[str, Any] = {}
        done_outcomes: dict[str, Any] | None = None
        if cluster:
            from .cluster import run_on_cluster

            def built(s: Site, line: str) -> None:
                bar.update(t_crawl, advance=1, extra=line)
                bar.advance(t_build)

            finish = functools.partial(finish_site, body_rows=body_rows) if body_rows else finish_site
            done_outcomes = run_on_cluster(sites, out, db_url, opts, at, rs, seed, finish, cluster=cluster,
                                           workers=workers, search=search, on_done=built)
        else:
            builds = asyncio.run(crawl_and_build(sites, out, db_url, opts, at, rs, workers=workers, stats=stats,
                                                 on_crawled=crawled, on_built=lambda s: bar.advance(t_build),
                                                 browser=brun))
    timings["crawl+extract"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    outcomes: list[SiteOutcome] = []
    from govcheck.collect.fetch import SyncFetchClient

    # the search test goes out through the fetch layer (on a cluster, each worker ran its sites' tests)
    fetcher = SyncFetchClient(opts) if search and done_outcomes is None else None
    access: list[dict[str, Any]] = []
    engine = make_engine(db_url)
    from .probes import ProbeRecord, probe_db

    record = ProbeRecord(probe_db(out, probes=probes, db=db, meta=meta, config=round_config))
    with Progress(*cols, console=console, disable=not progress) as bar:
        task = bar.add_task("3/5 检查（含站内搜索测试）", total=len(sites), extra="")
        for s in sites:
            b = done_outcomes.get(s.url) if done_outcomes is not None else builds.get(s.url)
            o = b if isinstance(b, SiteOutcome) else finish_site(s, b, rs, at, seed, engine, out,
                                                                   fetcher if search else None, body_rows)
            # V2 from the monitoring record, here (a cluster worker has no record): read or not, a site is judged
            judge_availability(o, record.facts(s.url, rs, at), rs, at, seed)
            if o.access is not None:
                access.append(o.access)
            if brun is not None:  # D28: what Firefox ESR did not show of the home page (never a deduction)
                o.manual += [ManualItem(m["code"] if m["code"] in rs.rules else "*", m["what"], m["urls"])
                             for m in brun.compat.get(s.url, [])]
            outcomes.append(o)
            bar.advance(task)
    if fetcher is not None:
        fetcher.close()
    engine.dispose()
    monitored = record.describe()
    record.close()
    timings["checks"] = time.perf_counter() - t0
    states = column_state_counts(outcomes)
    Console(stderr=True).print(column_state_line(states), markup=False)  # printed with or without progress display

    findings = [f for o in outcomes for f in o.findings]
    if previous is not None:  # 整改复查 of the websites (the accounts' is part of the new-media pass below)
        from .previous import compare_sites

        engine = make_engine(db_url)
        try:
            compared = compare_sites(Path(previous), outcomes, engine)
        except ValueError as e:  # the previous folder's files, named in the message
            raise InspectError(str(e)) from None
        finally:
            engine.dispose()
        if compared is not None:
            meta["site_comparison"] = compared
    if brun is not None:
        from govcheck.browser.passes import screenshot_round

        t0 = time.perf_counter()
        console.print("[bold]问题截图[/]：为指向网页的问题渲染页面并截图")
        try:
            shot_counts = screenshot_round(out, opts, findings, {s.url: s for s in sites}, brun)
        except Exception as e:  # noqa: BLE001 - evidence pictures are an addition: the round is saved without
            log.warning("screenshots: %s", e)
            shot_counts = {"error": str(e)[:500]}
        meta.setdefault("inspect", {})["browser"] = {**brun.write(), "screenshots": shot_counts}
        timings["screenshots"] = time.perf_counter() - t0
    account_list = []
    t0 = time.perf_counter()
    if accounts is not None:
        from govcheck.newmedia.pipeline import run_newmedia

        console.print("[bold]4/5 政务新媒体[/]：备案比对、更新情况、严重表述错误")
        try:
            res = run_newmedia(accounts, registry or [], at, int(rs.rule("M2.1").params["window_days"]),
                               previous_dir=previous, variables=variables, codes=rs.rules,
                               fetch=opts, archive_dir=out)
        except (OSError, ValueError) as e:  # RosterError/LexiconError are ValueErrors naming file and row
            raise InspectError(str(e)) from None
        account_list = list(res.accounts)
        findings += res.findings
        meta = attach_comparison(meta, res.comparison, res.previous_label)
    timings["newmedia"] = time.perf_counter() - t0

    write_side_files(out, outcomes)
    if monitored:  # where V2's probes came from (`govcheck score` reads them again)
        meta["monitor"] = {**(meta.get("monitor") or {}), **monitored}
    if body_rows:
        from govcheck.checks.platform import platform_table

        from govcheck.bodies import platform_facts

        tables = [t for t in (platform_table(o.facts, rs) for o in outcomes) if t is not None]
        done = {t["url"] for t in tables}
        # a platform named by the roster whose site could not be read: never counted as checked (or as clean)
        unchecked = [s.unit for s in sites if s.url not in done and platform_facts(s, body_rows) is not None]
        meta["platform"] = {"roster": Path(bodies_name or "").name, "platforms": tables, "unchecked": unchecked}
    meta.setdefault("inspect", {})
    meta["inspect"].update({"manual_file": "manual.json", "samples_file": "samples.json",
                            "facts_dir": "facts", "pages": sum(o.pages for o in outcomes),
                            "column_states": states})
    t0 = time.perf_counter()
    console.print("[bold]5/5 评分并生成通报[/]")
    samples = [(s.code, o.site.url, s.population, list(s.chosen)) for o in outcomes for s in o.samples]
    manual = [{"unit": o.site.unit, "target": o.site.url, "target_type": "site", **m.to_dict()}
              for o in outcomes for m in o.manual]
    saved = save_round(out, meta=meta, rs=rs, sites=sites, accounts=account_list, findings=findings, db=db,
                       pdf=pdf, access=access, samples=samples, manual=manual, command=command or "govcheck inspect")
    timings["report"] = time.perf_counter() - t0
    return InspectResult(out=out, sites=outcomes, findings=findings, timings=timings, view=saved.view,
                         files=saved.files)


def column_state_counts(outcomes: list[SiteOutcome]) -> dict[str, int]:
    """Columns of all sites per state: judged from the pages, from data the page loads, or 需人工核查."""
    total = {"pages": 0, "data": 0, "manual": 0}
    for o in outcomes:
        for k, v in o.facts.column_states().items():
            total[k] = total.get(k, 0) + v
    return total


def column_state_line(states: dict[str, int]) -> str:
    return data()["column_state_line"].format(total=sum(states.values()), **states)


def write_side_files(out: Path, outcomes: list[SiteOutcome]) -> None:
    """manual.json (需人工核查), samples.json (what each sampling check drew), column_states.json (how many
    columns were judged from the pages, from data they load, or left to a person; per site), facts/NNN.json.gz
    (per site, with its column states; gzip: the facts repeat every page's footer and column entries, 65 MB
    as plain JSON for the demo's 40 sites)."""
    from govcheck.round import atomic_write_bytes, atomic_write_text

    manual = [{"unit": o.site.unit, "target": o.site.url, **m.to_dict(),
               **({"kind": o.access["kind"]} if o.access and m.code == "*" else {})}
              for o in outcomes for m in o.manual]
    samples = [{"unit": o.site.unit, "target": o.site.url, **s.to_dict()} for o in outcomes for s in o.samples]
    anomalies = [f.to_dict() for o in outcomes for f in o.anomalies]
    atomic_write_text(out / "manual.json", json.dumps(manual, ensure_ascii=False, indent=1))
    atomic_write_text(out / "samples.json", json.dumps(samples, ensure_ascii=False, indent=1))
    atomic_write_text(out / "anomalies.json", json.dumps(anomalies, ensure_ascii=False, indent=1))
    # every column of every site in exactly one state: judged from the pages, from data they load, 需人工核查
    atomic_write_text(out / "column_states.json", json.dumps({
        "total": column_state_counts(outcomes),
        "sites": [{"unit": o.site.unit, "target": o.site.url, **o.facts.column_states()} for o in outcomes]},
        ensure_ascii=False, indent=1))
    fdir = out / "facts"
    fdir.mkdir(exist_ok=True)
    for i, o in enumerate(outcomes):
        atomic_write_bytes(fdir / f"{i:03d}.json.gz", gzip.compress(json.dumps(
            {"unit": o.site.unit, "pages": o.pages, "error": o.error, "access": o.access,
             "column_states": o.facts.column_states(), "site": o.facts.to_dict()},
            ensure_ascii=False).encode("utf-8"), compresslevel=6))
