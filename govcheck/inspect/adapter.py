"""Crawl index + archived pages → one SiteFacts per site.

Everything comes from the pages the crawler archived: the column tree from 网站地图, navigation and
breadcrumbs, each column's entries from its list pages (all pagination pages merged), and the detail
facts (consultations, messages, 机构职能, 解读, 年报) from the articles those lists link to. Every fact
keeps the EvidenceRef (WARC file, record id, SHA-256) of the page it was read from.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from govcheck.checks import build
from govcheck.checks.facts import (ColumnFacts, EvidenceRef, InteractionFacts, Interpretation, Item, LinkOutcome,
                                   Policy, SiteFacts)
from govcheck.collect import query
from govcheck.extract import extract_from_page, parse_page
from govcheck.extract.columns import classify_column, extract_nav_columns, extract_sitemap_columns, flatten
from govcheck.extract.consultation import is_feedback
from govcheck.extract.meta import page_title
from govcheck.model import Finding, Site
from govcheck.newmedia.checks import check_page_wording

log = logging.getLogger(__name__)

DATA_FILE = Path(__file__).resolve().parent / "data" / "inspect.yaml"
HOME = "首页"


class InspectDataError(ValueError):
    pass


@functools.lru_cache(maxsize=None)
def data() -> dict[str, Any]:
    try:
        with DATA_FILE.open(encoding="utf-8") as f:
            d = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise InspectDataError(f"{DATA_FILE}: 无法读取：{e}") from None
    for key in ("first_level_parents", "sub_platform_parents", "kinds", "message_stats_words", "search"):
        if key not in d:
            raise InspectDataError(f"{DATA_FILE}: 缺少 {key}")
    return d


def kinds_of(role: str) -> set[str]:
    return set(data()["kinds"].get(role) or [])


# ---------------------------------------------------------------------------------------------- pages
@dataclass
class PageRec:
    """One archived page with what extraction read from it (the HTML itself is re-read when needed)."""

    url: str
    ref: EvidenceRef
    depth: int
    d: dict[str, Any]
    has_form: bool = False  # a POST form with a free-text field (online letter/consultation form)

    @property
    def kind(self) -> str:
        return self.d.get("kind") or "other"

    def path(self) -> str | None:
        crumbs = self.d.get("breadcrumb") or []
        if len(crumbs) < 2:
            return None
        return ">".join([HOME] + [c.strip() for c in crumbs[1:]])


def ref_of(row: dict[str, Any]) -> EvidenceRef:
    fa = row.get("fetched_at")
    return build.ref_for(row["url"], fa, status=row.get("status"), sha256=row.get("sha256"), warc=row.get("warc"),
                         record_id=row.get("record_id"), offset=row.get("warc_offset"))


_KEEP = ("kind", "title", "breadcrumb", "publish_date", "items", "blank", "dynamic_list", "page_links", "footer",
         "meta", "publisher", "column_name")


@functools.lru_cache(maxsize=1)
def _lexicon():
    from govcheck.newmedia.lexicon import Lexicon

    return Lexicon.load()


def _entry_facts(page) -> dict:
    """An entry of a list (a dated row's target) is a content page: only what the checks read from content
    pages (title, date, issuer, footer, meta tags) is extracted, in extract_page's keys and with its functions;
    list detection and breadcrumbs, the costly half of extract_page, are skipped."""
    from govcheck.extract.article import extract_article
    from govcheck.extract.dates import iso
    from govcheck.extract.footer import extract_footer
    from govcheck.extract.meta import extract_meta

    meta = extract_meta(page)
    art = extract_article(page, meta)
    return {"kind": "article", "title": art.title, "breadcrumb": [], "publish_date": iso(art.publish_date),
            "items": [], "blank": False, "dynamic_list": False, "page_links": [], "footer": extract_footer(page),
            "meta": meta, "publisher": art.info.get("publisher"), "column_name": None}


def extract_one(body: bytes, url: str, content_type: str | None, at: dt.date,
                scan: Callable[[str, dict], None] | None = None, entry: bool = False) -> tuple[dict, bool, list | None]:
    """extract_page's facts (trimmed), whether the page has a letter form, and 网站地图 columns if it is one.
    `scan(text, facts)` sees the page text while it is at hand (the V1.1 wording scan). `entry`: the page is
    a dated row of a list already read, so it is read as a content page (_entry_facts)."""
    page = parse_page(body, url, content_type)
    if entry:
        d = _entry_facts(page)
    else:
        d = extract_from_page(page, ref_date=at)
        d = {k: d.get(k) for k in _KEEP}
    if scan is not None:
        scan(page.text, d)
    form = data().get("channel_form") or {}
    has_form = False
    for f in page.tree.css("form"):
        if (f.attributes.get("method") or "get").lower() == form.get("method", "post") and \
                f.css_first(form.get("field", "textarea")) is not None:
            has_form = True
            break
    sitemap = None
    if any(w in (page_title(page) or "") for w in data()["sitemap_words"]):  # skip the map parser elsewhere
        sitemap = [c.to_dict() for c in flatten(extract_sitemap_columns(page))] or None
    if d["kind"] == "home":
        d["nav"] = [c.to_dict() for c in flatten(extract_nav_columns(page))]
        d["search_forms"] = _search_forms(page)
    return d, has_form, sitemap


def _search_forms(page) -> list[dict]:
    """GET forms with one text input whose markup says search: (action URL, field name)."""
    words = data()["search"]["form_words"]
    out = []
    for f in page.tree.css("form"):
        if (f.attributes.get("method") or "get").lower() != "get":
            continue
        inputs = [i for i in f.css("input") if (i.attributes.get("type") or "text").lower() in ("text", "search")]
        if len(inputs) != 1 or not inputs[0].attributes.get("name"):
            continue
        blob = (f.html or "").lower()
        if not any(w in blob for w in words):
            continue
        from govcheck.extract.dom import fast_urljoin

        action = fast_urljoin(page.url, f.attributes.get("action") or page.url or "")
        out.append({"action": action, "field": inputs[0].attributes.get("name")})
    return out


def page_rows(db, site_url: str) -> list[dict]:
    """Index rows of every HTML page of a site that was fetched fine (the latest fetch per URL)."""
    rows: dict[str, dict] = {}
    for row in query.fetches(db, site_url, "page"):
        if row["outcome"] == "ok" and row.get("warc") and row.get("warc_offset") is not None:
            rows[row["url"]] = row
    return list(rows.values())


@dataclass
class Extracted:
    """Pages of one site read so far (a chunk or all of them); chunks are added together."""

    pages: list[PageRec] = field(default_factory=list)
    sitemap: list[tuple[PageRec, list[dict]]] = field(default_factory=list)
    wording: list[Finding] = field(default_factory=list)

    def extend(self, other: "Extracted") -> None:
        self.pages += other.pages
        self.sitemap += other.sitemap
        self.wording += other.wording


def extract_rows(rows: list[dict], crawl_dir: str | Path, at: dt.date, site: Site | None = None,
                 on_page: Callable[[], None] | None = None, entries: set[str] | None = None) -> Extracted:
    """Read and extract the archived pages of `rows`; with `site`, scan their text for V1.1 wording too.

    `entries`: the dated rows of the lists read so far (crawl order: a list before its entries), carried
    from one chunk of a site's pages to the next; updated in place."""
    crawl_dir = Path(crawl_dir)
    out = Extracted()
    entries = set() if entries is None else entries
    for row in rows:
        url = row["url"]

        def scan(text: str, d: dict, url=url, row=row) -> None:
            if site is None or d.get("kind") not in ("home", "list", "article"):
                return
            arc = ref_of(row).evidence().archive
            out.wording.extend(check_page_wording(site.unit, site.url, url, text, _lexicon(), title=d.get("title"),
                                                  page_date=d.get("publish_date"), archive=arc, at=at))

        try:
            _, _, body = query.read_record(crawl_dir, row["warc"], row["warc_offset"])
            d, has_form, sm = extract_one(body, url, row.get("content_type"), at, scan, entry=url in entries)
        except Exception as e:  # one unreadable page must not stop the site
            log.warning("cannot read %s: %s", url, e)
            continue
        finally:
            if on_page:
                on_page()
        if d.get("kind") in ("list", "home"):
            entries.update(_norm_url(i["url"]) for i in d.get("items") or [] if i.get("url") and i.get("date"))
        rec = PageRec(url=url, ref=ref_of(row), depth=row.get("depth") or 0, d=d, has_form=has_form)
        out.pages.append(rec)
        if sm:
            out.sitemap.append((rec, sm))
    return out


def read_html(crawl_dir: Path, ref: EvidenceRef) -> bytes:
    return query.read_record(crawl_dir, ref.warc, ref.offset)[2]


def _name_in_header(site: Site, crawl_dir: Path, ref: EvidenceRef) -> bool | None:
    """D20.3 on the home page: the roster's site name (or it without a 门户网站-style suffix) in the header."""
    from govcheck.extract.decode import decode_html
    from govcheck.extract.dom import parse_page
    from govcheck.extract.header import header_shows_name

    if not site.name:
        return None
    names = [site.name] + [site.name.removesuffix(x) for x in data()["site_name_suffixes"]
                           if site.name.endswith(x) and len(site.name) > len(x) + 1]
    try:
        text, _ = decode_html(read_html(crawl_dir, ref))
        return header_shows_name(parse_page(text, ref.url), names)
    except Exception as e:  # noqa: BLE001 - an unreadable header is a question for a person, not a crash
        log.warning("header of %s: %s", ref.url, e)
        return None


# ---------------------------------------------------------------------------------------------- tree
@dataclass
class Col:
    path: str
    name: str
    url: str | None = None
    sources: set[str] = field(default_factory=set)
    lists: list[PageRec] = field(default_factory=list)  # its list pages (first page and pagination)
    page: PageRec | None = None  # a single page standing for the column (单位简介, 机构职能 …)


def _norm_path(path: str) -> str:
    parts = [p.strip() for p in path.split(">") if p.strip()]
    if parts and parts[0] != HOME:
        parts[0] = HOME
    return ">".join(parts)


def _norm_url(u: str | None) -> str | None:
    return u.split("#")[0] if u else u


def column_tree(pages: list[PageRec], sitemap: list[tuple[PageRec, list[dict]]],
                site_url: str, extra_hosts: Iterable[str] = ()) -> tuple[dict[str, Col], bool]:
    """Columns keyed by printed path, from 网站地图, the home page's menu and every page's breadcrumb.

    A page that no list links to but that shows a breadcrumb is a column shown as a single page (单位简介,
    机构职能); an entry of a list is not a column, whatever its breadcrumb says."""
    cols: dict[str, Col] = {}
    hosts = {_host(site_url)} | {h.lower() for h in extra_hosts}

    def add(path: str, url: str | None, source: str) -> Col | None:
        path = _norm_path(path)
        if path.count(">") < 1:
            return None
        c = cols.get(path)
        if c is None:
            c = cols[path] = Col(path=path, name=path.split(">")[-1])
            for i in range(1, path.count(">")):  # ancestors exist too
                anc = ">".join(path.split(">")[: i + 1])
                cols.setdefault(anc, Col(path=anc, name=anc.split(">")[-1], sources={source}))
        c.sources.add(source)
        if url and not c.url and _host(url) in hosts:
            c.url = _norm_url(url)
        return c

    known = False
    for rec, sm in sitemap:
        n = 0
        for c in sm:
            if add(c["path"], c.get("url"), "sitemap"):
                n += 1
        known = known or n > 0
    for rec in pages:
        if rec.kind == "home":
            for c in rec.d.get("nav") or []:
                add(c["path"], c.get("url"), "nav")
    by_url = {c.url: c for c in cols.values() if c.url}
    entries = {_norm_url(i.get("url")) for rec in pages if rec.kind == "list" for i in rec.d.get("items") or []}
    for rec in pages:
        if rec.kind not in ("list", "article", "other"):
            continue
        path = rec.path()
        if rec.kind == "list":
            col = add(path, None, "breadcrumb") if path else by_url.get(rec.url)
            if col is not None:
                col.lists.append(rec)
            continue
        col = by_url.get(rec.url)
        if col is None and path and rec.url not in entries:
            col = add(path, rec.url, "page")
        if col is not None and col.page is None and not col.lists:
            col.page = rec  # a column shown as a single page
    return cols, known


def _host(url: str | None) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url or "").netloc or "").lower()


