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
from govcheck.checks.facts import (NAMED_SOURCES, STATE_DATA, STATE_MANUAL, STATE_PAGES, ColumnFacts, EvidenceRef,
                                   InteractionFacts, Interpretation, Item, LinkOutcome, Policy, SiteFacts, Undecided,
                                   WordingHit)
from govcheck.collect import query
from govcheck.extract import extract_from_page, parse_page
from govcheck.extract.dom import fast_urljoin as fast_join
from govcheck.extract.columns import decide_kind, extract_nav_columns, extract_sitemap_columns, flatten
from govcheck.extract.consultation import is_feedback
from govcheck.extract.meta import page_title
from govcheck.model import Site
from govcheck.newmedia.checks import page_hits, unstated_note

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
    home_names: tuple[str, ...] = ()  # the site's own names: a trail starting with one starts at 首页

    @property
    def kind(self) -> str:
        return self.d.get("kind") or "other"

    def path(self) -> str | None:
        """The column path its breadcrumb prints, from 首页. A trail may start at 首页, at the site's name
        (咸宁市人民政府 > 政务公开 > …), or at its first column (政务公开 >> 通知公告): only the first two are the
        home page."""
        crumbs = [c.strip() for c in self.d.get("breadcrumb") or [] if c and c.strip()]
        if crumbs and home_crumb(crumbs[0], self.home_names):
            crumbs = crumbs[1:]
        if not crumbs:
            return None
        return ">".join([HOME] + crumbs)


def home_crumb(crumb: str, names: Iterable[str] = ()) -> bool:
    """A breadcrumb's first crumb standing for the home page: 首页-like, or the site's own name."""
    cfg = data()["home_crumbs"]
    c = "".join(crumb.split())
    if c in cfg["words"] or c.endswith(tuple(cfg["endings"])) or c.lower() in ("home", "index"):
        return True
    for n in names:
        n = "".join((n or "").split())
        if n and (c == n or (len(c) >= 4 and (c in n or n in c))):
            return True
    return False


def ref_of(row: dict[str, Any]) -> EvidenceRef:
    fa = row.get("fetched_at")
    return build.ref_for(row["url"], fa, status=row.get("status"), sha256=row.get("sha256"), warc=row.get("warc"),
                         record_id=row.get("record_id"), offset=row.get("warc_offset"))


_KEEP = ("kind", "title", "breadcrumb", "publish_date", "date_source", "items", "blank", "dynamic_list", "loads_data",
         "page_links", "footer", "meta", "publisher", "column_name")


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
            "date_source": art.date_source,
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
    if d["kind"] in ("home", "list"):
        d["search_trace"] = _search_trace(page, scripts=d["kind"] == "home")
    return d, has_form, sitemap


def _search_forms(page) -> list[dict]:
    """GET forms with one text input whose markup says search: action URL, the text field's name and the
    form's hidden inputs (a search program such as PowerEasy's Search.asp or JCMS's search.do answers only when
    they are sent, as a browser sends them)."""
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
        hidden = {i.attributes.get("name"): i.attributes.get("value") or "" for i in f.css("input")
                  if (i.attributes.get("type") or "").lower() == "hidden" and i.attributes.get("name")}
        out.append({"action": action, "field": inputs[0].attributes.get("name"), "params": hidden})
    return out


def _search_trace(page, scripts: bool = True) -> bool:
    """Anything on a page that could be a site search: a text or search input (with or without a form; a
    script may submit it), search words in its text, a link or form to a search page, or a script mentioning
    search (it may draw the box). An empty box named search_* alone draws nothing. Without any, the page
    offers no site search (D25.1)."""
    words = [w.lower() for w in data()["search"]["trace_words"]]
    for i in page.tree.css("input"):
        if (i.attributes.get("type") or "text").lower() in ("text", "search", ""):
            return True
    text = page.text.lower()
    if any(w in text for w in words):
        return True  # 搜索 / 检索 shown
    for a in page.tree.css("a[href], form, iframe[src]"):
        blob = f"{a.attributes.get('href') or ''} {a.attributes.get('action') or ''} {a.attributes.get('src') or ''}"
        if any(w in blob.lower() for w in words):
            return True  # a link to a search page
    # a script that may draw a search box (the home page's only: a column page's scripts name the search API
    # its list is loaded from)
    return scripts and any(w in s.lower() for s in page.scripts for w in words)


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
    wording: list[WordingHit] = field(default_factory=list)

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
            ref, day, src = ref_of(row), d.get("publish_date"), d.get("date_source")
            out.wording.extend(
                WordingHit(url=url, wrong=h.wrong, right=h.right or "", category=h.category, position=h.start + 1,
                           snippet=h.snippet, title=d.get("title"), date=day, kind=h.kind, reason=h.reason,
                           term=h.term, date_source=src, date_stated=ok,
                           held_note=None if ok else unstated_note(h, day, src), ref=ref)
                for h, ok in page_hits(text, _lexicon(), at=at, page_date=day, date_source=src))

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
        rec.ref.page_role = _PAGE_ROLES.get(d.get("kind") or "", "unclear")
        out.pages.append(rec)
        if sm:
            out.sitemap.append((rec, sm))
    return out


