"""The office's pages: round overview, review queue, finding + evidence, 需人工核查 worklist."""
from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from govcheck.web import evidence as evd
from govcheck.web import manual as man
from govcheck.web import overview as ov
from govcheck.web import review as rv
from govcheck.web.app import DOWNLOAD_CSP, REPLAY_CSP, Ctx, view
from govcheck.web.files import TooLarge, check_type, clean_name, read_upload, store_file
from govcheck.web.rounds import ConsoleError, NotFound, RoundHandle


@view("office")
def overview_page(ctx: Ctx, slug: str):
    h = ctx.office_round(slug)
    q = ctx.query
    o = ov.overview(h, region=q.get("district", ""), kind=q.get("kind", ""), sort=q.get("sort", "seq"),
                    desc=q.get("desc") == "1")
    ch = ctx.conf["charts"]
    unit = (q.get("unit") or "").strip()
    charts = {"distribution": ov.score_distribution(h, list(ch["score_bins"])),
              "reasons": ov.failing_reasons(h, int(ch["top_reasons"])),
              "trend": ov.trend(ctx.console.rounds.ordered(), unit)}
    units = sorted({r["unit"] for r in o.rows}) if not unit else None
    return ctx.render("overview.html", h=h, o=o, charts=charts, q=dict(q), unit=unit, units=units,
                      st=h.state())


@view("office")
def queue_page(ctx: Ctx, slug: str):
    h = ctx.office_round(slug)
    flt = rv.QueueFilter.from_query(ctx.query)
    page = rv.queue(h, flt, int(ctx.conf["pages"]["queue_page_size"]))
    return ctx.render("queue.html", h=h, flt=flt, page=page, labels=rv.REVIEW_LABELS, actions=rv.ACTION_LABELS,
                      types=rv.TARGET_LABELS, st=h.state())


@view("office")
def queue_post(ctx: Ctx, slug: str):
    h = ctx.office_round(slug)
    ids = ctx.flist("ids")
    action = ctx.f("action")
    reason = ctx.f("reason").strip()
    back = "/r/%s/review?%s" % (h.slug, ctx.f("back")) if ctx.f("back") else f"/r/{h.slug}/review"
    changes = rv.decide(h, ids, action, ctx.by, reason)
    ctx.audit("review", h, target=",".join(ids)[:2000], decision=action, reason=reason, n=len(ids),
              changes=[c for c in changes if c["changed"]])
    ctx.flash("ok", f"已{rv.ACTION_LABELS.get(action, action)} {len(ids)} 条问题，评分已重新计算。", changes=changes)
    return ctx.redirect(back)


def _finding_or_404(h: RoundHandle, fid: str) -> dict:
    f = rv.get_finding(h, fid)
    if f is None:
        raise NotFound("没有该问题")
    return f


def evidence_context(ctx: Ctx, h: RoundHandle, f: dict, base: str) -> list[dict]:
    """What the viewer shows for each piece of evidence (shared by the office's and the unit's pages)."""
    prev = ctx.console.rounds.previous(h)
    items = []
    for i, ev in enumerate(f.get("evidence") or []):
        if not isinstance(ev, dict):
            continue
        item = {"i": i, "ev": ev, "record": None, "error": None, "prev": None, "shot": None,
                "hl": evd.highlights_for(ev, f)}
        if ev.get("archive"):
            try:
                rec = evd.read_archived(h, ev["archive"], ev)
                item["record"] = rec
                if rec.is_html:
                    hl = evd.highlights_for(ev, f)
                    evd.neutralise(rec.payload, rec.content_type, hl)
                    item["hl"] = hl
            except ConsoleError as e:
                item["error"] = str(e)
        p = evd.previous_copy(prev, ev.get("url"))
        if p:
            item["prev"] = dict(p, round=prev, same=(p["sha256"] and item["record"] is not None
                                                     and p["sha256"] == item["record"].sha256))
        if ev.get("screenshot"):
            try:
                shot = evd.screenshot(h, ev)
                item["shot"] = {"ok": shot[2], "sha256": (ev["screenshot"] or {}).get("sha256")
                                if isinstance(ev["screenshot"], dict) else None}
            except ConsoleError as e:
                item["shot"] = {"error": str(e)}
        items.append(item)
    return items


