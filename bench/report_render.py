"""How long laying out a notice takes: docx + xlsx for growing attachment tables, and the PDF step.

Usage: python bench/report_render.py [--units 40 400 2000] [--pdf]
The notice body is the test fixture's; attachment 1 is repeated up to --units rows so the table
size grows while the cell texts stay realistic (multi-line findings from the 2022-Q2 sample).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govcheck.report.doc import Attachment, NoticeDoc, Paragraph, Table  # noqa: E402
from govcheck.report.render import render_notice  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "report" / "notice.json"


def notice_with(units: int) -> NoticeDoc:
    d = json.loads(FIXTURE.read_text(encoding="utf-8"))
    atts = []
    for a in d["attachments"]:
        tables = [Table(**t) for t in a["tables"]]
        atts.append(Attachment(a["label"], a["title"], tables))
    base = atts[0].tables[0].rows
    atts[0].tables[0].rows = [[f"{r[0]}{i // len(base) or ''}", r[1], r[2]]
                              for i, r in enumerate(base * (units // len(base) + 1))][:units]
    return NoticeDoc(d["title"], d["recipients"], [Paragraph(**p) for p in d["body"]], atts,
                     d["issuer"], d["date"])


def pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, nargs="+", default=[40, 400, 2000])
    ap.add_argument("--pdf", action="store_true", help="also convert each docx with LibreOffice")
    args = ap.parse_args()
    print("| 附件1 行数 | docx+xlsx 秒 | docx KB | PDF 秒 | PDF 页数 |")
    print("|---:|---:|---:|---:|---:|")
    for n in args.units:
        doc = notice_with(n)
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            paths = render_notice(doc, Path(tmp), pdf=False)
            t1 = time.perf_counter()
            docx = paths[-1]
            size = docx.stat().st_size // 1024
            pdf_s, npages = "-", "-"
            if args.pdf:
                from govcheck.report.pdf import docx_to_pdf

                t2 = time.perf_counter()
                pdf = docx_to_pdf(docx, Path(tmp), timeout=600)
                pdf_s = f"{time.perf_counter() - t2:.1f}"
                npages = str(pages(pdf))
        print(f"| {n} | {t1 - t0:.2f} | {size} | {pdf_s} | {npages} |")


if __name__ == "__main__":
    main()
