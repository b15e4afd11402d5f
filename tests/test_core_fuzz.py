"""Fuzz every input file type an office hands us — sites / accounts / registry rosters (CSV and XLSX), findings
(JSON and XLSX), rule files — with Hypothesis (derandomized: the same cases every run). Each case must end
cleanly: read, or refused with the reader's own error naming the file (and row and column where there is
one). Anything else — a KeyError, a RecursionError, an openpyxl or csv exception — is a traceback for the user
and fails the test. What is read is then carried on (rule sets score and word a round; findings are scored
and printed), so a value that passes the gate cannot crash a later stage either."""
from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from govcheck.demo import load_transcription
from govcheck.findings_io import COLUMNS, FindingsFileError, read_findings_file
from govcheck.notice import RoundView, build_notice
from govcheck.roster import RosterError, read_accounts, read_registry, read_sites
from govcheck.rules import INDICATOR_KEYS, RULE_KEYS, SETTING_KEYS, RuleSetError, UnknownRule, load_ruleset
from govcheck.score import apply_rules, score_round

pytestmark = pytest.mark.slow

COUNT = {"roster_csv": 350, "roster_xlsx": 120, "rules": 900, "findings_json": 700, "findings_xlsx": 150}
FUZZ = settings(derandomize=True, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])

T = load_transcription()
RS = load_ruleset(T.meta["round"]["rules"])
UNITS = sorted({s.unit for s in T.sites} | {a.unit for a in T.accounts})
URLS = [s.url for s in T.sites]
ACCOUNT_NAMES = sorted({a.name for a in T.accounts})
CODES = list(RS.rules)
HOSTILE = [
    "[/bold]", "[red]市审计局[/red]", "[ruleset]", "=1+1", '=HYPERLINK("http://169.254.169.254/","x")', "+1", "-1",
    "@SUM(1)", "\t", "\r\n", "\x00", "\x1b[31m", "http://[::1/", "http://127.0.0.1:99999/", "http://127.0.0.1:0/",
    "http://a b/", "ftp://x.gov.cn/", "javascript:alert(1)", "http://", "//x", "x.gov.cn", "是", "否", "有", "无",
    "微信订阅号", "新浪微博", "抖音", "正常", "已注销", "全国", "2022-05-01", "2022/13/45", "2022-02-30", "1e308", "nan",
    "inf", "-0", "0x10", "", " ", "市直", "门户", "部门", "网站", "新媒体", "D09.1", "V1.5", "M2.1", "x" * 3000,
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "单位名称", "首页网址", "新媒体名称", "主办单位", '"', "'", ",", ";", "；", "{x}", "%s", "\\",
]
SITE_HEADERS = ["区域", "单位名称", "网站名称", "首页网址", "网站类型", "对外服务", "网站标识码", "其他域名", "url", "unit"]
ACCOUNT_HEADERS = ["区域", "新媒体名称", "主办单位", "新媒体类型", "账号ID", "数据来源", "互动功能"]
REGISTRY_HEADERS = ["新媒体名称", "主办单位", "平台", "账号ID", "备案状态", "备案日期", "备案系统"]
FINDING_HEADERS = [k for k in COLUMNS if not k.isascii()]

text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20),
                 st.sampled_from(UNITS + URLS + ACCOUNT_NAMES + CODES))
scalar = st.one_of(text, st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
                   st.booleans(), st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)))


def _clean(call, path: Path, errors: tuple[type[BaseException], ...]):
    """The call's result, or None when it refused the file with one of `errors` naming it."""
    try:
        return call()
    except errors as e:
        msg = str(e)
        assert str(path) in msg or path.name in msg, f"error does not name the file: {msg!r}"
        return None


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else
                   (None if isinstance(v, float) and not math.isfinite(v) else v) for v in r])
    wb.save(path)
    return path


def _table(headers: list[str], cells):
    header = st.lists(st.one_of(st.sampled_from(headers), text), min_size=0, max_size=9)
    return st.tuples(header, st.lists(st.lists(cells, max_size=9), max_size=6))


ROSTERS = {"sites": (SITE_HEADERS, read_sites), "accounts": (ACCOUNT_HEADERS, read_accounts),
           "registry": (REGISTRY_HEADERS, read_registry)}


@pytest.mark.parametrize("kind", list(ROSTERS))
def test_fuzz_rosters_csv(kind, tmp_path):
    headers, reader = ROSTERS[kind]

    @settings(FUZZ, max_examples=COUNT["roster_csv"])
    @given(_table(headers, text), st.booleans())
    def case(table, gbk):
        header, rows = table
        p = tmp_path / "roster.csv"
        data = [header, *rows]
        if gbk:
            try:
                p.write_bytes("\n".join(",".join(r) for r in data).encode("gb18030"))
            except UnicodeEncodeError:
                _csv(p, data)
        else:
            _csv(p, data)
        _clean(lambda: reader(p), p, (RosterError,))

    case()