# ---------------------------------------------------------------------------------------------- facts
@dataclass
class SiteBuild:
    """A site's SiteFacts plus what the adapter knows beyond it (for run.py and the tests)."""

    facts: SiteFacts
    pages: int = 0
    columns: dict[str, Col] = field(default_factory=dict)
    search_forms: list[dict] = field(default_factory=list)
    articles: list[Item] = field(default_factory=list)  # dated article titles (search test candidates)
    wording: list[Finding] = field(default_factory=list)  # V1.1 严重表述错误 found in page text


def build_site(site: Site, db, crawl_dir: str | Path, at: dt.date, *, x03_section: str = "五",
               column_cycles: dict[str, int] | None = None, scan_wording: bool = True,
               on_page: Callable[[], None] | None = None, pre: Extracted | None = None) -> SiteBuild:
    """SiteFacts of one crawled site (`site.url` as crawled), read from the index and the WARC files.

    `column_cycles` (the rule set's): a dated list whose kind has no cycle there gets inspect.yaml's
    `uncycled_list_days`, so an unclassified column that stopped years ago is still judged (D09.2).
    Documents (政策文件/解读) are read only from columns named as such, not from ones that inherit the kind.
    `pre`: the site's pages already extracted (extract_rows over page_rows, possibly in chunks elsewhere)."""
    crawl_dir = Path(crawl_dir)
    if pre is None:
        pre = extract_rows(page_rows(db, site.url), crawl_dir, at, site if scan_wording else None, on_page)
    pages, sitemap = pre.pages, pre.sitemap
    facts = SiteFacts(url=site.url, unit=site.unit, name=site.name or None, kind=site.kind,
                      public_service=site.public_service)
    out = SiteBuild(facts=facts, pages=len(pages), wording=list(pre.wording))
    if not pages:
        return out
    by_url = {p.url: p for p in pages}
    home = by_url.get(site.url) or next((p for p in pages if p.depth == 0), None)
    if home is not None:
        facts.home = build.home_from_page(home.d, home.ref)
        facts.home.name_in_header = _name_in_header(site, crawl_dir, home.ref)
        out.search_forms = home.d.get("search_forms") or []

    cols, known = column_tree(pages, sitemap, site.url, site.extra_hosts)
    out.columns = cols
    facts.columns_known = known
    facts.columns = _column_facts(cols, at)
    named_kind = {c.path: classify_column(c.name, None, c.path) for c in facts.columns}  # by its own name only
    build.inherit_kinds(facts.columns)
    if column_cycles is not None:
        default = data().get("uncycled_list_days")
        for c in facts.columns:
            if default and c.kind not in column_cycles and c.dates():
                c.cycle_days = int(default)
    kind_of = {c.path: c.kind for c in facts.columns}

    # articles by the column whose list links to them
    article_col: dict[str, str] = {}
    menus = {p.rsplit(">", 1)[0] for p in cols if ">" in p}
    for c in sorted(cols.values(), key=lambda c: -c.path.count(">")):
        if c.path in menus:
            continue  # a menu page lists its sub-columns' entries; they belong to the sub-columns
        for rec in c.lists:
            for it in rec.d.get("items") or []:
                if it.get("url"):
                    article_col.setdefault(_norm_url(it["url"]), c.path)

    def col_of(rec: PageRec) -> str | None:
        return article_col.get(rec.url) or (_norm_path(rec.path()) if rec.path() else None)

    # pages' tags and footers: every list and content page, and the home page
    single = {c.page.url for c in cols.values() if c.page is not None}
    for p in pages:
        if p.kind in ("home", "list", "article"):
            facts.footers.append(build.footer_from_page(p.d, p.ref, is_home=p is home))
            t = build.tags_from_page(p.d, p.ref)
            if t is not None:
                if p.url in single:
                    t.page_type = "column"  # a column shown as one page carries column tags, not article tags
                facts.pages.append(t)

    sub_of = {c.path: c.sub_platform for c in facts.columns}
    feedback: list[Item] = []
    links: dict[str, set[str]] = {}
    policies, interps = [], []
    msg_cols, msg_pages = set(), []
    role = {r: kinds_of(r) for r in data()["kinds"]}
    for p in pages:
        if p.kind != "article":
            continue
        cpath = col_of(p)
        kind = kind_of.get(cpath or "")
        if kind is None or sub_of.get(cpath):
            continue
        title = p.d.get("title") or ""
        if p.url not in single:  # a column shown as one page (单位简介, 公开指南) is not a published item
            out.articles.append(Item(title=title, url=p.url, date=p.d.get("publish_date"), ref=p.ref))
        if kind in role["consultation"]:
            html = read_html(crawl_dir, p.ref)
            text = parse_page(html, p.url).text
            if is_feedback(title, text):
                feedback.append(Item(title=title, url=p.url, date=p.d.get("publish_date"), ref=p.ref))
            else:
                facts.consultations.append(build.consultation_from_page(p.d, text, p.ref))
        elif kind in role["message"]:
            msg_cols.add(cpath)
            msg_pages.append(p)
        elif kind in role["policy"] and named_kind.get(cpath) in role["policy"]:
            policies.append((p, Policy(url=p.url, title=title, date=p.d.get("publish_date"),
                                       own_issue=_own_issue(p.d, site), ref=p.ref)))
        elif kind in role["interpretation"] and named_kind.get(cpath) in role["interpretation"]:
            interps.append((p, Interpretation(url=p.url, title=title, date=p.d.get("publish_date"), ref=p.ref)))
        elif kind in role["report"]:
            html = read_html(crawl_dir, p.ref)
            ar = build.annual_report_from_page(p.d, parse_page(html, p.url).text, p.ref, section=x03_section)
            if ar is not None:
                facts.annual_reports.append(ar)
    build.attach_feedback(facts.consultations, feedback)
    for p, _ in policies + interps:
        links[p.url] = build.page_links(read_html(crawl_dir, p.ref), p.url)
    facts.policies = [x for _, x in policies]
    facts.interpretations = [x for _, x in interps]
    build.link_documents(facts.policies, facts.interpretations, links)

    for p in msg_pages:
        html = read_html(crawl_dir, p.ref)
        facts.messages.extend(build.messages_from_page(parse_page(html, p.url).text, p.ref))

    # 机构职能 / 领导信息: the column's own page (or its list's first page)
    for c in facts.columns:
        if c.sub_platform:
            continue
        src = cols[c.path].page or (cols[c.path].lists[0] if cols[c.path].lists else None)
        if src is None:
            continue
        if c.kind in role["org"] and facts.org is None:
            facts.org = build.org_entries_from_html(read_html(crawl_dir, src.ref), site.unit, src.ref)
        elif c.kind in role["leaders"] and facts.leaders is None:
            text = parse_page(read_html(crawl_dir, src.ref), src.url).text
            facts.leaders = build.leaders_from_page(text, src.ref) or None

    link_rows = query.link_outcomes(db, site.url)
    facts.interaction = _interaction(pages, facts, msg_cols, home, _stats_in_lists(facts, cols, crawl_dir),
                                     lambda: _channel_entries(link_rows, by_url, crawl_dir))
    facts.links = _links(link_rows, by_url, home, site.url)
    return out