def _asset_rows(db, site_url: str) -> dict[str, dict]:
    """Archived assets of a site by URL (stylesheets for the header reading)."""
    out: dict[str, dict] = {}
    for row in query.fetches(db, site_url, "asset"):
        if row["outcome"] == "ok" and row.get("warc") and row.get("warc_offset") is not None:
            out[row["url"]] = row
    return out


def api_rows(db, site_url: str) -> list[dict]:
    """Index rows of the JSON endpoints the crawl fetched for a site (pages' scripts name them), archived fine."""
    rows: dict[str, dict] = {}
    for row in query.fetches(db, site_url, "api"):
        if row["outcome"] == "ok" and row.get("warc") and row.get("warc_offset") is not None:
            rows[row["url"]] = row
    return list(rows.values())


def _load_data(cols: dict[str, "Col"], rows: list[dict], crawl_dir: Path) -> None:
    """Rows of the JSON endpoints a column's list pages load (and the endpoints' next pages, which the crawl
    fetched from the previous answer), for a column whose pages show no rows of their own: judged from data
    the page loads, each row citing the archived answer it was read from.

    A rendered DOM (a browser pass) can feed the same path: its rows become Items with source "data"."""
    from govcheck.extract.pagination import json_items

    if not rows:
        return
    by_ref: dict[str, list[dict]] = {}
    for r in rows:
        by_ref.setdefault(_norm_url(r.get("referrer")) or "", []).append(r)
    for c in cols.values():
        if not c.lists or any(i.get("source") is None for rec in c.lists for i in rec.d.get("items") or []):
            continue
        queue = [_norm_url(rec.url) for rec in c.lists]
        seen: set[str] = set()
        keys: set[tuple] = set()
        while queue:
            for r in by_ref.get(queue.pop(0) or "", []):
                if r["url"] in seen:
                    continue
                seen.add(r["url"])
                queue.append(_norm_url(r["url"]))
                try:
                    _, _, body = query.read_record(crawl_dir, r["warc"], r["warc_offset"])
                except Exception as e:  # noqa: BLE001 - an unreadable answer is data not read, not a crash
                    log.warning("cannot read %s: %s", r["url"], e)
                    continue
                c.data_sources += 1
                ref = ref_of(r)
                for it in json_items(body, base_url=r.get("final_url") or r["url"]):
                    key = (it.get("url"), it.get("title"), it.get("date"))
                    if key in keys or not it.get("title"):
                        continue
                    keys.add(key)
                    c.data.append(Item(title=it["title"], url=it.get("url"), date=it.get("date"), ref=ref,
                                       source="data"))


def _unread_reasons(link_rows: list[dict]) -> dict[str, str]:
    """Why a URL the site links to was not archived as a page (a broken link, robots.txt, the crawl's limits)."""
    words = data()["column_state"]["unread_outcomes"]
    out: dict[str, str] = {}
    for lk in link_rows:
        o = lk.get("outcome")
        if o in words and lk["url"] not in out:
            out[lk["url"]] = words[o].format(status=lk.get("status") or "")
    return out


# extraction's page kind → EvidenceRef.page_role (a menu column's page becomes "menu" in _column_facts)
_PAGE_ROLES = {"home": "home", "list": "list", "article": "content"}


def read_html(crawl_dir: Path, ref: EvidenceRef) -> bytes:
    return query.read_record(crawl_dir, ref.warc, ref.offset)[2]


def _name_in_header(site: Site, crawl_dir: Path, ref: EvidenceRef, assets: dict[str, dict] | None = None) \
        -> bool | None:
    """D20.3 on the home page: the roster's site name (or it without a 门户网站-style suffix) in the header.
    `assets`: the crawl's archived assets by URL, to read the page's stylesheets (a logo box may be drawn)."""
    from govcheck.extract.decode import decode_html
    from govcheck.extract.dom import parse_page
    from govcheck.extract.header import header_shows_name

    if not site.name:
        return None
    names = [site.name] + [site.name.removesuffix(x) for x in data()["site_name_suffixes"]
                           if site.name.endswith(x) and len(site.name) > len(x) + 1]
    try:
        text, _ = decode_html(read_html(crawl_dir, ref))
        page = parse_page(text, ref.url)
        return header_shows_name(page, names, _stylesheets(page, text, crawl_dir, assets or {}))
    except Exception as e:  # noqa: BLE001 - an unreadable header is a question for a person, not a crash
        log.warning("header of %s: %s", ref.url, e)
        return None


