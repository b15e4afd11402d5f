"""What an inspection of a variety site must find, computed from the site model — never from the checker.

The oracle reads the rules as a person applies them to what the site really holds (every column's true kind,
every entry's true date, which list a person can read): windows, cycles, thresholds and sample sizes come
from the rule set (and checks.yaml / inspect.yaml for the parameters the rule set leaves to them), the
judgement is this module's own. Where a person could not decide from the pages either — a list drawn by a
script whose data the page does not name, a MM-DD-only list or home page whose articles print no date, a
footer the page loads by script (and with it the only link to the 网站地图, so no kind is provably absent),
a header that is only a picture, a slogan in a logo box when the template does not mark its header — the
oracle expects a 需人工核查 item and no finding.

`expect(site, t0, rs)` gives `Expected` (findings as (code, key) with a count range, and required manual
items). `compare(site, expected, findings, manual, anomalies)` matches an inspection's output to it: keys
are canonical ("col:<id>", "item:<id>", a path for a dead link, an element name…), so a finding is matched
whatever URL form or breadcrumb text the checker cited.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from govcheck.rules import RuleSet

from .scenario import Column, Item, SimSite
from .variety_render import cv, is_list, vrenderer_for

READABLE = ("static", "md", "datastore", "partial")  # the rows a person reads are in the page's bytes
UNDECIDABLE = ("opaque", "blind")                     # nothing a person can read decides the column
EITHER = ("json",)                                    # judged from the data the page loads, or left to a person
FOOTER_KEYS = {"conac": "conac", "site_id_code": "site_id_code", "icp": "icp", "police_record": "police_record",
               "sponsor": "sponsor", "contact": "contact"}
PRESENCE_ONLY = {"V4.1", "V4.2", "V4.3", "D23.2"}


# ---------------------------------------------------------------------------------------------- data


@lru_cache(maxsize=None)
def _yaml(module: str) -> dict[str, Any]:
    if module == "checks":
        from govcheck.checks.base import DATA_FILE
    else:
        from govcheck.inspect.adapter import DATA_FILE
    with open(DATA_FILE, encoding="utf-8") as f:
        return yaml.safe_load(f)


def rparam(rs: RuleSet, code: str, key: str) -> Any:
    """A rule's parameter: the rule set's, else the rule registry's default for it (as the checks read it)."""
    from govcheck.checks.base import param

    return param(rs, code, key)


def months_back(at: dt.date, n: int) -> dt.date:
    y, m = divmod(at.year * 12 + at.month - 1 - n, 12)
    m += 1
    for d in (at.day, 30, 29, 28):
        try:
            return dt.date(y, m, d)
        except ValueError:
            continue
    raise ValueError(at)


def window_start(rs: RuleSet, code: str, at: dt.date) -> dt.date:
    p = rs.rule(code).params
    if "window_days" in p:
        return at - dt.timedelta(days=int(p["window_days"]))
    return months_back(at, int(p["window_months"]))


def cycle(rs: RuleSet, kind: str) -> int:
    return int(rs.column_cycles.get(kind) or rparam(rs, "D09.2", "uncycled_list_days"))


def link_confirmed(status: int) -> bool:
    """Whether a dead internal link's status is a confirmed failure (a finding) or only suspected (a person
    re-checks: a 5xx may be a moment's outage) — the crawl configuration's broken_status / suspected_status_min."""
    from govcheck.collect.config import load_data

    o = load_data()["links"]["outcome"]
    return status in set(o["broken_status"]) and status < int(o["suspected_status_min"])


def official_elements() -> dict[str, str]:
    """Footer element id -> the official name D21 prints (checks.yaml footer_elements, reversed)."""
    return {v: k for k, v in _yaml("checks")["footer_elements"].items()}


# ---------------------------------------------------------------------------------------------- expectations


@dataclass
class Exp:
    code: str
    key: str
    lo: int
    hi: int | None  # None: at least lo (the count is not fixed by the model, e.g. pages of a template)
    why: str
    cols: list[str] = field(default_factory=list)  # the columns a count rule (V4.x) cites


@dataclass
class ManualExp:
    code: str | None
    keys: set[str]       # canonical keys of what the item must be about (a column), or empty for site-level
    names: set[str]      # words the item's text may cite instead (column names)
    why: str