def _channel_entries(link_rows: list[dict], by_url: dict[str, PageRec], crawl_dir: Path) \
        -> tuple[bool | None, str | None, EvidenceRef | None, str | None]:
    """With no letter form read anywhere: the site's own 我要写信-style entries. When every one of them is
    dead (a confirmed broken link: 404/410, not a 5xx that may pass) or opens a page without a form saying the
    service is closed (系统维护, 暂停受理), the channel does not work: (False, the archived page showing it, its
    reference, why). Otherwise undecided. An entry leading to another host (a 12345 platform) is not judged."""
    from govcheck.checks.base import note

    cfg = data()["channel"]
    words, closed = cfg["entry_words"], cfg["closed_words"]
    entries: dict[str, dict] = {}
    for lk in link_rows:
        text = (lk.get("text") or "").strip()
        if lk.get("internal") and text and any(w in text for w in words):
            entries.setdefault(lk["url"].split("#")[0], lk)
    failed: list[tuple[str, EvidenceRef, str]] = []
    for url, lk in entries.items():
        page = by_url.get(url)
        text = " ".join(lk["text"].split())
        if lk["outcome"] == "broken" and page is None:
            ref_rec = by_url.get(lk["referrer"])
            if ref_rec is not None:  # the page offering the dead entry, archived
                failed.append((ref_rec.url, ref_rec.ref,
                               note("channel_entry_dead", text=text, status=lk.get("status") or "")))
        elif page is not None and not page.has_form:
            shown = parse_page(read_html(crawl_dir, page.ref), url).text
            said = [w for w in closed if w in shown]
            if said:
                failed.append((url, page.ref, note("channel_closed", text=text, words="、".join(said))))
    if entries and len(failed) == len(entries):
        return False, failed[0][0], failed[0][1], failed[0][2]
    return None, None, None, None


