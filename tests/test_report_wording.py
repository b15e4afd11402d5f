"""The notice's 主要问题 names only what was found.

Every part of every problem kind of the notice template is rendered with each finding family of the
shipped rule sets: one rule at a time (each D21 element, each V1.5 case, each registration system on its
own), then random mixes. The words that name each rule's element are listed HERE, by hand, from the rule
wording (they are the test's own oracle, not read from the template): a sentence may contain a rule's
words only when a finding of that rule is behind it, and must contain them when there is. A catch-all
("域名名称、网站标识、页面标签或…") or a hedge ("备案名称或备案状态") fails it.
"""
from __future__ import annotations

import random
import re

import pytest

from govcheck.model import Account, Evidence, Finding, Site
from govcheck.notice import RoundView, book_title, build_notice, load_template
from govcheck.rules import builtin_names, load_ruleset
from govcheck.score import apply_rules, score_round

# rule → the words that name its element; the first group any-of must appear, none of another rule's may.
NAMES: dict[str, tuple[str, ...]] = {
    "V1.1": ("严重表述错误",), "V1.2": ("泄露国家秘密",), "V1.3": ("违法违规内容",), "V1.4": ("安全攻击",),
    "V1.6": ("负面舆情",), "V2": ("无法访问",), "V1.5": ("弄虚作假",),
    "V3": ("首页监测时间点前",), "V4.1": ("未按时更新",), "V4.2": ("长期未更新",), "V4.3": ("空白栏目达",),
    "D04.2": ("动态要闻类栏目监测",), "D05.2": ("政策文件类一级栏目",), "X02": ("政策文件类一级栏目",),
    "D06.2": ("政策解读类一级栏目",), "D18.3": ("留言公开栏目",), "D09.2": ("应更新未更新",),
    "D09.1": ("部分栏目空白",), "D01.1": ("未开设概况信息",), "D03.1": ("未开设领导信息",),
    "D04.1": ("未开设动态要闻",), "D05.1": ("未开设政策文件",), "D06.1": ("未开设政策解读",),
    "D02.1": ("未开设机构职能",), "D02.2": ("机构职能公布要素不全", "机构职能信息不准确"),
    "D03.2": ("领导信息不完整", "领导信息不准确"), "D01.2": ("概况信息有误", "概况信息不准确"),
    "D07": ("解读比例",), "D08": ("相互关联",), "X01": ("反馈结果",), "X03.1": ("公开不及时",), "X03.2": ("雷同",),
    "D20.1": ("域名",), "D20.2": ("命名",), "D20.3": ("头部",), "D21": ("页面底部未列明",),
    "D23.1": ("首页底部未规范添加",), "D23.2": ("部分页面未添加",), "D27.1": ("内容页面",), "D27.2": ("栏目页面",),
    "D22.1": ("首页存在",), "D22.2": ("其他页面存在",),
    "V5.1": ("在线咨询渠道",), "V5.2": ("未回应",), "D16": ("提交信息",), "D17": ("统一注册登录",),
    "D18.1": ("未公开网民留言",), "D18.2": ("已公开的网民留言",), "D18.4": ("留言受理反馈情况统计数据",),
    "D19.1": ("5个工作日",), "D19.2": ("对模拟咨询答复质量",), "D24.1": ("3个工作日未答复",),
    "D24.2": ("找错”留言答复",),  # the fixed name “我为政府网站找错” is kept by _without_quoted
    "V6.1": ("未提供办事服务",), "V6.2": ("办事指南要素严重缺失",), "V6.3": ("办事指南要素严重缺失",),
    "D10": ("集中分类展示",), "D11.1": ("用户注册功能",), "D11.2": ("在线办事",), "D12.1": ("未公开办事统计数据",),
    "D12.2": ("办事统计数据1个月内",), "D12.3": ("办事统计数据3个月内",), "D13.1": ("无办事指南",),
    "D13.2": ("办事指南要素缺失",), "D13.3": ("材料格式",), "D13.4": ("含糊不清",), "D13.5": ("仅有名称",),
    "D14": ("与实际办事要求不符",), "D15": ("规范表格",),
    "D25.1": ("未提供站内搜索", "站内搜索不可用", "站内搜索功能不可用"), "D25.2": ("结果第一页找不到",),
    "D25.3": ("分类展现",), "D26": ("一号登录",), "D28": ("浏览器",), "D29": ("IPv6",),
    "M1": ("严重表述错误",), "M2.2": ("从未更新",), "M2.1": ("政务新媒体监测时间点前",),
    "MH2": ("备案名称",), "MH3": ("备案状态",), "MH1.1": ("全国和湖北省",), "MH1.2": ("未在湖北省",),
    "M3": ("互动功能",),
}