@dataclass
class Expected:
    findings: list[Exp] = field(default_factory=list)
    anomalies: list[Exp] = field(default_factory=list)
    manual: list[ManualExp] = field(default_factory=list)
    states: dict[str, str] = field(default_factory=dict)  # column key -> page | data | manual | either | n/a

    def add(self, code: str, key: str, n: int = 1, why: str = "", hi: int | None | str = "same",
            cols: list[str] | None = None) -> None:
        self.findings.append(Exp(code, key, n, n if hi == "same" else hi, why, list(cols or [])))


def ckey(col: Column) -> str:
    return f"col:{col.id}"


def ikey(it: Item) -> str:
    return f"item:{it.id}"


class Oracle:
    def __init__(self, site: SimSite, at: dt.date, rs: RuleSet):
        self.site, self.at, self.rs = site, at, rs
        self.sp = site.special
        self.v = site.special.get("v") or {}
        self.cols = [c for c in site.all_columns() if not self.sub_platform(c)]
        self.out = Expected()

    # -- model helpers
    @staticmethod
    def sub_platform(col: Column) -> bool:
        c: Column | None = col
        while c is not None:
            v = cv(c)
            if v.get("sub_platform") or v.get("platform_root"):
                return True
            c = c.parent
        return False

    def has(self, code: str) -> bool:
        return code in self.rs.rules

    def lists(self) -> list[Column]:
        return [c for c in self.cols if is_list(c) and not c.children]

    def mode(self, col: Column) -> str:
        return cv(col).get("mode", "static") if col.ctype == "list" else "static"

    def state(self, col: Column) -> str:
        m = self.mode(col)
        if m in UNDECIDABLE:
            return "manual"
        if m in EITHER:
            # judged from the data the page loads when the region says that pass exists, else either way
            return "page" if self.sp.get("json_judged") else "either"
        return "page"

    def newest(self, cols: list[Column]) -> dt.date | None:
        ds = [it.date for c in cols for it in c.items if it.date <= self.at]
        return max(ds) if ds else None

    def policy_roots(self, kind: str) -> list[Column]:
        out = []
        for c in self.cols:
            if c.kind != kind:
                continue
            p, inner = c.parent, False
            while p is not None:
                inner = inner or p.kind == kind
                p = p.parent
            if not inner:
                out.append(c)
        return out

    def subtree_lists(self, col: Column) -> list[Column]:
        return [c for c in col.walk() if is_list(c) and not c.children]

    def in_policy_subtree(self, col: Column) -> bool:
        c: Column | None = col
        while c is not None:
            if c.kind in ("政策文件", "政策解读"):
                return True
            c = c.parent
        return False

    def specific(self, col: Column) -> bool:
        return col.kind in ("动态要闻", "咨询/留言", "办事统计") or self.in_policy_subtree(col)

    def renderer(self):
        r = self.site.special.get("_renderer")
        if r is None:
            r = self.site.special["_renderer"] = vrenderer_for(self.site, self.site.special.get("t0"))
        return r

    def tree_known(self) -> bool:
        """Whether a reader of the pages has the whole column tree: every style links its 网站地图 from the footer
        only, so a footer the page loads by script hides it (the menus alone do not prove a kind absent)."""
        return not self.v.get("footer_script")

    def manual_column(self, col: Column, why: str, code: str | None = None) -> None:
        self.out.manual.append(ManualExp(code, {ckey(col)}, {col.name}, why))

    # -- the rules
    def run(self) -> Expected:
        for c in self.site.all_columns():
            self.out.states[ckey(c)] = self.state(c) if is_list(c) and not c.children else "n/a"
        for c in self.lists():
            if self.state(c) == "manual":
                self.manual_column(c, f"{c.path_str}：列表由脚本加载或仅显示月日且文章无日期，无法据页面判断")
        self.absent()
        self.freshness()
        self.vetoes()
        self.interaction()
        self.org()
        self.interpretation()
        self.design()
        self.reports()
        self.sub_platforms()
        self.future()
        self.wording()
        self.not_twice()
        return self.out

    def not_twice(self) -> None:
        """其他栏目 rules marked not_if_penalised_elsewhere: a column another counted rule already cites is not
        penalised again (因空白、应更新未更新等原因已按其他指标扣分的，本指标项下不重复扣分)."""
        def once(code: str) -> bool:
            return bool(self.rs.rule(code).params.get("not_if_penalised_elsewhere"))
        cited = set()
        for e in self.out.findings:
            if not once(e.code) and self.rs.rule(e.code).scored:
                cited.add(e.key)
                cited.update(e.cols)
        self.out.findings = [e for e in self.out.findings if not (once(e.code) and e.key in cited)]

    def absent(self) -> None:
        kinds = {c.kind for c in self.cols}
        for code, kind in _yaml("checks")["required_kinds"].items():
            if not self.has(code) or kind in kinds:
                continue
            if self.rs.indicator_of(code).service and not self.site.public_service:
                continue
            if not self.tree_known():  # not provable from the pages: a person opens the 网站地图
                self.out.manual.append(ManualExp(code, set(), set(), f"栏目树不完整（网站地图只链接在脚本加载的页脚中），"
                                                                      f"无法判断是否开设{kind}类栏目"))
                continue
            self.out.add(code, "", why=f"未开设{kind}类栏目")

    def stale_window(self, code: str, col: Column, cols: list[Column] | None = None) -> None:
        """A finding when the readable columns prove no entry within the window; none when a column the
        pages do not decide could hold one (that column has its own 需人工核查 item, or is data-loaded)."""
        cols = cols or [col]
        start = window_start(self.rs, code, self.at)
        last = self.newest([c for c in cols if self.state(c) == "page"])
        if last is not None and last >= start:
            return
        if any(self.state(c) != "page" for c in cols):
            return
        self.out.add(code, ckey(col), why=f"{col.path_str} 最新 {last}，早于 {start}")

    def freshness(self) -> None:
        rs, at = self.rs, self.at
        if self.has("D04.2"):
            for c in self.lists():
                if c.kind == "动态要闻":
                    self.stale_window("D04.2", c)
        for code, kind in (("D05.2", "政策文件"), ("D06.2", "政策解读")):
            if self.has(code):
                for root in self.policy_roots(kind):
                    self.stale_window(code, root, self.subtree_lists(root))
        for c in self.lists():
            if self.state(c) != "page" or self.specific(c):
                continue
            if c.blank and self.has("D09.1"):
                self.out.add("D09.1", ckey(c), why=f"{c.path_str} 空白")
            elif not c.blank and self.has("D09.2"):
                last = self.newest([c])
                cyc = cycle(rs, c.kind)
                if last is None or last < at - dt.timedelta(days=cyc):
                    self.out.add("D09.2", ckey(c), why=f"{c.path_str} 最新 {last}，周期 {cyc} 天")
        if self.site.public_service:
            for c in self.lists():
                if c.kind != "办事统计" or self.state(c) != "page":
                    continue
                last = self.newest([c])
                for code in ("D12.3", "D12.2"):
                    if self.has(code) and (last is None or last < window_start(rs, code, at)):
                        self.out.add(code, ckey(c), why=f"{c.path_str} 最新 {last}")
                        break
        if self.has("D18.3"):
            for c in self.lists():
                if c.kind == "咨询/留言" and self.state(c) == "page":
                    self.stale_window("D18.3", c)

    def vetoes(self) -> None:
        rs, at = self.rs, self.at
        # V3: the newest date the home page shows, as a reader can date it (a MM-DD row takes its year from its
        # article or URL; a row whose article prints no date has none). Issue 10's evidence standard: a date that
        # is only a MM-DD guess decides nothing, fresh or stale, so such a home page is for a person.
        sure, read = self.home_dates()
        if self.has("V3"):
            ws = window_start(rs, "V3", at)
            newest = max(read) if read else None
            if newest is None:
                self.out.manual.append(ManualExp("V3", set(), set(), "首页无带日期的信息"))
            elif newest >= ws and (not sure or max(sure) < ws):
                self.out.manual.append(ManualExp("V3", set(), set(), "首页仅凭月日推定为新，年份无从确认"))
            elif newest < ws and (not sure or max(sure) < newest):
                self.out.manual.append(ManualExp("V3", set(), set(), "首页最新日期仅显示月日，年份无从确认"))
            elif newest < ws:
                self.out.add("V3", "", why=f"首页最新 {newest}")
        # V4.1: stale 动态要闻 (2 weeks) and 通知公告/政策文件 (6 months) columns
        hits = []
        for kinds, wcode in ((("动态要闻",), "D04.2"), (("通知公告", "政策文件"), "D05.2")):
            start = window_start(rs, wcode, at)
            for c in self.lists():
                if c.kind in kinds and self.state(c) == "page":
                    last = self.newest([c])
                    if last is None or last < start:
                        hits.append(c)
        if self.has("V4.1") and len(hits) >= int(rparam(rs, "V4.1", "threshold_count")):
            self.out.add("V4.1", "", why="、".join(c.name for c in hits), hi=None, cols=[ckey(c) for c in hits])
        # V4.2: columns older than their kind's cycle (blank ones are V4.3's)
        long = [c for c in self.lists() if self.state(c) == "page" and not c.blank
                and (self.newest([c]) or dt.date.min) < at - dt.timedelta(days=cycle(rs, c.kind))]
        if self.has("V4.2") and len(long) >= int(rparam(rs, "V4.2", "threshold_count")):
            self.out.add("V4.2", "", why="、".join(c.name for c in long), hi=None, cols=[ckey(c) for c in long])
        blanks = [c for c in self.lists() if c.blank and self.state(c) == "page"]
        if self.has("V4.3") and len(blanks) >= int(rparam(rs, "V4.3", "threshold_count")):
            self.out.add("V4.3", "", why="、".join(c.name for c in blanks), hi=None, cols=[ckey(c) for c in blanks])

    def interaction(self) -> None:
        rs, at = self.rs, self.at
        msg_cols = [c for c in self.cols if c.ctype == "messages"]
        ch = self.sp.get("channel_broken")
        if ch in ("closed", "missing") and self.has("V5.1"):
            self.out.add("V5.1", "", why=f"在线咨询渠道{ch}")
        elif ch == "error":
            self.out.manual.append(ManualExp("V5.1", set(), set(), "写信页面服务器错误（5xx），需人工确认"))
        msgs = [it for c in msg_cols for it in c.items]
        if self.has("V5.2"):
            start = at - dt.timedelta(days=int(rparam(rs, "V5.2", "window_days")))
            over = int(rparam(rs, "V5.2", "overdue_days"))
            late = [it for it in msgs if start <= it.date <= at and (
                (it.extra.get("answered") is None and (at - it.date).days > over)
                or (it.extra.get("answered") is not None and it.extra["answered"] <= at
                    and (it.extra["answered"] - it.date).days > over))]
            if late:
                self.out.add("V5.2", "", len(late), why="、".join(str(it.date) for it in late))
        for c in msg_cols:
            if c.blank and self.has("D18.1"):
                self.out.add("D18.1", "", why="未公开网民留言")
        if self.has("D18.4") and msg_cols and self.sp.get("message_stats") is False:
            if self.tree_known():
                self.out.add("D18.4", "", why="未公开留言统计")
            elif any(not c.blank and c.items for c in msg_cols):  # statistics could be on a page only the 网站地图 links
                self.out.manual.append(ManualExp("D18.4", set(), set(), "栏目树不完整，无法确认未公开留言统计"))
        if self.has("D18.2") and msgs:
            hidden = [it for it in msgs if self.message_lacks(it)]
            size = min(int(rparam(rs, "D18.2", "sample_size")), len(msgs))
            lo, hi = max(0, size - (len(msgs) - len(hidden))), min(size, len(hidden))
            if hi:
                self.out.add("D18.2", "", lo, hi=hi, why=f"{len(hidden)}/{len(msgs)} 条留言缺字段")
        # consultations: V1.5 impossible periods, X01 no feedback
        max_lead = int(rparam(rs, "V1.5", "max_start_lead_days"))
        for c in self.cols:
            for it in c.items:
                if it.kind != "consult":
                    continue
                x = it.extra
                fraud = ((it.date - x["start"]).days > max_lead or x["start"] == x["end"] or x["end"] < x["start"]
                         or it.date > x["end"])
                if fraud and self.has("V1.5"):
                    self.out.add("V1.5", ikey(it), why=f"征集期 {x['start']}—{x['end']}，发布 {it.date}")
                    continue
                if not self.has("X01"):
                    continue
                start = at - dt.timedelta(days=int(rparam(rs, "X01", "window_days")))
                due = x["end"] + dt.timedelta(days=int(rparam(rs, "X01", "feedback_due_days")))
                if not (start <= x["end"] < at) or due >= at:
                    continue
                fb = x.get("feedback")
                if fb is None or fb.date > due:
                    self.out.add("X01", ikey(it), why=f"{x['end']} 结束，无反馈")

    @staticmethod
    def message_lacks(it: Item) -> bool:
        """A published message whose page omits a field it has (a letter not yet answered has no answer to show:
        that is V5.2's matter, not a field left out)."""
        hidden = it.extra.get("hidden") or ()
        x = it.extra
        if "留言时间" in hidden:
            return True
        if not x.get("answered"):
            return False
        return any(f in hidden for f in ("答复时间", "答复单位", "答复内容"))

    def org(self) -> None:
        for c in self.cols:
            if c.ctype == "org" and self.has("D02.2"):
                unit_hours = bool(cv(c).get("unit_hours"))
                for s in c.content["sections"]:
                    if not s["head"]:
                        self.out.add("D02.2", f"{s['name']}|负责人", why=f"{s['name']} 无负责人")
                    if not s["hours"] and not unit_hours:
                        self.out.add("D02.2", f"{s['name']}|办公时间", why=f"{s['name']} 无办公时间")
            if c.ctype == "leaders" and self.has("D03.2"):
                for ld in c.content["leaders"]:
                    if not ld["resume"]:
                        self.out.add("D03.2", ld["name"], why=f"{ld['name']} 无简历")

    def sampled(self, code: str, pool: list[Item], bad: set[int]) -> None:
        """Findings of a check drawing `sample_size` of the newest `pool_newest` items: a range when the draw matters."""
        n_pool = rparam(self.rs, code, "pool_newest")
        size = int(rparam(self.rs, code, "sample_size"))
        pool = sorted(pool, key=lambda it: it.date, reverse=True)
        if n_pool:
            n_pool = int(n_pool)
            if len(pool) > n_pool:
                edge = pool[n_pool - 1].date
                sure = [it for it in pool if it.date > edge]
                tied = [it for it in pool if it.date == edge]
                k = n_pool - len(sure)
                tb = sum(it.id in bad for it in tied)
                sure_bad = sum(it.id in bad for it in sure)
                lo_pool, hi_pool = sure_bad + max(0, k - (len(tied) - tb)), sure_bad + min(k, tb)
                pool_n = n_pool
            else:
                lo_pool = hi_pool = sum(it.id in bad for it in pool)
                pool_n = len(pool)
        else:
            lo_pool = hi_pool = sum(it.id in bad for it in pool)
            pool_n = len(pool)
        take = min(size, pool_n)
        lo, hi = max(0, take - (pool_n - lo_pool)), min(take, hi_pool)
        if hi > 0:
            self.out.add(code, "", lo, hi=hi, why=f"最新{pool_n}件中{lo_pool}–{hi_pool}件")

    def interpretation(self) -> None:
        pols = [it for root in self.policy_roots("政策文件") for c in self.subtree_lists(root)
                if self.state(c) != "manual" for it in c.items
                if it.kind == "policy" and it.date <= self.at and it.extra.get("issuer") in (self.site.footer.get("sponsor"), self.site.unit)]
        interps = [it for c in self.cols if c.ctype == "interps" for it in c.items if it.date <= self.at]
        published = {id(i) for i in interps}
        if self.has("D07") and pols:
            bad = {p.id for p in pols if not (p.extra.get("interp") is not None and id(p.extra["interp"]) in published)}
            self.sampled("D07", pols, bad)
        if self.has("D08") and interps:
            bad = set()
            for i in interps:
                if not i.extra.get("links_policy", True):
                    bad.add(i.id)
                elif not i.extra["policy"].extra.get("links_interp", True):
                    bad.add(i.id)
            self.sampled("D08", interps, bad)

    def design(self) -> None:
        rs, sp = self.rs, self.sp
        if self.v.get("themed_name") and self.has("D20.2"):
            self.out.add("D20.2", "", why=f"网站名称“{self.site.name}”")
        hn = sp.get("header_no_name")
        if hn == "slogan" and self.has("D20.3"):
            if self.renderer().header_box:
                self.out.add("D20.3", "", why="头部为标语，无网站名称")
            else:  # only the logo box is marked: the name could stand beside it, a person looks at the header
                self.out.manual.append(ManualExp("D20.3", set(), set(), "标志框只显示标语，页面未标出头部区域"))
        elif hn == "logo":
            self.out.manual.append(ManualExp("D20.3", set(), set(), "头部只有标志图片"))
        f = self.site.footer
        if self.v.get("footer_script"):
            self.out.manual.append(ManualExp("D21", set(), set(), "页脚由脚本加载"))
        else:
            names = official_elements()
            absent_home = set((f.get("absent_on") or {}).get("home", ()))
            absent_inner = set((f.get("absent_on") or {}).get("inner", ()))
            if self.has("D21"):
                for el, key in FOOTER_KEYS.items():
                    if not f["present"][el] or el in absent_home or el in absent_inner:
                        self.out.add("D21", names[key], why=f"页脚缺{names[key]}")
            entry_home = f["present"]["error_report_entry"] and "error_report_entry" not in absent_home
            entry_inner = f["present"]["error_report_entry"] and "error_report_entry" not in absent_inner
            if not entry_home and self.has("D23.1"):
                self.out.add("D23.1", "", why="首页无找错入口")
            if not entry_inner and self.has("D23.2"):
                self.out.add("D23.2", "", 1, hi=None, why="内页无找错入口")
        # dead links: planted ones, and the letter page when it is gone or errors (linked from the home page
        # and the message list). A confirmed failure (404) is a finding; a server error is for a person.
        dead: list[tuple[str, int, bool]] = []  # (url, status, on the home page)
        for b in sp.get("broken") or ():
            if b["on"] == "home":
                dead.append((b["url"], int(b["status"]), True))
            elif b.get("items"):
                dead.append((b["url"], int(b["status"]), False))
        ch_status = {"missing": 404, "error": 500}.get(sp.get("channel_broken"))
        if ch_status:
            dead.append((sp["write_url"], ch_status, True))
            if any(c.ctype == "messages" for c in self.cols):  # the letter box page shows the entry too
                dead.append((sp["write_url"], ch_status, False))
        for url, status, home in dead:
            code = "D22.1" if home else "D22.2"
            if not self.has(code):
                continue
            if link_confirmed(status):
                self.out.add(code, url, why=f"{'首页' if home else '内页'}链接 HTTP {status}")
            else:
                self.out.manual.append(ManualExp(code, {url}, set(), f"链接 HTTP {status}，需人工复核"))
        sb = sp.get("search_broken")
        if sb and self.has("D25.1"):
            self.out.add("D25.1", "", why=f"站内搜索{sb}")
        elif sp.get("search_indexed_until") and self.has("D25.2"):
            until = sp["search_indexed_until"]
            titles = [it for it in self.site.items_by_id.values()]
            if all(it.date > until for it in titles):
                self.out.add("D25.2", "", int(rparam(rs, "D25.2", "sample_size")), why="搜索索引未更新")
        for pages, tags in sp.get("meta_missing") or ():
            for code, ptype in (("D27.1", "content"), ("D27.2", "column")):
                if pages in ("all", ptype) and self.has(code):
                    self.out.add(code, "", int(rparam(rs, code, "sample_size")), why=f"{ptype}页缺{tags}标签")

    def reports(self) -> None:
        reps = [it for c in self.cols if c.ctype == "reports" for it in c.items]
        if not reps:
            return
        md = str(rparam(self.rs, "X03.1", "deadline_month_day")) if self.has("X03.1") else "01-31"
        m, d = (int(x) for x in md.split("-"))
        year = self.at.year - 1
        if dt.date(year + 1, m, d) >= self.at:
            year -= 1
        by_year = {it.extra["year"]: it for it in reps}
        cur = by_year.get(year)
        if cur is not None and self.has("X03.1") and cur.date > dt.date(year + 1, m, d):
            self.out.add("X03.1", "", why=f"{year}年年报 {cur.date} 公开")
        prev = by_year.get(year - 1)
        if cur is not None and prev is not None and self.has("X03.2") and cur.extra["section5"] == prev.extra["section5"]:
            self.out.add("X03.2", "", why=f"{year - 1}、{year}年年报第五部分雷同")

    def sub_platforms(self) -> None:
        if not self.has("X02"):
            return
        start = window_start(self.rs, "X02", self.at)
        for c in self.site.all_columns():
            if cv(c).get("sub_platform") and c.kind == "政策文件" and is_list(c):
                last = self.newest([c])
                if last is None or last < start:
                    self.out.add("X02", ckey(c), why=f"{c.path_str} 最新 {last}")

    def future(self) -> None:
        for c in self.site.all_columns():
            late = [it for it in c.items if it.date > self.at]
            if late:
                self.out.anomalies.append(Exp("X04", ckey(c), 1, 1, f"{c.path_str} {max(it.date for it in late)}"))
        # the home page shows such a date only when it prints years (a MM-DD home block hides the year: the
        # column's own list and the article carry the anomaly)
        if self.v.get("home_date") != "md" and any(it.date > self.at for it in self.home_items()):
            self.out.anomalies.append(Exp("X04", "/", 1, 1, "首页显示监测时间点之后的日期"))

    def wording(self) -> None:
        if not self.has("V1.1"):
            return
        for it in self.site.items_by_id.values():
            if it.extra.get("wording"):
                self.out.add("V1.1", ikey(it), why=f"“{it.extra['wording']}”（严重表述错误）")

    def home_dates(self) -> tuple[list[dt.date], list[dt.date]]:
        """(dates a reader can confirm, every date as read) of the home page's rows up to the time point. A MM-DD
        row whose article prints no date (dede `blind` columns: no date in the URL either) is read with the latest
        year in which that day is not after the time point."""
        sure: list[dt.date] = []
        read: list[dt.date] = []
        md = self.v.get("home_date", "md") == "md"
        for it in self.home_items():
            if not md or not self.renderer().blind(it.column):
                if it.date <= self.at:
                    sure.append(it.date)
                    read.append(it.date)
                continue
            for y in (self.at.year, self.at.year - 1):
                try:
                    d = dt.date(y, it.date.month, it.date.day)
                except ValueError:
                    continue
                if d <= self.at:
                    read.append(d)
                    break
        return sure, read

    def home_items(self) -> list[Item]:
        rows: list[Item] = []
        frozen = self.sp.get("home_last")
        for cid in self.sp.get("home_blocks", []):
            col = self.site.cols_by_id[cid]
            shown = col.items if frozen is None else [it for it in col.items if it.date <= frozen]
            rows += shown[: int(self.sp.get("home_rows", 6))]
        return rows


