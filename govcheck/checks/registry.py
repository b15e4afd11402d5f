"""The rule registry: every code of every shipped rule set is either an automatic check or a declared manual item,
and everything about it is found from its code.

- wording, points, caps and the rule set's params: the rule set (govcheck/rules/data/*.toml);
- params with defaults, other inputs it reads, evidence standard (text and machine-checkable requirements), what
  goes to 需人工核查 instead, or what a person checks: registry.yaml, one entry per code;
- implementation: the functions registered for the code (`@check` on SiteFacts in govcheck/checks/*.py,
  `@account_check` in govcheck/newmedia/checks.py);
- fixtures: tests/fixtures/checks/<CODE>/, tests/fixtures/sites/<CODE>[~…]/, tests/fixtures/accounts/<CODE>[~…]/.

`coverage.problems()` walks all of it (the Datasette way: the test walks the live registries), so a rule added to a rule
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
