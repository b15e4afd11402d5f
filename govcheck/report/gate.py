"""The gate before publishing: a notice is a draft while anything it rests on is still open.

Open means a finding still 待复核 (review "pending") or a 需人工核查 item without a result. While either
exists, every output carries a draft mark with the counts (`draft_mark`), and `publish` refuses unless
the caller gives a reason to publish anyway, which is recorded with who and when. `govcheck report
--final` and the console's 发布 button both go through `publish`.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
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


class PublishRefused(RuntimeError):
    """Publishing was asked for while items are open and no reason to publish anyway was given."""

    def __init__(self, status: GateStatus):
        self.status = status
        super().__init__(f"不能定稿发布：{status.counts_text()}。")


PUBLISHED_DIR = "已发布"


@dataclass
class Publication:
    files: list[Path]
    status: GateStatus
    allow_open_reason: str | None
    kept: list[Path] = field(default_factory=list)  # the copy in 已发布/<time>/


def round_status(round_dir: Path, db: str | None = None, key: str | None = None) -> GateStatus:
    """The gate of a round on disk (for a console to show before its 发布 button)."""
    from govcheck.round import open_round

    store, info = open_round(round_dir, db, key)
    return gate_status(store.findings(info.id), store.manual_items(info.id))


def publish(round_dir: Path, *, by: str, db: str | None = None, key: str | None = None,
            allow_open: str | None = None, pdf: bool = False) -> Publication:
    """Re-score the round and write its outputs as final, or raise PublishRefused.

    With items open, `allow_open` must give the reason to publish anyway; it is recorded (who, when,
    what was open, the files written) in the round's publications table and in round.json, and keeps a
    copy of the published files in 已发布/<UTC time>/ (see keep_published).
    """
    from govcheck.round import open_round, rescore, rules_for, write_outputs

    if not by or not by.strip():
        raise ValueError("定稿发布须注明发布人")
    if allow_open is not None and not allow_open.strip():
        raise ValueError("带未办结事项发布须写明理由")
    store, info = open_round(round_dir, db, key)
    view = rescore(store, info, rules_for(info, None))
    status = gate_status(view.findings, view.manual)
    if status.is_open and allow_open is None:
        raise PublishRefused(status)
    reason = allow_open.strip() if (status.is_open and allow_open) else None
    record = {"by": by.strip(), "pending_findings": len(status.pending), "open_manual": len(status.manual_open),
              "allow_open_reason": reason}
    _, files = write_outputs(Path(round_dir), info, view, pdf=pdf, final=record)
    kept = keep_published(Path(round_dir), files)
    store.record_publication(info.id, by=by.strip(), pending_findings=len(status.pending),
                             open_manual=len(status.manual_open), allow_open_reason=reason,
                             files=[p.relative_to(Path(round_dir)).as_posix() for p in kept])
    return Publication(files=files, status=status, allow_open_reason=reason, kept=kept)


def keep_published(round_dir: Path, files: list[Path]) -> list[Path]:
    """A copy of what was published, in 已发布/<UTC time>/: a later review or re-score rewrites the round's
    outputs as a new draft, and the version that went out must stay as it went out."""
    import shutil
    from datetime import datetime, timezone

    dest = round_dir / PUBLISHED_DIR / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    dest.mkdir(parents=True, exist_ok=True)
    kept = []
    for f in files:
        if f.is_file():
            target = dest / f.name
            shutil.copy2(f, target)
            kept.append(target)
    return kept
