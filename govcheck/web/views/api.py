"""JSON API (token auth) for other systems: rounds, scores, findings, evidence metadata.

A unit's token sees what the unit sees in the console: published rounds, its own published findings, and the
scores as published (the version's scores.json), never the office's draft.
"""
from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from govcheck.web import evidence as evd
from govcheck.web import rectify as rt
from govcheck.web import review as rv
from govcheck.web.app import Console, api_view
from govcheck.web.auth import User
from govcheck.web.rounds import ConsoleError, NotFound, RoundHandle

MAX_PAGE_SIZE = 500


def _round(console: Console, user: User, slug: str) -> tuple[RoundHandle, dict | None]:
    h = console.rounds.get(slug)
    pub = rt.current_publication(h)
    if not user.is_office and pub is None:
        raise NotFound("没有该轮次")
    return h, pub


def _round_json(h: RoundHandle, pub: dict | None) -> dict[str, Any]:
    st = h.state()
    return {"slug": h.slug, "name": h.info.name, "at": h.info.at.isoformat(),
            "rules": {"name": h.info.rules_name, "version": h.info.rules_version, "hash": h.info.rules_hash},
            "seed": h.info.seed, "state": st["state"], "version": st["version"],
            "published": None if pub is None else {"version": pub["version"], "at": pub["published_at"].isoformat(),
                                                   "deadline": pub["deadline"].isoformat()}}


def _evidence_meta(ev: dict[str, Any]) -> dict[str, Any]:
    arc = ev.get("archive") or {}
    shot = ev.get("screenshot")
    return {"path": ev.get("path"), "url": ev.get("url"), "title": ev.get("title"), "date": ev.get("date"),
            "note": ev.get("note"), "fetched_at": ev.get("fetched_at"), "status": ev.get("status"),
            "sha256": arc.get("sha256"),
            "archive": {"warc": arc.get("warc"), "record_id": arc.get("record_id"), "offset": arc.get("offset")}
            if arc else None,
            "screenshot": {"sha256": shot.get("sha256")} if isinstance(shot, dict) else None}


def _finding_json(h: RoundHandle, f: dict[str, Any]) -> dict[str, Any]:
    evs = f.get("evidence") or []
    return {"id": f["id"], "unit": f["unit"], "target": f["target"], "target_type": f["target_type"],
            "account_type": f.get("account_type"), "code": f["code"], "text": f["text"], "points": f.get("points"),
            "veto": bool(f.get("veto")), "review": f.get("review"), "source": f.get("source"),
            "region": h.unit_regions().get(f["unit"], ""),
            "evidence": [_evidence_meta(e) for e in evs if isinstance(e, dict)]}


def _page(request: Request) -> tuple[int, int]:
    try:
        page = max(1, int(request.query_params.get("page", "1")))
        size = max(1, min(MAX_PAGE_SIZE, int(request.query_params.get("page_size", "100"))))
    except ValueError:
        raise ConsoleError("page / page_size 应为整数") from None
    return page, size


@api_view
def api_rounds(console: Console, user: User, request: Request):
    out = []
    for h in console.rounds.ordered():
        pub = rt.current_publication(h)
        if user.is_office or pub is not None:
            out.append(_round_json(h, pub))
    return {"rounds": out}


@api_view
def api_round(console: Console, user: User, request: Request, slug: str):
    h, pub = _round(console, user, slug)
    return _round_json(h, pub)


@api_view
def api_scores(console: Console, user: User, request: Request, slug: str):
    h, pub = _round(console, user, slug)
    if user.is_office:
        scores = [s.to_dict() for s in h.store.scores(h.id)]
    else:  # the scores the unit was sent: the published version's scores.json
        path = h.dir / pub["dir"] / "scores.json"
        scores = [s for s in json.loads(path.read_text(encoding="utf-8")) if s.get("unit") == user.unit]
    regions = h.unit_regions()
    for s in scores:
        s["region"] = regions.get(s["unit"], "")
    return {"round": h.slug, "scores": scores}


@api_view
def api_findings(console: Console, user: User, request: Request, slug: str):
    h, pub = _round(console, user, slug)
    page, size = _page(request)
    if user.is_office:
        flt = rv.QueueFilter.from_query(request.query_params)
        flt.state = request.query_params.get("state", "")
        flt.state = flt.state if flt.state in rv.REVIEW_LABELS else ""
        flt.page = page
        qp = rv.queue(h, flt, size)
        rows = [_finding_json(h, r | {"params": None}) for r in qp.rows]
        return {"round": h.slug, "total": qp.total, "page": qp.page, "pages": qp.pages, "findings": rows}
    rows = rt.published_findings(h, unit=user.unit)
    total = len(rows)
    rows = rows[(page - 1) * size: page * size]
    out = []
    for r in rows:
        f = rv.get_finding(h, r["finding_id"])
        d = _finding_json(h, f)
        d["text"] = r["text"]  # as published
        d["read"] = r["read"]
        d["feedback"] = [{"text": x["text"], "at": x["at"].isoformat(), "by": x["by"]} for x in r["feedback"]]
        out.append(d)
    return {"round": h.slug, "total": total, "page": page, "pages": max(1, -(-total // size)), "findings": out}


def _allowed(h: RoundHandle, user: User, fid: str) -> dict[str, Any]:
    if not user.is_office:
        rt.unit_finding(h, user.unit, fid)  # NotFound for another unit's
    f = rv.get_finding(h, fid)
    if f is None:
        raise NotFound("没有该问题")
    return f


@api_view
def api_finding(console: Console, user: User, request: Request, slug: str, fid: str):
    h, _pub = _round(console, user, slug)
    return _finding_json(h, _allowed(h, user, fid))


@api_view
def api_evidence(console: Console, user: User, request: Request, slug: str, fid: str):
    """Evidence metadata with the SHA-256 recomputed from the archive now (verified: true/false/null)."""
    h, _pub = _round(console, user, slug)
    f = _allowed(h, user, fid)
    out = []
    for i, ev in enumerate(f.get("evidence") or []):
        if not isinstance(ev, dict):
            continue
        m = _evidence_meta(ev)
        m["index"] = i
        m["verified"] = None
        if ev.get("archive"):
            try:
                rec = evd.read_archived(h, ev["archive"], ev)
                m["verified"] = rec.verified
                m["content_type"] = rec.content_type
                m["replay"] = f"/replay/{h.slug}/{fid}/{i}"
            except ConsoleError as e:
                m["error"] = str(e)
        out.append(m)
    return {"round": h.slug, "finding": fid, "evidence": out}
