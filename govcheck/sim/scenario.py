"""Scenario files -> an in-memory model of every site of a replica region.

A scenario is a folder: `scenario.yaml` (time point, seed, defaults), `templates.yaml` (column trees that
sites start from) and `sites/*.yaml` (one file per unit: its site and the defects planted in it). The
defects are the scenario's definition: each one both changes what is generated and records what an
inspection should find (`code`, `count`, `evidence`). Everything is generated from a seeded RNG, so a
scenario always yields the same pages.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SIM_DIR = Path(__file__).resolve().parent
SCENARIOS_DIR = SIM_DIR / "scenarios"
DATA_DIR = SIM_DIR / "data"

STYLES = ("trs", "hanweb", "xxgk")
CTYPES = ("list", "nav", "page", "org", "leaders", "messages", "consultations", "reports", "interps")
PLANTS = (
    "stale", "blank", "footer_missing", "org_missing", "consultation_no_feedback", "fraud_period",
    "interp_unlinked", "policy_uninterpreted", "messages_stale", "report_late", "report_repeat",
    "report_missing", "broken_link", "slow_page", "waf", "trap", "json_api", "outage",
    "column_missing", "leader_incomplete", "message_fields", "message_late", "home_frozen", "future_date",
    "meta_missing", "search_broken", "search_stale", "message_stats_missing", "channel_broken", "header_no_name",
    "wording_error",
)
FOOTER_PAGES = ("all", "home", "inner")
MESSAGE_FIELDS = {"留言时间": "asked", "答复时间": "answered", "答复单位": "answer_unit", "答复内容": "answer"}
META_PAGES = ("content", "column", "all")
META_TAGS = ("site", "page", "all")
SEARCH_MODES = ("error", "missing")
CHANNEL_MODES = ("error", "closed", "missing")
HEADER_MODES = ("logo", "slogan")
CONTENT_ENCODINGS = ("identity", "gzip", "br", "zstd")  # how a site compresses its pages
FOOTER_ELEMENTS = ("conac", "site_id_code", "icp", "police_record", "sponsor", "contact", "error_report_entry")


class ScenarioError(ValueError):
    """A scenario file is malformed; the message names the file and the field."""


@lru_cache(maxsize=None)
def load_data(name: str) -> dict[str, Any]:
    with open(DATA_DIR / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


def derive_seed(*parts: Any) -> int:
    h = hashlib.sha256(":".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(h[:8], "big")


# ---------------------------------------------------------------------------------------------- model


@dataclass(repr=False, eq=False)
class Item:
    """One published piece: a list row and its detail page."""

    id: int
    column: "Column"
    title: str
    date: dt.date
    kind: str = "article"  # article|policy|interp|consult|feedback|message|report
    extra: dict[str, Any] = field(default_factory=dict)
    url: str = ""
    seq: int = 0  # creation order, breaks date ties deterministically

    def __repr__(self) -> str:  # the model is a cyclic graph; keep reprs short
        return f"<Item {self.id} {self.date} {self.title[:20]!r}>"


@dataclass(repr=False, eq=False)
class Column:
    id: int
    name: str
    slug: str
    kind: str
    ctype: str
    parent: "Column | None"
    spec: dict[str, Any]
    children: list["Column"] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    blank: bool = False
    render: str = "static"  # static | json_api
    page_size: int = 20
    url: str = ""
    content: dict[str, Any] = field(default_factory=dict)  # for single pages (org, leaders, page)

    def __repr__(self) -> str:
        return f"<Column {self.id} {self.path_str} items={len(self.items)}>"

    @property
    def path(self) -> list[str]:
        names: list[str] = []
        c: Column | None = self
        while c is not None:
            names.append(c.name)
            c = c.parent
        return ["首页"] + names[::-1]

    @property
    def path_str(self) -> str:
        return ">".join(self.path)

    def pages(self) -> int:
        return max(1, -(-len(self.items) // self.page_size))

    def walk(self):
        yield self
        for ch in self.children:
            yield from ch.walk()


@dataclass
class Defect:
    plant: str
    code: str | None
    count: int
    evidence: list[str]
    notice: str  # where the notice reports it: 附件1 / 正文 / 无 (crawler hazards)
    params: dict[str, Any]


@dataclass(repr=False, eq=False)
class SimSite:
    key: str
    unit: str
    name: str
    region: str
    kind: str  # 门户 / 部门
    public_service: bool
    style: str
    encoding: str
    meta_charset: str
    header_charset: bool
    site_id_code: str
    domain: str
    short: str
    city: str
    footer: dict[str, Any]
    columns: list[Column]
    defects: list[Defect]
    special: dict[str, Any]
    source: str
    seed: int
    url: str = ""  # set when served
    routes: dict[str, tuple] = field(default_factory=dict)
    items_by_id: dict[int, Item] = field(default_factory=dict)
    cols_by_id: dict[int, Column] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<SimSite {self.key} {self.unit} {self.style}>"

    def all_columns(self):
        for c in self.columns:
            yield from c.walk()

    def column_by_path(self, path: str | list[str]) -> Column | None:
        want = path.split(">") if isinstance(path, str) else list(path)
        want = [w.strip() for w in want]
        for c in self.all_columns():
            if c.path == want:
                return c
        return None

    def columns_of_kind(self, kind: str) -> list[Column]:
        return [c for c in self.all_columns() if c.kind == kind]

    def page_count(self) -> int:
        """Approximate number of distinct HTML pages (home, sitemap, column pages, item pages)."""
        n = 2
        for c in self.all_columns():
            n += c.pages() if c.ctype not in ("page", "org", "leaders") else 1
            n += len(c.items)
        return n

    def roster_row(self) -> dict[str, Any]:
        return {
            "unit": self.unit, "region": self.region, "name": self.name, "url": self.url,
            "style": self.style, "encoding": self.encoding, "kind": self.kind,
            "public_service": self.public_service, "site_id_code": self.site_id_code,
        }


@dataclass(repr=False, eq=False)
class Scenario:
    name: str
    title: str
    time_point: dt.date
    seed: int
    city: str
    sites: list[SimSite]
    root: Path
    accounts_dir: Path | None
    raw: dict[str, Any]

    def __repr__(self) -> str:
        return f"<Scenario {self.name} sites={len(self.sites)}>"

    def expected(self) -> list[dict[str, Any]]:
        """The planted defects as plain records (unit, site key, code, count, evidence, where the notice
        reports them), for end-to-end tests of the checks against this scenario."""
        out = []
        for s in self.sites:
            for d in s.defects:
                rec = {"unit": s.unit, "site": s.key, "plant": d.plant, "code": d.code, "count": d.count,
                       "evidence": list(d.evidence), "notice": d.notice}
                for k in ("deduct", "veto", "path"):
                    if k in d.params:
                        rec[k] = d.params[k]
                out.append(rec)
        return out

    def site(self, key_or_unit: str) -> SimSite:
        for s in self.sites:
            if key_or_unit in (s.key, s.unit, s.name):
                return s
        raise KeyError(key_or_unit)


# ---------------------------------------------------------------------------------------------- loading


def _read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except yaml.YAMLError as e:
        raise ScenarioError(f"{path}: YAML 格式错误：{e}") from e
    except OSError as e:
        raise ScenarioError(f"{path}: 无法读取：{e}") from e


def resolve_scenario_dir(name_or_path: str | Path) -> Path:
    p = Path(name_or_path)
    if p.is_file() and p.name == "scenario.yaml":
        return p.parent
    if (p / "scenario.yaml").is_file():
        return p
    builtin = SCENARIOS_DIR / str(name_or_path)
    if (builtin / "scenario.yaml").is_file():
        return builtin
    known = sorted(d.name for d in SCENARIOS_DIR.iterdir() if (d / "scenario.yaml").is_file())
    raise ScenarioError(f"找不到场景 {name_or_path!r}（内置场景：{', '.join(known)}）")


def _as_date(value: Any, where: str, t0: dt.date | None = None) -> dt.date:
    """Absolute dates (YAML date or 'YYYY-MM-DD') or offsets from the time point ('-30d', -30)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if t0 is not None:
        if isinstance(value, int):
            return t0 + dt.timedelta(days=value)
        if isinstance(value, str):
            m = re.fullmatch(r"\s*([+-]?\d+)\s*d\s*", value)
            if m:
                return t0 + dt.timedelta(days=int(m.group(1)))
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ScenarioError(f"{where}: 日期无法识别：{value!r}（应为 YYYY-MM-DD 或 -30d）")


