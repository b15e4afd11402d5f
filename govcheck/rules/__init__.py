"""Rule sets as data: loading, overlay merging and validation.

A rule set is a TOML file in govcheck/rules/data/ (or any path). An overlay names its base with
`extends`; an overlay entry with an existing code changes only the keys it gives. Every error names
the file, the rule and the problem, so an office editing its own overlay can fix it without reading code.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

SETTING_KEYS = {
    "name", "version", "extends", "title", "basis", "source", "pass_line", "full_score",
    "bonus_threshold", "bonus_max", "no_service_base", "no_service_group", "score_decimals",
    "score_brackets", "account_reason_order", "account_primary_order", "evidence_print",
}
INDICATOR_KEYS = {"code", "name", "group", "cap", "service", "bonus", "target", "note"}
# Keys a check reads as parameters are listed here too: an unknown key is a typo until proven otherwise.
PARAM_KEYS = {
    "window_days", "window_months", "sample_size", "threshold_count", "threshold_ratio",
    "min_visits_per_day", "timeout_seconds", "overdue_days", "feedback_due_days",
    "deadline_month_day", "section", "elements", "required_fields", "not_if_penalised_elsewhere",
    "similarity_threshold", "max_start_lead_days", "domain_patterns", "min_name_overlap", "site_tags",
    "page_tags", "message_fields", "pool_newest", "uncycled_list_days", "max_evidence", "scan_days",
    "name_edit_distance",
}
RULE_KEYS = {
    "code", "indicator", "wording", "points", "veto", "target", "status", "manual", "advisory",
    "marker", "table", "short", "notice_group", "note", "print_evidence",
} | PARAM_KEYS
TOP_KEYS = {"ruleset", "indicator", "rule", "column_cycles"}
STATUSES = {"V", "P", "U"}
TARGETS = {"site", "account", "any"}
_PLACEHOLDER = re.compile(r"\{(\w+)(?:@([\w.]+))?\}")
# What a wording may state from its rule's own params, so the sentence can never disagree with them:
# placeholder -> the param(s) it is printed from. {key@CODE} states another rule's value (V4.1 counts columns
# with the windows of D04.2 and D05.2 and says so).
STATED = {
    "window": ("window_days", "window_months"),
    "overdue": ("overdue_days",),
    "feedback_due": ("feedback_due_days",),
    "sample_size": ("sample_size",),
    "threshold_count": ("threshold_count",),
    "threshold_ratio": ("threshold_ratio",),
    "deadline": ("deadline_month_day",),
}


class RuleSetError(ValueError):
    """A rule-set file that cannot be used; the message names file, rule and problem."""


class UnknownRule(KeyError):
    pass


def duration_cn(days: int) -> str:
    """A window in days as the national table words it: 7 → 1周, 14 → 2周, 31 → 1个月, 92 → 3个月, 183 → 6个月,
    365 → 1年; anything else in days (100 → 100天). A month is 365/12 days ± 1.6 (the table's 3个月 is 92 days)."""
    days = int(days)
    if 0 < days <= 21 and days % 7 == 0:
        return f"{days // 7}周"
    months = round(days * 12 / 365)
    if months >= 1 and abs(days - months * 365 / 12) <= 1.6:
        return months_cn(months)
    return f"{days}天"


def months_cn(months: int) -> str:
    months = int(months)
    return f"{months // 12}年" if months % 12 == 0 else f"{months}个月"


def stated_value(key: str, params: dict[str, Any]) -> str | None:
    """The printed form of a STATED placeholder from a rule's params, or None when the rule has no such param."""
    if key == "window":
        if "window_days" in params:
            return duration_cn(params["window_days"])
        if "window_months" in params:
            return months_cn(params["window_months"])
        return None
    src = STATED.get(key)
    if not src or src[0] not in params:
        return None
    v = params[src[0]]
    if key in ("overdue", "feedback_due"):
        return duration_cn(v)
    if key == "threshold_ratio":
        return fmt_points(float(v) * 100) + "%"
    if key == "deadline":
        m, d = (int(x) for x in str(v).split("-"))
        return f"次年{m}月{d}日"
    return str(v)


def fmt_points(value: float) -> str:
    """Points as a notice prints them: 5, 0.5, 88.5 (never 5.0)."""
    d = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    s = format(d, "f")
    return s


@dataclass
class Indicator:
    code: str
    name: str = ""
    group: str = ""
    cap: float | None = None
    service: bool = False  # skipped for departments without public services
    bonus: bool = False
    target: str = "site"
    note: str | None = None


@dataclass
class Rule:
    code: str
    indicator: str
    wording: str
    points: float = 0.0
    veto: bool = False
    target: str = "site"
    status: str = "P"
    manual: bool = False  # needs a person: listed as 需人工核查 unless a manual finding is entered
    advisory: bool = False  # reported, never scored (all U rules)
    marker: bool = False  # printed beside other findings (e.g. 未整改), neither scored nor failing
    table: bool = True  # printed in the attachment table
    print_evidence: bool = True  # the attachment prints the evidence after the line
    short: str | None = None  # the short reason a notice uses in lists
    notice_group: str | None = None
    note: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    bonus: bool = False
    stated: dict[str, str] = field(default_factory=dict)  # STATED placeholders filled from params (load time)

    @property
    def scored(self) -> bool:
        return not (self.advisory or self.marker or self.status == "U")

    def placeholders(self) -> set[str]:
        """Placeholders a finding fills (not points, not those stated from the rule's params)."""
        return {k for k, ref in _PLACEHOLDER.findall(self.wording) if not ref and k != "points"} - set(self.stated)

    def render(self, params: dict[str, Any] | None = None) -> str:
        return _fill(self.wording, self.points, params or {}, self.stated)

    def render_short(self, params: dict[str, Any] | None = None) -> str:
        return _fill(self.short or self.wording, self.points, params or {}, self.stated)


def _fill(template: str, points: float, params: dict[str, Any], stated: dict[str, str] | None = None) -> str:
    """{points} from the rule; other keys from the finding's params, else from what the rule's params state."""
    stated = stated or {}

    def sub(m: re.Match) -> str:
        key, ref = m.group(1), m.group(2)
        if ref:
            return stated.get(f"{key}@{ref}", m.group(0))
        if key == "points":
            return fmt_points(points)
        if key in params and params[key] is not None:
            v = params[key]
            return "、".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
        return stated.get(key, m.group(0))

    return _PLACEHOLDER.sub(sub, template)


@dataclass
class RuleSet:
    name: str
    version: str
    settings: dict[str, Any]
    indicators: dict[str, Indicator]
    rules: dict[str, Rule]
    column_cycles: dict[str, int]
    files: list[str]
    content_hash: str

    @property
    def order(self) -> dict[str, int]:
        """Rule code → position in the rule set (caps cut rules in this order)."""
        if not hasattr(self, "_order"):
            self._order = {c: i for i, c in enumerate(self.rules)}
        return self._order

    @property
    def scorable(self) -> dict[str, tuple[str, float, bool, bool]]:
        """Site rules that deduct or add points: code → (indicator, points, service, bonus)."""
        if not hasattr(self, "_scorable"):
            self._scorable = {
                r.code: (r.indicator, r.points, self.indicators[r.indicator].service, r.bonus)
                for r in self.rules.values() if r.target == "site" and r.scored and not r.veto
            }
        return self._scorable

    def rule(self, code: str) -> Rule:
        try:
            return self.rules[code]
        except KeyError:
            raise UnknownRule(code) from None

    def indicator_of(self, code: str) -> Indicator:
        return self.indicators[self.rule(code).indicator]

    def setting(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)

    @property
    def pass_line(self) -> float:
        return float(self.settings["pass_line"])

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "hash": self.content_hash, "files": self.files}


