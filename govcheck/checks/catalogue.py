"""docs/rules.md: the rule catalogue, generated from the shipped rule sets, the rule registry (registry.yaml and
the registered implementations) and the fixtures on disk, so the document says exactly what the code does (a
test compares the committed file with this output). Every code of every shipped rule set has a section: its
wording in each rule set (numbers filled from the params), points, whether it is checked automatically and by
which function, its params with defaults, what else it reads, its evidence standard and what goes to 需人工核查
instead, and its fixtures with the printed finding."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from govcheck.paths import REPO_DIR
from govcheck.rules import RuleSet, fmt_points

from .base import data
from .registry import RuleEntry, account_checks, entries, site_checks

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "catalogue.yaml"
FIXTURES = REPO_DIR / "tests" / "fixtures"
# replica-site fixtures (tests/test_checks_sites.py): <CODE>/case.yaml and the printed finding, expected.txt
SITE_FIXTURES = FIXTURES / "sites"
FACT_FIXTURES = FIXTURES / "checks"  # SiteFacts fixtures (tests/test_checks_fixtures.py): fail.yaml / pass.yaml
ACCOUNT_FIXTURES = FIXTURES / "accounts"  # account fixtures (tests/test_newmedia_fixtures.py)


@lru_cache(maxsize=None)
def catalogue_data() -> dict:
    with CATALOGUE_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def _what(name: str, doc: str) -> str:
    return (catalogue_data().get("what") or {}).get(name) or doc


def implementation_lines(code: str) -> tuple[list[str], list[str]]:
    """(qualified function names, what each does) of the code's implementations."""
    names, what = [], []
    for name, ch in site_checks().items():
        if code in ch.codes:
            names.append(f"govcheck.checks.{name}")
            what.append(_what(name, ch.doc))
    for name, ch in account_checks().items():
        if code in ch.codes:
            names.append(f"govcheck.newmedia.checks.{name}")
            what.append(_what(f"newmedia.{name}", ch.doc))
    return names, what


def _cases(root: Path, code: str) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p.name == code or p.name.startswith(code + "~")))


def site_fixtures(code: str, root: Path = SITE_FIXTURES) -> list[tuple[str, dict, str | None]]:
    """The code's site-fixture cases in the checkout (<CODE>/ and <CODE>~<what>/): folder name, case.yaml,
    and the fail site's printed finding (expected.txt)."""
    out = []
    for d in _cases(root, code):
        case = d / "case.yaml"
        if not case.is_file():
            continue
        doc = yaml.safe_load(case.read_text(encoding="utf-8")) or {}
        exp = d / "expected.txt"
        out.append((d.name, doc, exp.read_text(encoding="utf-8") if exp.is_file() else None))
    return out


def _printed(expected: str, lead: str) -> list[str]:
    out = [f"  {lead}", "", "  ```text"]
    out += [("  " + ln).rstrip() for ln in expected.rstrip("\n").split("\n")]
    return out + ["  ```", ""]


def _fixture_lines(code: str) -> list[str]:
    out = []
    d = FACT_FIXTURES / code
    if (d / "fail.yaml").is_file():
        rel = d.relative_to(REPO_DIR).as_posix()
        doc = yaml.safe_load((d / "fail.yaml").read_text(encoding="utf-8")) or {}
        about = f"{doc['about']}；" if doc.get("about") else ""
        out.append(f"- 示例事实：`{rel}/`（{about}fail.yaml 不通过、pass.yaml 通过，{doc.get('ruleset', '')}）")
    rel = SITE_FIXTURES.relative_to(REPO_DIR).as_posix()
    for name, doc, expected in site_fixtures(code):
        styles = "、".join(str(s) for s in doc.get("styles") or [])
        about = f"{doc['about']}；" if doc.get("about") else ""
        out.append(f"- 示例网站：`{rel}/{name}/`（{about}样式 {styles}；另有一个通过的同款网站；"
                   f"另在 gb2019 下检查）")
        if expected:
            out += _printed(expected, f"通报打印（不通过的示例网站，{doc.get('rules') or 'xianning-2022'}）：")
    rel = ACCOUNT_FIXTURES.relative_to(REPO_DIR).as_posix()
    for d in _cases(ACCOUNT_FIXTURES, code):
        if not (d / "case.yaml").is_file():
            continue
        doc = yaml.safe_load((d / "case.yaml").read_text(encoding="utf-8")) or {}
        about = f"{doc['about']}；" if doc.get("about") else ""
        out.append(f"- 示例账号：`{rel}/{d.name}/`（{about}另有一个通过的同款账号）")
        exp = d / "expected.txt"
        if exp.is_file():
            out += _printed(exp.read_text(encoding="utf-8"), f"附件2 打印（不通过的示例账号，{doc.get('rules') or 'xianning-2022'}）：")
    return out[:-1] if out and out[-1] == "" else out


def _fmt_value(v) -> str:
    if v is None:
        return "无（不限）"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (list, tuple)):
        return "、".join(map(str, v))
    return str(v)


def _per_ruleset(values: list[tuple[str, str]]) -> str:
    """One value, or each rule set's value when they differ."""
    distinct = list(dict.fromkeys(v for _, v in values))
    if len(distinct) == 1:
        return distinct[0]
    return "；".join(f"{name}：{v}" for name, v in values)


