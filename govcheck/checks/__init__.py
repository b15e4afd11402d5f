"""Website checks, one module per indicator family, each check registered with its rule codes.

`run_checks(facts, rs, at, seed)` runs them all over one site's `SiteFacts` and returns findings (text and
points are filled later by `govcheck.score.apply_rules`), 需人工核查 items and the samples drawn.
"""
from __future__ import annotations

import datetime as dt
import logging

from govcheck.model import Finding
from govcheck.rules import RuleSet
from govcheck.score import double_counted

from . import annual_report, columns, footer, interaction, interpretation, links, org, search, tags, veto  # noqa: F401  (register)
from .base import REGISTRY, CheckResult, ManualItem, Sample, codes_covered, data, derive_rng
from .facts import SiteFacts
from .manual import manual_items

__all__ = ["run_checks", "CheckResult", "ManualItem", "Sample", "SiteFacts", "REGISTRY", "codes_covered"]

log = logging.getLogger(__name__)


def run_checks(facts: SiteFacts, rs: RuleSet, at: dt.date, seed: int) -> CheckResult:
    """All website checks over one site. A failing check becomes a 需人工核查 item, never a crashed round."""
    res = CheckResult()
    anomaly = data()["anomaly_code"]
    for name, ch in REGISTRY.items():
        rng, sub_seed = derive_rng(seed, name)
        try:
            out = list(ch.fn(facts, rs, at, rng))
        except Exception as e:  # bad facts or rule data must not stop the other checks
            log.warning("check %s failed on %s: %s", name, facts.url, e)
            what = f"{data()['undecided']['check_error']}（{name}：{e}）"
            res.manual.extend(ManualItem(c, what, [facts.url]) for c in (ch.codes or ("?",)))
            continue
        for x in out:
            if isinstance(x, Finding):
                if x.code == anomaly:
                    res.anomalies.append(x)
                    if anomaly in rs.rules:
                        res.findings.append(x)
                elif x.code in rs.rules and _applies(x.code, facts, rs):
                    res.findings.append(x)
            elif isinstance(x, Sample):
                x.seed = sub_seed
                res.samples.append(x)
            elif isinstance(x, ManualItem):
                res.manual.append(x)
    res.findings = _not_twice(res.findings, rs)
    res.manual.extend(manual_items(facts, rs))
    return res


def _not_twice(fs: list[Finding], rs: RuleSet) -> list[Finding]:
    """其他栏目 findings on a column already penalised by another rule, or under such a column (a stale
    first-level 政策文件 column's sub-columns), do not count again (rule param not_if_penalised_elsewhere)."""
    dup = double_counted(fs, rs)
    fs = [f for i, f in enumerate(fs) if i not in dup]
    other = [e.path for f in fs if not rs.rule(f.code).params.get("not_if_penalised_elsewhere")
             for e in f.evidence if e.path]

    def covered(f: Finding) -> bool:
        return bool(f.evidence) and all(e.path and any(e.path.startswith(p + ">") for p in other) for e in f.evidence)

    return [f for f in fs if not (rs.rule(f.code).params.get("not_if_penalised_elsewhere") and covered(f))]


def _applies(code: str, facts: SiteFacts, rs: RuleSet) -> bool:
    rule = rs.rule(code)
    if rule.target not in ("site", "any"):
        return False
    return facts.public_service or not rs.indicators[rule.indicator].service
