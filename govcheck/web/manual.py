"""需人工核查 worklist: what the checks could not decide, and the inspector's result for each item.

The items are the round store's own (`manual_items`, kept by save_round and read by the publication gate and by
`govcheck findings import`), so the console, the CLI and 人工核查清单.xlsx work on one list.

A result is either 无问题 (with a note) or a finding: a manual finding in the round store (source "manual"),
confirmed in the review log under the inspector's name with the note as the reason, and the target rescored.
Uploaded screenshots are kept as files of the round; the first image becomes the finding's evidence screenshot.
"""
from __future__ import annotations

import math
from typing import Any

from sqlalchemy import func, select

from govcheck.model import Evidence, Finding
from govcheck.store import manual_items as web_manual
from govcheck.web.review import rescore_targets
from govcheck.web.rounds import ConsoleError, NotFound, RoundHandle

STATE_LABELS = {"open": "待核查", "finding": "已记为问题", "clear": "无问题"}


def _row(r) -> dict[str, Any]:
    d = dict(r)
    d["state"] = d.pop("status")
    d["note"] = d.pop("result_note")
    d["by"] = d.pop("result_by")
    d["at"] = d.pop("result_at")
    d["state_label"] = STATE_LABELS.get(d["state"], d["state"])
    return d


def worklist(h: RoundHandle, state: str, code: str, unit: str, page: int, page_size: int) -> dict[str, Any]:
    cond = [web_manual.c.round_id == h.id]
    if state in STATE_LABELS:
        cond.append(web_manual.c.status == state)
    if code:
        cond.append(web_manual.c.code == code)
    if unit:
        cond.append(web_manual.c.unit.contains(unit, autoescape=True))
    with h.engine.connect() as c:
        total = c.execute(select(func.count()).select_from(web_manual).where(*cond)).scalar() or 0
        pages = max(1, math.ceil(total / page_size))
        page = max(1, min(page, pages))
        rows = [_row(r) for r in c.execute(select(web_manual).where(*cond).order_by(web_manual.c.seq)
                                           .limit(page_size).offset((page - 1) * page_size)).mappings()]
        per_state = dict(c.execute(select(web_manual.c.status, func.count()).where(web_manual.c.round_id == h.id)
                                   .group_by(web_manual.c.status)).all())
        codes = [x for (x,) in c.execute(select(web_manual.c.code).where(web_manual.c.round_id == h.id)
                                         .group_by(web_manual.c.code))]
    return {"rows": rows, "total": total, "page": page, "pages": pages, "counts": per_state, "codes": sorted(codes)}


def get_item(h: RoundHandle, item_id: str) -> dict[str, Any]:
    with h.engine.connect() as c:
        r = c.execute(select(web_manual).where(web_manual.c.round_id == h.id, web_manual.c.id == item_id)).mappings().first()
    if r is None:
        raise NotFound("没有该核查事项")
    return _row(r)


def site_rules(h: RoundHandle) -> list[tuple[str, str]]:
    """(code, wording) of the rules an inspector may record against a site."""
    out = []
    for code, rule in h.rs.rules.items():
        if rule.target == "site":
            try:
                text = rule.render({})
            except Exception:  # noqa: BLE001 - wording with placeholders the inspector fills in the note
                text = code
            out.append((code, text))
    return out


def record(h: RoundHandle, item_id: str, *, result: str, note: str, by: str, code: str = "", url: str = "",
           path: str = "", title: str = "", screenshot: dict[str, str] | None = None) -> dict[str, Any]:
    """Close one item as 无问题 (result "clear") or as a finding (result "finding"); returns score changes."""
    note = (note or "").strip()
    if not note:
        raise ConsoleError("请填写核查说明")
    with h.lock:
        h.require_draft()
        item = get_item(h, item_id)
        if item["state"] != "open":
            raise ConsoleError(f"该事项已处理（{item['state_label']}）")
        changes: list[dict[str, Any]] = []
        finding_id = None
        if result == "finding":
            code = (code or item["code"]).strip()
            rule = h.rs.rules.get(code)
            if rule is None or rule.target != "site":
                raise ConsoleError(f"请选择一条网站规则（{code or '未选择'} 不是本规则集的网站规则）")
            ev = Evidence(url=(url or (item["urls"] or [item["target"]])[0]).strip() or None,
                          path=path.strip() or None, title=title.strip() or None, note=note[:200],
                          screenshot={"path": screenshot["path"], "sha256": screenshot["sha256"]} if screenshot else None)
            f = Finding(unit=item["unit"], target=item["target"], target_type="site", code=code,
                        evidence=[ev], review="confirmed", source="manual")
            h.store.resolve_manual(h.id, [(item_id, "finding", by, note, f)])
            finding_id = f.id
            h.forget_units()
            changes = rescore_targets(h, {("site", item["target"])})
        elif result == "clear":
            h.store.resolve_manual(h.id, [(item_id, "clear", by, note, None)])
        else:
            raise ConsoleError("未知核查结果")
        return {"finding_id": finding_id, "changes": changes}