def _stylesheets(page, html: str, crawl_dir: Path, assets: dict[str, dict]) -> str | None:
    """The text of the page's <style> blocks and linked stylesheets, or None when one linked stylesheet was
    not archived (what it draws is then unknown)."""
    from govcheck.extract.decode import decode_html
    from govcheck.extract.dom import fast_urljoin

    parts = re.findall(r"<style[^>]*>(.*?)</style>", html, re.S | re.I)
    for link in page.tree.css("link[href]"):
        if "stylesheet" not in (link.attributes.get("rel") or "").lower():
            continue
        row = assets.get(fast_urljoin(page.url, link.attributes.get("href") or ""))
        if row is None:
            return None
        try:
            parts.append(decode_html(query.read_record(crawl_dir, row["warc"], row["warc_offset"])[2])[0])
        except Exception:  # noqa: BLE001 - unreadable: unknown, as if not archived
            return None
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------- tree
@dataclass
class Col:
    path: str
    name: str
    url: str | None = None
    sources: set[str] = field(default_factory=set)
    lists: list[PageRec] = field(default_factory=list)  # its list pages (first page and pagination)
    page: PageRec | None = None  # a single page standing for the column (单位简介, 机构职能 …)
    names: dict[str, str] = field(default_factory=dict)  # other names the site prints for it: source → name
    data: list[Item] = field(default_factory=list)  # rows read from data its list pages load (JSON endpoints)
    data_sources: int = 0  # how many such answers were read (0 rows from 1 answer ≠ nothing read)


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
    机构职能); an entry of a list is not a column, whatever its breadcrumb says. A menu or 网站地图 entry leading
    off the site's hosts is a link, not a column. One column printed under two names (the menu says 动态, its
    page's breadcrumb 工作动态) is one column, kept under the path its own page prints (`_merge_by_url`)."""
    cols: dict[str, Col] = {}
    hosts = {_host(site_url)} | {h.lower() for h in extra_hosts}

    def add(path: str, url: str | None, source: str) -> Col | None:
        path = _norm_path(path)
        if path.count(">") < 1:
            return None
        if url and source in ("nav", "sitemap") and _host(url) not in hosts:
            return None  # another site (a provincial platform, a 12345 hotline): not one of this site's columns
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
        # a page's own breadcrumb says which column it stands for, before a menu entry with its URL does (a menu
        # that redirects to its first child, 法定主动公开内容 → 单位概况, is not that child)
        col = add(path, rec.url, "page") if path and rec.url not in entries else by_url.get(rec.url)
        if col is not None and col.page is None and not col.lists:
            col.page = rec  # a column shown as a single page
    return _merge_by_url(cols), known


def _merge_by_url(cols: dict[str, Col]) -> dict[str, Col]:
    """A column known from the menu or 网站地图 under one path whose URL was read under another path (its page's
    breadcrumb prints another name or another parent) is that other column: it and everything listed under it
    move there, and the names it was listed under are kept as the column's other names (kind evidence)."""
    read_at: dict[str, str] = {}
    for c in cols.values():
        for r in c.lists[:1] + ([c.page] if c.page is not None else []):
            read_at.setdefault(_norm_url(r.url), c.path)
    for c in cols.values():  # a list's first page is the URL a menu links to
        if c.lists:
            first = min(c.lists, key=lambda r: (r.depth, len(r.url), r.url))
            read_at.setdefault(_norm_url(first.url), c.path)
    moves: dict[str, str] = {}
    for c in sorted(cols.values(), key=lambda c: c.path.count(">")):
        if c.lists or c.page is not None or not c.url:
            continue
        target = read_at.get(c.url)
        if target and target != c.path and not target.startswith(c.path + ">") \
                and not c.path.startswith(target + ">"):
            moves[c.path] = target
    if not moves:
        return cols
    out: dict[str, Col] = {}

    def moved(path: str) -> str:
        parts = path.split(">")
        for i in range(len(parts), 1, -1):
            head = ">".join(parts[:i])
            if head in moves:
                return moves[head] + (">" + ">".join(parts[i:]) if i < len(parts) else "")
        return path

    for path, c in cols.items():  # columns staying where they are first, then the moved ones into them
        if moved(path) == path:
            out[path] = c
    for path in sorted(cols, key=lambda p: p.count(">")):
        new = moved(path)
        if new == path:
            continue
        c = cols[path]
        for anc_i in range(1, new.count(">")):
            anc = ">".join(new.split(">")[: anc_i + 1])
            out.setdefault(anc, Col(path=anc, name=anc.split(">")[-1], sources=set(c.sources)))
        cur = out.get(new)
        if cur is None:
            cur = out[new] = Col(path=new, name=new.split(">")[-1])
        if c.name != cur.name:
            for src in sorted(c.sources):
                cur.names.setdefault(src, c.name)
        for k, v in c.names.items():
            cur.names.setdefault(k, v)
        cur.sources |= c.sources
        cur.url = cur.url or c.url
        cur.lists += c.lists
        cur.page = cur.page or c.page
    return out


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
    search_absent: bool = False  # the home page shows no search of any kind (no input, no search words)
    articles: list[Item] = field(default_factory=list)  # dated article titles (search test candidates)


