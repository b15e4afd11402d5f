"""Generator of the replica accounts for scenario xianning-2022q2 (run once; its output is committed).

The 21 failing accounts are the sample notice's 附件2 rows; their failures are *causes* planted in the
data (an empty feed, an old last post, a missing registry row, a registry name one character off, a
post with a real lexicon error), never the expected reasons. The other accounts are plausible and
clean. `python -m govcheck.newmedia.replica [--out DIR]` rewrites the files.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from govcheck.paths import PACKAGE_DIR

OUT_DIR = PACKAGE_DIR / "sim" / "scenarios" / "xianning-2022q2" / "accounts"
SEED = 20220515
AT = date(2022, 5, 15)
SOURCE_TEMPLATE = "{base_url}/feeds/%s.xml"

COUNTS = {"市直": 67, "咸安区": 31, "嘉鱼县": 14, "赤壁市": 30, "通城县": 21, "崇阳县": 36, "通山县": 15}

# (region, name, unit, type, cause)
FAILING = [
    ("市直", "咸宁高新招商网", "咸宁高新区管委会", "微信服务号", "unregistered_never"),
    ("市直", "咸宁就业驿站", "咸宁市人力资源和社会保障局", "微信服务号", "stale:2022-01-25"),
    ("市直", "咸宁交投集团", "咸宁市交通运输局", "微信订阅号", "national_only"),
    ("市直", "咸宁市医疗保障局", "咸宁市医疗保障局", "微信订阅号", "national_only"),
    ("市直", "温泉公安", "咸宁市公安局", "微信订阅号", "unregistered_never"),
    ("市直", "咸宁交警", "咸宁市公安局", "微信服务号", "national_only"),
    ("市直", "咸宁禁毒宣传", "咸宁市公安局", "微信订阅号", "unregistered_stale:2016-01-11"),
    ("市直", "咸宁食药监", "咸宁市市场监督管理局", "微信订阅号", "unregistered_never"),
    ("市直", "咸宁城市绿色货运配送平台", "咸宁市交通运输局", "微信服务号", "unregistered_never"),
    ("市直", "湖北咸宁交警", "咸宁市公安局", "新浪微博", "national_only"),
    ("市直", "健康咸宁", "咸宁市疾病预防控制中心", "抖音短视频", "national_only"),
    ("市直", "健康咸宁", "咸宁市疾控中心", "微信订阅号", "national_only"),
    ("市直", "文化咸宁", "咸宁市文化和旅游局", "微信订阅号", "wording:咸宁市开展《中华人民共合国非物质文化遗产法》宣传周活动"),
    ("市直", "咸宁住建", "咸宁市住房和城乡建设局", "微信服务号", "registered_as:咸宁城建"),
    ("市直", "咸宁市退役军人事务局", "咸宁市退役军人事务局", "微信订阅号",
     "wording:全市退役军人工作系统深入学习习近平新时代中国特色社会注意思想"),
    ("市直", "咸宁市生态环境局", "咸宁市生态环境局", "微信订阅号", "wording:国家主席李克强主持召开国务院常务会议 部署生态环境保护工作"),
    ("市直", "咸宁市教育科学研究院", "咸宁市教育科学研究院", "微信订阅号", "national_only"),
    ("嘉鱼县", "嘉鱼疾控", "嘉鱼县疾病预防控制中心", "微信订阅号", "national_only"),
    ("嘉鱼县", "嘉鱼旅游", "嘉鱼县文化和旅游局", "今日头条", "national_only"),
    ("崇阳县", "崇阳县退役军人事务局", "崇阳县退役军人事务局", "微信订阅号", "wording:抗美援朝老兵讲述当年在北朝鲜战场上的故事"),
    ("崇阳县", "平安青山绿色", "崇阳县青山镇人民政府", "微信订阅号", "unregistered_never"),
]

PREFIX = {"市直": "咸宁市", "咸安区": "咸安区", "嘉鱼县": "嘉鱼县", "赤壁市": "赤壁市", "通城县": "通城县",
          "崇阳县": "崇阳县", "通山县": "通山县"}
SHORT = {"市直": "咸宁", "咸安区": "咸安", "嘉鱼县": "嘉鱼", "赤壁市": "赤壁", "通城县": "通城", "崇阳县": "崇阳", "通山县": "通山"}
TOWNS = {
    "咸安区": ["永安街道", "温泉街道", "浮山街道", "官埠桥镇", "向阳湖镇", "高桥镇", "横沟桥镇", "贺胜桥镇", "双溪桥镇",
            "马桥镇", "桂花镇", "汀泗桥镇", "大幕乡"],
    "嘉鱼县": ["鱼岳镇", "新街镇", "渡普镇", "潘家湾镇", "簰洲湾镇", "陆溪镇", "高铁岭镇", "官桥镇"],
    "赤壁市": ["蒲圻街道", "赤马港街道", "陆水湖街道", "中伙铺镇", "官塘驿镇", "神山镇", "车埠镇", "赵李桥镇", "茶庵岭镇",
            "新店镇", "赤壁镇", "柳山湖镇", "黄盖湖镇", "余家桥乡"],
    "通城县": ["隽水镇", "麦市镇", "塘湖镇", "关刀镇", "沙堆镇", "五里镇", "石南镇", "北港镇", "马港镇", "四庄乡", "大坪乡"],
    "崇阳县": ["天城镇", "沙坪镇", "石城镇", "桂花泉镇", "白霓镇", "路口镇", "金塘镇", "肖岭乡", "铜钟乡", "港口乡", "高枧乡"],
    "通山县": ["通羊镇", "南林桥镇", "黄沙铺镇", "厦铺镇", "九宫山镇", "闯王镇", "洪港镇", "大畈镇", "杨芳林乡", "燕厦乡",
            "大路乡", "慈口乡"],
    "市直": [],
}
# (department full suffix, short name used in account names)
DEPTS = [
    ("人民政府办公室", "发布"), ("教育局", "教育"), ("人力资源和社会保障局", "人社"), ("卫生健康委员会", "卫健"),
    ("市场监督管理局", "市场监管"), ("民政局", "民政"), ("财政局", "财政"), ("自然资源和规划局", "自然资源"),
    ("住房和城乡建设局", "住建"), ("交通运输局", "交通"), ("农业农村局", "农业农村"), ("水利和湖泊局", "水利"),
    ("文化和旅游局", "文旅"), ("应急管理局", "应急"), ("司法局", "司法"), ("公安局", "公安"), ("税务局", "税务"),
    ("医疗保障局", "医保"), ("退役军人事务局", "退役军人"), ("统计局", "统计"), ("政务服务和大数据管理局", "政务服务"),
    ("融媒体中心", "融媒"), ("人民法院", "法院"), ("人民检察院", "检察"), ("科学技术局", "科技"), ("审计局", "审计"),
    ("商务局", "商务"), ("发展和改革局", "发改"), ("经济和信息化局", "经信"), ("林业局", "林业"),
    ("总工会", "工会"), ("团委", "青年"), ("妇女联合会", "女性"), ("消防救援大队", "消防"), ("气象局", "气象"),
    ("供电公司", "供电"), ("疾病预防控制中心", "疾控"), ("人民医院", "人民医院"), ("妇幼保健院", "妇幼"),
    ("城市管理执法局", "城管"), ("生态环境分局", "生态环境"), ("档案馆", "档案"), ("图书馆", "图书馆"),
    ("住房公积金中心", "公积金"), ("不动产登记中心", "不动产"), ("招商和投资促进局", "招商"), ("粮食和物资储备局", "粮储"),
    ("地方金融工作局", "金融"), ("信访局", "信访"), ("机关事务服务中心", "机关事务"), ("残疾人联合会", "残联"),
]
TYPES = ["微信订阅号"] * 12 + ["微信服务号"] * 2 + ["新浪微博"] * 3 + ["抖音短视频"] * 3 + ["今日头条"] * 2
ID_PREFIX = {"微信订阅号": "gh_", "微信服务号": "gh_", "新浪微博": "wb", "抖音短视频": "dy", "今日头条": "tt"}

# (title template, months it fits in; None = any month)
TITLES = [
    ("{unit}召开{quarter}工作推进会", None),
    ("{unit}传达学习党的十九届六中全会精神", None),
    ("{unit}开展“五一”节前安全生产大检查", (4,)),
    ("关于做好2022年“五一”劳动节期间疫情防控工作的温馨提示", (4, 5)),
    ("{place}开展常态化疫情防控志愿服务活动", None),
    ("{unit}扎实推进“我为群众办实事”实践活动", None),
    ("《中华人民共和国安全生产法》宣传进社区", None),
    ("{place}持续优化营商环境 助力市场主体纾困发展", None),
    ("{unit}召开党风廉政建设工作会议", None),
    ("{place}路口交通秩序专项整治持续推进", None),
    ("{unit}组织开展防汛应急演练", (4, 5, 6)),
    ("{place}春季造林绿化工作取得阶段性成效", (3, 4)),
    ("政策解读｜一图读懂{unit}{year}年重点工作", (1, 2, 3)),
    ("{unit}深入开展“下基层、察民情、解民忧、暖民心”实践活动", None),
    ("{place}举办{year}年春风行动专场招聘会", (2, 3)),
    ("以习近平同志为核心的党中央坚强领导下 {place}经济运行稳中向好", None),
    ("{unit}开展全民国家安全教育日宣传活动", (4,)),
    ("{place}农村人居环境整治见闻", None),
    ("{unit}开展元旦春节前安全检查", (12, 1)),
]
TEXTS = [
    "会议强调，要坚持以人民为中心的发展思想，统筹疫情防控和经济社会发展，确保各项工作落地见效。",
    "活动现场，工作人员向群众发放宣传资料，耐心解答群众咨询，受到群众一致好评。",
    "下一步，将继续压实工作责任，细化工作举措，推动各项任务按时保质完成。",
    "截至目前，已累计排查整改问题隐患，群众满意度持续提升。",
    "请广大市民朋友做好个人防护，戴口罩、勤洗手、常通风，配合做好核酸检测。",
    "本次演练检验了应急预案的可操作性，提高了应急处置能力。",
]
WRONG_TEXT_TAIL = "活动期间，工作人员通过悬挂横幅、发放资料等形式向群众开展宣传。"


def _posts_for(rng: random.Random, unit: str, place: str, last: date, n: int, start_url: str) -> list[dict]:
    days = sorted({last - timedelta(days=rng.randint(1, 60)) for _ in range(n - 1)} | {last}, reverse=True)
    out = []
    for i, d in enumerate(days):
        fits = [t for t, months in TITLES if months is None or d.month in months]
        t = rng.choice(fits).format(unit=unit, place=place, year=d.year, quarter=f"{d.year}年第{(d.month - 1) // 3 + 1}季度")
        body = "".join(rng.sample(TEXTS, 2))
        ts = datetime(d.year, d.month, d.day, rng.randint(8, 21), rng.randint(0, 59))
        out.append({"published": ts.strftime("%Y-%m-%d %H:%M"), "title": t, "text": body,
                    "url": f"{start_url}/p/{d.strftime('%Y%m%d')}{i:02d}"})
    return out


def generate(out_dir: Path = OUT_DIR) -> dict:
    rng = random.Random(SEED)
    accounts: list[dict] = []
    used: set[tuple[str, str]] = {(n, t) for _, n, _, t, _ in FAILING}
    failing_names = {n for _, n, _, _, _ in FAILING}
    failing_by_region: dict[str, list] = {}
    for row in FAILING:
        failing_by_region.setdefault(row[0], []).append(row)
    n = 0
    for region, total in COUNTS.items():
        for r, name, unit, typ, cause in failing_by_region.get(region, []):
            n += 1
            accounts.append({"id": f"xn{n:04d}", "region": r, "name": name, "unit": unit, "type": typ, "cause": cause})
        need = total - len(failing_by_region.get(region, []))
        cands = []
        for full, short in DEPTS:
            cands.append((f"{SHORT[region]}{short}", PREFIX[region] + full))
        for town in TOWNS[region]:
            base = town[:-2] if town.endswith("街道") else town[:-1]
            cands.append((f"{SHORT[region]}{base}" if region != "市直" else town, f"{PREFIX[region]}{town}人民政府"
                          if not town.endswith("街道") else f"{PREFIX[region]}{town}办事处"))
            cands.append((f"平安{base}", f"{PREFIX[region]}{town}派出所"))
        rng.shuffle(cands)
        picked = 0
        i = 0
        while picked < need:
            name, unit = cands[i % len(cands)]
            typ = rng.choice(TYPES)
            i += 1
            if (name, typ) in used or name in failing_names:
                continue
            used.add((name, typ))
            n += 1
            picked += 1
            accounts.append({"id": f"xn{n:04d}", "region": region, "name": name, "unit": unit, "type": typ,
                             "cause": "clean"})
    for a in accounts:
        a["account_id"] = ID_PREFIX[a["type"]] + format(rng.getrandbits(40), "x")

    posts: list[dict] = []
    registry: list[dict] = []
    for a in accounts:
        cause = a["cause"]
        place = a["unit"].replace("人民政府", "").replace("办事处", "") if "镇" in a["unit"] or "乡" in a["unit"] else PREFIX[a["region"]]
        url0 = f"https://mp.example.gov.cn/{a['account_id']}"
        if cause.endswith("never"):
            ps = []
        elif "stale:" in cause:
            last = date.fromisoformat(cause.split("stale:")[1])
            ps = _posts_for(rng, a["unit"], place, last, rng.randint(3, 8), url0)
        else:
            last = AT - timedelta(days=rng.randint(1, 12))
            ps = _posts_for(rng, a["unit"], place, last, rng.randint(3, 8), url0)
        if cause.startswith("wording:"):
            d = date(2022, 4, 27) + timedelta(days=rng.randint(0, 13))
            ps.append({"published": f"{d.isoformat()} 10:30", "title": cause.split(":", 1)[1],
                       "text": WRONG_TEXT_TAIL, "url": f"{url0}/p/{d.strftime('%Y%m%d')}99"})
        for p in ps:
            posts.append({"account": a["id"], **p})
        reg_date = date(2019, 1, 1) + timedelta(days=rng.randint(0, 900))
        systems = []
        if cause.startswith("unregistered"):
            systems = []
        elif cause == "national_only":
            systems = ["全国"]
        else:
            systems = ["全国", "湖北省"]
        for s in systems:
            reg_name = a["name"]
            if cause.startswith("registered_as:") and s == "全国":
                reg_name = cause.split(":", 1)[1]
            elif cause == "clean" and rng.random() < 0.05:
                reg_name = reg_name.replace(SHORT[a["region"]], SHORT[a["region"]] + " ", 1)  # export spacing
            registry.append({"system": s, "name": reg_name, "unit": a["unit"], "platform": _platform_label(a["type"], rng),
                             "account_id": a["account_id"], "status": "正常",
                             "registered_on": (reg_date + timedelta(days=3 if s == "湖北省" else 0)).isoformat()})
    # noise: accounts closed and de-registered long ago, not in the roster
    for i, (name, unit) in enumerate([("咸宁防汛", "咸宁市水利和湖泊局"), ("赤壁招商", "赤壁市招商和投资促进局"),
                                      ("通山旅游资讯", "通山县文化和旅游局")]):
        for s in ("全国", "湖北省"):
            registry.append({"system": s, "name": name, "unit": unit, "platform": "微信公众号",
                             "account_id": f"gh_closed{i}", "status": "已注销", "registered_on": "2018-06-01"})

    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "accounts.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["区域", "新媒体名称", "主办单位", "新媒体类型", "账号ID", "数据来源", "互动功能"])
        for a in accounts:
            w.writerow([a["region"], a["name"], a["unit"], a["type"], a["account_id"], SOURCE_TEMPLATE % a["id"], "是"])
    rng.shuffle(registry)
    with open(out_dir / "registry.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["政务新媒体备案信息导出（导出时间：2022-05-14 09:12）"])
        w.writerow(["序号", "政务新媒体名称", "主办单位名称", "所属平台", "账号ID", "账号状态", "备案时间", "所属系统"])
        for i, r in enumerate(registry, 1):
            w.writerow([i, r["name"], r["unit"], r["platform"], r["account_id"], r["status"], r["registered_on"],
                        r["system"]])
    with open(out_dir / "posts.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["账号", "发布时间", "标题", "正文", "链接"])
        for p in posts:
            w.writerow([p["account"], p["published"], p["title"], p["text"], p["url"]])
    prev = _previous_round(rng, accounts)
    (out_dir / "previous").mkdir(exist_ok=True)
    (out_dir / "previous" / "findings.json").write_text(json.dumps(prev, ensure_ascii=False, indent=1), encoding="utf-8")
    (out_dir / "previous" / "round.json").write_text(json.dumps(
        {"label": "3月份", "title": "2022年3月份政务新媒体抽查情况通报", "at": "2022-03-15"}, ensure_ascii=False, indent=1),
        encoding="utf-8")
    return {"accounts": len(accounts), "posts": len(posts), "registry": len(registry), "previous": len(prev)}


def _platform_label(typ: str, rng: random.Random) -> str:
    """Registry exports name platforms their own way."""
    if typ.startswith("微信"):
        return rng.choice(["微信", "微信公众号", typ])
    return {"新浪微博": "新浪微博", "抖音短视频": "抖音", "今日头条": "今日头条"}[typ]


def _previous_round(rng: random.Random, accounts: list[dict]) -> list[dict]:
    """The 2022年3月份 round: 12 failing accounts, 咸宁禁毒宣传 among them, the other 11 since fixed."""
    def f(a, code, params=None):
        d = {"unit": a["unit"], "target": a["name"], "target_type": "account", "code": code, "text": "",
             "points": 0, "veto": True, "evidence": [], "review": "confirmed", "source": "auto",
             "account_type": a["type"]}
        if params:
            d["params"] = params
        return d
    jindu = next(a for a in accounts if a["name"] == "咸宁禁毒宣传")
    out = [f(jindu, "M2.1", {"last_update": "2016.1.11"}), f(jindu, "MH1.1")]
    clean = [a for a in accounts if a["cause"] == "clean"]
    fixed = rng.sample(clean, 11)
    codes = ["M2.1", "MH1.2", "M2.2", "MH2", "M1"]
    for i, a in enumerate(fixed):
        code = codes[i % len(codes)]
        params = {"last_update": "2021.12.20"} if code == "M2.1" else {"system": "湖北省"} if code == "MH1.2" else (
            {"registered_name": a["name"] + "发布"} if code == "MH2" else None)
        out.append(f(a, code, params))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    print(generate(ap.parse_args().out))


if __name__ == "__main__":
    main()