def _own_issue(d: dict, site: Site) -> bool:
    """Issued in the unit's own name, unless the page names another issuer (发布机构)."""
    pub = (d.get("publisher") or "").strip()
    if not pub:
        return True
    from govcheck.checks.footer import name_overlap

    return any(name_overlap(pub, n) >= 0.6 for n in (site.unit, site.name) if n) or \
        any(n and n in pub for n in (site.unit, site.name))


def _column_facts(cols: dict[str, Col], at: dt.date) -> list[ColumnFacts]:
    cfg = data()
    fl_parents = set(cfg["first_level_parents"])
    sp_parents = set(cfg["sub_platform_parents"])
    has_children = {p.rsplit(">", 1)[0] for p in cols if ">" in p}
    out = []
    for path, c in cols.items():
        parts = path.split(">")
        sub = None
        sub_depth = None
        for i, seg in enumerate(parts[:-1]):
            if seg in sp_parents:
                sub, sub_depth = parts[i + 1], i + 1
        if sub is not None and sub_depth == len(parts) - 1:
            sub = None  # the platform node itself (a department's home) is not one of its columns
        nav = path in has_children
        items: list[Item] = []
        seen = set()
        ref = None
        url = c.url
        if c.lists:
            first = _first_list(c)
            ref, url = first.ref, url or first.url
            if not nav:
                for rec in sorted(c.lists, key=lambda r: (r.url != first.url, r.depth, r.url)):
                    for it in rec.d.get("items") or []:
                        key = (it.get("url"), it.get("title"), it.get("date"))
                        if key in seen:
                            continue
                        seen.add(key)
                        items.append(Item(title=it.get("title") or "", url=it.get("url"), date=it.get("date"),
                                          ref=rec.ref))
        elif c.page is not None:
            ref, url = c.page.ref, url or c.page.url
        blank = bool(c.lists) and not nav and not items and all(r.d.get("blank") for r in c.lists)
        dynamic = bool(c.lists) and not nav and not items and any(r.d.get("dynamic_list") for r in c.lists)
        titles = [i.title for i in items]
        kind = classify_column(c.name, titles, path)
        if sub is not None:
            first_level = _sub_first_level(path, sub_depth, cols, has_children)
        else:
            first_level = len(parts) == 2 or parts[-2] in fl_parents
        out.append(ColumnFacts(path=path, name=c.name, kind=kind, first_level=first_level, url=url, items=items,
                               blank=blank, dynamic=dynamic, ref=ref, sub_platform=sub))
    return out