def build_site(site: Site, db, crawl_dir: str | Path, at: dt.date, *, x03_section: str = "五",
               column_cycles: dict[str, int] | None = None, scan_wording: bool = True,
               on_page: Callable[[], None] | None = None, pre: Extracted | None = None) -> SiteBuild:
    """SiteFacts of one crawled site (`site.url` as crawled), read from the index and the WARC files.

    `column_cycles`: the rule set's (a dated list whose kind has none is judged by D09.2's uncycled_list_days,
    in the check).
    Documents (政策文件/解读) are read only from columns named as such, not from ones that inherit the kind.
    `pre`: the site's pages already extracted (extract_rows over page_rows, possibly in chunks elsewhere)."""
    crawl_dir = Path(crawl_dir)
    if pre is None:
        pre = extract_rows(page_rows(db, site.url), crawl_dir, at, site if scan_wording else None, on_page)
    pages, sitemap = pre.pages, pre.sitemap
    facts = SiteFacts(url=site.url, unit=site.unit, name=site.name or None, kind=site.kind,
                      public_service=site.public_service)
    facts.wording = list(pre.wording)  # V1.1 严重表述错误 found in page text, judged by checks.wording
    out = SiteBuild(facts=facts, pages=len(pages))
    if not pages:
        return out
    names = tuple(n for n in (site.name, site.unit) if n)
    for p in pages:
        p.home_names = names
    by_url = {p.url: p for p in pages}
    home = by_url.get(site.url) or next((p for p in pages if p.depth == 0), None)
    if home is not None:
        facts.home = build.home_from_page(home.d, home.ref)
        facts.home.name_in_header = _name_in_header(site, crawl_dir, home.ref, _asset_rows(db, site.url))
        out.search_forms = home.d.get("search_forms") or []
        # no search anywhere: not on the home page, not on any column page (templates share the header)
        out.search_absent = not out.search_forms and home.d.get("search_trace") is False and \
            not any(p.d.get("search_trace") for p in pages)

    cols, known = column_tree(pages, sitemap, site.url, site.extra_hosts)
    link_rows = query.link_outcomes(db, site.url)
    out.columns = cols
    facts.columns_known = known
    _load_data(cols, api_rows(db, site.url), crawl_dir)
    facts.columns = _column_facts(cols, at, column_cycles, _unread_reasons(link_rows))
    shown = _shown_dates(pages)
    confirm_years([i for c in facts.columns for i in c.items] + (facts.home.items if facts.home else []), shown)
    named_kind = {c.path: c.kind for c in facts.columns if c.kind_source in NAMED_SOURCES}  # by its names only
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
        for it in c.data:
            if it.url:
                article_col.setdefault(_norm_url(it.url), c.path)

    def col_of(rec: PageRec) -> str | None:
        return article_col.get(rec.url) or (_norm_path(rec.path()) if rec.path() else None)

    # pages' tags and footers: every list and content page, and the home page
    single = {c.page.url for c in cols.values() if c.page is not None}
    home_docs = home_urls(home.url) if home is not None else set()
    for p in pages:
        if p.kind in ("home", "list", "article"):
            # the home page served a second time (/index.html from a logo or a breadcrumb) is the home page
            facts.footers.append(build.footer_from_page(p.d, p.ref, is_home=p is home or p.url in home_docs))
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
    # crawl order varies from run to run (concurrent fetches, parse workers): facts do not
    facts.consultations.sort(key=lambda c: (c.published or "", c.url or "", c.title))
    build.attach_feedback(facts.consultations, feedback)
    for p, _ in policies + interps:
        links[p.url] = build.page_links(read_html(crawl_dir, p.ref), p.url)
    facts.policies = sorted((x for _, x in policies), key=lambda x: x.url)
    facts.interpretations = sorted((x for _, x in interps), key=lambda x: x.url)
    facts.annual_reports.sort(key=lambda r: (r.year, r.url or ""))
    build.link_documents(facts.policies, facts.interpretations, links)
    unread = {p.url for p in pages if p.kind == "article" and kind_of.get(col_of(p) or "") is None}
    for i in facts.interpretations:
        if not i.policy_urls:
            i.unread_links = sorted((links.get(i.url, set()) & unread) - {i.url})

    for c, p in _undated_letters(facts, cols, by_url, crawl_dir, {m.url for m in msg_pages}):
        msg_cols.add(c)
        msg_pages.append(p)
    for p in sorted(msg_pages, key=lambda p: p.url):
        html = read_html(crawl_dir, p.ref)
        facts.messages.extend(build.messages_from_page(parse_page(html, p.url), p.ref, at))

    # 机构职能 / 领导信息: judged on the pages that hold them (the column's page, its sub-columns' pages, and the
    # sub-pages a menu page links to), never on a menu of links
    _org_facts(facts, cols, by_url, crawl_dir, site.unit, link_rows)
    _leader_facts(facts, cols, by_url, crawl_dir, link_rows)

    facts.interaction = _interaction(pages, facts, msg_cols, home, _stats_in_lists(facts, cols, crawl_dir),
                                     lambda: _channel_entries(link_rows, by_url, crawl_dir))
    facts.links = _links(link_rows, by_url, home, site.url)
    return out


