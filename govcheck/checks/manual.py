"""需人工核查: the rules a person must judge (rule.manual), with what to look at, from checks.yaml."""
from __future__ import annotations

from govcheck.rules import RuleSet

from .base import ManualItem, codes_covered, data
from .facts import SiteFacts


def manual_items(facts: SiteFacts, rs: RuleSet) -> list[ManualItem]:
    """Site rules marked manual, plus rules listed in checks.yaml `manual` that no check decides."""
    what = data().get("manual") or {}
    covered = codes_covered()
    out = []
    for rule in rs.rules.values():
        if rule.target not in ("site", "any") or rule.marker:
            continue
        if rs.indicators[rule.indicator].service and not facts.public_service:
            continue
        if rule.bonus and facts.kind != "门户":
            continue
        if rule.manual or (rule.code in what and rule.code not in covered):
            out.append(ManualItem(rule.code, what.get(rule.code) or rule.render({}), [facts.url]))
    return out
