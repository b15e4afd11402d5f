"""The feeds and exports accounts are judged on, archived like the crawl's pages: one WARC file in the round's
warc/ folder, each record cited (file, offset, record id, SHA-256 of the payload) by the account's findings.

A feed fetched over HTTP is written with the fetch layer's own records (collect.archive.HopWriter: request,
response with its true status line, redirects); a posts export read from disk becomes a WARC resource record.
The same export shared by several accounts is archived once. Reading a record back (collect.query.read_record)
gives the bytes the SHA-256 is of.
"""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from govcheck.collect.archive import HopWriter
from govcheck.collect.query import read_record
from govcheck.model import Archive

FILE_NAME = "accounts.warc.gz"


class FeedArchive:
    def __init__(self, round_dir: str | Path, name: str = FILE_NAME):
        self.round_dir = Path(round_dir)
        self.rel = f"warc/{name}"
        self.writer = HopWriter(self.round_dir / self.rel)
        self._files: dict[str, Archive] = {}
        self._lock = threading.Lock()

    def _archive(self, offset: int | None, record_id: str | None) -> Archive | None:
        if offset is None or record_id is None:
            return None
        _, _, payload = read_record(self.round_dir, self.rel, offset)
        return Archive(warc=self.rel, record_id=record_id, sha256=hashlib.sha256(payload).hexdigest(), offset=offset)

    def fetched(self, result) -> Archive | None:
        """The final response of a fetch (collect.fetch.FetchResult), or None when none arrived."""
        hops = getattr(result, "hops", None)
        if not hops:
            return None
        with self._lock:
            offset, rid = self.writer.write(hops)
            return self._archive(offset, rid)

    def file(self, path: str | Path) -> Archive | None:
        """A posts export read from disk (once per file); None when it cannot be read."""
        p = Path(path)
        key = str(p.resolve())
        with self._lock:
            if key in self._files:
                return self._files[key]
            try:
                body = p.read_bytes()
            except OSError:
                return None
            ctype = "text/csv" if p.suffix.lower() == ".csv" else "application/octet-stream"
            offset, rid = self.writer.write_resource(f"file:{p.name}", body, ctype)  # no machine path
            a = self._archive(offset, rid)
            if a is not None:
                self._files[key] = a
            return a