def _undated_letters(facts: SiteFacts, cols: dict[str, "Col"], by_url: dict[str, PageRec], crawl_dir: Path,
                     known: set[str]) -> list[tuple[str, PageRec]]:
    """Letters a 咨询/留言 column lists without dates (标题 | 留言时间 empty | 状态): its page's content links to
    archived content pages, read as messages (the list itself gives no date to judge, the letters do)."""
    from govcheck.extract.blocks import content_lines

    out = []
    for c in facts.columns:
        if c.kind not in kinds_of("message") or c.sub_platform or c.items or c.role not in ("page", "list"):
            continue
        col = cols.get(c.path)
        rec = (col.page or (_first_list(col) if col.lists else None)) if col is not None else None
        if rec is None or rec.has_form or c.blank:
            continue  # the channel's write page, or a letter box listing nothing
        page = parse_page(read_html(crawl_dir, rec.ref), rec.url)
        for ln in content_lines(page):
            for _, href in ln.links:
                target = by_url.get(_norm_url(fast_join(rec.url, href)) or "")
                if target is not None and target.kind in ("article", "other") and target.url not in known \
                        and target.url != rec.url and not target.has_form:
                    # (a letter without a date of its own reads as "other"; the write page is no letter)
                    known.add(target.url)
                    out.append((c.path, target))
    return out


def _role_roots(facts: SiteFacts, role: str) -> list[ColumnFacts]:
    """The topmost site columns of a role's kinds (机构职能 / 领导信息), in tree order."""
    kinds = kinds_of(role)
    cands = [c for c in facts.columns if c.kind in kinds and not c.sub_platform]
    return [c for c in cands if not any(c.path.startswith(o.path + ">") for o in cands)]


def _column_pages(facts: SiteFacts, cols: dict[str, Col], root: ColumnFacts) -> list[PageRec]:
    """The pages standing for a column and its sub-columns: each one's single page or first list page."""
    out = []
    for c in facts.columns:
        if c.path != root.path and not c.path.startswith(root.path + ">"):
            continue
        col = cols.get(c.path)
        if col is None:
            continue
        rec = col.page or (_first_list(col) if col.lists else None)
        if rec is not None and rec not in out:
            out.append(rec)
    return out


def _sub_links(links: list[tuple[str, str]], words: list[str], seen: set[str]) -> list[tuple[str, str]]:
    """Links of a menu page whose text names a part of the fact (主要职责, 内设机构, 联系方式 …), once each."""
    out = []
    for text, url in links:
        url = _norm_url(url) or ""
        if url and url not in seen and any(w in text for w in words):
            seen.add(url)
            out.append((text, url))
    return out


def _unread_why(url: str, link_rows: list[dict]) -> str:
    return _unread_reasons([lk for lk in link_rows if lk["url"] == url]).get(url) or \
        data()["column_state"]["unread_default"]