# Findings as a check would give them: params and evidence notes of the real checks (checks.yaml notes).
D21_ELEMENTS = ["党政机关网站标识", "网站标识码", "ICP备案编号", "公安机关备案标识", "网站主办单位", "联系方式"]
PARAMS: dict[str, list[dict]] = {
    "V1.5": [{"fraud": "fraud_start_years", "start": "2000-03-30", "end": "2000-04-30"},
             {"fraud": "fraud_start_before_pub", "start": "2021-01-05", "end": "2021-02-05"},
             {"fraud": "fraud_same_day", "start": "2022-03-09", "end": "2022-03-09"},
             {"fraud": "fraud_end_before_start", "start": "2022-03-09", "end": "2022-02-01"},
             {"fraud": "fraud_pub_after_end", "start": "2022-01-01", "end": "2022-01-31"}, {}],
    "D21": [{"element": e} for e in D21_ELEMENTS],
    "M2.1": [{"last_update": "2022.1.25", "last_update_cn": "2022年1月25日"}],
    "MH1.1": [{"systems": ["全国", "湖北省"]}],
    "MH1.2": [{"system": "湖北省"}],
    "MH2": [{"registered_name": "某某备案名", "system": "全国"}],
    "MH3": [{"detail": "备案系统显示已注销"}],
    "X03.1": [{"deadline": "2022年1月31日"}],
    "X03.2": [{"years": "2020年和2021年"}],
}
NOTES = {
    "D02.2": ["负责人姓名缺失", "未标明办公时间"], "D03.2": ["简历缺失"], "D22.1": ["链接打不开"],
    "D22.2": ["链接错误"], "V5.1": ["未提供在线咨询渠道"], "D25.1": ["站内搜索不可用"],
    "D18.2": ["未公开答复时间"], "D20.1": ["域名127.0.0.1"], "D27.1": ["缺少PubDate"], "D27.2": ["缺少ColumnName"],
    "V4.1": ["通知公告", "政策文件"], "V4.2": ["工作动态"], "V4.3": ["专题"],
}
SITE = Site(region="市直", unit="市甲局", name="市甲局网站", url="http://jia.example.gov.cn/")
SITE2 = Site(region="市直", unit="市乙局", name="市乙局网站", url="http://yi.example.gov.cn/")
ACCOUNT = Account(region="市直", name="甲局发布", unit="市甲局", type="微信订阅号")
ACCOUNT2 = Account(region="市直", name="乙局发布", unit="市乙局", type="微信服务号")


def _template():
    return load_template("default")


def _parts():
    for kind in _template()["problems"]["kind"]:
        for part in kind["parts"]:
            yield kind, part


def _finding(rs, code: str, params: dict, target) -> Finding:
    """A finding as its check would make it; each rule's column path is its own, so no finding is displaced
    by another (double deduction is scoring's decision, tested with it)."""
    rule = rs.rule(code)
    notes = NOTES.get(code, [None])
    ev = [Evidence(url=getattr(target, "url", None) or "http://jia.example.gov.cn/a.html", note=n,
                   title="关于征求《某某办法》意见的公告" if code in ("V1.5", "X03.2") else None,
                   date="2022-03-30", path=f"首页>{code}栏目" if code.startswith(("D0", "V4", "X02", "D18")) else None)
          for n in notes]
    if rule.target == "account":
        return Finding(unit=target.unit, target=target.name, target_type="account", account_type=target.type,
                       code=code, params=dict(params), evidence=ev)
    return Finding(unit=target.unit, target=target.url, target_type="site", code=code, params=dict(params),
                   evidence=ev)


def _problems(rs, findings: list[Finding]) -> str:
    findings = apply_rules(findings, rs)
    sites, accounts = [SITE, SITE2], [ACCOUNT, ACCOUNT2]
    scores = score_round(sites, accounts, findings, rs)
    view = RoundView(meta={"name": "测试", "notice": {"title": "关于测试的通报", "issuer": "某办"}}, rs=rs,
                     sites=sites, accounts=accounts, findings=findings, scores=scores)
    text = "\n".join(p.text for p in build_notice(view).body)
    i, j = text.index("二、主要问题"), text.index("三、")
    return text[i:j]


def _cases():
    """(rule set, code, params) for every rule of every shipped rule set that a part names."""
    for name in builtin_names():
        rs = load_ruleset(name)
        codes = {c for _, part in _parts() for c in part["codes"]}
        for code in sorted(codes & set(rs.rules)):
            for params in PARAMS.get(code, [{}]):
                yield pytest.param(name, code, params, id=f"{name}-{code}-{'-'.join(map(str, params.values()))}")


def _without_quoted(text: str) -> str:
    """Document titles and quoted names are what a unit wrote, not what the notice says."""
    return re.sub(r"《[^》]*》|“(?!我为政府网站找错”)[^”]*”", "", text)