@pytest.mark.parametrize("kind", list(ROSTERS))
def test_fuzz_rosters_xlsx(kind, tmp_path):
    headers, reader = ROSTERS[kind]

    @settings(FUZZ, max_examples=COUNT["roster_xlsx"])
    @given(_table(headers, scalar))
    def case(table):
        header, rows = table
        p = _xlsx(tmp_path / "roster.xlsx", [header, *rows])
        _clean(lambda: reader(p), p, (RosterError,))

    case()


# ---------------------------------------------------------------------------------------------- rule files
def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def _toml(doc: dict[str, Any]) -> str:
    lines = ["[ruleset]"] + [f"{json.dumps(k, ensure_ascii=False)} = {_toml_value(v)}" for k, v in doc["ruleset"].items()]
    if doc["cycles"]:
        lines.append("[column_cycles]")
        lines += [f"{json.dumps(k, ensure_ascii=False)} = {_toml_value(v)}" for k, v in doc["cycles"].items()]
    for table in ("indicator", "rule"):
        for entry in doc[table]:
            lines.append(f"[[{table}]]")
            lines += [f"{json.dumps(k, ensure_ascii=False)} = {_toml_value(v)}" for k, v in entry.items()]
    return "\n".join(lines) + "\n"


toml_scalar = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
                        st.sampled_from([0, 1, 5, 60, 100, 1e308, -1, 0.5, 92, 365]), st.booleans(),
                        st.text(max_size=12), st.sampled_from(HOSTILE[:20]), st.dates())
toml_value = st.recursive(toml_scalar, lambda c: st.one_of(st.lists(c, max_size=3),
                                                           st.dictionaries(st.text(max_size=5), c, max_size=2)),
                          max_leaves=8)
INDICATORS = sorted(RS.indicators)
rule_entry = st.fixed_dictionaries(
    {"code": st.one_of(st.sampled_from(CODES), st.text(max_size=6))},
    optional={k: toml_value for k in sorted(RULE_KEYS - {"code"})} | {"indicator": st.sampled_from(INDICATORS)})
indicator_entry = st.fixed_dictionaries(
    {"code": st.one_of(st.sampled_from(INDICATORS), st.text(max_size=6))},
    optional={k: toml_value for k in sorted(INDICATOR_KEYS - {"code"})})
rule_doc = st.fixed_dictionaries({
    "ruleset": st.fixed_dictionaries(
        {"name": st.one_of(st.just("fuzz"), toml_value), "version": st.one_of(st.just("1"), toml_value),
         "extends": st.sampled_from(["xianning-2022", "xianning-2022", "gb2019", "nope"])},
        optional={k: toml_value for k in sorted(SETTING_KEYS - {"name", "version", "extends"})}),
    "cycles": st.dictionaries(st.sampled_from(["动态要闻", "通知公告", "新栏目", "x"]), toml_value, max_size=2),
    "indicator": st.lists(indicator_entry, max_size=2),
    "rule": st.lists(rule_entry, max_size=3),
})


def _carry_on(rs) -> None:
    """A rule set that loads must score and word a whole round (the demo's transcription) without a crash;
    a round whose findings name rules the set lacks is refused by name (UnknownRule), which is a message."""
    try:
        items = apply_rules([f for f in T.findings], rs)
    except UnknownRule:
        return
    scores = score_round(T.sites, T.accounts, items, rs)
    build_notice(RoundView(meta=dict(T.meta), rs=rs, sites=T.sites, accounts=T.accounts, findings=items,
                           scores=scores))


def test_fuzz_rule_files(tmp_path):
    loaded = []

    @settings(FUZZ, max_examples=COUNT["rules"])
    @given(st.one_of(rule_doc.map(_toml), st.text(max_size=200), st.binary(max_size=200).map(lambda b: b)))
    def case(content):
        p = tmp_path / "rules.toml"
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
        rs = _clean(lambda: load_ruleset(p), p, (RuleSetError,))
        if rs is not None:
            loaded.append(rs.name)
            _carry_on(rs)

    case()
    assert loaded, "no generated rule file ever loaded: the generator tests only the gate"


# ---------------------------------------------------------------------------------------------- findings
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                        st.floats(allow_nan=True, allow_infinity=True), text)
json_value = st.recursive(json_scalar, lambda c: st.one_of(st.lists(c, max_size=3),
                                                           st.dictionaries(st.text(max_size=6), c, max_size=3)),
                          max_leaves=12)
