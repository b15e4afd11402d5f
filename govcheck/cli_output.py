"""What every command prints: messages without markup, errors that end the command, the round summary.

Messages carry file names, roster cells and rule text, which may hold brackets; rich would read them as
markup (`[ruleset]` vanishes, `[/bold]` crashes), so they are printed as plain Text.
"""
from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table as RichTable

console = Console(stderr=True)

DB_HELP = "数据库 URL，如 postgresql+psycopg://用户:密码@主机/库（默认：轮次目录下的 round.sqlite）"
PDF_HELP = "同时用 LibreOffice 生成通报 PDF（需先以 root 运行 scripts/install-system-deps.sh）"


def draft_note(view, out) -> None:
    """Say that the outputs are drafts while anything is open, and how to issue them as final."""
    if view.manual or any(f.review == "pending" for f in view.findings):
        from govcheck.report.gate import gate_status

        st = gate_status(view.findings, view.manual)
        say(f"通报与附件为征求意见稿：{st.counts_text()}。复核与人工核查办结后运行 "
            f"govcheck report {out} --final --by 发布人 定稿。")


def fail(msg: str, code: int = 2) -> None:
    """Print an error and exit. The message is printed as it is: file names, cells and rule text may hold
    brackets that rich would otherwise read as markup ([ruleset] must not vanish, [/bold] must not crash)."""
    say(msg, prefix="错误：", style="bold red")
    raise typer.Exit(code)


def say(msg: str, prefix: str = "", style: str | None = None) -> None:
    """One line to stderr, the message never read as markup."""
    from rich.text import Text

    if prefix:
        line = Text(prefix, style=style or "")
        line.append(str(msg))
    else:
        line = Text(str(msg), style=style or "")
    console.print(line, soft_wrap=True)


def report_files(files) -> None:
    for f in files:
        say(f"  已生成 {f}")


def print_summary(view) -> None:
    from govcheck.stats import account_stats, site_stats

    t = RichTable(title="本轮检查概况", show_header=True)
    t.add_column("项目")
    t.add_column("数量", justify="right")
    t.add_column("占比", justify="right")
    if view.sites:
        st = site_stats(view.sites, view.scores, view.rs)
        from govcheck.stats import pct

        n = st.checked
        t.add_row("抽查网站", str(n), "")
        t.add_row("满分网站", str(len(st.full)), pct(len(st.full), n))
        t.add_row("90分以上（含）满分以下", str(len(st.high)), pct(len(st.high), n))
        t.add_row("90分以下", str(len(st.low)), pct(len(st.low), n))
        t.add_row("一票否决", str(len(st.vetoed)), pct(len(st.vetoed), n))
        t.add_row("网站合格", str(st.passed), st.pass_rate)
        if st.unassessed:
            t.add_row("未能检查（需人工核查，不计入以上各项）", str(len(st.unassessed)), "")
    if view.accounts:
        ac = account_stats(view.accounts, view.scores, view.findings, view.rs)
        t.add_row("抽查政务新媒体", str(ac.checked), "")
        t.add_row("新媒体合格", str(ac.passed), ac.pass_share)
        t.add_row("新媒体不合格", str(len(ac.failed)), ac.fail_share)
    console.print(t)
