"""docs/rules.md: the rule catalogue, generated from the rule set, the check registry and checks.yaml,
so the document says exactly what the code does (a test compares the committed file with this output)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from govcheck.paths import REPO_DIR
from govcheck.rules import RuleSet, fmt_points

from .base import REGISTRY, data

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "catalogue.yaml"
# replica-site fixtures (tests/test_checks_sites.py): <CODE>/case.yaml and the printed finding, expected.txt
SITE_FIXTURES = REPO_DIR / "tests" / "fixtures" / "sites"


@lru_cache(maxsize=None)
def catalogue_data() -> dict:
    with CATALOGUE_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def _why() -> dict[str, str]:
    return catalogue_data().get("why", {})


def _checks_for(code: str):
    return [c for c in REGISTRY.values() if code in c.codes]


def _params(rs: RuleSet, code: str) -> dict:
    out = dict(rs.rule(code).params)
    for k, v in ((data().get("defaults") or {}).get(code) or {}).items():
        out.setdefault(k, f"{v}（checks.yaml 默认值）")
    return out


def site_fixtures(code: str, root: Path = SITE_FIXTURES) -> list[tuple[str, dict, str | None]]:
    """The code's site-fixture cases in the checkout (<CODE>/ and <CODE>~<what>/): folder name, case.yaml,
    and the fail site's printed finding (expected.txt)."""
    if not root.is_dir():
        return []
    out = []
    for d in sorted(p for p in root.iterdir() if p.name == code or p.name.startswith(code + "~")):
        case = d / "case.yaml"
        if not case.is_file():
            continue
        doc = yaml.safe_load(case.read_text(encoding="utf-8")) or {}
        exp = d / "expected.txt"
        out.append((d.name, doc, exp.read_text(encoding="utf-8") if exp.is_file() else None))
    return out


def _fixture_lines(code: str) -> list[str]:
    rel = SITE_FIXTURES.relative_to(REPO_DIR).as_posix()
    out = []
    for name, doc, expected in site_fixtures(code):
        styles = "、".join(str(s) for s in doc.get("styles") or [])
        about = f"{doc['about']}；" if doc.get("about") else ""
        out.append(f"- 示例网站：`{rel}/{name}/`（{about}样式 {styles}；另有一个通过的同款网站）")
        if expected:
            rules = doc.get("rules") or "xianning-2022"
            out += [f"  通报打印（不通过的示例网站，{rules}）：", "", "  ```text"]
            out += [("  " + ln).rstrip() for ln in expected.rstrip("\n").split("\n")]
            out += ["  ```", ""]
    return out[:-1] if out and out[-1] == "" else out


def render_catalogue(rs: RuleSet) -> str:
    lines = [
        f"# 网站检查规则目录（{rs.name} {rs.version}）",
        "",
        "本文件由 `govcheck checks catalogue --rules " + rs.name + "` 生成，请勿手工修改。"
        "每条规则：编码、检查内容、为何重要、通报原文、所用参数、自动检查或需人工核查。"
        "示例网站（仿真站点，一个不通过、一个通过，至少两种建站样式，经完整的抓取、抽取、检查流程）及通报打印结果"
        "见 `tests/fixtures/sites/<编码>/`；只含网站事实的示例见 `tests/fixtures/checks/<编码>/`。",
        "",
    ]
    why = _why()
    for code, rule in rs.rules.items():
        if rule.target == "account" or rule.marker:
            continue
        ind = rs.indicators[rule.indicator]
        checks = _checks_for(code)
        elsewhere = (catalogue_data().get("elsewhere") or {}).get(code)
        if checks:
            mode = "自动检查（" + "、".join(f"`{c.name}`" for c in checks) + "）"
        elif elsewhere:
            mode = elsewhere
        elif rule.bonus:
            mode = "加分项，暂未自动检查"
        elif rule.manual or code in (data().get("manual") or {}):
            mode = "需人工核查"
        else:
            mode = "暂未自动检查（需人工核查）"
        lines.append(f"## {code} {ind.name}（{ind.group}）")
        lines.append("")
        lines.append(f"- 通报原文：{rule.render({})}")
        if rule.veto:
            lines.append("- 分值：一票否决")
        elif rule.advisory or not rule.scored:
            lines.append("- 分值：不计分（通报中列出）")
        else:
            cap = f"，指标上限 {fmt_points(ind.cap)} 分" if ind.cap is not None else ""
            lines.append(f"- 分值：{fmt_points(rule.points)} 分{cap}")
        lines.append(f"- 方式：{mode}")
        if checks:
            what = catalogue_data().get("what") or {}
            for c in checks:
                lines.append(f"- 检查内容：{what.get(c.name) or c.doc}")
        manual = (data().get("manual") or {}).get(code)
        if manual:
            lines.append(f"- 人工核查要点：{manual}")
        if why.get(rule.indicator):
            lines.append(f"- 为何重要：{why[rule.indicator]}")
        params = _params(rs, code)
        if params:
            lines.append("- 参数：" + "；".join(f"`{k}` = {v}" for k, v in sorted(params.items())))
        lines += _fixture_lines(code)
        lines.append("")
    cycles = "、".join(f"{k} {v}天" for k, v in rs.column_cycles.items())
    lines += ["## 其他栏目更新周期（column_cycles）", "", cycles, ""]
    anomaly = data()["anomaly_code"]
    if anomaly not in rs.rules:
        lines += [f"## {anomaly} 日期异常（提议）", "",
                  "- 检查内容：栏目或首页信息的发布日期晚于监测时间点。此类日期不计为更新；"
                  "规则集尚无此编码时，作为 CheckResult.anomalies 单独返回，不计分、不打印。",
                  f"- 为何重要：{why.get(anomaly, '')}", ""]
    return "\n".join(lines)
