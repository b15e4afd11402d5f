"""Does the registry cover every shipped rule set? The walk over the live registries (the website checks,
the account checks, the evidence requirements) that tests/test_checks_catalogue.py and docs/rules.md use.

Kept apart from registry.py, which is only the data (registry.yaml): the check modules read their params
from there, so it must not import them back.
"""
from __future__ import annotations

from typing import Any

from .registry import RuleEntry, entries


# ---------------------------------------------------------------------------------------------- implementations
def site_checks() -> dict[str, Any]:
    """name → Check, the website checks on SiteFacts (importing govcheck.checks registers them all)."""
    import govcheck.checks  # noqa: F401  (register)

    from .base import REGISTRY

    return dict(REGISTRY)


def account_checks() -> dict[str, Any]:
    from govcheck.newmedia.checks import ACCOUNT_CHECKS

    return dict(ACCOUNT_CHECKS)


def implementations(code: str) -> list[str]:
    """The qualified names of the functions that produce the code."""
    out = [f"govcheck.checks.{name}" for name, ch in site_checks().items() if code in ch.codes]
    out += [f"govcheck.newmedia.checks.{name}" for name, ch in account_checks().items() if code in ch.codes]
    return out


def implemented_codes() -> set[str]:
    return {c for ch in site_checks().values() for c in ch.codes} | \
           {c for ch in account_checks().values() for c in ch.codes}


# ---------------------------------------------------------------------------------------------- the walk
def shipped_rulesets() -> dict[str, Any]:
    from govcheck.rules import builtin_names, load_ruleset

    return {name: load_ruleset(name) for name in builtin_names()}


def shipped_codes() -> dict[str, list[str]]:
    """Every code of every shipped rule set (and the proposed anomaly code) → the rule sets that have it."""
    from .base import data

    out: dict[str, list[str]] = {}
    for name, rs in shipped_rulesets().items():
        for code in rs.rules:
            out.setdefault(code, []).append(name)
    out.setdefault(data()["anomaly_code"], [])
    return out


def problems(reg: dict[str, RuleEntry] | None = None) -> list[str]:
    """Everything that keeps the registry from covering the shipped rule sets exactly; [] when it does."""
    from govcheck.rules import PARAM_KEYS

    from .evidence import REQUIREMENTS

    reg = entries() if reg is None else reg
    codes = shipped_codes()
    impl = implemented_codes()
    out = []
    for code in codes:
        e = reg.get(code)
        if e is None:
            out.append(f"{code}: 规则集 {'、'.join(codes[code]) or '（提议编码）'} 有此规则，但既不是已登记的检查，也不是已声明的人工核查项")
            continue
        if e.automatic and code not in impl:
            out.append(f"{code}: 登记为自动检查，但没有实现（@check / @account_check）")
        if e.automatic and not (e.evidence and e.requires):
            out.append(f"{code}: 自动检查缺少证据标准（evidence 与 requires）")
        if not e.automatic and code in impl:
            out.append(f"{code}: 声明为人工核查，却有自动检查 {implementations(code)}")
        for r in e.requires:
            if r not in REQUIREMENTS:
                out.append(f"{code}: requires 中的 {r} 不是已知的证据要求（{', '.join(sorted(REQUIREMENTS))}）")
        for k in e.params:
            if k not in PARAM_KEYS:
                out.append(f"{code}: 参数 {k} 不在规则文件可用的参数（govcheck.rules.PARAM_KEYS）中，规则集无法改它")
        for k in e.reads:
            if "." in k and ":" not in k:
                ref, key = k.rsplit(".", 1)
                if ref not in codes:
                    out.append(f"{code}: reads 中的 {k} 所指规则 {ref} 不存在")
    for name, rs in shipped_rulesets().items():
        for code, rule in rs.rules.items():
            e = reg.get(code)
            if rule.manual and e is not None and e.automatic:
                out.append(f"{code}: 规则集 {name} 标为人工核查（manual = true），登记却是自动检查")
    for code in reg:
        if code not in codes:
            out.append(f"{code}: 登记了，但没有任何内置规则集有此规则")
    for code in impl:
        if code not in reg:
            out.append(f"{code}: 有自动检查，但没有登记")
    return out


def declared(code: str, rulesets: dict[str, Any] | None = None) -> set[str]:
    """The param keys a rule's outcome may depend on: its entry's and every shipped rule set's params of it."""
    rulesets = shipped_rulesets() if rulesets is None else rulesets
    e = entries().get(code)
    keys = set(e.params) if e else set()
    for rs in rulesets.values():
        if code in rs.rules:
            keys |= set(rs.rules[code].params)
    return keys
