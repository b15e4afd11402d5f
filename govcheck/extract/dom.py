"""Shared page parsing: one parsed tree per page, plus the word lists in data/lexicon.yaml."""
from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from selectolax.lexbor import LexborHTMLParser

from .decode import decode_html

DATA_DIR = Path(__file__).resolve().parent / "data"

# Attributes that mark markup as a client-side template (avalon, Vue, Angular) or hidden.
TEMPLATE_ATTRS = ("ms-if", "ms-visible", "ms-repeat", "ms-for", "v-if", "v-show", "v-for", "ng-if", "ng-show",
                  "ng-repeat", "x-if", ":class", "ms-controller", "v-cloak")
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


@functools.lru_cache(maxsize=None)
def lexicon() -> dict:
    path = DATA_DIR / "lexicon.yaml"
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of word lists")
    return data


@functools.lru_cache(maxsize=None)
def _labels_file() -> dict:
    path = DATA_DIR / "labels.yaml"
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return data


def labels(section: str):
    """A section of data/labels.yaml (field labels per kind of fact)."""
    data = _labels_file()
    if section not in data:
        raise KeyError(f"{DATA_DIR / 'labels.yaml'}: missing section '{section}'")
    return data[section]


def spaced(label: str) -> str:
    """Regex for a label that may be printed with spaces between its characters."""
    return r"\s*".join(map(re.escape, label))


@functools.lru_cache(maxsize=None)
def _words(key: str) -> tuple[str, ...]:
    v = lexicon().get(key)
    if v is None:
        raise KeyError(f"{DATA_DIR / 'lexicon.yaml'}: missing list '{key}'")
    if not isinstance(v, list):
        raise ValueError(f"{DATA_DIR / 'lexicon.yaml'}: '{key}' must be a list")
    return tuple(str(x) for x in v)


def words(key: str) -> list[str]:
    return list(_words(key))


@functools.lru_cache(maxsize=None)
def alternation(key: str) -> str:
    """A regex alternation of a word list (entries may themselves be regexes), longest first."""
    return "|".join(sorted(words(key), key=len, reverse=True))


def clean(s: str | None) -> str:
    """Collapse whitespace (str.split also splits on &nbsp; and full-width spaces)."""
    if not s:
        return ""
    return " ".join(s.split())


def squash(s: str | None) -> str:
    """Remove all whitespace: Chinese text needs none and saved copies break lines anywhere."""
    if not s:
        return ""
    return "".join(s.split())


def fast_urljoin(base: str | None, href: str) -> str:
    """urljoin for the common cases (absolute, //host, /path, plain relative), else urllib.

    A malformed base or href (e.g. an unclosed IPv6 bracket) gives the href back unchanged."""
    try:
        return _join(base, href)
    except ValueError:
        return href or ""


def _join(base: str | None, href: str) -> str:
    if not base or not href:
        return href or ""
    if href.startswith(("http://", "https://")):
        return href
    cache = _BASES.get(base)
    if cache is None:
        from urllib.parse import urlsplit

        p = urlsplit(base)
        path = p.path or "/"
        cache = _BASES[base] = (p.scheme, f"{p.scheme}://{p.netloc}",
                                f"{p.scheme}://{p.netloc}{path[: path.rfind('/') + 1]}")
        if len(_BASES) > 256:
            _BASES.clear()
    scheme, origin, basedir = cache
    if href.startswith("//"):
        return f"{scheme}:{href}"
    if href.startswith("/"):
        return origin + href
    if href.startswith("./"):
        href = href[2:]
    if "../" not in href and "/." not in href and not href.startswith(("?", "#", ".")) \
            and ":" not in href.split("/", 1)[0]:
        return basedir + href
    from urllib.parse import urljoin

    return urljoin(base, href)


_BASES: dict[str, tuple[str, str]] = {}


