"""Ruff-style site fixtures: for every website check, a replica site that fails it and one that passes it, in at
least two CMS styles, run through the whole reading chain (crawl → extract → SiteFacts → checks) by
`govcheck.inspect.run.run_inspect`, and the finding as the notice prints it (expected.txt) beside them.

Layout (tests/fixtures/sites/): scenario.yaml + templates.yaml (the sim scenario the sites come from),
base.yaml (the base site, clean under xianning-2022), and per check <CODE>/case.yaml + <CODE>/expected.txt
(more cases of one check: <CODE>~<what>/).
A fail site is the base site with the case's overrides and planted defects; its pass site is the same without
the defects (or the case's own `pass`). Every site is generated with the same seed, so a fail site differs from
its pass site by the planted defect only and all styles draw the same titles: one expected.txt for every style.

Every site is also judged under the national table, gb2019 (NATIONAL), from the same crawl (a round is re-judged
with another rule set without re-crawling): the fail site must give the same findings as under its case's rule
set for every code gb2019 has (an overlay changes only what it says), the pass sites and the base site none.

Set GOVCHECK_UPDATE_SNAPSHOTS=1 to (re)write a missing or changed expected.txt (from the case's first style),
then read it against the rule's wording and the sample notice.
"""
from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import os
import re
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from govcheck.checks import codes_covered
from govcheck.inspect.adapter import SiteBuild
from govcheck.inspect.run import check_site, run_inspect
from govcheck.rules import load_ruleset
from govcheck.score import apply_rules, displaced
from govcheck.sim.scenario import STYLES, Scenario, build_site
from govcheck.sim.testing import region_in_process
from printed import matches_snapshot, printed

# GOVCHECK_SITE_FIXTURES points the harness at another folder of the same layout (trying out new cases)
SITES = Path(os.environ.get("GOVCHECK_SITE_FIXTURES") or Path(__file__).parent / "fixtures" / "sites")
CASE_KEYS = {"code", "about", "rules", "overlays", "styles", "site", "fail", "pass", "codes", "bodies"}
# `bodies`: the case's subordinate-bodies roster rows ({单位名称, 类型}), written with 上级平台网址 = each of the case's
# sites and passed to run_inspect (the 政务公开 platform checks, GK*, judge only sites a roster names)
VARIANT_KEYS = {"site", "defects"}
DEFAULT_RULES = "xianning-2022"
NATIONAL = "gb2019"  # every site is judged under it too
SEED_KEY = "fixture"  # every fixture site is generated from this key (see the module docstring)
BASE = "(base)"  # the base site alone, in every style

# Checks with no site fixture, each with the reason a replica served on 127.0.0.1 cannot show its defect.
UNCOVERABLE: dict[str, str] = {
    "D20.1": "域名规范：夹具网站以 127.0.0.1 访问，没有域名可判断（inspect 对 IP 地址改列需人工核查）",
    "V2": "站点无法访问：由可用性监测服务（一周、每天多次访问）写入网站事实 availability，一次抓取没有监测记录"
          "（inspect 列需人工核查）；判定见 tests/fixtures/checks/V2 与 tests/test_checks_evidence.py",
}


class CaseError(ValueError):
    """A malformed case.yaml; the message names the file and the field."""


@dataclass
class Case:
    code: str
    folder: Path
    doc: dict[str, Any]
    styles: list[str]
    rules: str  # rule-set name
    codes: set[str]
    overlay: Path | None = None  # applied over `rules`
    sites: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (variant, style) -> site spec

    @property
    def group(self) -> str:
        """Cases judged under the same rules share one inspection round."""
        return self.rules if self.overlay is None else f"{self.rules}+{self.overlay}"


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise CaseError(f"{path}: 无法读取：{e}") from None


