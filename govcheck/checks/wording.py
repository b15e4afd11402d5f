"""V1.1 严重表述错误: the 严重 lexicon hits read from the site's page text (SiteFacts.wording, filled while each
page is read), one finding per page, citing the page's archived copy and each hit's context. A title outdated
only under a page date the page does not state (read from meta tags, the URL, a nearby number) is a 需人工核查
item with the reason, never a veto."""
from __future__ import annotations

import datetime as dt
import random

from govcheck.rules import RuleSet

from .base import ManualItem, check, data, ev, finding, has_rule, note, param
from .facts import SiteFacts, WordingHit


@check("V1.1")
def serious_wording(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """A page whose text has a 严重 lexicon hit (a wrong official name or formulation)."""
    if not has_rule(rs, "V1.1") or not facts.wording:
        return
    shown = int(param(rs, "V1.1", "max_evidence"))
    pages: dict[str, list[WordingHit]] = {}
    for h in facts.wording:
        if not h.date_stated:  # outdated only under a page date the page does not state: a person decides
            yield ManualItem("V1.1", h.held_note or data()["undecided"]["wording_date_unstated"], [h.url])
            continue
        pages.setdefault(h.url, []).append(h)
    for hits in pages.values():
        h0 = hits[0]
        yield finding(facts, "V1.1", [ev(h.ref, h.url, path=h.path, title=h.title, date=h.date,
                                         note=note({"near": "wording_hit_near", "stale": "wording_hit_stale"}.get(
                                             h.kind, "wording_hit"), wrong=h.wrong, right=h.right or "（无）",
                                             category=h.category, reason=h.reason, snippet=h.snippet.strip()))
                                      for h in hits[:shown]],
                      wrong=h0.wrong, right=h0.right, snippet=h0.snippet, category=h0.category, hits=len(hits))
