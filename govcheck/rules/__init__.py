"""Rule sets as data: loading, overlay merging and validation.

A rule set is a TOML file in govcheck/rules/data/ (or any path). An overlay names its base with
`extends`; an overlay entry with an existing code changes only the keys it gives. Every error names
the file, the rule and the problem, so an office editing its own overlay can fix it without reading code.
"""
from __future__ import annotations

import hashlib
import math
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
    "name_edit_distance", "probe_interval_seconds", "probe_interval_portal_seconds",
    "standard_names", "other_names", "min_standard_columns", "standard_columns",
    "column_words", "holder_names", "report_column", "basis",
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
        if not p.is_file():
            raise RuleSetError(f"{p}: 不是规则集文件（是目录或特殊文件）")
        return p
    candidate = DATA_DIR / f"{name_or_path}.toml"
    if candidate.exists():
        return candidate
    raise RuleSetError(f"未知规则集“{name_or_path}”；内置规则集：{', '.join(builtin_names())}，或给出 .toml 文件路径")


MAX_FILE_BYTES = 2_000_000  # a rule set is a few dozen KB; anything near this is not one


def _read(path: Path) -> dict[str, Any]:
    """The TOML document, or a RuleSetError naming the file: not a file, unreadable, not UTF-8 text,
    not TOML, nested too deep."""
    from govcheck.tables import TableError, read_text

    try:
        text = read_text(path, MAX_FILE_BYTES)
    except TableError as e:
        raise RuleSetError(f"{path}: {e.message}（规则集应为 TOML 文本文件）") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise RuleSetError(f"{path}: TOML 格式错误：{e}") from None
    except RecursionError:
        raise RuleSetError(f"{path}: TOML 嵌套层数过多") from None


