"""The gate before publishing: a notice is a draft while anything it rests on is still open.

Open means a finding still 待复核 (review "pending") or a 需人工核查 item without a result. While either
exists, every output carries a draft mark with the counts (`draft_mark`), and `publish` refuses unless
the caller gives a reason to publish anyway, which is recorded with who and when. `govcheck report
--final` and the console's 发布 button both go through `publish`.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from govcheck.model import Finding
from govcheck.store import ManualRecord

DEFAULT_DRAFT_LABEL = "征求意见稿"


@dataclass
class GateStatus:
    """What is still open in a round; `is_open` decides draft or final."""

    pending: list[Finding] = field(default_factory=list)  # 待复核
    manual_open: list[ManualRecord] = field(default_factory=list)  # 需人工核查, no result yet

    @property
    def is_open(self) -> bool:
        return bool(self.pending or self.manual_open)

    def counts_text(self) -> str:
        """尚有待复核问题116条、需人工核查事项1270项 (only the parts that are non-zero)."""
        parts = []
        if self.pending:
            parts.append(f"待复核问题{len(self.pending)}条")
        if self.manual_open:
            parts.append(f"需人工核查事项{len(self.manual_open)}项")
        return ("尚有" + "、".join(parts)) if parts else "无未办结事项"

    def listing(self, limit: int = 10) -> list[str]:
        """Lines a person can act on: counts by unit and by rule, then the first items with their ids."""
        lines: list[str] = []
        if self.pending:
            by_unit = Counter(f.unit for f in self.pending)
            lines.append(f"待复核问题 {len(self.pending)} 条（按单位：" +
                         "、".join(f"{u}{n}条" for u, n in by_unit.most_common(limit)) +
                         ("等" if len(by_unit) > limit else "") + "）")
            for f in self.pending[:limit]:
                lines.append(f"  {f.id}  {f.unit}  {f.code}  {f.text}")
            if len(self.pending) > limit:
                lines.append(f"  ……另有 {len(self.pending) - limit} 条")
        if self.manual_open:
            by_code = Counter(m.code for m in self.manual_open)
            lines.append(f"需人工核查事项 {len(self.manual_open)} 项（按规则：" +
                         "、".join(f"{c} {n}项" for c, n in by_code.most_common(limit)) +
                         ("等" if len(by_code) > limit else "") + "）")
            for m in self.manual_open[:limit]:
                lines.append(f"  {m.unit}  {m.code}  {m.what}")
            if len(self.manual_open) > limit:
                lines.append(f"  ……另有 {len(self.manual_open) - limit} 项")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {"open": self.is_open, "pending_findings": len(self.pending),
                "open_manual": len(self.manual_open), "text": self.counts_text()}


def gate_status(findings: list[Finding], manual: list[ManualRecord]) -> GateStatus:
    return GateStatus(pending=[f for f in findings if f.review == "pending"],
                      manual_open=[m for m in manual if m.is_open])


def draft_mark(status: GateStatus, label: str | None = None) -> str | None:
    """The header line of a draft (征求意见稿（尚有待复核问题N条、需人工核查事项M项）), or None when final."""
    if not status.is_open:
        return None
    return f"{label or DEFAULT_DRAFT_LABEL}（{status.counts_text()}）"
