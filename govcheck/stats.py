"""Round statistics as a notice states them, computed from scores and findings only."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from govcheck.model import Account, Finding, Score, Site
from govcheck.rules import RuleSet
from govcheck.score import VERDICT_MANUAL, VERDICT_PASS, VERDICT_VETO, counts


def pct(num: int, den: int, decimals: int = 1) -> str:
    """A share as a notice prints it: 32.5%, 60%, 94.4% (half up, trailing zeros dropped)."""
    if den == 0:
        return "0%"
    d = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{d.normalize():f}%"


@dataclass
class SiteStats:
    checked: int
    full: list[str]  # units at the full score
    high: list[str]  # [high bracket, full)
    low: list[str]  # below the high bracket, not vetoed
    vetoed: list[str]
    passed: int
    failed: list[str]  # 不合格 (below the pass line) and vetoed
    unassessed: list[str] = field(default_factory=list)  # 需人工核查: not read, in no bracket nor rate

    @property
    def pass_rate(self) -> str:
        return pct(self.passed, self.checked)


@dataclass
class DistrictRow:
    region: str
    checked: int
    failed: int

    @property
    def pass_rate(self) -> str:
        return pct(self.checked - self.failed, self.checked)


@dataclass
class FailingAccount:
    region: str
    name: str
    unit: str
    type: str
    findings: list[Finding]
    primary: str | None  # the code it is counted under in the narrative


@dataclass
class AccountStats:
    checked: int
    passed: int
    failed: list[FailingAccount]
    districts: list[DistrictRow]
    by_reason: dict[str, list[FailingAccount]] = field(default_factory=dict)  # primary code -> accounts
    not_rectified: list[FailingAccount] = field(default_factory=list)

    @property
    def pass_share(self) -> str:
        return pct(self.passed, self.checked)

    @property
    def fail_share(self) -> str:
        return pct(len(self.failed), self.checked)


def site_stats(sites: list[Site], scores: list[Score], rs: RuleSet) -> SiteStats:
    full = float(rs.setting("full_score", 100))
    brackets = rs.setting("score_brackets", [full, 90])
    high = float(brackets[1]) if len(brackets) > 1 else 90.0
    by_url = {s.target: s for s in scores if s.target_type == "site"}
    st = SiteStats(len(sites), [], [], [], [], 0, [])
    for site in sites:
        sc = by_url[site.url]
        if sc.verdict == VERDICT_MANUAL:
            st.unassessed.append(site.unit)
            st.checked -= 1
            continue
        if sc.verdict == VERDICT_VETO:
            st.vetoed.append(site.unit)
        elif sc.score is not None and sc.score >= full:
            st.full.append(site.unit)
        elif sc.score is not None and sc.score >= high:
            st.high.append(site.unit)
        else:
            st.low.append(site.unit)
        if sc.verdict == VERDICT_PASS:
            st.passed += 1
        else:
            st.failed.append(site.unit)
    return st


def account_stats(accounts: list[Account], scores: list[Score], items: list[Finding], rs: RuleSet) -> AccountStats:
    """Per-district table, failing accounts with reasons, and the narrative's one-reason-per-account counts."""
    acc_scores = [s for s in scores if s.target_type == "account"]
    by_name: dict[str, list[Finding]] = defaultdict(list)
    for f in items:
        if f.target_type == "account" and f.review != "dismissed":
            by_name[f.target].append(f)
    primary_order = list(rs.setting("account_primary_order", []))
    reason_order = list(rs.setting("account_reason_order", []))
    rank = {c: i for i, c in enumerate(reason_order)}
    regions: dict[str, list[int]] = {}
    failed: list[FailingAccount] = []
    passed = 0
    for acc, sc in zip(accounts, acc_scores):
        row = regions.setdefault(acc.region, [0, 0])
        row[0] += 1
        if sc.verdict == VERDICT_PASS:
            passed += 1
            continue
        row[1] += 1
        fs = [f for f in by_name.get(acc.name, []) if f.account_type in (None, acc.type)]
        fs.sort(key=lambda f: rank.get(f.code, len(rank)))
        failing_codes = [f.code for f in fs if rs.rule(f.code).veto and counts(f, rs)]
        primary = next((c for c in primary_order if c in failing_codes), failing_codes[0] if failing_codes else None)
        failed.append(FailingAccount(acc.region, acc.name, acc.unit, acc.type, fs, primary))
    by_reason: dict[str, list[FailingAccount]] = {}
    for code in primary_order + sorted({fa.primary for fa in failed if fa.primary} - set(primary_order)):
        members = [fa for fa in failed if fa.primary == code]
        if members:
            by_reason[code] = members
    not_rectified = [fa for fa in failed if any(rs.rule(f.code).marker for f in fa.findings)]
    districts = [DistrictRow(r, n, k) for r, (n, k) in regions.items()]
    return AccountStats(len(accounts), passed, failed, districts, by_reason, not_rectified)
