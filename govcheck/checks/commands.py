"""`govcheck checks run FACTS` (judge one site's facts file) and `govcheck checks catalogue` (docs/rules.md)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer

from govcheck.rules import RuleSetError, load_ruleset


def register(app: typer.Typer) -> None:
    checks_app = typer.Typer(help="网站检查：按规则集检查单个网站的事实文件，生成规则目录。", no_args_is_help=True)
    app.add_typer(checks_app, name="checks")

    @checks_app.command("run")
    def run(
        facts: Path = typer.Argument(..., help="网站事实文件（SiteFacts 的 YAML 或 JSON）"),
        at: str = typer.Option(..., "--at", help="监测时间点 YYYY-MM-DD"),
        rules: str = typer.Option("xianning-2022", "--rules", help="规则集名称或 .toml 路径"),
        seed: int = typer.Option(0, "--seed", help="抽查随机种子"),
        as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
    ) -> None:
        """检查一个网站的事实文件，列出问题、需人工核查事项和抽查样本。"""
        from govcheck.checks import run_checks
        from govcheck.checks.facts import FactsError, SiteFacts
        from govcheck.score import apply_rules

        try:
            when = dt.date.fromisoformat(at)
        except ValueError:
            raise typer.BadParameter(f"监测时间点格式应为 YYYY-MM-DD：{at}", param_hint="--at") from None
        try:
            rs = load_ruleset(rules)
            sf = SiteFacts.load(facts)
        except (RuleSetError, FactsError) as e:
            typer.echo(str(e), err=True)
            raise typer.Exit(2) from None
        res = run_checks(sf, rs, when, seed)
        apply_rules(res.findings, rs)
        if as_json:
            typer.echo(json.dumps(res.to_dict(), ensure_ascii=False, indent=1))
            return
        typer.echo(f"{sf.unit}（{sf.url}）：发现问题 {len(res.findings)} 条")
        for f in res.findings:
            typer.echo(f"  [{f.code}] {f.text}")
            for e in f.evidence:
                shown = e.path or e.title or e.url or ""
                typer.echo(f"      {shown}" + (f"（{e.note}）" if e.note else ""))
        if res.anomalies:
            typer.echo(f"日期异常 {len(res.anomalies)} 处")
            for f in res.anomalies:
                typer.echo(f"  {f.evidence[0].path or f.evidence[0].url}（{f.evidence[0].note}）")
        typer.echo(f"需人工核查 {len(res.manual)} 项")
        for m in res.manual:
            typer.echo(f"  [{m.code}] {m.what}")
        for s in res.samples:
            typer.echo(f"抽查 {s.code}：从 {s.population} 个中抽取 {len(s.chosen)} 个（种子 {s.seed}）")

    @checks_app.command("catalogue")
    def catalogue(
        rules: list[str] = typer.Option(None, "--rules", help="规则集名称或 .toml 路径（可多次给出；默认全部内置规则集）"),
        out: Path = typer.Option(None, "--out", help="写入文件（默认输出到屏幕）"),
    ) -> None:
        """生成检查规则目录（docs/rules.md）：每条规则的措辞、参数、证据标准、实现与示例。"""
        from govcheck.checks.catalogue import render_catalogue, shipped

        try:
            sets = [load_ruleset(r) for r in rules] if rules else shipped()
        except RuleSetError as e:
            typer.echo(str(e), err=True)
            raise typer.Exit(2) from None
        text = render_catalogue(sets)
        if out:
            out.write_text(text, encoding="utf-8")
            typer.echo(f"已写入 {out}")
        else:
            typer.echo(text)
