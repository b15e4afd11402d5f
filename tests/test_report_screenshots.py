"""问题截图.docx: per unit, each finding's crop with its URL and time; a picture whose bytes do not match the
recorded SHA-256 is left out and the pack says so."""
from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

from docx import Document

from govcheck.model import Evidence, Finding
from govcheck.report.screenshots import write_screenshots_docx


def _png(w: int, h: int, rgb=(200, 0, 0)) -> bytes:
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + bytes(rgb) * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _finding(tmp: Path, unit: str, name: str, png: bytes, *, tamper: bool = False) -> Finding:
    (tmp / "screenshots").mkdir(exist_ok=True)
    rel = f"screenshots/{name}.png"
    (tmp / rel).write_bytes(png + (b"x" if tamper else b""))
    shot = {"path": rel, "sha256": hashlib.sha256(png).hexdigest(), "box": {"width": 40, "height": 20},
            "taken_at": "2026-12-03T08:00:00+00:00"}
    ev = Evidence(url=f"http://{name}.example.gov.cn/xwdt/", path="首页>新闻动态", date="2021-03-05",
                  fetched_at="2026-12-03T07:59:00+00:00", screenshot=shot)
    return Finding(unit=unit, target=f"http://{name}.example.gov.cn/", target_type="site", code="D04.2",
                   text="动态要闻类栏目超过2周未更新的，扣5分。", evidence=[ev])


def test_pack_lists_units_in_order_with_crop_url_and_time(tmp_path):
    fs = [_finding(tmp_path, "乙局", "b", _png(40, 20)), _finding(tmp_path, "甲局", "a", _png(40, 20, (0, 0, 200))),
          _finding(tmp_path, "甲局", "c", _png(40, 20), tamper=True),
          Finding(unit="甲局", target="x", target_type="site", code="D01.1", text="无截图")]
    out = write_screenshots_docx(tmp_path, fs, ["甲局", "乙局"], "2026年第四季度")
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert text.index("甲局") < text.index("乙局")
    assert "http://a.example.gov.cn/xwdt/" in text and "2026-12-03 16:00" in text  # China time
    assert "无截图" not in text  # a finding without a screenshot is not in the pack
    assert text.count("未附图") == 1  # the tampered picture is left out, and said so
    pics = [r for r in doc.part.rels.values() if "image" in r.reltype]
    assert len(pics) == 2
    blobs = {hashlib.sha256(r.target_part.blob).hexdigest() for r in pics}
    assert blobs == {hashlib.sha256(_png(40, 20)).hexdigest(), hashlib.sha256(_png(40, 20, (0, 0, 200))).hexdigest()}
    for p in doc.paragraphs:
        for r in p.runs:
            if not r.text:
                continue  # a picture's run
            assert r._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")


def test_no_screenshots_no_pack(tmp_path):
    f = Finding(unit="甲局", target="x", target_type="site", code="D01.1", text="无截图")
    assert write_screenshots_docx(tmp_path, [f], ["甲局"], "") is None
