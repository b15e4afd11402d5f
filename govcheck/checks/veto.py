"""Veto rules read from freshness: V3 首页不更新, V4.1–V4.3 栏目不更新/空白栏目 (counts over columns)."""
from __future__ import annotations

import datetime as dt
import random

from govcheck.rules import RuleSet

from .base import (ManualItem, check, column_ev, data, ev, finding, freshness, newest, note, param,
                   site_columns, window_start)
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
    sure = [d for d, i in ((to_date(i.date), i) for i in facts.home.items)
            if d and d <= at and not i.date_inferred]
    ws = window_start(rs, "V3", at)
    if last is not None and last >= ws and (not sure or max(sure) < ws):
        # fresh only on a date shown as MM-DD: its true year may be earlier
        yield ManualItem("V3", f"首页：{data()['undecided']['date_inferred_fresh'].format(date=last.isoformat()[5:])}",
                         [facts.home.url])
        return
    if last is None or last < ws:  # (stale on a year-less newest date: held by the evidence standard)
        yield finding(facts, "V3", [ev(facts.home.ref, facts.home.url,
                                       date=last.isoformat() if last else None)])


def _count_unsure(code: str, key: str, n: int, m: int, threshold: int, cols) -> ManualItem:
    what = data()["undecided"][key].format(n=n, m=m, threshold=threshold)
    return ManualItem(code, f"{what}（{'、'.join(c.path for c in cols)}）", [c.url for c in cols if c.url])


@check("V4.1")
def key_columns_not_updated(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Count of stale 动态要闻 (2 weeks) and 通知公告/政策文件 (6 months) columns reaches the threshold. Only
    columns stale on full dates and a named kind count; when the unsure ones could make up the count, a person
    decides."""
    hits: list[tuple] = []
    unsure: list = []
    for src in data()["V4.1"]:
        start = window_start(rs, src["window_from"], at)
        for col in site_columns(facts):
            if col.kind not in src["kinds"]:
                continue
            f = freshness(facts, col, at, start, held=False)  # a count: only sure columns make it up
            if f.verdict == "stale":
                hits.append((col, f))
            elif f.verdict == "unsure":
                unsure.append(col)
    threshold = int(param(rs, "V4.1", "threshold_count"))
    if len(hits) >= threshold:
        yield finding(facts, "V4.1", [column_ev(c, f.newest, note("stale_window", name=c.name)) for c, f in hits],
                      count=len(hits))
    elif len(hits) + len(unsure) >= threshold:
        yield _count_unsure("V4.1", "window_count_unsure", len(hits), len(unsure), threshold, unsure)


def stale_by_cycle(facts: SiteFacts, rs: RuleSet, at: dt.date, unsure: bool = False, held: bool = True):
    """(column, cycle days, Freshness) for every decidable site column older than its cycle: stale ones (and,
    with `unsure`, those stale only on evidence short of a deduction's: dates without a year, no date).

    The cycle is the column's own (a site override), else its kind's in the rule set; a dated list whose kind
    has no cycle gets D09.2's `uncycled_list_days` (an unclassified column that stopped years ago is still
    judged), and a kind read only from titles is a guess, so its column gets the longer of the two."""
    out = []
    uncycled = None
    for col in site_columns(facts):
        cycle = col.cycle_days or rs.column_cycles.get(col.kind)
        if col.items and col.dates() and (not cycle or (col.kind_source == "titles" and not col.cycle_days)):
            if uncycled is None:
                uncycled = int(param(rs, "D09.2", "uncycled_list_days")) if "D09.2" in rs.rules else 0
            cycle = max(int(cycle or 0), uncycled) or None
        if not cycle:
            continue
        f = freshness(facts, col, at, at - dt.timedelta(days=int(cycle)), named_kind=False, held=held)
        if f.verdict == "stale" or (unsure and f.verdict == "unsure"):
            out.append((col, int(cycle), f))
    return out


@check("V4.2")
def long_stale_columns(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Count of columns not updated within their kind's cycle reaches the threshold."""
    found = stale_by_cycle(facts, rs, at, unsure=True, held=False)  # a count: only sure columns make it up
    hits = [(c, cyc, f) for c, cyc, f in found if f.verdict == "stale"]
    unsure = [c for c, _, f in found if f.verdict == "unsure"]
    threshold = int(param(rs, "V4.2", "threshold_count"))
    if len(hits) >= threshold:
        yield finding(facts, "V4.2", [column_ev(c, f.newest, cycle_note(c, cyc, f.newest)) for c, cyc, f in hits],
                      count=len(hits))
    elif len(hits) + len(unsure) >= threshold:
        yield _count_unsure("V4.2", "cycle_count_unsure", len(hits), len(unsure), threshold, unsure)


def cycle_note(col, cycle: int, last: dt.date | None) -> str:
    if last is None:
        return note("stale_never", name=col.name, cycle=cycle)
    return note("stale_cycle", name=col.name, cycle=cycle, newest=last.isoformat())


@check("V4.3")
def blank_columns(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Count of blank columns reaches the threshold."""
    hits = [c for c in site_columns(facts) if c.blank and c.judgeable() and c.role != "menu"]
    if len(hits) >= int(param(rs, "V4.3", "threshold_count")):
        yield finding(facts, "V4.3", [column_ev(c, None, note("blank", name=c.name)) for c in hits],
                      count=len(hits))
