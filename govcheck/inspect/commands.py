"""`govcheck inspect`: a whole round in one command."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import typer

from govcheck.cli_output import DB_HELP, PDF_HELP


def register(app: typer.Typer) -> None:
    @app.command("inspect")
    def inspect_cmd(
        sites: Path = typer.Option(..., "--sites", help="网站名单（CSV/XLSX）"),
        out: Path = typer.Option(..., "--out", help="输出目录；用同一目录重新运行即续抓"),
        at: Optional[str] = typer.Option(None, "--at", help="监测时间点 YYYY-MM-DD（或在 --round-config 中给出）"),
        rules: Optional[str] = typer.Option(None, "--rules", help="规则集：gb2019（默认）| xianning-2022 | 文件路径"),
        accounts: Optional[Path] = typer.Option(None, "--accounts", help="政务新媒体名录（CSV/XLSX）"),
        registry: list[Path] = typer.Option([], "--registry", help="备案系统导出文件，可多次指定"),
        bodies: Optional[Path] = typer.Option(None, "--bodies", help="下属单位名单（CSV/XLSX：区域、上级平台网址、单位名称、"
                                              "类型 部门/乡镇街道、平台栏目网址）：检查所列县级政府信息公开平台及其子平台"),
        previous: Optional[Path] = typer.Option(None, "--previous", help="上一轮的输出目录（整改对照）"),
        var: list[str] = typer.Option([], "--var", help="名录“数据来源”中的变量 KEY=VALUE（如 base_url=http://…），可多次指定"),
        round_config: Optional[Path] = typer.Option(None, "--round-config", help="轮次与通报设置：TOML 文件，含 \\[round] 与 \\[notice] 两节（见 govcheck/demo/xianning-2022q2/round.toml）"),
        max_pages: Optional[int] = typer.Option(None, "--max-pages", help="每个网站最多抓取的页面数"),
        concurrency: Optional[int] = typer.Option(None, "--concurrency", help="每个主机同时进行的请求数"),
        delay: Optional[float] = typer.Option(None, "--delay", help="同一主机两次请求的最小间隔（秒）"),
        workers: int = typer.Option(2, "--workers", help="抽取页面的进程数（与抓取同时进行）；--cluster local 时为本机工作进程数"),
        cluster: Optional[str] = typer.Option(None, "--cluster", help="在 Dask 集群上逐站点执行（抓取、抽取、检查）：调度器地址 "
                                              "tcp://主机:8786，或 local（本机 LocalCluster）；多台机器须配合 PostgreSQL（--db）"
                                              "与共享的输出目录，见 scripts/cluster.md"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        pdf: bool = typer.Option(False, "--pdf", help=PDF_HELP),
        seed: Optional[int] = typer.Option(None, "--seed", help="抽样随机种子（默认取轮次配置或监测时间点）"),
        no_search: bool = typer.Option(False, "--no-search", help="不做站内搜索测试"),
        no_external: bool = typer.Option(False, "--no-external", help="不检查外部链接"),
        no_progress: bool = typer.Option(False, "--no-progress", help="不显示进度"),
        allow: list[str] = typer.Option([], "--allow", help="允许访问的非公网地址（内网、本机等默认拒绝）：IP、网段、"
                                        "主机名或 主机:端口，可多次指定；也可写在轮次配置 [network] allow 中"),
        ca_bundle: Optional[Path] = typer.Option(None, "--ca-bundle", help="额外信任的 CA 证书文件（PEM）"),
        fresh: bool = typer.Option(False, "--fresh", help="放弃 OUT 中已有的轮次、重新抓取检查（原轮次先移入 OUT/backups/）"),
        probes: Optional[str] = typer.Option(None, "--probes", help="可用性监测记录（govcheck monitor 的 --out 目录或数据库 URL），"
                                             "用于判定“站点无法访问”；默认 OUT/monitor.sqlite 或轮次配置 [monitor] db"),
        browser: bool = typer.Option(False, "--browser", help="浏览器渲染：由脚本加载的栏目按渲染后的页面判断，"
                                     "并为每条指向网页的问题截图（问题截图.docx 见 govcheck report --screenshots）"),
    ) -> None:
        """检查一轮：抓取网站（可续抓）、抽取、检查、评分，并生成通报与附件。

        用同一 --out 重新运行即续查：已导入的问题、复核记录与评分历史都保留。"""
        from govcheck.cli_output import draft_note, fail, print_summary, report_files, say
        from govcheck.lock import RoundLocked
        from govcheck.report.pdf import PdfError

        from .access import describe
        from .cluster import ClusterError
        from .run import InspectError, run_inspect

        day = None
        if at is not None:
            try:
                day = dt.date.fromisoformat(at)
            except ValueError:
                fail(f"--at 不是有效日期（应为 YYYY-MM-DD）：{at}")
        if accounts is None and registry:
            fail("--registry 需要与 --accounts 一起使用")
        variables = {}
        for v in var:
            key, sep, value = v.partition("=")
            if not sep or not key.strip():
                fail(f"--var 应为 KEY=VALUE：{v}")
            variables[key.strip()] = value
        try:
            res = run_inspect(sites, out, at=day, rules=rules, round_config=round_config, seed=seed,
                              accounts=accounts, registry=list(registry), previous=previous, max_pages=max_pages,
                              concurrency=concurrency, delay=delay, db=db, pdf=pdf, workers=workers,
                              progress=not no_progress, search=not no_search, external=not no_external,
                              variables=variables or None, allow=list(allow) or None,
                              ca_bundle=str(ca_bundle) if ca_bundle else None, fresh=fresh,
                              command="govcheck inspect", probes=probes, cluster=cluster, browser=browser,
                              bodies=bodies)
        except (InspectError, RoundLocked, PdfError, ClusterError) as e:
            fail(str(e))
        print_summary(res.view)
        report_files(res.files)
        draft_note(res.view, out)
        n_manual = sum(len(o.manual) for o in res.sites)
        say(f"检查完成：{len(res.sites)} 个网站，{sum(o.pages for o in res.sites)} 个页面，"
            f"问题 {len(res.findings)} 条，需人工核查 {n_manual} 项（见 {out / 'manual.json'}）。")
        bad = [f"{o.site.unit}（{describe(o.access) if o.access else o.error}）" for o in res.sites
               if o.access or o.error]
        if bad:
            say(f"以下网站未能检查，评为“需人工核查”：{'；'.join(bad)}", style="yellow")
