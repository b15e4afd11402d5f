"""Where a column's other pages are: pager links, TRS createPageHTML, JSON APIs behind JS lists.

The crawler follows these; `json_items` reads the rows out of an API's JSON answer.
"""
from __future__ import annotations

import json
import re
from typing import Any

from .dates import iso, parse_date
from .dom import Page, clean, fast_urljoin

_PAGE_TEXT = re.compile(r"^\s*(?:\d{1,4}|下一页|上一页|首页|尾页|末页|下页|上页|next|prev|last|first|[<>›‹»«]+)\s*$",
                        re.I)
_PAGE_HREF = re.compile(r"(?:index_\d+\.\w+|[?&](?:page|pageNum|pageNo|p|curpage|pageIndex)=\d+|/page/\d+)", re.I)
# TRS: createPageHTML(countPage, currentPage, "index", "html") (argument names vary; the shape does not)
_CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([^'\"]+)['\"]\s*,"
                          r"\s*['\"]([^'\"]+)['\"]")
# URL-looking string literals in scripts that lead to list data
_QUOTED_PATH = re.compile(r"['\"]((?:https?:)?/[^'\"\s<>]+)['\"]")
_API_HINT = re.compile(r"/api/|search|getlist|list\.json|\.json|/data/|query|\.do\b|\.action\b", re.I)
_TITLE_KEYS = ("title", "doctitle", "doctitle_cp", "name", "subject", "bt", "biaoti", "wzbt")
_URL_KEYS = ("url", "href", "link", "docpuburl", "chnldocurl", "pubUrl", "detailUrl")
_DATE_KEYS = ("date", "pubdate", "pubDate", "docreltime", "publishDate", "publishTime", "time", "fbrq", "createTime",
              "releaseTime", "docpubtime")


_NEXT_WORDS = ("下一页", "下页", "尾页", "末页")


def page_links(page: Page) -> list[str]:
    """Absolute URLs of the column's other list pages, in page order, without the page itself."""
    out: list[str] = []
    seen = {page.url} if page.url else set()

    def add(u: str) -> None:
        if u and u not in seen:
            seen.add(u)
            out.append(u)

    # :lexbor-contains looks at each link's text: only for the words the page shows at all
    text = page.text
    sel = ", ".join(['a[href*="index_"]', 'a[href*="page" i]', 'a[href*="p="]']
                    + [f'a:lexbor-contains("{w}")' for w in _NEXT_WORDS if w in text])
    for a in page.tree.css(sel):
        href = a.attrs.get("href") or ""
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        t = clean(a.text())
        if _PAGE_TEXT.match(t) and (_PAGE_HREF.search(href) or t in ("下一页", "下页", "尾页", "末页")):
            add(fast_urljoin(page.url, href) if page.url else href)
    for s in page.scripts:
        m = _CREATE_PAGE.search(s)
        if not m:
            continue
        count, _cur, prefix, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        for i in range(1, min(count, 1000)):
            href = f"{prefix}_{i}.{ext}"
            add(fast_urljoin(page.url, href) if page.url else href)
    return out


def api_urls(page: Page) -> list[str]:
    """URLs of JSON/search APIs named in the page's scripts (lists drawn by JavaScript)."""
    out: list[str] = []
    for s in page.scripts:
        if len(s) > 200_000:
            continue
        for m in _QUOTED_PATH.finditer(s):
            u = m.group(1)
            if not _API_HINT.search(u) or u.split("?")[0].endswith((".js", ".css", ".png", ".jpg", ".gif")):
                continue
            u = fast_urljoin(page.url, u) if page.url else u
            if u not in out:
                out.append(u)
    return out


def _pick(d: dict, keys: tuple[str, ...]) -> Any:
    low = {k.lower(): v for k, v in d.items()}
    for k in keys:
        v = low.get(k.lower())
        if v not in (None, ""):
            return v
    return None


def json_items(data: str | bytes | Any, base_url: str | None = None) -> list[dict]:
    """Rows of a JSON list answer: the largest array of objects that carry a title-like field."""
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            return []
    best: list = []

    def walk(x: Any, depth: int = 0) -> None:
        nonlocal best
        if depth > 6:
            return
        if isinstance(x, list):
            objs = [o for o in x if isinstance(o, dict) and _pick(o, _TITLE_KEYS)]
            if len(objs) > len(best):
                best = objs
            for o in x[:50]:
                walk(o, depth + 1)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v, depth + 1)

    walk(data)
    out = []
    for o in best:
        title = clean(re.sub(r"<[^>]+>", "", str(_pick(o, _TITLE_KEYS))))
        url = _pick(o, _URL_KEYS)
        if url and base_url:
            url = fast_urljoin(base_url, str(url))
        d = _pick(o, _DATE_KEYS)
        out.append({"title": title, "url": url, "date": iso(_json_date(d))})
    return out


def _json_date(v: Any):
    """A JSON date value: text in any form parse_date reads (never a year-less MM-DD), or a Unix timestamp in
    seconds or milliseconds (read in China Standard Time)."""
    import datetime as dt

    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)) or (isinstance(v, str) and v.strip().isdigit() and len(v.strip()) in (10, 13)):
        x = float(v)
        if x > 1e11:
            x /= 1000
        try:
            d = dt.datetime.fromtimestamp(x, dt.timezone(dt.timedelta(hours=8))).date()
        except (OverflowError, OSError, ValueError):
            return None
        return d if 1995 <= d.year <= 2100 else None
    return parse_date(str(v))


_JS_ARRAY = re.compile(r"=\s*(\[\s*\{.*?\}\s*\])\s*;", re.S)


def script_json_items(scripts: list[str], base_url: str | None = None, min_rows: int = 3) -> list[dict]:
    """Rows a page's script holds as a JSON array literal it draws as the list (`var itemObj = [{…}]`): the
    largest such array whose rows carry a title and, mostly, a date; [] when none qualifies."""
    best: list[dict] = []
    for s in scripts:
        if "[" not in s or "{" not in s or len(s) > 500_000:
            continue
        for m in _JS_ARRAY.finditer(s):
            try:
                rows = json_items(m.group(1), base_url)
            except RecursionError:
                continue
            dated = sum(1 for r in rows if r.get("date"))
            if len(rows) >= min_rows and dated >= 0.6 * len(rows) and len(rows) > len(best):
                best = rows
    return best
