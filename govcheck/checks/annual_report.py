"""政府信息公开工作年度报告: X03.1 published after the statutory deadline, X03.2 section 五
(存在的主要问题及改进情况) copied from the previous year's report."""
from __future__ import annotations

import datetime as dt
import difflib
import random
import re
import unicodedata

from govcheck.rules import RuleSet

from .base import check, ev, finding, fmt_cn_date, has_rule, note, param, parse
from .facts import AnnualReport, SiteFacts


def deadline_for(year: int, month_day: str) -> dt.date:
    m, d = (int(x) for x in month_day.split("-"))
    return dt.date(year + 1, m, d)


def latest_due_year(at: dt.date, month_day: str) -> int:
    """The newest report year whose deadline has passed at the time point."""
    y = at.year - 1
    return y if deadline_for(y, month_day) < at else y - 1


@check("X03.1")
def report_late(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """The latest due report published after its deadline. (A missing report is a stale 年报 column, D09.2,
    as the sample notice counts it.)"""
    if not has_rule(rs, "X03.1"):
        return
    md = str(param(rs, "X03.1", "deadline_month_day"))
    year = latest_due_year(at, md)
    deadline = deadline_for(year, md)
    rep = next((r for r in facts.annual_reports if r.year == year), None)
    if rep is None:
        return
    pub = parse(rep.published)
    if pub is not None and pub > deadline:
        yield finding(facts, "X03.1", [ev(rep.ref, rep.url, title=rep.title, date=pub.isoformat())],
                      deadline=fmt_cn_date(deadline))


_DROP = re.compile(r"[\s\d０-９一二三四五六七八九十〇零年月日是]")


def normalise(text: str) -> str:
    """Text compared for 雷同: width-folded, without spaces, punctuation, numbers and enumeration words."""
    t = unicodedata.normalize("NFKC", text or "")
    t = "".join(ch for ch in t if not unicodedata.category(ch).startswith("P"))
    return _DROP.sub("", t)


def similarity(a: str, b: str) -> float:
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    return difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio()


@check("X03.2")
def report_repeat(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """The latest due report's section 五 is (nearly) the previous year's."""
    if not has_rule(rs, "X03.2"):
        return
    md = str(param(rs, "X03.1", "deadline_month_day")) if has_rule(rs, "X03.1") else None
    by_year: dict[int, AnnualReport] = {r.year: r for r in facts.annual_reports if r.section5}
    year = latest_due_year(at, md) if md else max(by_year, default=0)
    cur, prev = by_year.get(year), by_year.get(year - 1)
    if cur is None or prev is None:
        return
    if similarity(cur.section5, prev.section5) >= float(param(rs, "X03.2", "similarity_threshold")):
        yield finding(facts, "X03.2", [ev(prev.ref, prev.url, title=prev.title), ev(cur.ref, cur.url, title=cur.title)],
                      years=note("years", a=year - 1, b=year))
