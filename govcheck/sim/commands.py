"""`govcheck sim serve`: run a replica region until Ctrl-C."""
from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import typer

from .scenario import ScenarioError, load_scenario
from .server import RegionServer

sim_app = typer.Typer(help="仿真区域：在本机端口上运行带预设问题的政府网站，供抓取、抽取和检查测试。", no_args_is_help=True)


@sim_app.command("serve")
def serve(
    scenario: str = typer.Argument(..., help="场景名（如 styles-demo、xianning-2022q2）或场景目录"),
    roster: Path = typer.Option(None, "--roster", help="写出网站名单 CSV 的路径（默认：当前目录 sites-<场景>.csv）"),
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址"),
    base_port: int = typer.Option(0, "--base-port", help="固定端口：各网站依次使用 N、N+1…（默认随机空闲端口）"),
    accounts: Path = typer.Option(None, "--accounts", help="写出政务新媒体名单 CSV（数据来源指向本次启动的订阅源）"),
    seed: int = typer.Option(1, "--seed", help="variety 场景：随机种子（同一种子生成同样的网站）"),
    sites: int = typer.Option(20, "--sites", help="variety 场景：网站数量"),
    part: int = typer.Option(0, "--part", help="variety 场景：只启动第 N 份（网站序号 i 除以份数的余数为 N 者），供多个进程分担"),
    parts: int = typer.Option(1, "--parts", help="variety 场景：共分几份"),
    models: Path = typer.Option(None, "--models", help="variety 场景：写出各网站模型（栏目、类型、预设问题）JSON"),
) -> None:
    """启动场景中的全部网站（每个网站一个端口），写出网站名单，按 Ctrl-C 停止。"""
    try:
        scen = _scenario(scenario, seed, sites, part, parts)
    except (ScenarioError, ValueError) as e:
        typer.echo(f"场景加载失败：{e}", err=True)
        raise typer.Exit(2)
    roster = roster or Path(f"sites-{scen.name}.csv")

    async def run() -> None:
        server = RegionServer(scen, host=host, base_port=base_port or None)
        try:
            await server.start()
        except OSError as e:
            await server.stop()
            typer.echo(f"端口被占用或无法监听：{e}", err=True)
            raise typer.Exit(2)
        server.write_roster(roster)
        if models and scen.name == "variety":
            from .variety import write_models
            write_models(scen, models)
        typer.echo(f"场景 {scen.name}（监测时间点 {scen.time_point}）：{len(server.sites)} 个网站已启动")
        for s in server.sites:
            typer.echo(f"  {s['url']:<28} {s['unit']}（{s['style']}，{s['encoding']}，约{s['pages']}页）")
        if server.feeds_url:
            typer.echo(f"  新媒体订阅源：{server.feeds_url}/feeds/<id>.xml")
            if accounts:
                server.write_accounts(accounts)
                typer.echo(f"新媒体名单已写入 {accounts}；备案名单：{scen.accounts_dir / 'registry.csv'}")
        typer.echo(f"网站名单已写入 {roster}；按 Ctrl-C 停止。")
        hosts = sorted({a.rsplit(":", 1)[0] for a in server.allow})
        typer.echo("抓取或检查本地模拟网站需明确允许其地址（默认拒绝本机与内网地址）："
                   + " ".join(f"--allow {h}" for h in hosts)
                   + (f" --ca-bundle {server.ca_bundle}" if server.ca_bundle else ""))
        stop = asyncio.Event()
        try:  # a service manager's SIGTERM stops as cleanly as Ctrl-C
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
        try:
            await stop.wait()
        finally:
            await server.stop()
        typer.echo("已停止。")

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        typer.echo("已停止。")


def _scenario(name: str, seed: int, n: int, part: int = 0, parts: int = 1):
    """A scenario folder/name, or the generated `variety` region (seed, N sites, slice part/parts)."""
    if name == "variety":
        from .variety import build_variety

        if n < 1 or parts < 1 or not 0 <= part < parts:
            raise ValueError("--sites 应为正数，--part 应在 0 与 --parts-1 之间")
        return build_variety(seed, n, part=part, parts=parts)
    return load_scenario(name)


@sim_app.command("list")
def list_scenarios() -> None:
    """列出内置场景。"""
    from .scenario import SCENARIOS_DIR

    import yaml

    for d in sorted(SCENARIOS_DIR.iterdir()):
        if (d / "scenario.yaml").is_file():  # read the headers only; building 40 sites takes a second
            raw = yaml.safe_load((d / "scenario.yaml").read_text(encoding="utf-8")) or {}
            n = len(list((d / raw.get("sites_dir", "sites")).glob("*.yaml")))
            typer.echo(f"{raw.get('name', d.name):<20} {raw.get('title', '')}（{n} 个网站，监测时间点 {raw.get('time_point')}）")
    typer.echo(f"{'variety':<20} 按随机种子生成的多样化网站（--seed S --sites N；样式 powereasy/dede/avalon/jcms/zfxxgk）")


@sim_app.command("defects")
def defects(scenario: str = typer.Argument(..., help="场景名或场景目录"),
            seed: int = typer.Option(1, "--seed", help="variety 场景：随机种子"),
            sites: int = typer.Option(20, "--sites", help="variety 场景：网站数量")) -> None:
    """列出场景中预设的问题（即该场景应被检查出的问题）。"""
    try:
        scen = _scenario(scenario, seed, sites)
    except (ScenarioError, ValueError) as e:
        typer.echo(f"场景加载失败：{e}", err=True)
        raise typer.Exit(2)
    for s in scen.sites:
        if scen.name == "variety":
            plants = s.special.get("plants") or []
            typer.echo(f"{s.key} {s.unit}（{s.name}，{s.style}，{s.encoding}）" + ("：无" if not plants else ""))
            for p in plants:
                typer.echo(f"  - {p.get('code') or '需人工核查'} {p['plant']}")
            continue
        typer.echo(f"{s.unit}（{s.name}，{s.style}，{s.encoding}）" + ("：无" if not s.defects else ""))
        for d in s.defects:
            ev = "；".join(d.evidence)
            typer.echo(f"  - [{d.notice}] {d.code or '-'} ×{d.count} {d.plant}" + (f"：{ev}" if ev else ""))


def register(app: typer.Typer) -> None:
    app.add_typer(sim_app, name="sim")
