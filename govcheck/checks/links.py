"""D22 可用性: broken links on the home page (D22.1) and on other pages (D22.2), one finding each.
Suspected or blocked outcomes (timeouts, WAF) are never findings: a person re-checks them."""
from __future__ import annotations

import datetime as dt
import random

from govcheck.model import Evidence
from govcheck.rules import RuleSet

from .base import ManualItem, check, data, ev, finding, has_rule
from .facts import SiteFacts


@check("D22.1", "D22.2")
def broken_links(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Each distinct broken link, judged on the page that links to it."""
    seen: set[tuple[str, bool]] = set()
    labels = data()["link_outcomes"]
    for lk in facts.links:
        if lk.outcome in labels:
            code = "D22.1" if lk.on_home else "D22.2"
            if (lk.url, lk.on_home) in seen or not has_rule(rs, code):
                continue
            seen.add((lk.url, lk.on_home))
            target = Evidence(url=lk.url, status=lk.status, note=labels[lk.outcome])
            yield finding(facts, code, [target, ev(lk.ref, lk.referrer)])
        elif lk.outcome in ("suspected", "blocked"):
            yield ManualItem("D22.1" if lk.on_home else "D22.2", data()["undecided"]["link_suspected"],
                             [lk.url, lk.referrer])
