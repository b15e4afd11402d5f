"""Writes a NoticeDoc to disk: one xlsx per attachment, the docx notice and optionally its PDF."""
from __future__ import annotations

import re
from pathlib import Path

from govcheck.report.doc import NoticeDoc
from govcheck.report.docx import GB9704, Layout, write_docx
from govcheck.report.pdf import DEFAULT_TIMEOUT_S, PdfError, docx_to_pdf
from govcheck.report.xlsx import write_xlsx

__all__ = ["render_notice", "safe_file_name", "PdfError"]

# Characters no common file system accepts in a name; the rest (CJK, spaces, （）) are kept as printed.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_file_name(stem: str, suffix: str) -> str:
    cleaned = _UNSAFE.sub("_", stem).strip().rstrip(".")
    if not cleaned:
        raise ValueError(f"文件名为空：{stem!r}")
    return cleaned + suffix


def render_notice(doc: NoticeDoc, out_dir: Path, pdf: bool = False, *, layout: Layout = GB9704,
                  pdf_timeout: float = DEFAULT_TIMEOUT_S) -> list[Path]:
    """Write `附件N <title>.xlsx` for each attachment, `通报 <title>.docx` and, with pdf=True, its PDF.

    The 落款 and 成文日期 are the body's "signature"/"date" paragraphs when it has them, else
    doc.issuer and doc.date. Returns the written paths in that order. Raises PdfError (with a
    Chinese message) if the PDF conversion fails; the xlsx and docx are written by then.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    seen: set[str] = set()
    for att in doc.attachments:
        name = safe_file_name(att.file_stem, ".xlsx")
        if name in seen:
            raise ValueError(f"两个附件的文件名相同：{name}")
        seen.add(name)
        written.append(write_xlsx(att, out_dir / name))
    docx_path = write_docx(doc, out_dir / safe_file_name(doc.file_stem, ".docx"), layout)
    written.append(docx_path)
    if pdf:
        written.append(docx_to_pdf(docx_path, out_dir, timeout=pdf_timeout))
    return written
