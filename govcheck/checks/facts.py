"""What the website checks read about ONE site, as plain JSON-serialisable dataclasses.

The crawler adapter fills a `SiteFacts` from the page index and the extraction layer; the checks
never touch HTML. `None` always means "not known" (not fetched, drawn by script, not looked at):
a check skips an unknown fact (or lists it for a person) and never turns it into a finding, so a
partial `SiteFacts` produces no finding it cannot prove.
"""
from __future__ import annotations

import datetime as dt
import json
import types
import typing
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from govcheck.model import Archive, Evidence


class FactsError(ValueError):
    """A facts file or dict that cannot be read; the message names the file and the field."""


# ---------------------------------------------------------------------------------------------- pieces
@dataclass
class EvidenceRef:
    """Where the bytes a fact was read from are archived (one crawl-index row)."""

    url: str
    fetched_at: str | None = None  # ISO time
    status: int | None = None
    sha256: str | None = None
    warc: str | None = None
    record_id: str | None = None
    offset: int | None = None
    # what the page is, as extraction read it: home | list | content | menu (links to sub-columns) | search |
    # unclear; None: not stated. Read by the evidence standard (checks.evidence), never printed.
    page_role: str | None = None

    def evidence(self, **kw: Any) -> Evidence:
        arc = None
        if self.warc and self.record_id:
            arc = Archive(self.warc, self.record_id, self.sha256 or "", self.offset)
        kw.setdefault("url", self.url)
        kw.setdefault("fetched_at", self.fetched_at)
        kw.setdefault("status", self.status)
        return Evidence(archive=arc, **kw)


@dataclass
class Item:
    """One row of a list: a title, its link and the date shown for it."""

    title: str
    url: str | None = None
    date: str | None = None  # YYYY-MM-DD
    ref: EvidenceRef | None = None
    date_precision: str | None = None  # day (printed in full) | month_day (MM-DD, year inferred) | month; None: day
    source: str | None = None  # None: the page's own markup; "data": data the page loads (script records, JSON)
    rendered: bool = False  # read from the page as Chromium rendered it (the browser pass), not its markup

    @property
    def date_inferred(self) -> bool:
        return self.date_precision not in (None, "day")


# What a column was judged from; every column of a crawled site ends in exactly one of these.
STATE_PAGES = "pages"  # judged from the pages (list rows, a blank list, a single page, a menu's sub-columns)
STATE_DATA = "data"  # judged from data the page loads (records held in a script element, a JSON endpoint)
STATE_MANUAL = "manual"  # 需人工核查, `state_reason` says why
STATES = (STATE_PAGES, STATE_DATA, STATE_MANUAL)
# Kind sources a window rule may deduct on: the site names the column so (see extract.columns.KindDecision);
# None: not stated (hand-written facts), read as named.
NAMED_SOURCES = frozenset({None, "name", "sitemap", "breadcrumb", "config"})


@dataclass
class ColumnFacts:
    path: str  # as a notice prints it: 首页>政务公开>通知公告
    name: str
    kind: str = "other"  # 动态要闻/通知公告/政策文件/… (extraction's column kinds), or "other"
    first_level: bool = False
    url: str | None = None  # the list page
    items: list[Item] = field(default_factory=list)
    blank: bool = False  # the list page shows no entry at all
    dynamic: bool = False  # entries drawn by script only: undecided, never blank nor stale
    ref: EvidenceRef | None = None
    sub_platform: str | None = None  # department sub-platform on a county platform (X02), e.g. 县民政局
    cycle_days: int | None = None  # site override of the kind's update cycle
    # how `kind` was decided: name (the column's own name) | sitemap | breadcrumb | parent (a classified
    # ancestor's) | titles (row titles); None: not stated
    kind_source: str | None = None
    # static | rendered (rows the page shows once Chromium has run its scripts) | script (data the page loads) |
    # unread; None: from `dynamic`
    list_source: str | None = None
    kind_from: str | None = None  # what the kind was read from: the word, the other name, the ancestor's path
    role: str | None = None  # list · menu (judged through its sub-columns) · page (a single page) · unread
    state: str | None = None  # pages · data · manual (see STATES); None in hand-written facts: derived
    state_reason: str | None = None  # why a person must look (state manual)

    def dates(self) -> list[dt.date]:
        return [d for d in (to_date(i.date) for i in self.items) if d is not None]

    def kind_named(self) -> bool:
        """The site names the column's kind (its own name, 网站地图, breadcrumb, or a site override): a window
        rule may deduct on it. A kind inherited or read from titles is a guess."""
        return self.kind_source in NAMED_SOURCES or self.kind == "other"

    def judged_state(self) -> str:
        """The column's state; hand-written facts without one: a script-drawn list without entries is manual."""
        if self.state:
            return self.state
        if self.list_source == "unread" or (self.dynamic and not self.items):
            return STATE_MANUAL
        if self.list_source == "script":
            return STATE_DATA
        if self.items and all(i.source == "data" for i in self.items):
            return STATE_DATA
        return STATE_PAGES

    def judgeable(self) -> bool:
        return self.judged_state() != STATE_MANUAL

    def newest_item(self, at: dt.date) -> Item | None:
        """The row with the newest date not after `at` (a full date preferred over an inferred one of the same
        day): the row a freshness verdict rests on."""
        best, best_key = None, None
        for i in self.items:
            d = to_date(i.date)
            if d is None or d > at:
                continue
            key = (d, not i.date_inferred)
            if best_key is None or key > best_key:
                best, best_key = i, key
        return best


