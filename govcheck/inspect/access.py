"""Why a site could not be assessed, from the crawl's own record of its home page.

A site whose home page was never read has no facts, so no check can fire: scored as usual it would be a
clean 100 and 合格. Instead it is recorded as not assessed — 需人工核查 with the kind of failure (DNS,
connect, TLS, timeout, HTTP status, robots, bad URL) and the fetch's own error text — and scored 需人工核查
(govcheck.score.VERDICT_MANUAL).

V2 (站点无法访问, a veto) needs more than one failed fetch: the national table judges availability over a
monitoring period (`govcheck monitor`; inspect/probes.py reads its record). A V2 finding from it is an ordinary
veto finding of the site, and a counted veto decides before 需人工核查 does (score.score_site);
`unassessed_record` stays the single-fetch explanation beside it.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.engine import Engine

from govcheck.model import Site

from .adapter import data

# the fetch layer writes errors as "kind: detail" (collect/fetch.py)
_TLS = re.compile(r"certificate|SSLCertVerification|SSLError|\[SSL|tlsv1|ssl handshake|TLS", re.I)
KINDS = ("dns", "connect", "tls", "timeout", "http", "blocked", "url", "error")


def classify(error: str | None, status: int | None = None, url: str | None = None) -> str:
    """The failure kind of one fetch, from its recorded error text and status."""
    prefix, _, detail = (error or "").partition(":")
    prefix = prefix.strip().lower()
    if url is not None and not _valid_port(url):
        return "url"
    if prefix in ("tls", "ssl", "certificate") or (error and _TLS.search(detail or error)):
        return "tls"
    if prefix in ("dns", "connect", "timeout"):
        return prefix
    if prefix in ("reset", "server_disconnected"):
        return "connect"
    if error is None and status is not None and status >= 400:
        return "http"
    return "error"


def _valid_port(url: str) -> bool:
    try:
        port = urlsplit(url).port
    except ValueError:
        return False
    return port is None or port > 0


def unassessed_record(engine: Engine, site: Site, at: dt.datetime | None = None) -> dict[str, Any]:
    """The not-assessed record of a site with no page read: target, kind, label (Chinese), detail (the fetch's
    error text), url, at."""
    from govcheck.collect.store import crawl_fetch, crawl_skip

    labels = data()["access_kinds"]
    with engine.connect() as c:
        home = c.execute(select(crawl_fetch.c.url, crawl_fetch.c.status, crawl_fetch.c.error,
                                crawl_fetch.c.outcome, crawl_fetch.c.fetched_at)
                         .where(crawl_fetch.c.site == site.url, crawl_fetch.c.kind == "page")
                         .order_by(crawl_fetch.c.id).limit(1)).first()
        skip = None
        if home is None:
            skip = c.execute(select(crawl_skip.c.reason, crawl_skip.c.detail)
                             .where(crawl_skip.c.site == site.url).order_by(crawl_skip.c.id).limit(1)).first()
    if not _valid_port(site.url):
        kind, raw, url, when = "url", "端口号无效", site.url, None
    elif home is not None:
        kind = classify(home.error, home.status, home.url)
        raw = home.error or (f"HTTP {home.status}" if home.status else (home.outcome or ""))
        url, when = home.url, home.fetched_at
    elif skip is not None and skip.reason == "robots":
        kind, raw, url, when = "blocked", skip.detail or "robots.txt", site.url, None
    else:
        kind, raw, url, when = "error", "未记录到首页抓取", site.url, None
    if kind == "error" and home is not None and home.error is None and home.status and home.status < 400:
        raw = f"HTTP {home.status}，但未读到可检查的页面（{home.outcome or '未知'}）"
    when = when or at
    return {"target": site.url, "target_type": "site", "kind": kind, "label": labels[kind],
            "detail": (raw or labels[kind])[:500], "url": url,
            "at": when.isoformat() if hasattr(when, "isoformat") else None}


def describe(rec: dict[str, Any]) -> str:
    return f"{rec.get('label') or rec['kind']}：{rec.get('detail', '')}"