@view("office")
def finding_page(ctx: Ctx, slug: str, fid: str):
    h = ctx.office_round(slug)
    f = _finding_or_404(h, fid)
    items = evidence_context(ctx, h, f, f"/r/{h.slug}/f/{fid}")
    rule = h.rs.rules.get(f["code"])
    from govcheck.web.rectify import published_findings

    pub = published_findings(h, finding_id=fid)
    return ctx.render("finding.html", h=h, f=f, items=items, trail=rv.trail(h, fid), rule=rule,
                      actions=rv.ACTION_LABELS, st=h.state(), rect=pub[0] if pub else None,
                      replay_base=f"/replay/{h.slug}/{fid}", ev_base=f"/r/{h.slug}/f/{fid}/ev")


@view("office")
def finding_post(ctx: Ctx, slug: str, fid: str):
    h = ctx.office_round(slug)
    _finding_or_404(h, fid)
    action, reason = ctx.f("action"), ctx.f("reason").strip()
    changes = rv.decide(h, [fid], action, ctx.by, reason)
    ctx.audit("review", h, target=fid, decision=action, reason=reason, changes=changes)
    ctx.flash("ok", f"已{rv.ACTION_LABELS.get(action, action)}，评分已重新计算。", changes=changes)
    return ctx.redirect(f"/r/{h.slug}/f/{fid}")


# ---------------------------------------------------------------------------------------------- evidence bytes
def allowed_finding(ctx: Ctx, h: RoundHandle, fid: str) -> dict:
    """The finding if this user may see it: the office any, a unit only its own published ones."""
    if ctx.user.is_office:
        return _finding_or_404(h, fid)
    from govcheck.web.rectify import unit_finding

    unit_finding(h, ctx.user.unit, fid)  # NotFound for another unit's finding or an unpublished one
    return _finding_or_404(h, fid)


def _index(i: str) -> int:
    try:
        return int(i)
    except ValueError:
        raise NotFound("没有该证据") from None


