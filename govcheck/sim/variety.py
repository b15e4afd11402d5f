"""The `variety` scenario: from a seed, N government sites built differently from the replica's templates.

The replica (scenario files + trs/hanweb/xxgk) was the checks' only teacher. This generator draws each site's
structure at random — which columns exist and what they are called (outside any vocabulary too), how deep
they nest, menus that only link to sub-pages, how lists print dates (年月日, MM-DD only), whether a list is in
the HTML, in records inside a script element (Hanweb `<datastore>`) or loaded from a JSON endpoint — and
renders it in page styles modelled on real chrome (see variety_render.py). Defects are drawn from the rule
catalogue; what an inspection *should* find is computed from the site model (variety_oracle.py), never from
the checker.

Every site is a function of (seed, index) alone, so a region can be served in slices by several processes
(`build_variety(seed, n, part=k, parts=m)`) and still be the same region.

Content (titles, org sections, messages, consultations, reports) is produced by the replica's site builder
(`scenario._Builder`), fed a column tree and defect list generated here; the page structure is not.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .scenario import Column, Scenario, SimSite, _Builder, derive_seed, load_data

VSTYLES = ("powereasy", "dede", "avalon", "jcms", "zfxxgk")
# The list modes each style draws from (v.mode; see presentation()).
STYLE_MODES = {"powereasy": ("static", "md"), "dede": ("static", "md", "blind"),
               "avalon": ("static", "partial", "opaque", "json"), "jcms": ("datastore", "static"),
               "zfxxgk": ("static", "json")}
DEFAULT_T0 = dt.date(2022, 5, 15)
# One time point per seed family: the generator is not tied to one month of one year.
T0_CHOICES = (dt.date(2022, 5, 15), dt.date(2022, 9, 20), dt.date(2023, 6, 16), dt.date(2021, 11, 18))
SCENARIO_NAME = "variety"


def vdata() -> dict[str, Any]:
    return load_data("variety.yaml")


def time_point_for(seed: int) -> dt.date:
    return T0_CHOICES[derive_seed("variety-t0", seed) % len(T0_CHOICES)]


# ---------------------------------------------------------------------------------------------- options


@dataclass
class Options:
    """What a region draws. The defaults are the bench's; tests may narrow them."""

    portal_share: float = 0.15     # share of county portals (with department/township sub-platforms)
    clean_share: float = 0.25      # share of sites with no defect at all
    max_defects: int = 4           # defects per defective site: 1..max
    styles: tuple[str, ...] = VSTYLES
    size: float = 1.0              # scales item counts (0.5 for small test regions)
    json_stale: bool = False       # JSON-loaded columns may be stale/blank and are judged from their data
                                   # (for a pass that loads them, e.g. a browser): the oracle expects findings
    compliant_county_every: int = 20  # site i with i % this == 5 is a county portal with no defect at all
    force_mode: str | None = None  # every list of a style that has this mode prints that way (e.g. "json" with
                                   # json_stale: sites whose lists come only from JSON, for a browser pass)


# ---------------------------------------------------------------------------------------------- drawing


class Draw:
    """Seeded choices for one site."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, seq):
        return self.rng.choice(list(seq))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def between(self, lo: int, hi: int) -> int:
        return self.rng.randint(int(lo), int(hi))


@dataclass
class Plan:
    """A site's column tree being drawn: nodes are builder column specs with a `v` dict of presentation."""

    nodes: list[dict] = field(default_factory=list)

    def walk(self, nodes: list[dict] | None = None, parents: tuple = ()):
        for n in (self.nodes if nodes is None else nodes):
            yield n, parents
            yield from self.walk(n.get("children") or [], parents + (n,))

    def path(self, node: dict) -> str:
        for n, parents in self.walk():
            if n is node:
                return ">".join(["首页"] + [p["name"] for p in parents] + [n["name"]])
        raise KeyError(node.get("name"))

    def of_kind(self, kind: str, list_only: bool = False) -> list[dict]:
        return [n for n, _ in self.walk() if n.get("kind") == kind and not n.get("v", {}).get("sub_platform")
                and (not list_only or (n.get("type", "list") == "list" and not n.get("children")))]

    def remove(self, node: dict) -> None:
        def rm(nodes: list[dict]) -> bool:
            for i, n in enumerate(nodes):
                if n is node:
                    del nodes[i]
                    return True
                if rm(n.get("children") or []):
                    return True
            return False
        rm(self.nodes)

    def prune(self) -> None:
        def keep(nodes: list[dict]) -> list[dict]:
            out = []
            for n in nodes:
                if n.get("children") is not None and n.get("type") == "nav":
                    n["children"] = keep(n["children"])
                    if not n["children"]:
                        continue
                out.append(n)
            return out
        self.nodes[:] = keep(self.nodes)