def expect(site: SimSite, at: dt.date, rs: RuleSet) -> Expected:
    return Oracle(site, at, rs).run()


# ---------------------------------------------------------------------------------------------- matching


def canonical(site: SimSite, url: str | None) -> str:
    """A URL as the model knows it: col:<id>, item:<id>, or its path (+ query) when the site has no page there."""
    if not url:
        return ""
    parts = urlsplit(url)
    path = parts.path or "/"
    query = dict(parse_qsl(parts.query))
    r = site.special.get("_renderer")
    if r is None:
        r = site.special["_renderer"] = vrenderer_for(site, site.special.get("t0"))
    t = r.resolve(path, query)
    if t is not None and t[0] == "column":
        return ckey(t[1])
    if t is not None and t[0] == "item":
        return ikey(t[1])
    if t is not None and t[0] == "home":
        return "/"
    return path + (f"?{parts.query}" if parts.query else "")


def found_key(site: SimSite, f) -> str:
    """The key of a checker finding, in the oracle's terms."""
    code, ev = f.code, f.evidence
    first = ev[0] if ev else None
    if code in ("D04.2", "D05.2", "D06.2", "D09.1", "D09.2", "D12.2", "D12.3", "D18.3", "X02", "X04"):
        for e in ev:
            k = canonical(site, e.url)
            if k.startswith("col:") or (code == "X04" and k == "/"):
                return k
        return _by_path(site, first.path if first else None)
    if code == "D21":
        return str(f.params.get("element", ""))
    if code in ("D22.1", "D22.2"):
        return canonical(site, first.url if first else None)
    if code == "D02.2":
        note = (first.note or "") if first else ""
        what = "办公时间" if "办公时间" in note else "负责人" if "负责人" in note else note
        return f"{first.title if first else ''}|{what}"
    if code == "D03.2":
        return first.title or "" if first else ""
    if code in ("V1.5", "X01", "V1.1"):
        return canonical(site, first.url if first else None)
    return ""


