"""Reading government pages: one module per kind of fact.

`extract_page(html, url)` returns the contract dict printed by `govcheck extract FILE --url URL --json`.
"""
from __future__ import annotations

import datetime as dt
import re

from .annual_report import report_sections, report_year, report_years
from .article import _related, extract_article
from .breadcrumb import extract_breadcrumb
from .columns import ColumnTree, classify_column, extract_nav_columns, extract_sitemap_columns
from .consultation import extract_consultation, is_feedback
from .dates import date_from_url, find_dates, iso, parse_date
from .decode import decode_html
from .dom import Page, parse_page, words
from .footer import extract_footer
from .kind import classify
from .lists import extract_list
from .messages import extract_messages, extract_messages_text
from .meta import extract_meta, meta_get, page_title
from .org import extract_leaders, extract_org_info, extract_org_sections
from .pagination import api_urls, json_items, page_links

__all__ = ["extract_page", "extract_from_page", "decode_html", "parse_page", "parse_date", "find_dates",
           "date_from_url", "page_links", "api_urls", "json_items", "report_sections", "report_year", "report_years",
           "ColumnTree", "classify_column", "extract_nav_columns", "extract_sitemap_columns", "extract_consultation",
           "is_feedback", "extract_messages", "extract_messages_text", "extract_leaders", "extract_org_info",
           "extract_org_sections"]


def extract_page(html: str | bytes, url: str | None = None, *, ref_date: dt.date | None = None,
                 content_type: str | None = None) -> dict:
    """All contract facts of one page. `ref_date` (e.g. the fetch date) gives MM-DD list dates their year."""
    page = parse_page(html, url, content_type)
    return extract_from_page(page, ref_date=ref_date)


def extract_from_page(page: Page, ref_date: dt.date | None = None) -> dict:
    meta = extract_meta(page)
    crumbs = extract_breadcrumb(page)
    art = extract_article(page, meta, related=False)
    lst = extract_list(page, ref_date)
    column = meta_get(meta, words("meta_column_names"))
    ptitle = page_title(page)
    column_page = bool(column) or bool(re.search(r"[_|｜]|\s-\s", ptitle))
    kind = classify(art, lst, crumbs, page.url, column_page)
    if kind == "article" and _is_fragment(page):
        kind = "other"  # a saved piece of a page (no html/head/body/title), not a page of its own
    if kind in ("list", "home"):
        if kind == "list":
            # the trail the reader sees names the column; meta ColumnName is sometimes the site section
            title = (crumbs[-1] if crumbs else None) or column or _first_title_segment(page)
        else:
            title = _first_title_segment(page)
        publish_date = None
        items = lst.items
    else:
        title = art.title
        publish_date = iso(art.publish_date)
        items = [] if kind == "article" else lst.items
    blank = False
    if kind == "list" and not items:
        blank = bool(lst.blank_marker) or not lst.dynamic
    more_pages: list[str] = []
    apis: list[str] = []
    if kind == "list":
        more_pages = page_links(page)
        if lst.dynamic:
            apis = api_urls(page)
    if title and kind in ("list", "home"):
        title = _CJK_GAP.sub("", title)  # column names only: article headlines keep spaces between clauses
    dates = [i["date"] for i in items if i.get("date")]
    return {
        "kind": kind,
        "title": title,
        "breadcrumb": crumbs,
        "publish_date": publish_date,
        "items": items,
        "latest_date": max(dates) if dates else None,
        "blank": blank,
        "dynamic_list": bool(lst.dynamic and not items),
        **({"loads_data": True} if lst.script_data else {}),  # rows held in a script element (read as data)
        "pagination": lst.pagination,
        "page_links": more_pages,  # the column's other list pages (pager links, TRS createPageHTML)
        "api_urls": apis,  # JSON/search APIs named in scripts when the list is drawn by JavaScript
        "footer": extract_footer(page),
        "meta": meta,
        "encoding": page.encoding,
        "column_name": column or (crumbs[-1] if crumbs else None),
        "column_kind": classify_column(crumbs[-1] if crumbs else (column or ""),
                                       [i["title"] for i in items[:20]]) if (crumbs or column) else None,
        "date_source": art.date_source if kind == "article" else None,
        "meta_date": iso(art.meta_date),
        "dates_disagree": art.dates_disagree if kind == "article" else False,
        "index_no": art.info.get("index_no"),
        "publisher": art.info.get("publisher"),
        "doc_no": art.info.get("doc_no"),
        "written_date": art.info.get("written_date"),
        "related_links": _related(page) if kind == "article" else [],
        "body_chars": art.body_chars,
        "url_date": iso(date_from_url(page.url)),
    }


_DOC_TAGS = re.compile(r"<(?:html|head|body|title)[\s>]", re.I)


def _is_fragment(page: Page) -> bool:
    return _DOC_TAGS.search(page.html, 0, 200_000) is None


# "政府信息 公开指南": markup whitespace between Chinese characters is not part of a title
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def _first_title_segment(page: Page) -> str | None:
    t = page_title(page)
    if not t:
        return None
    return re.split(r"\s*[_|｜]\s*|\s+-\s+", t)[0] or t
