"""问题截图.docx: the evidence pack an office sends with the notice — per unit, each finding that has a
screenshot (from the browser pass, `Evidence.screenshot`) with its crop (the element outlined), the URL and
the time it was taken, and the SHA-256 of the picture so the unit can check it is the archived one.
Words come from report/data/screenshots.yaml."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
from pathlib import Path
from typing import Any

import yaml

from govcheck.model import Finding

DATA = Path(__file__).resolve().parent / "data" / "screenshots.yaml"


@functools.lru_cache(maxsize=1)
def words() -> dict[str, Any]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def shots_of(f: Finding) -> list[tuple[Any, dict[str, Any]]]:
    return [(e, e.screenshot) for e in f.evidence if e.screenshot and e.screenshot.get("path")]


def _local_time(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")


def write_screenshots_docx(round_dir: Path, findings: list[Finding], unit_order: list[str], title: str,
                           path: Path | None = None) -> Path | None:
    """Write 问题截图.docx in the round folder; None when no finding has a screenshot. A picture whose bytes no
    longer match the recorded SHA-256 is not put in (the list says so)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    w = words()
    with_shots = [f for f in findings if shots_of(f) and f.review != "dismissed"]
    if not with_shots:
        return None
    order = {u: i for i, u in enumerate(unit_order)}
    with_shots.sort(key=lambda f: (order.get(f.unit, len(order)), f.unit, f.code))
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin = sec.right_margin = Mm(20)
    sec.top_margin = sec.bottom_margin = Mm(20)
    width = sec.page_width - sec.left_margin - sec.right_margin

    def run(p, text: str, size: float, font: str, bold: bool = False):
        r = p.add_run(text)
        r.font.size, r.font.bold, r.font.name = Pt(size), bold, font
        rpr = r._element.get_or_add_rPr()  # noqa: SLF001 - python-docx has no east-Asian font setter
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)
        return r

    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(p, w["title"].format(title=title), 18, w["fonts"]["title"], bold=True)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(p, w["intro"], 10.5, w["fonts"]["body"])
    unit = None
    n = 0
    for f in with_shots:
        if f.unit != unit:
            unit = f.unit
            n = 0
            h = doc.add_paragraph()
            run(h, unit, 15, w["fonts"]["heading"], bold=True)
        n += 1
        for ev, shot in shots_of(f):
            p = doc.add_paragraph()
            run(p, f"{n}. {f.text}", 12, w["fonts"]["body"], bold=True)
            pic = round_dir / shot["path"]
            ok = pic.is_file() and hashlib.sha256(pic.read_bytes()).hexdigest() == shot.get("sha256")
            if ok:
                box = shot.get("box") or {}
                pw = float(box.get("width") or 1000)
                doc.add_picture(str(pic), width=min(width, int(width * pw / 1000)) if pw < 1000 else width)
            lines = []
            if ev.path:
                lines.append(f"{w['labels']['path']}：{ev.path}")
            lines.append(f"{w['labels']['url']}：{ev.url}")
            if ev.date:
                lines.append(f"{w['labels']['date']}：{ev.date}")
            lines.append(f"{w['labels']['taken']}：{_local_time(shot.get('taken_at'))}")
            lines.append(f"{w['labels']['fetched']}：{_local_time(ev.fetched_at)}")
            lines.append(f"{w['labels']['sha256']}：{shot.get('sha256')}")
            if not ok:
                lines.append(w["missing"])
            for line in lines:
                q = doc.add_paragraph()
                run(q, line, 9, w["fonts"]["body"])
    out = path or (round_dir / w["file"])
    tmp = out.with_suffix(".tmp.docx")
    doc.save(str(tmp))
    tmp.replace(out)
    return out
