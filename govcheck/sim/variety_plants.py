"""Defects the `variety` generator may plant, drawn at random per site.

A plant changes the site being drawn (its column tree, or a replica-builder defect) and returns a record for
the site model: which rule code it is meant to trigger (`code`, a label only) and where. What an inspection
must find is NOT taken from these records: variety_oracle.py computes it from the finished site model, so a
plant's side effects (a stale 政策文件 column leaves its 解读 column stale too) are expected as well.

`touches` names what a plant changes; two plants touching the same thing are not drawn for one site.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

READABLE = ("static", "md", "datastore", "partial")  # list modes whose newest rows are in the page's bytes
FOOTER_ELEMENTS = ("conac", "site_id_code", "icp", "police_record", "sponsor", "contact")
NON_SPECIFIC = ("通知公告", "人事信息", "规划计划", "统计信息", "财政预决算", "政府采购", "应急管理", "信息公开制度",
                "其他", "专题专栏", "在线访谈", "办事指南")


@lru_cache(maxsize=None)
def cycles() -> dict[str, int]:
    """Update cycles per kind (the rule set's column_cycles) and the cycle of a kind without one."""
    from govcheck.checks.base import param
    from govcheck.rules import load_ruleset

    rs = load_ruleset("gb2019")
    uncycled = int(param(rs, "D09.2", "uncycled_list_days"))  # as the checks read it
    return {**{k: int(v) for k, v in rs.column_cycles.items()}, "*": uncycled}


def cycle_of(kind: str) -> int:
    c = cycles()
    return c.get(kind, c["*"])


@dataclass
class Plant:
    name: str
    apply: Callable[[Any], dict | None]
    touches: tuple[str, ...] = ()
    portal_only: bool = False
    weight: float = 1.0  # how often it is drawn (rare codes more, the seven 未开设 plants less)
    excludes: set[str] = field(default_factory=set)


PLANTS: dict[str, Plant] = {}


def plant(name: str, touches: tuple[str, ...] = (), portal_only: bool = False, weight: float = 1.0):
    def deco(fn):
        PLANTS[name] = Plant(name, fn, touches, portal_only, weight)
        return fn
    return deco


def _finalise() -> None:
    for a in PLANTS.values():
        a.excludes = {b.name for b in PLANTS.values() if b is not a and set(a.touches) & set(b.touches)}


def _ago(s, lo: int, hi: int) -> str:
    return (s.t0 - dt.timedelta(days=s.d.between(lo, hi))).isoformat()


def _lists(s, kinds, readable: bool = True) -> list[dict]:
    ok = READABLE + (("json",) if s.opts.json_stale else ())
    out = []
    for n, _ in s.plan.walk():
        v = n.get("v") or {}
        if (n.get("kind") in kinds and n.get("type", "list") == "list" and not n.get("children")
                and not v.get("sub_platform") and (not readable or v.get("mode", "static") in ok)):
            out.append(n)
    return out


def _blankable(s) -> tuple[str, ...]:
    """List modes whose emptiness the page shows (a script-drawn list's emptiness only the data shows)."""
    return ("static", "md", "datastore") + (("json",) if s.opts.json_stale else ())


def _one(s, kind: str) -> dict | None:
    nodes = s.plan.of_kind(kind)
    return nodes[0] if nodes else None


# ---------------------------------------------------------------------------------------------- freshness


@plant("stale_news", ("news",), weight=1.5)
def stale_news(s):
    cands = _lists(s, ("动态要闻",))
    if not cands:
        return None
    n = s.d.pick(cands)
    n["latest"] = _ago(s, 18, 90)
    return {"code": "D04.2", "path": s.plan.path(n)}


def _policy_root(s):
    for n, parents in s.plan.walk():
        if n.get("kind") == "政策文件" and not (n.get("v") or {}).get("sub_platform") \
                and not any(p.get("kind") == "政策文件" for p in parents):
            return n
    return None


@plant("stale_policy", ("policy", "interp"))
def stale_policy(s):
    root = _policy_root(s)
    if root is None:
        return None
    for n in [root] + [c for c in root.get("children") or []]:
        if n.get("type", "list") == "list" and not n.get("children"):
            n["latest"] = _ago(s, 200, 420)
    return {"code": "D05.2", "path": s.plan.path(root)}


@plant("stale_interp", ("interp",))
def stale_interp(s):
    n = _one(s, "政策解读")
    if n is None:
        return None
    n["latest"] = _ago(s, 200, 320)
    return {"code": "D06.2", "path": s.plan.path(n)}


@plant("stale_other", ("other",))
def stale_other(s):
    cands = _lists(s, NON_SPECIFIC)
    if not cands:
        return None
    n = s.d.pick(cands)
    n["latest"] = _ago(s, cycle_of(n["kind"]) + 15, cycle_of(n["kind"]) + 220)
    return {"code": "D09.2", "path": s.plan.path(n)}


@plant("blank_other", ("other",))
def blank_other(s):
    cands = [n for n in _lists(s, NON_SPECIFIC) if (n.get("v") or {}).get("mode") in _blankable(s)]
    if not cands:
        return None
    n = s.d.pick(cands)
    s.defects.append({"plant": "blank", "path": s.plan.path(n)})
    return {"code": "D09.1", "path": s.plan.path(n)}


@plant("report_missing", ("reports", "reports2"))
def report_missing(s):
    n = _one(s, "年报")
    if n is None:
        return None
    year = max(n["years"])
    s.defects.append({"plant": "report_missing", "year": year})
    return {"code": "D09.2", "path": s.plan.path(n), "year": year}


@plant("report_late", ("reports",))
def report_late(s):
    n = _one(s, "年报")
    if n is None:
        return None
    year = max(n["years"])
    pub = dt.date(year + 1, 1, 31) + dt.timedelta(days=s.d.between(6, 70))
    if pub >= s.t0:
        return None
    s.defects.append({"plant": "report_late", "year": year, "published": pub.isoformat()})
    return {"code": "X03.1", "year": year, "published": pub.isoformat()}


@plant("report_repeat", ("reports2",))
def report_repeat(s):
    n = _one(s, "年报")
    if n is None:
        return None
    year = max(n["years"])
    s.defects.append({"plant": "report_repeat", "years": [year - 1, year]})
    return {"code": "X03.2", "years": [year - 1, year]}


@plant("stale_stats", ("stats",), weight=1.5)
def stale_stats(s):
    n = _one(s, "办事统计")
    if n is None:
        return None
    late = s.d.chance(0.5)
    n["latest"] = _ago(s, 100, 200) if late else _ago(s, 38, 80)
    code = ("D12.3" if late else "D12.2") if s.public_service else None  # 办事统计 is judged only where a site serves
    return {"code": code, "path": s.plan.path(n)}


@plant("many_stale_key", ("news", "notices"))
def many_stale_key(s):
    """V4.1: five 动态要闻/通知公告 columns out of date (extra columns opened as the site grows)."""
    news = _lists(s, ("动态要闻",))
    notices = _lists(s, ("通知公告",))
    menu = _menu_holding(s, news[0]) if news else None
    extra_names = iter(["媒体关注", "基层动态", "公示公告", "公告栏", "县区动态", "图片新闻", "通知通告"])
    while len(news) + len(notices) < 5:
        nm = next(n for n in extra_names if n not in s.used_names)
        s.used_names.add(nm)
        kind = "动态要闻" if "动态" in nm or "新闻" in nm or "关注" in nm else "通知公告"
        node = s.list_node(kind, name=nm)
        node["v"]["mode"], node["v"]["date"] = s.added_mode(), "iso"
        (menu["children"] if menu else s.plan.nodes).append(node)
        (news if kind == "动态要闻" else notices).append(node)
    picked = (news + notices)[:5]
    for n in picked:
        n["latest"] = _ago(s, 18, 90) if n["kind"] == "动态要闻" else _ago(s, 200, 380)
    return {"code": "V4.1", "paths": [s.plan.path(n) for n in picked]}


def _menu_holding(s, node):
    for n, parents in s.plan.walk():
        if n is node:
            return parents[-1] if parents else None
    return None


@plant("many_long_stale", ("topics",), weight=0.7)
def many_long_stale(s):
    """V4.2: ten 专题 columns left behind years ago."""
    topics = [t for t in s.V["topics"] if t not in s.used_names]
    nodes = []
    for t in topics[:10]:
        s.used_names.add(t)
        n = s.list_node("专题专栏", name=t)
        n["v"]["mode"], n["v"]["date"] = s.added_mode(), "iso"
        n["latest"] = _ago(s, cycle_of("专题专栏") + 20, cycle_of("专题专栏") + 600)
        nodes.append(n)
    if len(nodes) < 10:
        return None
    s.plan.nodes.append(s.menu("topics", nodes) if not any(n["name"] in s.V["menus"]["topics"] for n in s.plan.nodes)
                        else {"name": "历史专题", "kind": "栏目导航", "type": "nav", "children": nodes, "v": {"menu": "links"}})
    return {"code": "V4.2", "paths": [s.plan.path(n) for n in nodes]}


@plant("many_blank", ("blank",))
def many_blank(s):
    """V4.3: five blank columns."""
    cands = [n for n in _lists(s, NON_SPECIFIC) if (n.get("v") or {}).get("mode") in _blankable(s)]
    while len(cands) < 5:
        n = s.other_node()
        n["v"]["mode"], n["v"]["date"] = s.added_mode(), "iso"
        s.plan.nodes.append(n)
        cands.append(n)
    picked = cands[:5]
    for n in picked:
        s.defects.append({"plant": "blank", "path": s.plan.path(n)})
    return {"code": "V4.3", "paths": [s.plan.path(n) for n in picked]}


@plant("future_date", ("future", "blank", "other"))
def future_date(s):
    cands = _lists(s, ("通知公告", "动态要闻", "办事统计", "其他"))
    if not cands:
        return None
    n = s.d.pick(cands)
    day = s.t0 + dt.timedelta(days=s.d.between(40, 380))
    s.defects.append({"plant": "future_date", "path": s.plan.path(n), "date": day.isoformat()})
    return {"code": "X04", "path": s.plan.path(n), "date": day.isoformat()}


@plant("sub_platform_stale", ("platform",), portal_only=True, weight=6.0)
def sub_platform_stale(s):
    cands = [n for n, _ in s.plan.walk() if (n.get("v") or {}).get("sub_platform") and n.get("kind") == "政策文件"]
    if not cands:
        return None
    n = s.d.pick(cands)
    n["latest"] = _ago(s, 200, 400)
    return {"code": "X02", "path": s.plan.path(n)}


# ---------------------------------------------------------------------------------------------- columns not opened


def _missing(kind: str, code: str, touches: tuple[str, ...]):
    @plant(f"missing_{code}", touches, weight=0.45)
    def fn(s):
        nodes = s.plan.of_kind(kind)
        if not nodes:
            return None
        paths = [s.plan.path(n) for n in nodes]
        for n in nodes:
            s.plan.remove(n)
        s.plan.prune()
        if code == "D12.1" and not s.public_service:
            return {"code": None, "paths": paths}  # a menu left without columns goes too (an empty menu would itself read as a blank column)
        return {"code": code, "paths": paths}
    return fn


_missing("概况信息", "D01.1", ("about",))
_missing("机构职能", "D02.1", ("org",))
_missing("领导信息", "D03.1", ("leaders",))
_missing("动态要闻", "D04.1", ("news", "home"))
_missing("政策文件", "D05.1", ("policy", "interp"))
_missing("政策解读", "D06.1", ("interp",))
_missing("办事统计", "D12.1", ("stats",))


# ---------------------------------------------------------------------------------------------- pages


@plant("org_missing", ("org",))
def org_missing(s):
    n = _one(s, "机构职能")
    if n is None:
        return None
    field_ = s.d.pick(["负责人", "办公时间"])
    count = s.d.between(1, max(1, min(2, n["sections"] - 1)))
    s.defects.append({"plant": "org_missing", "field": field_, "count": count})
    covered = field_ == "办公时间" and n["v"].get("unit_hours")  # the unit's own hours cover its offices
    return {"code": None if covered else "D02.2", "field": field_, "count": count, "unit_hours": n["v"].get("unit_hours")}


@plant("leader_incomplete", ("leaders",))
def leader_incomplete(s):
    if _one(s, "领导信息") is None:
        return None
    count = s.d.between(1, 2)
    s.defects.append({"plant": "leader_incomplete", "field": "简历", "count": count})
    return {"code": "D03.2", "count": count}


@plant("policy_uninterpreted", ("interp",))
def policy_uninterpreted(s):
    if _policy_root(s) is None or _one(s, "政策解读") is None:
        return None
    s.defects.append({"plant": "policy_uninterpreted", "count": 1})
    return {"code": "D07", "count": 1}


@plant("interp_unlinked", ("interp",))
def interp_unlinked(s):
    if _policy_root(s) is None or _one(s, "政策解读") is None:
        return None
    direction = s.d.pick(["interp_to_policy", "policy_to_interp"])
    s.defects.append({"plant": "interp_unlinked", "direction": direction, "count": 1})
    return {"code": "D08", "direction": direction}


# ---------------------------------------------------------------------------------------------- interaction


@plant("stale_messages", ("messages",))
def stale_messages(s):
    if _one(s, "咨询/留言") is None:
        return None
    s.defects.append({"plant": "messages_stale", "last": _ago(s, 70, 150)})
    return {"code": "D18.3"}


@plant("blank_messages", ("messages", "stats_line"))
def blank_messages(s):
    n = _one(s, "咨询/留言")
    if n is None:
        return None
    s.defects.append({"plant": "blank", "path": s.plan.path(n)})
    s.v["stats_where"] = "page"  # the statistics stay published on their own page
    return {"code": "D18.1"}


@plant("stats_missing", ("stats_line",))
def stats_missing(s):
    if _one(s, "咨询/留言") is None:
        return None
    s.defects.append({"plant": "message_stats_missing"})
    return {"code": "D18.4"}


@plant("message_fields", ("messages",))
def message_fields(s):
    if _one(s, "咨询/留言") is None:
        return None
    fields = s.d.rng.sample(["留言时间", "答复时间", "答复单位", "答复内容"], s.d.between(1, 2))
    s.defects.append({"plant": "message_fields", "fields": fields})
    return {"code": "D18.2", "fields": fields}


@plant("message_late", ("messages",))
def message_late(s):
    if _one(s, "咨询/留言") is None:
        return None
    asked = sorted({(s.t0 - dt.timedelta(days=s.d.between(125, 330))).isoformat() for _ in range(s.d.between(1, 2))})
    unanswered = s.d.chance(0.4)
    s.defects.append({"plant": "message_late", "asked": asked, "after": s.d.between(100, 120), "unanswered": unanswered})
    return {"code": "V5.2", "asked": asked, "unanswered": unanswered}


@plant("channel_broken", ("channel",), weight=1.5)
def channel_broken(s):
    mode = s.d.pick(["closed", "missing", "error"])
    s.defects.append({"plant": "channel_broken", "mode": mode})
    return {"code": None if mode == "error" else "V5.1", "mode": mode}


@plant("fraud_period", ("consult",))
def fraud_period(s):
    if _one(s, "调查征集") is None:
        return None
    t0, d = s.t0, s.d
    pub = t0 - dt.timedelta(days=d.between(40, 200))
    how = d.pick(["back", "same", "inverted", "after"])
    if how == "back":
        start, end = pub.replace(year=pub.year - d.between(3, 15)), None
        end = start + dt.timedelta(days=30)
    elif how == "same":
        start = end = pub + dt.timedelta(days=d.between(1, 5))
    elif how == "inverted":
        start = pub + dt.timedelta(days=d.between(1, 5))
        end = start - dt.timedelta(days=d.between(10, 30))
    else:
        start = pub - dt.timedelta(days=d.between(25, 40))
        end = pub - dt.timedelta(days=d.between(3, 10))
    doc = f"{s.place['county']}{d.pick(['城区停车管理办法', '养犬管理规定', '农村人居环境整治方案', '公共资源交易管理办法'])}（征求意见稿）"
    s.defects.append({"plant": "fraud_period", "title": f"关于公开征求《{doc}》意见的公告", "published": pub.isoformat(),
                      "start": start.isoformat(), "end": end.isoformat(),
                      "feedback": (max(pub, end) + dt.timedelta(days=d.between(5, 15))).isoformat()})
    return {"code": "V1.5", "how": how}


@plant("no_feedback", ("consult",))
def no_feedback(s):
    if _one(s, "调查征集") is None:
        return None
    count = s.d.between(1, 2)
    ends = sorted({_ago(s, 50, 320) for _ in range(count)})
    s.defects.append({"plant": "consultation_no_feedback", "count": len(ends), "ends": ends})
    return {"code": "X01", "count": len(ends)}


# ---------------------------------------------------------------------------------------------- 功能设计


@plant("footer_elements", ("footer",))
def footer_elements(s):
    els = s.d.rng.sample(FOOTER_ELEMENTS, s.d.between(1, 2))
    pages = s.d.pick(["all", "all", "home", "inner"])
    s.defects.append({"plant": "footer_missing", "elements": els, "pages": pages})
    return {"code": "D21", "elements": els, "pages": pages}


@plant("error_entry", ("footer",))
def error_entry(s):
    pages = s.d.pick(["home", "inner", "all"])
    s.defects.append({"plant": "footer_missing", "elements": ["error_report_entry"], "pages": pages})
    return {"code": {"home": "D23.1", "inner": "D23.2", "all": "D23.1+D23.2"}[pages], "pages": pages}


@plant("script_footer", ("footer",))
def script_footer(s):
    """The footer is a site-wide include loaded by script: nothing to judge from the HTML (a person looks)."""
    s.v["footer_script"] = True
    return {"code": None, "manual": "D21"}


@plant("broken_link", ("links",))
def broken_link(s):
    on = s.d.pick(["home", "article"])
    status = s.d.pick([404, 404, 500])
    count = s.d.between(1, 2)
    s.defects.append({"plant": "broken_link", "status": status, "on": on, "count": count})
    code = "D22.1" if on == "home" else "D22.2"
    return {"code": code if status < 500 else None, "status": status, "count": count}


@plant("search_broken", ("search",))
def search_broken(s):
    mode = s.d.pick(["error", "missing"])
    s.defects.append({"plant": "search_broken", "mode": mode})
    return {"code": "D25.1", "mode": mode}


@plant("search_stale", ("search",))
def search_stale(s):
    s.defects.append({"plant": "search_stale", "indexed_until": (s.t0 - dt.timedelta(days=5 * 366)).isoformat()})
    return {"code": "D25.2"}


@plant("meta_missing", ("meta",), weight=1.5)
def meta_missing(s):
    pages = s.d.pick(["content", "column"])
    tags = s.d.pick(["all", "site", "page"])
    s.defects.append({"plant": "meta_missing", "pages": pages, "tags": tags})
    return {"code": "D27.1" if pages == "content" else "D27.2", "tags": tags}


@plant("header_no_name", ("header",), weight=1.5)
def header_no_name(s):
    mode = s.d.pick(["slogan", "logo"])
    s.defects.append({"plant": "header_no_name", "mode": mode})
    return {"code": "D20.3" if mode == "slogan" else None, "mode": mode}


@plant("themed_name", ("name",))
def themed_name(s):
    s.v["themed_name"] = s.d.pick(s.V["themed_names"])
    return {"code": "D20.2", "name": s.v["themed_name"]}


@plant("home_frozen", ("home",))
def home_frozen(s):
    s.defects.append({"plant": "home_frozen", "last": _ago(s, 22, 60)})
    return {"code": "V3"}


@lru_cache(maxsize=None)
def serious_terms() -> tuple[tuple[str, str], ...]:
    """The wording lexicon's 严重 entries (wrong, right) that are wrong at any date: a slip a notice reports as
    严重表述错误 whatever the page's date (entries with a validity period are left out)."""
    from govcheck.newmedia.lexicon import Lexicon

    def slip(e) -> bool:  # a mistyped or mis-titled official term, not a term that is wrong in itself
        if e.category == "国家领导人姓名与职务":
            return True
        return (e.category in ("规范表述", "机构名称") and len(e.wrong) == len(e.right)
                and sum(a != b for a, b in zip(e.wrong, e.right)) <= 2)

    return tuple(sorted({(e.wrong, e.right) for e in Lexicon.load().entries if e.severity == "严重" and slip(e)
                         and getattr(e, "valid_from", None) is None and getattr(e, "valid_to", None) is None}))


@plant("wording_error", ("wording",))
def wording_error(s):
    """An article carrying a serious wording slip (an exact lexicon entry; near-misses are the wording engine's)."""
    cands = _lists(s, ("动态要闻", "通知公告"))
    if not cands:
        return None
    n = s.d.pick(cands)
    wrong, right = s.d.pick(serious_terms())
    n["v"]["wording"] = wrong  # finish_site puts it in the column's newest article
    return {"code": "V1.1", "path": s.plan.path(n), "wrong": wrong, "right": right}


_finalise()
