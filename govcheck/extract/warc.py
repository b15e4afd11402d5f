"""Re-extract archived pages of a round: every HTML response in WARC files, with its evidence pointer."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterator

from . import extract_page


def warc_files(path: Path) -> list[Path]:
    """A WARC file, or every *.warc / *.warc.gz under a round folder (its warc/ subfolder included)."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith((".warc", ".warc.gz")))


def iter_warc_facts(path: Path) -> Iterator[dict]:
    """One dict per archived HTML response: url, warc, record_id, offset, fetched_at, status, facts|error.

    A record that cannot be read yields an `error` entry instead of stopping the run."""
    from warcio.archiveiterator import ArchiveIterator

    for wf in warc_files(path):
        try:
            yield from _one_file(wf, ArchiveIterator)
        except Exception as e:  # noqa: BLE001 - a truncated/corrupt WARC file: say which, go on with the next
            yield {"url": None, "warc": str(wf), "error": f"WARC 文件无法读完：{type(e).__name__}: {e}"}


def _payload(rec) -> bytes:
    """The decoded payload; brotli and zstd (which warcio cannot undo) through the fetch layer's decoder."""
    coding = (rec.http_headers.get_header("Content-Encoding") or "").lower() if rec.http_headers else ""
    if "br" in coding or "zstd" in coding:
        from govcheck.collect.config import CrawlOptions
        from govcheck.collect.fetch import decode_content

        return decode_content(rec.raw_stream.read(), coding, CrawlOptions.defaults().max_decoded_bytes)
    return rec.content_stream().read()


def _one_file(wf: Path, ArchiveIterator) -> Iterator[dict]:  # noqa: N803 - the warcio class, passed in
    with open(wf, "rb") as fh:
        it = ArchiveIterator(fh)
        for rec in it:
            if rec.rec_type != "response":
                continue
            url = rec.rec_headers.get_header("WARC-Target-URI")
            ctype = rec.http_headers.get_header("Content-Type") if rec.http_headers else None
            if ctype and "html" not in ctype.lower():
                continue
            body = _payload(rec)  # read before asking the offset (warcio needs this order)
            out = {"url": url, "warc": str(wf), "record_id": rec.rec_headers.get_header("WARC-Record-ID"),
                   "offset": it.get_record_offset(),
                   "fetched_at": rec.rec_headers.get_header("WARC-Date"),
                   "status": int(rec.http_headers.get_statuscode()) if rec.http_headers else None}
            # a record cut short (crash mid-write, truncated copy) reads without error in warcio: compare sizes
            try:
                expected = int(rec.rec_headers.get_header("Content-Length") or 0) - (
                    rec.http_headers.total_len if rec.http_headers else 0)
            except (TypeError, ValueError):
                expected = 0
            encoded = rec.http_headers is not None and (rec.http_headers.get_header("Content-Encoding")
                                                        or rec.http_headers.get_header("Transfer-Encoding"))
            if expected > 0 and not encoded and len(body) < expected:
                out["truncated"] = True
            try:
                ref = None
                if out["fetched_at"]:
                    ref = dt.date.fromisoformat(out["fetched_at"][:10])
                out["facts"] = extract_page(body, url, ref_date=ref, content_type=ctype)
            except Exception as e:  # noqa: BLE001 - one bad record must not end a re-extraction
                out["error"] = f"{type(e).__name__}: {e}"
            yield out
