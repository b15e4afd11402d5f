"""The browser pass of a round: render the pages extraction could not read alone (during the crawl, per site)
and take each finding's screenshot (after the checks). Both serve the page from the archive (the bytes the
crawl recorded), fetch what its scripts load through the fetch layer, and archive everything in
`warc/render-*.warc.gz`; every failure is recorded in `render.json`, never a stuck round."""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from govcheck.browser.archive import RenderArchive
from govcheck.browser.pool import BrowserPool, site_hosts
from govcheck.browser.settings import settings

log = logging.getLogger(__name__)


def archived_document(out: Path, warc: str | None, offset: int | None) -> tuple[bytes, str, bool] | None:
    """The archived page as the browser is given it: decoded text re-encoded as UTF-8 and said so (the
    HTTP charset wins over the page's meta, so a GBK page renders as the crawl read it); and whether it is
    a rendered DOM already (a conversion record: shown without running its scripts again)."""
    if not warc or offset is None:
        return None
    from govcheck.collect.query import read_record
    from govcheck.extract.decode import decode_html

    try:
        head, _, body = read_record(out, warc, offset)
    except Exception as e:  # noqa: BLE001 - rendered from a fresh fetch instead
        log.info("archived copy %s@%s unreadable: %s", warc, offset, e)
        return None
    text, _ = decode_html(body, None)
    return text.encode("utf-8"), "text/html; charset=utf-8", head.get("WARC-Type") == "conversion"