@dataclass
class HomeFacts:
    url: str
    items: list[Item] = field(default_factory=list)  # dated entries shown on the home page
    ref: EvidenceRef | None = None
    name_in_header: bool | None = None  # the site's name shown in the header area (None: not decidable)


@dataclass
class Undecided:
    """A fact extraction could not decide (a page whose role is unclear, a 机构职能 column that is only a menu
    with no holding page read …): the checks list it for a person under `code`, never deduct on it."""

    code: str
    reason: str
    urls: list[str] = field(default_factory=list)


@dataclass
class PageTags:
    """A sampled page's <meta> tags (SiteName, ColumnName, ArticleTitle …) and header."""

    url: str
    page_type: str  # "content" | "column"
    meta: dict[str, str] = field(default_factory=dict)
    site_name_in_header: bool | None = None
    ref: EvidenceRef | None = None


@dataclass
class FooterFacts:
    """Footer of one page, in the extraction layer's keys (conac, site_id_code, icp, …)."""

    url: str
    is_home: bool = False
    present: bool = True  # False: footer drawn by script, nothing decidable
    conac: bool | None = None
    site_id_code: str | None = None
    icp: str | None = None
    police_record: str | None = None
    sponsor: str | None = None
    contact: bool | None = None
    error_report_entry: bool | None = None
    ref: EvidenceRef | None = None


@dataclass
class OrgEntry:
    """The unit itself (level "unit") or one 内设科室 (level "office") on the 机构职能 page.

    `fields` maps the official field names (机关职能, 机构设置, 办公地址, 办公时间, 联系方式, 负责人姓名)
    to the value shown; a missing or empty value means the page does not show it.
    """

    name: str
    level: str = "office"
    fields: dict[str, str | None] = field(default_factory=dict)
    url: str | None = None
    ref: EvidenceRef | None = None


@dataclass
class Leader:
    name: str | None = None
    position: str | None = None
    resume: str | None = None
    url: str | None = None
    ref: EvidenceRef | None = None


@dataclass
class Consultation:
    title: str
    url: str | None = None
    published: str | None = None
    start: str | None = None  # stated period
    end: str | None = None
    period_text: str | None = None  # the sentence the period was read from
    feedback_url: str | None = None
    feedback_date: str | None = None
    ref: EvidenceRef | None = None
    feedback_ref: EvidenceRef | None = None
    dates_inferred: list[str] = field(default_factory=list)  # date fields not printed in full (year inferred)


@dataclass
class Interpretation:
    url: str
    title: str
    date: str | None = None
    policy_urls: list[str] = field(default_factory=list)  # policies it links to
    ref: EvidenceRef | None = None
    # archived articles it links to whose column kind was not read (a policy the crawl reached only through
    # this link): with no known policy linked, 'unlinked' cannot be proved
    unread_links: list[str] = field(default_factory=list)
    dates_inferred: list[str] = field(default_factory=list)  # date fields not printed in full (year inferred)


@dataclass
class Policy:
    url: str
    title: str
    date: str | None = None
    interpretation_urls: list[str] = field(default_factory=list)  # interpretations it links to
    own_issue: bool = True  # issued in the name of the unit or its office (D07 population)
    ref: EvidenceRef | None = None
    dates_inferred: list[str] = field(default_factory=list)  # date fields not printed in full (year inferred)


@dataclass
class Message:
    title: str | None = None
    url: str | None = None
    asked: str | None = None
    answered: str | None = None
    unit: str | None = None
    answer: str | None = None
    ref: EvidenceRef | None = None
    dates_inferred: list[str] = field(default_factory=list)  # date fields not printed in full (year inferred)


@dataclass
class InteractionFacts:
    channel_url: str | None = None  # the online consultation channel (写信/咨询 form)
    channel_works: bool | None = None  # a submission form is reachable and usable
    messages_public: bool | None = None  # any message is published at all
    stats_published: bool | None = None  # 留言受理反馈情况统计数据
    ref: EvidenceRef | None = None
    channel_note: str | None = None  # why the channel does not work, as read (which entry, what it showed)


