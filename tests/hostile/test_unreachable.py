"""Closed ports, names that do not resolve and invalid ports: each a recorded fetch error of its kind (dns /
connect / bad_url), in the crawl and in the probes, for `safety`'s unreachable-site verdicts (issue 17 item 8)."""
from __future__ import annotations

from govcheck.collect.config import CrawlOptions
from govcheck.collect.fetch import UNREACHABLE_KINDS, error_kind
from govcheck.collect.probe import ProbeStore, Target, run_probes
from govcheck.collect.query import fetches
from govcheck.collect.runner import crawl_sites
from govcheck.collect.store import make_engine
from govcheck.model import Site
from hostile_support import free_port, memory_ceiling

CASES = {  # url → the kind recorded
    f"http://127.0.0.1:{free_port()}/": "connect",  # nothing listens there
    "http://no-such-site.invalid/": "dns",
    "http://www.example.gov.cn:99999/": "bad_url",
    "http://169.254.169.254/": "address_refused",
}


async def test_unreachable_sites_are_recorded_with_their_kind(tmp_path):
    sites = [Site(region="x", unit=f"单位{i}", name="n", url=u) for i, u in enumerate(CASES)]
    opts = CrawlOptions.defaults(allow_addresses=["127.0.0.1"], min_delay=0, retries=0, timeout=3)
    with memory_ceiling(150):
        res = await crawl_sites(sites, tmp_path, opts)
    engine = make_engine(f"sqlite:///{tmp_path}/round.sqlite")
    for r, (url, kind) in zip(res, CASES.items()):
        assert r.status == "done" and r.pages == 0
        home = [f for f in fetches(engine, r.site) if f["kind"] == "page"]
        assert len(home) == 1 and error_kind(home[0]["error"]) == kind, (url, home[0]["error"])
        assert kind in UNREACHABLE_KINDS and home[0]["outcome"] in ("suspected", "error")
    engine.dispose()
    db = f"sqlite:///{tmp_path}/monitor.sqlite"
    await run_probes(db, [Target(url=s.url, site=s.url, interval=60) for s in sites], count=1, slow=15, opts=opts)
    store = ProbeStore(db)
    # the probe records the same failure in its own words: an unreachable server is an outage; a bad URL or
    # an address our policy refuses says nothing about the site (not a visit)
    want = {"connect": "connect", "dns": "dns", "bad_url": "refused", "address_refused": "refused"}
    for s, kind in zip(sites, CASES.values()):
        (p,) = store.rows(s.url)
        assert p.kind == want[kind] and (kind == "connect" or kind in (p.detail or "")), (p.kind, p.detail)
    store.close()
