"""Round-core commands: demo, score, report, findings import, review, rules (the round itself: govcheck.round)."""
from __future__ import annotations

import io
import json
import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table as RichTable

from govcheck.cli_output import DB_HELP, PDF_HELP, console, draft_note, fail, print_summary, report_files, say
from govcheck.report.pdf import PdfError
from govcheck.rules import RuleSetError, UnknownRule, load_ruleset
from govcheck.store import StoreError


findings_app = typer.Typer(help="问题清单：导入人工检查发现的问题。", no_args_is_help=True)
review_app = typer.Typer(help="复核：确认或撤销问题（留痕）。", no_args_is_help=True)
rules_app = typer.Typer(help="规则集：查看与校验。", no_args_is_help=True)


DEMO_PORTS = ".demo-ports.json"



def _demo_inspect(out: Path, round_toml: Path, db: str | None, pdf: bool, fresh: bool, browser: bool = False):
    """The demo as a real round: serve the xianning-2022q2 replica on 127.0.0.1 (from its own process, as
    real sites are served by other machines) and inspect it. A rerun serves every site on the port it had
    (OUT/.demo-ports.json), so the site URLs — and with them the resumed crawl, the findings' ids and
    reviews, and imported findings — are the same round's."""
    from govcheck.inspect.run import run_inspect
    from govcheck.sim import load_scenario
    from govcheck.sim.testing import region_in_process

    name = "xianning-2022q2"
    src = load_scenario(name).accounts_dir
    out.mkdir(parents=True, exist_ok=True)
    ports = {} if fresh else _saved_ports(out / DEMO_PORTS)
    say("启动模拟的40个政府网站与214个政务新媒体账号（127.0.0.1，另一进程）…")
    with ExitStack() as stack:
        try:
            reg = stack.enter_context(region_in_process(name, roster=out / "sites.csv", ports=ports))
        except RuntimeError as e:  # a saved port is taken by now
            if not ports:
                raise
            say(f"提示：无法沿用上次的端口（{e}），改用新端口；上次的网址将不再匹配。", style="yellow")
            reg = stack.enter_context(region_in_process(name, roster=out / "sites.csv"))
        _save_ports(out / DEMO_PORTS, reg)
        bodies = _replica_bodies(round_toml.parent, reg.roster, out / "bodies.csv")
        return run_inspect(reg.roster, out, round_config=round_toml, delay=0.0, concurrency=8, external=False,
                           bodies=bodies,
                           workers=2, db=db, pdf=pdf, accounts=src / "accounts.csv", registry=[src / "registry.csv"],
                           previous=src / "previous", variables={"base_url": reg.feeds_url}, fresh=fresh,
                           allow=reg.allow, command="govcheck demo", browser=browser)


def _replica_bodies(demo_dir: Path, replica_roster: Path, dest: Path) -> Path:
    """The demo's subordinate-bodies roster with each 上级平台网址 (a real county portal's address) replaced by the
    address the replica serves that county on (matched through the unit names of the two sites rosters)."""
    import csv

    from govcheck.roster import read_sites
    from govcheck.round import atomic_write_text

    unit_of = {s.url: s.unit for s in read_sites(demo_dir / "sites.csv")}
    local = {s.unit: s.url for s in read_sites(replica_roster)}
    with (demo_dir / "bodies.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    i = rows[0].index("上级平台网址")
    for r in rows[1:]:
        if len(r) > i and unit_of.get(r[i]) in local:
            r[i] = local[unit_of[r[i]]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    atomic_write_text(dest, buf.getvalue())
    return dest


def _port(url_or_host: str) -> int | None:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url_or_host if "://" in url_or_host else "http://" + url_or_host).port
    except ValueError:
        return None


def _saved_ports(path: Path) -> dict[str, int]:
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): int(v) for k, v in d.items()} if isinstance(d, dict) else {}
    except (OSError, ValueError, TypeError):
        return {}


def _save_ports(path: Path, reg) -> None:
    from govcheck.round import atomic_write_text

    ports: dict[str, int] = {}
    for s in reg.sites:
        if _port(s["url"]):
            ports[s["key"]] = _port(s["url"])
        if s.get("extra_hosts") and _port(s["extra_hosts"][0]):
            ports[s["key"] + "/platform"] = _port(s["extra_hosts"][0])
    if reg.feeds_url and _port(reg.feeds_url):
        ports["__feeds__"] = _port(reg.feeds_url)
    atomic_write_text(path, json.dumps(ports, ensure_ascii=False))


