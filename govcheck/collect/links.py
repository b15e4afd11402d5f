"""Links and JSON-API URLs read from one page, for the frontier and the link record."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser

from govcheck.collect.config import load_data
from govcheck.collect.urls import home_urls, normalize_abs, resolve


def link_key(site: str, url: str, text: str | None, home_ref: str | None) -> int:
    """The identity of a crawl_link row as a signed 64-bit integer: one row per site, target, link text and
    home-page copy (None: any other page). Collisions are ~1e-8 likely at millions of targets per round."""
    h = hashlib.blake2b("\x00".join((site, url, text or "", home_ref or "")).encode("utf-8", "surrogatepass"),
                        digest_size=8)
    return int.from_bytes(h.digest(), "big", signed=True)


@lru_cache(maxsize=4096)
def _home_refs(site: str) -> frozenset[str]:
    """Every URL under which the crawl may have read the site's home page (as given and normalised)."""
    return frozenset(home_urls(site) | home_urls(normalize_abs(site) or site))


def index_links(rows: list[dict], seen: set[int]) -> list[dict]:
    """The crawl_link rows worth keeping among link occurrences (see collect/store.py crawl_link), each with
    its `key`; `seen` holds the keys already kept by this writer and is updated."""
    out = []
    for r in rows:
        ref = r["referrer"]
        home_ref = ref if ref in _home_refs(r["site"]) else None
        k = link_key(r["site"], r["url"], r.get("text"), home_ref)
        if k in seen:
            continue
        seen.add(k)
        out.append({**r, "key": k})
    return out


@dataclass
class Link:
    url: str
    tag: str  # a, img, script, link, iframe, api …
    text: str = ""


@dataclass
class PageLinks:
    links: list[Link] = field(default_factory=list)
    api_urls: list[str] = field(default_factory=list)
    dynamic: bool = False  # scripts render content but name no API URL we can fetch
    title: str = ""


@dataclass(frozen=True)
class LinkRules:
    selector: str
    attrs: tuple[tuple[str, str], ...]
    skip_schemes: frozenset[str]
    asset_ext: frozenset[str]
    api_patterns: tuple[re.Pattern, ...]
    data_attrs: tuple[str, ...]
    dynamic_markers: tuple[str, ...]


@lru_cache(maxsize=4)
def link_rules(data_path: str | None = None) -> LinkRules:
    d = load_data(data_path)
    attrs = tuple((t, a) for t, a in d["links"]["attributes"])
    api = d["api"]
    data_attrs = tuple(api["data_attributes"])
    sel = ", ".join([f"{t}[{a}]" for t, a in attrs] + [f"[{a}]" for a in data_attrs] + ["script:not([src])", "title"])
    return LinkRules(
        selector=sel,
        attrs=attrs,
        skip_schemes=frozenset(d["links"]["skip_schemes"]),
        asset_ext=frozenset(e.lower() for e in d["links"]["asset_extensions"]),
        api_patterns=tuple(re.compile(p, re.I) for p in api["patterns"]),
        data_attrs=data_attrs,
        dynamic_markers=tuple(api["dynamic_markers"]),
    )


def is_asset(url: str, rules: LinkRules) -> bool:
    path = url.split("?", 1)[0]
    slash = path.rfind("/")
    dot = path.rfind(".")
    return dot > slash and path[dot + 1:].lower() in rules.asset_ext


def extract_links(html: str, base: str, rules: LinkRules | None = None, max_api: int = 5) -> PageLinks:
    """Every followable URL of a page (deduplicated, document order) plus API URLs named in scripts."""
    rules = rules or link_rules()
    out = PageLinks()
    tree = LexborHTMLParser(html)
    base_el = tree.css_first("base[href]")
    if base_el is not None:
        b = resolve(base, base_el.attributes.get("href") or "")
        if b:
            base = b
    seen: set[str] = set()
    scripts: list[str] = []
    for node in tree.css(rules.selector):
        tag = node.tag
        attrs = node.attributes
        if tag == "title":
            if not out.title:
                out.title = (node.text() or "").strip()[:300]
            continue
        if tag == "script" and "src" not in attrs:
            scripts.append(node.text() or "")
            continue
        for t, a in rules.attrs:
            if t == tag:
                v = attrs.get(a)
                if v:
                    u = resolve(base, v)
                    if u and u not in seen:
                        seen.add(u)
                        text = (node.text() or "").strip()[:200] if tag == "a" else ""
                        out.links.append(Link(u, tag, text))
                break
        for a in rules.data_attrs:
            v = attrs.get(a)
            if v:
                u = resolve(base, v)
                if u and u not in out.api_urls and len(out.api_urls) < max_api:
                    out.api_urls.append(u)
    for s in scripts:
        if not s.strip():
            continue
        found = False
        for pat in rules.api_patterns:
            for m in pat.finditer(s):
                u = resolve(base, m.group(1))
                if u:
                    found = True
                    if u not in out.api_urls and len(out.api_urls) < max_api:
                        out.api_urls.append(u)
        if not found and any(k in s for k in rules.dynamic_markers):
            out.dynamic = True
    if out.api_urls:
        out.dynamic = False
    return out


_URLISH = re.compile(r"^(?:https?://|/)[^\s\"'<>]+$|^[^\s\"'<>/]+/[^\s\"'<>]*\.(?:s?html?|jsp|aspx?|php)(?:\?[^\s]*)?$", re.I)


def json_links(data: bytes | str, base: str, limit: int = 5000) -> list[Link]:
    """URL-like strings inside a JSON API response (the column's items), to crawl them like links."""
    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return []
    out: list[Link] = []
    seen: set[str] = set()
    stack = [obj]
    while stack and len(out) < limit:
        o = stack.pop()
        if isinstance(o, dict):
            stack.extend(reversed(list(o.values())))
        elif isinstance(o, list):
            stack.extend(reversed(o))
        elif isinstance(o, str) and len(o) < 2000 and _URLISH.match(o):
            u = resolve(base, o)
            if u and u not in seen:
                seen.add(u)
                out.append(Link(u, "json"))
    return out


def next_api_page(url: str, page_params: tuple[str, ...]) -> str | None:
    """The same API URL with its page number one higher, or None when it has no page parameter."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    q = parse_qsl(parts.query, keep_blank_values=True)
    names = {n.lower() for n in page_params}
    for i, (k, v) in enumerate(q):
        if k.lower() in names and v.isdigit():
            q[i] = (k, str(int(v) + 1))
            return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(q), ""))
    return None
