"""WARC/1.1 writing and index commits, in one background thread per site job.

Order matters for evidence and resume: a fetch's records are appended and flushed to the WARC file first,
then its index row (with the discovered links and queue entries) is committed in the same transaction.
A SIGKILL can therefore leave at most unindexed bytes at a file's tail; `trim_unindexed` cuts them off
on resume so every WARC file stays readable.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import queue
import socket
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from warcio.recordbuilder import RecordBuilder
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from govcheck.collect.links import index_links
from govcheck.collect.store import bulk_insert, crawl_fetch, crawl_link, crawl_queue, crawl_skip, crawl_tls

# hop-by-hop headers whose meaning no longer holds for the stored (de-chunked) payload
_RENAMED = {"transfer-encoding": "X-Govcheck-Original-Transfer-Encoding"}


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def _warc_record(rtype: str, rid: str, date: str, uri: str, block: bytes, content_type: str,
                 extra: list[tuple[str, str]]) -> bytes:
    head = [f"WARC-Type: {rtype}", f"WARC-Record-ID: {rid}", f"WARC-Date: {date}", f"WARC-Target-URI: {uri}"]
    head += [f"{k}: {v}" for k, v in extra]
    head += [f"WARC-Block-Digest: {_sha1(block)}", f"Content-Type: {content_type}", f"Content-Length: {len(block)}"]
    return ("WARC/1.1\r\n" + "\r\n".join(head) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"


@dataclass
class Hop:
    """One request/response exchange (a redirect chain has several)."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    at: datetime  # UTC, naive
    status: int | None = None
    reason: str = ""
    version: str = "HTTP/1.1"
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""  # as received (Content-Encoding kept, chunking removed)
    truncated: str | None = None  # WARC-Truncated reason: length / time / disconnect


def hop_records(hops: list[Hop]) -> tuple[list[bytes], int, str | None]:
    """Serialised WARC records for a fetch; returns them, the index of the final response, its record id.
    Each response record carries the status line as received ("HTTP/1.1 404 Not Found").

    Written by hand rather than through warcio's builder: it is the writer thread's hottest path.
    warcio reads them back (the tests check digests with it)."""
    recs: list[bytes] = []
    final_idx, final_id = -1, None
    for h in hops:
        date = datetime_to_iso_date(h.at, use_micros=True)
        resp_id = None
        if h.status is not None:
            head = [f"{h.version} {h.status} {h.reason}".rstrip()]
            head += [f"{_RENAMED.get(k.lower(), k)}: {v}" for k, v in h.response_headers]
            block = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1", errors="replace") + h.body
            extra = [("WARC-Truncated", h.truncated)] if h.truncated else []
            resp_id = _record_id()
            extra.append(("WARC-Payload-Digest", _sha1(h.body)))
            final_idx, final_id = len(recs), resp_id
            recs.append(_warc_record("response", resp_id, date, h.url, block,
                                     "application/http; msgtype=response", extra))
        path = h.url.split("/", 3)
        target = "/" + (path[3] if len(path) > 3 else "")
        head = [f"{h.method} {target} HTTP/1.1"] + [f"{k}: {v}" for k, v in h.request_headers]
        block = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1", errors="replace")
        extra = [("WARC-Concurrent-To", resp_id)] if resp_id else []
        recs.append(_warc_record("request", _record_id(), date, h.url, block,
                                 "application/http; msgtype=request", extra))
    return recs, final_idx, final_id


@dataclass
class Committed:
    """What the writer thread hands back: where the final response landed."""

    warc: str | None
    offset: int | None
    record_id: str | None


@dataclass
class Item:
    hops: list[Hop]
    row: dict[str, Any] | None  # crawl_fetch row (warc fields filled in here)
    queue_rows: list[dict[str, Any]] = field(default_factory=list)
    link_rows: list[dict[str, Any]] = field(default_factory=list)
    skip_rows: list[dict[str, Any]] = field(default_factory=list)
    tls_rows: list[dict[str, Any]] = field(default_factory=list)  # certificate facts (crawl_tls)