def _sub_first_level(path: str, sub_depth: int, cols: dict[str, Col], has_children: set[str]) -> bool:
    """In a department sub-platform, the first columns with a list of their own (menus in between are
    only headings) are its first-level columns."""
    parts = path.split(">")
    if path in has_children:
        return False
    for i in range(sub_depth + 2, len(parts)):
        anc = ">".join(parts[:i])
        if anc not in has_children:
            return False
    return True


def _first_list(c: Col) -> PageRec:
    if c.url:
        for r in c.lists:
            if r.url == c.url:
                return r
    return min(c.lists, key=lambda r: (r.depth, len(r.url), r.url))


def _message_leaves(facts: SiteFacts) -> list[ColumnFacts]:
    """The site's own 咨询/留言 columns that list entries themselves (not the menus above them)."""
    menus = {c.path.rsplit(">", 1)[0] for c in facts.columns}
    return [c for c in facts.columns
            if c.kind in kinds_of("message") and not c.sub_platform and c.path not in menus]


def _stats_in_lists(facts: SiteFacts, cols: dict[str, Col], crawl_dir: Path) -> bool:
    """A 留言受理反馈情况统计 line on a message column's own list pages (where sites usually print it)."""
    a, b = data()["message_stats_words"]
    gap = int(data().get("message_stats_gap", 0))
    pat = re.compile(f"(?:{'|'.join(map(re.escape, a))}).{{0,{gap}}}(?:{'|'.join(map(re.escape, b))})")
    for c in _message_leaves(facts):
        for rec in cols[c.path].lists if c.path in cols else []:
            if pat.search(parse_page(read_html(crawl_dir, rec.ref), rec.url).text):
                return True
    return False


