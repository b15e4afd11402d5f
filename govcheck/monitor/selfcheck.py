"""`govcheck selfcheck`: a unit runs the full website checks on its own site and gets a 自查报告 (docx + xlsx) in
the words the office's notice will use.

It is a one-site round: the real `govcheck inspect` (crawl → extract → facts → checks → score) into its own
folder, so nothing is judged differently from the office's round; the report prints each problem exactly as
附件1 does (notice.unit_lines: the rule set's wording, points, column paths), then the 需人工核查 items.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from govcheck.model import Finding

DATA_FILE = Path(__file__).resolve().parent / "data" / "selfcheck.toml"
ROSTER_HEADER = ["区域", "单位名称", "网站名称", "首页网址", "网站类型", "对外服务"]


@lru_cache(maxsize=None)
def data() -> dict[str, Any]:
    with DATA_FILE.open("rb") as f:
        return tomllib.load(f)


@dataclass
class SelfcheckResult:
    out: Path
    files: list[Path]
    findings: list[Finding]
    manual: list[dict[str, Any]]
    score: Any
    inspect: Any


def write_roster(path: Path, url: str, unit: str, name: str, kind: str, public_service: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(ROSTER_HEADER)
        w.writerow(["", unit, name, url, kind, "是" if public_service else "否"])
    return path


def run_selfcheck(url: str, out: Path, *, unit: str | None = None, name: str | None = None, kind: str = "部门",
                  rules: str | None = None, at: dt.date | None = None, pdf: bool = False, progress: bool = False,
                  **inspect_kw: Any) -> SelfcheckResult:
    """Inspect one site into `out` and write its 自查报告. `inspect_kw`: passed to run_inspect (allow,
    ca_bundle, max_pages, probes, delay …)."""
    from govcheck.inspect.run import run_inspect

    host = urlsplit(url).hostname or url
    name = name or host
    unit = unit or name
    at = at or dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    out = Path(out)
    roster = write_roster(out / "sites.csv", url, unit, name, kind)
    res = run_inspect(roster, out, at=at, rules=rules, progress=progress, pdf=False,
                      command="govcheck selfcheck", **inspect_kw)
    view = res.view
    site = view.sites[0]
    fs = [f for f in view.findings if f.target_type == "site" and f.target == site.url]
    manual = [m for m in json.loads((out / "manual.json").read_text(encoding="utf-8")) if m.get("target") == site.url]
    score = next(s for s in view.scores if s.target == site.url)
    doc = report_doc(view, site, fs, manual, score, pages=sum(o.pages for o in res.sites), at=at)
    files = write_report(doc, out, pdf=pdf)
    return SelfcheckResult(out=out, files=files, findings=fs, manual=manual, score=score, inspect=res)


def report_doc(view, site, fs: list[Finding], manual: list[dict[str, Any]], score, *, pages: int, at: dt.date):
    """The 自查报告 as a NoticeDoc (the notice's own content model, so the docx and xlsx renderers lay it out)."""
    from govcheck.cn import cn_date
    from govcheck.notice import load_template, unit_lines
    from govcheck.report.doc import Attachment, NoticeDoc, Paragraph, Table
    from govcheck.rules import fmt_points

    d = data()
    rs = view.rs
    tpl = load_template((view.meta.get("notice") or {}).get("template"))
    live = [f for f in fs if f.review != "dismissed"]
    body = [Paragraph(d["opening"].format(basis_title=rs.setting("title", rs.name), rules=rs.name, version=rs.version,
                                          date=cn_date(at.isoformat()), name=site.name, url=site.url, pages=pages))]
    body.append(Paragraph(d["result_heading"], "heading1"))
    if score.access is not None:
        text = d["result_manual"].format(reason=score.access.get("label") or score.access.get("kind"), verdict=score.verdict)
    elif score.score is None:
        text = d["result_veto"].format(verdict=score.verdict)
    else:
        text = d["result_score"].format(score=fmt_points(score.score), pass_line=fmt_points(rs.pass_line),
                                        verdict=score.verdict)
    body.append(Paragraph(text + d["counts"].format(n_findings=len(live), n_manual=len(manual))))
    body.append(Paragraph(d["problems_heading"], "heading1"))
    lines = unit_lines(live, rs, tpl, site.kind)
    if not lines:
        body.append(Paragraph(d["no_problems"]))
    for i, line in enumerate(lines, start=1):
        body.append(Paragraph(f"（{_cn(i)}）{line.text}", "heading2"))
        if line.evidence:
            body.append(Paragraph(d["evidence_lead"] + "；".join(line.evidence)))
    undecided, checklist = split_manual(manual)
    body.append(Paragraph(d["manual_heading"], "heading1"))
    if undecided:
        body.append(Paragraph(d["manual_lead"]))
        for i, (m, urls) in enumerate(grouped(undecided), start=1):
            extra = d["manual_urls"].format(n=len(urls), urls="、".join(urls[:int(d["manual_urls_max"])]) +
                                            ("等" if len(urls) > int(d["manual_urls_max"]) else "")) if len(urls) > 1 else ""
            body.append(Paragraph(f"{i}. " + manual_line(m, rs) + extra))
    else:
        body.append(Paragraph(d["no_manual"]))
    if checklist:
        body.append(Paragraph(d["checklist_heading"], "heading1"))
        body.append(Paragraph(d["checklist_lead"]))
        for i, (m, _) in enumerate(grouped(checklist), start=1):
            body.append(Paragraph(f"{i}. " + manual_line(m, rs)))
    body.append(Paragraph(d["closing_heading"], "heading1"))
    body += [Paragraph(t) for t in d["closing"]]
    rows = []
    for i, f in enumerate(live, start=1):
        e = f.evidence[0] if f.evidence else None
        points = d["veto_points"] if f.veto else fmt_points(f.points)
        rows.append([str(i), f.code, f.text, points, (e.path or "") if e else "", (e.url or "") if e else "",
                     ((e.title or e.note or "") if e else ""), ((e.date or "") if e else "")])
        for more in f.evidence[1:]:
            rows.append(["", "", "", "", more.path or "", more.url or "", more.title or more.note or more.detail or "",
                         more.date or (more.fetched_at or "")[:19]])
    mrows = [[str(i), m.get("code", ""), m.get("what", ""), "；".join(m.get("urls") or [])]
             for i, m in enumerate(manual, start=1)]
    att = Attachment("附件", d["attachment_title"], [Table(d["findings_header"], rows, [10, 14, 60, 12, 40, 45, 40, 18]),
                                                    Table(d["manual_header"], mrows, [10, 14, 110, 60])])
    title = d["title"].format(name=site.name)
    return NoticeDoc(title=title, recipients="", body=body, attachments=[att], issuer=site.unit,
                     date=cn_date(at.isoformat()))


def split_manual(manual: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(what the program could not decide, the indicators a person always checks: declared manual in the rule
    registry)."""
    from govcheck.checks.registry import entries

    reg = entries()
    declared = {code for code, e in reg.items() if not e.automatic}
    return ([m for m in manual if m.get("code") not in declared or m.get("held")],
            [m for m in manual if m.get("code") in declared and not m.get("held")])


def grouped(items: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[str]]]:
    """Items with the same rule and wording as one, with every URL they name."""
    out: dict[tuple, tuple[dict[str, Any], list[str]]] = {}
    for m in items:
        _, urls = out.setdefault((m.get("code"), m.get("what")), (m, []))
        urls += [u for u in m.get("urls") or [] if u not in urls]
    return list(out.values())


def manual_line(m: dict[str, Any], rs) -> str:
    code = m.get("code") or ""
    short = ""
    if code in rs.rules:
        rule = rs.rule(code)
        short = f"（{rs.indicators[rule.indicator].name}）"
    return data()["manual_line"].format(code=code if code != "*" else "", short=short, what=m.get("what", ""))


def write_report(doc, out: Path, pdf: bool = False) -> list[Path]:
    """自查报告 <网站名称>.docx (+ .pdf) and 自查报告 <网站名称>.xlsx; the notice's renderers lay them out."""
    from dataclasses import replace

    from govcheck.report.docx import write_docx
    from govcheck.report.render import checked_notice, safe_file_name
    from govcheck.report.xlsx import write_xlsx

    doc = checked_notice(replace(doc, attachments=doc.attachments))
    stem = doc.title
    files = [write_docx(replace(doc, attachments=[]), out / safe_file_name(stem, ".docx"))]
    files.append(write_xlsx(doc.attachments[0], out / safe_file_name(stem, ".xlsx")))
    if pdf:
        from govcheck.report.pdf import docx_to_pdf

        files.append(docx_to_pdf(files[0], out))
    return files


def _cn(n: int) -> str:
    from govcheck.notice import cn_number

    return cn_number(n)