def _screenshot_pack(round_dir: Path, view) -> list[Path]:
    """问题截图.docx for the round as scored; says so when no finding has a screenshot."""
    from govcheck.report.screenshots import write_screenshots_docx

    title = str((view.meta.get("round") or {}).get("name") or "")
    path = write_screenshots_docx(round_dir, view.findings, [s.unit for s in view.sites], title)
    if path is None:
        say("没有带截图的问题：截图由 govcheck inspect --browser 生成。", style="yellow")
        return []
    return [path]


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        out: Path = typer.Option(Path("out/demo"), "--out", help="输出目录；用同一目录重新运行即续查（不丢失已导入的问题与复核）"),
        pdf: bool = typer.Option(False, "--pdf", help=PDF_HELP),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        from_notice: bool = typer.Option(False, "--from-notice",
                                         help="网站部分取通报附件1的转录（不抓取，数秒完成）；新媒体部分仍检查模拟账号"),
        transcribed: bool = typer.Option(False, "--transcribed",
                                         help="网站与新媒体两部分都取通报的转录（不访问任何模拟站点）"),
        fresh: bool = typer.Option(False, "--fresh", help="放弃该目录中已有的轮次、重新开始（原轮次先移入 backups/）"),
        inspect: bool = typer.Option(False, "--inspect", hidden=True, help="（已是默认行为，保留以兼容旧脚本）"),
        browser: bool = typer.Option(False, "--browser", help="浏览器渲染：由脚本加载的栏目按渲染后的页面判断，并为每条指向网页的问题截图"),
    ) -> None:
        """内置演示：重现咸宁市2022年第二季度通报（附件1、附件2与通报正文）。

        默认在本机 127.0.0.1 上启动模拟的40个政府网站和214个政务新媒体账号，完整检查一轮（抓取存档、
        读取页面、逐项检查、评分、生成通报），约需数分钟；--from-notice / --transcribed 改用通报的转录。
        """
        from govcheck.demo import DEMO_DIR, load_transcription
        from govcheck.inspect.run import InspectError
        from govcheck.lock import RoundLocked, round_lock
        from govcheck.round import attach_comparison, check_resumable, save_round, start_afresh

        if inspect and (from_notice or transcribed):
            fail("--inspect 与 --from-notice/--transcribed 不能同时使用")
        if not (from_notice or transcribed):
            try:
                res = _demo_inspect(out, DEMO_DIR / "round.toml", db, pdf, fresh, browser)
            except (InspectError, StoreError, RoundLocked, PdfError) as e:
                fail(str(e))
            print_summary(res.view)
            report_files(res.files)
            draft_note(res.view, out)
            return
        t = load_transcription()
        rs = load_ruleset(t.meta["round"]["rules"])
        meta = t.meta
        accounts, findings = t.accounts, t.findings
        try:
            with round_lock(out, "govcheck demo"):
                if fresh:
                    backup = start_afresh(out, db, site_urls=[s.url for s in t.sites])
                    if backup:
                        say(f"原轮次已移入 {backup}")
                check_resumable(out, db, meta["round"]["at"], int(meta["round"].get("seed", 0)), rs)
                if not transcribed:
                    from govcheck.newmedia.pipeline import run_replica

                    with console.status("检查模拟政务新媒体账号（更新源、备案库）…"):
                        res = run_replica(at=meta["round"]["at"],
                                          window_days=int(rs.rule("M2.1").params["window_days"]), archive_dir=out)
                    accounts = list(res.accounts)
                    findings = [f for f in t.findings if f.target_type == "site"] + res.findings
                    meta = attach_comparison(meta, res.comparison, res.previous_label)
                result = save_round(out, meta=meta, rs=rs, sites=t.sites, accounts=accounts, findings=findings,
                                    db=db, pdf=pdf, command="govcheck demo")
        except (StoreError, RoundLocked, PdfError) as e:
            fail(str(e))
        print_summary(result.view)
        report_files(result.files)
        draft_note(result.view, out)

    @app.command("score")
    def score_cmd(
        round_dir: Path = typer.Argument(..., metavar="轮次目录", help="轮次目录（inspect/demo 的 --out）"),
        rules: Optional[str] = typer.Option(None, "--rules", help="规则集：gb2019 | xianning-2022 | 文件路径（默认：该轮次所用规则集）"),
        overlay: list[str] = typer.Option([], "--overlay", help="追加的地方规则文件（可多次）"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        pdf: bool = typer.Option(False, "--pdf", help=PDF_HELP),
    ) -> None:
        """按规则集重新评分已存的问题，并重新生成全部输出（每次评分都留在评分历史中）。"""
        from govcheck.round import rules_for, write_outputs

        with _round_writer(round_dir, db, "govcheck score") as (store, info):
            rs = rules_for(info, rules, overlay)
            if "V2" in rs.rules:
                from govcheck.inspect.probes import redecide_v2

                # V2 is judged from the monitoring record with this rule set's window and thresholds
                v2 = redecide_v2(store, info, rs, round_dir, db)
                if v2 is not None:
                    say(f"站点无法访问（V2）已按监测记录重新判定：{v2['findings']} 个网站否决，"
                        f"{v2['manual']} 项需人工核查。")
            view = _rescore(store, info, rs, "govcheck score")
            _, files = write_outputs(round_dir, store.round(info.key), view, pdf=pdf)
        print_summary(view)
        report_files(files)

    @app.command("report")
    def report_cmd(
        round_dir: Path = typer.Argument(..., metavar="轮次目录", help="轮次目录（inspect/demo 的 --out）"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        pdf: bool = typer.Option(False, "--pdf", help=PDF_HELP),
        final: bool = typer.Option(False, "--final", help="定稿发布：尚有待复核问题或需人工核查事项时拒绝，并列出未办结事项"),
        allow_open: Optional[str] = typer.Option(None, "--allow-open", metavar="理由",
                                                 help="与 --final 同用：尚有未办结事项仍定稿发布，须写明理由（记录在案）"),
        by: Optional[str] = typer.Option(None, "--by", help="与 --final 同用：发布人（记录在案）"),
        screenshots: bool = typer.Option(False, "--screenshots", help="另写 问题截图.docx：按单位列出每条问题的截图（红框标出位置）、"
                                         "网址与截图时间（截图由 govcheck inspect --browser 生成）"),
    ) -> None:
        """按已存评分重新生成通报与附件（例如复核之后）。

        尚有待复核问题或需人工核查事项时，通报与附件标为“征求意见稿”并注明未办结数量；--final 定稿发布。
        """
        from govcheck.lock import RoundLocked
        from govcheck.publish import PublishRefused, publish
        from govcheck.round import rules_for, write_outputs

        if allow_open is not None and not final:
            fail("--allow-open 只能与 --final 同用")
        if final and not (by or "").strip():
            fail("定稿发布须用 --by 注明发布人")
        if final and allow_open is not None and not allow_open.strip():
            fail("--allow-open 须写明理由")
        if not final:
            with _round_writer(round_dir, db, "govcheck report") as (store, info):
                view = _rescore(store, info, rules_for(info, None), "govcheck report")  # reviews change scores
                _, files = write_outputs(round_dir, info, view, pdf=pdf)
                if screenshots:
                    files = [*files, *_screenshot_pack(round_dir, view)]
            report_files(files)
            draft_note(view, round_dir)
            return
        try:
            pub = publish(round_dir, by=by or "", db=db, allow_open=allow_open, pdf=pdf)
        except PublishRefused as e:
            say(f"{e}不能定稿发布，未办结事项：", prefix="错误：", style="bold red")
            for line in e.status.listing():
                say(line)
            say("请先复核（govcheck review confirm|dismiss 编号 …）、填写人工核查清单.xlsx 后导入"
                "（govcheck findings import）；确需带未办结事项发布：--final --allow-open 理由 --by 发布人。")
            raise typer.Exit(3)
        except (StoreError, RuleSetError, PdfError, RoundLocked) as e:
            fail(str(e))
        if pub.allow_open_reason:
            say(f"已定稿发布（{pub.status.counts_text()}，发布理由：{pub.allow_open_reason}，已记录）。")
        else:
            say("已定稿发布。")
        report_files(pub.files)
        if screenshots:
            with _round_writer(round_dir, db, "govcheck report") as (store, info):
                view = _rescore(store, info, rules_for(info, None), "govcheck report")
                report_files(_screenshot_pack(round_dir, view))

    @findings_app.command("import")
    def findings_import(
        file: Path = typer.Argument(..., metavar="文件", help="问题文件：JSON（findings.json 格式）、XLSX，或填好的人工核查清单.xlsx"),
        round_dir: Path = typer.Option(..., "--round", help="轮次目录"),
        by: Optional[str] = typer.Option(None, "--by", help="核查人（人工核查清单中未填“核查人”的行用此姓名）"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        """导入问题（人工检查如模拟咨询、负面舆情等）或人工核查清单的核查结果；任何一行有误则整批不导入。
        与本轮已有问题完全相同的不重复导入。"""
        from govcheck.findings_io import FindingsFileError, read_findings_file
        from govcheck.report.worklist import WorklistError, is_worklist, read_worklist
        from govcheck.round import rules_for, write_outputs

        with _round_writer(round_dir, db, "govcheck findings import") as (store, info):
            rs = rules_for(info, None)
            try:
                if is_worklist(file):
                    results, skipped = read_worklist(file, store.manual_items(info.id), rs, by=by)
                    store.resolve_manual(info.id, results)
                    n_find = sum(1 for r in results if r[4] is not None)
                    msgs = [f"已导入人工核查结果 {len(results)} 行（无问题 {len(results) - n_find} 项，新增问题 {n_find} 条）"
                            + (f"，{skipped} 行此前已导入，未重复导入" if skipped else "") + "，已重新评分。"]
                else:
                    items = read_findings_file(file, rs, store.sites(info.id), store.accounts(info.id))
                    added, skipped_items = store.add_findings(info.id, items)
                    msgs = [f"已导入 {len(added)} 条问题，已重新评分。"]
                    if skipped_items:
                        msgs.append(f"另有 {len(skipped_items)} 条与本轮已有问题完全相同，未重复导入。")
            except (FindingsFileError, WorklistError) as e:
                fail(str(e))
            view = _rescore(store, info, rs, "govcheck findings import")
            write_outputs(round_dir, info, view)
        for m in msgs:
            say(m)

    for action, doc in (("confirm", "确认一条问题。"), ("dismiss", "撤销一条问题（不再计分），理由留痕。")):
        review_app.command(action, help=doc)(_review_command(action))

    @rules_app.command("check")
    def rules_check(path: str = typer.Argument(..., metavar="规则集", help="规则集名称或 .toml 路径")) -> None:
        """校验规则集文件。"""
        try:
            rs = load_ruleset(path)
        except RuleSetError as e:
            fail(str(e))
        say(f"规则集 {rs.name} {rs.version}：{len(rs.rules)} 条规则，{len(rs.indicators)} 项指标，校验通过。")

    @rules_app.command("show")
    def rules_show(name: str = typer.Argument("gb2019", metavar="规则集", help="规则集名称或 .toml 路径"),
                   as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
        """列出规则集中的规则。"""
        from rich.text import Text

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
        t = RichTable(title=Text(f"{rs.name} {rs.version}"))
        for col in ("编码", "指标", "分值", "上限", "状态", "人工", "通报措辞"):
            t.add_column(col)
        for r in rs.rules.values():
            ind = rs.indicators[r.indicator]
            t.add_row(*(Text(x) for x in (
                r.code, ind.name, "否决" if r.veto else (f"{r.points:g}" if r.points else ""),
                "" if ind.cap is None else f"{ind.cap:g}", r.status, "是" if r.manual else "", r.render())))
        Console().print(t)

    app.add_typer(findings_app, name="findings")
    app.add_typer(review_app, name="review")
    app.add_typer(rules_app, name="rules")


@contextmanager
def _round_writer(round_dir: Path, db: str | None, command: str):
    """The round opened for writing, under its lock; a missing round, a held lock or an unusable rule set
    ends the command with a message."""
    from govcheck.lock import RoundLocked, round_lock
    from govcheck.round import open_round

    try:
        # the lock file lives in the round folder: make sure it is one before creating anything there
        open_round(round_dir, db)
        with round_lock(round_dir, command):
            yield open_round(round_dir, db)
    except (StoreError, RuleSetError, RoundLocked, PdfError) as e:
        fail(str(e))
    except UnknownRule as e:  # a KeyError: its str() is quoted
        fail(str(e.args[0]) if e.args else str(e))


def _rescore(store, info, rs, command: str):
    from govcheck.round import rescore

    return rescore(store, info, rs, command=command)


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
    from govcheck.round import rules_for, write_outputs

    with _round_writer(round_dir, db, f"govcheck review {action}") as (store, info):
        f = store.review(finding_id, action, by, reason)
        view = _rescore(store, info, rules_for(info, None), f"govcheck review {action}")
        write_outputs(round_dir, info, view)
    say(f"问题 {finding_id}（{f.unit} {f.code}）复核状态：{f.review}；已重新评分并生成输出。")
