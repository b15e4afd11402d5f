"""Combining findings into scores, as shared/spec/indicators.md §1 says.

Findings are first *applied* to the rule set (printed wording and points come from the rules, so
re-scoring with another rule set re-prints them), then each target is scored.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from govcheck.model import Account, Finding, Score, Site
from govcheck.rules import RuleSet, UnknownRule

VERDICT_PASS = "合格"
VERDICT_FAIL = "不合格"
VERDICT_VETO = "一票否决"


def apply_rules(items: Iterable[Finding], rs: RuleSet) -> list[Finding]:
    """Fill each finding's printed text, points and veto flag from the rule set."""
    out = []
    printed: dict[tuple, str] = {}  # most findings share a wording: render each once
    for f in items:
        try:
            rule = rs.rules[f.code]
        except KeyError:
            raise UnknownRule(f"规则集 {rs.name} 中没有规则 {f.code}（单位：{f.unit}）") from None
        try:
            key = (f.code, tuple(sorted(f.params.items()))) if f.params else f.code
            text = printed.get(key)
        except TypeError:  # unhashable params (lists): render directly
            key, text = None, None
        if text is None:
            text = rule.render(f.params)
            if key is not None:
                printed[key] = text
        f.text = text
        f.points = _points(rule)
        f.veto = rule.veto and rule.scored
        out.append(f)
    return out


def _points(rule) -> float:
    """What one finding of the rule deducts (or adds), before caps."""
    return 0.0 if (rule.veto or rule.marker or rule.advisory or rule.target == "account") else rule.points


def displaced(fs: list[Finding], rs: RuleSet) -> dict[int, int]:
    """No double deduction for a column, decided here once, over the findings that count after review.

    A finding of a rule with `not_if_penalised_elsewhere` (其他栏目, D09: 因空白、应更新未更新等原因已按其他指标扣分的，
    本指标项下不重复扣分) does not count when every column its evidence names is already penalised by a counted
    finding of another rule on the same target: that column itself, or a column above it (the sub-columns of a
    stale first-level 政策文件 column). Returns index of each displaced finding -> index of the finding that
    displaced it. Checks emit every finding; dismissing the displacing one in review restores the displaced one."""
    out: dict[int, int] = {}
    yields = {i for i, f in enumerate(fs) if rs.rules[f.code].params.get("not_if_penalised_elsewhere")}
    if not yields:
        return out
    penalised: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)  # target -> (column path, index)
    for i, f in enumerate(fs):
        if i not in yields and counts(f, rs):
            for e in f.evidence:
                if e.path:
                    penalised[(f.target_type, f.target)].append((e.path, i))
    for i in sorted(yields):
        f = fs[i]
        if not f.evidence or not counts(f, rs):
            continue
        paths = penalised.get((f.target_type, f.target), [])
        by: int | None = None
        for e in f.evidence:
            j = next((j for p, j in paths if e.path and (e.path == p or e.path.startswith(p + ">"))), None)
            if j is None:
                by = None
                break
            by = j if by is None else by
        if by is not None:
            out[i] = by
    return out


def mark_displaced(items: list[Finding], rs: RuleSet) -> None:
    """Set each finding's `displaced_by` (the id, else the code, of the finding that displaced it) and its points
    to 0, for findings.json and the console; scoring and the notice compute `displaced()` themselves."""
    dup = displaced(items, rs)
    for i, f in enumerate(items):
        if i in dup:
            f.displaced_by = items[dup[i]].id or items[dup[i]].code
            f.points = 0.0  # deducts nothing: findings.json's points stay what is deducted
        elif f.displaced_by is not None:  # displaced before, restored (its displacer dismissed)
            f.displaced_by = None
            f.points = _points(rs.rule(f.code))


def counts(f: Finding, rs: RuleSet) -> bool:
    """Whether a finding takes part in scoring: not dismissed, and its rule is scored."""
    return f.review != "dismissed" and rs.rule(f.code).scored


