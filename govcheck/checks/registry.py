"""The rule registry: every code of every shipped rule set is either an automatic check or a declared manual item,
and everything about it is found from its code.

- wording, points, caps and the rule set's params: the rule set (govcheck/rules/data/*.toml);
- params with defaults, other inputs it reads, evidence standard (text and machine-checkable requirements), what
  goes to 需人工核查 instead, or what a person checks: registry.yaml, one entry per code;
- implementation: the functions registered for the code (`@check` on SiteFacts in govcheck/checks/*.py,
  `@account_check` in govcheck/newmedia/checks.py);
- fixtures: tests/fixtures/checks/<CODE>/, tests/fixtures/sites/<CODE>[~…]/, tests/fixtures/accounts/<CODE>[~…]/.

`problems()` walks all of it (the Datasette way: the test walks the live registries), so a rule added to a rule
set without an entry, an entry without an implementation, or an implementation for a code no rule set has, fails.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

REGISTRY_FILE = Path(__file__).resolve().parent / "data" / "registry.yaml"
ENTRY_KEYS = {"params", "reads", "evidence", "requires", "otherwise", "manual", "scope"}
SCOPES = {None, "subtree"}


class RegistryError(ValueError):
    """registry.yaml cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class RuleEntry:
    code: str
    params: dict[str, Any] = field(default_factory=dict)  # defaults; the rule set's own value wins
    reads: dict[str, str] = field(default_factory=dict)  # other inputs: "CODE.param", "checks.yaml:key", …
    evidence: str | None = None
    requires: tuple[str, ...] = ()
    otherwise: tuple[str, ...] = ()
    manual: str | None = None  # a declared manual item: what a person checks
    scope: str | None = None  # "subtree": a first-level column is judged with its sub-columns

    @property
    def automatic(self) -> bool:
        return self.manual is None


@lru_cache(maxsize=None)
def entries(path: Path = REGISTRY_FILE) -> dict[str, RuleEntry]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise RegistryError(f"{path}: 无法读取：{e}") from None
    if not isinstance(doc, dict):
        raise RegistryError(f"{path}: 顶层应为映射（规则编码 → 条目）")
    out: dict[str, RuleEntry] = {}
    for code, d in doc.items():
        code = str(code)
        if not isinstance(d, dict):
            raise RegistryError(f"{path}: {code}: 应为映射")
        unknown = sorted(set(d) - ENTRY_KEYS)
        if unknown:
            raise RegistryError(f"{path}: {code}: 未知字段 {', '.join(unknown)}（可用：{', '.join(sorted(ENTRY_KEYS))}）")
        if d.get("scope") not in SCOPES:
            raise RegistryError(f"{path}: {code}: scope 只能为 subtree")
        out[code] = RuleEntry(
            code=code, params=dict(d.get("params") or {}), reads={str(k): str(v) for k, v in (d.get("reads") or {}).items()},
            evidence=d.get("evidence"), requires=tuple(d.get("requires") or ()), otherwise=tuple(d.get("otherwise") or ()),
            manual=d.get("manual"), scope=d.get("scope"),
        )
    return out


def entry(code: str) -> RuleEntry | None:
    return entries().get(code)


def param_default(code: str, key: str) -> tuple[bool, Any]:
    """(found, value) of a param's default in the code's entry."""
    e = entries().get(code)
    if e is not None and key in e.params:
        return True, e.params[key]
    return False, None


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
