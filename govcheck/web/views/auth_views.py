"""Log-in, log-out, the home page, API tokens."""
from __future__ import annotations

import secrets
from datetime import timedelta

from starlette.responses import RedirectResponse

from govcheck.web import auth
from govcheck.web.app import Ctx, view


def _safe_next(target: str | None) -> str:
    """Only a path on this console (never //host or a scheme): an open redirect is a phishing aid."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@view(None)
def login_page(ctx: Ctx):
    if ctx.user:
        return RedirectResponse("/", status_code=303)
    token = ctx.request.cookies.get(ctx.console.csrf_cookie) or secrets.token_urlsafe(32)
    resp = ctx.render("login.html", login_csrf=token, next=_safe_next(ctx.query.get("next")), error="")
    _set_cookie(ctx, resp, ctx.console.csrf_cookie, token)
    return resp


@view(None)
def login_post(ctx: Ctx):
    c = ctx.console
    lg = ctx.conf["login"]
    username = ctx.f("username").strip()
    try:
        user = auth.authenticate(c.home, username, ctx.f("password"), ctx.ip, max_failures=int(lg["max_failures"]),
                                 window=timedelta(minutes=int(lg["window_minutes"])))
    except auth.AuthError as e:
        from govcheck.web import audit

        audit.record(c.home, action="login_failed", username=username[:100] or None, role=None, ip=ctx.ip, ok=False)
        token = ctx.request.cookies.get(c.csrf_cookie) or ""
        return ctx.render("login.html", status=401, login_csrf=token, next=_safe_next(ctx.f("next")), error=str(e))
    sess_token = auth.new_session(c.home, user, ctx.ip, ctx.request.headers.get("user-agent"))
    from govcheck.web import audit

    audit.record(c.home, action="login", username=user.username, role=user.role, ip=ctx.ip)
    resp = RedirectResponse(_safe_next(ctx.f("next")), status_code=303)
    _set_cookie(ctx, resp, c.cookie, sess_token)
    resp.delete_cookie(c.csrf_cookie, path="/")
    return resp


@view("any")
def logout(ctx: Ctx):
    ctx.audit("logout")
    auth.end_session(ctx.console.home, ctx.request.cookies.get(ctx.console.cookie))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(ctx.console.cookie, path="/")
    return resp


def _set_cookie(ctx: Ctx, resp, name: str, value: str) -> None:
    resp.set_cookie(name, value, httponly=True, samesite="strict", secure=ctx.console.secure_cookies, path="/")


@view("any")
def home(ctx: Ctx):
    if ctx.user.role == "unit":
        from govcheck.web.views.rectify_views import unit_home

        return unit_home(ctx)
    from govcheck.web.publish import open_items

    items = []
    for h in reversed(ctx.console.rounds.ordered()):
        items.append({"h": h, "state": h.state(), "open": open_items(h), "pub": h.latest_publication()})
    return ctx.render("home.html", items=items)


@view("any")
def tokens_page(ctx: Ctx):
    rows = auth.list_tokens(ctx.console.home, None if ctx.user.is_admin else ctx.user.id)
    return ctx.render("tokens.html", tokens=rows, new_token=None)


@view("any")
def tokens_post(ctx: Ctx):
    if ctx.f("action") == "revoke":
        try:
            tid = int(ctx.f("id"))
        except ValueError:
            tid = -1
        ok = auth.revoke_token(ctx.console.home, tid, ctx.user)
        ctx.audit("token_revoke", target=str(tid), ok=ok)
        ctx.flash("ok" if ok else "error", "已吊销令牌" if ok else "没有该令牌")
        return ctx.redirect("/tokens")
    name = ctx.f("name").strip() or "API"
    token = auth.new_api_token(ctx.console.home, ctx.user, name)
    ctx.audit("token_add", target=name)
    rows = auth.list_tokens(ctx.console.home, None if ctx.user.is_admin else ctx.user.id)
    return ctx.render("tokens.html", tokens=rows, new_token=token)
