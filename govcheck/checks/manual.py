"""需人工核查: the rules a person must judge, with what to look at, from the rule registry."""
from __future__ import annotations

from govcheck.rules import RuleSet

from .base import ManualItem, codes_covered
from .facts import SiteFacts
from .registry import entries


def manual_items(facts: SiteFacts, rs: RuleSet) -> list[ManualItem]:
    """Site rules a person judges: declared manual in the registry (or marked manual by the rule set and not
    checked automatically)."""
    reg = entries()
    covered = codes_covered()
    out = []
    for rule in rs.rules.values():
        if rule.target not in ("site", "any") or rule.marker:
            continue
        if rs.indicators[rule.indicator].service and not facts.public_service:
            continue
        if rule.bonus and facts.kind != "门户":
            continue
        e = reg.get(rule.code)
        declared = e is not None and not e.automatic
        if declared or (rule.manual and rule.code not in covered):
            out.append(ManualItem(rule.code, (e.manual if declared else None) or rule.render({}), [facts.url]))
    return out
