"""`govcheck monitor` (availability service + early warnings), `govcheck warn` (one early-warning pass) and
`govcheck selfcheck` (a unit's self-check of its own site)."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Optional

import typer

ALLOW_HELP = ("允许访问的非公网地址（内网、本机等默认拒绝）：IP、网段、主机名或 主机:端口，可多次指定，"
              "如 --allow 127.0.0.1")
CA_HELP = "额外信任的 CA 证书文件（PEM），如内网网站自建的 CA"


def _load(sites: Path, rules: str | None):
    from govcheck.cli_output import fail
    from govcheck.roster import RosterError, read_sites
    from govcheck.rules import RuleSetError, load_ruleset

    try:
        site_list = read_sites(sites)
    except RosterError as e:
        fail(f"名单错误：{e}")
    try:
        rs = load_ruleset(rules or "gb2019")
    except RuleSetError as e:
        fail(str(e))
    return site_list, rs


def _opts(allow: list[str], ca_bundle: Path | None):
    from govcheck.cli_output import fail
    from govcheck.collect.commands import network_overrides
    from govcheck.collect.config import CrawlOptions

    try:
        return CrawlOptions.defaults(**network_overrides(allow, ca_bundle))
    except ValueError as e:
        fail(str(e))


def register(app: typer.Typer) -> None:
    register_monitor(app)
    register_warn(app)
    register_selfcheck(app)


def register_monitor(app: typer.Typer) -> None:
    @app.command("monitor")
    def monitor_cmd(
        sites: Path = typer.Option(..., "--sites", help="网站名单（CSV/XLSX）"),
        out: Path = typer.Option(..., "--out", help="监测目录：监测记录默认写入 OUT/monitor.sqlite；"
                                 "用同一目录重新启动即接着监测，已记录的不会丢失"),
        rules: Optional[str] = typer.Option(None, "--rules", help="规则集（默认 gb2019）：探测间隔、15秒规则、监测周期取自其中“站点无法访问”的参数"),
        db: Optional[str] = typer.Option(None, "--db", help="数据库 URL（如 PostgreSQL；默认 OUT/monitor.sqlite）"),
        interval: Optional[float] = typer.Option(None, "--interval", help="首页探测间隔（秒；默认取规则集）"),
        portal_interval: Optional[float] = typer.Option(None, "--portal-interval", help="门户网站首页探测间隔（秒；默认取规则集）"),
        slow: Optional[float] = typer.Option(None, "--slow", help="打开用时达到该秒数即记为无法访问（默认取规则集，15秒）"),
        duration: Optional[float] = typer.Option(None, "--duration", help="运行多少秒后停止（默认一直运行，按 Ctrl-C 或收到终止信号时停止）"),
        warnings: Optional[Path] = typer.Option(None, "--warnings", help="预警配置文件（TOML）；给出时按其中的间隔做轻量复查并发出预警"),
        columns: Optional[Path] = typer.Option(None, "--columns", help="重点栏目表（CSV/XLSX：首页网址或网站名称或单位名称、栏目名称、栏目网址）；"
                                               "这些栏目页与首页同频探测，用于预警（“站点无法访问”只按首页判定）"),
        quiet: bool = typer.Option(False, "--quiet", help="不逐条显示探测失败"),
        allow: list[str] = typer.Option([], "--allow", help=ALLOW_HELP),
        ca_bundle: Optional[Path] = typer.Option(None, "--ca-bundle", help=CA_HELP),
    ) -> None:
        """可用性监测服务：按规则集的间隔探测每个网站首页，逐次记录（时间、状态、用时、错误类型），
        供“站点无法访问”判定；可同时做更新预警。可随时停止、重新启动，已记录的探测不会丢失。"""
        from govcheck.cli_output import fail, say
        from govcheck.db import monitor_db_url_for
        from govcheck.lock import MONITOR_LOCK_FILE, RoundLocked, round_lock

        from .service import Schedule, SideJob, failure_line, roster_units, serve

        site_list, rs = _load(sites, rules)
        key_columns = []
        if columns is not None:
            from govcheck.tables import TableError

            from .columns import read_key_columns

            try:
                key_columns = read_key_columns(columns, site_list)
            except TableError as e:
                fail(f"重点栏目表错误：{e}")
        try:
            sched = Schedule.from_rules(rs, interval=interval, portal_interval=portal_interval, slow=slow)
        except ValueError as e:
            fail(str(e))
        opts = _opts(allow, ca_bundle)
        out.mkdir(parents=True, exist_ok=True)
        db_url = db or monitor_db_url_for(out)
        jobs = []
        if warnings is not None:
            from .warnings import WarningsError, load_config, warn_argv

            try:
                cfg = load_config(warnings)
            except WarningsError as e:
                fail(str(e))
            argv = warn_argv(sites, out, warnings, rules, db_url, allow, ca_bundle)
            from .service import child_command

            jobs.append(SideJob("warnings", float(cfg.interval), child_command(argv), float(cfg.first_delay)))
        units = roster_units(site_list)
        units.update({c.url: c.site.unit for c in key_columns})

        def show(r) -> None:
            line = None if quiet else failure_line(r, units)
            if line:
                say(line)

        say(f"开始监测 {len(site_list)} 个网站首页{f'及 {len(key_columns)} 个重点栏目' if key_columns else ''}：每 {sched.interval:g} 秒探测一次（门户 {sched.portal_interval:g} 秒），"
            f"打开用时达到 {sched.slow:g} 秒记为无法访问；记录写入 {db_url if db else out / 'monitor.sqlite'}。"
            "按 Ctrl-C 停止。")
        try:
            with round_lock(out, "govcheck monitor", name=MONITOR_LOCK_FILE):
                n = asyncio.run(serve(site_list, db_url, sched, opts, duration=duration, on_result=show,
                                      side_jobs=jobs, columns=key_columns))
        except RoundLocked as e:
            fail(str(e))
        except KeyboardInterrupt:
            n = None
        say(f"监测已停止{f'，本次记录探测 {n} 次' if n is not None else ''}。重新运行同一命令即接着监测。")

    @app.command("probe")
    def probe_cmd(
        sites: Path = typer.Option(..., "--sites", help="网站名单（CSV/XLSX）"),
        out: Path = typer.Option(..., "--out", help="输出目录（监测记录默认 OUT/monitor.sqlite）"),
        interval: Optional[float] = typer.Option(None, "--interval", help="两次探测的间隔（秒；默认取规则集）"),
        count: Optional[int] = typer.Option(None, "--count", help="每个网站探测次数（默认一直运行）"),
        rules: Optional[str] = typer.Option(None, "--rules", help="规则集（默认 gb2019）"),
        db: Optional[str] = typer.Option(None, "--db", help="数据库 URL"),
        slow: Optional[float] = typer.Option(None, "--slow", help="首页打开达到该秒数记为无法访问（默认取规则集）"),
        allow: list[str] = typer.Option([], "--allow", help=ALLOW_HELP),
        ca_bundle: Optional[Path] = typer.Option(None, "--ca-bundle", help=CA_HELP),
    ) -> None:
        """探测首页可用性若干次并记录（与 govcheck monitor 相同的探测与记录；用于补测或试运行）。"""
        from govcheck.cli_output import fail, say
        from govcheck.db import monitor_db_url_for

        from .service import Schedule, serve

        site_list, rs = _load(sites, rules)
        try:
            sched = Schedule.from_rules(rs, interval=interval, portal_interval=interval, slow=slow)
        except ValueError as e:
            fail(str(e))
        opts = _opts(allow, ca_bundle)
        out.mkdir(parents=True, exist_ok=True)
        failed = [0]

        def count_failures(r) -> None:
            if r.kind is not None:
                failed[0] += 1

        try:
            n = asyncio.run(serve(site_list, db or monitor_db_url_for(out), sched, opts, count=count,
                                  command="govcheck probe", on_result=count_failures, spread=False))
        except KeyboardInterrupt:
            say("探测已停止。")
            return
        say(f"探测完成：记录 {n} 次，其中未能正常打开 {failed[0]} 次。")


def register_warn(app: typer.Typer) -> None:
    @app.command("warn")
    def warn_cmd(
        sites: Path = typer.Option(..., "--sites", help="网站名单（CSV/XLSX）"),
        out: Path = typer.Option(..., "--out", help="监测目录：预警文件写入其下的预警文件夹（全部单位的 warnings.xlsx、"
                                 "feed.json，以及按单位名称分开的各单位文件夹）"),
        config: Optional[Path] = typer.Option(None, "--config", help="预警配置文件（TOML：预警间隔、邮件服务器、推送地址、各单位收件人；写法见 govcheck/monitor/README.md）"),
        rules: Optional[str] = typer.Option(None, "--rules", help="规则集（默认 gb2019）：各栏目、账号的更新期限取自其中"),
        accounts: Optional[Path] = typer.Option(None, "--accounts", help="政务新媒体名录（CSV/XLSX），给出时也预警账号更新"),
        var: list[str] = typer.Option([], "--var", help="名录“数据来源”中的变量 KEY=VALUE，可多次指定"),
        probes: Optional[str] = typer.Option(None, "--probes", help="可用性监测记录（目录或数据库 URL；默认 OUT/monitor.sqlite）"),
        at: Optional[str] = typer.Option(None, "--at", help="按哪一天计算剩余天数 YYYY-MM-DD（默认今天）"),
        no_send: bool = typer.Option(False, "--no-send", help="只生成文件，不发邮件、不推送"),
        allow: list[str] = typer.Option([], "--allow", help=ALLOW_HELP),
        ca_bundle: Optional[Path] = typer.Option(None, "--ca-bundle", help=CA_HELP),
    ) -> None:
        """更新预警：轻量复查首页与带日期的栏目（及政务新媒体账号），列出即将超期、已超期的栏目与账号和可用性下降，
        生成 warnings.xlsx 与 JSON 订阅，按配置发邮件或推送；每个单位只收到本单位的预警。"""
        import datetime as dt

        from govcheck.cli_output import fail, say
        from govcheck.collect.commands import network_overrides
        from govcheck.inspect.probes import probe_db

        from .warnings import WarningsError, load_config, run_warn

        site_list, rs = _load(sites, rules)
        try:
            cfg = load_config(config)
        except WarningsError as e:
            fail(str(e))
        day = None
        if at:
            try:
                day = dt.date.fromisoformat(at)
            except ValueError:
                fail(f"--at 不是有效日期（应为 YYYY-MM-DD）：{at}")
        variables = {}
        for v in var:
            key, sep, value = v.partition("=")
            if not sep or not key.strip():
                fail(f"--var 应为 KEY=VALUE：{v}")
            variables[key.strip()] = value
        try:
            network = network_overrides(allow, ca_bundle)
        except ValueError as e:
            fail(str(e))
        res = run_warn(site_list, out, cfg, rs, today=day, probes=probe_db(out, probes=probes), network=network,
                       accounts=accounts, variables=variables or None, deliver=not no_send)
        n_due = sum(1 for w in res.warnings if w.kind == "due")
        n_over = sum(1 for w in res.warnings if w.kind == "over")
        n_av = sum(1 for w in res.warnings if w.kind == "availability")
        say(f"预警：即将超期 {n_due} 项，已超期 {n_over} 项（其中新增 {sum(w.new for w in res.warnings)} 项），"
            f"可用性 {n_av} 项；见 {res.out / 'warnings.xlsx'}")
        for e in res.errors:
            say(e, style="yellow")
        bad = [d for d in res.deliveries if not d.get("ok")]
        if res.deliveries:
            say(f"已发送 {len(res.deliveries) - len(bad)} 份" + (f"，失败 {len(bad)} 份（见 deliveries.json）" if bad else ""))


def register_selfcheck(app: typer.Typer) -> None:
    @app.command("selfcheck")
    def selfcheck_cmd(
        site: str = typer.Option(..., "--site", help="本单位网站首页网址"),
        unit: Optional[str] = typer.Option(None, "--unit", help="单位名称（与检查单位名单一致；默认取网站名称）"),
        name: Optional[str] = typer.Option(None, "--name", help="网站名称（默认取域名）"),
        kind: str = typer.Option("部门", "--kind", help="网站类型：门户 或 部门"),
        rules: Optional[str] = typer.Option(None, "--rules", help="规则集：gb2019（默认）| xianning-2022 | 文件路径（用检查单位的规则集）"),
        out: Optional[Path] = typer.Option(None, "--out", help="输出目录（默认 自查-域名-日期）；用同一目录重新运行即续查"),
        at: Optional[str] = typer.Option(None, "--at", help="监测时间点 YYYY-MM-DD（默认今天）"),
        max_pages: Optional[int] = typer.Option(None, "--max-pages", help="最多抓取的页面数"),
        delay: Optional[float] = typer.Option(None, "--delay", help="两次请求的最小间隔（秒）"),
        probes: Optional[str] = typer.Option(None, "--probes", help="可用性监测记录（govcheck monitor 的目录或数据库 URL），用于判定“站点无法访问”"),
        pdf: bool = typer.Option(False, "--pdf", help="同时生成 PDF"),
        no_progress: bool = typer.Option(False, "--no-progress", help="不显示进度"),
        allow: list[str] = typer.Option([], "--allow", help=ALLOW_HELP),
        ca_bundle: Optional[Path] = typer.Option(None, "--ca-bundle", help=CA_HELP),
    ) -> None:
        """网站自查：按检查单位的规则集对本单位网站做一次完整检查，生成自查报告（docx + xlsx），问题表述与通报一致。"""
        import datetime as dt
        from urllib.parse import urlsplit

        from govcheck.cli_output import fail, report_files, say
        from govcheck.inspect.run import InspectError
        from govcheck.lock import RoundLocked

        from .selfcheck import run_selfcheck

        if kind not in ("门户", "部门"):
            fail(f"--kind 应为 门户 或 部门：{kind}")
        try:
            parts = urlsplit(site)
            ok = parts.scheme in ("http", "https") and parts.hostname
        except ValueError:
            ok = False
        if not ok:
            fail(f"--site 不是有效的网址（应以 http:// 或 https:// 开头）：{site}")
        day = None
        if at:
            try:
                day = dt.date.fromisoformat(at)
            except ValueError:
                fail(f"--at 不是有效日期（应为 YYYY-MM-DD）：{at}")
        today = day or dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
        out = out or Path(f"自查-{urlsplit(site).hostname}-{today.isoformat()}")
        try:
            res = run_selfcheck(site, out, unit=unit, name=name, kind=kind, rules=rules, at=today, pdf=pdf,
                                progress=not no_progress, max_pages=max_pages, delay=delay, probes=probes,
                                allow=list(allow) or None, ca_bundle=str(ca_bundle) if ca_bundle else None)
        except (InspectError, RoundLocked) as e:
            fail(str(e))
        s = res.score
        say(f"自查完成：{s.verdict}" + (f"，{s.score:g}分" if s.score is not None else "") +
            f"；问题 {len(res.findings)} 项，需人工核查 {len(res.manual)} 项。")
        report_files(res.files)