class WarcSink:
    """Appends fetches to WARC segments under out/warc and commits their index rows in batches."""

    def __init__(self, engine: Engine, out_dir: Path, stem: str, conf: dict[str, Any]):
        self.engine = engine
        self.out_dir = Path(out_dir)
        self.warc_dir = self.out_dir / "warc"
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        self.stem = stem
        self._link_keys: set[int] = set()  # crawl_link keys this writer stored (one row per target, not per link)
        self.level = int(conf["gzip_level"])
        self.segment_bytes = int(conf["segment_bytes"])
        self.batch_records = int(conf["batch_records"])
        self.batch_seconds = float(conf["batch_seconds"])
        self.fsync = bool(conf.get("fsync", False))
        self.builder = RecordBuilder(warc_version="WARC/1.1")
        self.q: queue.Queue[Item | None] = queue.Queue(maxsize=int(conf.get("writer_queue", 8)))
        self.error: BaseException | None = None
        self.files: list[str] = []
        self._seg = 0
        self._f: io.BufferedWriter | None = None
        self._rel = ""
        self._thread = threading.Thread(target=self._run, name=f"warc-{stem}", daemon=True)
        self._thread.start()

    # ---- called from the event loop
    def submit(self, item: Item) -> None:
        if self.error:
            raise RuntimeError(f"WARC 写入失败：{self.error}") from self.error
        self.q.put(item)

    def close(self) -> None:
        self.q.put(None)
        self._thread.join()
        if self.error:
            raise RuntimeError(f"WARC 写入失败：{self.error}") from self.error

    # ---- writer thread
    def _open_segment(self) -> None:
        if self._f:
            self._f.close()
        name = f"{self.stem}-{self._seg:03d}.warc.gz"
        self._seg += 1
        self._rel = f"warc/{name}"
        self._f = open(self.warc_dir / name, "ab")
        self.files.append(self._rel)
        info = self.builder.create_warcinfo_record(name, {
            "software": "govcheck crawler (warcio)",
            "hostname": socket.gethostname(),
            "format": "WARC File Format 1.1",
            "isPartOf": self.stem,
        })
        self._append([info])
        self._f.flush()

    def _append(self, records: list) -> tuple[int, int]:
        """Each record is its own gzip member so any offset can be read alone."""
        assert self._f is not None
        start = self._f.tell()
        for rec in records:
            if not isinstance(rec, bytes):  # a warcio record (warcinfo)
                buf = io.BytesIO()
                WARCWriter(buf, gzip=False).write_record(rec)
                rec = buf.getvalue()
            c = zlib.compressobj(self.level, zlib.DEFLATED, 31)
            self._f.write(c.compress(rec) + c.flush())
        return start, self._f.tell()

    def _records(self, hops: list[Hop]) -> tuple[list[bytes], int, str | None]:
        return hop_records(hops)

    def _write_item(self, item: Item) -> None:
        if self._f is None or (item.hops and self._f.tell() >= self.segment_bytes):
            self._open_segment()
        assert self._f is not None
        final_id = None
        if item.hops:
            recs, final_idx, final_id = self._records(item.hops)
            offset = None
            start = self._f.tell()
            for i, rec in enumerate(recs):
                s, _ = self._append([rec])
                if i == final_idx:
                    offset = s
            if item.row is not None:
                item.row.update(warc=self._rel, warc_offset=offset if offset is not None else start,
                                record_id=final_id)
        # links as the index keeps them (per target, see collect/store.py crawl_link): the archived page holds
        # every occurrence; the metadata record holds the rows this item adds to the index
        item.link_rows = index_links(item.link_rows, self._link_keys)
        # the index rows travel in the WARC too: a tail written but not committed before a kill is replayed
        # on resume instead of refetched, and the index can be rebuilt from the archive alone
        meta = _warc_record("metadata", _record_id(), datetime_to_iso_date(utcnow(), use_micros=True),
                            f"urn:govcheck:index:{self.stem}", encode_item(item), INDEX_CONTENT_TYPE,
                            [("WARC-Concurrent-To", final_id)] if final_id else [])
        self._append([meta])
        self._f.flush()  # in the OS once written: a killed process loses no complete item
        if item.row is not None:
            item.row["warc_end"] = self._f.tell()

    def _run(self) -> None:
        pending: list[Item] = []
        last = time.monotonic()
        done = False
        try:
            while not done:
                try:
                    it = self.q.get(timeout=self.batch_seconds)
                except queue.Empty:
                    it = False  # type: ignore[assignment]
                if it is None:
                    done = True
                elif it is not False:
                    self._write_item(it)
                    pending.append(it)
                if pending and (done or len(pending) >= self.batch_records
                                or time.monotonic() - last >= self.batch_seconds):
                    self._commit(pending)
                    pending = []
                    last = time.monotonic()
        except BaseException as e:  # noqa: BLE001 - surfaced to the event loop by submit/close
            self.error = e
            while True:  # unblock producers
                try:
                    if self.q.get(timeout=0.1) is None:
                        break
                except queue.Empty:
                    continue
        finally:
            if self._f:
                self._f.close()

    def _commit(self, items: list[Item]) -> None:
        if self._f:
            self._f.flush()
            if self.fsync:  # survive power loss too, not only a killed process
                os.fsync(self._f.fileno())
        fetch = [i.row for i in items if i.row is not None]
        qrows = [r for i in items for r in i.queue_rows]
        lrows = [r for i in items for r in i.link_rows]  # keyed and deduplicated by _write_item
        srows = [r for i in items for r in i.skip_rows]
        trows = [r for i in items for r in i.tls_rows]
        with self.engine.begin() as conn:
            bulk_insert(conn, crawl_fetch, fetch)
            bulk_insert(conn, crawl_queue, qrows)
            bulk_insert(conn, crawl_link, lrows, skip_existing=True)
            bulk_insert(conn, crawl_skip, srows)
            bulk_insert(conn, crawl_tls, trows)


