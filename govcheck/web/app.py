"""The console as an ASGI app (Starlette): the plumbing every view shares.

A view is a small synchronous function `(ctx, **path_params) -> Response`, declared with `@view(roles)`; the
wrapper loads the session, refuses the wrong role, parses a POST's form and checks its CSRF token, runs the
function in a worker thread (SQLAlchemy is synchronous) and turns a ConsoleError into a Chinese error page.
Routes are in govcheck.web.views.
"""
from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response

from govcheck.web import audit as audit_log
from govcheck.web.auth import Session, User, csrf_ok, load_session
from govcheck.web.db import home_engine
from govcheck.web.rounds import ConsoleError, NotFound, RoundHandle, Rounds, utc_text

from govcheck.rules import RuleSetError
from govcheck.store import StoreError

log = logging.getLogger("govcheck.web")
HERE = Path(__file__).resolve().parent
DEFAULT_CONFIG = HERE / "data" / "console.toml"

CONSOLE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
               "connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'none'")
# archived pages: nothing may run, nothing may be fetched, not even when the URL is opened outside the iframe
REPLAY_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; form-action 'none'; "
              "base-uri 'none'; frame-ancestors 'self'; sandbox")
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def load_config(path: Path | None = None) -> dict[str, Any]:
    with (path or DEFAULT_CONFIG).open("rb") as f:
        return tomllib.load(f)


class Console:
    """Everything the views share: the rounds, the home database, the settings, the templates."""

    def __init__(self, rounds: Rounds, home_url: str, config: dict[str, Any], secure_cookies: bool = False):
        self.rounds = rounds
        self.home = home_engine(home_url)
        self.conf = config
        self.secure_cookies = secure_cookies
        self.recheck_overrides: dict[str, Any] = {}  # e.g. a test's or replica's delay 0
        s = config["session"]
        self.idle = timedelta(minutes=int(s["idle_minutes"]))
        self.max_age = timedelta(hours=int(s["max_hours"]))
        self.cookie = s["cookie"]
        self.csrf_cookie = s["csrf_cookie"]
        up = config["uploads"]
        self.max_upload = int(up["max_bytes"])
        self.max_files = int(up["max_files"])
        self.max_body = self.max_upload * self.max_files + 1_048_576
        self.env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                               autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(link=_query, utc=utc_text, quote=lambda s: quote(str(s), safe=""))
        self.env.filters["utc"] = utc_text

    def render(self, template: str, status: int = 200, **kw: Any) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(template).render(**kw), status_code=status)


def _query(base: str, params: dict[str, Any] | None = None, **more: Any) -> str:
    p = {k: v for k, v in {**(params or {}), **more}.items() if v not in (None, "")}
    return base + ("?" + urlencode(p) if p else "")


@dataclass
class Ctx:
    request: Request
    console: Console
    session: Session | None
    form: FormData | None
    ip: str
    flash_out: list[dict[str, Any]] = field(default_factory=list)

    @property
    def user(self) -> User | None:
        return self.session.user if self.session else None

    @property
    def conf(self) -> dict[str, Any]:
        return self.console.conf

    @property
    def query(self):
        return self.request.query_params

    @property
    def by(self) -> str:
        from govcheck.web.review import reviewer_name

        return reviewer_name(self.user.display, self.user.username)

    def f(self, name: str, default: str = "") -> str:
        v = self.form.get(name) if self.form is not None else None
        return v if isinstance(v, str) else default

    def flist(self, name: str) -> list[str]:
        return [v for v in (self.form.getlist(name) if self.form is not None else []) if isinstance(v, str)]

    def files(self, name: str) -> list[Any]:
        if self.form is None:
            return []
        return [v for v in self.form.getlist(name) if not isinstance(v, str) and getattr(v, "filename", None)]

    def round(self, slug: str) -> RoundHandle:
        return self.console.rounds.get(slug)

    def office_round(self, slug: str) -> RoundHandle:
        if not self.user.is_office:
            raise NotFound("没有该轮次")
        return self.round(slug)

    def audit(self, action: str, h: RoundHandle | None = None, target: str | None = None, ok: bool = True,
              **detail: Any) -> None:
        u = self.user
        audit_log.record(self.console.home, action=action, username=u.username if u else None,
                         role=u.role if u else None, ip=self.ip, round_key=h.info.key if h else None,
                         target=target, ok=ok, **detail)

    def flash(self, kind: str, text: str, **extra: Any) -> None:
        self.flash_out.append({"kind": kind, "text": text, **extra})

    def render(self, template: str, status: int = 200, **kw: Any) -> HTMLResponse:
        flashes = list(self.session.flash) if self.session else []
        if self.session and self.session.flash:
            from govcheck.web.auth import set_flash

            set_flash(self.console.home, self.session.id, [])
            self.session.flash = []
        return self.console.render(template, status=status, user=self.user, flashes=flashes + self.flash_out,
                                   csrf=self.session.csrf if self.session else "", rounds=self.console.rounds,
                                   request=self.request, **kw)

    def redirect(self, url: str) -> RedirectResponse:
        if self.flash_out and self.session:
            from govcheck.web.auth import set_flash

            set_flash(self.console.home, self.session.id, self.session.flash + self.flash_out)
        return RedirectResponse(url, status_code=303)