def _interaction(pages: list[PageRec], facts: SiteFacts, msg_cols: set[str], home,
                 stats_in_lists: bool = False, entries=None) -> InteractionFacts | None:
    forms = [p for p in pages if p.has_form]
    msg_columns = [c for c in facts.columns if c.path in msg_cols or (c.kind in kinds_of("message") and c.items)]
    a, b = data()["message_stats_words"]
    stats = True if stats_in_lists else None
    for p in pages:
        t = p.d.get("title") or ""
        if any(w in t for w in a) and any(w in t for w in b):
            stats = True
            break
    public = None
    leaves = _message_leaves(facts)
    if any(c.items for c in msg_columns):
        public = True
        if stats is None and facts.columns_known:
            stats = False  # messages are published, but no statistics of their handling anywhere read
    elif leaves and all(c.blank and not c.dynamic for c in leaves):
        public = False  # the message columns are there, and list nothing
    form = min(forms, key=lambda p: (p.depth, p.url)) if forms else None
    if form is not None:
        works, url, ref, why = True, form.url, form.ref, None
    elif entries is not None:
        works, url, ref, why = entries()
    else:
        works = url = ref = why = None
    return InteractionFacts(channel_url=url, channel_works=works, messages_public=public, stats_published=stats,
                            ref=ref, channel_note=why)