@pytest.mark.parametrize("rs_name,code,params", list(_cases()))
def test_one_finding_names_exactly_its_element(rs_name, code, params):
    rs = load_ruleset(rs_name)
    assert code in NAMES, f"{code}: add the words naming its element to NAMES (this test's oracle)"
    target = ACCOUNT if rs.rule(code).target == "account" else SITE
    text = _problems(rs, [_finding(rs, code, params, target)])
    plain = _without_quoted(text)
    assert any(w in plain for w in NAMES[code]), f"{code} is not named:\n{text}"
    own = set(NAMES[code])
    for other, words in NAMES.items():
        for w in words:
            if w in own or any(w in o for o in own):
                continue
            assert w not in plain, f"{code} alone, yet the text names {other} ({w}):\n{text}"
    if code == "D21":  # the element found, and no other
        assert params["element"] in plain
        assert not [e for e in D21_ELEMENTS if e != params["element"] and e in plain], plain
    assert "或" not in plain.replace("或者", ""), f"a hedge in {code}'s sentence:\n{text}"


@pytest.mark.parametrize("seed", range(12))
def test_mixed_findings_name_only_their_rules(seed):
    rng = random.Random(seed)
    rs = load_ruleset(rng.choice(builtin_names()))
    codes = sorted({c for _, part in _parts() for c in part["codes"]} & set(rs.rules))
    chosen = rng.sample(codes, k=min(len(codes), rng.randint(2, 12)))
    findings = []
    for code in chosen:
        params = rng.choice(PARAMS.get(code, [{}]))
        account = rs.rule(code).target == "account"
        target = rng.choice([ACCOUNT, ACCOUNT2] if account else [SITE, SITE2])
        findings.append(_finding(rs, code, params, target))
    plain = _without_quoted(_problems(rs, findings))
    own = {w for c in chosen for w in NAMES[c]}
    for code in chosen:
        assert any(w in plain for w in NAMES[code]), (code, plain)
    for other, words in NAMES.items():
        if other in chosen:
            continue
        for w in words:
            if w in own or any(w in o for o in own):
                continue
            assert w not in plain, f"{chosen} found, yet the text names {other} ({w}):\n{plain}"


def test_every_rule_of_every_shipped_set_has_one_place():
    tpl = _template()
    table_only = tpl["problems"]["table_only"]

    def excluded(code: str) -> bool:
        return any(code.startswith(t[:-1]) if t.endswith("*") else code == t for t in table_only)

    placed: dict[str, int] = {}
    for _, part in _parts():
        for c in part["codes"]:
            placed[c] = placed.get(c, 0) + 1
    assert not [c for c, n in placed.items() if n > 1], "a rule in two parts"
    known = set()
    for name in builtin_names():
        rs = load_ruleset(name)
        known |= set(rs.rules)
        missing = [c for c in rs.rules if not excluded(c) and c not in placed]
        assert not missing, f"{name}: rules the narrative could never name: {missing}"
    assert set(placed) <= known, f"template parts name rules no shipped set has: {set(placed) - known}"
    phrases = tpl["problems"]["phrase"]
    for _, part in _parts():
        if part.get("clause") or part.get("variant"):
            for c in part["codes"]:
                assert c in phrases, f"{c}: no phrase"
    for key, value in phrases.items():
        for alt in [value] if isinstance(value, str) else value:
            assert "或" not in alt and "等" not in alt, f"phrase {key} hedges or lists: {alt}"


def test_document_titles_are_in_book_marks():
    assert book_title("咸宁市主城区中心片区控制性详细规划征求意见") == "《咸宁市主城区中心片区控制性详细规划征求意见》"
    assert book_title("关于公开征求《某办法》意见的公告") == "《关于公开征求〈某办法〉意见的公告》"
    assert book_title("《某办法》") == "《某办法》"
    rs = load_ruleset("xianning-2022")
    f = _finding(rs, "V1.5", {"fraud": "fraud_same_day", "start": "2022-03-09", "end": "2022-03-09"}, SITE)
    f.evidence[0].title = "咸宁市主城区中心片区控制性详细规划征求意见"
    text = _problems(rs, [f])
    assert "发布的《咸宁市主城区中心片区控制性详细规划征求意见》，正文中征求意见的开始时间和结束时间都是2022年3月9日" in text
    f.evidence[0].title = None
    assert "发布的一则调查征集，正文中" in _problems(rs, [f])


def test_same_wording_groups_targets_and_different_elements_stay_apart():
    rs = load_ruleset("gb2019")
    fs = [_finding(rs, "D21", {"element": "网站标识码"}, SITE), _finding(rs, "D21", {"element": "网站标识码"}, SITE2),
          _finding(rs, "D21", {"element": "公安机关备案标识"}, SITE2)]
    text = _problems(rs, fs)
    assert "市甲局网站页面底部未列明网站标识码" in text
    assert "市乙局网站页面底部未列明网站标识码和公安机关备案标识" in text
