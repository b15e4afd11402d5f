"""`govcheck crawl` (`govcheck probe` and `govcheck monitor`: govcheck/monitor/commands.py)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from govcheck.collect.config import CrawlOptions
from govcheck.collect.roster import RosterError, read_sites


ALLOW_HELP = ("允许访问的非公网地址（内网、本机等默认拒绝）：IP、网段、主机名或 主机:端口，可多次指定，"
              "如 --allow 127.0.0.1 --allow 10.1.0.0/16")
CA_HELP = "额外信任的 CA 证书文件（PEM），如内网网站自建的 CA"


def network_overrides(allow: list[str] | None, ca_bundle: Path | str | None) -> dict:
    """CrawlOptions overrides for the address allow-list and an extra CA bundle (None = keep defaults);
    a bad allow-list entry raises ValueError with a message."""
    from govcheck.collect.fetch import AddressPolicy

    over: dict = {}
    if allow:
        AddressPolicy(allow)  # validates every entry
        over["allow_addresses"] = list(allow)
    if ca_bundle:
        from govcheck.collect.fetch import check_ca_bundle

        over["ca_bundle"] = check_ca_bundle(str(ca_bundle))
    return over


def _sites(path: Path):
    try:
        return read_sites(path)
    except RosterError as e:
        typer.echo(f"名单错误：{e}", err=True)
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    @app.command("crawl")
    def crawl(
        sites: Path = typer.Option(..., "--sites", help="网站名单（CSV/XLSX）"),
        out: Path = typer.Option(..., "--out", help="输出目录；用同一目录重新运行即续抓"),
        max_pages: Optional[int] = typer.Option(None, "--max-pages", help="每个网站最多抓取的页面数"),
        concurrency: Optional[int] = typer.Option(None, "--concurrency", help="每个主机同时进行的请求数"),
        db: Optional[str] = typer.Option(None, "--db", help="数据库 URL（默认 OUT/round.sqlite）"),
        delay: Optional[float] = typer.Option(None, "--delay", help="同一主机两次请求的最小间隔（秒）"),
        global_limit: Optional[int] = typer.Option(None, "--global-limit", help="全部站点同时进行的请求数上限"),
        max_depth: Optional[int] = typer.Option(None, "--max-depth", help="链接深度上限"),
        timeout: Optional[float] = typer.Option(None, "--timeout", help="单次请求超时（秒）"),
        retries: Optional[int] = typer.Option(None, "--retries", help="超时或5xx时的重试次数"),
        max_body: Optional[int] = typer.Option(None, "--max-body", help="响应体字节数上限"),
        max_decoded: Optional[int] = typer.Option(None, "--max-decoded", help="解压后字节数上限"),
        ignore_robots: bool = typer.Option(False, "--ignore-robots", help="不遵守 robots.txt（记录在案）"),
        no_external: bool = typer.Option(False, "--no-external", help="不检查外部链接"),
        no_progress: bool = typer.Option(False, "--no-progress", help="不显示进度"),
        allow: list[str] = typer.Option([], "--allow", help=ALLOW_HELP),
        ca_bundle: Optional[Path] = typer.Option(None, "--ca-bundle", help=CA_HELP),
    ) -> None:
        """抓取网站并存档为 WARC（可续抓）。"""
        from govcheck.collect.runner import main_sync

        site_list = _sites(sites)
        try:
            opts = CrawlOptions.defaults(
                max_pages=max_pages, per_host_concurrency=concurrency, min_delay=delay, global_limit=global_limit,
                max_depth=max_depth, timeout=timeout, retries=retries, max_body_bytes=max_body,
                max_decoded_bytes=max_decoded, obey_robots=False if ignore_robots else None,
                check_external=False if no_external else None, **network_overrides(allow, ca_bundle))
        except ValueError as e:
            typer.echo(str(e), err=True)
            raise typer.Exit(2)
        if concurrency is not None and global_limit is None:
            opts.global_limit = max(opts.global_limit, concurrency)
        from govcheck.lock import RoundLocked, round_lock

        try:
            with round_lock(out, "govcheck crawl"):  # one writer per round folder (govcheck.lock)
                results = main_sync(site_list, str(out), opts, db, progress=not no_progress)
        except RoundLocked as e:
            typer.echo(str(e), err=True)
            raise typer.Exit(2) from None
        (Path(out) / "crawl_results.json").write_text(
            json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=1), encoding="utf-8")
        failed = [r for r in results if r.status != "done"]
        total = sum(r.fetched for r in results)
        typer.echo(f"抓取完成：{len(results)} 个网站，本次抓取 {total} 个地址，"
                   f"失败站点 {len(failed)} 个。结果见 {out}", err=True)
        for r in failed:
            typer.echo(f"  {r.unit} {r.site}：{r.message}", err=True)
