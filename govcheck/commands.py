"""Round-core commands: demo, score, report, findings import, review, rules."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from govcheck.model import Account, Finding, Site
from govcheck.report.pdf import PdfError
from govcheck.rules import RuleSetError, load_ruleset
from govcheck.store import Store, StoreError

console = Console(stderr=True, soft_wrap=True)  # a path is never broken across lines

findings_app = typer.Typer(help="问题清单：导入人工检查发现的问题。", no_args_is_help=True)
review_app = typer.Typer(help="复核：确认或撤销问题（留痕）。", no_args_is_help=True)
rules_app = typer.Typer(help="规则集：查看与校验。", no_args_is_help=True)


DB_HELP = "数据库 URL，如 postgresql+psycopg://用户:密码@主机/库（默认：轮次目录下的 round.sqlite）"
PDF_HELP = "同时用 LibreOffice 生成通报 PDF（需先以 root 运行 scripts/install-system-deps.sh）"


def _print_files(files) -> None:
    """One line per file, never broken inside a path (rich would wrap a long name at the console width)."""
    for f in files:
        console.print(f"  已生成 {escape(str(f))}", soft_wrap=True, highlight=False)


def fail(msg: str, code: int = 2) -> None:
    console.print(f"[bold red]错误：[/]{escape(msg)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def create_and_report(out: Path, *, meta: dict, rs, sites: list[Site], accounts: list[Account],
                      findings: list[Finding], db: str | None, pdf: bool, manual: list[dict] | None = None) -> None:
    """Store a new round, score it and write every output; shared by demo and inspect. `manual`: the
    需人工核查 items (unit, target, target_type, code, what, urls) the round's checks left to a person."""
    from govcheck.round import rescore, write_outputs

    r = meta["round"]
    store = Store.for_dir(out, db)
    key = str(out.resolve())
    rid = store.create_round(key=key, name=r["name"], at=r["at"], ruleset=rs, seed=int(r.get("seed", 0)),
                             meta={k: v for k, v in meta.items() if k != "round"} | {"name": r["name"]},
                             sites_=sites, accounts_=accounts)
    store.add_findings(rid, findings)
    if manual is not None:
        store.sync_manual(rid, manual)
    info = store.round(key)
    view = rescore(store, info, rs)
    try:
        doc, files = write_outputs(out, info, view, pdf=pdf)
    except PdfError as e:
        print_summary(view)
        fail(f"{e}（通报 docx 与附件 xlsx 已生成在 {out}）")
    print_summary(view)
    _print_files(files)
    if view.manual or any(f.review == "pending" for f in view.findings):
        from govcheck.report.gate import gate_status

        st = gate_status(view.findings, view.manual)
        console.print(f"通报与附件为征求意见稿：{st.counts_text()}。复核与人工核查办结后运行 "
                      f"govcheck report {escape(str(out))} --final 定稿。", soft_wrap=True, highlight=False)


def _demo_inspect(out: Path, round_toml: Path, db: str | None, pdf: bool) -> None:
    """The demo as a real round: serve the xianning-2022q2 replica on 127.0.0.1 (from its own process, as
    real sites are served by other machines) and inspect it."""
    from govcheck.inspect.run import run_inspect
    from govcheck.sim import load_scenario
    from govcheck.sim.testing import region_in_process

    name = "xianning-2022q2"
    src = load_scenario(name).accounts_dir
    out.mkdir(parents=True, exist_ok=True)
    console.print("启动模拟的40个政府网站与214个政务新媒体账号（127.0.0.1，另一进程）…")
    with region_in_process(name, roster=out / "sites.csv") as reg:
        run_inspect(reg.roster, out, round_config=round_toml, delay=0.0, concurrency=8, external=False, workers=2,
                    db=db, pdf=pdf, accounts=src / "accounts.csv", registry=[src / "registry.csv"],
                    previous=src / "previous", variables={"base_url": reg.feeds_url}, allow=reg.allow)