def _org_facts(facts: SiteFacts, cols: dict[str, Col], by_url: dict[str, PageRec], crawl_dir: Path, unit: str,
               link_rows: list[dict]) -> None:
    """机构职能 facts from the pages that hold them. A 机构概况-style menu page (links to 主要职责, 内设机构, 联系方式)
    holds nothing: its sub-pages are read instead, and the unit entry takes each field from whichever holding
    page shows it. No holding page read, or a sub-page the menu links to not archived while a field is still
    missing: 需人工核查 (SiteFacts.undecided), never a finding."""
    cfg = data()["org_pages"]
    roots = _role_roots(facts, "org")
    if not roots:
        return
    by_path = {c.path: c for c in facts.columns}
    holding: list[build.OrgPage] = []
    menus: list[PageRec] = []
    seen: set[str] = set()
    unread: list[str] = []
    queue = [r for root in roots for r in _column_pages(facts, cols, root)]
    # the menus the 机构职能 columns sit in (机构概况 > 主要职责 / 内设机构 / 联系方式): their other sub-pages may
    # hold the rest (联系方式 carries 办公地址/办公时间)
    containers = []
    for root in roots:
        parent = by_path.get(root.path.rsplit(">", 1)[0])
        col = cols.get(parent.path) if parent is not None and parent.role == "menu" else None
        rec = (col.page or (_first_list(col) if col.lists else None)) if col is not None else None
        if rec is not None and rec not in containers and rec not in queue:
            containers.append(rec)
    seen.update(_norm_url(r.url) or "" for r in queue + containers)
    queue += containers
    while queue:
        rec = queue.pop(0)
        if rec.kind == "list" and sum(1 for i in rec.d.get("items") or [] if i.get("date")) >= 3:
            continue  # a list of dated entries (a news column a menu links to) holds no 机构职能
        op = build.org_page(read_html(crawl_dir, rec.ref), unit, rec.ref)
        if op.holds:
            rec.ref.page_role = "content"
            holding.append(op)
            if rec not in containers:
                continue
        else:
            rec.ref.page_role = "menu"
            menus.append(rec)
        for _, url in _sub_links(op.links, cfg["subpage_words"], seen):
            sub = by_url.get(url)
            if sub is not None:
                queue.append(sub)
            elif _host(url) == _host(rec.url):
                unread.append(url)
    where = roots[0].path
    if not holding:
        urls = [r.url for r in menus] or [r.url for r in roots if r.url]
        facts.undecided.append(Undecided("D02.2", f"{where}：{cfg['no_holding_page']}", urls + unread))
        return
    entries = _merge_org(holding)
    missing = [k for k, v in entries[0].fields.items() if not v]
    if unread and missing:
        why = "；".join(f"{u}（{_unread_why(u, link_rows)}）" for u in unread[:5])
        facts.undecided.append(Undecided("D02.2", f"{where}：{cfg['subpage_unread'].format(pages=why)}",
                                         [r.url for r in menus] + unread))
        return
    facts.org = entries


def _merge_org(holding: list["build.OrgPage"]) -> list:
    """One unit entry (each field from the first holding page showing it; cited on the first holding page) and
    the 科室 of every holding page, each once."""
    unit = holding[0].entries[0]
    for op in holding[1:]:
        for k, v in op.entries[0].fields.items():
            if v and not unit.fields.get(k):
                unit.fields[k] = v
    offices, names = [], set()
    for op in holding:
        for e in op.entries[1:]:
            if e.name not in names:
                names.add(e.name)
                offices.append(e)
    return [unit] + offices


def _leader_facts(facts: SiteFacts, cols: dict[str, Col], by_url: dict[str, PageRec], crawl_dir: Path,
                  link_rows: list[dict]) -> None:
    """领导信息 from the pages that hold it. A leader listed by name on the column's page (often a link to the
    leader's own page) takes his 简历 from his own page; a leader whose own page was not archived is not judged
    (需人工核查), since his 简历 may be there."""
    from govcheck.extract.blocks import content_lines

    cfg = data()["leader_pages"]
    for root in _role_roots(facts, "leaders")[:1]:
        found: dict[str, object] = {}
        undecided: list[str] = []
        pages = _column_pages(facts, cols, root)
        for rec in pages:
            html = read_html(crawl_dir, rec.ref)
            page = parse_page(html, rec.url)
            lines = content_lines(page)
            text = "\n".join(ln.text for ln in lines)
            links = {t: fast_join(rec.url, h) for ln in lines for t, h in ln.links if h}
            listed = build.leaders_from_page(text, rec.ref)
            if listed:
                rec.ref.page_role = "content"  # it holds the leaders (their 简历 may be on their own pages)
            for ld in listed:
                if ld.name in found and found[ld.name].resume:
                    continue
                if not ld.resume:
                    url = next((u for t, u in links.items() if ld.name in t.replace(" ", "")), None)
                    own = by_url.get(_norm_url(url) or "") if url else None
                    if own is not None and own is not rec:  # the leader's own page holds his 简历 (or lacks it)
                        own.ref.page_role = "content"
                        ld.resume = build.leader_resume(parse_page(read_html(crawl_dir, own.ref), own.url), ld.name)
                        ld.url, ld.ref = own.url, own.ref
                    elif url and own is None and _host(url) == _host(rec.url):
                        undecided.append(f"{ld.name}（{url}，{_unread_why(_norm_url(url), link_rows)}）")
                        found.pop(ld.name, None)
                        continue
                found[ld.name] = ld
        if undecided:
            facts.undecided.append(Undecided("D03.2", f"{root.path}：{cfg['own_page_unread'].format(who='；'.join(undecided))}",
                                             [p.url for p in pages]))
        undecided_names = {u.split("（")[0] for u in undecided}
        leaders = [ld for n, ld in found.items() if n not in undecided_names]
        facts.leaders = leaders or None


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
        target = by_url.get(lk["url"].split("#")[0])
        if target is not None and target.kind in ("list", "home"):
            continue  # a link named 在线咨询 to the letters' list is a column link, not the channel
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


