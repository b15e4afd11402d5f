"""What the browser saw, in the round's WARC files: the rendered DOM and each screenshot as WARC `conversion`
records that refer to the archived response they were made from (WARC-Refers-To its record id,
WARC-Refers-To-Target-URI its URL), so the evidence chain stays one format. The screenshot's target URI is
`urn:screenshot:<page URL>` (the convention of Webrecorder's crawlers); the rendered DOM keeps the page URL."""
from __future__ import annotations

import datetime as dt
from pathlib import Path


class RenderArchive:
    def __init__(self, out: Path, label: str = "render"):
        from govcheck.collect.archive import HopWriter

        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d%H%M%S%f")
        self.warc = f"warc/{label}-{stamp}.warc.gz"
        self.writer = HopWriter(Path(out) / self.warc)

    def _extra(self, url: str, refers_to: str | None) -> list[tuple[str, str]]:
        extra = [("WARC-Refers-To-Target-URI", url)]
        if refers_to:
            extra.insert(0, ("WARC-Refers-To", refers_to))
        return extra

    def add_dom(self, url: str, html: str, refers_to: str | None) -> tuple[int, str]:
        """The DOM as rendered; returns (offset, record id)."""
        return self.writer.write_resource(url, html.encode("utf-8"), "text/html; charset=utf-8",
                                          rtype="conversion", extra=self._extra(url, refers_to))

    def add_png(self, url: str, png: bytes, refers_to: str | None) -> tuple[int, str]:
        return self.writer.write_resource(f"urn:screenshot:{url}", png, "image/png", rtype="conversion",
                                          extra=self._extra(url, refers_to))
