"""机构职能 (D02.2: each required item an entry does not show) and 领导信息 (D03.2: name or 简历 missing)."""
from __future__ import annotations

import datetime as dt
import random

from govcheck.rules import RuleSet

from .base import check, data, ev, finding, has_rule, note, param
from .facts import OrgEntry, SiteFacts


def _missing_note(field_name: str) -> str:
    special = data()["notes"].get("field_missing_special") or {}
    return special.get(field_name) or note("field_missing", field=field_name)


def _shows(e: OrgEntry, name: str) -> bool:
    v = e.fields.get(name)
    return bool(v and str(v).strip())


@check("D02.2")
def org_fields_missing(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """One finding per entry and required item it does not show (e.g. a 科室 without 负责人)."""
    if not facts.org or not has_rule(rs, "D02.2"):
        return
    required = set(param(rs, "D02.2", "required_fields"))
    cfg = data()["org"]
    units = [e for e in facts.org if e.level == "unit"]
    for e in facts.org:
        wanted = [f for f in cfg.get(e.level, []) if f in required]
        for name in wanted:
            if _shows(e, name):
                continue
            if e.level == "office" and name in cfg.get("inherit", []) and any(_shows(u, name) for u in units):
                continue
            yield finding(facts, "D02.2", [ev(e.ref, e.url, title=e.name, note=_missing_note(name))])
    for name in cfg.get("anywhere", []):
        if name in required and not any(_shows(e, name) for e in facts.org):
            first = units[0] if units else facts.org[0]
            yield finding(facts, "D02.2", [ev(first.ref, first.url, title=first.name, note=_missing_note(name))])


@check("D03.2")
def leader_info_missing(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """A leader shown without a name or a 简历."""
    if not facts.leaders or not has_rule(rs, "D03.2"):
        return
    labels = data()["notes"]["leader_fields"]
    for ld in facts.leaders:
        for key, label in labels.items():
            if not (getattr(ld, key) or "").strip():
                yield finding(facts, "D03.2", [ev(ld.ref, ld.url, title=ld.name or ld.position,
                                                  note=note("leader_missing", what=label))])
