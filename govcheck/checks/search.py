"""D25 站内搜索: no search or a search that does not work (D25.1); sampled titles not found on the first
results page (D25.2, one finding each)."""
from __future__ import annotations

import datetime as dt
import random

from govcheck.rules import RuleSet

from .base import ManualItem, check, data, ev, finding, has_rule, note
from .facts import SiteFacts


@check("D25.1", "D25.2")
def site_search(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Whether the site search exists and finds known titles."""
    s = facts.search
    if s is None:
        return
    if s.present is False:
        yield finding(facts, "D25.1", [ev(s.ref, s.url or facts.url, note=note("search_missing"))])
        return
    if s.works is False:
        yield finding(facts, "D25.1", [ev(s.ref, s.url or facts.url, note=note("search_broken"))])
        return
    if s.works is None and not s.tests:
        why = data()["undecided"]["search_unknown"]
        if s.errors:  # what the fetch layer recorded (robots, timeout, a refused address, a bomb …)
            why = f"{why}（{'；'.join(s.errors[:3])}）"
        yield ManualItem("D25.1", why, [s.url] if s.url else [])
        return
    if has_rule(rs, "D25.2"):
        for t in s.tests:
            if not t.found:
                yield finding(facts, "D25.2", [ev(t.ref, t.url, title=t.query,
                                                  note=note("search_not_found", query=t.query))])