def _column_facts(cols: dict[str, Col], at: dt.date, column_cycles: dict[str, int] | None = None,
                  unread: dict[str, str] | None = None, overrides: dict[str, str] | None = None) -> list[ColumnFacts]:
    """One ColumnFacts per column, each in exactly one state (pages / data / manual with the reason), its kind
    with how it was decided. `unread`: for a column URL the crawl did not archive, what happened to it."""
    cfg = data()
    fl_parents = set(cfg["first_level_parents"])
    sp_parents = set(cfg["sub_platform_parents"])
    why = cfg["column_state"]
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
                                          ref=rec.ref, date_precision=it.get("date_precision"),
                                          source="data" if it.get("source") else None,
                                          rendered=bool(it.get("rendered"))))
        elif c.page is not None:
            ref, url = c.page.ref, url or c.page.url
        static = [i for i in items if i.source is None]
        loaded = [i for i in items if i.source == "data"]
        if not nav and not static and c.data:  # rows of the JSON endpoints its list pages load
            items = loaded = list(c.data)
        dynamic = bool(c.lists) and not nav and not static and any(r.d.get("dynamic_list") or r.d.get("loads_data")
                                                                  for r in c.lists)
        blank = bool(c.lists) and not nav and not items and not dynamic and all(r.d.get("blank") for r in c.lists)
        list_source = None
        if nav:
            role, state, reason = "menu", None, None  # decided once its sub-columns are
            for r in c.lists[:1] + ([c.page] if c.page is not None else []):
                r.ref.page_role = "menu"
        elif c.lists:
            role = "list"
            if static:
                state, reason = STATE_PAGES, None
                list_source = "rendered" if all(i.rendered for i in static) else "static"
            elif loaded:
                state, reason, list_source = STATE_DATA, None, "script"
            elif blank:
                state, reason, list_source = STATE_PAGES, None, "static"
            elif c.data_sources or any(r.d.get("loads_data") for r in c.lists):
                state, reason, list_source = STATE_MANUAL, why["data_empty"], "unread"
            elif dynamic:
                state, reason, list_source = STATE_MANUAL, why["script_no_data"], "unread"
            else:
                state, reason, list_source = STATE_MANUAL, why["no_rows"], "unread"
        elif c.page is not None:
            role, state, reason = "page", STATE_PAGES, None
        else:
            role, state = "unread", STATE_MANUAL
            reason = why["unread"].format(why=(unread or {}).get(url or "", why["unread_default"]))
        titles = [i.title for i in items]
        aliases = [(_ALIAS_SOURCE.get(src, "name"), n) for src, n in sorted(c.names.items())]
        dec = decide_kind(c.name, titles, path, overrides, aliases)
        if sub is not None:
            first_level = _sub_first_level(path, sub_depth, cols, has_children)
        else:
            first_level = len(parts) == 2 or parts[-2] in fl_parents
        out.append(ColumnFacts(path=path, name=c.name, kind=dec.kind, first_level=first_level, url=url, items=items,
                               blank=blank, dynamic=dynamic and not items, ref=ref, sub_platform=sub,
                               kind_source=dec.source, kind_from=dec.read_from, list_source=list_source, role=role, state=state,
                               state_reason=reason))
    build.inherit_kinds(out)
    for c in out:
        page = cols[c.path].page
        if c.role == "page" and column_cycles is not None and c.kind in column_cycles \
                and c.kind_source in NAMED_SOURCES and not (page is not None and page.has_form) \
                and c.kind not in kinds_of("message"):
            # a dated kind shown as one page: its list was not read (a 留言 page is the channel: V5.1 judges it)
            c.state, c.state_reason = STATE_MANUAL, why["no_list"]
    _topmost_first_level(out, set(cfg.get("topmost_first_level_kinds") or ()))
    _menu_states(out, why["menu_unjudged"])
    return out


