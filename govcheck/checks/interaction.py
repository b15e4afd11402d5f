"""Consultations and messages: V1.5 back-dated or impossible periods, V5.1 no working channel, V5.2 a message
left unanswered past the window, D18 留言公开, X01 调查征集 without feedback within the due days."""
from __future__ import annotations

import datetime as dt
import random

from govcheck.rules import RuleSet

from .base import (ManualItem, Sample, check, column_ev, data, ev, finding, freshness, has_rule, note, param, parse,
                   site_columns, unsure_item, window_start)
from .facts import Consultation, SiteFacts


def fraud_kind(c: Consultation, max_lead: int) -> tuple[str, str] | None:
    """(kind, note) saying why a consultation's stated period cannot be true, or None. The kind (a key
    of checks.yaml notes) lets the notice word each case in a sentence of its own."""
    p, s, e = parse(c.published), parse(c.start), parse(c.end)
    if p and s and (p - s).days > max_lead:
        if s.year != p.year:
            return "fraud_start_years", note("fraud_start_years", pub_year=p.year, start_year=s.year)
        return "fraud_start_before_pub", note("fraud_start_before_pub", published=p.isoformat(), start=s.isoformat())
    if s and e and s == e:
        return "fraud_same_day", note("fraud_same_day")
    if s and e and e < s:
        return "fraud_end_before_start", note("fraud_end_before_start")
    if p and e and p > e:
        return "fraud_pub_after_end", note("fraud_pub_after_end")
    return None


def fraud_reason(c: Consultation, max_lead: int) -> str | None:
    """Why a consultation's stated period cannot be true, or None."""
    k = fraud_kind(c, max_lead)
    return k[1] if k else None


