"""URL normalisation, crawl scope and trap detection.

Normalisation is cached: government pages repeat the same navigation links on every page, so most
lookups are hits and the frontier stays cheap at thousands of pages a second.
"""
from __future__ import annotations

import datetime as _dt
import posixpath
import re
from collections import defaultdict
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit, urlunsplit, parse_qsl

_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"
_DEFAULT_PORT = {"http": 80, "https": 443}


@lru_cache(maxsize=262144)
def normalize_abs(url: str) -> str | None:
    """Canonical form of an absolute http(s) URL, or None when it is not one."""
    try:
        p = urlsplit(url.strip())
        scheme = p.scheme.lower()
        if scheme not in ("http", "https") or not p.hostname:
            return None
        host = p.hostname.lower().rstrip(".")
        port = p.port
    except ValueError:
        return None
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORT[scheme]) else f"{host}:{port}"
    path = p.path or "/"
    if "/." in path:
        trailing = path.endswith("/")
        path = posixpath.normpath(path)
        if not path.startswith("/"):
            path = "/" + path
        path = path.replace("//", "/")
        if trailing and not path.endswith("/"):
            path += "/"
    path = quote(path, safe=_SAFE_PATH)
    query = quote(p.query, safe=_SAFE_QUERY) if p.query else ""
    return urlunsplit((scheme, netloc, path, query, ""))


_SKIP_RE = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def resolve(base: str, href: str, skip_schemes: frozenset[str] = frozenset()) -> str | None:
    """Absolute, normalised URL of href on a page at base (None for mailto:, javascript: …)."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    m = _SKIP_RE.match(href)
    if m:
        sch = m.group(1).lower()
        if sch not in ("http", "https"):
            return None
        return normalize_abs(href)
    if href.startswith("//"):
        return normalize_abs(base.split(":", 1)[0] + ":" + href)
    if href.startswith("/"):
        i = base.find("/", base.find("//") + 2)
        origin = base if i < 0 else base[:i]
        return normalize_abs(origin + href)
    return normalize_abs(urljoin(base, href))


def host_of(url: str) -> str:
    """netloc (host[:port]) of a normalised URL."""
    i = url.find("//") + 2
    j = url.find("/", i)
    return url[i:] if j < 0 else url[i:j]


_DIGITS = re.compile(r"\d+")
_DATEISH = re.compile(r"(?<!\d)(?:19|20)\d{2}[-_/.]?(?:0[1-9]|1[0-2])(?:[-_/.]?(?:0[1-9]|[12]\d|3[01]))?(?!\d)")


def _shape(url: str) -> str:
    """The URL with digit runs blanked: next-month and next-page links keep their shape."""
    return _DIGITS.sub("0", url)


_YEAR_RE = re.compile(r"(?<!\d)(1[0-9]{3}|2[0-9]{3}|[3-9][0-9]{3})(?!\d)")


class TrapDetector:
    """Rejects URLs that a crawler could follow forever (calendars, repeated segments, query explosion).

    Thresholds come from the [traps] table of crawl.toml.
    """

    def __init__(self, conf: dict, now_year: int | None = None):
        self.max_rep = int(conf["max_repeated_segment"])
        self.max_segments = int(conf["max_path_segments"])
        self.max_variants = int(conf["max_query_variants"])
        self.max_params = int(conf["max_query_params"])
        year = now_year or _dt.date.today().year
        self.min_year = int(conf["min_year"])
        self.max_year = year + int(conf["max_years_ahead"])
        self.cal_params = {p.lower() for p in conf["calendar_params"]}
        self.calendar_chain = int(conf["calendar_chain"])
        self.max_chain = int(conf["max_chain"])
        self.max_date_variants = int(conf["max_date_variants"])
        self.variants: dict[str, int] = defaultdict(int)
        self.date_variants: dict[str, int] = defaultdict(int)
        self.streak: dict[str, int] = {}

    def check(self, url: str, parent: str | None = None) -> str | None:
        """Reason the URL is a trap, or None. Counts query variants, so call once per new URL.

        A chain of pages of one shape, each found only on the previous one (next month, next day …),
        is a trap when it gets longer than a calendar or a paginator plausibly is.
        """
        shape = _shape(url)
        streak = 0
        if parent is not None and _shape(parent) == shape:
            streak = self.streak.get(parent, 0) + 1
        self.streak[url] = streak
        if streak > self.calendar_chain and _DATEISH.search(url.split("//", 1)[-1].split("/", 1)[-1]):
            return f"日历式无限链接（同一形态的链接连续{streak}层）"
        if streak > self.max_chain:
            return f"同一形态的链接连续{streak}层"
        p = urlsplit(url)
        segs = [s for s in p.path.split("/") if s]
        if len(segs) > self.max_segments:
            return f"路径层级过深（{len(segs)}层）"
        counts: dict[str, int] = defaultdict(int)
        for s in segs:
            counts[s] += 1
            if counts[s] > self.max_rep:
                return f"路径段“{s}”重复{counts[s]}次"
        if p.query:
            params = parse_qsl(p.query, keep_blank_values=True)
            if len(params) > self.max_params:
                return f"查询参数过多（{len(params)}个）"
            for k, v in params:
                if k.lower() in self.cal_params:
                    r = self._year_out_of_range(v)
                    if r:
                        return f"日历链接（{k}={v}，{r}）"
            key = p.netloc + p.path
            if any(_DATEISH.fullmatch(v.strip()) for _k, v in params):
                self.date_variants[key] += 1
                if self.date_variants[key] > self.max_date_variants:
                    return f"日历式链接（同一路径按日期变化的查询超过{self.max_date_variants}个）"
            self.variants[key] += 1
            if self.variants[key] > self.max_variants:
                return f"同一路径的查询变体超过{self.max_variants}个"
        # calendar-style paths such as /calendar/2087/03/
        if any(k in p.path.lower() for k in self.cal_params if len(k) > 2):
            r = self._year_out_of_range(p.path)
            if r:
                return f"日历链接（{r}）"
        return None

    def _year_out_of_range(self, text: str) -> str | None:
        for m in _YEAR_RE.finditer(text):
            y = int(m.group(1))
            if y < self.min_year or y > self.max_year:
                return f"年份{y}超出{self.min_year}–{self.max_year}"
        return None


def home_urls(home_url: str, documents: list[str] | tuple[str, ...] | None = None) -> set[str]:
    """The home page's URL and the default documents serving it a second time (/index.html, linked from a
    logo or a breadcrumb): a link read on either is a link on the home page (D22.1), not on another page.
    `documents`: crawl.toml [links] home_documents unless given."""
    if documents is None:
        from govcheck.collect.config import load_data

        documents = load_data()["links"]["home_documents"]
    docs = set(documents)
    head, _, last = home_url.rpartition("/")
    base = head + "/" if last in docs else (home_url if home_url.endswith("/") else home_url + "/")
    return {home_url, base, base.rstrip("/")} | {base + d for d in docs}