evidence = st.one_of(json_value, st.lists(st.one_of(json_value, st.fixed_dictionaries({}, optional={
    "path": text, "url": st.sampled_from(URLS) | text, "title": text, "date": st.one_of(text, st.integers()),
    "note": text, "archive": json_value, "status": json_value})), max_size=3))
finding = st.fixed_dictionaries(
    {"unit": st.one_of(st.sampled_from(UNITS), json_value),
     "target": st.one_of(st.sampled_from(URLS + ACCOUNT_NAMES), json_value),
     "target_type": st.one_of(st.sampled_from(["site", "account", "网站", "新媒体"]), json_value),
     "code": st.one_of(st.sampled_from(CODES), json_value)},
    optional={"evidence": evidence, "params": st.one_of(json_value, st.dictionaries(st.text(max_size=5), json_value)),
              "points": json_value, "veto": json_value, "review": json_value, "source": json_value,
              "account_type": json_value, "id": json_value, "text": json_value})


OPTIONAL = {"evidence": evidence, "params": st.dictionaries(st.text(max_size=5), json_value, max_size=2),
            "points": json_value, "veto": st.one_of(st.sampled_from(["是", "否", True, False, 0, 1]), json_value),
            "review": st.one_of(st.sampled_from(["pending", "已确认", "dismissed"]), json_value)}


@st.composite
def coherent(draw) -> dict[str, Any]:
    """A finding about a target of the round (so that some files pass the gate), with hostile details."""
    if draw(st.booleans()):
        s = draw(st.sampled_from(T.sites))
        rec = {"unit": s.unit, "target": draw(st.sampled_from([s.url, s.unit])), "target_type": "网站",
               "code": draw(st.sampled_from([c for c, r in RS.rules.items() if r.target != "account"]))}
    else:
        a = draw(st.sampled_from(T.accounts))
        rec = {"unit": a.unit, "target": a.name, "target_type": "新媒体",
               "code": draw(st.sampled_from([c for c, r in RS.rules.items() if r.target != "site"]))}
    for k, strat in OPTIONAL.items():
        if draw(st.booleans()):
            rec[k] = draw(strat)
    return rec


def _score_imported(items) -> None:
    view_items = apply_rules([*T.findings, *items], RS)
    scores = score_round(T.sites, T.accounts, view_items, RS)
    build_notice(RoundView(meta=dict(T.meta), rs=RS, sites=T.sites, accounts=T.accounts, findings=view_items,
                           scores=scores))


def test_fuzz_findings_json(tmp_path):
    imported = []

    @settings(FUZZ, max_examples=COUNT["findings_json"])
    @given(st.one_of(st.lists(st.one_of(coherent(), finding), max_size=4), json_value))
    def case(doc):
        p = tmp_path / "findings.json"
        p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        items = _clean(lambda: read_findings_file(p, RS, T.sites, T.accounts), p, (FindingsFileError,))
        if items:
            imported.append(len(items))
            _score_imported(items)

    case()
    assert imported, "no generated findings file was ever accepted: the generator tests only the gate"


def test_fuzz_findings_xlsx(tmp_path):
    imported = []
    cells = st.one_of(scalar, st.sampled_from(UNITS + URLS + CODES + ["网站", "新媒体"]))

    base = ["单位名称", "检查对象", "对象类型", "规则编码"]
    extra = st.lists(st.one_of(st.sampled_from(FINDING_HEADERS), text), max_size=3)
    sheet = st.tuples(extra, st.lists(st.tuples(coherent(), st.lists(cells, max_size=3)), max_size=4)).map(
        lambda t: (base + t[0], [[r["unit"], r["target"], r["target_type"], r["code"], *x] for r, x in t[1]]))

    @settings(FUZZ, max_examples=COUNT["findings_xlsx"])
    @given(st.one_of(sheet, _table(FINDING_HEADERS + base * 2, cells)))
    def case(table):
        header, rows = table
        p = _xlsx(tmp_path / "findings.xlsx", [header, *rows])
        items = _clean(lambda: read_findings_file(p, RS, T.sites, T.accounts), p, (FindingsFileError,))
        if items:
            imported.append(len(items))
            _score_imported(items)

    case()
    assert imported, "no generated findings sheet was ever accepted: the generator tests only the gate"


def test_fuzz_counts_add_up_to_thousands():
    total = 3 * (COUNT["roster_csv"] + COUNT["roster_xlsx"]) + COUNT["rules"] + COUNT["findings_json"] \
        + COUNT["findings_xlsx"]
    assert total >= 3000, total