@dataclass
class Page:
    """A parsed page with the bits several extractors need, computed once."""

    html: str
    url: str | None
    encoding: str
    tree: LexborHTMLParser
    scripts: list[str] = field(default_factory=list)  # script src URLs and inline code, before stripping
    raw: bytes | None = None  # the bytes the page was decoded from, when they are UTF-8
    _text: str | None = None
    _lower: str | None = None
    _src_lower: bytes | None = None
    _present: dict | None = None

    @property
    def html_lower(self) -> str:
        """Lower-cased source, to skip CSS selectors for hints that cannot match."""
        if self._lower is None:
            self._lower = self.html.lower()
        return self._lower

    @property
    def source_lower(self) -> bytes:
        """The source as UTF-8 with ASCII letters lower-cased: `present`'s haystack. bytes.lower() is several
        times cheaper than str.lower() on a Chinese page, and UTF-8 input needs no re-encoding."""
        if self._src_lower is None:
            raw = self.raw if self.raw is not None else self.html.encode("utf-8", "surrogatepass")
            self._src_lower = raw.lower()
        return self._src_lower

    def present(self, needles) -> list[str]:
        """The needles (lower-case) that occur in the source, ASCII letters compared without case.

        Each search of a 100 KB source costs ~50 µs, so answers are kept per page, and a needle containing
        one known to be absent (or contained in one known to be present) is not searched for."""
        low = self.source_lower
        known = self._present
        if known is None:
            known = self._present = {}
        needles = [n.lower() for n in needles]
        if len(low) < _IMPLY_MIN:  # a small page: searching is cheaper than reasoning about it
            for n in needles:
                if n not in known:
                    known[n] = n.encode("utf-8") in low
            return [n for n in needles if known[n]]
        # shortest first: an absent one rules out those containing it; pieces shared by several needles
        # ("jiucuo" in jiucuo.js / _jiucuo_ / j-jiucuo …) are looked for first for the same reason
        for n in _shared_pieces(tuple(needles)) + tuple(sorted(needles, key=len)):
            hit = known.get(n)
            if hit is None:
                for k, v in known.items():
                    if v and n in k:
                        hit = True
                        break
                    if not v and k in n:
                        hit = False
                        break
                if hit is None:
                    hit = n.encode("utf-8") in low
                known[n] = hit
        return [n for n in needles if known[n]]

    @property
    def text(self) -> str:
        """Visible text of the body (scripts and styles removed), whitespace collapsed."""
        if self._text is None:
            body = self.tree.body or self.tree.root
            self._text = clean(body.text(separator=" ")) if body is not None else ""
        return self._text


@functools.lru_cache(maxsize=64)
def _alt(needles: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(map(re.escape, sorted(set(needles), key=len, reverse=True))))


def parse_page(html: str | bytes, url: str | None = None, content_type: str | None = None) -> Page:
    raw = None
    if isinstance(html, (bytes, bytearray)):
        data = bytes(html)
        text, enc = decode_html(data, content_type)
        if enc == "utf-8":
            raw = data
    else:
        text, enc = html, "str"
    # lexbor reads UTF-8 bytes: when `text` is the input decoded as is (no BOM, nothing replaced) the input
    # already is text.encode("utf-8"), so it is handed over without the re-encoding copy
    exact = raw is not None and not raw.startswith(codecs.BOM_UTF8) and "\ufffd" not in text
    tree = LexborHTMLParser(raw if exact else text)
    scripts: list[str] = []
    for s in tree.css("script"):
        src = s.attributes.get("src")
        if src:
            scripts.append(src)
        t = s.text(deep=True)
        if t:
            scripts.append(t)
    tree.strip_tags(["script", "style", "noscript", "template"])
    return Page(html=text, url=url, encoding=enc, tree=tree, scripts=scripts, raw=raw)


_IMPLY_MIN = 20_000  # bytes of source below which present() just searches every needle
_PIECE_MIN = 5  # shorter shared pieces ("tion") are in nearly every page and would only cost a search


@functools.lru_cache(maxsize=256)
def _shared_pieces(needles: tuple[str, ...]) -> tuple[str, ...]:
    """Longest common substrings (>= _PIECE_MIN characters) of pairs of needles that are not needles
    themselves, shortest first."""
    out: set[str] = set()
    for i, a in enumerate(needles):
        for b in needles[i + 1:]:
            best = ""
            for x in range(len(a)):
                for y in range(x + len(best) + 1, len(a) + 1):
                    if a[x:y] in b:
                        best = a[x:y]
                    else:
                        break
            if len(best) >= _PIECE_MIN and best not in needles:
                out.add(best)
    return tuple(sorted(out, key=len))


def minimal_needles(needles: list[str]) -> list[str]:
    """Needles without those that contain another one: a substring selector ([class*=x], :lexbor-contains)
    for "breadcrumb" finds nothing that the one for "crumb" misses."""
    return [n for n in needles if not any(m != n and m in n for m in needles)]


def attr_blob(node) -> str:
    """id and class of a node, lower-cased, for hint matching."""
    a = node.attributes  # a plain dict: .attrs.get of a missing key costs a raised exception inside
    return f"{a.get('id') or ''} {a.get('class') or ''}".lower()


def is_template_or_hidden(node) -> bool:
    a = node.attributes
    for k in TEMPLATE_ATTRS:
        if k in a:
            return True
    st = a.get("style")
    if st and HIDDEN_STYLE.search(st):
        return True
    if "hidden" in a:
        return True
    return False


def is_hidden(node, depth: int = 30) -> bool:
    """Hidden by inline style or the hidden attribute, on the node or an ancestor."""
    n = node
    for _ in range(depth):
        if n is None or n.tag in ("html", "-document"):
            return False
        a = n.attributes
        if a:
            st = a.get("style")
            if (st and HIDDEN_STYLE.search(st)) or "hidden" in a:
                return True
        n = n.parent
    return False


def ancestors(node, limit: int = 50):
    p = node.parent
    n = 0
    while p is not None and n < limit:
        if p.tag in ("html", "-document", None):
            break
        yield p
        p = p.parent
        n += 1


def node_text(node) -> str:
    return clean(node.text(separator=" "))
