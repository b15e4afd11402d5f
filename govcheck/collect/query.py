"""Read access to a crawl for the checks: the page index, link outcomes, reading archived bodies."""
from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import select
from sqlalchemy.engine import Engine
from warcio.archiveiterator import ArchiveIterator

from govcheck.collect.store import crawl_fetch, crawl_link, crawl_skip, crawl_tls
from govcheck.model import Archive


def fetches(db: Engine, site: str, kind: str | None = None, after_id: int | None = None) -> list[dict[str, Any]]:
    """Index rows of a site (latest fetch per URL last), as dicts; `after_id`: only rows added since."""
    q = select(crawl_fetch).where(crawl_fetch.c.site == site)
    if kind:
        q = q.where(crawl_fetch.c.kind == kind)
    if after_id:
        q = q.where(crawl_fetch.c.id > after_id)
    with db.connect() as c:
        return [dict(r._mapping) for r in c.execute(q.order_by(crawl_fetch.c.id))]


def tls_facts(db: Engine, site: str) -> list[dict[str, Any]]:
    """The certificate facts of every https origin the site's crawl fetched from (latest per origin)."""
    import json

    with db.connect() as c:
        rows = [dict(r._mapping) for r in c.execute(select(crawl_tls).where(crawl_tls.c.site == site)
                                                    .order_by(crawl_tls.c.id))]
    by_origin: dict[str, dict[str, Any]] = {}
    for r in rows:
        try:
            r["names"] = json.loads(r["names"] or "[]")
        except ValueError:
            r["names"] = []
        by_origin[r["origin"]] = r
    return list(by_origin.values())


def link_outcomes(db: Engine, site: str) -> list[dict[str, Any]]:
    """Every recorded link with its referrer and outcome.

    outcome is the target's fetch outcome (ok/broken/suspected/blocked/error) or the reason it was not
    fetched (robots/trap/depth/limit), or "unchecked" (external checks switched off).
    """
    with db.connect() as c:
        fetched: dict[str, dict] = {}
        redirected: dict[str, dict] = {}
        for r in c.execute(select(crawl_fetch.c.url, crawl_fetch.c.final_url, crawl_fetch.c.outcome,
                                  crawl_fetch.c.status, crawl_fetch.c.error, crawl_fetch.c.kind)
                           .where(crawl_fetch.c.site == site).order_by(crawl_fetch.c.id)):
            o = {"outcome": r.outcome, "status": r.status, "error": r.error}
            fetched[r.url] = o
            if r.final_url and r.final_url != r.url and (r.status or 0) < 300:
                redirected[r.final_url] = o  # a redirect target fetched inline
        for u, o in redirected.items():
            fetched.setdefault(u, o)
        skipped = {r.url: {"outcome": r.reason, "status": None, "error": r.detail}
                   for r in c.execute(select(crawl_skip.c.url, crawl_skip.c.reason, crawl_skip.c.detail)
                                      .where(crawl_skip.c.site == site))}
        out = []
        seen = set()
        for r in c.execute(select(crawl_link).where(crawl_link.c.site == site).order_by(crawl_link.c.id)):
            key = (r.referrer, r.url)
            if key in seen:  # a page refetched after a resume records its links again
                continue
            seen.add(key)
            o = fetched.get(r.url) or skipped.get(r.url) or {"outcome": "unchecked", "status": None,
                                                              "error": None}
            out.append({"referrer": r.referrer, "url": r.url, "tag": r.tag, "text": r.text,
                        "internal": r.internal, **o})
        return out


def archive_of(row: dict[str, Any], out_dir: str | Path | None = None) -> Archive | None:
    """The model's Archive pointer for an index row (for Evidence.archive)."""
    if not row.get("warc") or not row.get("record_id"):
        return None
    warc = str(Path(out_dir) / row["warc"]) if out_dir else row["warc"]
    return Archive(warc=warc, record_id=row["record_id"], sha256=row.get("sha256") or "",
                   offset=row.get("warc_offset"))


def read_record(out_dir: str | Path, warc: str, offset: int) -> tuple[dict[str, str], int | None, bytes]:
    """(WARC headers, HTTP status, decoded payload) of the record at offset."""
    with open(Path(out_dir) / warc, "rb") as f:
        f.seek(offset)
        fast = _read_plain_response(f)
        if fast is not None:
            return fast
        f.seek(offset)
        rec = next(iter(ArchiveIterator(f)))
        headers = dict(rec.rec_headers.headers)
        status = int(rec.http_headers.get_statuscode()) if rec.http_headers else None
        return headers, status, rec.content_stream().read()


def _read_plain_response(f) -> tuple[dict[str, str], int | None, bytes] | None:
    """The common case read directly (inspect reads every archived page; warcio costs ~0.7 ms a record):
    one gzip member holding a WARC response whose HTTP payload is stored as is (no chunked transfer left to
    undo; a Content-Encoding is undone here). Anything else returns None and goes through warcio."""
    head = f.read(2)
    if head != b"\x1f\x8b":
        return None
    d = zlib.decompressobj(31)
    parts = [d.decompress(head)]
    while not d.eof:
        chunk = f.read(65536)
        if not chunk:
            return None
        parts.append(d.decompress(chunk))
    buf = b"".join(parts)
    end = buf.find(b"\r\n\r\n")
    if end < 0 or not buf.startswith(b"WARC/"):
        return None
    headers: dict[str, str] = {}
    for line in buf[:end].decode("utf-8", "replace").split("\r\n")[1:]:
        k, sep, v = line.partition(":")
        if not sep:
            return None
        headers[k.strip()] = v.strip()
    if headers.get("WARC-Type") != "response" or not headers.get("Content-Type", "").startswith("application/http"):
        return None
    try:
        length = int(headers["Content-Length"])
    except (KeyError, ValueError):
        return None
    block = buf[end + 4:end + 4 + length]
    hend = block.find(b"\r\n\r\n")
    if hend < 0:
        return None
    lines = block[:hend].decode("latin-1").split("\r\n")
    status_line = lines[0].split()
    if len(status_line) < 2 or not status_line[0].startswith("HTTP/") or not status_line[1].isdigit():
        return None
    coding = None
    for line in lines[1:]:
        k, _, v = line.partition(":")
        k, v = k.strip().lower(), v.strip().lower()
        if k == "transfer-encoding" and v not in ("", "identity"):
            return None
        if k == "content-encoding" and v not in ("", "identity"):
            coding = v
    payload = block[hend + 4:]
    if coding:
        # undone as the fetch layer did (brotli and zstd too, which warcio cannot read), with its cap
        from govcheck.collect.config import CrawlOptions
        from govcheck.collect.fetch import decode_content

        try:
            payload = decode_content(payload, coding, CrawlOptions.defaults().max_decoded_bytes)
        except Exception:  # noqa: BLE001 - warcio gets its chance
            return None
    return headers, int(status_line[1]), payload


def iter_pages(db: Engine, out_dir: str | Path, site: str) -> Iterator[tuple[dict[str, Any], bytes]]:
    """(index row, body) of every archived HTML page of a site that was fetched fine."""
    for row in fetches(db, site, "page"):
        if row["outcome"] == "ok" and row["warc"] and row["warc_offset"] is not None:
            yield row, read_record(out_dir, row["warc"], row["warc_offset"])[2]