ROLE_SETS = {"any": {"admin", "inspector", "unit"}, "office": {"admin", "inspector"}, "admin": {"admin"},
             "unit": {"unit"}, None: None}


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def view(roles: str | None = "any") -> Callable:
    """Declare a view: who may call it (any signed-in user / office / admin / unit / None = public)."""
    allowed = ROLE_SETS[roles]

    def deco(fn: Callable[..., Response]) -> Callable:
        async def endpoint(request: Request) -> Response:
            console: Console = request.app.state.console
            token = request.cookies.get(console.cookie)
            session = await run_in_threadpool(load_session, console.home, token, console.idle, console.max_age)
            ip = client_ip(request)
            if allowed is not None:
                if session is None:
                    if request.method == "GET":
                        return RedirectResponse(_query("/login", next=request.url.path), status_code=303)
                    return console.render("error.html", status=401, user=None, message="请先登录", flashes=[],
                                          csrf="", request=request)
                if session.user.role not in allowed:
                    await run_in_threadpool(audit_log.record, console.home, action="refused",
                                            username=session.user.username, role=session.user.role, ip=ip,
                                            target=request.url.path, ok=False)
                    return console.render("error.html", status=403, user=session.user, message="无权访问该页面",
                                          flashes=[], csrf=session.csrf, request=request)
            form = None
            if request.method == "POST":
                try:
                    form = await request.form(max_files=console.max_files, max_fields=5000)
                except _BodyTooLarge:  # a streamed (chunked) body past the cap: stop reading it
                    return PlainTextResponse("请求过大", status_code=413)
                except Exception:  # noqa: BLE001 - a malformed or oversized body is refused, not a crash
                    return PlainTextResponse("表单无法解析", status_code=400)
                expected = session.csrf if session else request.cookies.get(console.csrf_cookie)
                if not csrf_ok(expected, form.get("csrf_token") if isinstance(form.get("csrf_token"), str) else None):
                    await form.close()
                    await run_in_threadpool(audit_log.record, console.home, action="csrf_refused",
                                            username=session.user.username if session else None,
                                            role=session.user.role if session else None, ip=ip,
                                            target=request.url.path, ok=False)
                    return console.render("error.html", status=403, user=session.user if session else None,
                                          message="表单已过期或来源不明（缺少有效的表单令牌），请返回后重新提交",
                                          flashes=[], csrf=session.csrf if session else "", request=request)
            ctx = Ctx(request=request, console=console, session=session, form=form, ip=ip)
            try:
                return await run_in_threadpool(fn, ctx, **request.path_params)
            except ConsoleError as e:
                if request.method == "POST" and ctx.user:
                    await run_in_threadpool(ctx.audit, "refused", None, request.url.path, False, message=str(e))
                return await run_in_threadpool(ctx.render, "error.html", e.status, message=str(e))
            except (StoreError, RuleSetError) as e:  # the round core's own refusals are messages too
                return await run_in_threadpool(ctx.render, "error.html", 400, message=str(e))
            except Exception:  # noqa: BLE001 - a page, never a traceback; the traceback goes to the server log
                log.exception("console view %s failed", request.url.path)
                return console.render("error.html", status=500, user=ctx.user, flashes=[],
                                      csrf=session.csrf if session else "", request=request,
                                      message="服务器内部错误，已记录在服务器日志中；请稍后重试或联系管理员")
            finally:
                if form is not None:
                    await form.close()

        endpoint.__name__ = fn.__name__
        endpoint.__doc__ = fn.__doc__
        return endpoint

    return deco


def api_view(fn: Callable[..., Any]) -> Callable:
    """A JSON endpoint: `Authorization: Bearer <token>` (console API tokens) or refused with 401."""
    from govcheck.web.auth import api_user

    async def endpoint(request: Request) -> Response:
        console: Console = request.app.state.console
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        user = await run_in_threadpool(api_user, console.home, token)
        ip = client_ip(request)
        if user is None:
            await run_in_threadpool(audit_log.record, console.home, action="api_refused", username=None, role=None,
                                    ip=ip, target=request.url.path, ok=False)
            return JSONResponse({"error": "未认证：请在 Authorization 头中提供有效的 API 令牌（Bearer）"},
                                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        try:
            data = await run_in_threadpool(fn, console, user, request, **request.path_params)
        except ConsoleError as e:
            return JSONResponse({"error": str(e)}, status_code=e.status)
        await run_in_threadpool(audit_log.record, console.home, action="api", username=user.username,
                                role=user.role, ip=ip, target=str(request.url.path), ok=True)
        return JSONResponse(data)

    endpoint.__name__ = fn.__name__
    return endpoint


class _BodyTooLarge(Exception):
    pass


class SecurityHeaders:
    """Pure ASGI middleware: security headers on every response, and a cap on request bodies."""

    def __init__(self, app, max_body: int):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        try:
            length = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            length = 0
        if length > self.max_body:
            await PlainTextResponse("请求过大", status_code=413)(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > self.max_body:
                    raise _BodyTooLarge()
            return msg

        async def send_with_headers(msg):
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                hs = list(msg.get("headers") or [])
                names = {k.lower() for k, _ in hs}
                path = scope.get("path", "")
                defaults = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                            (b"x-frame-options", b"SAMEORIGIN" if path.startswith("/replay/") else b"DENY"),
                            (b"cache-control", b"no-store"), (b"cross-origin-opener-policy", b"same-origin"),
                            (b"cross-origin-resource-policy", b"same-origin"),
                            (b"content-security-policy", CONSOLE_CSP.encode())]
                if path.startswith("/static/"):
                    defaults = [d for d in defaults if d[0] != b"cache-control"]
                for k, v in defaults:
                    if k not in names:
                        hs.append((k, v))
                msg = dict(msg, headers=hs)
            await send(msg)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _BodyTooLarge:
            if not started:
                await PlainTextResponse("请求过大", status_code=413)(scope, receive, send)
