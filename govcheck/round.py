"""A round end to end from stored findings: score, compute the notice, write every output file.

`govcheck demo`, `score`, `report` and `inspect` all end here, so the files a user gets are always
produced the same way from the round's database.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from govcheck.model import Finding
from govcheck.notice import RoundView, build_notice
from govcheck.report.doc import NoticeDoc
from govcheck.rules import RuleSet, load_ruleset
from govcheck.score import apply_rules, score_round
from govcheck.store import RoundInfo, Store


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file and rename, so a killed command never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _json_default(o: Any) -> Any:
    if isinstance(o, date):
        return o.isoformat()
    raise TypeError(type(o))


@dataclass
class RoundResult:
    info: RoundInfo
    doc: NoticeDoc
    files: list[Path]
    view: RoundView


def rescore(store: Store, info: RoundInfo, rs: RuleSet) -> RoundView:
    """Re-print every finding from the rule set and recompute all scores (stored in one transaction each)."""
    items = apply_rules(store.findings(info.id), rs)
    sites = store.sites(info.id)
    accounts = store.accounts(info.id)
    scores = score_round(sites, accounts, items, rs)
    store.save_rescore(info.id, items, scores, rs)
    meta = dict(info.meta)
    meta.setdefault("name", info.name)
    return RoundView(meta=meta, rs=rs, sites=sites, accounts=accounts, findings=items, scores=scores)


def findings_json(items: list[Finding]) -> str:
    return json.dumps([f.to_dict() for f in items], ensure_ascii=False, indent=1, default=_json_default)


def write_outputs(out: Path, info: RoundInfo, view: RoundView, pdf: bool = False) -> tuple[NoticeDoc, list[Path]]:
    doc = build_notice(view)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    p = out / "findings.json"
    atomic_write_text(p, findings_json(view.findings))
    files.append(p)
    p = out / "scores.json"
    atomic_write_text(p, json.dumps([s.to_dict() for s in view.scores], ensure_ascii=False, indent=1))
    files.append(p)
    p = out / "round.json"
    atomic_write_text(p, json.dumps({
        "name": info.name, "at": info.at.isoformat(), "seed": info.seed,
        "rules": {"name": view.rs.name, "version": view.rs.version, "hash": view.rs.content_hash,
                  "files": view.rs.files},
        "sites": len(view.sites), "accounts": len(view.accounts), "findings": len(view.findings),
    }, ensure_ascii=False, indent=1, default=_json_default))
    files.append(p)
    comparison = view.meta.get("comparison")
    if comparison:
        files.append(write_comparison(out, comparison))
    from govcheck.report.render import render_notice

    files += render_notice(doc, out, pdf=pdf)
    return doc, files


def write_comparison(out: Path, rows: list[dict[str, Any]]) -> Path:
    """整改情况对比表: per unit, what the previous notice found and what is fixed, still failing or new."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "整改情况"
    ws.append(["单位名称", "已整改", "仍未整改", "新发现", "已整改对象", "仍未整改对象", "新发现对象"])
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append([r["unit"], r["fixed"], r["still_failing"], r["new"], "、".join(r["fixed_targets"]),
                   "、".join(r["still_failing_targets"]), "、".join(r["new_targets"])])
    for col, width in zip("ABCDEFG", (28, 8, 10, 8, 40, 40, 40)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    path = out / "整改情况对比表.xlsx"
    tmp = out / ".整改情况对比表.xlsx.tmp"
    wb.save(tmp)
    os.replace(tmp, path)
    return path


def open_round(round_dir: Path, db_url: str | None = None, key: str | None = None) -> tuple[Store, RoundInfo]:
    from govcheck.store import StoreError

    if db_url is None and not (Path(round_dir) / "round.sqlite").exists():
        raise StoreError(f"{round_dir} 不是轮次目录（其中没有 round.sqlite）")
    store = Store.for_dir(round_dir, db_url)
    return store, store.round(key or (None if db_url is None else str(Path(round_dir).resolve())))


def rules_for(info: RoundInfo, rules: str | None, overlays: list[str] | None = None) -> RuleSet:
    """The rule set named on the command line, else the round's own (its file if still there)."""
    if rules:
        return load_ruleset(rules, overlays)
    last = Path(info.rules_files[-1]) if info.rules_files else None
    base = info.rules_files[0] if info.rules_files else info.rules_name
    if last is not None and last.exists():
        # the stored chain starts at the base; loading its last file follows `extends` again
        return load_ruleset(last, overlays)
    return load_ruleset(Path(base).stem if base else info.rules_name, overlays)
