"""The check registry and the helpers every indicator family shares.

A check is a function `(facts, rs, at, rng) -> iterable of Finding | ManualItem | Sample`, registered
with the rule codes it can produce. `run_checks` runs each with its own rng derived from the round's
seed and the check's name, so adding a check never changes another check's sample.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from govcheck.model import Evidence, Finding
from govcheck.rules import RuleSet

from .facts import ColumnFacts, EvidenceRef, SiteFacts, to_date

DATA_FILE = Path(__file__).resolve().parent / "data" / "checks.yaml"


class CheckDataError(ValueError):
    pass


class _Data(dict):
    """checks.yaml as read; `READS`, when a set, collects the top-level keys a check reads (the registry test
    traces them, so no data key changes an outcome without appearing in the rule's entry)."""

    def __getitem__(self, key: str) -> Any:
        if READS is not None:
            READS.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        if READS is not None and key in self:
            READS.add(key)
        return super().get(key, default)


READS: set[str] | None = None
PARAM_READS: set[tuple[str, str]] | None = None  # (code, key) of every param() read, when a set (the same test)


@lru_cache(maxsize=None)
def data() -> dict[str, Any]:
    try:
        with DATA_FILE.open(encoding="utf-8") as f:
            return _Data(yaml.safe_load(f))
    except (OSError, yaml.YAMLError) as e:
        raise CheckDataError(f"{DATA_FILE}: 无法读取：{e}") from None


def note(key: str, **kw: Any) -> str:
    try:
        return data()["notes"][key].format(**kw)
    except KeyError as e:
        raise CheckDataError(f"{DATA_FILE}: notes.{key}: 缺少措辞或占位符 {e}") from None


def param(rs: RuleSet, code: str, key: str) -> Any:
    """A rule's param from the rule set, else its default in the rule registry; a clear error if neither has it."""
    from .registry import REGISTRY_FILE, param_default

    if PARAM_READS is not None:
        PARAM_READS.add((code, key))
    rule = rs.rule(code)
    if key in rule.params:
        return rule.params[key]
    found, value = param_default(code, key)
    if found:
        return value
    raise CheckDataError(f"规则集 {rs.name}: 规则 {code} 缺少参数 {key}（{REGISTRY_FILE} 中也没有默认值）")


def has_rule(rs: RuleSet, code: str) -> bool:
    return code in rs.rules


# ---------------------------------------------------------------------------------------------- results
@dataclass
class ManualItem:
    """需人工核查: a rule (or an undecided fact) a person must look at. `held`: the finding a check made that
    fell short of its rule's evidence standard (checks.evidence), kept so a person can confirm it by hand."""

    code: str
    what: str
    urls: list[str] = field(default_factory=list)
    held: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if d["held"] is None:
            d.pop("held")
        return d


@dataclass
class Sample:
    """What a sampling check drew, so the round can show and replay it."""

    code: str
    population: int
    chosen: list[str]  # URLs (or titles when a URL is unknown)
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    manual: list[ManualItem] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    anomalies: list[Finding] = field(default_factory=list)  # 日期异常, see checks.yaml anomaly_code

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "manual": [m.to_dict() for m in self.manual],
            "samples": [s.to_dict() for s in self.samples],
            "anomalies": [f.to_dict() for f in self.anomalies],
        }


CheckFn = Callable[[SiteFacts, RuleSet, dt.date, random.Random], Iterable[Any]]


@dataclass
class Check:
    name: str
    codes: tuple[str, ...]
    fn: CheckFn
    doc: str


REGISTRY: dict[str, Check] = {}


def check(*codes: str) -> Callable[[CheckFn], CheckFn]:
    def deco(fn: CheckFn) -> CheckFn:
        name = f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"
        REGISTRY[name] = Check(name, codes, fn, (fn.__doc__ or "").strip())
        return fn

    return deco


def codes_covered() -> set[str]:
    return {c for ch in REGISTRY.values() for c in ch.codes}


def derive_rng(seed: int, name: str) -> tuple[random.Random, int]:
    h = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    s = int.from_bytes(h[:8], "big")
    return random.Random(s), s


# ---------------------------------------------------------------------------------------------- findings
def finding(facts: SiteFacts, code: str, evidence: list[Evidence] | None = None,
            **params: Any) -> Finding:
    return Finding(unit=facts.unit, target=facts.url, target_type="site", code=code,
                   evidence=evidence or [], params={k: v for k, v in params.items() if v is not None})


def ev(ref: EvidenceRef | None, url: str | None = None, **kw: Any) -> Evidence:
    """Evidence citing an archived page when its reference is known, else just the URL."""
    if ref is not None:
        if url and url != ref.url:
            kw["url"] = url
        return ref.evidence(**kw)
    return Evidence(url=url, **kw)


def column_ev(col: ColumnFacts, newest: dt.date | None, note_text: str | None) -> Evidence:
    return ev(col.ref, col.url, path=col.path, date=newest.isoformat() if newest else None, note=note_text)


# ---------------------------------------------------------------------------------------------- dates
def months_before(at: dt.date, n: int) -> dt.date:
    m = at.month - 1 - n
    y = at.year + m // 12
    m = m % 12 + 1
    for d in (at.day, 30, 29, 28):
        try:
            return dt.date(y, m, d)
        except ValueError:
            continue
    raise ValueError(at)


def window_start(rs: RuleSet, code: str, at: dt.date) -> dt.date:
    """The first day still 'within' the rule's window before the time point."""
    p = rs.rule(code).params
    if "window_days" in p:
        return at - dt.timedelta(days=int(p["window_days"]))
    if "window_months" in p:
        return months_before(at, int(p["window_months"]))
    raise CheckDataError(f"规则集 {rs.name}: 规则 {code} 缺少 window_days 或 window_months")


def valid_dates(dates: Iterable[dt.date], at: dt.date) -> list[dt.date]:
    """Dates that may count as freshness: never a date after the time point."""
    return [d for d in dates if d <= at]


def newest(dates: Iterable[dt.date], at: dt.date) -> dt.date | None:
    v = valid_dates(dates, at)
    return max(v) if v else None


def column_newest(facts: SiteFacts, col: ColumnFacts, at: dt.date, subtree: bool = False) -> dt.date | None:
    """Newest date of a column; a first-level column also counts the entries of its sub-columns."""
    ds = col.dates()
    if subtree:
        for c in descendants(facts, col):
            ds.extend(c.dates())
    return newest(ds, at)


def decidable(col: ColumnFacts) -> bool:
    """A column whose entries were read: not drawn by script, and either blank or with entries."""
    return not col.dynamic and (col.blank or bool(col.items))


def descendants(facts: SiteFacts, col: ColumnFacts) -> list[ColumnFacts]:
    prefix = col.path + ">"
    return [c for c in facts.columns if c.path.startswith(prefix) and c.sub_platform == col.sub_platform]


def tree_decidable(facts: SiteFacts, col: ColumnFacts) -> bool:
    """A first-level column is judged on its own list or, when it has none, on its sub-columns'."""
    if col.dynamic:
        return False
    if col.items:
        return True
    subs = descendants(facts, col)
    if any(c.dynamic for c in subs):
        return False
    return col.blank or any(decidable(c) for c in subs)


def site_columns(facts: SiteFacts) -> list[ColumnFacts]:
    """The site's own columns (department sub-platforms are judged by X02 only)."""
    return [c for c in facts.columns if c.sub_platform is None]


def fmt_cn_date(d: dt.date) -> str:
    return note("deadline", year=d.year, month=d.month, day=d.day)


def parse(s: str | None) -> dt.date | None:
    try:
        return to_date(s)
    except ValueError:
        return None