def load_scenario(name_or_path: str | Path) -> Scenario:
    root = resolve_scenario_dir(name_or_path)
    sfile = root / "scenario.yaml"
    raw = _read_yaml(sfile) or {}
    if not isinstance(raw, dict):
        raise ScenarioError(f"{sfile}: 顶层应为映射")
    for key in ("name", "time_point", "seed"):
        if key not in raw:
            raise ScenarioError(f"{sfile}: 缺少字段 {key}")
    t0 = _as_date(raw["time_point"], f"{sfile}: time_point")
    templates: dict[str, Any] = {}
    tfile = root / raw.get("templates", "templates.yaml")
    if tfile.is_file():
        templates = _read_yaml(tfile) or {}
    sites_dir = root / raw.get("sites_dir", "sites")
    files = sorted(sites_dir.glob("*.yaml"))
    if not files:
        raise ScenarioError(f"{sites_dir}: 没有站点文件（*.yaml）")
    sites = []
    seen: dict[str, Path] = {}
    for i, f in enumerate(files):
        spec = _read_yaml(f) or {}
        if not isinstance(spec, dict):
            raise ScenarioError(f"{f}: 顶层应为映射")
        site = build_site(spec, raw, templates, t0, f, order=i)
        if site.key in seen:
            raise ScenarioError(f"{f}: 站点 key {site.key!r} 与 {seen[site.key]} 重复")
        seen[site.key] = f
        sites.append(site)
    acc = root / raw.get("accounts_dir", "accounts")
    return Scenario(
        name=str(raw["name"]), title=str(raw.get("title", raw["name"])), time_point=t0, seed=int(raw["seed"]),
        city=str(raw.get("city", "")), sites=sites, root=root, accounts_dir=acc if acc.is_dir() else None, raw=raw,
    )


# ---------------------------------------------------------------------------------------------- text


class Text:
    """Seeded fillers for the templates in data/text.yaml."""

    def __init__(self, rng: random.Random, site: "SimSite | None", unit: str, short: str, city: str):
        self.rng = rng
        self.bank = load_data("text.yaml")
        self.unit, self.short, self.city = unit, short, city

    def pick(self, key: str) -> str:
        return self.rng.choice(self.bank[key])

    def person(self) -> str:
        return self.pick("surnames") + self.pick("given_names")

    def fill(self, template: str, **kw: Any) -> str:
        year = kw.pop("year", 2022)
        values = {
            "unit": self.unit, "short": self.short, "city": self.city, "topic": self.pick("topics"),
            "place": self.pick("places"), "plan": self.pick("plans"), "thing": self.pick("things"),
            "year": year, "year2": year + 4, "month": self.rng.randint(1, 12), "doc": "", "col": "",
            "n": self.rng.randint(1, 120),
            "cityword": "市" if self.city.endswith("市") else "县",
        }
        values.update(kw)
        return template.format(**values)

    def title(self, key: str, **kw: Any) -> str:
        return self.fill(self.pick(key), **kw)

    def paragraphs(self, n: int, **kw: Any) -> list[str]:
        pars = self.rng.sample(self.bank["paragraphs"], k=min(n, len(self.bank["paragraphs"])))
        return [self.fill(p, **kw) for p in pars]




