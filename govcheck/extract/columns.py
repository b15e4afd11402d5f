"""The column tree of a site (nav menus, breadcrumbs, 网站地图) and each column's kind."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Iterable
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


@dataclass(frozen=True)
class KindDecision:
    """A column's kind and how it was decided, so a check can tell a named kind from a guessed one.

    source: name (the column's own name) · sitemap / breadcrumb (the name 网站地图 or a breadcrumb prints for the
    same column) · titles (its rows' titles) · config (a site override) · none (other); the column tree adds
    parent (a named ancestor's kind). `read_from` is what it was read from: the word in the name, the other
    name, the title word, or the ancestor's path."""

    kind: str
    source: str
    read_from: str | None = None

    @property
    def named(self) -> bool:
        return self.source in NAMED_SOURCES


NAMED_SOURCES = frozenset({"name", "sitemap", "breadcrumb", "config"})
OTHER = KindDecision("other", "none")


@dataclass(frozen=True)
class _KindSpec:
    kind: str
    domain: tuple[str, ...]
    name: tuple[str, ...]
    end: tuple[str, ...]
    not_: tuple[str, ...]
    titles: tuple[str, ...]
    exact: tuple[str, ...] = ()


@dataclass(frozen=True)
class _KindData:
    kinds: tuple[_KindSpec, ...]
    absorbing: tuple[str, ...]
    org_suffixes: tuple[str, ...]
    conjunctions: tuple[str, ...]
    long_kind: str | None
    long_chars: int
    title_share: float
    title_min_rows: int


def _strs(path, where: str, v) -> tuple[str, ...]:
    if v is None:
        return ()
    if not isinstance(v, list):
        raise ValueError(f"{path}: {where} must be a list")
    return tuple(str(w) for w in v)


@functools.lru_cache(maxsize=None)
def _kinds() -> _KindData:
    path = DATA_DIR / "column_kinds.yaml"
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    kinds = data.get("kinds")
    if not isinstance(kinds, list):
        raise ValueError(f"{path}: expected a 'kinds' list")
    specs = []
    for i, k in enumerate(kinds):
        if not isinstance(k, dict) or "kind" not in k or not (k.get("name") or k.get("domain") or k.get("end")
                                                              or k.get("exact")):
            raise ValueError(f"{path}: entry {i + 1} needs 'kind' and at least one of name/domain/end/exact")
        unknown = set(k) - {"kind", "domain", "name", "end", "exact", "not", "titles"}
        if unknown:
            raise ValueError(f"{path}: entry {i + 1} ({k['kind']}): unknown keys {sorted(unknown)}")
        w = f"kinds[{i + 1}] ({k['kind']})"
        specs.append(_KindSpec(str(k["kind"]), _strs(path, w, k.get("domain")), _strs(path, w, k.get("name")),
                               _strs(path, w, k.get("end")), _strs(path, w, k.get("not")),
                               _strs(path, w, k.get("titles")), _strs(path, w, k.get("exact"))))
    long_name = data.get("long_name") or {}
    titles = data.get("titles") or {}
    return _KindData(tuple(specs), _strs(path, "absorbing", data.get("absorbing")),
                     _strs(path, "org_suffixes", data.get("org_suffixes")),
                     _strs(path, "conjunctions", data.get("conjunctions")), long_name.get("kind"),
                     int(long_name.get("min_chars") or 0), float(titles.get("share", 0.67)),
                     int(titles.get("min_rows", 2)))


_QUOTES = str.maketrans("", "", "“”\"'《》「」【】[]()（）·•")


def _han(s: str) -> int:
    return sum(1 for ch in s if "\u4e00" <= ch <= "\u9fff")


def _norm_name(name: str) -> str:
    return "".join((name or "").split()).translate(_QUOTES)


def _matches(n: str, spec: _KindSpec, short: bool) -> tuple[int, int, str] | None:
    """The spec's best hit in `n` (non-domain words): (end, length, word), the latest-ending then longest.
    `end` words count only in a short name (a long one is a title or a slogan)."""
    best = None
    for w in spec.name:
        i = n.rfind(w)
        if i >= 0:
            hit = (i + len(w), len(w), w)
            if best is None or hit[:2] > best[:2]:
                best = hit
    for w in spec.end if short else ():
        if n.endswith(w):
            hit = (len(n), len(w), w)
            if best is None or hit[:2] > best[:2]:
                best = hit
    return best


def _domain_hit(n: str, spec: _KindSpec) -> tuple[int, int, str] | None:
    best = None
    for w in spec.domain:
        i = n.rfind(w)
        if i >= 0:
            hit = (i + len(w), len(w), w)
            if best is None or hit[:2] > best[:2]:
                best = hit
    return best


def _name_kind(n: str, kd: _KindData) -> tuple[str, str] | None:
    for s in kd.kinds:
        if n in s.exact:
            return s.kind, n
    allowed = [s for s in kd.kinds if not any(w in n for w in s.not_)]
    dom = [(h, s) for s in allowed if (h := _domain_hit(n, s))]
    if dom:
        h, s = max(dom, key=lambda x: x[0][:2])
        return s.kind, h[2]
    short = not kd.long_chars or _han(n) < kd.long_chars
    hits = [(h, s) for s in allowed if (h := _matches(n, s, short))]
    if hits:
        h, s = max(hits, key=lambda x: x[0][:2])  # max() keeps the first of equals: the file's order
        return s.kind, h[2]
    return None


@functools.lru_cache(maxsize=4096)
def name_kind(name: str) -> tuple[str, str | None]:
    """(kind, the word that decided it) from a column's name alone; ("other", None) when it names no kind."""
    kd = _kinds()
    n = _norm_name(name)
    if not n:
        return "other", None
    if len(n) > 1 and n.endswith(kd.org_suffixes):
        return "other", None  # an office or an organisation (人事处, 市统计局), not a kind of column
    joined = False
    for c in kd.conjunctions:
        head, sep, _ = n.partition(c)
        if sep and len(head) >= 2 and len(n) - len(head) - 1 >= 2:
            got = _name_kind(head, kd)
            if got:
                return got
            joined = True
            break
    got = _name_kind(n, kd)
    if got:
        return got
    if kd.long_kind and kd.long_chars and _han(n) >= kd.long_chars and not joined:
        return kd.long_kind, n
    return "other", None


def titles_kind(titles: list[str] | None) -> tuple[str, str | None]:
    """(kind, word) when at least `titles.share` of at least `titles.min_rows` titles carry words specific to
    one kind; ("other", None) otherwise. Kinds without `titles` words are never inferred this way."""
    kd = _kinds()
    titles = [t for t in (titles or []) if t]
    if len(titles) < kd.title_min_rows:
        return "other", None
    votes: dict[str, int] = {}
    word: dict[str, str] = {}
    for t in titles:
        for s in kd.kinds:
            w = next((w for w in s.titles if w in t), None)
            if w:
                votes[s.kind] = votes.get(s.kind, 0) + 1
                word.setdefault(s.kind, w)
                break
    if votes:
        kind, n = max(votes.items(), key=lambda kv: kv[1])
        if n >= kd.title_share * len(titles):
            return kind, word[kind]
    return "other", None


def absorbing_kinds() -> tuple[str, ...]:
    """Kinds whose sub-columns are of the same kind whatever their names say (专题专栏's topics)."""
    return _kinds().absorbing


def decide_kind(name: str, titles: list[str] | None = None, path: str | None = None,
                overrides: dict[str, str] | None = None,
                aliases: Iterable[tuple[str, str]] = ()) -> KindDecision:
    """A column's kind: a site override, else its own name, else another name the site prints for it
    (`aliases`: (sitemap|breadcrumb, name)), else its rows' titles. Inheritance from ancestors is the tree's
    business (inspect), since it needs the whole tree."""
    if overrides:
        for key in (path, name):
            if key and key in overrides:
                return KindDecision(overrides[key], "config", key)
    kind, word = name_kind(name)
    if kind != "other":
        return KindDecision(kind, "name", word)
    for source, alias in aliases:
        kind, word = name_kind(alias)
        if kind != "other":
            return KindDecision(kind, source, alias)
    kind, word = titles_kind(titles)
    if kind != "other":
        return KindDecision(kind, "titles", word)
    return OTHER


def classify_column(name: str, titles: list[str] | None = None, path: str | None = None,
                    overrides: dict[str, str] | None = None) -> str:
    """Kind from the column's own name; if it says nothing, from its rows' titles (see decide_kind)."""
    return decide_kind(name, titles, path, overrides).kind


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
    sel = ", ".join(["nav"] + [f'ul[class*="{h}" i], ul[id*="{h}" i], div[class*="{h}" i], div[id*="{h}" i], '
                               f'table[class*="{h}" i], table[id*="{h}" i]' for h in _NAV_HINTS])
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
        return _flat_menu(root, page, prefix, source)
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


def _flat_menu(root, page: Page, prefix: list[str], source: str) -> list[Column]:
    """A menu without lists (PowerEasy/Dede tables: <td class="nav"><a>资讯中心</a></td>…): its links, in order,
    are first-level columns without children."""
    cols: list[Column] = []
    seen: set[str] = set()
    for a in root.css("a"):
        name = clean(a.text()) or clean(a.attributes.get("title") or "")
        if not name or name in _SKIP or len(name) > 20 or name in seen:
            continue
        href = a.attributes.get("href")
        if not href or href.startswith(("javascript:", "#")):
            continue
        url = fast_urljoin(page.url, href) if page.url else href
        if not _same_site(url, page.url):
            continue
        seen.add(name)
        cols.append(Column(name, url, prefix + [name], source=source, first_level=len(prefix) == 1))
    return cols


def extract_nav_columns(page: Page) -> list[Column]:
    """First-level columns (and their sub-menus) from the page's main navigation menu: the first menu in
    document order with at least three columns (drop-downs and "more" lists skipped), else the largest. A menu
    of list items wins over a menu of bare links (a table of cells), which is taken only when no list menu has
    three columns."""
    best: list[Column] = []
    flat: list[Column] = []
    for root in _nav_roots(page):
        blob = attr_blob(root)
        if any(w in blob for w in ("dropdown", "more", "sub", "child", "second", "erji")):
            continue
        listed = root.tag in ("ul", "ol") or root.css_first("ul") is not None
        cols = _menu_columns(root, page, ["首页"], "nav")
        if not listed:
            if len(cols) >= 3 and not flat:
                flat = cols
            continue
        if len(cols) >= 3:
            return cols
        if len(cols) > len(best):
            best = cols
    return flat or best


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
    # 2. headings (dt/h*/strong, a table's th) each followed by its links
    cols = []
    for head in page.tree.css("dt, h2, h3, h4, .title, strong, th"):
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
        container = sib if sib is not None and sib.tag in ("ul", "dd", "div", "ol", "p", "td") else None
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