class SiteDrawer:
    """Draws one site: identity, style, column tree, presentation and defects."""

    def __init__(self, seed: int, index: int, t0: dt.date, opts: Options):
        self.seed, self.index, self.t0, self.opts = seed, index, t0, opts
        self.rng = random.Random(derive_seed("variety", seed, index))
        self.d = Draw(self.rng)
        self.V = vdata()
        self.used_names: set[str] = set()
        self.plants: list[dict] = []
        self.defects: list[dict] = []  # builder defects
        self.v: dict[str, Any] = {}     # site presentation
        self.plan = Plan()

    # -- identity
    def identity(self) -> dict[str, Any]:
        d, V = self.d, self.V
        place = V["places"][(self.seed + self.index) % len(V["places"])] if d.chance(0.5) else d.pick(V["places"])
        every = self.opts.compliant_county_every
        self.compliant_county = bool(every) and self.index % every == 5
        portal = self.compliant_county or d.chance(self.opts.portal_share)
        self.portal = portal
        if portal:
            full = f"{place['county']}人民政府"
            unit = full
            short = place["county"]
            name = d.pick([f"{place['county']}人民政府", f"{place['county']}人民政府门户网站", f"{place['county']}人民政府网"])
            slug = "www"
        else:
            dep = d.pick(V["departments"])
            full = f"{place['county']}{dep['full']}"
            unit = f"{place['county'][:-1]}{dep['unit']}" if d.chance(0.3) else full
            short = f"县{dep['unit']}"
            name = d.pick(V["site_name_forms"]).format(place=place["county"], full=dep["full"])
            slug = dep["slug"]
        self.place = place
        self.public_service = True if portal else d.chance(0.85)
        key = f"v{self.seed % 100000}-{self.index:04d}"
        code_no = derive_seed("sitecode", self.seed, self.index) % 10**6
        return {
            "key": key, "unit": unit, "full_unit": full, "short": short, "name": name,
            "region": place["region"], "kind": "门户" if portal else "部门", "city": place["city"],
            "public_service": self.public_service,
            "site_id_code": f"{4200 + self.index % 90:04d}{code_no:06d}",
            "domain": f"{slug}.{place['slug']}{self.index}.gov.cn",
            "doc_prefix": f"{place['short']}{'政发' if portal else d.pick(['发', '文', '字'])}",
            "footer": {
                "icp": f"鄂ICP备{derive_seed('icp', self.seed, self.index) % 10**8:08d}号",
                "phone": f"0715-{8100000 + derive_seed('ph', self.seed, self.index) % 899999}",
                "address": f"{place['county']}{d.pick(['人民大道', '建设路', '解放路', '新华路'])}{d.between(1, 300)}号",
                "police": f"鄂公网安备 {derive_seed('pol', self.seed, self.index) % 10**14:014d}号",
                "conac_id": f"{derive_seed('conac', self.seed, self.index):X}"[:16],
            },
        }

    # -- names
    def name_for(self, kind: str, sub: bool = False) -> str:
        pool = self.V["kinds"][kind]["sub_names" if sub else "names"]
        choices = [n for n in pool if n not in self.used_names] or [f"{pool[0]}{len(self.used_names)}"]
        name = self.d.pick(choices)
        self.used_names.add(name)
        return name

    def menu_name(self, group: str) -> str:
        choices = [n for n in self.V["menus"][group] if n not in self.used_names] or [f"{group}{len(self.used_names)}"]
        name = self.d.pick(choices)
        self.used_names.add(name)
        return name

    # -- nodes
    def fresh_latest(self, kind: str) -> str:
        k = self.V["kinds"].get(kind) or {}
        return (self.t0 - dt.timedelta(days=self.d.between(0, int(k.get("fresh", 150))))).isoformat()

    def list_node(self, kind: str, name: str | None = None, bank: str | None = None, **v) -> dict:
        k = self.V["kinds"].get(kind) or {}
        lo, hi = k.get("count", [3, 12])
        count = max(2, round(self.d.between(lo, hi) * self.opts.size))
        every = self.d.between(*k.get("every", [14, 60]))
        node = {"name": name or self.name_for(kind), "kind": kind, "type": "list", "count": count,
                "every": every, "fixed_count": True, "latest": self.fresh_latest(kind),
                "page_size": self.d.pick([10, 12, 15, 20]), "v": {"bank": bank or k.get("titles"), **v}}
        return node

    def other_node(self) -> dict:
        names = [n for n in self.V["other_columns"] if n not in self.used_names]
        name = self.d.pick(names)
        self.used_names.add(name)
        node = self.list_node("其他", name=name, bank="other:" + self.V["other_columns"][name])
        node["count"] = max(2, round(self.d.between(3, 12) * self.opts.size))
        node["every"] = self.d.between(15, 60)
        node["latest"] = (self.t0 - dt.timedelta(days=self.d.between(0, 200))).isoformat()
        return node

    def menu(self, group: str, children: list[dict], **v) -> dict:
        return {"name": self.menu_name(group), "kind": "栏目导航", "type": "nav", "children": children,
                "v": {"menu": self.d.pick(["blocks", "links", "redirect"]), **v}}

    # -- the tree
    def tree(self) -> list[dict]:
        d = self.d
        news = [self.list_node("动态要闻") for _ in range(d.between(1, 3 if self.portal else 2))]
        notices = [self.list_node("通知公告")]
        # 政策文件: one list, or a menu-like root with sub-columns (规范性文件 …) judged as one subtree
        if d.chance(0.35):
            subs = [self.list_node("政策文件", name=self.name_for("政策文件", sub=True), interpret=True)
                    for _ in range(d.between(2, 3))]
            for s in subs[1:]:
                s["count"] = max(2, s["count"] // 2)
            policy = {"name": self.name_for("政策文件"), "kind": "政策文件", "type": "nav", "children": subs,
                      "v": {"menu": d.pick(["blocks", "links", "redirect"])}}
            for s in subs:
                s["interpret"] = True
        else:
            policy = self.list_node("政策文件")
            policy["interpret"] = True
        interps = {"name": self.name_for("政策解读"), "kind": "政策解读", "type": "interps",
                   "page_size": d.pick([10, 15, 20]), "v": {}}
        about = [
            {"name": self.name_for("概况信息"), "kind": "概况信息", "type": "page", "paragraphs": d.between(3, 6), "v": {}},
            {"name": self.name_for("机构职能"), "kind": "机构职能", "type": "org", "sections": d.between(3, 7),
             "v": {"org_layout": d.pick(["headings", "table", "dl"]), "unit_hours": d.chance(0.3)}},
            {"name": self.name_for("领导信息"), "kind": "领导信息", "type": "leaders",
             "v": {"leader_layout": d.pick(["single", "single", "detail"])}},
        ]
        guide_page = {"name": self.name_for("信息公开指南"), "kind": "信息公开指南", "type": "page", "paragraphs": 4, "v": {}}
        reports = {"name": self.name_for("年报"), "kind": "年报", "type": "reports",
                   "years": [self.t0.year - 3, self.t0.year - 2, self.t0.year - 1] if self.t0 > dt.date(self.t0.year, 1, 31)
                   else [self.t0.year - 4, self.t0.year - 3, self.t0.year - 2], "v": {}}
        optional_kinds = ["人事信息", "规划计划", "统计信息", "财政预决算", "政府采购", "应急管理", "信息公开制度"]
        optional = [self.list_node(k) for k in d.rng.sample(optional_kinds, d.between(1, 4 if not self.portal else 6))]
        others = [self.other_node() for _ in range(d.between(1, 3))]
        messages = {"name": self.name_for("咨询/留言"), "kind": "咨询/留言", "type": "messages",
                    "count": max(4, round(d.between(6, 24) * self.opts.size)), "every": d.between(3, 9),
                    "latest": self.fresh_latest("咨询/留言"), "page_size": d.pick([10, 15]), "v": {}}
        consult = {"name": self.name_for("调查征集"), "kind": "调查征集", "type": "consultations",
                   "count": d.between(1, 3), "older": d.between(0, 2), "ongoing": d.pick([0, 0, 1]), "v": {}}
        interact = [messages, consult]
        if d.chance(0.3):
            interact.append(self.list_node("在线访谈"))
        service = [self.list_node("办事指南")] if d.chance(0.8) else []
        stats = {**self.list_node("办事统计"), "count": d.between(3, 8), "every": 30}
        stats["latest"] = (self.t0 - dt.timedelta(days=d.between(0, 8))).isoformat()
        service.append(stats)
        topics = []
        if d.chance(0.35) or self.portal:
            for t in d.rng.sample(self.V["topics"], d.between(1, 3)):
                self.used_names.add(t)
                n = self.list_node("专题专栏", name=t)
                topics.append(n)

        # arrangement: the same columns, grouped and nested differently per site
        layout = d.pick(["grouped", "flat", "deep"])
        self.v["layout"] = layout
        placed_others = {id(o): d.pick(["top", "open"]) for o in others}
        top_others = [o for o in others if placed_others[id(o)] == "top"]
        open_others = [o for o in others if placed_others[id(o)] == "open"]
        if layout == "flat":
            top = news + notices + [policy, interps] + about
            top.append(self.menu("open", [guide_page, reports] + optional + open_others))
        elif layout == "grouped":
            top = [self.menu("news", news + notices),
                   self.menu("about", about, menu=d.pick(["links", "links", "blocks", "redirect"]))]
            statutory = [policy, interps] + optional + open_others
            if d.chance(0.5):
                statutory = [self.menu("statutory", statutory)]
            top.append(self.menu("open", [guide_page] + statutory + [reports]))
        else:  # deep: 政务公开 > (政府信息公开 >) 法定主动公开内容 > …
            top = [self.menu("news", news + notices)]
            stat = self.menu("statutory", about + [policy, interps] + optional + open_others)
            inner = [guide_page, stat, reports]
            top.append(self.menu("open", [self.menu("open", inner)] if d.chance(0.5) else inner))
        if self.compliant_county:
            top = self.standard_platform(top, guide_page, reports, about, policy, interps, optional, open_others)
        top += top_others
        top.append(self.menu("interact", interact))
        top.append(self.menu("service", service))
        if topics:
            top.append(self.menu("topics", topics))
        if self.portal:  # the compliant county carries them on its 政府信息公开 column, as the rule wants
            (self.platform_node["children"] if self.compliant_county else top).append(self.platforms())
        return top

    def standard_platform(self, top: list[dict], guide: dict, reports: dict, about: list[dict], policy: dict,
                          interps: dict, optional: list[dict], open_others: list[dict]) -> list[dict]:
        """The compliant county's platform in the national shape (国办公开办函〔2019〕61号): one column named
        政府信息公开 holding 指南, 制度, 法定主动公开内容 and 年报 (the 政务公开 platform checks find nothing)."""
        placed = {id(n) for n in [guide, reports, policy, interps, *about, *optional, *open_others]}

        def keep(nodes: list[dict]) -> list[dict]:  # the arrangement drawn, without what moves into the platform
            out = []
            for n in nodes:
                if id(n) in placed:
                    continue
                if n.get("children"):
                    n = {**n, "children": keep(n["children"])}
                    if not n["children"]:
                        continue
                out.append(n)
            return out

        guide["name"], reports["name"] = "政府信息公开指南", "政府信息公开年报"
        system = [n for n in optional if n.get("kind") == "信息公开制度"]
        rest = [n for n in optional if n.get("kind") != "信息公开制度"]
        if system:
            system[0]["name"] = "政府信息公开制度"
        else:
            system = [self.list_node("信息公开制度", name="政府信息公开制度")]
        statutory = {"name": "法定主动公开内容", "kind": "栏目导航", "type": "nav",
                     "children": about + [policy, interps] + rest + open_others, "v": {"menu": "blocks"}}
        self.used_names.update({"政府信息公开", "法定主动公开内容", "政府信息公开制度", "政府信息公开指南", "政府信息公开年报"})
        platform = {"name": "政府信息公开", "kind": "栏目导航", "type": "nav",
                    "children": [guide, system[0], statutory, reports], "v": {"menu": "links"}}
        self.platform_node = platform
        return keep(top) + [platform]

    def platforms(self) -> dict:
        """A county platform's department / township sub-platforms (X02 looks at their 政策文件)."""
        d, V = self.d, self.V
        groups = []
        for group, names in (("platform_dept", [x["full"] for x in d.rng.sample(V["departments"], d.between(2, 3))]),
                             ("platform_town", d.rng.sample(V["towns"], d.between(1, 2)))):
            if group == "platform_town" and d.chance(0.4):
                continue
            units = []
            for nm in names:
                unit_name = f"{self.place['county']}{nm}"  # the department's or township's own name
                cols = [
                    {**self.list_node("政策文件", name="政策文件"), "v": {"sub_platform": unit_name, "bank": None}},
                    {**self.list_node("动态要闻", name="工作动态"), "v": {"sub_platform": unit_name, "bank": "news"}},
                ]
                if d.chance(0.5):
                    cols.append({**self.list_node("通知公告", name="通知公告"), "v": {"sub_platform": unit_name, "bank": "notices"}})
                for c in cols:
                    c["count"] = max(2, c["count"] // 2)
                if self.compliant_county:  # the sub-platform's standard columns, none blank, the 年报 on time
                    y = self.t0.year - 1 if self.t0 > dt.date(self.t0.year, 1, 31) else self.t0.year - 2
                    system = {**self.list_node("信息公开制度", name="政府信息公开制度"),
                              "v": {"sub_platform": unit_name, "bank": None}}
                    system["count"] = max(2, system["count"] // 2)
                    cols = [{"name": "政府信息公开指南", "kind": "信息公开指南", "type": "page", "paragraphs": 3,
                             "v": {"sub_platform": unit_name}},
                            system,
                            {"name": "法定主动公开内容", "kind": "栏目导航", "type": "nav", "children": cols,
                             "v": {"menu": "blocks", "sub_platform": unit_name}},
                            {"name": "政府信息公开年报", "kind": "年报", "type": "reports", "years": [y - 1, y],
                             "v": {"sub_platform": unit_name}}]
                units.append({"name": nm, "kind": "栏目导航", "type": "nav",
                              "children": cols, "v": {"menu": "blocks", "sub_platform": unit_name, "platform_unit": True,
                                                      "unit_type": "部门" if group == "platform_dept" else "乡镇街道"}})
            groups.append({"name": self.menu_name(group), "kind": "栏目导航", "type": "nav", "children": units,
                           "v": {"menu": "links", "platform_root": True}})
        if len(groups) == 1:
            return groups[0]
        return {"name": "部门乡镇信息公开", "kind": "栏目导航", "type": "nav", "children": groups,
                "v": {"menu": "links"}}

    # -- presentation
    def style(self) -> None:
        d, o = self.d, self.opts
        style = o.styles[(self.index + self.seed) % len(o.styles)]
        self.v["style"] = style
        gbk_share = {"powereasy": 0.7, "dede": 0.6, "zfxxgk": 0.2, "avalon": 0.0, "jcms": 0.1}.get(style, 0.2)
        gbk = d.chance(gbk_share)
        self.encoding = "gbk" if gbk else "utf-8"
        self.meta_charset = d.pick(["gb2312", "gbk"]) if gbk else d.pick(["utf-8", "UTF-8"])
        # where the charset is declared: <meta> and the HTTP header, only one of them
        where = d.pick(["both", "both", "meta", "header"])
        self.header_charset = where in ("both", "header")
        self.v["meta_charset"] = where in ("both", "meta")
        self.v["home_date"] = d.pick(["md", "md", "iso"])  # XianNing-like home blocks print MM-DD
        self.v["footer_form"] = d.pick(["lines", "table", "lines"])
        self.v["header_form"] = d.pick(["logo_text", "img_alt", "h1"])
        self.v["sitemap_form"] = d.pick(["tree", "table", "columns"])
        self.v["search_param"] = {"powereasy": "Keyword", "dede": "q", "avalon": "key", "jcms": "q",
                                  "zfxxgk": "searchword"}[style]
        self.v["search_hidden"] = style in ("powereasy", "jcms")  # the form carries a hidden field the server needs
        self.v["write_entry"] = d.pick(self.V["chrome"]["write_entry"])
        self.v["msg_labels"] = d.between(0, len(self.V["message_labels"]) - 1)
        self.v["stats_where"] = d.pick(["list", "list", "page"])  # 留言统计: on the list page, or its own page
        self.v["stats_line"] = d.between(0, len(self.V["chrome"]["stats_line"]) - 1)
        self.v["crumb_home"] = d.pick(self.V["chrome"]["home_word"])
        self.v["location"] = d.pick(self.V["chrome"]["location"])
        self.v["article_date_label"] = d.pick(self.V["chrome"]["published"])
        self.v["footer_script"] = False

    def presentation(self) -> None:
        """How each list prints: date format and whether its rows are in the HTML or come by script."""
        d, style = self.d, self.v["style"]
        for n, parents in self.plan.walk():
            v = n.setdefault("v", {})
            if n.get("type", "list") != "list" or n.get("children"):
                continue
            mode = "static"
            if style == "jcms":
                mode = "datastore" if d.chance(0.8) else "static"
            elif style == "avalon":
                mode = d.pick(["static", "partial", "partial", "opaque", "json"])
            elif style == "zfxxgk":
                mode = d.pick(["static", "static", "static", "json"])
            elif style == "dede":
                mode = d.pick(["static", "static", "md", "md", "blind"])
            elif style == "powereasy":
                mode = d.pick(["static", "static", "static", "md"])
            if v.get("sub_platform"):
                mode = "static" if mode in ("json", "opaque", "blind") else mode
            if n.get("kind") in ("办事统计", "政策文件") and mode in ("blind", "json", "opaque"):
                mode = "static"  # these are judged by their own rules; keep them readable unless a plant says so
            if self.opts.force_mode in STYLE_MODES[style]:
                mode = self.opts.force_mode
            v["mode"] = mode
            v["date"] = {"powereasy": d.pick(["cn", "cn", "cn_pad", "dash_nopad"]), "dede": d.pick(["iso", "iso", "bracket"]),
                         "avalon": "iso", "jcms": d.pick(["iso", "bracket"]), "zfxxgk": d.pick(["iso", "cn_pad"])}[style]

    def added_mode(self) -> str:
        """How a column a plant opens prints its list (the forced mode of the region, else static)."""
        fm = self.opts.force_mode
        return fm if fm in STYLE_MODES[self.v["style"]] else "static"

    # -- defects
    def draw_defects(self) -> None:
        from .variety_plants import PLANTS

        d = self.d
        if d.chance(self.opts.clean_share) or self.compliant_county:
            return
        want = d.between(1, self.opts.max_defects)
        tried: set[str] = set()
        names = sorted(PLANTS)
        while len(self.plants) < want and len(tried) < len(names):
            left = [n for n in names if n not in tried]
            name = d.rng.choices(left, weights=[PLANTS[n].weight for n in left])[0]
            tried.add(name)
            p = PLANTS[name]
            if p.portal_only and not self.portal:
                continue
            if any(x["plant"] in p.excludes or name in PLANTS[x["plant"]].excludes for x in self.plants):
                continue
            rec = p.apply(self)
            if rec is not None:
                self.plants.append({"plant": name, **rec})

    # -- spec for the builder
    def spec(self) -> dict[str, Any]:
        ident = self.identity()
        self.style()
        self.plan.nodes = self.tree()
        self.presentation()
        self.draw_defects()
        if self.v.get("themed_name"):
            ident["name"] = self.v["themed_name"]
        spec = {**ident, "style": "trs", "columns": self.plan.nodes, "defects": self.defects, "scale": 1.0,
                "encoding": self.encoding, "meta_charset": self.meta_charset, "header_charset": self.header_charset}
        return spec


# ---------------------------------------------------------------------------------------------- building


def _scen_raw(seed: int, t0: dt.date) -> dict[str, Any]:
    return {"name": SCENARIO_NAME, "title": f"多样化仿真网站（种子 {seed}）", "time_point": t0, "seed": seed,
            "city": "", "fresh_days": 4}


def build_one(seed: int, index: int, t0: dt.date | None = None, opts: Options | None = None) -> SimSite:
    """Site `index` of region `seed` (the same whatever else is built alongside it)."""
    t0 = t0 or time_point_for(seed)
    opts = opts or Options()
    drawer = SiteDrawer(seed, index, t0, opts)
    spec = drawer.spec()
    raw = _scen_raw(seed, t0)
    src = Path(f"<variety {seed}:{index}>")
    builder = _Builder(spec, raw, {}, t0, src, order=index % 200)
    site = builder.build()
    site.style = drawer.v["style"]
    site.special["v"] = drawer.v
    site.special["plants"] = drawer.plants
    site.special["index"] = index
    site.special["t0"] = t0
    site.special["json_judged"] = opts.json_stale
    finish_site(site, builder, drawer)
    return site


def finish_site(site: SimSite, builder: _Builder, drawer: SiteDrawer) -> None:
    """What the replica builder does not know: own title banks, sub-platform issuers, home blocks."""
    V = vdata()
    text_bank = load_data("text.yaml")
    rng = random.Random(derive_seed("variety-finish", drawer.seed, drawer.index))
    used = {it.title for c in site.all_columns() for it in c.items}
    for c in site.all_columns():
        v = c.spec.get("v") or {}
        bank = v.get("bank")
        if c.ctype != "list" or c.kind in ("政策文件", "办事统计", "办事指南") or not bank:
            continue
        pool = (V["other_banks"][bank.split(":", 1)[1]] if bank.startswith("other:")
                else text_bank[V["title_banks"].get(bank, bank)])
        for it in c.items:
            for attempt in range(40):
                t = builder.text.fill(rng.choice(pool), year=it.date.year, col=c.name, n=rng.randint(1, 160))
                if t not in used:
                    break
            else:
                t = f"{t}（{it.date.year}年第{attempt}期）"
            used.discard(it.title)
            used.add(t)
            it.title = t
    # department / township sub-platforms publish their own documents
    for c in site.all_columns():
        owner = (c.spec.get("v") or {}).get("sub_platform")
        if owner and c.kind == "政策文件":
            for it in c.items:
                it.title = it.title.replace(site.footer.get("sponsor", site.unit), owner).replace(site.unit, owner)
                it.extra["issuer"] = owner
    # a planted wording slip goes into the column's newest article
    for c in site.all_columns():
        wrong = (c.spec.get("v") or {}).get("wording")
        if wrong and c.items:
            c.items[0].extra["wording"] = wrong
    # the home page's blocks: the newest entries of a few columns (the oracle reads the same list)
    kinds = ["动态要闻", "通知公告", "政策文件", "政策解读"]
    blocks: list[int] = []
    for k in kinds:
        for c in site.all_columns():
            v = c.spec.get("v") or {}
            if c.kind == k and c.items and not v.get("sub_platform") and c.id not in blocks:
                blocks.append(c.id)
                break
    site.special["home_blocks"] = blocks
    site.special["home_rows"] = 6
    # the newest interpretations/policies a plant altered are decided; record the issuers of own policies
    for c in site.all_columns():
        if c.kind == "政策文件" and not (c.spec.get("v") or {}).get("sub_platform"):
            for it in c.items:
                it.extra.setdefault("issuer", site.footer.get("sponsor") or site.unit)


def bodies_of(site) -> list[dict]:
    """The subordinate-bodies roster rows (单位名称, 类型) of a county site: the unit of each of its sub-platforms, what
    an office would list from its 机构编制 records (govcheck.bodies reads them with 上级平台网址 = the site)."""
    out = []
    for c in site.all_columns():
        v = c.spec.get("v") or {}
        if v.get("platform_unit"):
            out.append({"单位名称": v["sub_platform"], "类型": v.get("unit_type", "部门")})
    return out


def build_variety(seed: int, n_sites: int, *, t0: dt.date | None = None, part: int = 0, parts: int = 1,
                  opts: Options | None = None) -> Scenario:
    """Region `seed` of `n_sites` sites (only slice `part` of `parts`: sites i with i % parts == part)."""
    t0 = t0 or time_point_for(seed)
    opts = opts or Options()
    sites = [build_one(seed, i, t0, opts) for i in range(n_sites) if i % parts == part]
    raw = _scen_raw(seed, t0)
    return Scenario(name=SCENARIO_NAME, title=raw["title"], time_point=t0, seed=seed, city="", sites=sites,
                    root=Path("."), accounts_dir=None, raw=raw)


def variety_region(seed: int, n_sites: int, part: int = 0, parts: int = 1, options: dict | None = None,
                   t0: str | None = None) -> Scenario:
    """Module-level builder for `sim.testing.region_in_process` (picklable arguments only)."""
    opts = Options(**{**(options or {}), "styles": tuple((options or {}).get("styles") or VSTYLES)})
    return build_variety(seed, n_sites, t0=dt.date.fromisoformat(t0) if t0 else None, part=part, parts=parts,
                         opts=opts)


# ---------------------------------------------------------------------------------------------- the model


def site_model(site: SimSite) -> dict[str, Any]:
    """The site as generated (styles, columns with kinds and presentation, plants), for explaining a failure."""
    v = site.special.get("v") or {}

    def col(c: Column) -> dict[str, Any]:
        cv = c.spec.get("v") or {}
        dates = sorted((it.date for it in c.items), reverse=True)
        return {"id": c.id, "path": c.path_str, "name": c.name, "kind": c.kind, "ctype": c.ctype, "url": c.url,
                "blank": c.blank, "items": len(c.items), "newest": dates[0].isoformat() if dates else None,
                "mode": cv.get("mode"), "date": cv.get("date"), "menu": cv.get("menu"),
                "sub_platform": cv.get("sub_platform"), "v": {k: x for k, x in cv.items() if k not in ("bank",)},
                "children": [col(ch) for ch in c.children]}

    return {"key": site.key, "unit": site.unit, "name": site.name, "kind": site.kind, "url": site.url,
            "style": site.style, "encoding": site.encoding, "meta_charset": site.meta_charset,
            "header_charset": site.header_charset, "public_service": site.public_service,
            "presentation": {k: x for k, x in v.items()}, "plants": site.special.get("plants") or [],
            "columns": [col(c) for c in site.columns]}


def write_models(scen: Scenario, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"seed": scen.seed, "time_point": scen.time_point.isoformat(),
                                "sites": [site_model(s) for s in scen.sites]}, ensure_ascii=False, indent=1),
                    encoding="utf-8")
    return path
