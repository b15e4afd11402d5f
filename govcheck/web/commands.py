"""`govcheck serve` (the web console) and `govcheck users …` (its accounts, e.g. the first 管理员)."""
from __future__ import annotations

import ipaddress
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

console = Console(stderr=True)
users_app = typer.Typer(help="控制台账号：新增、列出、重置密码、停用/启用、接口令牌。", no_args_is_help=True)

HOME_HELP = "控制台目录：账号、会话、审计日志存于其中的 console.sqlite（默认当前目录下的 govcheck-console/；用 --db 时存于该数据库）"


DB_HELP = "账号所在的数据库 URL（用 --db 启动工作台时；默认 --home 目录下的 console.sqlite）"


def fail(msg: str, code: int = 2) -> None:
    console.print(f"[bold red]错误：[/]{escape(msg)}")
    raise typer.Exit(code)


def _home_engine(home: Path | None, db: str | None):
    from govcheck.web.db import home_engine

    if db:
        return home_engine(db)
    home = Path(home or "govcheck-console")
    home.mkdir(parents=True, exist_ok=True)
    return home_engine(f"sqlite:///{home.resolve() / 'console.sqlite'}")


def _password(stdin: bool, prompt: str = "密码") -> str:
    if stdin:
        pw = sys.stdin.readline().rstrip("\r\n")
    else:
        pw = typer.prompt(prompt, hide_input=True, confirmation_prompt=True)
    if not pw:
        fail("密码不能为空")
    return pw


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        round_dirs: list[Path] = typer.Argument(None, metavar="轮次目录…", help="轮次目录（inspect/demo 的 --out），可多个：历轮趋势、上一轮存档对照"),
        db: Optional[str] = typer.Option(None, "--db", help="数据库 URL（轮次存于 PostgreSQL 等时）"),
        host: str = typer.Option("127.0.0.1", "--host", help="监听地址"),
        port: int = typer.Option(8000, "--port", help="端口（0 = 任选空闲端口）"),
        home: Optional[Path] = typer.Option(None, "--home", help=HOME_HELP),
        config: Optional[Path] = typer.Option(None, "--config", help="控制台设置文件（默认 govcheck/web/data/console.toml）"),
        secure_cookies: bool = typer.Option(False, "--secure-cookies",
                                            help="会话 Cookie 仅经 HTTPS 发送（置于 HTTPS 反向代理之后时使用）"),
    ) -> None:
        """启动网页工作台（复核、证据查看、发布、整改反馈、JSON 接口）。"""
        import uvicorn

        from govcheck.rules import RuleSetError
        from govcheck.store import StoreError
        from govcheck.web.server import create_app
        from govcheck.web.auth import list_users

        if not round_dirs:
            fail("请至少指定一个轮次目录，例如：govcheck serve out/demo")
        try:
            app = create_app(list(round_dirs), db_url=db, home=home, config=config, secure_cookies=secure_cookies)
        except (StoreError, RuleSetError, OSError) as e:
            fail(str(e))
        c = app.state.console
        if not list_users(c.home):
            console.print("[yellow]尚无任何账号：请先运行 govcheck users add 用户名 --role 管理员[/]")
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback and not secure_cookies:
            console.print("[yellow]注意：监听非本机地址。请置于 HTTPS 反向代理之后，并加 --secure-cookies。[/]")
        names = "、".join(f"{h.info.name}（{h.slug}）" for h in c.rounds.ordered())
        console.print(f"工作台：http://{host}:{port}/  轮次：{escape(names)}  （Ctrl-C 退出）")
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)

    @users_app.command("add")
    def users_add(
        username: str = typer.Argument(..., metavar="用户名", help="用户名（登录用）"),
        role: str = typer.Option(..., "--role", help="角色：管理员 | 检查人员 | 单位用户"),
        unit: Optional[str] = typer.Option(None, "--unit", help="单位用户所属单位（与名单中的单位名称一致）"),
        display: Optional[str] = typer.Option(None, "--display", help="姓名（复核记录中显示）"),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读取密码（一行）"),
        exist_ok: bool = typer.Option(False, "--exist-ok", help="用户已存在时不报错（脚本中重复运行）"),
        home: Optional[Path] = typer.Option(None, "--home", help=HOME_HELP),
        db: Optional[str] = typer.Option(None, "--db", help="数据库 URL（与 serve 的 --db 相同）"),
    ) -> None:
        """新增控制台账号（首个管理员由此创建）。"""
        from govcheck.web.app import load_config
        from govcheck.web.auth import AuthError, add_user, find_user

        engine = _home_engine(home, db)
        if find_user(engine, username.strip()) is not None:
            if exist_ok:
                console.print(f"用户已存在：{escape(username)}（未修改）")
                return
            fail(f"用户已存在：{username}")
        pw = _password(password_stdin)
        try:
            u = add_user(engine, username, pw, role, display=display, unit=unit, by="(命令行)",
                         min_length=int(load_config()["login"]["min_password_length"]))
        except AuthError as e:
            fail(str(e))
        from govcheck.web import audit

        audit.record(engine, action="user_add", username="(命令行)", role=None, ip=None, target=u.username,
                     role_given=u.role, unit=u.unit)
        console.print(f"已新增{u.role_label} {escape(u.username)}" + (f"（{escape(u.unit)}）" if u.unit else ""))

    @users_app.command("list")
    def users_list(home: Optional[Path] = typer.Option(None, "--home", help=HOME_HELP),
                   db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """列出账号。"""
        from govcheck.web.auth import list_users

        for u in list_users(_home_engine(home, db)):
            typer.echo(f"{u.username}\t{u.display}\t{u.role_label}\t{u.unit or ''}\t{'启用' if u.active else '停用'}")

    @users_app.command("passwd")
    def users_passwd(username: str = typer.Argument(..., metavar="用户名", help="账号的用户名"),
                     password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读取新密码"),
                     home: Optional[Path] = typer.Option(None, "--home", help=HOME_HELP),
                     db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """重置密码（该用户的所有会话随即失效）。"""
        from govcheck.web.app import load_config
        from govcheck.web.auth import AuthError, set_password

        engine = _home_engine(home, db)
        try:
            set_password(engine, username, _password(password_stdin, "新密码"),
                         int(load_config()["login"]["min_password_length"]))
        except AuthError as e:
            fail(str(e))
        console.print(f"已重置 {escape(username)} 的密码")

    def make_toggle(active: bool):
        def toggle(username: str = typer.Argument(..., metavar="用户名", help="账号的用户名"),
                   home: Optional[Path] = typer.Option(None, "--home", help=HOME_HELP),
                   db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
            from govcheck.web.auth import AuthError, set_active

            try:
                set_active(_home_engine(home, db), username, active)
            except AuthError as e:
                fail(str(e))
            console.print(f"已{'启用' if active else '停用'} {escape(username)}")

        return toggle

    for action, active in (("disable", False), ("enable", True)):
        users_app.command(action, help="启用账号。" if active else "停用账号（会话与接口令牌随即失效）。")(make_toggle(active))

    @users_app.command("token")
    def users_token(username: str = typer.Argument(..., metavar="用户名", help="账号的用户名"), name: str = typer.Option("接口令牌", "--name", help="令牌名称"),
                    home: Optional[Path] = typer.Option(None, "--home", help=HOME_HELP),
                    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)) -> None:
        """为账号新建接口令牌（打印到标准输出，只显示这一次）。"""
        from govcheck.web.auth import find_user, new_api_token

        engine = _home_engine(home, db)
        u = find_user(engine, username)
        if u is None:
            fail(f"用户不存在：{username}")
        typer.echo(new_api_token(engine, u, name))

    app.add_typer(users_app, name="users")