def attach_comparison(meta: dict, rows, label: str | None) -> dict:
    """Keep the rectification comparison (fixed / still failing / new per unit) with the round."""
    meta = {k: (dict(v) if isinstance(v, dict) else v) for k, v in meta.items()}
    if rows:
        meta["comparison"] = [r.to_dict() for r in rows]
        notice = meta.setdefault("notice", {})
        notice["previous_failed_accounts"] = sum(len(r.fixed) + len(r.still) for r in rows)
    return meta


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
    if view.accounts:
        ac = account_stats(view.accounts, view.scores, view.findings, view.rs)
        t.add_row("抽查政务新媒体", str(ac.checked), "")
        t.add_row("新媒体合格", str(ac.passed), ac.pass_share)
        t.add_row("新媒体不合格", str(len(ac.failed)), ac.fail_share)
    console.print(t)


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        out: Path = typer.Option(Path("out/demo"), "--out", help="输出目录"),
        pdf: bool = typer.Option(False, "--pdf", help="同时用 LibreOffice 生成 PDF"),
        db: Optional[str] = typer.Option(None, "--db", help="数据库 URL（默认：输出目录下 round.sqlite）"),
        from_notice: bool = typer.Option(False, "--from-notice",
                                         help="网站部分取通报附件1的转录（不抓取，数秒完成）；新媒体部分仍检查模拟账号"),
        transcribed: bool = typer.Option(False, "--transcribed",
                                         help="网站与新媒体两部分都取通报的转录（不访问任何模拟站点）"),
        inspect: bool = typer.Option(False, "--inspect", hidden=True, help="（已是默认行为，保留以兼容旧脚本）"),
    ) -> None:
        """内置演示：重现咸宁市2022年第二季度通报（附件1、附件2与通报正文）。

        默认在本机 127.0.0.1 上启动模拟的40个政府网站和214个政务新媒体账号，完整检查一轮（抓取存档、
        读取页面、逐项检查、评分、生成通报），约需数分钟；--from-notice / --transcribed 改用通报的转录。
        """
        from govcheck.demo import DEMO_DIR, load_transcription

        if inspect and (from_notice or transcribed):
            fail("--inspect 与 --from-notice/--transcribed 不能同时使用")
        if not (from_notice or transcribed):
            _demo_inspect(out, DEMO_DIR / "round.toml", db, pdf)
            return
        t = load_transcription()
        rs = load_ruleset(t.meta["round"]["rules"])
        meta = t.meta
        accounts, findings = t.accounts, t.findings
        if not transcribed:
            from govcheck.newmedia.pipeline import run_replica

            with console.status("检查模拟政务新媒体账号（更新源、备案库）…"):
                res = run_replica(at=meta["round"]["at"], window_days=int(rs.rule("M2.1").params["window_days"]),
                                  archive_dir=out)
            accounts = list(res.accounts)
            findings = [f for f in t.findings if f.target_type == "site"] + res.findings
            meta = attach_comparison(meta, res.comparison, res.previous_label)
        create_and_report(out, meta=meta, rs=rs, sites=t.sites, accounts=accounts, findings=findings,
                          db=db, pdf=pdf)

    @app.command("score")
    def score_cmd(
        round_dir: Path = typer.Argument(..., metavar="轮次目录", help="轮次目录（inspect/demo 的 --out）"),
        rules: Optional[str] = typer.Option(None, "--rules", help="规则集：gb2019 | xianning-2022 | 文件路径"),
        overlay: list[str] = typer.Option([], "--overlay", help="追加的地方规则文件（可多次）"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        pdf: bool = typer.Option(False, "--pdf", help=PDF_HELP),
    ) -> None:
        """按规则集重新评分已存的问题，并重新生成全部输出。"""
        from govcheck.round import open_round, rescore, rules_for, write_outputs

        try:
            store, info = open_round(round_dir, db)
            rs = rules_for(info, rules, overlay)
            view = rescore(store, info, rs)
            _, files = write_outputs(round_dir, store.round(info.key), view, pdf=pdf)
        except (StoreError, RuleSetError, KeyError, PdfError) as e:
            fail(str(e).strip("'\""))
        print_summary(view)
        _print_files(files)

    @app.command("report")
    def report_cmd(
        round_dir: Path = typer.Argument(..., metavar="轮次目录", help="轮次目录（inspect/demo 的 --out）"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        pdf: bool = typer.Option(False, "--pdf", help=PDF_HELP),
        final: bool = typer.Option(False, "--final", help="定稿发布：尚有待复核问题或需人工核查事项时拒绝，并列出未办结事项"),
        allow_open: Optional[str] = typer.Option(None, "--allow-open", metavar="理由",
                                                 help="与 --final 同用：尚有未办结事项仍定稿发布，须写明理由（记录在案）"),
        by: Optional[str] = typer.Option(None, "--by", help="与 --final 同用：发布人（记录在案）"),
    ) -> None:
        """按已存评分重新生成通报与附件（例如复核之后）。

        尚有待复核问题或需人工核查事项时，通报与附件标为“征求意见稿”并注明未办结数量；--final 定稿发布。
        """
        from govcheck.report.gate import PublishRefused, publish
        from govcheck.round import open_round, rescore, rules_for, write_outputs

        if allow_open is not None and not final:
            fail("--allow-open 只能与 --final 同用")
        if final and not (by or "").strip():
            fail("定稿发布须用 --by 注明发布人")
        if final and allow_open is not None and not allow_open.strip():
            fail("--allow-open 须写明理由")
        try:
            if final:
                pub = publish(round_dir, by=by or "", db=db, allow_open=allow_open, pdf=pdf)
                files = pub.files
            else:
                store, info = open_round(round_dir, db)
                rs = rules_for(info, None)
                view = rescore(store, info, rs)  # review decisions change scores: always recompute
                _, files = write_outputs(round_dir, info, view, pdf=pdf)
        except PublishRefused as e:
            console.print(f"[bold red]错误：[/]{escape(str(e))}不能定稿发布，未办结事项：", highlight=False)
            for line in e.status.listing():
                console.print(escape(line), highlight=False, soft_wrap=True)
            console.print("请先复核（govcheck review confirm|dismiss 编号 …）、填写人工核查清单.xlsx 后导入"
                          "（govcheck findings import）；确需带未办结事项发布：--final --allow-open 理由 --by 发布人。",
                          highlight=False)
            raise typer.Exit(3)
        except (StoreError, RuleSetError, PdfError) as e:
            fail(str(e))
        if final:
            if pub.allow_open_reason:
                console.print(f"已定稿发布（{pub.status.counts_text()}，发布理由：{escape(pub.allow_open_reason)}，已记录）。",
                              highlight=False)
            else:
                console.print("已定稿发布。", highlight=False)
        _print_files(files)

    @findings_app.command("import")
    def findings_import(
        file: Path = typer.Argument(..., metavar="文件", help="问题文件：JSON（findings.json 格式）、XLSX，或填好的人工核查清单.xlsx"),
        round_dir: Path = typer.Option(..., "--round", help="轮次目录"),
        by: Optional[str] = typer.Option(None, "--by", help="核查人（人工核查清单中未填“核查人”的行用此姓名）"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """导入问题（人工检查如模拟咨询、负面舆情等）或人工核查清单的核查结果；任何一行有误则整批不导入。"""
        from govcheck.findings_io import FindingsFileError, read_findings_file
        from govcheck.report.worklist import WorklistError, is_worklist, read_worklist
        from govcheck.round import open_round, rescore, rules_for, write_outputs

        try:
            store, info = open_round(round_dir, db)
            rs = rules_for(info, None)
            if is_worklist(file):
                results, skipped = read_worklist(file, store.manual_items(info.id), rs, by=by)
                store.resolve_manual(info.id, results)
                n_find = sum(1 for r in results if r[4] is not None)
                msg = (f"已导入人工核查结果 {len(results)} 行（无问题 {len(results) - n_find} 项，"
                       f"新增问题 {n_find} 条）" + (f"，{skipped} 行此前已导入，未重复导入" if skipped else ""))
            else:
                items = read_findings_file(file, rs, store.sites(info.id), store.accounts(info.id))
                store.add_findings(info.id, items)
                msg = f"已导入 {len(items)} 条问题"
            view = rescore(store, info, rs)
            write_outputs(round_dir, info, view)
        except (StoreError, RuleSetError, FindingsFileError, WorklistError) as e:
            fail(str(e))
        console.print(f"{msg}，已重新评分并生成输出。", highlight=False)

    for action, doc in (("confirm", "确认一条问题。"), ("dismiss", "撤销一条问题（不再计分），理由留痕。")):
        review_app.command(action, help=doc)(_review_command(action))

    @rules_app.command("check")
    def rules_check(path: str = typer.Argument(..., metavar="规则集", help="规则集名称或 .toml 路径")) -> None:
        """校验规则集文件。"""
        try:
            rs = load_ruleset(path)
        except RuleSetError as e:
            fail(str(e))
        console.print(f"规则集 {rs.name} {rs.version}：{len(rs.rules)} 条规则，{len(rs.indicators)} 项指标，校验通过。")

    @rules_app.command("show")
    def rules_show(name: str = typer.Argument("gb2019", metavar="规则集", help="规则集名称或 .toml 路径"),
                   as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
        """列出规则集中的规则。"""
        try:
            rs = load_ruleset(name)
        except RuleSetError as e:
            fail(str(e))
        if as_json:
            sys.stdout.write(json.dumps([{"code": r.code, "indicator": r.indicator, "points": r.points,
                                          "veto": r.veto, "target": r.target, "status": r.status,
                                          "manual": r.manual, "wording": r.render()} for r in rs.rules.values()],
                                        ensure_ascii=False, indent=1) + "\n")
            return
        t = RichTable(title=f"{rs.name} {rs.version}")
        for col in ("编码", "指标", "分值", "上限", "状态", "人工", "通报措辞"):
            t.add_column(col)
        for r in rs.rules.values():
            ind = rs.indicators[r.indicator]
            t.add_row(r.code, ind.name, "否决" if r.veto else (f"{r.points:g}" if r.points else ""),
                      "" if ind.cap is None else f"{ind.cap:g}", r.status, "是" if r.manual else "", r.render())
        Console().print(t)

    app.add_typer(findings_app, name="findings")
    app.add_typer(review_app, name="review")
    app.add_typer(rules_app, name="rules")


def _review_command(action: str):
    """One typer command per review action; they differ only in the action recorded."""

    def command(
        finding_id: str = typer.Argument(..., metavar="问题编号", help="问题编号（findings.json 的 id）"),
        by: str = typer.Option(..., "--by", help="复核人"),
        reason: str = typer.Option(..., "--reason", help="理由"),
        round_dir: Path = typer.Option(Path("."), "--round", help="轮次目录"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        _review(round_dir, db, finding_id, action, by, reason)

    return command


def _review(round_dir: Path, db: str | None, finding_id: str, action: str, by: str, reason: str) -> None:
    from govcheck.round import open_round, rescore, rules_for, write_outputs

    try:
        store, info = open_round(round_dir, db)
        f = store.review(finding_id, action, by, reason)
        view = rescore(store, info, rules_for(info, None))
        write_outputs(round_dir, info, view)
    except (StoreError, RuleSetError) as e:
        fail(str(e))
    console.print(f"问题 {finding_id}（{f.unit} {f.code}）复核状态：{f.review}；已重新评分并生成输出。")