def _check_keys(path: Path, where: str, entry: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise RuleSetError(f"{path}: {where}: 未知字段 {', '.join(unknown)}")


def _num(path: Path, where: str, key: str, value: Any, high: float | None = None) -> float:
    """A finite, non-negative number (at most `high`): nan, inf and 1e308 points are typos, not rules."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RuleSetError(f"{path}: {where}: 字段 {key} 应为数字，实为 {_show(value)}")
    if not math.isfinite(value):
        raise RuleSetError(f"{path}: {where}: 字段 {key} 应为有限的数，实为 {value!r}")
    if value < 0:
        raise RuleSetError(f"{path}: {where}: 字段 {key} 不能为负数")
    if high is not None and value > high:
        raise RuleSetError(f"{path}: {where}: 字段 {key} 为 {value:g}，超出合理范围（不超过 {high:g}）")
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


def _show(value: Any) -> str:
    r = repr(value)
    return r if len(r) <= 60 else r[:57] + "…"


# ------------------------------------------------------------------ validation of types and ranges
MAX_POINTS = 1000.0  # a score scale beyond this is a typo (the national table is out of 100)
MAX_DAYS = 36_500  # windows, cycles and deadlines: a century at most
# expected type of each setting and parameter; a key not listed here (a parameter a new check reads) is
# still held to plain values: text, yes/no, a finite number, or a flat list of them
SETTING_TYPES: dict[str, str] = {
    "name": "text", "version": "scalar", "extends": "text", "title": "text", "basis": "text", "source": "text",
    "pass_line": "points", "full_score": "points", "bonus_threshold": "points", "bonus_max": "points",
    "no_service_base": "points", "no_service_group": "text", "score_decimals": "decimals",
    "score_brackets": "points_list", "account_reason_order": "text_list", "account_primary_order": "text_list",
    "evidence_print": "evidence_print",
}
PARAM_TYPES: dict[str, str] = {
    "window_days": "days", "window_months": "count", "sample_size": "count", "threshold_count": "count",
    "threshold_ratio": "ratio", "min_visits_per_day": "count", "timeout_seconds": "days", "overdue_days": "days",
    "feedback_due_days": "days", "deadline_month_day": "month_day", "section": "text", "elements": "text_list",
    "required_fields": "text_list", "not_if_penalised_elsewhere": "bool", "similarity_threshold": "ratio",
    "max_start_lead_days": "days", "domain_patterns": "text_list", "min_name_overlap": "count",
    "site_tags": "text_list", "page_tags": "text_list", "message_fields": "text_list", "pool_newest": "count",
    "standard_names": "text_list", "other_names": "text_list", "min_standard_columns": "count",
    "standard_columns": "text_list", "column_words": "text_list", "holder_names": "text_list",
    "report_column": "text", "basis": "text",
}
RULE_FIELD_TYPES = {"wording": "text", "short": "text", "notice_group": "text", "note": "text", "status": "text",
                    "target": "text", "indicator": "text", "veto": "bool", "manual": "bool", "advisory": "bool",
                    "marker": "bool", "table": "bool", "print_evidence": "bool"}
INDICATOR_FIELD_TYPES = {"name": "text", "group": "text", "service": "bool", "bonus": "bool", "target": "text",
                         "note": "text"}
EVIDENCE_FIELDS = ("path", "note", "title", "url", "date")  # what an attachment line may print of evidence
_MONTH_DAY = re.compile(r"(0?[1-9]|1[0-2])-(0?[1-9]|[12]\d|3[01])")


def _check_type(path: Path, where: str, key: str, value: Any, kind: str, full: float = MAX_POINTS) -> None:
    def bad(expect: str) -> RuleSetError:
        return RuleSetError(f"{path}: {where}: 字段 {key} 应为{expect}，实为 {_show(value)}")

    if kind == "text":
        if not isinstance(value, str):
            raise bad("文本")
    elif kind == "scalar":
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) or \
                (isinstance(value, float) and not math.isfinite(value)):
            raise bad("文本或数字")
    elif kind == "bool":
        if not isinstance(value, bool):
            raise bad(" true 或 false")
    elif kind == "points":
        _num(path, where, key, value, full)
    elif kind == "days":
        _num(path, where, key, value, MAX_DAYS)
    elif kind == "count":
        _num(path, where, key, value, 1_000_000)
    elif kind == "ratio":
        _num(path, where, key, value, 1.0)
    elif kind == "decimals":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
            raise bad(" 0 到 4 的整数")
    elif kind == "month_day":
        if not isinstance(value, str) or not _MONTH_DAY.fullmatch(value):
            raise bad("“月-日”（如 \"01-31\"）")
    elif kind == "text_list":
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise bad("文本的数组")
    elif kind == "points_list":
        if not isinstance(value, list) or len(value) < 2:
            raise bad("至少两个数字的数组（满分、高分段下限 …）")
        for x in value:
            _num(path, where, key, x, full)
        if any(a < b for a, b in zip(value, value[1:])):
            raise bad("从高到低排列的分数")
    elif kind == "evidence_print":
        if not isinstance(value, dict) or not all(isinstance(v, list) and all(x in EVIDENCE_FIELDS for x in v)
                                                  for v in value.values()):
            raise bad(f"“网站类型 = [字段, …]”的表，字段取自 {', '.join(EVIDENCE_FIELDS)}")
    else:  # a key without a declared type: plain values only
        _plain(path, where, key, value)


def _plain(path: Path, where: str, key: str, value: Any) -> None:
    items = value if isinstance(value, list) else [value]
    for x in items:
        if isinstance(x, bool) or isinstance(x, str):
            continue
        if isinstance(x, (int, float)):
            if not math.isfinite(x):
                raise RuleSetError(f"{path}: {where}: 字段 {key} 应为有限的数，实为 {x!r}")
            continue
        raise RuleSetError(f"{path}: {where}: 字段 {key} 应为文本、数字、true/false 或它们的数组，实为 {_show(value)}")


def _validate_settings(path: Path, rs: dict[str, Any]) -> None:
    for key, value in rs.items():
        _check_type(path, "[ruleset]", key, value, SETTING_TYPES.get(key, "plain"))


def _validate_final_settings(path: Path, settings: dict[str, Any]) -> None:
    """Ranges that depend on each other, once the overlays are merged: the pass line and brackets within
    the full score, a positive full score and 75-point base."""
    full = float(settings.get("full_score", 100))
    if full <= 0:
        raise RuleSetError(f"{path}: [ruleset]: full_score 应大于 0")
    for key in ("pass_line", "bonus_threshold", "no_service_base"):
        if key in settings:
            _num(path, "[ruleset]", key, settings[key], full)
    if "no_service_base" in settings and float(settings["no_service_base"]) <= 0:
        raise RuleSetError(f"{path}: [ruleset]: no_service_base 应大于 0")
    if "score_brackets" in settings:
        _check_type(path, "[ruleset]", "score_brackets", settings["score_brackets"], "points_list", full)


def _validate_entry(path: Path, where: str, entry: dict[str, Any], types: dict[str, str]) -> None:
    for key, value in entry.items():
        if key == "code":
            if not isinstance(value, str) or not value.strip():
                raise RuleSetError(f"{path}: {where}: code 应为非空文本，实为 {_show(value)}")
        elif key in ("points", "cap"):
            _num(path, where, key, value, MAX_POINTS)
        elif key in types:
            _check_type(path, where, key, value, types[key])
        else:
            _check_type(path, where, key, value, PARAM_TYPES.get(key, "plain"))


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
        head = doc.get("ruleset") if isinstance(doc.get("ruleset"), dict) else {}
        ext = head.get("extends")
        if ext is not None and (not isinstance(ext, str) or not ext.strip()):
            raise RuleSetError(f"{path}: [ruleset] extends 应为规则集名称或文件路径，实为 {_show(ext)}")
        try:
            path = _resolve(ext, path.parent) if ext else None
        except RuleSetError as e:
            raise RuleSetError(f"{path}: [ruleset] extends：{e}") from None
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
        _validate_settings(path, rs)
        settings.update({k: v for k, v in rs.items() if k != "extends"})
        col_cycles = doc.get("column_cycles") or {}
        if not isinstance(col_cycles, dict):
            raise RuleSetError(f"{path}: [column_cycles] 应为“栏目类别 = 天数”的表")
        for kind, val in col_cycles.items():
            cycles[kind] = int(_num(path, f"[column_cycles] {kind}", kind, val, MAX_DAYS))
            if cycles[kind] < 1:
                raise RuleSetError(f"{path}: [column_cycles] {kind}: 更新周期至少 1 天")
        for table in ("indicator", "rule"):
            if not isinstance(doc.get(table, []), list) or not all(isinstance(x, dict) for x in doc.get(table, [])):
                raise RuleSetError(f"{path}: {table} 应写成 [[{table}]] 表的数组")
        seen_here: set[str] = set()
        for ind in doc.get("indicator", []):
            code = ind.get("code")
            if not code:
                raise RuleSetError(f"{path}: [[indicator]] 缺少 code")
            _check_keys(path, f"指标 {code}", ind, INDICATOR_KEYS)
            _validate_entry(path, f"指标 {code}", ind, INDICATOR_FIELD_TYPES)
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
            _validate_entry(path, f"规则 {code}", r, RULE_FIELD_TYPES)
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
    _validate_final_settings(chain[-1], settings)

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