class HopWriter:
    """Fetches archived outside a crawl (the site-search test's queries and results) into one WARC file,
    with the same records as the crawl's: true status lines, request records, truncation marks."""

    def __init__(self, path: Path, gzip_level: int = 6):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.level = gzip_level
        if not self.path.exists() or self.path.stat().st_size == 0:
            buf = io.BytesIO()
            info = RecordBuilder(warc_version="WARC/1.1").create_warcinfo_record(
                self.path.name, {"software": "govcheck fetch layer (warcio)", "format": "WARC File Format 1.1"})
            WARCWriter(buf, gzip=False).write_record(info)
            self._append([buf.getvalue()])

    def _append(self, recs: list[bytes]) -> list[int]:
        offsets = []
        with self.path.open("ab") as f:
            for rec in recs:
                offsets.append(f.tell())
                c = zlib.compressobj(self.level, zlib.DEFLATED, 31)
                f.write(c.compress(rec) + c.flush())
        return offsets

    def write(self, hops: list[Hop]) -> tuple[int | None, str | None]:
        """Append a fetch's records; returns the offset and record id of its final response (None, None
        when no response arrived)."""
        if not hops:
            return None, None
        recs, final_idx, final_id = hop_records(hops)
        offsets = self._append(recs)
        return (offsets[final_idx] if final_idx >= 0 else None), final_id

    def write_resource(self, uri: str, body: bytes, content_type: str = "application/octet-stream", *,
                       rtype: str = "resource", extra: list[tuple[str, str]] | None = None) -> tuple[int, str]:
        """Append a WARC resource record (bytes read other than by fetching, e.g. a posts export file), or with
        `rtype="conversion"` a record derived from another (a rendered DOM; `extra` carries WARC-Refers-To);
        returns its offset and record id."""
        rid = _record_id()
        rec = _warc_record(rtype, rid, datetime_to_iso_date(utcnow(), use_micros=True), uri, body,
                           content_type, [*(extra or []), ("WARC-Payload-Digest", _sha1(body))])
        return self._append([rec])[0], rid


INDEX_CONTENT_TYPE = "application/x-govcheck-index+json"