@dataclass
class AnnualReport:
    year: int
    title: str
    url: str | None = None
    published: str | None = None
    section5: str | None = None  # text of 五、存在的主要问题及改进情况
    ref: EvidenceRef | None = None
    dates_inferred: list[str] = field(default_factory=list)  # date fields not printed in full (year inferred)


@dataclass
class SearchTest:
    query: str
    found: bool
    url: str | None = None  # the results page
    ref: EvidenceRef | None = None


@dataclass
class SearchFacts:
    present: bool | None = None  # a site search box exists
    works: bool | None = None  # a query returns a results page
    url: str | None = None
    tests: list[SearchTest] = field(default_factory=list)
    ref: EvidenceRef | None = None
    errors: list[str] = field(default_factory=list)  # queries that could not be fetched ("url：kind: detail")


@dataclass
class LinkOutcome:
    url: str
    referrer: str
    outcome: str  # broken | suspected | blocked
    status: int | None = None
    on_home: bool = False
    ref: EvidenceRef | None = None  # the referring page


@dataclass
class WordingHit:
    """A 严重 lexicon hit in one page's text (V1.1), found while the page was read."""

    url: str
    wrong: str
    right: str
    category: str = ""
    position: int = 0  # 1-based character offset in the page text
    snippet: str = ""
    title: str | None = None
    date: str | None = None
    path: str | None = None
    kind: str = "exact"  # the lexicon's hit kind: exact | near (a one-character slip) | stale (no longer valid)
    reason: str = ""  # near / stale: why (音近字, 形近字, 已更名 …)
    term: str = ""  # near / stale: the canonical term concerned
    date_source: str | None = None  # where the page date came from (extract.article: label, meta, url, …)
    # False: a title outdated only under a page date the page does not state (a person checks; see V1.1)
    date_stated: bool = True
    held_note: str | None = None  # for date_stated False: why it goes to a person
    ref: EvidenceRef | None = None


@dataclass
class Probe:
    """One availability probe of the home page, as the monitoring service recorded it (V2)."""

    at: str  # ISO date-time; with an offset, else read as UTC
    ok: bool | None = None  # answered as a page (the monitor's own verdict)
    latency: float | None = None  # seconds to the complete answer; None: no answer
    status: int | None = None
    error: str | None = None  # timeout | dns | connect | http | slow | tls | blocked (WAF challenge) | None
    detail: str | None = None  # the monitor's own words for a failure (the fetch error, the time taken)


@dataclass
class AvailabilityFacts:
    """The home page's availability probes (V2), filled by the monitoring service."""

    url: str
    probes: list[Probe] = field(default_factory=list)
    source: str | None = None  # which monitor wrote them


@dataclass
class Body:
    """One subordinate body (部门 or 乡镇街道) a county-level 政府信息公开 platform must carry a sub-platform for,
    as the subordinate-bodies roster lists it (the office's 机构编制 records)."""

    name: str  # 单位名称
    type: str = "部门"  # 部门 | 乡镇街道
    url: str | None = None  # 平台栏目网址, when the roster gives it
    file: str | None = None  # the roster row it came from (cited as evidence)
    row: int | None = None


@dataclass
class PlatformFacts:
    """What the platform checks (GK*) read besides the column tree: the bodies the platform must carry.
    None on SiteFacts: the site is not named as a 上级平台 in a subordinate-bodies roster (not checked)."""

    bodies: list[Body] = field(default_factory=list)
    region: str | None = None
    source: str | None = None  # the roster file