@check("V1.5")
def consultation_fraud(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """A consultation whose stated period is back-dated or impossible (弄虚作假)."""
    max_lead = int(param(rs, "V1.5", "max_start_lead_days"))
    for c in facts.consultations:
        k = fraud_kind(c, max_lead)
        if k:  # (a period read without its year: held by the evidence standard, full_dates)
            yield finding(facts, "V1.5", [ev(c.ref, c.url, title=c.title, date=c.published, note=k[1])],
                          fraud=k[0], start=c.start, end=c.end)


@check("X01")
def consultation_no_feedback(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """A consultation that ended within the window and published no feedback within the due days."""
    if not has_rule(rs, "X01"):
        return
    start = at - dt.timedelta(days=int(param(rs, "X01", "window_days")))
    due_days = int(param(rs, "X01", "feedback_due_days"))
    max_lead = int(param(rs, "V1.5", "max_start_lead_days")) if has_rule(rs, "V1.5") else None
    for c in facts.consultations:
        end = parse(c.end)
        if end is None or not (start <= end < at):
            continue
        if max_lead is not None and fraud_reason(c, max_lead):
            continue  # judged as V1.5; its period is not a period
        due = end + dt.timedelta(days=due_days)
        if due >= at:
            continue  # feedback may still come
        fb = parse(c.feedback_date)
        if fb is None and c.feedback_url:
            continue  # feedback exists, date unknown: not provable
        if fb is None or fb > due:  # (an end read without its year: held by the evidence standard)
            yield finding(facts, "X01", [ev(c.ref, c.url, title=c.title, date=end.isoformat())])


@check("V5.1")
def no_channel(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """No working online consultation channel."""
    it = facts.interaction
    if it is None:
        return
    if it.channel_works is None:
        yield ManualItem("V5.1", data()["undecided"]["channel_unknown"], [it.channel_url] if it.channel_url else [])
        return
    if not it.channel_works:
        why = it.channel_note or (note("channel_broken") if it.channel_url else note("no_channel"))
        yield finding(facts, "V5.1", [ev(it.ref, it.channel_url or facts.url, note=why)])


@check("V5.2")
def message_overdue(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """A message asked within the window and not answered within the overdue days."""
    start = at - dt.timedelta(days=int(param(rs, "V5.2", "window_days")))
    overdue = int(param(rs, "V5.2", "overdue_days"))
    evs = []
    for m in facts.messages:
        asked, answered = parse(m.asked), parse(m.answered)
        if asked is None or not (start <= asked <= at):
            continue
        if m.dates_inferred:  # a date without its year decides nothing (the manual item below says so)
            continue
        if answered is None and not m.answer and (at - asked).days > overdue:
            evs.append(ev(m.ref, m.url, title=m.title, date=asked.isoformat(),
                          note=note("message_unanswered", asked=asked.isoformat())))
        elif answered is not None and answered <= at and (answered - asked).days > overdue:
            evs.append(ev(m.ref, m.url, title=m.title, date=asked.isoformat(),
                          note=note("message_late", asked=asked.isoformat(), answered=answered.isoformat())))
    if evs:
        yield finding(facts, "V5.2", evs)
    guessed = [m for m in facts.messages if m.dates_inferred and parse(m.asked) and start <= parse(m.asked) <= at
               and not m.answer and (m.answered is None or (parse(m.answered) - parse(m.asked)).days > overdue)]
    if guessed:
        yield ManualItem("V5.2", data()["undecided"]["message_year_inferred"].format(n=len(guessed)),
                         [m.url for m in guessed if m.url])


@check("D18.1", "D18.4")
def messages_not_public(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """No message published at all (D18.1); no statistics of message handling (D18.4)."""
    it = facts.interaction
    if it is None:
        return
    if it.messages_public is False and has_rule(rs, "D18.1"):
        # the proof is the message columns' own empty lists (archived), else the channel page
        blank = [c for c in site_columns(facts) if c.kind == "咨询/留言" and c.blank and not c.dynamic and c.ref]
        yield finding(facts, "D18.1", [column_ev(blank[0], None, note("messages_none"))] if blank else
                      [ev(it.ref, it.channel_url or facts.url, note=note("messages_none"))])
    if it.stats_published is False and has_rule(rs, "D18.4"):
        # the channel page; without one, the message list read (where a site prints its statistics)
        listed = [c for c in site_columns(facts) if c.kind == "咨询/留言" and c.items and c.ref]
        yield finding(facts, "D18.4", [ev(it.ref, it.channel_url or facts.url, note=note("stats_none"))]
                      if it.ref is not None or not listed else [column_ev(listed[0], None, note("stats_none"))])
    elif it.stats_published is None and it.messages_public and has_rule(rs, "D18.4"):
        yield ManualItem("D18.4", data()["undecided"]["stats_unknown"], [it.channel_url or facts.url])


@check("D18.2")
def message_fields_missing(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Of a random sample of published messages, each one lacking 留言时间/答复时间/答复单位/答复内容."""
    if not facts.messages or not has_rule(rs, "D18.2"):
        return
    size = int(param(rs, "D18.2", "sample_size"))
    pool = sorted(facts.messages, key=lambda m: (m.url or "", m.title or "", m.asked or ""))
    chosen = rng.sample(pool, min(size, len(pool)))
    yield Sample("D18.2", len(pool), [m.url or m.title or "" for m in chosen], 0)
    labels = data()["notes"]["message_fields"]
    answer_side = ("answered", "unit", "answer")
    for m in chosen:
        wanted = param(rs, "D18.2", "message_fields")
        if not any((getattr(m, k) or "").strip() for k in answer_side):
            # not answered yet: nothing of an answer to publish (an overdue one is V5.2's matter)
            wanted = [k for k in wanted if k not in answer_side]
        lacking = [labels[k] for k in wanted if not (getattr(m, k) or "").strip()]
        if lacking:
            yield finding(facts, "D18.2", [ev(m.ref, m.url, title=m.title, date=m.asked,
                                              note=note("message_field_missing", fields="、".join(lacking)))])


@check("D18.3")
def messages_stale(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """A 咨询/留言 column without a new message in the window (2 months)."""
    if not has_rule(rs, "D18.3"):
        return
    start = window_start(rs, "D18.3", at)
    for col in site_columns(facts):
        if col.kind != "咨询/留言":
            continue
        f = freshness(facts, col, at, start)
        if f.verdict == "stale":
            yield finding(facts, "D18.3", [column_ev(col, f.newest, note("stale_window", name=col.name))])
        elif f.verdict == "unsure":
            yield unsure_item("D18.3", col, f)
