"""Website checks, one module per indicator family, each check registered with its rule codes.

`run_checks(facts, rs, at, seed)` runs them all over one site's `SiteFacts` and returns findings (text and
points are filled later by `govcheck.score.apply_rules`), 需人工核查 items and the samples drawn. Every finding
is held to its rule's evidence standard first (checks.evidence, the registry's `requires`): one short of it
becomes a 需人工核查 item with the reason. Checks emit every finding they can prove; which of them count (a
column already penalised by another rule is not penalised twice) is decided once, in scoring, after review
(govcheck.score.displaced).
"""
from __future__ import annotations

import datetime as dt
import logging

from govcheck.model import Finding
from govcheck.rules import RuleSet

from . import (annual_report, availability, columns, footer, interaction, interpretation, links, org,  # noqa: F401
               platform, search, tags, veto, wording)  # (register)
from .base import REGISTRY, CheckResult, ManualItem, Sample, codes_covered, data, derive_rng
from .evidence import Cited, held, reason_text, shortfall
from .facts import SiteFacts
from .manual import manual_items

__all__ = ["run_checks", "CheckResult", "ManualItem", "Sample", "SiteFacts", "REGISTRY", "codes_covered"]

log = logging.getLogger(__name__)


def run_checks(facts: SiteFacts, rs: RuleSet, at: dt.date, seed: int,
               codes: set[str] | None = None) -> CheckResult:
    """All website checks over one site (`codes`: only the checks producing those codes, e.g. V2 for a
    site that could not be read). A failing check becomes a 需人工核查 item, never a crashed round."""
    res = CheckResult()
    anomaly = data()["anomaly_code"]
    cited: Cited | None = None  # the facts indexed for the evidence standard, on the first finding
    for name, ch in REGISTRY.items():
        if codes is not None and not codes.intersection(ch.codes):
            continue
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
                if x.code != anomaly and not (x.code in rs.rules and _applies(x.code, facts, rs)):
                    continue
                cited = cited or Cited.of(facts)
                why = shortfall(x, facts, rs, at, cited)
                if why:
                    res.manual.append(held(x, why, rs))
                elif x.code == anomaly:
                    res.anomalies.append(x)
                    if anomaly in rs.rules:
                        res.findings.append(x)
                else:
                    res.findings.append(x)
            elif isinstance(x, Sample):
                x.seed = sub_seed
                res.samples.append(x)
            elif isinstance(x, ManualItem):
                res.manual.append(x)
    _hold_with_parent(res, rs)
    if codes is None:
        res.manual.extend(manual_items(facts, rs))
    return res


def _hold_with_parent(res: CheckResult, rs: RuleSet) -> None:
    """A finding that a counted finding above it would displace (其他栏目 D09 under a stale first-level 政策文件
    column, score.displaced) is held when that finding was held: deducting it now would be the double deduction
    the rule forbids as soon as a person confirms the one above."""
    def yields(code: str) -> bool:
        return bool(code in rs.rules and rs.rules[code].params.get("not_if_penalised_elsewhere"))

    above = [(e["path"], m.code) for m in res.manual if m.held and not yields(m.code)
             for e in (m.held.get("evidence") or []) if e.get("path")]
    if not above:
        return
    keep = []
    for f in res.findings:
        parents = [next(((p, c) for p, c in above if e.path == p or e.path.startswith(p + ">")), None)
                   if e.path else None for e in f.evidence]
        if yields(f.code) and parents and all(parents):
            path, code = parents[0]
            res.manual.append(held(f, reason_text("with_parent", path=path, code=code), rs))
        else:
            keep.append(f)
    res.findings = keep


def _applies(code: str, facts: SiteFacts, rs: RuleSet) -> bool:
    rule = rs.rule(code)
    if rule.target not in ("site", "any"):
        return False
    return facts.public_service or not rs.indicators[rule.indicator].service