def _by_path(site: SimSite, path: str | None) -> str:
    if not path:
        return "?"
    leaf = path.split(">")[-1].strip()
    hits = [c for c in site.all_columns() if c.name == leaf]
    return ckey(hits[0]) if len(hits) == 1 else f"?{path}"


def found_count(f) -> int:
    return len(f.evidence) if f.code == "V5.2" else 1


@dataclass
class Row:
    """One (code, key): expected lo..hi (hi None: at least lo), found n."""

    code: str
    key: str
    lo: int
    hi: int | None
    found: int
    why: str = ""

    @property
    def tp(self) -> int:
        return min(self.found, self.lo)

    @property
    def fn(self) -> int:
        return max(0, self.lo - self.found)

    @property
    def fp(self) -> int:
        return max(0, self.found - self.hi) if self.hi is not None else 0


@dataclass
class SiteResult:
    site: str
    unit: str
    rows: list[Row]
    manual_missing: list[ManualExp]
    manual_found: int
    manual_expected: int

    @property
    def ok(self) -> bool:
        return all(r.fp == 0 and r.fn == 0 for r in self.rows) and not self.manual_missing

    def problems(self) -> list[str]:
        out = []
        for r in self.rows:
            if r.fp or r.fn:
                want = f"{r.lo}" if r.hi == r.lo else f"{r.lo}–{r.hi if r.hi is not None else '∞'}"
                out.append(f"{r.code} [{r.key or '-'}] 应为 {want}，实为 {r.found}" + (f"（{r.why}）" if r.why else ""))
        for m in self.manual_missing:
            out.append(f"需人工核查缺失 {m.code or ''} [{', '.join(sorted(m.keys)) or '-'}]：{m.why}")
        return out


