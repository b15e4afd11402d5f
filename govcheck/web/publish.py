"""Publication: the notice and attachments written for a version of the round, which is then read-only.

A published version's files go to `published/vN/` in the round folder with their SHA-256, and the findings it
sends to the units are kept as published (web_published). Changing anything afterwards needs a new version
(an admin's act with a reason); version N's files and what the units were sent stay as they were.

The gate and the writing are the CLI's own (`govcheck.report.gate.gate_status`, `govcheck.publish.publish`, as
`govcheck report --final`), so the console and the CLI refuse the same things and a version's files are the copy
publish keeps in 已发布/<time>/; publishing with open items needs a reason, which is recorded.
"""
from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from govcheck.store import now
from govcheck.web.db import web_published, web_publications, web_state
from govcheck.web.rounds import ConsoleError, Locked, RoundHandle


def open_items(h: RoundHandle) -> dict[str, int]:
    from govcheck.report.gate import gate_status

    status = gate_status(h.store.findings(h.id), h.store.manual_items(h.id))
    return {"findings": len(status.pending), "manual": len(status.manual_open)}


def settings_deadline(h: RoundHandle) -> date | None:
    """整改期限 from the round's settings (round.toml [rectification] deadline = YYYY-MM-DD), if it names one."""
    d = (h.info.meta.get("rectification") or {}).get("deadline")
    if not d:
        return None
    try:
        return date.fromisoformat(str(d)[:10])
    except ValueError:
        return None


def publish(h: RoundHandle, *, by: str, deadline: date | None, reason: str, pdf: bool,
            default_days: int) -> dict[str, Any]:
    from govcheck.publish import PublishRefused
    from govcheck.publish import publish as publish_round

    with h.lock:
        st = h.state()
        if st["state"] == "published":
            raise Locked(f"本轮已发布（第{st['version']}版）")
        left = open_items(h)
        reason = (reason or "").strip()
        if (left["findings"] or left["manual"]) and not reason:
            raise ConsoleError(f"仍有 {left['findings']} 条问题待复核、{left['manual']} 项需人工核查未处理；"
                               "如确需发布，请填写理由（将记录在案）")
        version = st["version"]
        deadline = settings_deadline(h) or deadline or (date.today() + timedelta(days=default_days))
        try:  # re-scores the whole round: what is published is recomputed in full
            pub = publish_round(h.dir, by=by, db=h.db_url, key=h.info.key if h.db_url else None,
                                allow_open=reason if (left["findings"] or left["manual"]) else None, pdf=pdf,
                                command="govcheck serve（发布）")
        except PublishRefused as e:  # something opened between the count and the lock
            raise ConsoleError(f"{e} 如确需发布，请填写理由（将记录在案）") from None
        h.refresh()
        kept_dir = pub.kept[0].parent if pub.kept else h.dir
        rel = kept_dir.relative_to(h.dir).as_posix()
        files = []
        for p in pub.kept:
            data = p.read_bytes()
            files.append({"name": p.name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})
        t = now()
        with h.engine.begin() as c:
            c.execute(insert(web_publications).values(
                round_id=h.id, version=version, published_at=t, by=by, deadline=deadline,
                open_findings=left["findings"], open_manual=left["manual"], open_reason=reason or None,
                dir=rel, files=files))
            rows = [dict(round_id=h.id, version=version, finding_id=f.id, unit=f.unit, text=f.text, review=f.review)
                    for f in h.store.findings(h.id) if f.review != "dismissed"]
            if rows:
                c.execute(insert(web_published), rows)
            _set_state(c, h.id, "published", version, by)
        return {"version": version, "files": files, "deadline": deadline, "open": left}


def new_version(h: RoundHandle, *, by: str, reason: str) -> int:
    if not (reason or "").strip():
        raise ConsoleError("建立新版本须填写理由")
    with h.lock:
        st = h.state()
        if st["state"] != "published":
            raise ConsoleError("本轮尚未发布，可直接修改")
        with h.engine.begin() as c:
            c.execute(update(web_publications).where(web_publications.c.round_id == h.id,
                                                     web_publications.c.version == st["version"])
                      .values(superseded_at=now(), superseded_by=by, supersede_reason=reason.strip()))
            _set_state(c, h.id, "draft", st["version"] + 1, by)
        return st["version"] + 1


def _set_state(c, round_id: int, state: str, version: int, by: str) -> None:
    exists = c.execute(select(web_state.c.round_id).where(web_state.c.round_id == round_id)).first()
    values = dict(state=state, version=version, updated_at=now(), updated_by=by)
    if exists:
        c.execute(update(web_state).where(web_state.c.round_id == round_id).values(**values))
    else:
        c.execute(insert(web_state).values(round_id=round_id, **values))


def publications(h: RoundHandle) -> list[dict[str, Any]]:
    with h.engine.connect() as c:
        return [dict(r) for r in c.execute(select(web_publications).where(web_publications.c.round_id == h.id)
                                           .order_by(web_publications.c.version.desc())).mappings()]


def published_file(h: RoundHandle, version: int, name: str) -> tuple[bytes, dict[str, Any]]:
    """A published file by version and name: only names the publication recorded, read from its folder."""
    pub = next((p for p in publications(h) if p["version"] == version), None)
    if pub is None:
        raise ConsoleError("没有该版本")
    entry = next((f for f in pub["files"] if f["name"] == name), None)
    if entry is None:
        raise ConsoleError("没有该文件")
    path = (h.dir / pub["dir"] / entry["name"]).resolve()
    if (h.dir / pub["dir"]).resolve() not in path.parents:
        raise ConsoleError("文件路径不合法")
    return path.read_bytes(), entry
