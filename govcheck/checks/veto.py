"""Veto rules read from freshness: V3 首页不更新, V4.1–V4.3 栏目不更新/空白栏目 (counts over columns)."""
from __future__ import annotations

import datetime as dt
import random

from govcheck.rules import RuleSet

from .base import (check, column_ev, column_newest, data, decidable, ev, finding, newest, note,
                   param, site_columns, window_start, ManualItem)
from .facts import SiteFacts, to_date


@check("V3")
def home_not_updated(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """No new entry on the home page within the window before the time point."""
    if facts.home is None:
        return
    ds = [d for d in (to_date(i.date) for i in facts.home.items) if d]
    if not ds:
        yield ManualItem("V3", data()["undecided"]["home_no_dates"], [facts.home.url])
        return
    last = newest(ds, at)
    if last is None or last < window_start(rs, "V3", at):
        yield finding(facts, "V3", [ev(facts.home.ref, facts.home.url,
                                       date=last.isoformat() if last else None)])


def _stale(facts: SiteFacts, col, start: dt.date, at: dt.date, subtree: bool = False) -> bool:
    if not decidable(col):
        return False
    last = column_newest(facts, col, at, subtree)
    return last is None or last < start


@check("V4.1")
def key_columns_not_updated(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Count of stale 动态要闻 (2 weeks) and 通知公告/政策文件 (6 months) columns reaches the threshold."""
    hits = []
    for src in data()["V4.1"]:
        start = window_start(rs, src["window_from"], at)
        for col in site_columns(facts):
            if col.kind in src["kinds"] and _stale(facts, col, start, at):
                hits.append(col)
    if len(hits) >= int(param(rs, "V4.1", "threshold_count")):
        yield finding(facts, "V4.1", [column_ev(c, column_newest(facts, c, at), note("stale_window", name=c.name))
                                      for c in hits], count=len(hits))


def stale_by_cycle(facts: SiteFacts, rs: RuleSet, at: dt.date):
    """(column, cycle days, newest date) for every decidable site column older than its kind's cycle; a dated
    list whose kind has no cycle in the rule set gets D09.2's `uncycled_list_days` (so an unclassified column
    that stopped years ago is still judged)."""
    out = []
    uncycled = None
    for col in site_columns(facts):
        cycle = col.cycle_days or rs.column_cycles.get(col.kind)
        if not cycle and col.items:
            if uncycled is None:
                uncycled = int(param(rs, "D09.2", "uncycled_list_days")) if "D09.2" in rs.rules else 0
            cycle = uncycled if col.dates() else None
        if not cycle or not decidable(col):
            continue
        last = column_newest(facts, col, at)
        if last is None or last < at - dt.timedelta(days=int(cycle)):
            out.append((col, int(cycle), last))
    return out


@check("V4.2")
def long_stale_columns(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Count of columns not updated within their kind's cycle reaches the threshold."""
    hits = stale_by_cycle(facts, rs, at)
    if len(hits) >= int(param(rs, "V4.2", "threshold_count")):
        yield finding(facts, "V4.2", [column_ev(c, last, cycle_note(c, cyc, last)) for c, cyc, last in hits],
                      count=len(hits))


def cycle_note(col, cycle: int, last: dt.date | None) -> str:
    if last is None:
        return note("stale_never", name=col.name, cycle=cycle)
    return note("stale_cycle", name=col.name, cycle=cycle, newest=last.isoformat())


@check("V4.3")
def blank_columns(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Count of blank columns reaches the threshold."""
    hits = [c for c in site_columns(facts) if c.blank and not c.dynamic]
    if len(hits) >= int(param(rs, "V4.3", "threshold_count")):
        yield finding(facts, "V4.3", [column_ev(c, None, note("blank", name=c.name)) for c in hits],
                      count=len(hits))
