"""The notice's content: every sentence, number and table row, computed from one round's data.

The narrative and the attachment tables are built from the same findings and scores here, so a name
in the text always stands in a table and a count always matches its list (the hand-typed sample notice
fails both). Layout is the renderers' business (govcheck.report.render).
"""
from __future__ import annotations

import tomllib
from collections import OrderedDict
from dataclasses import dataclass, field
import re
from pathlib import Path
from typing import Any

from govcheck.cn import cn_date
from govcheck.model import Account, Finding, Score, Site
from govcheck.rectify import FIXED, NEW, NOT_FIXED, UNDECIDED, site_matches, summary
from govcheck.report.doc import Attachment, Colophon, Masthead, NoticeDoc, Paragraph, Table
from govcheck.rules import RuleSet, fmt_points
from govcheck.score import displaced, indicator_totals
from govcheck.stats import AccountStats, FailingAccount, account_stats, pct, site_stats

TEMPLATE_DIR = Path(__file__).resolve().parent / "report" / "templates"
_CN_DIGITS = "零一二三四五六七八九十"


class NoticeError(ValueError):
    pass


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (enough for section numbers)."""
    if n <= 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def load_template(name_or_path: str | None) -> dict[str, Any]:
    name = name_or_path or "default"
    p = Path(name)
    if not p.exists():
        p = TEMPLATE_DIR / f"notice-{name}.toml"
    if not p.exists():
        raise NoticeError(f"通报模板不存在：{name_or_path}")
    with p.open("rb") as f:
        return tomllib.load(f)


def with_defaults(tpl: dict[str, Any], section: str) -> dict[str, Any]:
    """A template section with the default template's keys beneath it: an office's own template written before a
    key existed (the website rectification's) still works."""
    return {**load_template(None).get(section, {}), **tpl.get(section, {})}


class _Fmt(dict):
    """str.format_map that leaves unknown placeholders visible instead of crashing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, /, **values: Any) -> str:
    return template.format_map(_Fmt(values))


# ---------------------------------------------------------------------- attachment 1
@dataclass
class UnitLine:
    code: str
    text: str  # the printed line: wording, 共扣N分。, notes in parentheses
    evidence: list[str]  # paths or titles printed after the line


DEFAULT_EVIDENCE_PRINT = ["path", "note", "title"]


def evidence_parts(fs: list[Finding], fields: list[str] | None = None) -> tuple[list[str], list[str]]:
    """(notes, items) to print: per evidence item the first of `fields` it has; notes go in parentheses."""
    notes: list[str] = []
    items: list[str] = []
    for f in fs:
        for e in f.evidence:
            for name in fields or DEFAULT_EVIDENCE_PRINT:
                val = getattr(e, name, None)
                if val:
                    bucket = notes if name == "note" else items
                    if val not in bucket:
                        bucket.append(val)
                    break
    return notes, items


def unit_lines(fs: list[Finding], rs: RuleSet, template: dict[str, Any], site_kind: str | None = None,
               still: set[int] | None = None, mark: str | None = None) -> list[UnitLine]:
    """One line per rule (in order of first finding) as the attachment prints it. `still`: id() of findings the
    previous notice already named (未整改): their line gets `mark` (template still_mark)."""
    fields = (rs.setting("evidence_print") or {}).get(site_kind or "", None)
    dup = displaced(fs, rs)  # the scorer's decision: a column penalised once
    live = [f for i, f in enumerate(fs) if f.review != "dismissed" and rs.rule(f.code).table and i not in dup]
    totals = indicator_totals(live, rs)
    groups: OrderedDict[tuple[str, str], list[Finding]] = OrderedDict()
    for f in live:
        groups.setdefault((f.code, f.text), []).append(f)
    lines = []
    total_fmt = template["attachments"]["total"]
    for (code, text), group in groups.items():
        rule = rs.rule(code)
        head = text
        if not rule.veto and not rule.marker and rule.scored:
            amount = totals[rule.indicator].rules.get(code, 0.0) if rule.indicator in totals else 0.0
            # several wordings of one rule (e.g. D21 per element) share the rule's capped total
            same_code = [g for (c, _), g in groups.items() if c == code]
            if len(same_code) > 1:
                amount = min(amount, rule.points * len(group))
            head += fill(total_fmt, total=fmt_points(amount))
        notes, items = evidence_parts(group, fields) if rule.print_evidence else ([], [])
        if notes:
            head += "（" + "、".join(notes) + "）"
        if still and mark and any(id(f) in still for f in group):
            head += fill(with_defaults(template, "attachments")["still_mark"], mark=mark)
        lines.append(UnitLine(code, head, items))
    return lines


def attachment1_rows(sites: list[Site], scores: list[Score], items: list[Finding], rs: RuleSet,
                     template: dict[str, Any], still: set[int] | None = None,
                     mark: str | None = None) -> list[list[str]]:
    by_url = {s.target: s for s in scores if s.target_type == "site"}
    rows = []
    for site in sites:
        fs = [f for f in items if f.target_type == "site" and f.target == site.url]
        lines = unit_lines(fs, rs, template, site.kind, still, mark)
        cell = "\n".join(l.text + "".join("\n" + e for e in l.evidence) for l in lines)
        sc = by_url[site.url]
        if sc.access is not None and template["attachments"].get("unassessed"):
            cell = "\n".join(x for x in (cell, fill(template["attachments"]["unassessed"], **sc.access)) if x)
        cell = cell or template["attachments"]["clean"]
        score_txt = sc.verdict if sc.score is None else fmt_points(sc.score)  # 一票否决 / 需人工核查
        rows.append([site.unit, cell, score_txt])
    return rows


def account_reason(fa: FailingAccount, rs: RuleSet) -> str:
    return " ".join(rs.rule(f.code).render(f.params) for f in fa.findings
                    if rs.rule(f.code).veto or rs.rule(f.code).marker)


def attachment2_tables(st: AccountStats, rs: RuleSet, template: dict[str, Any]) -> list[Table]:
    t = template["attachments"]
    district = Table(t["district_header"], [[d.region, str(d.checked), str(d.failed), d.pass_rate] for d in st.districts])
    failing = Table(t["account_header"], [[fa.region, fa.name, fa.unit, fa.type, account_reason(fa, rs)] for fa in st.failed])
    return [district, failing]


# ---------------------------------------------------------------------- narrative
def units_n(units: list[str], limit: int) -> str:
    shown = "、".join(units[:limit])
    if len(units) > limit:
        return f"{shown}等{len(units)}家"
    return shown if len(units) == 1 else f"{shown}{len(units)}家"


def account_ref(fa: FailingAccount, template: dict[str, Any]) -> str:
    return f"“{fa.name}”{template['platform_short'].get(fa.type, fa.type)}"


def account_ref_long(fa: FailingAccount) -> str:
    return f"“{fa.name}”{fa.type}"


@dataclass
class RoundView:
    """Everything the notice is computed from."""

    meta: dict[str, Any]
    rs: RuleSet
    sites: list[Site]
    accounts: list[Account]
    findings: list[Finding]
    scores: list[Score]
    manual: list[Any] = field(default_factory=list)  # store.ManualRecord: 需人工核查 items and their results


def _unit_order(view: RoundView) -> dict[str, int]:
    order: dict[str, int] = {}
    for s in view.sites:
        order.setdefault(s.unit, len(order))
    for f in view.findings:
        order.setdefault(f.unit, len(order))
    return order


def book_title(title: str) -> str:
    """A document's title as a notice cites it: in 《》, with any 《》 inside turned to 〈〉 (GB/T 15834)."""
    t = (title or "").strip()
    if not t:
        return ""
    if t.startswith("《") and t.endswith("》") and t.count("《") == 1:
        t = t[1:-1]
    return "《" + t.replace("《", "〈").replace("》", "〉") + "》"


def join_cn(items: list[str]) -> str:
    """A、B和C: how a sentence lists a few named things."""
    items = [str(x) for x in items if str(x)]
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + "和" + items[-1]


def span_cn(days: int | None = None, months: int | None = None) -> str:
    """A rule's window as a sentence says it: 14 → 2周, 365 → 1年, 92 → 3个月, months=6 → 6个月."""
    if months:
        return f"{months // 12}年" if months % 12 == 0 else f"{months}个月"
    if not days:
        return ""
    if days % 365 == 0:
        return f"{days // 365}年"
    m = round(days / 30.5)
    if m and abs(days - 30.5 * m) <= 2:
        return f"{m}个月"
    if days % 7 == 0:
        return f"{days // 7}周"
    return f"{days}天"


def _iso_cn(v: Any) -> str:
    try:
        return cn_date(str(v))
    except (TypeError, ValueError):
        return str(v)


def phrase_values(rule_params: dict[str, Any], fs: list[Finding]) -> dict[str, str]:
    """What a phrase may name, from one target's findings of one rule: each param (values of several
    findings joined: 网站标识码、公安机关备案标识), {param}_cn for dates, the evidence notes, titles in 《》,
    the count, and the rule's windows as words."""
    vals: dict[str, str] = {}
    keys: list[str] = []
    for f in fs:
        for k in f.params:
            if k not in keys:
                keys.append(k)
    for k in keys:
        seen: list[str] = []
        for f in fs:
            v = f.params.get(k)
            for x in (v if isinstance(v, (list, tuple)) else [v]):
                if x is not None and str(x) not in seen:
                    seen.append(str(x))
        vals[k] = join_cn(seen)
        if seen and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", x) for x in seen):
            vals[k + "_cn"] = join_cn([_iso_cn(x) for x in seen])
    notes = []
    titles = []
    for f in fs:
        for e in f.evidence:
            if e.note and e.note not in notes:
                notes.append(e.note)
            if e.title and book_title(e.title) not in titles:
                titles.append(book_title(e.title))
    vals["notes"] = "、".join(notes)
    vals["notes_paren"] = f"（{'、'.join(notes)}）" if notes else ""
    vals["titles"] = "、".join(titles)
    vals["count"] = str(len(fs))
    vals["ev_count"] = str(sum(len(f.evidence) for f in fs))
    for k, v in rule_params.items():  # windows as words: window_days 14 → {window_cn} 2周
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
            if k.endswith("_days"):
                vals.setdefault(k[:-5] + "_cn", span_cn(days=int(v)))
            elif k.endswith("_months"):
                vals.setdefault(k[:-7] + "_cn", span_cn(months=int(v)))
    return {k: v for k, v in vals.items() if v or k == "notes_paren"}


_PH = re.compile(r"\{(\w+)\}")


def render_phrase(template: str | list[str], values: dict[str, str]) -> str | None:
    """The first alternative whose placeholders all have a value (None when none has)."""
    for alt in ([template] if isinstance(template, str) else list(template)):
        if all(k in values for k in _PH.findall(alt)):
            return _PH.sub(lambda m: values[m.group(1)], alt)
    return None


def _phrase_key(part: dict[str, Any], f: Finding, phrases: dict[str, Any]) -> str:
    variant = part.get("variant")
    if variant and f.params.get(variant) is not None:
        key = f"{f.code}:{f.params[variant]}"
        if key in phrases:
            return key
    return f.code


def _units_n(units: list[str], limit: int) -> str:
    return units_n(units, limit) if units else ""


def _accounts_n(accs: list[FailingAccount], limit: int, noun: str = "个") -> str:
    shown = "、".join(account_ref_long(a) for a in accs[:limit])
    if len(accs) > limit:
        return f"{shown}等{len(accs)}{noun}"
    return shown


def _clauses(part: dict[str, Any], fs: list[Finding], view: RoundView, tpl: dict[str, Any],
             order: dict[str, int], failing_of) -> str:
    """One clause per distinct phrase: the targets that share it, then what each was found to have."""
    phrases = tpl["problems"].get("phrase") or {}
    rs = view.rs
    limit = int(tpl.get("max_names", 4))
    acc_limit = int(tpl.get("max_accounts", 3))
    by_target: dict[tuple, list[Finding]] = OrderedDict()
    for f in fs:
        by_target.setdefault((f.target_type, f.target, f.account_type, f.unit), []).append(f)
    groups: OrderedDict[str, list] = OrderedDict()
    code_rank = {c: i for i, c in enumerate(part["codes"])}
    for key, tfs in by_target.items():
        per_code: OrderedDict[str, list[Finding]] = OrderedDict()
        for f in sorted(tfs, key=lambda f: code_rank.get(f.code, 99)):
            per_code.setdefault(_phrase_key(part, f, phrases), []).append(f)
        rendered = []
        for pkey, cfs in per_code.items():
            tmpl = phrases.get(pkey) or phrases.get(cfs[0].code)
            if tmpl is None:
                raise NoticeError(f"通报模板缺少规则 {cfs[0].code} 的表述（[problems.phrase]）")
            rule = rs.rule(cfs[0].code)
            # a finding entered by hand may lack the params a phrase names: the rule's own short name then
            text = render_phrase(tmpl, phrase_values(rule.params, cfs)) or rule.short
            if text is None:
                raise NoticeError(f"通报模板中规则 {pkey} 的表述缺少可填的内容：{tmpl}")
            if text not in rendered:
                rendered.append(text)
        groups.setdefault("、".join(rendered), []).append(key)
    clauses = []
    for phrase, keys in groups.items():
        if keys[0][0] == "site":
            units = sorted({k[3] for k in keys}, key=lambda u: order.get(u, 1 << 30))
            clauses.append(fill(part["clause"], units_n=_units_n(units, limit), phrase=phrase))
        else:
            accs = []
            for k in keys:
                fa = failing_of(k[1], k[2])
                if fa is not None and fa not in accs:
                    accs.append(fa)
            if not accs:
                continue
            clauses.append(fill(part["clause"], accounts_n=_accounts_n(accs, acc_limit, part.get("noun", "个")),
                                phrase=phrase))
    if not clauses:
        return ""
    return part.get("lead", "") + "；".join(clauses) + part.get("tail", "")


def _problem_paragraphs(view: RoundView, tpl: dict[str, Any], acc: AccountStats) -> list[Paragraph]:
    rs = view.rs
    limit = int(tpl.get("max_names", 4))
    acc_limit = int(tpl.get("max_accounts", 3))
    order = _unit_order(view)
    gone = displaced(view.findings, rs)  # a column penalised once: the narrative counts what the tables count
    live = [f for i, f in enumerate(view.findings) if f.review != "dismissed" and i not in gone]
    failing_by_key = {(fa.name, fa.type): fa for fa in acc.failed}

    def failing_of(name: str, account_type: str | None) -> FailingAccount | None:
        fa = failing_by_key.get((name, account_type))
        if fa is None:
            fa = next((x for x in acc.failed if x.name == name), None)
        return fa

    phrases = tpl["problems"].get("phrase") or {}
    out: list[Paragraph] = [Paragraph(tpl["problems"]["heading"], "heading1")]
    n = 0
    for kind in tpl["problems"]["kind"]:
        sentences = []
        topics: list[str] = []
        for part in kind["parts"]:
            fs = [f for f in live if f.code in part["codes"]]
            if not fs:
                continue
            before = len(sentences)
            if part.get("each") == "finding":
                for f in fs:
                    ev = f.evidence[0] if f.evidence else None
                    detail = ""
                    if phrases:
                        tmpl = phrases.get(_phrase_key(part, f, phrases))
                        if tmpl is not None:
                            detail = render_phrase(tmpl, phrase_values(rs.rule(f.code).params, [f])) or ""
                    sentences.append(fill(
                        part["text"], unit=f.unit, rule_text=f.text.rstrip("。"),
                        title=book_title(ev.title) if ev and ev.title else part.get("untitled", ""),
                        note=(ev.note if ev and ev.note else ""),
                        on_date=f"于{cn_date(ev.date)}" if ev and ev.date else "", detail=detail,
                    ))
            elif part.get("clause"):
                text = _clauses(part, fs, view, tpl, order, failing_of)
                if text:
                    sentences.append(text)
            else:
                site_fs = [f for f in fs if f.target_type == "site"]
                units = sorted({f.unit for f in site_fs}, key=lambda u: order.get(u, 1 << 30))
                accs: list[FailingAccount] = []
                for f in fs:
                    fa = failing_of(f.target, f.account_type) if f.target_type == "account" else None
                    if fa is not None and fa not in accs:
                        accs.append(fa)
                texts = [f.text.rstrip("。") for f in site_fs]
                sentences.append(fill(
                    part["text"], units=("、".join(units)), units_n=units_n(units, limit),
                    accounts="、".join(account_ref_long(a) for a in accs[:acc_limit]),
                    accounts_n=_accounts_n(accs, acc_limit),
                    etc="等" if len(accs) > acc_limit else "", rule_text=texts[0] if texts else "",
                ))
            if len(sentences) > before and part.get("topic") and part["topic"] not in topics:
                topics.append(part["topic"])
        if not sentences:
            continue
        n += 1
        title = fill(kind["title"], topics="、".join(topics))
        if kind.get("numbered"):
            body = "".join(f"{cn_number(i + 1)}是{s}。" for i, s in enumerate(sentences))
        else:
            body = kind.get("lead", "") + "；".join(sentences) + "。"
        out.append(Paragraph(f"（{cn_number(n)}）{title}。{body}", "heading2"))
    return out if n else []


def _site_rectify(matches, meta: dict[str, Any], tpl: dict[str, Any], common: dict[str, Any], sec: int,
                  limit: int, order: dict[str, int]) -> Paragraph:
    """（N）网站问题整改情况: the previous notice's website problems fixed, still there, undecided; and new ones."""
    ov = with_defaults(tpl, "overview")
    n = summary(matches)
    still_units = sorted({m.previous.unit for m in matches if m.state == NOT_FIXED},
                         key=lambda u: order.get(u, 1 << 30))
    label = meta["site_comparison"].get("label", "")
    values = dict(common, previous_label=label, n_prev=n[NOT_FIXED] + n[FIXED] + n[UNDECIDED], n_fixed=n[FIXED],
                  n_still=n[NOT_FIXED], n_new=n[NEW],
                  still_units=fill(ov["site_rectify_units"], units_n=units_n(still_units, limit)) if still_units else "",
                  undecided=fill(ov["site_rectify_undecided"], n=n[UNDECIDED]) if n[UNDECIDED] else "")
    key = "site_rectify_all" if not n[NOT_FIXED] and not n[UNDECIDED] else "site_rectify"
    return Paragraph(fill(ov["site_rectify_heading"], n=cn_number(sec)) + fill(ov[key], **values), "heading2")


# ---------------------------------------------------------------------- 政务公开 platforms (GK*)
PLATFORM_PREFIX = "GK"


def _platform_findings(view: RoundView) -> list[Finding]:
    gone = displaced(view.findings, view.rs)
    return [f for i, f in enumerate(view.findings) if f.code.startswith(PLATFORM_PREFIX) and f.review != "dismissed"
            and i not in gone and f.target_type == "site"]


def _platforms(view: RoundView) -> list[dict[str, Any]]:
    """The platforms the round checked (inspect --bodies: meta platform.platforms), in the sites roster's order;
    without that record (findings imported or transcribed), the units with platform findings."""
    rec = (view.meta.get("platform") or {}).get("platforms")
    if rec is not None:
        return list(rec)
    seen: dict[str, dict[str, Any]] = {}
    for f in _platform_findings(view):
        seen.setdefault(f.target, {"unit": f.unit, "url": f.target, "bodies": []})
    order = {s.url: i for i, s in enumerate(view.sites)}
    return sorted(seen.values(), key=lambda p: order.get(p["url"], len(order)))


def _platform_key(f: Finding) -> str:
    return f"{f.code}:{f.params['type']}" if f.code == "GK2.1" and f.params.get("type") else f.code


def _platform_paragraph(view: RoundView, tpl: dict[str, Any], common: dict[str, Any], n: int) -> Paragraph | None:
    """（一）政务公开抽查情况: which county platforms fall short of the platform rules and, per platform, what is
    missing with counts, from the GK* findings (not typed into round.toml)."""
    platforms = _platforms(view)
    if not platforms or not any(c.startswith(PLATFORM_PREFIX) for c in view.rs.rules):
        return None
    ov = tpl["overview"]
    fs = _platform_findings(view)
    by_target: dict[str, list[Finding]] = {}
    for f in fs:
        by_target.setdefault(f.target, []).append(f)
    level = (view.meta.get("notice") or {}).get("platform_level") or ov.get("platform_level", "")
    basis = str(view.rs.rule("GK2.1").params.get("basis") or "") if "GK2.1" in view.rs.rules else ""
    values = dict(common, level=level, basis=basis, n_platforms=len(platforms))
    values.setdefault("platform_check_period", common.get("site_check_period", ""))
    failing = [p for p in platforms if by_target.get(p["url"])]
    unchecked = (view.meta.get("platform") or {}).get("unchecked") or []
    if not failing and not unchecked:
        return Paragraph(fill(ov["platform_heading"], n=cn_number(n)) + fill(ov["platform_clean"], **values),
                         "heading2")
    if not failing:
        return None  # nothing found, but not every platform could be read: no sentence says they are in order
    units = [p["unit"] for p in failing]
    who = fill(ov["platform_all"], **values) if len(failing) == len(platforms) > 1 and not unchecked \
        else fill(ov["platform_some"], **values, units="、".join(units))
    parts = []
    for p in failing:
        mine = by_target[p["url"]]
        counts: dict[str, int] = {}
        for f in mine:
            counts[_platform_key(f)] = counts.get(_platform_key(f), 0) + 1
        items = []
        for key, text in ov.get("platform_items", {}).items():
            k = counts.get(key, 0)
            if not k:
                continue
            first = next(f for f in mine if _platform_key(f) == key)
            items.append(fill(text, n=k, **{kk: str(v) for kk, v in first.params.items()}))
        if items:
            parts.append(fill(ov["platform_unit"], unit=p["unit"], items=ov.get("platform_sep_items", "，").join(items)))
    details = fill(ov["platform_details"], parts=ov.get("platform_sep_units", "；").join(parts)) if parts else ""
    return Paragraph(fill(ov["platform_heading"], n=cn_number(n)) + fill(ov["platform"], **values, who=who,
                                                                        details=details), "heading2")


def _evidence_text(e: Any, tpl: dict[str, Any]) -> str:
    bits = []
    if e.file:
        bits.append(fill(tpl["attachments"].get("platform_row_ref", "{file}第{row}行"), file=e.file, row=e.row or ""))
    if e.path:
        bits.append(e.path)
    if e.url:
        bits.append(e.url)
    if e.archive is not None and e.archive.warc:
        bits.append(f"存档 {e.archive.warc} {e.archive.record_id or ''}".strip())
    return " ".join(bits)


def _platform_attachment(view: RoundView, tpl: dict[str, Any], notice: dict[str, Any], label: str) -> Attachment | None:
    """政务公开平台规范化检查情况表: per platform, its own row, then each subordinate body with the sub-platform found
    for it and what is missing, with the evidence (column path, URL, archive; the roster row)."""
    platforms = _platforms(view)
    if not platforms or not any(c.startswith(PLATFORM_PREFIX) for c in view.rs.rules):
        return None
    at = tpl["attachments"]
    fs = _platform_findings(view)
    rs = view.rs
    rows: list[list[str]] = []
    open_items: dict[str, list[Any]] = {}  # 需人工核查 GK items still open, by site
    for m in view.manual or []:
        if str(getattr(m, "code", "")).startswith(PLATFORM_PREFIX) and getattr(m, "status", "open") == "open":
            open_items.setdefault(getattr(m, "target", ""), []).append(m)

    def unsure(items: list[Any]) -> str:
        return "\n".join(f"{at['platform_unsure']}：{m.what}" for m in items)
    for p in platforms:
        mine = [f for f in fs if f.target == p["url"]]
        region = p.get("region") or p["unit"]
        own = [f for f in mine if f.code.startswith("GK1")]
        plat = p.get("platform") or {}
        held = open_items.get(p["url"], [])
        rows.append([region, f"{p['unit']}{at['platform_self']}", at["platform_self_type"],
                     " ".join(x for x in (plat.get("path"), plat.get("url")) if x),
                     "\n".join(f.text or rs.rule(f.code).render_short(f.params) for f in own)
                     or unsure([m for m in held if m.code.startswith("GK1")]) or at["clean"],
                     "\n".join(_evidence_text(e, tpl) for f in own for e in f.evidence)])
        bodies = p.get("bodies") or []
        named = {b["name"] for b in bodies}
        for b in bodies:
            path = b.get("path")
            theirs = [f for f in mine if f.code.startswith("GK2") and (
                f.params.get("body") == b["name"] or (path and any(e.path and (e.path == path or e.path.startswith(path + ">"))
                                                                    for e in f.evidence)))]
            if b.get("match") == "ambiguous":
                where = at["platform_unsure"]
            else:
                where = " ".join(x for x in (path, b.get("url")) if x) or at["platform_absent"]
            problems = "\n".join(f.text or rs.rule(f.code).render_short(f.params) for f in theirs)
            if not problems:
                mine_open = [m for m in held if m.code.startswith("GK2") and (b["name"] in m.what or (
                    path and any(path in (u or "") or (b.get("url") or "\0") == u for u in m.urls)))]
                problems = unsure(mine_open) or (at["platform_unsure"] if b.get("match") == "ambiguous" else at["clean"])
            rows.append([region, b["name"], b["type"], where, problems,
                         "\n".join(_evidence_text(e, tpl) for f in theirs for e in f.evidence)])
        for f in mine:  # findings on bodies the record does not list (imported, transcribed)
            if f.code.startswith("GK2") and f.params.get("body") not in named and not bodies:
                rows.append([region, str(f.params.get("body", "")), str(f.params.get("type", "")), "",
                             f.text or rs.rule(f.code).render_short(f.params),
                             "\n".join(_evidence_text(e, tpl) for e in f.evidence)])
    return Attachment(label, notice.get("platform_title", at["platform_title"]), [Table(at["platform_header"], rows)])


def _masthead(notice: dict[str, Any]) -> Masthead | None:
    mh = notice.get("masthead") or {}
    if not mh.get("mark"):
        return None
    return Masthead(mark=str(mh["mark"]), doc_number=notice.get("doc_number"), color=str(mh.get("color", "FF0000")))


def _colophon(notice: dict[str, Any]) -> Colophon | None:
    cp = notice.get("colophon") or {}
    if not cp:
        return None
    cc = cp.get("cc")
    if isinstance(cc, (list, tuple)):
        cc = "，".join(str(x) for x in cc)
    if cc and not cc.endswith("。"):
        cc += "。"  # 7.4.2: 最后一个抄送机关名称后标句号
    when = cp.get("date") or notice.get("date")
    return Colophon(cc=cc or None, printer=cp.get("printer") or None, print_date=cn_date(when) if when else None)


def build_notice(view: RoundView, template: dict[str, Any] | None = None, draft: str | None = None) -> NoticeDoc:
    meta = view.meta
    notice = meta.get("notice", {})
    tpl = template or load_template(notice.get("template"))
    rs = view.rs
    sst = site_stats(view.sites, view.scores, rs)
    acc = account_stats(view.accounts, view.scores, view.findings, rs)
    limit = int(tpl.get("max_names", 4))
    common = dict(notice)
    common.setdefault("issuer_short", notice.get("issuer", ""))
    common.setdefault("region", "")
    common.setdefault("basis", rs.setting("basis", rs.setting("title", "")))
    body: list[Paragraph] = []
    if notice.get("opening"):
        body.append(Paragraph(fill(notice["opening"], **common), "body"))
    ov = tpl["overview"]
    body.append(Paragraph(ov["heading"], "heading1"))
    sec = 0
    platform = _platform_paragraph(view, tpl, common, sec + 1)
    if platform is not None:
        sec += 1
        body.append(platform)
    for extra in notice.get("overview_extra", []):
        sec += 1
        body.append(Paragraph(f"（{cn_number(sec)}）{extra['heading']}{fill(extra['text'], **common)}", "heading2"))
    full = fmt_points(float(rs.setting("full_score", 100)))
    high = fmt_points(float((rs.setting("score_brackets") or [100, 90])[1]))
    if view.sites:
        sec += 1
        n_sites = sst.checked
        body.append(Paragraph(fill(ov["sites_heading"], n=cn_number(sec)) + fill(
            ov["sites"], **common, n_sites=n_sites, pass_rate=sst.pass_rate, pass_line=fmt_points(rs.pass_line),
            full_units_n=units_n(sst.full, limit) if sst.full else "0家", full_score=full,
            share_full=pct(len(sst.full), n_sites), high=high, n_high=len(sst.high),
            share_high=pct(len(sst.high), n_sites), n_low=len(sst.low), share_low=pct(len(sst.low), n_sites),
            n_veto=len(sst.vetoed), share_veto=pct(len(sst.vetoed), n_sites),
        ), "heading2"))
    matches = site_matches(meta, view.findings, rs) if view.sites else None
    if matches is not None:
        sec += 1
        body.append(_site_rectify(matches, meta, tpl, common, sec, limit, _unit_order(view)))
    if view.accounts:
        sec += 1
        reasons = []
        for code, members in acc.by_reason.items():
            rule = rs.rule(code)
            params = members[0].findings[[f.code for f in members[0].findings].index(code)].params
            label = rule.render_short(params)
            refs = "、".join(account_ref(fa, tpl) for fa in members)
            key = "reason_one" if len(members) == 1 else "reason_many"
            reasons.append(fill(ov[key], label=label, n=len(members), accounts=refs))
        body.append(Paragraph(fill(ov["accounts_heading"], n=cn_number(sec)) + fill(
            ov["accounts"], **common, n_accounts=acc.checked, n_pass=acc.passed, share_pass=acc.pass_share,
            n_fail=len(acc.failed), share_fail=acc.fail_share, reasons="；".join(reasons),
        ), "heading2"))
        if notice.get("previous_label"):
            sec += 1
            refs = "、".join(f"{fa.unit}{fa.type}“{fa.name}”" for fa in acc.not_rectified)
            key = "rectify_some" if acc.not_rectified else "rectify_none"
            body.append(Paragraph(fill(ov["rectify_heading"], n=cn_number(sec)) + fill(
                ov[key], **common, n_prev=notice.get("previous_failed_accounts", ""), accounts=refs), "heading2"))
    body += _problem_paragraphs(view, tpl, acc)
    req = tpl["requirements"]
    body.append(Paragraph(req["heading"], "heading1"))
    for head, text in req["paragraphs"]:
        body.append(Paragraph(head + fill(text, **common), "heading2"))
    for text in req.get("closing", []):
        body.append(Paragraph(fill(text, **common), "body"))

    attachments = []
    if view.sites:
        still, mark = None, None
        if matches:
            still = {id(m.current) for m in matches if m.state == NOT_FIXED}
            label = meta["site_comparison"].get("label", "")
            mark = (rs.rule("R1").render({"previous": label}) if "R1" in rs.rules
                    else fill(with_defaults(tpl, "attachments")["still_default"], previous=label))
        rows = attachment1_rows(view.sites, view.scores, view.findings, rs, tpl, still, mark)
        attachments.append(Attachment("附件1", notice.get("attachment1_title", "政府网站抽查监测情况表"),
                                      [Table(tpl["attachments"]["site_header"], rows,
                                             max_chars=[c or None for c in tpl["attachments"].get("site_max_chars", [])])]))
    if view.accounts:
        attachments.append(Attachment(f"附件{len(attachments) + 1}",
                                      notice.get("attachment2_title", "政务新媒体抽查监测情况表"),
                                      attachment2_tables(acc, rs, tpl)))
    platform_att = _platform_attachment(view, tpl, notice, f"附件{len(attachments) + 1}")
    if platform_att is not None:
        attachments.append(platform_att)
    if attachments:
        names = [f"{i + 1}.{a.title}" for i, a in enumerate(attachments)]
        body.append(Paragraph(tpl["attachments"]["list_lead"] + "\n".join(names), "attachment_list"))
    d = notice.get("date")
    return NoticeDoc(
        title=notice.get("title", f"关于{meta.get('name', '')}政府网站和政务新媒体抽查情况的通报"),
        recipients=notice.get("recipients", ""),
        body=body,
        attachments=attachments,
        issuer=notice.get("issuer", ""),
        date=cn_date(d) if d else "",
        doc_number=notice.get("doc_number"),
        masthead=_masthead(notice),
        colophon=_colophon(notice),
        draft=draft,
    )