def encode_item(item: Item) -> bytes:
    """The item's index rows, compact: links as [url, tag, text, internal] (site and referrer are the row's)."""
    row = dict(item.row) if item.row is not None else None
    if row is not None:
        if isinstance(row.get("fetched_at"), datetime):
            row["fetched_at"] = row["fetched_at"].isoformat()
        row.pop("warc_end", None)
    links = [[ln["url"], ln["tag"], ln["text"], ln["internal"]] for ln in item.link_rows]
    d = {"row": row, "queue": item.queue_rows, "links": links, "skips": item.skip_rows}
    if item.tls_rows:
        d["tls"] = [{**t, "checked_at": t["checked_at"].isoformat() if isinstance(t["checked_at"], datetime)
                     else t["checked_at"]} for t in item.tls_rows]
    return json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def recover_tail(engine: Engine, out_dir: Path, site: str, prefix: str,
                 item_ends: dict[str, int] | None = None) -> int:
    """Commit the index rows of fetches archived after the last commit (a killed run); returns how many.

    Queue and skip rows of fetch-less items may already be committed; those are added only when new.
    item_ends, when given, receives each file's end of its last complete item (where a torn tail starts).
    """
    from warcio.archiveiterator import ArchiveIterator

    wdir = Path(out_dir) / "warc"
    if not wdir.is_dir():
        return 0
    with engine.connect() as conn:
        ends = dict(conn.execute(select(crawl_fetch.c.warc, func.max(crawl_fetch.c.warc_end))
                                 .where(crawl_fetch.c.site == site, crawl_fetch.c.warc.is_not(None))
                                 .group_by(crawl_fetch.c.warc)).all())
        queued = {u for (u,) in conn.execute(select(crawl_queue.c.url).where(crawl_queue.c.site == site))}
        skipped = {(u, r) for u, r in conn.execute(select(crawl_skip.c.url, crawl_skip.c.reason)
                                                  .where(crawl_skip.c.site == site))}
    fetch, qrows, lrows, srows, trows = [], [], [], [], []
    for p in sorted(wdir.glob(f"{prefix}-r*.warc.gz")):
        rel = f"warc/{p.name}"
        start = ends.get(rel) or 0
        try:
            with open(p, "rb") as f:
                f.seek(start)
                it = ArchiveIterator(f)
                for rec in it:
                    if rec.rec_type != "metadata" or rec.rec_headers.get_header("Content-Type") != INDEX_CONTENT_TYPE:
                        continue
                    d = json.loads(rec.content_stream().read())
                    it.read_to_end()
                    end = it.get_record_offset() + it.get_record_length()  # offsets are absolute
                    if item_ends is not None:
                        item_ends[rel] = end
                    row = d.get("row")
                    if row is not None:
                        if row.get("site") != site:
                            continue
                        if row.get("fetched_at"):
                            row["fetched_at"] = datetime.fromisoformat(row["fetched_at"])
                        row["warc_end"] = end
                        fetch.append(row)
                        lrows.extend({"site": site, "referrer": row["url"], "url": u, "tag": t, "text": x,
                                      "internal": i} for u, t, x, i in d.get("links") or [])
                    for q in d.get("queue") or []:
                        if q["url"] not in queued:
                            queued.add(q["url"])
                            qrows.append(q)
                    for sk in d.get("skips") or []:
                        if (sk["url"], sk["reason"]) not in skipped:
                            skipped.add((sk["url"], sk["reason"]))
                            srows.append(sk)
                    for t in d.get("tls") or []:
                        if t.get("site") == site:
                            t["checked_at"] = datetime.fromisoformat(t["checked_at"]) if t.get("checked_at") else None
                            trows.append(t)
        except Exception:  # noqa: BLE001 - a torn last record ends the readable part of the file
            pass
    lrows = index_links(lrows, set())
    if fetch or qrows or srows or trows:
        with engine.begin() as conn:
            bulk_insert(conn, crawl_fetch, fetch)
            bulk_insert(conn, crawl_queue, qrows)
            bulk_insert(conn, crawl_link, lrows, skip_existing=True)
            bulk_insert(conn, crawl_skip, srows)
            bulk_insert(conn, crawl_tls, trows)
    return len(fetch)


def trim_unindexed(engine: Engine, out_dir: Path, site: str, prefix: str,
                   item_ends: dict[str, int] | None = None) -> None:
    """Cut WARC tails written after the last committed index row (a killed run), keeping files readable.

    With item_ends (from recover_tail) a file keeps every complete item and loses only a torn tail.
    Files of this site (named prefix-*) with nothing indexed or complete are removed: they are refetched.
    """
    item_ends = item_ends or {}
    with engine.connect() as conn:
        rows = conn.execute(select(crawl_fetch.c.warc, func.max(crawl_fetch.c.warc_end))
                            .where(crawl_fetch.c.site == site, crawl_fetch.c.warc.is_not(None))
                            .group_by(crawl_fetch.c.warc)).all()
    ends = dict(item_ends)
    for rel, end in rows:
        if end is not None:
            ends[rel] = max(end, ends.get(rel, 0))
    indexed = set()
    for rel, end in ends.items():
        p = Path(out_dir) / rel
        indexed.add(p.name)
        if p.exists() and p.stat().st_size > end:
            with open(p, "r+b") as f:
                f.truncate(end)
    wdir = Path(out_dir) / "warc"
    if wdir.is_dir():
        for p in wdir.glob(f"{prefix}-r*.warc.gz"):
            if p.name not in indexed:
                p.unlink()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
