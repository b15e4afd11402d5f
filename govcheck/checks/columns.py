"""Column rules: 未开设 (D01.1–D06.1, D12.1), freshness of 动态要闻/政策文件/政策解读 (D04.2, D05.2, D06.2),
其他栏目 blank or stale by the kind's cycle (D09.1, D09.2), 办事统计 (D12.2/D12.3), department sub-platform
policy columns (X02), and 日期异常: a date after the time point, which never counts as freshness."""
from __future__ import annotations

import datetime as dt
import random

from govcheck.rules import RuleSet

from .base import (ManualItem, check, column_ev, data, ev, finding, freshness, has_rule, note, site_columns,
                   unsure_item, window_start)
from .facts import ColumnFacts, SiteFacts, to_date
from .veto import stale_by_cycle


@check("D01.1", "D02.1", "D03.1", "D04.1", "D05.1", "D06.1", "D12.1")
def column_absent(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """A required kind of column is not opened at all (only when the column tree is complete)."""
    # a menu (新闻中心 over 通知公告) is a container, not a column of its name's kind
    kinds = {c.kind for c in site_columns(facts) if c.role != "menu"}
    for code, kind in data()["required_kinds"].items():
        if not has_rule(rs, code) or kind in kinds:
            continue
        if rs.indicator_of(code).service and not facts.public_service:
            continue
        if not facts.columns_known:  # no 网站地图 read: a kind not seen may still be there
            yield ManualItem(code, data()["undecided"]["no_column_tree"], [facts.url])
            continue
        yield finding(facts, code, [ev(facts.home.ref if facts.home else None, facts.url)])


def _window_stale(facts: SiteFacts, rs: RuleSet, code: str, at: dt.date, cols: list[ColumnFacts],
                  subtree: bool = False):
    """A finding per column stale on full dates and a named kind; 需人工核查 when only guesses say stale."""
    start = window_start(rs, code, at)
    for col in cols:
        f = freshness(facts, col, at, start, subtree=subtree)
        if f.verdict == "stale":
            yield finding(facts, code, [column_ev(col, f.newest, note("stale_window", name=col.name))])
        elif f.verdict == "unsure":
            yield unsure_item(code, col, f)


@check("D04.2")
def news_not_updated(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """A 动态要闻 column without a new entry in the window (2 weeks)."""
    yield from _window_stale(facts, rs, "D04.2", at, [c for c in site_columns(facts) if c.kind == "动态要闻"])


@check("D05.2", "D06.2")
def policy_columns_not_updated(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """A first-level 政策文件/政策解读 column (with its sub-columns) without an entry in 6 months."""
    for code, kind in (("D05.2", "政策文件"), ("D06.2", "政策解读")):
        cols = [c for c in site_columns(facts) if c.kind == kind and c.first_level]
        yield from _window_stale(facts, rs, code, at, cols, subtree=True)


def _specific(col: ColumnFacts) -> bool:
    for s in data()["specific"]:
        if s["kind"] == col.kind and (s["first_level"] is None or s["first_level"] == col.first_level):
            return True
    return False


@check("D09.1")
def other_blank(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Any other column that is blank (read as such from its pages)."""
    for col in site_columns(facts):
        if col.blank and col.judgeable() and col.role != "menu" and not _specific(col):
            yield finding(facts, "D09.1", [column_ev(col, None, note("blank", name=col.name))])


@check("D09.2")
def other_stale(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Any other column older than its kind's update cycle (rs.column_cycles); blank ones are D09.1."""
    for col, cycle, f in stale_by_cycle(facts, rs, at, unsure=True):
        if col.blank or _specific(col):
            continue
        if f.verdict == "unsure":
            yield unsure_item("D09.2", col, f)
            continue
        # the note is what 附件1 prints (the column name); the cycle judged by stays with the finding
        yield finding(facts, "D09.2", [column_ev(col, f.newest, note("stale_window", name=col.name))],
                      cycle_days=cycle)


@check("D12.2", "D12.3")
def service_stats_stale(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """办事统计 not updated in 3 months (D12.3), else not in 1 month (D12.2)."""
    if not facts.public_service:
        return
    for col in site_columns(facts):
        if col.kind != "办事统计":
            continue
        f = None
        for code in ("D12.3", "D12.2"):  # the longer window first: a column stale for it is not judged again
            if not has_rule(rs, code):
                continue
            f = freshness(facts, col, at, window_start(rs, code, at))
            if f.verdict == "stale":
                yield finding(facts, code, [column_ev(col, f.newest, note("stale_window", name=col.name))])
                break
        else:
            if f is not None and f.verdict == "unsure":
                yield unsure_item("D12.2", col, f)


@check("X02")
def sub_platform_policy_stale(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """A department sub-platform's first-level 政策文件 column without an entry in the window."""
    if not has_rule(rs, "X02"):
        return
    cols = [c for c in facts.columns if c.sub_platform and c.kind == "政策文件" and c.first_level]
    yield from _window_stale(facts, rs, "X02", at, cols, subtree=True)


def _rule_of(col: ColumnFacts) -> str:
    """The rule that would judge the column's freshness (checks.yaml `specific`), else 其他栏目 D09.2."""
    if col.sub_platform:
        return "X02" if col.kind == "政策文件" else "D09.2"
    for s in data()["specific"]:
        if s["kind"] == col.kind and (s["first_level"] is None or s["first_level"] == col.first_level):
            return s["rule"]
    return "D09.2"


@check()
def undecided_columns(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Columns in state manual (drawn by script with no data read, never read, no list found …): a person opens
    them, never blank, never stale; and what extraction itself left undecided (SiteFacts.undecided)."""
    for col in facts.columns:
        if col.judged_state() == "manual":
            why = col.state_reason or data()["undecided"]["dynamic_column"]
            yield ManualItem(_rule_of(col), f"{col.path}：{why}", [col.url] if col.url else [])
    for u in facts.undecided:
        yield ManualItem(u.code, u.reason, list(u.urls))


@check(data()["anomaly_code"])
def future_dates(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Entries dated after the time point: their own finding, excluded from every freshness judgement."""
    code = data()["anomaly_code"]
    seen: set[str] = set()  # entries already reported with their column (the home page lists them again)
    for col in facts.columns:
        late = sorted({d for d in col.dates() if d > at})
        if late:
            seen.update(i.url for i in col.items if i.url and to_date(i.date) and to_date(i.date) > at)
            yield finding(facts, code, [column_ev(col, late[-1], note("date_anomaly", name=col.name,
                                                                      date=late[-1].isoformat()))])
    if facts.home:
        late = sorted({d for d, i in ((to_date(i.date), i) for i in facts.home.items)
                       if d and d > at and not (i.url and i.url in seen)})
        if late:
            yield finding(facts, code, [ev(facts.home.ref, facts.home.url, date=late[-1].isoformat(),
                                           note=note("date_anomaly", name="首页", date=late[-1].isoformat()))])
