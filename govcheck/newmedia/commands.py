"""CLI: `govcheck accounts check`, `govcheck lexicon scan|check`, `govcheck feeds serve`."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

console = Console()
accounts_app = typer.Typer(help="政务新媒体：备案比对、更新情况、严重表述错误。", no_args_is_help=True)
lexicon_app = typer.Typer(help="错敏词库：检查文本、校验词库文件。", no_args_is_help=True)
feeds_app = typer.Typer(help="订阅源：本地模拟账号的RSS/Atom服务。", no_args_is_help=True)


def _fail(msg: str) -> None:
    console.print(f"[bold red]错误：[/]{msg}")
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.add_typer(accounts_app, name="accounts")
    app.add_typer(lexicon_app, name="lexicon")
    app.add_typer(feeds_app, name="feeds")


@accounts_app.command("check")
def accounts_check(
    accounts: Path = typer.Option(..., "--accounts", help="政务新媒体名录（CSV/XLSX）"),
    registry: list[Path] = typer.Option(..., "--registry", help="备案系统导出文件，可多次指定"),
    at: str = typer.Option(..., "--at", help="监测时间点 YYYY-MM-DD"),
    rules: str = typer.Option("xianning-2022", "--rules", help="规则集（取更新时限）"),
    systems: Optional[str] = typer.Option(None, "--systems", help="须备案的系统，逗号分隔，如 全国,湖北省（默认：导出文件中出现的系统）"),
    previous: Optional[Path] = typer.Option(None, "--previous", help="上一轮检查结果目录（含 findings.json）"),
    lexicon: list[Path] = typer.Option([], "--lexicon", help="本单位补充词库（YAML），可多次指定"),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="填入数据来源模板 {base_url} 的地址"),
    timeout: float = typer.Option(10.0, "--timeout", help="订阅源请求超时（秒）"),
    out: Path = typer.Option(..., "--out", help="输出目录"),
) -> None:
    """只检查政务新媒体：写出 account_findings.json（及 comparison.json）。"""
    from govcheck.newmedia import Lexicon, LexiconError, RosterError
    from govcheck.newmedia.pipeline import run_newmedia
    from govcheck.rules import RuleSetError, load_ruleset

    try:
        day = date.fromisoformat(at)
    except ValueError:
        _fail(f"监测时间点“{at}”格式应为 YYYY-MM-DD")
    try:
        rs = load_ruleset(rules)
        window = int(rs.rule("M2.1").params["window_days"])
    except (RuleSetError, KeyError) as e:
        _fail(f"规则集“{rules}”中没有 M2.1 的 window_days：{e}")
    try:
        lex = Lexicon.load(extra_files=lexicon)
        res = run_newmedia(accounts, registry, day, window, lexicon=lex, previous_dir=previous, timeout=timeout,
                           registry_systems=[s.strip() for s in systems.split(",")] if systems else None,
                           variables={"base_url": base_url.rstrip("/")} if base_url else None)
    except (RosterError, LexiconError, ValueError) as e:
        _fail(str(e))
    out.mkdir(parents=True, exist_ok=True)
    (out / "account_findings.json").write_text(
        json.dumps([f.to_dict() for f in res.findings], ensure_ascii=False, indent=1), encoding="utf-8")
    if res.comparison:
        (out / "comparison.json").write_text(
            json.dumps([r.to_dict() for r in res.comparison], ensure_ascii=False, indent=1), encoding="utf-8")
    for w in res.warnings:
        console.print(f"[yellow]提示：[/]{w}")
    failing = {(f.target, f.account_type) for f in res.findings if f.code not in ("M2.3", "R1")}
    unread = sum(1 for f in res.findings if f.code == "M2.3")
    console.print(f"共检查政务新媒体 {len(res.accounts)} 个，不合格 {len(failing)} 个，数据获取失败（需人工核查）{unread} 个。")
    console.print(f"  已生成 {out / 'account_findings.json'}")


@lexicon_app.command("scan")
def lexicon_scan(
    files: list[Path] = typer.Argument(..., help="文本或网页文件"),
    extra: list[Path] = typer.Option([], "--lexicon", help="本单位补充词库（YAML）"),
    as_json: bool = typer.Option(False, "--json", help="以JSON输出"),
    serious_only: bool = typer.Option(False, "--serious", help="只列出严重错误"),
    at: str = typer.Option(None, "--at", help="监测时间点 YYYY-MM-DD（判断职务、机构名称是否已变更；默认今天）"),
) -> None:
    """用错敏词库检查文件中的表述错误（含规范名称、职务的一字之差与时效）。"""
    import datetime as dt
    from govcheck.newmedia import Lexicon, LexiconError

    try:
        lex = Lexicon.load(extra_files=extra)
    except LexiconError as e:
        _fail(str(e))
    results = []
    for f in files:
        try:
            text = _read_text(f)
        except OSError as e:
            console.print(f"[red]无法读取 {f}：{e}[/]")
            continue
        try:
            day = dt.date.fromisoformat(at) if at else None
        except ValueError:
            _fail(f"--at 应为日期 YYYY-MM-DD，而非“{at}”")
        for h in lex.scan(text, at=day):
            if serious_only and not h.serious:
                continue
            results.append({"file": str(f), "position": h.start + 1, "wrong": h.wrong, "right": h.right,
                            "category": h.category, "severity": h.severity, "source": h.source, "snippet": h.snippet,
                            "kind": h.kind, "reason": h.reason})
    if as_json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return
    for r in results:
        console.print(f"{r['file']} 第{r['position']}字 [{r['severity']}] “{r['wrong']}”应为“{r['right']}”"
                      f"（{r['category']}）：{r['snippet']}", markup=False, highlight=False)
    console.print(f"共发现 {len(results)} 处。")


@lexicon_app.command("check")
def lexicon_check(files: list[Path] = typer.Argument(None, help="补充词库文件（不指定则校验内置词库）")) -> None:
    """校验词库文件并列出各类别条目数。"""
    from collections import Counter

    from govcheck.newmedia import Lexicon, LexiconError

    try:
        lex = Lexicon.load(extra_files=files or [])
    except LexiconError as e:
        _fail(str(e))
    for name, v in lex.versions.items():
        console.print(f"{name}  版本 {v}")
    for cat, n in Counter(e.category for e in lex.entries).most_common():
        console.print(f"  {cat}：{n} 条")
    for cat, n in Counter(t.category for t in {t.text: t for t in lex.terms}.values()).most_common():
        console.print(f"  规范词语·{cat}：{n} 条")
    console.print(f"共 {len(lex)} 条（错误写法 {len(lex.entries)} 条，规范词语 {len(lex) - len(lex.entries)} 条），"
                  f"白名单 {len(lex.allow)} 条。")


@feeds_app.command("serve")
def feeds_serve(
    accounts_dir: Path = typer.Argument(None, help="含 accounts.csv 与 posts.csv 的目录（默认：咸宁2022二季度模拟账号）"),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8091, "--port"),
) -> None:
    """以RSS/Atom提供模拟账号的发布记录（/feeds/<id>.xml）。"""
    from aiohttp import web

    from govcheck.newmedia.feedserver import make_feed_app
    from govcheck.newmedia.replica import OUT_DIR

    d = accounts_dir or OUT_DIR
    console.print(f"订阅源地址：http://{host}:{port}/feeds/<id>.xml（数据目录 {d}）")
    web.run_app(make_feed_app(d), host=host, port=port, print=None)


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    if path.suffix.lower() in (".html", ".htm", ".shtml"):
        from govcheck.extract.decode import decode_html

        html, _ = decode_html(raw)
        from selectolax.lexbor import LexborHTMLParser

        tree = LexborHTMLParser(html)
        return tree.body.text(separator="\n") if tree.body else tree.text()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")