def date_phrase(d: dt.date, rng: random.Random, tpl: str | None = None) -> str:
    tpl = tpl or rng.choice(load_data("text.yaml")["date_phrasings"])
    return tpl.format(y=d.year, m=d.month, d=d.day, m2=f"{d.month:02d}", d2=f"{d.day:02d}")


# ---------------------------------------------------------------------------------------------- building


def _slug_for(name: str) -> str | None:
    return load_data("slugs.yaml").get(name)


class _Builder:
    def __init__(self, spec, scen, templates, t0, src: Path, order: int):
        self.spec, self.scen, self.templates, self.t0, self.src = spec, scen, templates, t0, src
        self.key = str(spec.get("key") or src.stem)
        self.seed = derive_seed(scen["seed"], self.key)
        self.rng = random.Random(self.seed)
        self.next_col = 1000 + 37 * order
        self.cols: list[Column] = []
        self.seq = 0
        self.titles: set[str] = set()

    def err(self, where: str, msg: str) -> ScenarioError:
        return ScenarioError(f"{self.src}: {where}: {msg}")

    # -- columns
    def make_column(self, node: dict, parent: Column | None, where: str) -> Column:
        if not isinstance(node, dict) or "name" not in node:
            raise self.err(where, "栏目应为含 name 的映射")
        children = node.get("children") or []
        ctype = node.get("type") or ("nav" if children else "list")
        if ctype not in CTYPES:
            raise self.err(where, f"未知栏目类型 type={ctype!r}（可选：{', '.join(CTYPES)}）")
        self.next_col += 1
        name = str(node["name"]).format(short=self.spec.get("short", ""), city=self.city)
        col = Column(
            id=self.next_col, name=name, slug=str(node.get("slug") or _slug_for(name) or f"lm{self.next_col}"),
            kind=str(node.get("kind") or ("栏目导航" if ctype == "nav" else "其他")), ctype=ctype, parent=parent,
            spec={k: v for k, v in node.items() if k != "children"},
            render=str(node.get("render", "static")), page_size=int(node.get("page_size", 0) or 0),
        )
        for i, ch in enumerate(children):
            col.children.append(self.make_column(ch, col, f"{where}.children[{i}]"))
        return col

    def find(self, path: str) -> Column | None:
        want = [p.strip() for p in path.split(">")]
        for top in self.roots:
            for c in top.walk():
                if c.path == want:
                    return c
        return None

    def ensure_path(self, path: str, kind: str | None, where: str) -> Column:
        parts = [p.strip() for p in path.split(">")]
        if not parts or parts[0] != "首页" or len(parts) < 2:
            raise self.err(where, f"栏目路径应以“首页>”开头：{path!r}")
        level = self.roots
        parent = None
        col = None
        for depth, name in enumerate(parts[1:], start=1):
            col = next((c for c in level if c.name == name), None)
            if col is None:
                last = depth == len(parts) - 1
                node = {"name": name, "kind": kind if last else "栏目导航", "type": "list" if last else "nav"}
                if parent is not None and parent.ctype != "nav":
                    raise self.err(where, f"栏目 {parent.path_str} 不是导航栏目，不能再挂子栏目")
                col = self.make_column(node, parent, where)
                level.append(col)
            parent, level = col, col.children
        assert col is not None
        return col

    # -- items
    def unique(self, make, d: dt.date) -> str:
        """A title not yet used on this site: real sites rarely repeat one, and search checks rely on it."""
        for _ in range(30):
            t = make()
            if t not in self.titles:
                break
        k = 1
        base = t
        while t in self.titles:
            t = load_data("text.yaml")["unique_suffix"].format(title=base, year=d.year, k=k)
            k += 1
        self.titles.add(t)
        return t

    def new_item(self, col: Column, title: str, date: dt.date, kind: str = "article", **extra) -> Item:
        self.seq += 1
        it = Item(id=0, column=col, title=title, date=date, kind=kind, extra=extra, seq=self.seq)
        col.items.append(it)
        return it

    def spaced_dates(self, latest: dt.date, count: int, every: float) -> list[dt.date]:
        out, d = [], latest
        for _ in range(count):
            out.append(d)
            d = d - dt.timedelta(days=max(1, round(every * self.rng.uniform(0.5, 1.5))))
        return out

    def latest_for(self, col: Column) -> dt.date:
        v = col.spec.get("latest")
        if v is None:
            return self.t0 - dt.timedelta(days=self.rng.randint(0, int(self.scen.get("fresh_days", 4))))
        return _as_date(v, f"栏目 {col.path_str}: latest", self.t0)

    def build(self) -> SimSite:
        spec, rng, t0 = self.spec, self.rng, self.t0
        for req in ("unit", "name", "style"):
            if req not in spec:
                raise self.err(req, "缺少必填字段")
        style = spec["style"]
        if style not in STYLES:
            raise self.err("style", f"未知样式 {style!r}（可选：{', '.join(STYLES)}）")
        self.city = str(spec.get("city") or self.scen.get("city", ""))
        short = str(spec.get("short") or spec["unit"])
        tname = spec.get("template")
        tree = spec.get("columns")
        if tree is None:
            if tname not in self.templates:
                raise self.err("template", f"模板 {tname!r} 不存在（templates.yaml 中有：{', '.join(self.templates)}）")
            tree = copy.deepcopy(self.templates[tname])
        self.roots = [self.make_column(n, None, f"columns[{i}]") for i, n in enumerate(tree)]
        # renames and per-column overrides (by path)
        for old, new in (spec.get("rename") or {}).items():
            for top in self.roots:
                for c in top.walk():
                    if c.name == old:
                        c.name = new
                        c.slug = _slug_for(new) or c.slug
        for path, over in (spec.get("override") or {}).items():
            c = self.find(path)
            if c is None:
                raise self.err(f"override[{path}]", "栏目路径不存在")
            c.spec.update(over or {})
            if "page_size" in over:
                c.page_size = int(over["page_size"])
            if "render" in over:
                c.render = str(over["render"])
        defects = self.parse_defects()
        for d in defects:
            if d.plant == "column_missing":
                self.remove_column(d.params["path"], f"defects: {d.plant}")
        # column-shaping defects first
        for d in defects:
            if d.plant in ("stale", "blank", "json_api"):
                c = self.ensure_path(d.params["path"], d.params.get("kind"), f"defects: {d.plant}")
                allowed = {"stale": ("list", "interps"), "blank": ("list", "interps", "messages", "consultations",
                                                                   "reports"), "json_api": ("list",)}[d.plant]
                if c.ctype not in allowed:
                    raise self.err(f"defects: {d.plant}", f"栏目 {c.path_str}（{c.ctype}）不能设置 {d.plant}"
                                                          f"（可用于：{', '.join(allowed)}）")
                if d.plant == "stale":
                    c.spec["latest"] = d.params["last"]
                    c.spec.setdefault("count", d.params.get("items", 6))
                elif d.plant == "blank":
                    c.blank = True
                else:
                    c.render = "json_api"
        scale = float(spec.get("scale", 1.0))
        default_ps = {"trs": 20, "hanweb": 15, "xxgk": 20}[style]
        all_cols = [c for top in self.roots for c in top.walk()]
        for c in all_cols:
            if not c.page_size:
                c.page_size = default_ps
        # generate
        self.text = Text(rng, None, str(spec.get("full_unit") or spec["unit"]), short, self.city)
        policy_cols = []
        for c in all_cols:
            if c.blank:
                continue
            if c.ctype == "list":
                self.gen_list(c, scale)
                if c.kind == "政策文件" and c.spec.get("interpret", False):
                    policy_cols.append(c)
            elif c.ctype == "messages":
                self.gen_messages(c, scale, defects)
            elif c.ctype == "consultations":
                self.gen_consultations(c, defects)
            elif c.ctype == "reports":
                self.gen_reports(c, defects)
            elif c.ctype == "org":
                self.gen_org(c, defects)
            elif c.ctype == "leaders":
                self.gen_leaders(c, defects)
            elif c.ctype == "page":
                c.content = {"paragraphs": self.text.paragraphs(int(c.spec.get("paragraphs", 5)))}
        for c in all_cols:
            if c.ctype == "interps" and not c.blank:
                self.gen_interps(c, policy_cols, defects)
        self.future_items(defects)
        for c in all_cols:
            c.items.sort(key=lambda it: (it.date, it.seq), reverse=True)
        self.wording_errors(defects)
        footer = self.footer(defects)
        special = self.special(defects)
        site = SimSite(
            key=self.key, unit=str(spec["unit"]), name=str(spec["name"]), region=str(spec.get("region", "")),
            kind=str(spec.get("kind", "部门")), public_service=bool(spec.get("public_service", True)), style=style,
            encoding=str(spec.get("encoding", "utf-8")).lower(),
            meta_charset=str(spec.get("meta_charset") or spec.get("encoding", "utf-8")),
            header_charset=bool(spec.get("header_charset", True)), site_id_code=str(spec.get("site_id_code", "")),
            domain=str(spec.get("domain", f"{self.key}.example.gov.cn")), short=short, city=self.city,
            footer=footer, columns=self.roots, defects=defects, special=special, source=str(self.src), seed=self.seed,
        )
        self.assign_ids(site)
        return site

    def parse_defects(self) -> list[Defect]:
        out = []
        for i, d in enumerate(self.spec.get("defects") or []):
            where = f"defects[{i}]"
            if not isinstance(d, dict) or "plant" not in d:
                raise self.err(where, "缺陷应为含 plant 的映射")
            plant = d["plant"]
            if plant not in PLANTS:
                raise self.err(where, f"未知缺陷类型 plant={plant!r}（可选：{', '.join(PLANTS)}）")
            params = {k: v for k, v in d.items() if k not in ("plant", "code", "count", "evidence", "notice")}
            if plant in ("stale", "blank", "json_api") and "path" not in params:
                raise self.err(where, f"{plant} 需要 path（栏目路径 首页>…）")
            if plant in ("stale", "messages_stale"):
                if "last" not in params:
                    raise self.err(where, f"{plant} 需要 last（最后更新日期）")
                params["last"] = _as_date(params["last"], f"{self.src}: {where}.last", self.t0)
            self.check_params(plant, params, d, where)
            ev = d.get("evidence") or []
            if isinstance(ev, str):
                ev = [ev]
            out.append(Defect(plant=plant, code=d.get("code"), count=int(d.get("count", 1)), evidence=list(ev),
                              notice=str(d.get("notice", "附件1" if d.get("code") else "无")), params=params))
        return out

    def check_params(self, plant: str, params: dict, raw: dict, where: str) -> None:
        """Validate (and normalise in place) the parameters of the plants that need more than a path."""
        at = f"{self.src}: {where}"

        def need(key: str) -> Any:
            if key not in params:
                raise self.err(where, f"{plant} 需要 {key}")
            return params[key]

        def one_of(key: str, allowed: tuple, default: str) -> None:
            v = str(params.get(key, default))
            if v not in allowed:
                raise self.err(f"{where}.{key}", f"{plant} 的 {key} 应为 {' / '.join(allowed)}，实为 {v!r}")
            params[key] = v

        if "count" in raw and (isinstance(raw["count"], bool) or not isinstance(raw["count"], int) or raw["count"] < 1):
            raise self.err(f"{where}.count", f"count 应为正整数，实为 {raw['count']!r}")
        # YAML 1.1 reads a bare `on:` key as true (broken_link's `on` keeps its old, lenient reading so the
        # built-in scenarios serve the same pages)
        if True in params and plant != "broken_link":
            raise self.err(where, "参数名 on 在 YAML 中被读作 true，请写作 \"on\"（footer_missing 用 pages）")
        if plant == "footer_missing":
            one_of("pages", FOOTER_PAGES, "all")
        elif plant == "column_missing":
            if not str(need("path")).startswith("首页>"):
                raise self.err(f"{where}.path", f"栏目路径应以“首页>”开头：{params['path']!r}")
        elif plant == "leader_incomplete":
            one_of("field", ("简历",), "简历")
        elif plant == "message_fields":
            fields = need("fields")
            fields = [fields] if isinstance(fields, str) else fields
            bad = [f for f in fields or [] if f not in MESSAGE_FIELDS] if isinstance(fields, list) else [fields]
            if not fields or bad:
                raise self.err(f"{where}.fields", f"message_fields 的 fields 应取自 {'、'.join(MESSAGE_FIELDS)}，"
                                                   f"实为 {params['fields']!r}")
            params["fields"] = list(fields)
            params["all"] = "count" not in raw  # without count: every published message
        elif plant == "message_late":
            asked = need("asked")
            asked = asked if isinstance(asked, list) else [asked]
            params["asked"] = [_as_date(a, f"{at}.asked", self.t0) for a in asked]
            if "after" in params and (isinstance(params["after"], bool) or not isinstance(params["after"], int)
                                      or params["after"] < 1):
                raise self.err(f"{where}.after", f"after 应为正整数（天），实为 {params['after']!r}")
            params["unanswered"] = bool(params.get("unanswered", False))
        elif plant == "home_frozen":
            params["last"] = _as_date(need("last"), f"{at}.last", self.t0)
        elif plant == "future_date":
            need("path")
            params["date"] = _as_date(need("date"), f"{at}.date", self.t0)
            if params["date"] <= self.t0:
                raise self.err(f"{where}.date", f"future_date 的日期应晚于监测时间点 {self.t0}：{params['date']}")
        elif plant == "meta_missing":
            one_of("pages", META_PAGES, "all")
            one_of("tags", META_TAGS, "all")
        elif plant == "search_broken":
            one_of("mode", SEARCH_MODES, "error")
        elif plant == "channel_broken":
            one_of("mode", CHANNEL_MODES, "closed")
        elif plant == "header_no_name":
            one_of("mode", HEADER_MODES, "logo")
        elif plant == "search_stale":
            params["indexed_until"] = _as_date(need("indexed_until"), f"{at}.indexed_until", self.t0)
        elif plant == "wording_error":
            need("path")
            if not isinstance(need("text"), str) or not params["text"].strip():
                raise self.err(f"{where}.text", "wording_error 的 text 应为一句含表述错误的文字")

    def remove_column(self, path: str, where: str) -> None:
        """A column never opened: gone from the tree, so no menu, map or breadcrumb names it."""
        col = self.find(path)
        if col is None:
            raise self.err(where, f"栏目路径不存在：{path!r}")
        siblings = col.parent.children if col.parent is not None else self.roots
        siblings.remove(col)

    def future_items(self, defects: list[Defect]) -> None:
        """Entries dated after the time point (a mistyped year or month in the CMS date field)."""
        for d in defects:
            if d.plant != "future_date":
                continue
            c = self.find(d.params["path"])
            if c is None or c.ctype != "list" or c.blank:
                raise self.err("defects: future_date", f"栏目 {d.params['path']!r} 不存在或不是有条目的列表栏目")
            bank = load_data("text.yaml")
            key = bank["title_keys"].get(c.kind, "generic_titles")
            day = d.params["date"]
            meant = day.replace(year=self.t0.year) if day.replace(year=self.t0.year) <= self.t0 else day
            for _ in range(d.count):
                if c.kind == "办事统计":  # the monthly report, its date typed with the wrong year
                    pm = meant.replace(day=1) - dt.timedelta(days=1)
                    title = self.unique(lambda: bank["service_stats_title"].format(y=pm.year, m=pm.month), meant)
                else:
                    title = self.unique(lambda: self.text.title(key, year=meant.year, col=c.name), meant)
                self.new_item(c, title, day, "policy" if c.kind == "政策文件" else "article")

    def wording_errors(self, defects: list[Defect]) -> None:
        """A sentence with a slip in an official term (V1.1), in the body of the newest entries of a column."""
        for d in defects:
            if d.plant != "wording_error":
                continue
            c = self.find(d.params["path"])
            if c is None or not c.items:
                raise self.err("defects: wording_error", f"栏目 {d.params['path']!r} 不存在或没有条目")
            for it in c.items[:d.count]:
                it.extra["wording"] = str(d.params["text"])

    def gen_list(self, c: Column, scale: float) -> None:
        count = int(c.spec.get("count", 12))
        if not c.spec.get("fixed_count"):
            count = max(1, round(count * scale))
        every = float(c.spec.get("every", 14))
        bank = load_data("text.yaml")
        key = bank["title_keys"].get(c.kind, "generic_titles")
        dates = self.spaced_dates(self.latest_for(c), count, every)
        if c.kind == "办事统计":  # one report a month, early in the month
            first = dates[0].replace(day=1)
            dates = []
            for k in range(count):
                y, m = divmod(first.year * 12 + first.month - 1 - k, 12)
                dates.append(min(self.latest_for(c) if k == 0 else dt.date(y, m + 1, 28),
                                 dt.date(y, m + 1, self.rng.randint(3, 10))))
        for d in dates:
            title = self.unique(lambda: self.text.title(key, year=d.year, col=c.name), d)
            kind = "policy" if c.kind == "政策文件" else "article"
            extra: dict[str, Any] = {}
            if c.kind == "办事统计":  # a monthly report on the previous month's cases
                pm = (d.replace(day=1) - dt.timedelta(days=1))
                title = bank["service_stats_title"].format(y=pm.year, m=pm.month)
            elif c.kind == "办事指南":
                service = self.text.fill(self.text.pick("services"))
                title = self.unique(lambda: bank["guide_title"].format(service=self.text.fill(self.text.pick("services"))), d)
                suffix = bank["guide_title"].format(service="")
                service = title[: -len(suffix)] if title.endswith(suffix) else title
                kind = "guide"
                extra = {"service": service, "tel": self.rng.randint(100000, 999999),
                         "window": self.rng.randint(1, 40), "attachment": "doc"}
            if kind == "policy":
                extra["doc_no"] = bank["doc_no"].format(prefix=self.spec.get("doc_prefix", bank["default_doc_prefix"]),
                                                        year=d.year, n=self.rng.randint(1, 40))
                extra["attachment"] = self.rng.choice(["pdf", "doc", "docx", None])
            self.new_item(c, title, d, kind, **extra)

    def gen_interps(self, c: Column, policy_cols: list[Column], defects: list[Defect]) -> None:
        src = c.spec.get("source")
        pols = [p for pc in policy_cols if (src is None or pc.name == src) for p in pc.items]
        pols.sort(key=lambda p: (p.date, p.seq), reverse=True)
        uninterp = sum(d.count for d in defects if d.plant == "policy_uninterpreted")
        # the uninterpreted ones are recent (right after the newest), where a sample of recent policies looks
        skip = {id(p) for p in pols[1:1 + uninterp]}
        unlinked = [d for d in defects if d.plant == "interp_unlinked"]
        todo_unlinked = [(d.params.get("direction", "interp_to_policy")) for d in unlinked for _ in range(d.count)]
        latest = c.spec.get("latest")
        cutoff = _as_date(latest, f"栏目 {c.path_str}: latest", self.t0) if latest is not None else None
        for p in pols:
            if id(p) in skip or (cutoff is not None and p.date > cutoff):  # a stale 解读 column left them
                continue
            date = min(self.t0, cutoff or self.t0, p.date + dt.timedelta(days=self.rng.randint(0, 3)))
            doc = re.sub(r"^.*?《(.*)》.*$", r"\1", p.title) if "《" in p.title else p.title
            title = self.text.title("interp_titles", doc=doc)
            it = self.new_item(c, title, date, "interp", policy=p, links_policy=True)
            p.extra["interp"] = it
            p.extra["links_interp"] = True
        # unlinked ones are the newest interpretations, one direction each
        newest = sorted(c.items, key=lambda i: (i.date, i.seq), reverse=True)
        for it, direction in zip(newest, todo_unlinked):
            if direction == "interp_to_policy":
                it.extra["links_policy"] = False
            else:
                it.extra["policy"].extra["links_interp"] = False

    def gen_messages(self, c: Column, scale: float, defects: list[Defect]) -> None:
        stale = next((d for d in defects if d.plant == "messages_stale"), None)
        latest = stale.params["last"] if stale else self.latest_for(c)
        count = max(3, round(int(c.spec.get("count", 30)) * scale))
        t = self.text
        for d in self.spaced_dates(latest, count, float(c.spec.get("every", 6))):
            title = self.unique(lambda: t.fill(t.pick("message_questions")).rstrip("？。"), d)
            qm = load_data("text.yaml")["question_marks"]
            q = title + (qm["ask"] if title.startswith(tuple(qm["ask_prefixes"])) else qm["other"])
            answered = min(self.t0, d + dt.timedelta(days=self.rng.randint(1, 3)))
            self.new_item(c, title, d, "message", question=q, answer=t.fill(t.pick("message_answers")),
                          answered=answered, asker=t.pick("surnames") + "**", answer_unit=self.spec["unit"])
        for dfx in defects:
            if dfx.plant != "message_late":
                continue
            # letters left lying: answered months later, or (unanswered) still waiting at the time point
            for asked in dfx.params["asked"]:
                title = self.unique(lambda: t.fill(t.pick("message_questions")).rstrip("？。"), asked)
                late = asked + dt.timedelta(days=int(dfx.params.get("after", 100)))
                un = dfx.params["unanswered"] or late > self.t0
                self.new_item(c, title, asked, "message", question=title + "？",
                              answer=None if un else t.fill(t.pick("message_answers")),
                              answered=None if un else late, asker=t.pick("surnames") + "**",
                              answer_unit=None if un else self.spec["unit"])
        hide = [dfx for dfx in defects if dfx.plant == "message_fields"]
        if hide:
            # the message page template omits these fields (for `count` messages, newest first, or all)
            newest = sorted(c.items, key=lambda it: (it.date, it.seq), reverse=True)
            for dfx in hide:
                for it in (newest if dfx.params["all"] else newest[: dfx.count]):
                    it.extra.setdefault("hidden", set()).update(dfx.params["fields"])

    def _consult(self, c: Column, doc: str, published: dt.date, start: dt.date, end: dt.date,
                 feedback: dt.date | None, title: str | None = None, period: str | None = None) -> Item:
        t = self.text
        title = title or t.title("consult_titles", doc=doc)
        phr = t.pick("period_phrasings")
        sub_rng = random.Random(derive_seed(self.seed, "period", title))
        dtpl = sub_rng.choice(load_data("text.yaml")["date_phrasings"])  # one date style per statement
        period = period or phr.format(s=date_phrase(start, sub_rng, dtpl), e=date_phrase(end, sub_rng, dtpl))
        it = self.new_item(c, title, published, "consult", doc=doc, start=start, end=end, period_text=period)
        if feedback is not None:
            fb = self.new_item(c, t.title("feedback_titles", doc=doc), feedback, "feedback", consult=it)
            it.extra["feedback"] = fb
        return it

    def gen_consultations(self, c: Column, defects: list[Defect]) -> None:
        t, rng, t0 = self.text, self.rng, self.t0
        n_year = int(c.spec.get("count", 4))
        n_old = int(c.spec.get("older", 3))
        slots = sorted(rng.sample(range(45, 350), n_year + n_old), reverse=False)
        ends = [t0 - dt.timedelta(days=s) for s in slots[:n_year]]
        ends += [t0 - dt.timedelta(days=380 + 60 * i) for i in range(n_old)]
        for end in ends:
            dur = rng.randint(14, 30)
            start = end - dt.timedelta(days=dur)
            fb = end + dt.timedelta(days=rng.randint(3, 20))
            self._consult(c, self.unique(lambda: t.title("consult_subjects", year=start.year), start),
                          start, start, end, fb)
        for _ in range(int(c.spec.get("ongoing", 0))):
            start = t0 - dt.timedelta(days=rng.randint(2, 10))
            self._consult(c, self.unique(lambda: t.title("consult_subjects", year=start.year), start), start, start,
                          start + dt.timedelta(days=30), None)
        for d in defects:
            if d.plant == "consultation_no_feedback":
                titles = list(d.params.get("titles") or [])
                for k in range(d.count):
                    end = t0 - dt.timedelta(days=rng.randint(45, 330))
                    if k < len(d.params.get("ends") or []):
                        end = _as_date(d.params["ends"][k], f"{self.src}: consultation_no_feedback.ends", t0)
                    start = end - dt.timedelta(days=rng.randint(14, 30))
                    title = titles[k] if k < len(titles) else None
                    doc = (re.search(r"《(.*)》", title).group(1) if title and "《" in title
                           else self.unique(lambda: t.title("consult_subjects", year=start.year), start))
                    self._consult(c, doc, start, start, end, None, title=title)
            elif d.plant == "fraud_period":
                p = d.params
                pub = _as_date(p["published"], f"{self.src}: fraud_period.published", t0)
                s = _as_date(p["start"], f"{self.src}: fraud_period.start", t0)
                e = _as_date(p["end"], f"{self.src}: fraud_period.end", t0)
                fbd = p.get("feedback")
                fb = _as_date(fbd, f"{self.src}: fraud_period.feedback", t0) if fbd else None
                title = p.get("title")
                doc = re.search(r"《(.*)》", title).group(1) if title and "《" in title else (title or "")
                self._consult(c, doc, pub, s, e, fb, title=title, period=p.get("period_text"))

    def gen_reports(self, c: Column, defects: list[Defect]) -> None:
        years = list(c.spec.get("years", [2019, 2020, 2021]))
        missing = {int(d.params["year"]) for d in defects if d.plant == "report_missing"}
        late = {int(d.params["year"]): _as_date(d.params["published"], f"{self.src}: report_late", self.t0)
                for d in defects if d.plant == "report_late"}
        repeat = [d.params.get("years") for d in defects if d.plant == "report_repeat"]
        bank = load_data("text.yaml")
        owner = self.spec.get("report_owner") or (bank["portal_owner"].format(city=self.city)
                                                 if self.spec.get("kind") == "门户"
                                                 else self.spec.get("full_unit", self.spec["name"]))
        for idx, y in enumerate(years):
            if y in missing:
                continue
            pub = late.get(y) or dt.date(y + 1, 1, self.rng.randint(8, 28))
            section_year = y
            for pair in repeat:
                if pair and y == max(pair):
                    section_year = min(pair)
            k = years.index(section_year) if section_year in years else idx
            probs = bank["report_problems"]
            imps = bank["report_improvements"]
            fl = bank["report_five_lines"]
            # consecutive years share almost nothing, so only a planted repeat reads as 雷同
            p3 = [probs[(3 * k + j) % len(probs)] for j in range(3)]
            i2 = [imps[(2 * k + j) % len(imps)] for j in range(2)]
            five = [fl["problems"].format(items="".join(e + x for e, x in zip(fl["enum"], p3))),
                    fl["improvements"].format(items="".join(e + x for e, x in zip(fl["enum"], i2)))]
            self.new_item(c, bank["report_title"].format(owner=owner, year=y), pub, "report", year=y, section5=five,
                          figures=[self.rng.randint(20, 900) for _ in range(8)])

    def gen_org(self, c: Column, defects: list[Defect]) -> None:
        t, rng = self.text, self.rng
        bank = load_data("text.yaml")
        n = int(c.spec.get("sections", 8))
        names = rng.sample(bank["org_sections"], k=min(n, len(bank["org_sections"])))
        hours = rng.choice(bank["office_hours"])
        sections = [{"name": nm, "head": t.person(), "hours": hours, "phone": f"0715-8{rng.randint(100000, 999999)}",
                     "duty": t.fill(bank["duties"])} for nm in names]
        order = list(range(len(sections)))
        rng.shuffle(order)
        altered: set[int] = set()  # each planted gap lands on its own 科室, so gaps count one by one
        for d in defects:
            if d.plant != "org_missing":
                continue
            fld = {"负责人": "head", "负责人姓名": "head", "办公时间": "hours", "head": "head", "hours": "hours"}.get(
                str(d.params.get("field", "head")))
            if fld is None:
                raise self.err("defects: org_missing", f"field 应为 负责人 或 办公时间：{d.params.get('field')!r}")
            picked = [i for i in order if i not in altered][: d.count]
            altered.update(picked)
            if len(picked) < d.count:
                raise self.err("defects: org_missing", f"科室数 {n} 不足以缺失 {d.count} 处")
            for i in picked:
                sections[i][fld] = None
        c.content = {"duties": t.paragraphs(2), "sections": sections,
                     "updated": self.t0 - dt.timedelta(days=rng.randint(20, 90))}

    def gen_leaders(self, c: Column, defects: list[Defect] = ()) -> None:
        t, rng = self.text, self.rng
        bank = load_data("text.yaml")
        leaders = []
        for i in range(rng.randint(3, 5)):
            leaders.append({"name": t.person(), "title": bank["leader_titles"][min(i, len(bank["leader_titles"]) - 1)],
                            "resume": bank["leader_resume"].format(year=rng.randint(1966, 1980), month=rng.randint(1, 12),
                                                                   place=t.pick("places"))})
        # the newest appointees (listed last) whose 简历 was never filled in
        n = sum(d.count for d in defects if d.plant == "leader_incomplete")
        if n > len(leaders):
            raise self.err("defects: leader_incomplete", f"领导共 {len(leaders)} 位，不足以缺失 {n} 份简历")
        for ld in leaders[len(leaders) - n:]:
            ld["resume"] = None
        c.content = {"leaders": leaders}

    def footer(self, defects: list[Defect]) -> dict[str, Any]:
        f = dict(self.scen.get("footer_defaults") or {})
        f.update(self.spec.get("footer") or {})
        f.setdefault("sponsor", self.spec.get("full_unit", self.spec["unit"]))
        present = {e: True for e in FOOTER_ELEMENTS}
        for d in defects:
            if d.plant == "footer_missing":
                for e in d.params.get("elements") or []:
                    if e not in FOOTER_ELEMENTS:
                        raise self.err("defects: footer_missing", f"未知页脚要素 {e!r}（可选：{', '.join(FOOTER_ELEMENTS)}）")
                    if d.params["pages"] == "all":
                        present[e] = False
                    else:  # one template (the home page's, or the inner pages') lacks it
                        f.setdefault("absent_on", {}).setdefault(d.params["pages"], set()).add(e)
        f["present"] = present
        return f

    def special(self, defects: list[Defect]) -> dict[str, Any]:
        sp: dict[str, Any] = {"broken": [], "slow": [], "waf": None, "trap": None}
        for d in defects:
            if d.plant == "broken_link":
                for k in range(d.count):
                    sp["broken"].append({"status": d.params.get("status", 404), "on": d.params.get("on", "home"),
                                         "timeout": float(d.params.get("delay", 30)),
                                         "name": f"{d.params.get('status', 404)}-{len(sp['broken']) + 1}"})
            elif d.plant == "slow_page":
                sp["slow"].append({"delay": float(d.params.get("delay", 3)), "name": f"slow-{len(sp['slow']) + 1}"})
            elif d.plant == "waf":
                paths = list(d.params.get("paths") or [])
                # the home page links into the blocked area, so a crawler meets the block page on its own
                sp["waf"] = {"paths": paths, "query": list(d.params.get("query") or []),
                             "links": list(d.params.get("links") or [p + "index.html" if p.endswith("/") else p
                                                                      for p in paths])}
            elif d.plant == "outage":
                # the whole site is down for `down` seconds out of every `period` (for availability probes)
                sp["outage"] = {"period": float(d.params.get("period", 60)), "down": float(d.params.get("down", 6)),
                                "mode": str(d.params.get("mode", "503")), "hang": float(d.params.get("hang", 20)),
                                "delay": float(d.params.get("delay", 16))}
                # 503: refused; hang: no answer for `hang` s, then 503; slow: the page, after `delay` s
                if sp["outage"]["mode"] not in ("503", "hang", "slow") or not 0 < sp["outage"]["down"] < sp["outage"]["period"]:
                    raise self.err("defects: outage", "mode 应为 503、hang 或 slow，且 0 < down < period")
            elif d.plant == "trap":
                sp["trap"] = {"path": d.params.get("path", "/calendar/index.html")}
            elif d.plant == "home_frozen":
                sp["home_last"] = d.params["last"]  # the home page was last regenerated then
            elif d.plant == "meta_missing":
                sp.setdefault("meta_missing", []).append((d.params["pages"], d.params["tags"]))
            elif d.plant == "search_broken":
                sp["search_broken"] = d.params["mode"]
            elif d.plant == "search_stale":
                sp["search_indexed_until"] = d.params["indexed_until"]
            elif d.plant == "channel_broken":
                sp["channel_broken"] = d.params["mode"]
            elif d.plant == "header_no_name":
                # logo: the name is drawn in the logo picture only; slogan: no logo, a slogan where the name goes
                sp["header_no_name"] = d.params["mode"]
            elif d.plant == "message_stats_missing":
                sp["message_stats"] = False  # the message list prints no 留言受理反馈情况统计
        sp["robots"] = self.spec.get("robots")
        # transport: served over HTTPS with a planted certificate, and/or with a content encoding
        from .tls import TLS_MODES

        tls = self.spec.get("tls")
        if tls is not None and tls not in TLS_MODES:
            raise self.err("tls", f"tls 应为 {' / '.join(TLS_MODES)}，实为 {tls!r}")
        sp["tls"] = tls
        enc = self.spec.get("content_encoding")
        if enc is not None and enc not in CONTENT_ENCODINGS:
            raise self.err("content_encoding", f"content_encoding 应为 {' / '.join(CONTENT_ENCODINGS)}，实为 {enc!r}")
        sp["content_encoding"] = enc
        plat = self.spec.get("platform_column")
        if plat:
            # this top-level column (and everything under it) is served from a second host, as county
            # 政府信息公开 platforms often are; the roster declares that host under 其他域名
            if not any(c.name == plat for c in self.roots):
                raise self.err("platform_column", f"没有名为 {plat!r} 的一级栏目")
            sp["platform_column"] = str(plat)
        return sp

    def assign_ids(self, site: SimSite) -> None:
        items = [it for c in site.all_columns() for it in c.items]
        items.sort(key=lambda it: (it.date, it.seq))
        nid = self.rng.randint(100000, 900000)
        for it in items:
            nid += self.rng.randint(1, 40)
            it.id = nid
            site.items_by_id[nid] = it
        for c in site.all_columns():
            site.cols_by_id[c.id] = c


def build_site(spec: dict, scen: dict, templates: dict, t0: dt.date, src: Path, order: int = 0) -> SimSite:
    return _Builder(spec, scen, templates, t0, src, order).build()
