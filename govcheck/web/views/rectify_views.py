"""Publication and the rectification loop: the office's side, the units' side, attachments."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from starlette.responses import Response

from govcheck.web import publish as pb
from govcheck.web import recheck as rc
from govcheck.web import rectify as rt
from govcheck.web.app import DOWNLOAD_CSP, Ctx, view
from govcheck.web.files import get_file, read_stored
from govcheck.web.rounds import ConsoleError, NotFound
from govcheck.web.views.office import evidence_context, save_uploads


def _date(text: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConsoleError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _download(data: bytes, name: str, content_type: str) -> Response:
    ascii_name = "".join(ch if ch.isascii() and ch.isalnum() or ch in "._-" else "_" for ch in name) or "file"
    return Response(data, media_type=content_type, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}",
        "Content-Security-Policy": DOWNLOAD_CSP})


# ---------------------------------------------------------------------------------------------- publication
@view("office")
def publish_page(ctx: Ctx, slug: str):
    h = ctx.office_round(slug)
    return ctx.render("publish.html", h=h, st=h.state(), open=pb.open_items(h), pubs=pb.publications(h),
                      settings_deadline=pb.settings_deadline(h),
                      default_days=int(ctx.conf["rectification"]["default_days"]))


@view("admin")
def publish_post(ctx: Ctx, slug: str):
    h = ctx.round(slug)
    if ctx.f("action") == "new_version":
        v = pb.new_version(h, by=ctx.by, reason=ctx.f("reason"))
        ctx.audit("new_version", h, target=f"v{v}", reason=ctx.f("reason"))
        ctx.flash("ok", f"已建立第{v}版（草稿）；第{v - 1}版的文件与发给各单位的内容保持不变。")
        return ctx.redirect(f"/r/{h.slug}/publish")
    res = pb.publish(h, by=ctx.by, deadline=_date(ctx.f("deadline")), reason=ctx.f("reason"),
                     pdf=ctx.f("pdf") == "1", default_days=int(ctx.conf["rectification"]["default_days"]))
    ctx.audit("publish", h, target=f"v{res['version']}", files=res["files"], deadline=res["deadline"],
              open=res["open"], reason=ctx.f("reason"))
    ctx.flash("ok", f"第{res['version']}版已发布，本轮已锁定为只读；整改期限 {res['deadline'].isoformat()}。")
    return ctx.redirect(f"/r/{h.slug}/publish")


@view("any")
def published_download(ctx: Ctx, slug: str, version: str, name: str):
    h = ctx.round(slug)
    if not ctx.user.is_office and rt.current_publication(h) is None:
        raise NotFound("没有该轮次")
    try:
        v = int(version)
    except ValueError:
        raise NotFound("没有该版本") from None
    if not ctx.user.is_office and not name.lower().endswith((".docx", ".pdf", ".xlsx")):
        raise NotFound("没有该文件")  # units get the documents sent to them, not the round's data files
    data, entry = pb.published_file(h, v, name)
    ctx.audit("download", h, target=f"v{v}/{name}", sha256=entry["sha256"])
    ctype = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "pdf": "application/pdf", "json": "application/json"}.get(name.rsplit(".", 1)[-1], "application/octet-stream")
    return _download(data, name, ctype)


# ---------------------------------------------------------------------------------------------- office side
@view("office")
def rectify_page(ctx: Ctx, slug: str):
    h = ctx.office_round(slug)
    pub = rt.current_publication(h)
    status = ctx.query.get("status", "")
    return ctx.render("rectify.html", h=h, pub=pub, units=rt.by_unit(h, status) if pub else [], status_filter=status,
                      filters=rt.STATUS_FILTERS, st=h.state())


@view("office")
def rectify_unit_page(ctx: Ctx, slug: str):
    h = ctx.office_round(slug)
    unit = ctx.query.get("unit", "")
    rows = rt.published_findings(h, unit=unit)
    if not rows:
        raise NotFound("该单位在已发布版本中没有问题")
    sites = sorted({r["target"] for r in rows if r["target_type"] == "site"})
    checks = rt.latest_rechecks(h)
    return ctx.render("rectify_unit.html", h=h, unit=unit, rows=rows, sites=sites, checks=checks,
                      pub=rt.current_publication(h), today=date.today().isoformat())


@view("office")
def recheck_post(ctx: Ctx, slug: str):
    h = ctx.office_round(slug)
    url = ctx.f("target")
    at = _date(ctx.f("at")) or date.today()
    old = [r for r in rt.published_findings(h) if r["target"] == url and r["target_type"] == "site"]
    if not old:
        raise ConsoleError("该网站在已发布版本中没有问题，无需复查")
    conf = dict(ctx.conf["recheck"])
    conf.update(ctx.console.recheck_overrides)
    rid = rc.start(h, url, ctx.by, at, conf, old)
    ctx.audit("recheck", h, target=url, recheck_id=rid, at=at)
    ctx.flash("ok", f"已开始复查 {url}（监测时间点 {at.isoformat()}），完成后刷新本页查看结果。")
    return ctx.redirect(f"/r/{h.slug}/rectify/unit?unit={quote(old[0]['unit'])}")


@view("any")
def file_download(ctx: Ctx, slug: str, file_id: str):
    """An attachment: the office any of the round's; a unit only its own (the same 404 otherwise)."""
    h = ctx.round(slug)
    row = get_file(h, file_id)
    if row is None or (not ctx.user.is_office and row["unit"] != ctx.user.unit):
        ctx.audit("refused", h, target=f"file/{file_id}", ok=False)
        raise NotFound("没有该附件")
    ctx.audit("download", h, target=f"file/{file_id}", name=row["name"], sha256=row["sha256"])
    return _download(read_stored(h, row), row["name"], row["content_type"])