def round1(x: float, decimals: int = 1) -> float:
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(str(x)).quantize(q, rounding=ROUND_HALF_UP))


@dataclass
class IndicatorTotal:
    indicator: str
    raw: float
    capped: float
    rules: dict[str, float] = field(default_factory=dict)  # per rule, after the indicator cap


def indicator_totals(fs: list[Finding], rs: RuleSet, skip_service: bool = False,
                     bonus: bool = False) -> dict[str, IndicatorTotal]:
    """Σ per indicator capped; the cap is shared by its rules in rule-set order."""
    per_rule: dict[str, float] = defaultdict(float)
    rules, indicators = rs.rules, rs.indicators
    scorable = rs.scorable  # code -> (indicator, points, service, bonus) for capped site rules
    for f in fs:
        x = scorable.get(f.code)
        if x is None or x[3] != bonus or f.review == "dismissed" or (skip_service and x[2]):
            continue
        per_rule[f.code] += x[1]
    totals: dict[str, IndicatorTotal] = {}
    order = rs.order
    for code in sorted(per_rule, key=order.__getitem__):  # rule-set order decides which rule a cap cuts last
        ind_code = rules[code].indicator
        cap = indicators[ind_code].cap
        t = totals.setdefault(ind_code, IndicatorTotal(ind_code, 0.0, 0.0))
        amount = per_rule[code]
        t.raw += amount
        room = amount if cap is None else max(0.0, min(amount, cap - t.capped))
        t.rules[code] = round(room, 2)
        t.capped += room
    return totals


def score_site(site: Site, fs: list[Finding], rs: RuleSet) -> Score:
    decimals = int(rs.setting("score_decimals", 1))
    full = float(rs.setting("full_score", 100))
    if any(f.veto and counts(f, rs) for f in fs):
        return Score(site.unit, site.url, "site", None, VERDICT_VETO, None, 0.0)
    skip = not site.public_service
    dup = displaced(fs, rs)
    if dup:
        fs = [f for i, f in enumerate(fs) if i not in dup]
    ded = sum(t.capped for t in indicator_totals(fs, rs, skip_service=skip).values())
    if skip:
        base = float(rs.setting("no_service_base", 75))
        part2 = (base - ded) * full / base
    else:
        part2 = full - ded
    part2 = round1(max(part2, 0.0), decimals)
    bonus = 0.0
    if site.kind == "门户" and part2 > float(rs.setting("bonus_threshold", 80)):
        b = sum(t.capped for t in indicator_totals(fs, rs, bonus=True).values())
        bonus = min(b, float(rs.setting("bonus_max", 30)))
    final = round1(part2 + bonus, decimals)
    verdict = VERDICT_FAIL if part2 < rs.pass_line else VERDICT_PASS
    return Score(site.unit, site.url, "site", final, verdict, part2, bonus)


def score_account(acc: Account, fs: list[Finding], rs: RuleSet) -> Score:
    failed = any(rs.rule(f.code).veto and counts(f, rs) for f in fs)
    return Score(acc.unit, acc.name, "account", None, VERDICT_FAIL if failed else VERDICT_PASS)


def score_round(sites: list[Site], accounts: list[Account], items: list[Finding], rs: RuleSet) -> list[Score]:
    mark_displaced(items, rs)
    by_site: dict[str, list[Finding]] = defaultdict(list)
    by_name: dict[str, list[Finding]] = defaultdict(list)
    for f in items:
        (by_site[f.target] if f.target_type == "site" else by_name[f.target]).append(f)
    out = [score_site(s, by_site.get(s.url, []), rs) for s in sites]
    # One name can exist on several platforms (健康咸宁 on 抖音 and 微信): a finding without a type hits all.
    for a in accounts:
        fs = [f for f in by_name.get(a.name, []) if f.account_type in (None, a.type)]
        out.append(score_account(a, fs, rs))
    return out