def _points(rs: RuleSet, code: str) -> str:
    rule = rs.rule(code)
    if rule.veto:
        return "一票否决" if rule.target != "account" else "不合格（一票否决）"
    if rule.marker:
        return "标注（不计分）"
    if rule.advisory or not rule.scored or rule.target == "account":
        return "不计分（列出，需人工核查）" if rule.target == "account" else "不计分（通报中列出）"
    ind = rs.indicators[rule.indicator]
    cap = f"，指标上限 {fmt_points(ind.cap)} 分" if ind.cap is not None else ""
    word = "加" if rule.bonus else "扣"
    return f"{word} {fmt_points(rule.points)} 分{cap}"


def _params(code: str, e: RuleEntry | None, sets: list[RuleSet]) -> list[str]:
    keys: dict[str, list[tuple[str, str]]] = {}
    for rs in sets:
        if code not in rs.rules:
            continue
        own = rs.rule(code).params
        for k in sorted(set(own) | set(e.params if e else {})):
            v = _fmt_value(own[k]) if k in own else f"{_fmt_value(e.params[k])}（默认值）"
            keys.setdefault(k, []).append((rs.name, v))
    return [f"`{k}` = {_per_ruleset(v)}" for k, v in keys.items()]


def render_catalogue(sets: list[RuleSet]) -> str:
    """docs/rules.md over the given rule sets (the shipped ones: every code of each, in rule-set order)."""
    reg = entries()
    cat = catalogue_data()
    why = cat.get("why") or {}
    req_text = cat.get("requires") or {}
    names = "、".join(f"{rs.name} {rs.version}" for rs in sets)
    lines = [
        "# 检查规则目录",
        "",
        f"本文件由 `govcheck checks catalogue` 生成，请勿手工修改（规则集：{names}）。内置规则集的每一个编码都在此列出，"
        "或为自动检查，或为需人工核查的事项；测试逐一核对（`tests/test_checks_catalogue.py`）。"
        "每条规则：通报原文（其中的期限、数量由规则参数填入）、分值、方式与实现、检查内容、为何重要、参数及默认值、"
        "另读取的数据、证据标准（扣分前必须具备的证据）及其机器核验项（不满足的一律转为需人工核查，并写明原因）、"
        "示例（事实文件、仿真网站、账号各一对：一个不通过、一个通过）。规则登记见 "
        "`govcheck/checks/data/registry.yaml`。",
        "",
    ]
    order: list[str] = []
    for rs in sets:
        order += [c for c in rs.rules if c not in order]
    anomaly = data()["anomaly_code"]
    if anomaly not in order:
        order.append(anomaly)
    for code in order:
        e = reg.get(code)
        have = [rs for rs in sets if code in rs.rules]
        first = have[0] if have else None
        if first is not None:
            rule = first.rule(code)
            ind = first.indicators[rule.indicator]
            lines.append(f"## {code} {ind.name}（{ind.group}）")
        else:
            lines.append(f"## {code} 日期异常（提议编码，内置规则集尚无）")
        lines.append("")
        if have:
            lines.append("- 通报原文：" + _per_ruleset([(rs.name, rs.rule(code).render({})) for rs in have]))
            lines.append("- 分值：" + _per_ruleset([(rs.name, _points(rs, code)) for rs in have]))
            missing = [rs.name for rs in sets if code not in rs.rules]
            if missing:
                lines.append(f"- 规则集：{'、'.join(rs.name for rs in have)}（{'、'.join(missing)} 无此规则）")
        else:
            lines.append("- 分值：不计分、不打印；作为 CheckResult.anomalies 单独返回（规则集加入此编码后计入）")
        impl, what = implementation_lines(code)
        if e is not None and not e.automatic:
            lines.append("- 方式：需人工核查")
            lines.append(f"- 人工核查要点：{e.manual}")
        elif impl:
            lines.append("- 方式：自动检查（" + "、".join(f"`{n}`" for n in impl) + "）")
            for w in what:
                lines.append(f"- 检查内容：{w}")
        else:
            lines.append("- 方式：未登记（测试会失败）")
        ind_code = first.rule(code).indicator if first is not None else code
        if why.get(ind_code):
            lines.append(f"- 为何重要：{why[ind_code]}")
        params = _params(code, e, sets)
        if params:
            lines.append("- 参数：" + "；".join(params))
        if e is not None and e.reads:
            lines.append("- 另读取：" + "；".join(f"`{k}`：{v}" for k, v in e.reads.items()))
        if e is not None and e.automatic:
            if e.evidence:
                lines.append(f"- 证据标准：{e.evidence}")
            if e.requires:
                lines.append("- 机器核验（不满足即转需人工核查，写明原因）：" + "；".join(
                    f"`{r}`（{req_text.get(r, r)}）" for r in e.requires))
            if e.otherwise:
                lines.append("- 转需人工核查：" + "；".join(e.otherwise))
        lines += _fixture_lines(code)
        lines.append("")
    cycles = "；".join(f"{rs.name}：" + "、".join(f"{k} {v}天" for k, v in rs.column_cycles.items()) for rs in sets
                      if rs.column_cycles)
    distinct = {tuple(rs.column_cycles.items()) for rs in sets}
    if len(distinct) == 1 and sets:
        cycles = "、".join(f"{k} {v}天" for k, v in sets[0].column_cycles.items())
    lines += ["## 其他栏目更新周期（column_cycles）", "", cycles, ""]
    return "\n".join(lines)


def shipped() -> list[RuleSet]:
    from .registry import shipped_rulesets

    return list(shipped_rulesets().values())
