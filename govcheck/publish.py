"""Publishing a round: the gate (govcheck.report.gate) decides whether anything is still open; this issues
the notice and its attachments as final, under the round's lock, and records who published what and why.

Apart from govcheck.report (layout only) because it drives the round: it re-scores and writes the outputs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from govcheck.lock import round_lock
from govcheck.report.gate import GateStatus, gate_status
from govcheck.round import open_round, rescore, rules_for, write_outputs


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
    store, info = open_round(round_dir, db, key)
    return gate_status(store.findings(info.id), store.manual_items(info.id))


def publish(round_dir: Path, *, by: str, db: str | None = None, key: str | None = None,
            allow_open: str | None = None, pdf: bool = False,
            command: str = "govcheck report --final") -> Publication:
    """Re-score the round and write its outputs as final, or raise PublishRefused.

    With items open, `allow_open` must give the reason to publish anyway; it is recorded (who, when,
    what was open, the files written) in the round's publications table and in round.json, and keeps a
    copy of the published files in 已发布/<UTC time>/ (see keep_published).
    """
    if not by or not by.strip():
        raise ValueError("定稿发布须注明发布人")
    if allow_open is not None and not allow_open.strip():
        raise ValueError("带未办结事项发布须写明理由")
    open_round(round_dir, db, key)  # a round folder, before its lock file is made there
    with round_lock(round_dir, command):
        store, info = open_round(round_dir, db, key)
        view = rescore(store, info, rules_for(info, None), command=command)
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
