"""The notice (通报) as content, before layout.

The round core computes every sentence, number and table row into a NoticeDoc; the renderers
(docx, xlsx, pdf) only lay it out, so the narrative and the tables can never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# heading2 is a run-in heading: "（一）标题。" followed by body text in the same paragraph.
ParaStyle = Literal["heading1", "heading2", "body", "attachment_list", "signature", "date"]


@dataclass
class Paragraph:
    text: str
    style: ParaStyle = "body"


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    widths_mm: list[float] | None = None  # relative column widths; renderers scale to the page
    max_chars: list[float | None] | None = None  # per column: widest it may grow, in characters (None: no cap);
    # a cell wider than its column breaks at a sensible point (govcheck.report.docx.break_name)


@dataclass
class Attachment:
    label: str  # 附件1
    title: str  # 2022年咸宁市政府网站第二季度抽查监测情况表
    tables: list[Table] = field(default_factory=list)

    @property
    def file_stem(self) -> str:
        return f"{self.label} {self.title}"


@dataclass
class Masthead:
    """版头 (GB/T 9704 7.2): the issuing organ's mark in red, the 发文字号 and the red separator line."""

    mark: str  # 发文机关标志, e.g. 咸宁市政务公开领导小组办公室文件
    doc_number: str | None = None  # 发文字号, e.g. 咸政务公开办〔2022〕3号
    color: str = "FF0000"  # 红色


@dataclass
class Colophon:
    """版记 (GB/T 9704 7.4): 抄送机关, 印发机关 and 印发日期 between separator lines, at the foot of the last page."""

    cc: str | None = None  # 抄送机关, as printed after "抄送："
    printer: str | None = None  # 印发机关
    print_date: str | None = None  # 印发日期 as printed, e.g. 2022年6月22日 (印发 is added)


@dataclass
class NoticeDoc:
    title: str  # 关于……的通报
    recipients: str  # 主送机关, e.g. 各县（市、区）人民政府，市政府各部门：
    body: list[Paragraph]
    attachments: list[Attachment]
    issuer: str  # 落款 (发文机关署名)
    date: str  # 成文日期 as printed: 2022年6月22日
    doc_number: str | None = None  # 发文字号, optional (printed in the masthead when there is one)
    masthead: Masthead | None = None
    colophon: Colophon | None = None
    draft: str | None = None  # header line of a draft, e.g. 征求意见稿（尚有待复核问题3条）; None when final

    @property
    def file_stem(self) -> str:
        return f"通报 {self.title}"