def case_dirs(every: bool = False) -> list[Path]:
    """Case folders; GOVCHECK_SITE_CASES=D04.2,X01 limits a run to those (for working on a few cases)."""
    only = {c for c in os.environ.get("GOVCHECK_SITE_CASES", "").split(",") if c} if not every else set()
    return sorted(p for p in SITES.iterdir() if (p / "case.yaml").is_file() and (not only or p.name in only))


def load_case(folder: Path, base: dict[str, Any]) -> Case:
    path = folder / "case.yaml"
    doc = _yaml(path)
    if not isinstance(doc, dict):
        raise CaseError(f"{path}: 顶层应为映射")
    unknown = set(doc) - CASE_KEYS
    if unknown:
        raise CaseError(f"{path}: 未知字段 {sorted(unknown)}（可用：{sorted(CASE_KEYS)}）")
    for key in ("code", "styles", "fail", "codes"):
        if key not in doc:
            raise CaseError(f"{path}: 缺少字段 {key}")
    code = str(doc["code"])
    if code != folder.name.split("~")[0]:
        raise CaseError(f"{path}: code {code!r} 与文件夹名 {folder.name!r} 不一致（<编码> 或 <编码>~<说明>）")
    styles = list(doc["styles"])
    if len(set(styles)) < 2 or set(styles) - set(STYLES):
        raise CaseError(f"{path}: styles 应为至少两种不同样式（{', '.join(STYLES)}）：{styles}")
    codes = {str(c) for c in doc["codes"]}
    if code not in codes:
        raise CaseError(f"{path}: codes 应包含 {code}")
    overlays = list(doc.get("overlays") or [])
    if len(overlays) > 1:
        raise CaseError(f"{path}: overlays 至多一个文件")
    rules = str(doc.get("rules") or DEFAULT_RULES)
    overlay = None
    if overlays:
        overlay = (folder / overlays[0]).resolve()
        extends = (_toml(overlay).get("ruleset") or {}).get("extends")
        if extends not in (None, rules):
            raise CaseError(f"{path}: overlays[0] {overlays[0]} 的 extends 为 {extends!r}，应为 {rules!r}")
    case = Case(code=code, folder=folder, doc=doc, styles=styles, rules=rules, codes=codes, overlay=overlay)
    shared = _mapping(doc.get("site"), path, "site")
    for variant in ("fail", "pass"):
        vdoc = doc.get(variant)
        if vdoc is None:
            vdoc = {}
        if not isinstance(vdoc, dict) or set(vdoc) - VARIANT_KEYS:
            raise CaseError(f"{path}: {variant} 应为含 site/defects 的映射")
        over = _mapping(vdoc.get("site"), path, f"{variant}.site")
        defects = vdoc.get("defects") or []
        if not isinstance(defects, list):
            raise CaseError(f"{path}: {variant}.defects 应为列表")
        if variant == "fail" and not defects and not over:
            raise CaseError(f"{path}: fail 既无 defects 也无 site 覆盖，与通过站点相同")
        for style in styles:
            spec = copy.deepcopy(base)
            spec.update(copy.deepcopy(shared))
            spec.setdefault("unit", spec.get("name"))  # the roster's unit: a variant may rename the site only
            spec.update(copy.deepcopy(over))
            spec["style"] = style
            spec["defects"] = copy.deepcopy(defects)
            case.sites[(variant, style)] = spec
    return case