def builtin_names() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.toml"))


def _resolve(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        if not p.is_absolute() and relative_to is not None and not p.exists():
            p = relative_to / p
        if not p.exists():
            raise RuleSetError(f"{p}: 规则集文件不存在")
        return p
    candidate = DATA_DIR / f"{name_or_path}.toml"
    if candidate.exists():
        return candidate
    raise RuleSetError(f"未知规则集“{name_or_path}”；内置规则集：{', '.join(builtin_names())}，或给出 .toml 文件路径")


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise RuleSetError(f"{path}: TOML 格式错误：{e}") from None


def _check_keys(path: Path, where: str, entry: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise RuleSetError(f"{path}: {where}: 未知字段 {', '.join(unknown)}")


def _num(path: Path, where: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RuleSetError(f"{path}: {where}: 字段 {key} 应为数字，实为 {value!r}")
    if value < 0:
        raise RuleSetError(f"{path}: {where}: 字段 {key} 不能为负数")
    return float(value)


def _state_params(rules: dict[str, Rule], origin: dict[str, Path]) -> None:
    """Fill each rule's STATED placeholders from its params (and {key@CODE} from another rule's); a stated
    placeholder with no param behind it is an error, so a wording can never print a number its rule lacks."""
    for code, r in rules.items():
        for template in (r.wording, r.short or ""):
            for key, ref in _PLACEHOLDER.findall(template):
                if key not in STATED:
                    if ref:
                        raise RuleSetError(f"{origin[code]}: 规则 {code}: 措辞占位符 {{{key}@{ref}}}：只有 "
                                           f"{'、'.join('{' + k + '}' for k in STATED)} 可引用其他规则的参数")
                    continue
                src = rules.get(ref) if ref else r
                if ref and src is None:
                    raise RuleSetError(f"{origin[code]}: 规则 {code}: 措辞占位符 {{{key}@{ref}}} 所指规则 {ref} 未定义")
                v = stated_value(key, src.params)
                if v is None:
                    raise RuleSetError(f"{origin[code]}: 规则 {code}: 措辞占位符 {{{key}{'@' + ref if ref else ''}}} "
                                       f"没有对应参数（{'/'.join(STATED[key])}）")
                r.stated[f"{key}@{ref}" if ref else key] = v


def load_ruleset(name_or_path: str | Path, overlays: list[str | Path] | None = None) -> RuleSet:
    """Load a rule set (built-in name or path), following `extends`, then apply extra overlays."""
    chain: list[Path] = []
    seen: set[Path] = set()
    path: Path | None = _resolve(name_or_path)
    while path is not None:
        rp = path.resolve()
        if rp in seen:
            raise RuleSetError(f"{path}: extends 形成循环")
        seen.add(rp)
        chain.append(path)
        doc = _read(path)
        ext = (doc.get("ruleset") or {}).get("extends")
        path = _resolve(ext, path.parent) if ext else None
    chain.reverse()
    for extra in overlays or []:
        chain.append(_resolve(extra))

    settings: dict[str, Any] = {}
    indicators: dict[str, dict[str, Any]] = {}
    rules: dict[str, dict[str, Any]] = {}
    rule_origin: dict[str, Path] = {}
    cap_origin: dict[str, Path] = {}
    cycles: dict[str, int] = {}
    digest = hashlib.sha256()
    for path in chain:
        raw = path.read_bytes()
        digest.update(raw)
        doc = _read(path)
        _check_keys(path, "顶层", doc, TOP_KEYS)
        rs = doc.get("ruleset")
        if not isinstance(rs, dict) or not rs.get("name"):
            raise RuleSetError(f"{path}: 缺少 [ruleset] 段或其 name")
        _check_keys(path, "[ruleset]", rs, SETTING_KEYS)
        settings.update({k: v for k, v in rs.items() if k != "extends"})
        for kind, val in (doc.get("column_cycles") or {}).items():
            cycles[kind] = int(_num(path, f"[column_cycles] {kind}", kind, val))
        seen_here: set[str] = set()
        for ind in doc.get("indicator", []):
            code = ind.get("code")
            if not code:
                raise RuleSetError(f"{path}: [[indicator]] 缺少 code")
            _check_keys(path, f"指标 {code}", ind, INDICATOR_KEYS)
            if ("I", code) in seen_here:
                raise RuleSetError(f"{path}: 指标 {code}: 编码重复")
            seen_here.add(("I", code))
            if "cap" in ind:
                _num(path, f"指标 {code}", "cap", ind["cap"])
                cap_origin[code] = path
            indicators.setdefault(code, {}).update(ind)
        for r in doc.get("rule", []):
            code = r.get("code")
            if not code:
                raise RuleSetError(f"{path}: [[rule]] 缺少 code")
            _check_keys(path, f"规则 {code}", r, RULE_KEYS)
            if ("R", code) in seen_here:
                raise RuleSetError(f"{path}: 规则 {code}: 编码重复")
            seen_here.add(("R", code))
            if "points" in r:
                _num(path, f"规则 {code}", "points", r["points"])
            rules.setdefault(code, {}).update(r)
            rule_origin[code] = path

    for key in ("name", "version", "pass_line"):
        if key not in settings:
            raise RuleSetError(f"{chain[-1]}: [ruleset] 缺少 {key}")

    ind_objs: dict[str, Indicator] = {}
    for code, d in indicators.items():
        ind_objs[code] = Indicator(**{k: d[k] for k in INDICATOR_KEYS if k in d})
    rule_objs: dict[str, Rule] = {}
    for code, d in rules.items():
        path = rule_origin[code]
        where = f"规则 {code}"
        ind_code = d.get("indicator")
        if not ind_code or ind_code not in ind_objs:
            raise RuleSetError(f"{path}: {where}: 所属指标 {ind_code!r} 未定义")
        ind = ind_objs[ind_code]
        wording = d.get("wording")
        if not isinstance(wording, str) or not wording.strip():
            raise RuleSetError(f"{path}: {where}: 缺少通报措辞（wording）")
        status = d.get("status", "P")
        if status not in STATUSES:
            raise RuleSetError(f"{path}: {where}: status 应为 V/P/U，实为 {status!r}")
        target = d.get("target", ind.target)
        if target not in TARGETS:
            raise RuleSetError(f"{path}: {where}: target 应为 site/account/any，实为 {target!r}")
        veto = bool(d.get("veto", False))
        marker = bool(d.get("marker", False))
        advisory = bool(d.get("advisory", False)) or status == "U"
        needs_points = not (veto or marker or advisory or target == "account")
        if needs_points and "points" not in d:
            raise RuleSetError(f"{path}: {where}: 缺少分值（points）")
        points = float(d.get("points", 0))
        if needs_points and points > 0:
            if ind.cap is None:
                raise RuleSetError(f"{path}: {where}: 所属指标 {ind_code} 未设分值上限（cap）")
            if ind.cap < points:
                # name the file that made the pair inconsistent: whichever of cap and points came last
                culprit = max((path, cap_origin.get(ind_code, path)), key=chain.index)
                raise RuleSetError(
                    f"{culprit}: {where}: 指标 {ind_code} 的上限 {fmt_points(ind.cap)} 分低于单项分值 {fmt_points(points)} 分"
                )
        params = {k: d[k] for k in PARAM_KEYS if k in d}
        rule_objs[code] = Rule(
            code=code, indicator=ind_code, wording=wording, points=points, veto=veto, target=target,
            status=status, manual=bool(d.get("manual", False)), advisory=advisory, marker=marker,
            table=bool(d.get("table", True)), print_evidence=bool(d.get("print_evidence", True)),
            short=d.get("short"), notice_group=d.get("notice_group"),
            note=d.get("note"), params=params, bonus=ind.bonus,
        )
    _state_params(rule_objs, rule_origin)
    for key in ("account_reason_order", "account_primary_order"):
        for code in settings.get(key, []):
            if code not in rule_objs:
                raise RuleSetError(f"{chain[-1]}: [ruleset] {key}: 规则 {code} 未定义")
    return RuleSet(
        name=str(settings["name"]),
        version=str(settings["version"]),
        settings=settings,
        indicators=ind_objs,
        rules=rule_objs,
        column_cycles=cycles,
        files=[str(p) for p in chain],
        content_hash=digest.hexdigest(),
    )