def _topmost_first_level(columns: list[ColumnFacts], kinds: set[str]) -> None:
    """When a platform has no first-level 政策文件/政策解读 column where first-level columns sit (首页>X, or under
    法定主动公开内容), the topmost column of that kind the site names is its first-level column, wherever it sits
    (首页>政务信息>政府文件): no column above it on the same platform is of its kind."""
    by_path = {c.path: c for c in columns}
    placed = {(c.kind, c.sub_platform) for c in columns if c.first_level and c.kind in kinds}
    for c in columns:
        if c.first_level or c.kind not in kinds or c.kind_source not in NAMED_SOURCES or c.kind_source is None \
                or (c.kind, c.sub_platform) in placed:
            continue
        parts = c.path.split(">")
        above = [by_path.get(">".join(parts[:i])) for i in range(2, len(parts))]
        if not any(a is not None and a.kind == c.kind and a.sub_platform == c.sub_platform for a in above):
            c.first_level = True


# names a site prints for a column elsewhere → the kind source they give (the menu's own name is a name)
_ALIAS_SOURCE = {"sitemap": "sitemap", "breadcrumb": "breadcrumb", "nav": "name", "page": "breadcrumb"}


def _shown_dates(pages: list[PageRec]) -> dict[str, str]:
    """The full date each crawled content page shows for itself (its own page, not a list's MM-DD)."""
    return {p.url: p.d["publish_date"] for p in pages if p.kind == "article" and p.d.get("publish_date")}


def confirm_years(items: Iterable[Item], shown: dict[str, str]) -> None:
    """A row showing only MM-DD whose target page shows the same month and day with a year (or whose URL
    carries it, t20220512_): the year is read, not inferred, and the row takes that full date."""
    from govcheck.extract.dates import date_from_url

    for it in items:
        if not it.date_inferred or not it.date:
            continue
        md = it.date[5:]
        full = shown.get(_norm_url(it.url) or "")
        if not (full and full[5:] == md):
            u = date_from_url(it.url)
            full = u.isoformat() if u is not None and u.isoformat()[5:] == md else None
        if full:
            it.date, it.date_precision = full, "day"


def _menu_states(columns: list[ColumnFacts], reason: str) -> None:
    """A menu is judged through its sub-columns: from the pages when one of them is judged, else 需人工核查."""
    by_path = {c.path: c for c in columns}
    for c in sorted(columns, key=lambda c: -c.path.count(">")):
        if c.role != "menu":
            continue
        subs = [d for p, d in by_path.items() if p.startswith(c.path + ">")]
        judged = [d for d in subs if d.role != "menu" and d.state in (STATE_PAGES, STATE_DATA)]
        if judged:
            c.state = STATE_DATA if all(d.state == STATE_DATA for d in judged) else STATE_PAGES
        else:
            c.state, c.state_reason = STATE_MANUAL, reason


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
            if c.kind in kinds_of("message") and not c.sub_platform and c.path not in menus
            and c.role in (None, "list")]  # a single 留言 page is the channel (写信), not a list of messages


def _stats_in_lists(facts: SiteFacts, cols: dict[str, Col], crawl_dir: Path) -> bool:
    """A 留言受理反馈情况统计 line on a message column's own pages (where sites usually print it): its list pages,
    or the page of a letter box listing letters without dates."""
    a, b = data()["message_stats_words"]
    gap = int(data().get("message_stats_gap", 0))
    pat = re.compile(f"(?:{'|'.join(map(re.escape, a))}).{{0,{gap}}}(?:{'|'.join(map(re.escape, b))})")
    menus = {c.path.rsplit(">", 1)[0] for c in facts.columns}
    for c in facts.columns:
        if c.kind not in kinds_of("message") or c.sub_platform or c.path in menus or c.path not in cols:
            continue
        col = cols[c.path]
        for rec in col.lists + ([col.page] if col.page is not None else []):  # a list, or a letter box page
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
    if any(c.items for c in msg_columns) or facts.messages:
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
    """The home page's URL and the default documents serving it a second time (collect.urls.home_urls: the
    crawl index keeps links per target and per home copy on the same list)."""
    from govcheck.collect.urls import home_urls as _home_urls

    return _home_urls(home_url)


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
