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


@dataclass
class Attachment:
    label: str  # 附件1
    title: str  # 2022年咸宁市政府网站第二季度抽查监测情况表
    tables: list[Table] = field(default_factory=list)

    @property
    def file_stem(self) -> str:
        return f"{self.label} {self.title}"


@dataclass
class NoticeDoc:
    title: str  # 关于……的通报
    recipients: str  # 主送机关, e.g. 各县（市、区）人民政府，市政府各部门：
    body: list[Paragraph]
    attachments: list[Attachment]
    issuer: str  # 落款 (发文机关署名)
    date: str  # 成文日期 as printed: 2022年6月22日
    doc_number: str | None = None  # 发文字号, optional

    @property
    def file_stem(self) -> str:
        return f"通报 {self.title}"