def home_urls(home_url: str) -> set[str]:
    """The home page's URL and the default documents serving it a second time (/index.html): a link read on
    either is a link on the home page (D22.1), not on another page (D22.2)."""
    docs = set(data().get("home_documents") or [])
    head, _, last = home_url.rpartition("/")
    base = head + "/" if last in docs else (home_url if home_url.endswith("/") else home_url + "/")
    return {home_url, base, base.rstrip("/")} | {base + d for d in docs}


def _links(link_rows: list[dict], by_url: dict[str, PageRec], home, site_url: str) -> list[LinkOutcome]:
    out = []
    seen: set[tuple[str, bool]] = set()
    on_home_urls = home_urls(home.url if home else site_url)
    for lk in link_rows:
        if lk["outcome"] not in ("broken", "error", "suspected", "blocked"):
            continue
        on_home = lk["referrer"] in on_home_urls
        key = (lk["url"], on_home)
        if key in seen:
            continue  # judged once per target (and once more if the home page links to it)
        seen.add(key)
        ref_rec = by_url.get(lk["referrer"])
        out.append(LinkOutcome(url=lk["url"], referrer=lk["referrer"], outcome=lk["outcome"], status=lk.get("status"),
                               on_home=on_home, ref=ref_rec.ref if ref_rec else None))
    return out
