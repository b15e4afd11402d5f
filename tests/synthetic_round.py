"""A large round made up for layout tests: N units with realistic short names (composed of known words, so
a test knows where a name may break), findings of many rules with the evidence the checks give, scores
from the real scorer, and a few hundred accounts. Nothing is crawled; the notice is built as a round's is."""
from __future__ import annotations

import random

from govcheck.model import Account, Evidence, Finding, Site
from govcheck.notice import RoundView
from govcheck.rules import load_ruleset
from govcheck.score import apply_rules, score_round

# districts and departments as words: a name's allowed break points are between its words
DISTRICTS = [("市",), ("咸安", "区"), ("嘉鱼", "县"), ("赤壁", "市"), ("通城", "县"), ("崇阳", "县"), ("通山", "县"),
             ("高新", "区"), ("温泉", "新区")]
DEPARTMENTS = [
    ("发展和改革", "委员会"), ("教育局",), ("科技局",), ("经信局",), ("公安局",), ("民政局",), ("司法局",), ("财政局",),
    ("人力资源", "和", "社会保障局"), ("自然资源", "和", "规划局"), ("生态环境局",), ("住房", "和", "城乡建设局"),
    ("交通运输局",), ("水利", "和", "湖泊局"), ("农业农村局",), ("商务局",), ("文化", "和", "旅游局"),
    ("卫生健康", "委员会"), ("退役军人", "事务局"), ("应急管理局",), ("审计局",), ("国资委",), ("市场监督", "管理局"),
    ("医疗保障局",), ("乡村振兴局",), ("地方金融", "工作局"), ("政务服务", "和", "大数据", "管理局"), ("林业局",),
    ("城市管理", "执法", "委员会"), ("招商", "和", "投资促进局"), ("公积金", "管理中心"), ("供销社",), ("统计局",),
    ("公共资源", "交易中心"), ("机关事务", "服务中心"), ("粮食", "和", "物资储备局"), ("信访局",), ("人民防空", "办公室"),
    ("档案馆",), ("气象局",),
]
ACCOUNT_TYPES = ["微信订阅号", "微信服务号", "新浪微博", "抖音短视频", "今日头条"]


def unit_words(n: int, seed: int = 7) -> list[tuple[str, ...]]:
    rng = random.Random(seed)
    combos = [d + p for d in DISTRICTS for p in DEPARTMENTS]
    rng.shuffle(combos)
    return combos[:n]


def _evidence(rng: random.Random, code: str, url: str) -> list[Evidence]:
    path = "首页>政府信息公开>法定主动公开内容>" + rng.choice(["政策文件", "通知公告", "规划信息", "统计信息", "工作动态"])
    if code in ("D09.1", "D09.2", "D05.2", "D06.2", "D18.3", "X02", "D04.2"):
        return [Evidence(path=path, url=url + "col/", date="2021-10-08", note=path.rsplit(">", 1)[1])]
    if code == "D02.2":
        return [Evidence(url=url + "jgzn/", title="办公室", note=rng.choice(["负责人姓名缺失", "未标明办公时间"]))]
    if code in ("X01", "V1.5"):
        return [Evidence(url=url + "dczj/1.html", date="2022-01-20",
                         title=rng.choice(["关于公开征求《某某管理办法（征求意见稿）》意见的公告", "某某片区控制性详细规划征求意见"]),
                         note="调查征集结束日期与开始日期重合" if code == "V1.5" else None)]
    if code == "D22.2":
        return [Evidence(url=url + "dead.html", status=404, note="链接打不开"), Evidence(url=url + "a.html")]
    return [Evidence(url=url)]


def synthetic_round(n_units: int = 400, n_accounts: int = 300, seed: int = 7) -> tuple[RoundView, list[tuple]]:
    rng = random.Random(seed)
    rs = load_ruleset("xianning-2022")
    names = unit_words(n_units, seed)
    sites = [Site(region="市直" if w[0] == "市" else "".join(w[:2]), unit="".join(w), name="".join(w) + "网站",
                  url=f"http://u{i:03d}.example.gov.cn/") for i, w in enumerate(names)]
    codes = ["X01", "D02.2", "D09.2", "D09.1", "D05.2", "D06.2", "D18.3", "D21", "D22.2", "D07", "D08", "X02"]
    findings: list[Finding] = []
    for s in sites:
        roll = rng.random()
        if roll < 0.25:
            continue  # a clean site
        for code in rng.sample(codes, rng.randint(1, 5)):
            params = {"element": rng.choice(rs.rule("D21").params["elements"])} if code == "D21" else {}
            for _ in range(rng.randint(1, 3) if code in ("X01", "D02.2", "D09.2") else 1):
                findings.append(Finding(unit=s.unit, target=s.url, target_type="site", code=code, params=params,
                                        evidence=_evidence(rng, code, s.url)))
        if roll > 0.96:
            findings.append(Finding(unit=s.unit, target=s.url, target_type="site", code="V1.5",
                                    params={"fraud": "fraud_same_day", "start": "2022-03-09", "end": "2022-03-09"},
                                    evidence=_evidence(rng, "V1.5", s.url)))
    accounts = []
    for i in range(n_accounts):
        w = names[i % len(names)]
        accounts.append(Account(region=sites[i % len(sites)].region, name="".join(w[-1:]) + f"发布{i}",
                                unit="".join(w), type=rng.choice(ACCOUNT_TYPES)))
    for a in rng.sample(accounts, n_accounts // 10):
        code = rng.choice(["M1", "M2.2", "MH1.2", "MH2"])
        params = {"system": "湖北省"} if code == "MH1.2" else (
            {"registered_name": a.name + "号", "system": "全国"} if code == "MH2" else {})
        findings.append(Finding(unit=a.unit, target=a.name, target_type="account", account_type=a.type, code=code,
                                params=params, evidence=[Evidence(note="测试")]))
    findings = apply_rules(findings, rs)
    scores = score_round(sites, accounts, findings, rs)
    meta = {"name": "2022年第二季度", "notice": {
        "title": "关于2022年第二季度全省政府网站和政务新媒体抽查监测情况的通报",
        "recipients": "各市、州人民政府，省政府各部门：", "issuer": "某省政务公开领导小组办公室",
        "issuer_short": "省政务公开办", "date": "2022-06-22", "region": "全省", "site_check_period": "5月中旬",
        "account_check_period": "5月", "reply_deadline": "6月30日", "reply_to": "省政务公开办",
        "attachment1_title": "2022年第二季度政府网站抽查监测情况表",
        "attachment2_title": "2022年第二季度政务新媒体抽查监测情况表",
        "masthead": {"mark": "某省政务公开领导小组办公室文件"}, "doc_number": "某政务公开办〔2022〕5号",
        "colophon": {"cc": ["省委办公厅", "省人大常委会办公厅", "省政协办公厅"], "printer": "某省政务公开领导小组办公室",
                     "date": "2022-06-23"},
    }}
    view = RoundView(meta=meta, rs=rs, sites=sites, accounts=accounts, findings=findings, scores=scores)
    return view, names
