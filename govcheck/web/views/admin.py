"""管理员: accounts and the audit log."""
from __future__ import annotations

from govcheck.web import audit as audit_log
from govcheck.web import auth
from govcheck.web.app import Ctx, view
from govcheck.web.rounds import ConsoleError


def _units(ctx: Ctx) -> list[str]:
    out: set[str] = set()
    for h in ctx.console.rounds.ordered():
        out |= set(h.unit_regions())
    return sorted(out)


@view("admin")
def users_page(ctx: Ctx):
    return ctx.render("users.html", users=auth.list_users(ctx.console.home), roles=auth.ROLES, units=_units(ctx))


@view("admin")
def users_post(ctx: Ctx):
    c = ctx.console
    action = ctx.f("action")
    username = ctx.f("username").strip()
    try:
        if action == "add":
            unit = ctx.f("unit").strip() or None
            if ctx.f("role") == "unit" and unit not in _units(ctx):
                raise ConsoleError(f"单位不在所服务轮次的名单中：{unit}")
            auth.add_user(c.home, username, ctx.f("password"), ctx.f("role"), display=ctx.f("display") or None,
                          unit=unit, by=ctx.user.username, min_length=int(ctx.conf["login"]["min_password_length"]))
            ctx.audit("user_add", target=username, role_given=ctx.f("role"), unit=unit)
            ctx.flash("ok", f"已新增用户 {username}")
        elif action in ("disable", "enable"):
            if username == ctx.user.username:
                raise ConsoleError("不能停用自己的账号")
            auth.set_active(c.home, username, action == "enable")
            ctx.audit(f"user_{action}", target=username)
            ctx.flash("ok", f"已{'启用' if action == 'enable' else '停用'}用户 {username}")
        elif action == "password":
            auth.set_password(c.home, username, ctx.f("password"), int(ctx.conf["login"]["min_password_length"]))
            ctx.audit("user_password", target=username)
            ctx.flash("ok", f"已重置 {username} 的密码，其所有会话已结束")
        else:
            raise ConsoleError("未知操作")
    except auth.AuthError as e:
        raise ConsoleError(str(e)) from None
    return ctx.redirect("/admin/users")


@view("admin")
def audit_page(ctx: Ctx):
    q = ctx.query
    try:
        page = max(1, int(q.get("page", "1")))
    except ValueError:
        page = 1
    size = int(ctx.conf["pages"]["audit_page_size"])
    rows, total = audit_log.entries(ctx.console.home, action=q.get("action", ""), username=q.get("user", ""),
                                    page=page, page_size=size)
    return ctx.render("audit.html", rows=rows, total=total, page=page, pages=max(1, -(-total // size)),
                      labels=audit_log.ACTION_LABELS, q=dict(q), roles=auth.ROLES)