# ---------------------------------------------------------------------------------------------- unit side
def unit_home(ctx: Ctx):
    items = []
    for h in reversed(ctx.console.rounds.ordered()):
        pub = rt.current_publication(h)
        if pub is None:
            continue
        rows = rt.published_findings(h, unit=ctx.user.unit)
        items.append({"h": h, "pub": pub, "n": len(rows), "unread": sum(not r["read"] for r in rows),
                      "unfed": sum(not r["fed"] for r in rows)})
    return ctx.render("unit_home.html", items=items)


@view("unit")
def unit_round(ctx: Ctx, slug: str):
    h = ctx.round(slug)
    pub = rt.current_publication(h)
    if pub is None:
        raise NotFound("没有该轮次")
    rows = rt.published_findings(h, unit=ctx.user.unit)
    return ctx.render("unit_round.html", h=h, pub=pub, rows=rows, today=date.today())


@view("unit")
def unit_read(ctx: Ctx, slug: str):
    h = ctx.round(slug)
    ids = ctx.flist("ids")
    n = rt.mark_read(h, ctx.user.unit, ids, ctx.by)
    ctx.audit("read", h, target=",".join(ids)[:2000], n=n)
    ctx.flash("ok", f"已标记 {len(ids)} 条为已读。")
    return ctx.redirect(f"/u/{h.slug}/")


@view("unit")
def unit_finding(ctx: Ctx, slug: str, fid: str):
    h = ctx.round(slug)
    r = rt.unit_finding(h, ctx.user.unit, fid)
    if not r["read"]:
        rt.mark_read(h, ctx.user.unit, [fid], ctx.by)
        ctx.audit("read", h, target=fid, n=1, how="opened")
        r = rt.unit_finding(h, ctx.user.unit, fid)
    from govcheck.web.review import get_finding

    f = get_finding(h, fid)
    items = evidence_context(ctx, h, f, f"/u/{h.slug}/f/{fid}")
    return ctx.render("unit_finding.html", h=h, r=r, f=f, items=items, pub=rt.current_publication(h),
                      replay_base=f"/replay/{h.slug}/{fid}", ev_base=f"/r/{h.slug}/f/{fid}/ev",
                      types=sorted(ctx.conf["uploads"]["types"]), max_mb=ctx.console.max_upload // 1048576,
                      today=date.today())


@view("unit")
def unit_feedback(ctx: Ctx, slug: str, fid: str):
    h = ctx.round(slug)
    rt.unit_finding(h, ctx.user.unit, fid)
    if not ctx.f("text").strip():
        raise ConsoleError("请填写整改情况")
    # files are checked before anything is written, so a refused attachment leaves no half submission
    from govcheck.web.files import check_type, clean_name, read_upload

    up = ctx.conf["uploads"]
    uploads = ctx.files("files")
    if len(uploads) > int(up["max_files"]):
        raise ConsoleError(f"一次最多上传 {up['max_files']} 个附件")
    for u in uploads:
        try:
            name = clean_name(u.filename)
            check_type(name, read_upload(u, int(up["max_bytes"]))[:16], up["types"])
        except ConsoleError as e:
            ctx.audit("upload_refused", h, target=str(u.filename)[:200], ok=False, reason=str(e))
            raise
    fb_id = rt.add_feedback(h, ctx.user.unit, fid, ctx.f("text"), ctx.by)
    saved = save_uploads(ctx, h, "feedback", str(fb_id), ctx.user.unit, fid)
    ctx.audit("feedback", h, target=fid, feedback_id=fb_id, files=[(s["id"], s["name"], s["sha256"]) for s in saved])
    ctx.flash("ok", f"整改情况已提交（附件 {len(saved)} 个）。")
    return ctx.redirect(f"/u/{h.slug}/f/{fid}")