def compare(site: SimSite, exp: Expected, findings: list, manual: list, anomalies: list) -> SiteResult:
    """Match one site's inspection output with its expectations (counts per (code, key))."""
    got: dict[tuple[str, str], int] = {}
    for f in list(findings) + list(anomalies):
        k = (f.code, found_key(site, f))
        got[k] = got.get(k, 0) + found_count(f)
    want: dict[tuple[str, str], Row] = {}
    for e in exp.findings + exp.anomalies:
        k = (e.code, e.key)
        if k in want:  # two expectations on one key add up
            r = want[k]
            r.lo += e.lo
            r.hi = None if r.hi is None or e.hi is None else r.hi + e.hi
            r.why += "；" + e.why
        else:
            want[k] = Row(e.code, e.key, e.lo, e.hi, 0, e.why)
    rows = list(want.values())
    for k, n in got.items():
        if k not in want:
            rows.append(Row(k[0], k[1], 0, 0, n, "模型未预期"))
        else:
            want[k].found = n
    for r in rows:
        if r.code in PRESENCE_ONLY:  # a veto or a per-page count: whether it is there
            r.lo, r.hi, r.found = min(r.lo, 1), min(r.hi, 1) if r.hi is not None else 1, min(r.found, 1)
    missing = [m for m in exp.manual if not any(_manual_matches(site, m, it) for it in manual)]
    return SiteResult(site=site.key, unit=site.unit, rows=rows, manual_missing=missing, manual_found=len(manual),
                      manual_expected=len(exp.manual))


def _manual_matches(site: SimSite, m: ManualExp, it) -> bool:
    if m.code and not m.keys and it.code != m.code:
        return False
    if not m.keys:
        return it.code == m.code
    keys = {canonical(site, u) for u in (it.urls or [])}
    if keys & m.keys:
        return True
    return any(n and n in (it.what or "") for n in m.names)