# ---------------------------------------------------------------------------------------------- site
@dataclass
class SiteFacts:
    url: str
    unit: str
    name: str | None = None  # 网站名称
    kind: str = "部门"  # 门户 / 部门
    public_service: bool = True
    home: HomeFacts | None = None
    columns_known: bool = False  # the column tree is complete enough to say a kind is absent
    columns: list[ColumnFacts] = field(default_factory=list)
    pages: list[PageTags] = field(default_factory=list)
    footers: list[FooterFacts] = field(default_factory=list)
    org: list[OrgEntry] | None = None  # None: no 机构职能 page read
    leaders: list[Leader] | None = None
    consultations: list[Consultation] = field(default_factory=list)
    interpretations: list[Interpretation] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    interaction: InteractionFacts | None = None
    messages: list[Message] = field(default_factory=list)
    annual_reports: list[AnnualReport] = field(default_factory=list)
    search: SearchFacts | None = None
    links: list[LinkOutcome] = field(default_factory=list)
    wording: list[WordingHit] = field(default_factory=list)  # V1.1, from the page text
    availability: AvailabilityFacts | None = None  # V2; None: no monitoring record at all
    platform: PlatformFacts | None = None  # GK*: the bodies the site's 政府信息公开 platform must carry
    undecided: list[Undecided] = field(default_factory=list)

    def column_states(self) -> dict[str, int]:
        """How many columns are in each state (pages / data / manual): every column is in exactly one."""
        out = {s: 0 for s in STATES}
        for c in self.columns:
            out[c.judged_state()] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return _prune(asdict(self))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, d: dict[str, Any], source: str = "facts") -> "SiteFacts":
        return _build(cls, d, source)

    @classmethod
    def load(cls, path: str | Path) -> "SiteFacts":
        """Read a SiteFacts JSON or YAML file (the whole file, or its `site` key)."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise FactsError(f"{p}: 无法读取：{e}") from None
        try:
            if p.suffix in (".yaml", ".yml"):
                doc = _yaml_load(text)
            else:
                doc = json.loads(text)
        except Exception as e:  # yaml.YAMLError / json.JSONDecodeError
            raise FactsError(f"{p}: 格式错误：{e}") from None
        if isinstance(doc, dict) and "site" in doc:
            doc = doc["site"]
        return cls.from_dict(doc, str(p))


_VERBATIM = {"fields", "meta"}  # maps whose None values are facts (a field the page does not show)


def _yaml_load(text: str) -> Any:
    """YAML with dates kept as text, so a bad date is reported by its field instead of by the parser."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return yaml.load(text, Loader=Loader)


def _prune(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: (v if k in _VERBATIM else _prune(v)) for k, v in x.items()
                if v is not None and v != [] and v != {}}
    if isinstance(x, list):
        return [_prune(v) for v in x]
    return x


# ---------------------------------------------------------------------------------------------- dates
def to_date(s: str | dt.date | None) -> dt.date | None:
    if s is None or s == "":
        return None
    if isinstance(s, dt.datetime):
        return s.date()
    if isinstance(s, dt.date):
        return s
    return _iso(str(s)[:10])


@lru_cache(maxsize=1 << 16)
def _iso(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


# ---------------------------------------------------------------------------------------------- loading
_DATE_FIELDS = {"date", "published", "start", "end", "feedback_date", "asked", "answered"}
_DATETIME_FIELDS = {"at"}


def _build(cls: type, d: Any, where: str) -> Any:
    if not isinstance(d, dict):
        raise FactsError(f"{where}: 应为映射（对象），实为 {type(d).__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(d) - names)
    if unknown:
        raise FactsError(f"{where}: 未知字段 {', '.join(unknown)}")
    kw = {}
    for f in fields(cls):
        if f.name not in d:
            continue
        kw[f.name] = _value(hints[f.name], d[f.name], f"{where}.{f.name}", f.name)
    try:
        return cls(**kw)
    except TypeError as e:
        raise FactsError(f"{where}: 缺少必填字段（{e}）") from None


def _value(tp: Any, v: Any, where: str, name: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if v is None:
            return None
        tp = args[0]
        origin = typing.get_origin(tp)
    if v is None:
        raise FactsError(f"{where}: 不能为空")
    if origin is list:
        if not isinstance(v, list):
            raise FactsError(f"{where}: 应为列表")
        (arg,) = typing.get_args(tp)
        return [_value(arg, x, f"{where}[{i}]", name) for i, x in enumerate(v)]
    if origin is dict:
        if not isinstance(v, dict):
            raise FactsError(f"{where}: 应为映射")
        return {str(k): (None if x is None else str(x)) for k, x in v.items()}
    if is_dataclass(tp):
        return _build(tp, v, where)
    if tp is bool:
        if not isinstance(v, bool):
            raise FactsError(f"{where}: 应为 true/false，实为 {v!r}")
        return v
    if tp is int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise FactsError(f"{where}: 应为整数，实为 {v!r}")
        return v
    if tp is float:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise FactsError(f"{where}: 应为数字，实为 {v!r}")
        return float(v)
    if tp is str:
        if isinstance(v, (dt.date, dt.datetime)):
            v = v.isoformat()
        elif not isinstance(v, str):
            v = str(v)
        if name in _DATE_FIELDS:
            try:
                to_date(v)
            except ValueError:
                raise FactsError(f"{where}: 不是有效日期（应为 YYYY-MM-DD）：{v!r}") from None
        if name in _DATETIME_FIELDS:
            try:
                dt.datetime.fromisoformat(v)
            except ValueError:
                raise FactsError(f"{where}: 不是有效时间（应为 ISO 格式，如 2022-05-14T08:00:00+08:00）：{v!r}") from None
        return v
    return v
