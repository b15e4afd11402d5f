"""The column tree of a site (nav menus, breadcrumbs, 网站地图) and each column's kind."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

import yaml

from .dom import DATA_DIR, Page, attr_blob, clean, fast_urljoin

_NAV_HINTS = ("nav", "menu", "daohang", "dh", "lanmu", "column", "channel")
_SITEMAP_WORDS = ("网站地图", "站点地图")
_SKIP = {"首页", "网站首页", "主页", "更多", "more", "MORE", "更多>>", ">>", "English", "无障碍", "长者模式", "登录", "注册"}


@dataclass
class Column:
    name: str
    url: str | None
    path: list[str]  # from 首页, as a notice prints it: "首页>政务公开>通知公告"
    kind: str = "other"
    first_level: bool = False
    children: list["Column"] = field(default_factory=list)
    source: str = ""  # nav | breadcrumb | sitemap

    def path_str(self) -> str:
        return ">".join(self.path)

    def to_dict(self) -> dict:
        return {"name": self.name, "url": self.url, "path": self.path_str(), "kind": self.kind,
                "first_level": self.first_level, "source": self.source}


@functools.lru_cache(maxsize=None)
def _kinds() -> list[dict]:
    path = DATA_DIR / "column_kinds.yaml"
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    kinds = data.get("kinds")
    if not isinstance(kinds, list):
        raise ValueError(f"{path}: expected a 'kinds' list")
    for i, k in enumerate(kinds):
        if not isinstance(k, dict) or "kind" not in k or "name" not in k:
            raise ValueError(f"{path}: entry {i + 1} needs 'kind' and 'name'")
        k["name"] = [str(w) for w in k["name"]]
        k["title_words"] = [str(w) for w in (k.get("title_words") or [])]
    return kinds


def classify_column(name: str, titles: list[str] | None = None, path: str | None = None,
                    overrides: dict[str, str] | None = None) -> str:
    """Kind from the column's own name; if it says nothing, by majority of its rows' titles."""
    if overrides:
        for key in (path, name):
            if key and key in overrides:
                return overrides[key]
    n = clean(name)
    for k in _kinds():
        if any(w in n for w in k["name"]):
            return k["kind"]
    if titles:
        votes: dict[str, int] = {}
        for t in titles:
            for k in _kinds():
                if any(w in t for w in k.get("title_words") or []):
                    votes[k["kind"]] = votes.get(k["kind"], 0) + 1
                    break
        if votes:
            kind, n_votes = max(votes.items(), key=lambda kv: kv[1])
            if n_votes * 2 >= len(titles):
                return kind
    return "other"


def _same_site(url: str | None, base: str | None) -> bool:
    if not url or not base:
        return True
    try:
        a, b = urlparse(url).netloc, urlparse(base).netloc
    except ValueError:
        return False
    return not a or not b or a == b


def _nav_roots(page: Page):
    body = page.tree.body
    if body is None:
        return []
    roots = []
    sel = ", ".join(["nav"] + [f'ul[class*="{h}" i], ul[id*="{h}" i], div[class*="{h}" i], div[id*="{h}" i]'
                               for h in _NAV_HINTS])
    for n in body.css(sel):
        blob = attr_blob(n)
        if n.tag == "nav" or any(re.search(rf"(^|[\s_\-]){h}", blob) for h in _NAV_HINTS):
            roots.append(n)
    return roots


def _menu_columns(root, page: Page, prefix: list[str], source: str) -> list[Column]:
    """Top-level <li> of a menu become first-level columns; nested lists become their children."""
    cols: list[Column] = []
    ul = root if root.tag in ("ul", "ol") else root.css_first("ul")
    if ul is None:
        return cols
    for li in ul.iter():
        if li.tag != "li":
            continue
        a = li.css_first("a")
        if a is None:
            continue
        name = clean(a.text()) or clean(a.attributes.get("title") or "")
        if not name or name in _SKIP or len(name) > 20:
            continue
        href = a.attributes.get("href")
        url = fast_urljoin(page.url, href) if (page.url and href) else href
        if not _same_site(url, page.url):
            continue
        col = Column(name, url, prefix + [name], source=source, first_level=len(prefix) == 1)
        sub = li.css_first("ul")
        if sub is not None:
            col.children = _menu_columns(sub, page, col.path, source)
        cols.append(col)
    return cols


def extract_nav_columns(page: Page) -> list[Column]:
    """First-level columns (and their sub-menus) from the page's main navigation menu: the first menu in
    document order with at least three columns (drop-downs and "more" lists skipped), else the largest."""
    best: list[Column] = []
    for root in _nav_roots(page):
        blob = attr_blob(root)
        if any(w in blob for w in ("dropdown", "more", "sub", "child", "second", "erji")):
            continue
        cols = _menu_columns(root, page, ["首页"], "nav")
        if len(cols) >= 3:
            return cols
        if len(cols) > len(best):
            best = cols
    return best


def extract_sitemap_columns(page: Page) -> list[Column]:
    """A 网站地图 page: headings (dt/h*/strong) with their link lists as children."""
    from .breadcrumb import extract_breadcrumb

    title = clean(page.tree.css_first("title").text()) if page.tree.css_first("title") is not None else ""
    if not any(w in title for w in _SITEMAP_WORDS):
        # most pages link to their 网站地图 from the footer; only a page that names itself so in plain text
        # (a breadcrumb's last crumb, a heading) is one — and only then is the breadcrumb worth reading
        sel = ", ".join(f'*:lexbor-contains("{w}")' for w in _SITEMAP_WORDS)
        plain = [n for n in page.tree.css(sel) if n.tag != "a" and (n.parent is None or n.parent.tag != "a")]
        if not plain:
            return []
        crumbs = extract_breadcrumb(page)
        if not (crumbs and any(w in crumbs[-1] for w in _SITEMAP_WORDS)):
            return []
    # 1. a nested list tree (ul > li > ul): the biggest one is the map
    best_root, best_n = None, 0
    for ul in page.tree.css("ul"):
        if ul.parent is not None and ul.parent.tag == "li":
            continue  # only top-level lists
        if ul.css_first("li ul") is None:
            continue
        n = len(ul.css("a"))
        if n > best_n:
            best_root, best_n = ul, n
    if best_root is not None:
        cols = _menu_columns(best_root, page, ["首页"], "sitemap")
        if cols:
            return cols
    # 2. headings (dt/h*/strong) each followed by its links
    cols = []
    for head in page.tree.css("dt, h2, h3, h4, .title, strong"):
        name = clean(head.text())
        if not name or len(name) > 20 or name in _SKIP:
            continue
        a = head.css_first("a")
        href = a.attributes.get("href") if a is not None else None
        col = Column(name, fast_urljoin(page.url, href) if (page.url and href) else href, ["首页", name],
                     first_level=True, source="sitemap")
        sib = head.next
        while sib is not None and sib.tag == "-text":
            sib = sib.next
        container = sib if sib is not None and sib.tag in ("ul", "dd", "div", "ol", "p") else None
        if container is not None:
            for a2 in container.css("a"):
                n2 = clean(a2.text())
                if n2 and n2 not in _SKIP and len(n2) <= 20:
                    h2 = a2.attributes.get("href")
                    col.children.append(Column(n2, fast_urljoin(page.url, h2) if (page.url and h2) else h2,
                                               col.path + [n2], source="sitemap"))
        cols.append(col)
    return cols


def flatten(cols: list[Column]) -> list[Column]:
    out = []
    for c in cols:
        out.append(c)
        out.extend(flatten(c.children))
    return out


class ColumnTree:
    """Columns of one site gathered from many pages; keyed by path."""

    def __init__(self, overrides: dict[str, str] | None = None):
        self.columns: dict[str, Column] = {}
        self.overrides = overrides or {}
        self._titles: dict[str, list[str]] = {}

    def add(self, col: Column) -> None:
        key = col.path_str()
        cur = self.columns.get(key)
        if cur is None:
            self.columns[key] = Column(col.name, col.url, list(col.path), first_level=len(col.path) == 2,
                                       source=col.source)
        elif not cur.url and col.url:
            cur.url = col.url

    def add_page(self, page: Page, facts: dict | None = None) -> None:
        """Feed one page: its nav menu, its 网站地图 if it is one, its breadcrumb and list titles."""
        for c in flatten(extract_nav_columns(page)) + flatten(extract_sitemap_columns(page)):
            self.add(c)
        if facts is None:
            return
        crumbs = facts.get("breadcrumb") or []
        if len(crumbs) >= 2:
            path = ["首页"] + crumbs[1:]
            for i in range(2, len(path) + 1):
                url = page.url if (i == len(path) and facts.get("kind") == "list") else None
                self.add(Column(path[i - 1], url, path[:i], source="breadcrumb"))
            if facts.get("kind") == "list":
                key = ">".join(path)
                self._titles.setdefault(key, []).extend(i["title"] for i in facts.get("items") or [])

    def classified(self) -> list[dict]:
        out = []
        for key, col in self.columns.items():
            col.kind = classify_column(col.name, self._titles.get(key), key, self.overrides)
            out.append(col.to_dict())
        return out