def _mapping(value: Any, path: Path, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CaseError(f"{path}: {where} 应为映射")
    if {"key", "style", "defects"} & set(value):
        raise CaseError(f"{path}: {where} 不能设置 key/style/defects（样式见 styles，缺陷见 defects）")
    return value


def _toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise CaseError(f"{path}: 无法读取叠加规则：{e}") from None


def _rules_arg(case: Case, dest: Path) -> str:
    """What run_inspect gets (one rule-set name or file): the overlay itself when it names its base, else a
    copy of it that does."""
    if case.overlay is None:
        return case.rules
    text = case.overlay.read_text(encoding="utf-8")
    if (_toml(case.overlay).get("ruleset") or {}).get("extends"):
        return str(case.overlay)
    line = f"extends = {json.dumps(case.rules)}"
    if re.search(r"(?m)^\[ruleset\]\s*$", text):
        text = re.sub(r"(?m)^\[ruleset\]\s*$", "[ruleset]\n" + line, text, count=1)
    else:
        text = f"[ruleset]\n{line}\n\n" + text
    dest.write_text(text, encoding="utf-8")
    return str(dest)


def _ids() -> list[tuple[str, str, str]]:
    """(case, variant, style) for parametrizing, read without validating (the fixture reports bad cases)."""
    out = []
    for folder in case_dirs():
        try:
            doc = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8")) or {}
            styles = list(doc.get("styles") or ["?"])
        except (OSError, yaml.YAMLError, TypeError, AttributeError):
            styles = ["?"]
        for variant in ("fail", "pass"):
            for style in styles:
                out.append((folder.name, variant, str(style)))
    return out


@dataclass
class Outcome:
    url: str
    findings: list
    anomalies: list
    manual: list
    error: str | None
    pages: int
    national: list = field(default_factory=list)  # the findings under gb2019, judged from the same facts


@dataclass
class Region:
    cases: dict[str, Case]
    outcomes: dict[tuple[str, str, str], Outcome]  # (case, variant, style)
    rulesets: dict[str, Any]
    errors: dict[str, str]  # case -> CaseError message
    seconds: float


def _spec_key(rules: str, spec: dict[str, Any]) -> str:
    def canon(v: Any) -> Any:  # YAML may give non-string keys (on: → True)
        if isinstance(v, dict):
            return sorted((repr(k), canon(x)) for k, x in v.items())
        if isinstance(v, list):
            return [canon(x) for x in v]
        return v
    return json.dumps([rules, canon(spec)], ensure_ascii=False, default=str)


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> Region:
    t_start = time.perf_counter()
    raw = _yaml(SITES / "scenario.yaml")
    templates = _yaml(SITES / "templates.yaml")
    base = _yaml(SITES / "base.yaml")
    t0 = raw["time_point"] if isinstance(raw["time_point"], dt.date) else dt.date.fromisoformat(raw["time_point"])
    cases: dict[str, Case] = {}
    errors: dict[str, str] = {}
    for folder in case_dirs():
        try:
            cases[folder.name] = load_case(folder, base)
        except CaseError as e:
            errors[folder.name] = str(e)

    # the base site itself in every style (shared with the cases' pass sites that are the base site)
    plain = Case(code=BASE, folder=SITES, doc={}, styles=list(STYLES), rules=DEFAULT_RULES, codes=set())
    for style in STYLES:
        plain.sites[("pass", style)] = {**copy.deepcopy(base), "unit": base.get("unit", base.get("name")),
                                        "style": style, "defects": []}
    cases[BASE] = plain

    # one served site per distinct (rules, spec): pass sites that are the same site are shared
    tmp = tmp_path_factory.mktemp("check-sites")
    scen_dir = tmp / "scenario"
    (scen_dir / "sites").mkdir(parents=True)
    for name in ("scenario.yaml", "templates.yaml"):
        (scen_dir / name).write_text((SITES / name).read_text(encoding="utf-8"), encoding="utf-8")
    served: dict[str, int] = {}  # spec key -> index into sim_sites
    site_rules: list[str] = []
    sim_sites = []
    where: dict[tuple[str, str, str], int] = {}
    for name, case in cases.items():
        for (variant, style), spec in case.sites.items():
            k = _spec_key(case.group, spec)
            if k not in served:
                file_key = f"{name}-{variant}-{style}"
                src = scen_dir / "sites" / f"{file_key}.yaml"
                # the file is a valid scenario site (own key); it is served with the common seed key
                src.write_text(yaml.safe_dump({"key": file_key, **spec}, allow_unicode=True, sort_keys=False),
                               encoding="utf-8")
                try:
                    build_site({**spec, "key": SEED_KEY}, raw, templates, t0, src, order=0)  # a bad case fails here
                    sim_sites.append((spec, src))
                except ValueError as e:  # ScenarioError names the file and the field
                    errors.setdefault(name, f"{case.folder / 'case.yaml'}: {variant}/{style}: {e}")
                    continue
                served[k] = len(sim_sites) - 1
                site_rules.append(case.group)
            where[(name, variant, style)] = served[k]
    groups = {c.group: c for c in cases.values()}
    for name in errors:
        cases.pop(name, None)
    where = {k: v for k, v in where.items() if k[0] in cases}

    scen_args = (raw, templates, t0, sim_sites, scen_dir)
    outcomes_by_site: dict[int, Outcome] = {}
    rulesets: dict[str, Any] = {}
    # served from a spawned child: rendering pages does not compete with the crawler for this process's GIL
    with region_in_process(fixture_scenario, tmp / "sites-all.csv", args=scen_args, feeds=False) as served:
        served_sites = served.sites
        with (tmp / "sites-all.csv").open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        site_bodies: dict[int, list] = {}
        for (name, _variant, _style), i in where.items():
            if cases[name].doc.get("bodies"):
                site_bodies[i] = list(cases[name].doc["bodies"])
        url_col = rows[0].index("首页网址")
        for gi, group in enumerate(sorted(set(site_rules))):
            idx = [i for i, r in enumerate(site_rules) if r == group]
            rules = _rules_arg(groups[group], tmp / f"rules-{gi}.toml")
            roster = tmp / f"sites-{gi}.csv"
            with roster.open("w", encoding="utf-8-sig", newline="") as f:
                csv.writer(f).writerows([rows[0]] + [rows[1 + i] for i in idx])
            bodies = None
            if any(i in site_bodies for i in idx):
                bodies = tmp / f"bodies-{gi}.csv"
                with bodies.open("w", encoding="utf-8-sig", newline="") as f:
                    csv.writer(f).writerows([["上级平台网址", "单位名称", "类型"]] + [
                        [rows[1 + i][url_col], b["单位名称"], b["类型"]] for i in idx for b in site_bodies.get(i, [])])
            res = run_inspect(roster, tmp / f"round-{gi}", at=t0, rules=rules, seed=int(raw["seed"]), delay=0.0,
                              concurrency=8, progress=False, external=False, workers=2, allow=served.allow,
                              bodies=bodies)
            rulesets[group] = load_ruleset(rules)
            print(f"check-sites round {gi} ({group}): {len(idx)} sites, {sum(o.pages for o in res.sites)} pages, "
                  + ", ".join(f"{k} {v:.1f}s" for k, v in res.timings.items()), file=sys.stderr)
            assert len(res.sites) == len(idx)
            national = load_ruleset(NATIONAL)
            rulesets[NATIONAL] = national
            for i, o in zip(idx, res.sites):
                assert o.site.url.rstrip("/") == served_sites[i]["url"].rstrip("/"), (o.site.url, served_sites[i])
                again = check_site(o.site, SiteBuild(facts=o.facts, pages=o.pages), national, t0, int(raw["seed"]))
                outcomes_by_site[i] = Outcome(url=o.site.url, findings=o.findings, anomalies=o.anomalies,
                                              manual=o.manual, error=o.error, pages=o.pages, national=again.findings)
    outcomes = {k: outcomes_by_site[i] for k, i in where.items()}
    return Region(cases=cases, outcomes=outcomes, rulesets=rulesets, errors=errors,
                  seconds=time.perf_counter() - t_start)


def fixture_scenario(raw: dict, templates: dict, t0: dt.date, entries: list[tuple[dict, Path]], root: Path) -> Scenario:
    """The served region: every site built with the common seed key (order 0: the same column ids too)."""
    sites = [build_site({**spec, "key": SEED_KEY}, raw, templates, t0, src, order=0) for spec, src in entries]
    return Scenario(name=str(raw["name"]), title=str(raw.get("title", raw["name"])), time_point=t0,
                    seed=int(raw["seed"]), city=str(raw.get("city", "")), sites=sites, root=root,
                    accounts_dir=None, raw=raw)


def _get(region: Region, case: str, variant: str, style: str) -> tuple[Case, Outcome]:
    if case in region.errors:
        pytest.fail(region.errors[case])
    c = region.cases[case]
    o = region.outcomes[(case, variant, style)]
    assert o.error is None and o.pages > 0, f"{case} {variant} {style}: {o.url} 读取出错：{o.error}"
    assert not [m for m in o.manual if "出错" in m.what], [(m.code, m.what) for m in o.manual]
    return c, o


def _dump(findings) -> list:
    return [(f.code, f.text, [{k: v for k, v in e.to_dict().items() if k not in ("archive", "fetched_at")}
                              for e in f.evidence]) for f in findings]


def _same(findings) -> list:
    """What a finding says, whatever rule set prints it: code, params, evidence."""
    return sorted(json.dumps([f.code, f.params, [e.to_dict() for e in f.evidence]], ensure_ascii=False, sort_keys=True)
                  for f in findings)


def _counted(findings, rs) -> list:
    """The findings scoring counts (emitted findings a column penalised once displaces do not)."""
    fs = apply_rules(findings, rs)
    gone = displaced(fs, rs)
    return [f for i, f in enumerate(fs) if i not in gone]


@pytest.mark.parametrize("case,variant,style", _ids())
def test_site_fixture(region, case, variant, style):
    c, o = _get(region, case, variant, style)
    if variant == "pass":
        assert o.findings == [], _dump(o.findings)
        assert o.anomalies == [], _dump(o.anomalies)
        assert o.national == [], _dump(o.national)
        return
    codes = {f.code for f in _counted(o.findings, region.rulesets[c.group])}
    held = [(m.code, m.what) for m in o.manual if m.held]  # findings short of their evidence standard
    assert c.code in codes, f"{case} ({style}): 未发现 {c.code}，发现 {sorted(codes)}：{_dump(o.findings)}；转人工：{held}"
    assert codes <= c.codes, f"{case} ({style}): 多出 {sorted(codes - c.codes)}：{_dump(o.findings)}"
    got = printed(o.findings, region.rulesets[c.group], c.sites[(variant, style)].get("kind"))
    assert matches_snapshot(c.folder / "expected.txt", got, update=style == c.styles[0]), f"{case} ({style})"
    # under the national table: the same findings for every code it has, printed without a stray placeholder
    gb = region.rulesets[NATIONAL]
    assert _same(o.national) == _same([f for f in o.findings if f.code in gb.rules]), f"{case} ({style}) gb2019"
    if c.code in gb.rules:
        assert c.code in {f.code for f in _counted(o.national, gb)}, f"{case} ({style}): gb2019 未发现 {c.code}"
    text = printed(o.national, gb, c.sites[(variant, style)].get("kind"))
    assert "{" not in text, text


@pytest.mark.parametrize("style", STYLES)
def test_base_site_is_clean(region, style):
    """The base site every case starts from has no finding at all under xianning-2022, in every style."""
    _, o = _get(region, BASE, "pass", style)
    assert o.findings == [], _dump(o.findings)
    assert o.anomalies == [], _dump(o.anomalies)
    assert o.national == [], _dump(o.national)


def test_every_automated_code_has_a_site_fixture():
    have = {p.name.split("~")[0] for p in case_dirs(every=True)}
    assert not set(UNCOVERABLE) & have, "a code with a fixture is not uncoverable"
    assert set(UNCOVERABLE) <= codes_covered(), sorted(set(UNCOVERABLE) - codes_covered())
    missing = codes_covered() - have - set(UNCOVERABLE)
    assert not missing, sorted(missing)


def test_cases_are_well_formed(region):
    assert not region.errors, "\n".join(region.errors.values())
