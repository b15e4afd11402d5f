"""V2 站点无法访问, decided from the rule's params over the availability probes in the site's facts.

The probes come from a monitoring service (SiteFacts.availability; see govcheck.checks.facts.Probe). The window
is the `window_days` days ending with the time point's day (China time). A probe is an outage when it timed out,
could not resolve or connect, answered an HTTP error, or took `timeout_seconds` or longer (the 15-second rule). A
WAF challenge (`blocked`) or a certificate error (`tls`) is not an outage: it decides nothing, so when the ratio
reaches the threshold only by counting them, a person decides. Too few probes is never a pass: 需人工核查.
"""
from __future__ import annotations

import datetime as dt
import random

from govcheck.collect.probe import KIND_WORDS, Availability, v2_veto
from govcheck.model import Evidence
from govcheck.rules import RuleSet, fmt_points

from .base import ManualItem, check, data, finding, param
from .facts import Probe, SiteFacts

CODE = "V2"
OUTAGE = {"timeout", "dns", "connect", "http", "slow"}
UNCERTAIN = {"blocked", "tls"}
CHINA = dt.timezone(dt.timedelta(hours=8))


def _when(p: Probe) -> dt.datetime:
    t = dt.datetime.fromisoformat(p.at)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(CHINA)


def window(rs: RuleSet, at: dt.date) -> tuple[dt.datetime, dt.datetime, int]:
    days = int(param(rs, CODE, "window_days"))
    end = dt.datetime.combine(at + dt.timedelta(days=1), dt.time(), CHINA)
    return end - dt.timedelta(days=days), end, days


def in_window(facts: SiteFacts, rs: RuleSet, at: dt.date) -> list[Probe]:
    if facts.availability is None:
        return []
    start, end, _ = window(rs, at)
    return [p for p in facts.availability.probes if start <= _when(p) < end]


def outage(p: Probe, timeout: float) -> bool:
    if p.error in UNCERTAIN:
        return False
    if p.error in OUTAGE or (p.latency is not None and p.latency >= timeout):
        return True
    return p.ok is False or (p.status is not None and p.status >= 400)


def probe_words(p: Probe, timeout: float) -> str:
    """A failed probe in words: what happened, how long it took."""
    kind = p.error or ("slow" if p.latency is not None and p.latency >= timeout else "http")
    words = KIND_WORDS.get(kind, kind)
    if p.latency is not None:
        words += f"，用时{p.latency:.1f}秒"
    if p.detail:
        words += f"（{p.detail}）"
    return words


def needed(rs: RuleSet) -> float:
    return float(param(rs, CODE, "min_visits_per_day")) * int(param(rs, CODE, "window_days"))


def enough_probes(facts: SiteFacts, rs: RuleSet, at: dt.date) -> bool:
    return len(in_window(facts, rs, at)) >= needed(rs)


@check(CODE)
def site_unreachable(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """The home page could not be opened in at least threshold_ratio of the probes of the monitored week."""
    start, end, days = window(rs, at)
    probes = in_window(facts, rs, at)
    und = data()["undecided"]
    if not probes:
        yield ManualItem(CODE, und["no_probes"].format(days=days), [facts.url])
        return
    timeout = float(param(rs, CODE, "timeout_seconds"))
    ratio = float(param(rs, CODE, "threshold_ratio"))
    down = [p for p in probes if outage(p, timeout)]
    unsure = [p for p in probes if p.error in UNCERTAIN]
    span = end - start
    low = v2_veto(Availability(len(probes), len(down), len(down) / len(probes)), span, ratio,
                  float(param(rs, CODE, "min_visits_per_day")))
    if low is None:
        yield ManualItem(CODE, und["few_probes"].format(days=days, visits=len(probes), need=fmt_points(needed(rs))),
                         [facts.url])
        return
    if low:
        share = fmt_points(round(100 * len(down) / len(probes), 1)) + "%"
        worst = max(down, key=_when)
        note = data()["notes"]["unreachable"].format(visits=len(probes), failures=len(down), share=share)
        url = facts.availability.url
        # the summary (printed), then the failed probes themselves, oldest first (the record a unit can check
        # against its own logs; not printed in the notice)
        cap = int(param(rs, CODE, "max_evidence"))
        failed = sorted(down, key=_when)
        evidence = [Evidence(url=url, date=_when(worst).date().isoformat(), note=note)]
        evidence += [Evidence(url=url, fetched_at=_when(p).isoformat(), status=p.status, detail=probe_words(p, timeout))
                     for p in failed[:cap]]
        yield finding(facts, CODE, evidence, visits=len(probes), failures=len(down), uncertain=len(unsure) or None)
        return
    high = (len(down) + len(unsure)) / len(probes) >= ratio
    if high:
        yield ManualItem(CODE, und["probes_uncertain"].format(
            visits=len(probes), failures=len(down), uncertain=len(unsure), ratio=fmt_points(ratio * 100) + "%"),
            [facts.url])