@view("any")
def replay(ctx: Ctx, slug: str, fid: str, i: str):
    """The archived page, neutralised, for the viewer's sandboxed iframe."""
    h = ctx.round(slug)
    f = allowed_finding(ctx, h, fid)
    ev = evd.evidence_item(f, _index(i))
    if ctx.query.get("prev") == "1":
        prev = ctx.console.rounds.previous(h)
        p = evd.previous_copy(prev, ev.get("url"))
        if not p:
            raise NotFound("上一轮没有该页面的存档")
        rec = evd.read_archived(prev, p, p)
    else:
        rec = evd.read_archived(h, ev.get("archive") or {}, ev)
    if rec.is_html:
        body = evd.neutralise(rec.payload, rec.content_type, evd.highlights_for(ev, f))
        return Response(body, media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": REPLAY_CSP, "X-DNS-Prefetch-Control": "off"})
    if rec.content_type in ("image/png", "image/jpeg"):
        return Response(rec.payload, media_type=rec.content_type, headers={"Content-Security-Policy": REPLAY_CSP})
    body = f"<!DOCTYPE html><meta charset=utf-8><p>该存档记录不是网页（{rec.content_type}），请下载原始记录查看。</p>"
    return Response(body, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": REPLAY_CSP})


@view("any")
def evidence_raw(ctx: Ctx, slug: str, fid: str, i: str):
    """The exact archived bytes, as a download (verifiable against the SHA-256 shown)."""
    h = ctx.round(slug)
    f = allowed_finding(ctx, h, fid)
    ev = evd.evidence_item(f, _index(i))
    rec = evd.read_archived(h, ev.get("archive") or {}, ev)
    ctx.audit("download", h, target=f"{fid}/{i}", what="archived record", sha256=rec.sha256)
    return Response(rec.payload, media_type="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename=\"evidence-{fid}-{int(i)}.bin\"",
        "Content-Security-Policy": DOWNLOAD_CSP})


@view("any")
def evidence_shot(ctx: Ctx, slug: str, fid: str, i: str):
    h = ctx.round(slug)
    f = allowed_finding(ctx, h, fid)
    ev = evd.evidence_item(f, _index(i))
    shot = evd.screenshot(h, ev)
    if shot is None:
        raise NotFound("该证据没有截图")
    return Response(shot[0], media_type=shot[1], headers={"Content-Security-Policy": DOWNLOAD_CSP})


# ---------------------------------------------------------------------------------------------- worklist
@view("office")
def worklist_page(ctx: Ctx, slug: str):
    h = ctx.office_round(slug)
    q = ctx.query
    state = q.get("state", "open")
    try:
        page = int(q.get("page", "1"))
    except ValueError:
        page = 1
    w = man.worklist(h, state, q.get("rule", ""), q.get("unit", "").strip(), page,
                     int(ctx.conf["pages"]["worklist_page_size"]))
    params = {k: v for k, v in {"state": state, "rule": q.get("rule", ""), "unit": q.get("unit", "")}.items() if v}
    return ctx.render("worklist.html", h=h, w=w, state=state, q=dict(q), labels=man.STATE_LABELS,
                      params=urlencode(params), st=h.state())


@view("office")
def manual_page(ctx: Ctx, slug: str, item: str):
    h = ctx.office_round(slug)
    it = man.get_item(h, item)
    from govcheck.web.files import files_for

    files = files_for(h, "manual", [it["id"]]).get(it["id"], [])
    return ctx.render("manual_item.html", h=h, it=it, rules=man.site_rules(h), files=files, st=h.state(),
                      types=sorted(ctx.conf["uploads"]["types"]))


@view("office")
def manual_post(ctx: Ctx, slug: str, item: str):
    h = ctx.office_round(slug)
    it = man.get_item(h, item)
    h.require_draft()
    if it["state"] != "open":
        raise ConsoleError(f"该事项已处理（{it['state_label']}）")
    if not ctx.f("note").strip() or ctx.f("result") not in man.STATE_LABELS:
        raise ConsoleError("请选择核查结果并填写核查说明")
    saved = save_uploads(ctx, h, "manual", it["id"], None, None)
    shot = next(({"path": f"console-files/{s['stored']}", "sha256": s["sha256"]} for s in saved
                 if s["content_type"] in ("image/png", "image/jpeg")), None)
    res = man.record(h, item, result=ctx.f("result"), note=ctx.f("note"), by=ctx.by, code=ctx.f("code"),
                     url=ctx.f("url"), path=ctx.f("path"), title=ctx.f("title"), screenshot=shot)
    ctx.audit("manual_result", h, target=item, result=ctx.f("result"), note=ctx.f("note"),
              finding_id=res["finding_id"], files=[s["id"] for s in saved])
    label = "已记为问题" if res["finding_id"] else "已记为无问题"
    ctx.flash("ok", f"{label}。", changes=res["changes"])
    return ctx.redirect(f"/r/{h.slug}/manual/{item}")


def save_uploads(ctx: Ctx, h: RoundHandle, kind: str, ref: str, unit: str | None, finding_id: str | None) -> list[dict]:
    """Check every uploaded file first, store them only when all pass (a refused file loses nothing else)."""
    up = ctx.conf["uploads"]
    checked = []
    for upload in ctx.files("files"):
        try:
            name = clean_name(upload.filename)
            data = read_upload(upload, int(up["max_bytes"]))
            ctype = check_type(name, data[:16], up["types"])
        except (TooLarge, ConsoleError) as e:
            ctx.audit("upload_refused", h, target=str(upload.filename)[:200], ok=False, reason=str(e))
            raise
        checked.append((name, data, ctype))
    if len(checked) > int(up["max_files"]):
        raise ConsoleError(f"一次最多上传 {up['max_files']} 个附件")
    return [store_file(h, name=n, data=d, content_type=t, unit=unit, kind=kind, ref=ref, finding_id=finding_id,
                       by=ctx.user.username) for n, d, t in checked]
