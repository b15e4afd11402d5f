"""Writes a NoticeDoc to disk: one xlsx per attachment, the docx notice and optionally its PDF."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import get_args

from govcheck.report.doc import Attachment, NoticeDoc, Paragraph, ParaStyle, Table
from govcheck.report.docx import GB9704, Layout, write_docx
from govcheck.report.pdf import DEFAULT_TIMEOUT_S, PdfError, docx_to_pdf
from govcheck.report.xlsx import write_xlsx

__all__ = ["render_notice", "safe_file_name", "checked_notice", "NoticeError", "PdfError"]

# Characters no common file system accepts in a name; the rest (CJK, spaces, （）) are kept as printed.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


# XML 1.0 cannot hold these (text scraped from pages sometimes carries them); Word and Excel refuse them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_STYLES = set(get_args(ParaStyle))


class NoticeError(ValueError):
    """The NoticeDoc cannot be laid out; the message names the attachment, table, row and column."""


def _clean(value) -> str:
    text = "" if value is None else str(value)
    return _XML_ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def checked_notice(doc: NoticeDoc) -> NoticeDoc:
    """A copy of `doc` with printable text only, or NoticeError naming the first structural problem."""
    if not _clean(doc.title).strip():
        raise NoticeError("通报标题为空")
    body = []
    for i, par in enumerate(doc.body, start=1):
        if par.style not in _STYLES:
            raise NoticeError(f"通报正文第{i}段的样式“{par.style}”未知（可用：{'、'.join(sorted(_STYLES))}）")
        body.append(Paragraph(_clean(par.text), par.style))
    attachments = []
    for att in doc.attachments:
        where = att.label or "（无编号附件）"
        if not _clean(att.label).strip() or not _clean(att.title).strip():
            raise NoticeError(f"{where}：附件编号或标题为空")
        tables = []
        for k, t in enumerate(att.tables, start=1):
            if not t.header:
                raise NoticeError(f"{where} 表{k}：没有表头")
            n = len(t.header)
            if t.widths_mm is not None and (len(t.widths_mm) != n or any(not w or w <= 0 for w in t.widths_mm)):
                raise NoticeError(f"{where} 表{k}：列宽 widths_mm 应为 {n} 个正数，实际为 {t.widths_mm}")
            rows = []
            for r, row in enumerate(t.rows, start=1):
                if len(row) != n:
                    raise NoticeError(f"{where} 表{k} 第{r}行：有 {len(row)} 列，表头有 {n} 列（{'、'.join(t.header)}）")
                rows.append([_clean(c) for c in row])
            tables.append(Table(header=[_clean(h) for h in t.header], rows=rows, widths_mm=t.widths_mm,
                                max_chars=t.max_chars))
        attachments.append(Attachment(label=_clean(att.label), title=_clean(att.title), tables=tables))
    return replace(doc, title=_clean(doc.title), recipients=_clean(doc.recipients), body=body,
                   attachments=attachments, issuer=_clean(doc.issuer), date=_clean(doc.date),
                   doc_number=_clean(doc.doc_number) if doc.doc_number else None)


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
    Chinese message) if the PDF conversion fails; the xlsx and docx are written by then. Raises
    NoticeError before writing anything if the doc is malformed (e.g. a row with too many cells).
    """
    doc = checked_notice(doc)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    seen: set[str] = set()
    for att in doc.attachments:
        name = safe_file_name(att.file_stem, ".xlsx")
        if name in seen:
            raise ValueError(f"两个附件的文件名相同：{name}")
        seen.add(name)
        written.append(write_xlsx(att, out_dir / name, draft=doc.draft))
    docx_path = write_docx(doc, out_dir / safe_file_name(doc.file_stem, ".docx"), layout)
    written.append(docx_path)
    if pdf:
        written.append(docx_to_pdf(docx_path, out_dir, timeout=pdf_timeout))
    return written