class BrowserRun:
    """One round's browser pass: a pool on the round's fetch client, render archives per site, failures."""

    def __init__(self, out: Path, *, max_pages: int | None = None, size: int | None = None,
                 page_timeout: float | None = None):
        self.out = Path(out)
        self.max_pages = int(max_pages or settings()["inspect"]["max_pages_per_site"])
        self.size, self.page_timeout = size, page_timeout
        self.pool: BrowserPool | None = None
        self.failures: list[dict[str, Any]] = []
        self.rendered = 0
        self.seconds = 0.0
        self.peak_rss = 0
        self._archives: dict[str, RenderArchive] = {}
        # D28: the home page in Firefox ESR beside Chromium (browser/firefox.py); 需人工核查 items per site
        self.firefox = None
        self._ff_lock = asyncio.Lock()
        self.compat: dict[str, list[dict[str, Any]]] = {}
        self.compared = 0

    async def start(self, client) -> "BrowserRun":
        """Start the pool; a browser that will not start is recorded and the round goes on without it."""
        pool = BrowserPool(client, size=self.size, page_timeout=self.page_timeout)
        try:
            await pool.__aenter__()
        except Exception as e:  # noqa: BLE001
            log.warning("browser pass: chromium did not start: %s", e)
            with contextlib.suppress(Exception):
                await pool.__aexit__(None, None, None)
            self.failures.append({"site": None, "url": None, "purpose": "start", "kind": "no_browser",
                                  "label": settings()["error_words"]["no_browser"], "error": str(e)[:500],
                                  "seconds": 0})
            return self
        self.pool = pool
        from govcheck.browser.firefox import FirefoxBiDi, firefox_path

        if settings()["firefox"].get("enabled", True) and firefox_path():
            ff = FirefoxBiDi(client)
            try:
                self.firefox = await ff.__aenter__()
            except Exception as e:  # noqa: BLE001 - D28 left to a person, as without Firefox
                log.warning("browser pass: firefox-esr did not start: %s", e)
                with contextlib.suppress(Exception):
                    await ff.__aexit__(None, None, None)
                self.failures.append({"site": None, "url": None, "purpose": "compat", "kind": "no_browser",
                                      "label": settings()["error_words"]["no_browser"],
                                      "error": f"firefox-esr: {e}"[:500], "seconds": 0})
        return self

    async def stop(self) -> None:
        if self.firefox is not None:
            with contextlib.suppress(Exception):
                await self.firefox.__aexit__(None, None, None)
            self.firefox = None
        if self.pool is not None:
            self.peak_rss = max(self.peak_rss, self.pool.peak_rss)
            await self.pool.__aexit__(None, None, None)
            self.pool = None

    def archive(self, url: str) -> RenderArchive:
        host = (urlsplit(url).netloc or "site").replace(":", "_")
        if host not in self._archives:
            self._archives[host] = RenderArchive(self.out, f"render-{host}")
        return self._archives[host]

    def _fail(self, site_url: str, url: str, res, purpose: str) -> None:
        self.failures.append({"site": site_url, "url": url, "purpose": purpose, "kind": res.error_kind,
                              "label": settings()["error_words"].get(res.error_kind or "error", ""),
                              "error": res.error, "seconds": round(res.elapsed, 2)})

    def _archive_fetches(self, arc: RenderArchive, res, skip: str) -> None:
        for fr in res.fetches:  # what the page's scripts loaded: evidence of the rendered rows
            if fr.hops and fr.url != skip:
                try:
                    arc.writer.write(fr.hops)
                except Exception as e:  # noqa: BLE001
                    log.info("archive %s: %s", fr.url, e)

    async def render_site(self, site, cands: list[dict[str, Any]], folder: Path) -> dict[str, dict[str, Any]]:
        """Render a site's candidate pages (home first, at most max_pages); url → {html file, ref fields}."""
        if self.pool is None:
            return {}
        t0 = time.perf_counter()
        hosts = site_hosts(site.url, list(getattr(site, "extra_hosts", None) or []))
        seen: set[str] = set()
        chosen = []
        for c in cands:
            if c["url"] not in seen and len(chosen) < self.max_pages:
                seen.add(c["url"])
                chosen.append(c)
        folder.mkdir(parents=True, exist_ok=True)

        async def one(i: int, c: dict[str, Any]):
            doc = await asyncio.to_thread(archived_document, self.out, c.get("warc"), c.get("offset"))
            return await self.pool.render(c["url"], hosts=hosts, document=doc[:2] if doc else None)

        results = await asyncio.gather(*(one(i, c) for i, c in enumerate(chosen)))
        out: dict[str, dict[str, Any]] = {}
        arc = self.archive(site.url)
        for i, (c, r) in enumerate(zip(chosen, results)):
            self._archive_fetches(arc, r, c["url"])
            if not r.ok or not r.html:
                self._fail(site.url, c["url"], r, "render")
                continue
            self.rendered += 1
            if c.get("home") and self.firefox is not None:
                await self._compare(site, c, r, hosts)
            body = r.html.encode("utf-8")
            offset, rid = arc.add_dom(c["url"], r.html, c.get("record_id"))
            path = folder / f"{i:04d}.html"
            path.write_bytes(body)
            out[c["url"]] = {"html": str(path), "ref": {
                "url": c["url"], "fetched_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "status": c.get("status"), "sha256": hashlib.sha256(body).hexdigest(), "warc": arc.warc,
                "record_id": rid, "offset": offset}}
        self.seconds += time.perf_counter() - t0
        return out

    async def _compare(self, site, c: dict[str, Any], r, hosts: set[str]) -> None:
        """D28: the home page's text in Firefox ESR beside Chromium's; text Firefox does not show → 需人工核查."""
        from govcheck.browser.firefox import compat_note, hidden_in_firefox, _lines

        doc = await asyncio.to_thread(archived_document, self.out, c.get("warc"), c.get("offset"))
        limit = float(settings()["firefox"]["page_timeout"])
        t0 = time.perf_counter()
        async with self._ff_lock:
            try:
                text, err = await asyncio.wait_for(
                    self.firefox.visible_text(c["url"], hosts, doc[:2] if doc else None, limit), limit + 10)
            except Exception as e:  # noqa: BLE001
                text, err = None, f"{type(e).__name__}: {e}"[:300]
        if text is None:
            self.failures.append({"site": site.url, "url": c["url"], "purpose": "compat", "kind": "error",
                                  "label": settings()["error_words"]["error"], "error": f"firefox-esr: {err}",
                                  "seconds": round(time.perf_counter() - t0, 2)})
            return
        self.compared += 1
        hidden = hidden_in_firefox(r.text or "", text)
        note = compat_note(c["url"], hidden, len(_lines(r.text or "", int(settings()["firefox"]["min_line_chars"]))))
        if note:
            self.compat.setdefault(site.url, []).append({"code": "D28", "what": note, "urls": [c["url"]]})

    async def screenshots(self, findings, sites: dict[str, Any]) -> dict[str, int]:
        """Each finding that points at a page gets its screenshot (govcheck.browser.shots)."""
        from govcheck.browser.shots import screenshot_findings

        if self.pool is None:
            return {"findings": 0, "pages": 0, "shots": 0, "failed": 0, "no_browser": 1}
        t0 = time.perf_counter()
        counts = await screenshot_findings(self.out, findings, self.pool, sites, archive_for=self.archive,
                                           document_for=lambda a: archived_document(self.out, a.warc, a.offset),
                                           on_fail=lambda site, url, res: self._fail(site, url, res, "screenshot"))
        self.seconds += time.perf_counter() - t0
        return counts

    def write(self) -> dict[str, Any]:
        """render.json (every page the pass could not render, with the kind and the reason) and a summary."""
        from govcheck.round import atomic_write_text

        summary = {"rendered": self.rendered, "failed": len(self.failures), "seconds": round(self.seconds, 1),
                   "firefox_compared": self.compared, "firefox_differences": sum(map(len, self.compat.values())),
                   "peak_memory_mb": round(self.peak_rss / 2 ** 20), "warc": sorted(a.warc for a in self._archives.values())}
        atomic_write_text(self.out / "render.json", json.dumps({**summary, "failures": self.failures},
                                                               ensure_ascii=False, indent=1))
        return summary


def screenshot_round(out: Path, opts, findings, sites: dict[str, Any], run: BrowserRun | None = None) \
        -> dict[str, Any]:
    """The screenshot pass on its own event loop (after the checks): a fetch client, the pool, the shots."""
    from govcheck.collect.fetch import FetchClient

    run = run or BrowserRun(out)

    async def go() -> dict[str, int]:
        async with FetchClient(opts) as client:
            await run.start(client)
            try:
                return await run.screenshots(findings, sites)
            finally:
                await run.stop()

    return asyncio.run(go())
