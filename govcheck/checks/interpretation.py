"""政策解读: D07 sampled policies without an interpretation, D08 sampled interpretations not linked both ways."""
from __future__ import annotations

import datetime as dt
import random

from govcheck.rules import RuleSet

from .base import ManualItem, Sample, check, ev, finding, has_rule, note, param, parse
from .facts import SiteFacts


def newest_pool(items: list, rs: RuleSet, code: str) -> list:
    """The items a sample is drawn from: the newest `pool_newest` (checks.yaml) of them, newest first;
    items without a date come last, ties by URL so the pool never depends on input order."""
    items = sorted(items, key=lambda x: x.url)
    items.sort(key=lambda x: x.date or "", reverse=True)
    n = param(rs, code, "pool_newest")
    return items if n in (None, 0) else items[: int(n)]


def _norm(u: str | None) -> str:
    return (u or "").split("#")[0].rstrip("/")


@check("D07")
def policies_uninterpreted(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Of a random sample of the unit's newest own policies, each without an interpretation."""
    if not has_rule(rs, "D07") or not facts.policies:
        return
    pool = newest_pool([p for p in facts.policies if p.own_issue and (parse(p.date) is None or parse(p.date) <= at)],
                       rs, "D07")
    if not pool:
        return
    chosen = rng.sample(pool, min(int(param(rs, "D07", "sample_size")), len(pool)))
    yield Sample("D07", len(pool), [p.url for p in chosen], 0)
    linked_back = {_norm(u) for i in facts.interpretations for u in i.policy_urls}
    for p in chosen:
        if not p.interpretation_urls and _norm(p.url) not in linked_back:
            yield finding(facts, "D07", [ev(p.ref, p.url, title=p.title, date=p.date, note=note("policy_uninterpreted"))])


@check("D08")
def interpretation_links(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Of a random sample of the newest interpretations: not linking its policy; its policy not linking back."""
    if not has_rule(rs, "D08") or not facts.interpretations:
        return
    pool = newest_pool([i for i in facts.interpretations if parse(i.date) is None or parse(i.date) <= at],
                       rs, "D08")
    if not pool:
        return
    chosen = rng.sample(pool, min(int(param(rs, "D08", "sample_size")), len(pool)))
    yield Sample("D08", len(pool), [i.url for i in chosen], 0)
    policies = {_norm(p.url): p for p in facts.policies}
    for it in chosen:
        if not it.policy_urls and it.unread_links:
            yield ManualItem("D08", f"{it.title or it.url}：{note('interp_link_unread')}", [it.url, *it.unread_links[:5]])
            continue
        if not it.policy_urls:
            yield finding(facts, "D08", [ev(it.ref, it.url, title=it.title, date=it.date,
                                            note=note("interp_unlinked"))])
            continue
        for u in it.policy_urls:
            p = policies.get(_norm(u))
            if p is not None and _norm(it.url) not in {_norm(x) for x in p.interpretation_urls}:
                yield finding(facts, "D08", [ev(p.ref, p.url, title=p.title, date=p.date,
                                                note=note("policy_unlinked"))])
