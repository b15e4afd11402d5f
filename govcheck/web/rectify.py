"""The rectification loop after publication: what each unit was sent, read, answered, and what a re-check found.

A unit sees the findings of the round's latest *published* version that name it (web_published), nothing else.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import and_, func, insert, select

from govcheck.store import findings, now
from govcheck.web.db import web_feedback, web_published, web_publications, web_reads, web_recheck
from govcheck.web.files import files_for
from govcheck.web.rounds import ConsoleError, NotFound, RoundHandle

MAX_FEEDBACK_CHARS = 5000
STATUS_FILTERS = {"read_fed": "已读已反馈", "read_unfed": "已读未反馈", "unread_unfed": "未读未反馈"}


def current_publication(h: RoundHandle) -> dict[str, Any] | None:
    """The latest published version (even while a next version is being drafted)."""
    with h.engine.connect() as c:
        r = c.execute(select(web_publications).where(web_publications.c.round_id == h.id)
                      .order_by(web_publications.c.version.desc()).limit(1)).mappings().first()
    return dict(r) if r else None


def published_findings(h: RoundHandle, unit: str | None = None, finding_id: str | None = None) -> list[dict[str, Any]]:
    """Findings as published in the current version, with read and feedback state; one unit's when given."""
    pub = current_publication(h)
    if pub is None:
        return []
    cond = [web_published.c.round_id == h.id, web_published.c.version == pub["version"]]
    if unit is not None:
        cond.append(web_published.c.unit == unit)
    if finding_id is not None:
        cond.append(web_published.c.finding_id == finding_id)
    with h.engine.connect() as c:
        rows = [dict(r) for r in c.execute(
            select(web_published.c.finding_id, web_published.c.unit, web_published.c.text, findings.c.code,
                   findings.c.target, findings.c.target_type, findings.c.account_type, findings.c.evidence,
                   findings.c.seq, web_reads.c.read_at, web_reads.c.read_by)
            .join(findings, and_(findings.c.round_id == web_published.c.round_id,
                                 findings.c.id == web_published.c.finding_id))
            .outerjoin(web_reads, and_(web_reads.c.round_id == web_published.c.round_id,
                                       web_reads.c.finding_id == web_published.c.finding_id))
            .where(*cond).order_by(findings.c.seq)).mappings()]
        ids = [r["finding_id"] for r in rows]
        fb: dict[str, list[dict[str, Any]]] = defaultdict(list)
        if ids:
            for r in c.execute(select(web_feedback).where(web_feedback.c.round_id == h.id,
                                                          web_feedback.c.finding_id.in_(ids))
                               .order_by(web_feedback.c.id)).mappings():
                fb[r["finding_id"]].append(dict(r))
    checks = latest_rechecks(h)
    deadline = pub["deadline"]
    files = files_for(h, "feedback", [str(f["id"]) for fs in fb.values() for f in fs])
    for r in rows:
        r["id"] = r["finding_id"]
        r["feedback"] = fb.get(r["finding_id"], [])
        for f in r["feedback"]:
            f["files"] = files.get(str(f["id"]), [])
        r["read"] = r["read_at"] is not None
        r["fed"] = bool(r["feedback"])
        r["overdue"] = not r["fed"] and date.today() > deadline
        chk = checks.get(r["target"])
        r["recheck"] = None
        if chk and chk["state"] == "done":
            r["recheck"] = dict((chk["results"] or {}).get(r["finding_id"]) or {}, at=chk["finished_at"],
                                at_date=chk["at_date"])
        ev = (r["evidence"] or [{}])[0] if isinstance(r["evidence"], list) and r["evidence"] else {}
        r["where"] = ev.get("path") or ev.get("title") or ev.get("url") or ""
    return rows


def unit_finding(h: RoundHandle, unit: str, finding_id: str) -> dict[str, Any]:
    """One published finding of this unit, or NotFound — the same answer whether it is another unit's or none."""
    rows = published_findings(h, unit=unit, finding_id=finding_id)
    if not rows:
        raise NotFound("没有该问题")
    return rows[0]


def mark_read(h: RoundHandle, unit: str, finding_ids: list[str], by: str) -> int:
    allowed = {r["finding_id"] for r in published_findings(h, unit=unit)}
    ids = [i for i in dict.fromkeys(finding_ids) if i in allowed]
    if len(ids) != len(set(finding_ids)):
        raise NotFound("没有该问题")
    with h.engine.begin() as c:
        done = {i for (i,) in c.execute(select(web_reads.c.finding_id).where(
            web_reads.c.round_id == h.id, web_reads.c.finding_id.in_(ids)))}
        rows = [dict(round_id=h.id, finding_id=i, unit=unit, read_at=now(), read_by=by) for i in ids if i not in done]
        if rows:
            c.execute(insert(web_reads), rows)
    return len(rows)


def add_feedback(h: RoundHandle, unit: str, finding_id: str, text: str, by: str) -> int:
    unit_finding(h, unit, finding_id)
    text = (text or "").strip()
    if not text:
        raise ConsoleError("请填写整改情况")
    if len(text) > MAX_FEEDBACK_CHARS:
        raise ConsoleError(f"整改情况不超过 {MAX_FEEDBACK_CHARS} 字")
    mark_read(h, unit, [finding_id], by)
    with h.engine.begin() as c:
        return c.execute(insert(web_feedback).values(round_id=h.id, finding_id=finding_id, unit=unit, text=text,
                                                     by=by, at=now())).inserted_primary_key[0]


def by_unit(h: RoundHandle, status: str = "") -> list[dict[str, Any]]:
    """The office's table: per unit, findings sent, read / unread, answered / not, overdue."""
    rows = published_findings(h)
    units: dict[str, dict[str, Any]] = {}
    for r in rows:
        u = units.setdefault(r["unit"], {"unit": r["unit"], "n": 0, "read": 0, "fed": 0, "overdue": 0,
                                         "fixed": 0, "not_fixed": 0, "statuses": set()})
        u["statuses"].add("read_fed" if r["fed"] else "read_unfed" if r["read"] else "unread_unfed")
        u["n"] += 1
        u["read"] += r["read"]
        u["fed"] += r["fed"]
        u["overdue"] += r["overdue"]
        res = (r["recheck"] or {}).get("result")
        u["fixed"] += res == "已整改"
        u["not_fixed"] += res == "未整改"
    out = list(units.values())
    for u in out:
        u["unread"] = u["n"] - u["read"]
        u["unfed"] = u["n"] - u["fed"]
    if status in STATUS_FILTERS:  # units with at least one finding in that state (as the 整改通知 filters work)
        out = [u for u in out if status in u["statuses"]]
    return out


def latest_rechecks(h: RoundHandle) -> dict[str, dict[str, Any]]:
    with h.engine.connect() as c:
        rows = c.execute(select(web_recheck).where(web_recheck.c.round_id == h.id).order_by(web_recheck.c.id)).mappings()
        return {r["target"]: dict(r) for r in rows}


def counts(h: RoundHandle) -> dict[str, int]:
    with h.engine.connect() as c:
        return {"feedback": c.execute(select(func.count()).select_from(web_feedback)
                                      .where(web_feedback.c.round_id == h.id)).scalar() or 0}
