"""Article facts: headline, the date shown to the reader, 索引号, 发布机构, links to 解读/原文, body text."""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from .dates import FULL_DATE_START, date_from_url, find_dates, iso, parse_date
from .dom import Page, attr_blob, clean, fast_urljoin, labels, minimal_needles, squash, words
from .meta import meta_get, page_title

_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|--|—|–|-\s|\s-)\s*")
# 信息公开 metadata block: label -> key, from data/labels.yaml. Labels may be printed with spaces between
# characters ("索   引   号").
_INFO_LABELS = {str(k): str(v) for k, v in (labels("info_block") or {}).items()}


def _spaced(label: str) -> str:
    return r"\s*".join(map(re.escape, label))


_INFO_RX = re.compile(
    r"(?<![\u4e00-\u9fa5])(" + "|".join(_spaced(k) for k in sorted(_INFO_LABELS, key=len, reverse=True)) + r")\s*[:：]?\s*"
)
# The same without the leading look-behind, which keeps the regex engine from skipping ahead to a label's
# first character; _info_matches checks the look-behind itself.
_INFO_RX_BODY = re.compile(
    r"(" + "|".join(_spaced(k) for k in sorted(_INFO_LABELS, key=len, reverse=True)) + r")\s*[:：]?\s*"
)
_CJK_CHAR = re.compile(r"[\u4e00-\u9fa5]")


def _info_matches(text: str) -> list[re.Match]:
    """`list(_INFO_RX.finditer(text))`, several times faster: a match of the body at p is a match of the full
    pattern iff the character before p is not a Chinese character (the rest is the same pattern)."""
    out = []
    pos, n = 0, len(text)
    search = _INFO_RX_BODY.search
    while pos <= n:
        m = search(text, pos)
        if m is None:
            break
        p = m.start()
        if p > 0 and _CJK_CHAR.match(text, p - 1):
            pos = p + 1
            continue
        out.append(m)
        pos = m.end() if m.end() > p else p + 1
    return out


@dataclass
class ArticleFacts:
    title: str | None = None
    publish_date: dt.date | None = None
    date_source: str | None = None  # "label" | "meta" | "url" | "near-title" | "fallback-label"
    meta_date: dt.date | None = None
    dates_disagree: bool = False
    body_chars: int = 0
    body_text: str = ""
    info: dict = field(default_factory=dict)  # index_no, publisher, doc_no, written_date …
    related_links: list[dict] = field(default_factory=list)
    title_pos: int = -1
    labelled_date: bool = False


@functools.lru_cache(maxsize=None)
def _label_rx() -> re.Pattern:
    pub = words("publish_date_labels")
    other = words("other_date_labels")
    alts = sorted(set(pub) | set(other), key=len, reverse=True)
    return re.compile("(" + "|".join(map(re.escape, alts)) + r")\s*[:：]?\s*[\[【(（]?\s*")


def _heading_candidates(page: Page):
    hints = page.present(("title", "tit", "bt", "headline", "biaoti"))
    sel = ", ".join(["h1", "h2", "h3"] + [f'[class*="{h}" i], [id*="{h}" i]' for h in minimal_needles(hints)])
    for n in page.tree.css(sel):
        if True:
            t = clean(n.text(separator=" "))
            if 4 <= len(t) <= 150:
                yield n, t


def _in_menu(node) -> bool:
    n = node.parent
    for _ in range(8):
        if n is None or n.tag in ("body", "html"):
            return False
        if n.tag in ("nav", "header", "footer"):
            return True
        blob = attr_blob(n)
        if any(h in blob for h in ("nav", "menu", "side", "foot", "header", "tree", "dropdown")):
            return True
        n = n.parent
    return False


def extract_title(page: Page, meta: dict) -> str | None:
    """Meta ArticleTitle; else the heading that repeats the <title>'s first segment (shortest such heading,
    outside menus); else a heading the <title> contains; else the first <title> segment."""
    mt = meta_get(meta, words("meta_title_names")[:2])
    if mt and len(mt) >= 4:
        return clean(mt)
    pt = page_title(page)
    ptitle = squash(pt)
    segs = [x for x in _TITLE_SPLIT.split(pt) if x]
    seg = squash(segs[0]) if segs else ""
    superset, contained = None, None
    seen: set[int] = set()
    for n, t in _heading_candidates(page):
        if n.mem_id in seen:
            continue  # the selector list yields a node once per selector it matches; once is enough
        seen.add(n.mem_id)
        if _links_over(n, 1) or _in_menu(n):
            continue
        st = squash(t)
        if len(st) < 4:
            continue
        if len(seg) >= 4 and seg in st:
            if superset is None or len(st) < len(squash(superset)):
                superset = t
        elif len(st) >= 5 and st in ptitle:
            if contained is None or len(t) > len(contained):
                contained = t
    if superset:
        return superset
    if contained:
        return contained
    h1 = page.tree.css_first("h1")
    if h1 is not None:
        t = clean(h1.text())
        if len(t) >= 6:
            return t
    if segs:
        return max(segs[:2], key=len) if len(segs) > 1 and len(segs[0]) < 4 else segs[0]
    return None


def _links_over(node, k: int) -> bool:
    """len(node.css("a")) > k (the node itself counts), stopping at the (k+1)-th link."""
    n = 0
    for x in node.traverse():
        if x.tag == "a":
            n += 1
            if n > k:
                return True
    return False


def _has_link(node) -> bool:
    """node.css_first("a") is not None for a small element (p/span/font, never an <a> itself), without the
    selector engine's per-call set-up."""
    for n in node.traverse():
        if n.tag == "a" and n.mem_id != node.mem_id:
            return True
    return False


def _body(page: Page) -> tuple[int, str]:
    """Text density: the container whose direct paragraphs carry the most non-link text."""
    best_len, best_node = 0, None
    body = page.tree.body
    if body is None:
        return 0, ""
    parents: dict[int, list] = {}
    for p in body.css("p, div > br, td > br, div > span, div > font"):
        par = p.parent
        if par is None:
            continue
        ent = parents.setdefault(par.mem_id, [par, 0])
        if p.tag == "br":
            continue
        t = p.text()
        if len(clean(t)) < 40 and _has_link(p):
            continue
        ent[1] += len(squash(t))
    for par, n in parents.values():
        if n > best_len:
            best_len, best_node = n, par
    # container that holds text directly (no <p>): plain text nodes under a div/td
    for node in body.css("div, td"):
        own = len(squash(node.text(deep=False)))
        if own > best_len:
            best_len, best_node = own, node
    return best_len, clean(best_node.text(separator="\n")) if best_node is not None else ""


def _info_fields(text: str) -> dict:
    """Values of the 信息公开 metadata block (索引号, 发布机构, 文号, 成文日期 …), first occurrence each."""
    out: dict = {}
    ms = _info_matches(text)
    for i, m in enumerate(ms):
        key = _INFO_LABELS.get(re.sub(r"\s+", "", m.group(1)))
        if not key or key in out:
            continue
        stop = ms[i + 1].start() if i + 1 < len(ms) else len(text)
        val = clean(text[m.end(): min(stop, m.end() + 80)])
        if not val:
            continue
        if key in ("index_no", "doc_no"):
            val = val.split(" ")[0]
            if key == "index_no" and not re.search(r"\d", val):
                continue
        elif key.endswith("_date") or key == "published":
            d = parse_date(val)
            if d is None:
                continue
            val = iso(d)
        else:
            val = val.split(" ")[0] if key == "publisher" else val[:60]
        out[key] = val
    return out


_RELATIONS = (("解读", "解读"), ("图解", "图解"), ("原文", "原文"), ("政策文件", "原文"))


def _related(page: Page) -> list[dict]:
    """Links to the 解读 of this document or to the 原文 it explains."""
    out, seen = [], set()
    live = [w for w, _ in _RELATIONS if w in page.text]
    if not live:
        return out
    sel = ", ".join(f'a[href]:lexbor-contains("{w}"), a[href] *:lexbor-contains("{w}")' for w in live)
    for a in page.tree.css(sel):
        while a is not None and a.tag != "a":
            a = a.parent
        if a is None:
            continue
        t = clean(a.text())
        if not t or len(t) > 120 or len(t) < 6:
            continue  # a bare column name (政策文件, 政策解读) is navigation, not a related document
        rel = next((r for w, r in _RELATIONS if w in t), None)
        if rel is None:
            continue
        href = a.attributes.get("href") or ""
        if href.startswith(("javascript:", "#")):
            continue
        url = fast_urljoin(page.url, href) if page.url else href
        if url in seen:
            continue
        seen.add(url)
        out.append({"title": t, "url": url, "relation": rel})
    return out[:20]


def find_publish_date(page: Page, meta: dict, title: str | None) -> tuple[dt.date | None, str | None, int]:
    """The date shown to the reader, by label nearest after the headline; then meta, URL, nearby dates."""
    text = page.text
    pub = set(words("publish_date_labels"))
    strength = {w: i for i, w in enumerate(words("publish_date_labels"))}
    fallback = set(words("fallback_date_labels"))
    tpos = -1
    if title:
        key = title[:12]
        tpos = text.find(key)
    hits = []
    fb = []
    for m in _label_rx().finditer(text):
        lab = m.group(1)
        e = m.end()
        if not any(c in FULL_DATE_START for c in text[e: e + 3]):
            continue  # no full date can start within 2 characters of the label
        d = find_dates(text[e: e + 24], month_day=False)
        if not d or d[0].start > 2:
            continue
        if lab in pub:
            hits.append((m.start(), lab, d[0].date))
        elif lab in fallback:
            fb.append((m.start(), lab, d[0].date))
    if hits:
        if tpos >= 0:
            near = [h for h in hits if tpos <= h[0] <= tpos + len(title or "") + 800]
            if near:
                # the first labelled date after the headline; a stronger label right beside it wins
                first = min(h[0] for h in near)
                close = [h for h in near if h[0] <= first + 120]
                close.sort(key=lambda h: (strength.get(h[1], 99), h[0]))
                return close[0][2], "label", tpos
        hits.sort(key=lambda h: (strength.get(h[1], 99), h[0]))
        return hits[0][2], "label", tpos
    md = parse_date(meta_get(meta, words("meta_date_names")))
    if md:
        return md, "meta", tpos
    ud = date_from_url(page.url)
    if ud:
        return ud, "url", tpos
    md = parse_date(meta_get(meta, words("meta_modified_names")))
    if md:
        return md, "meta-modified", tpos
    if tpos >= 0:
        after = text[tpos + len(title or ""): tpos + len(title or "") + 300]
        d = find_dates(after, month_day=False)
        if d:
            return d[0].date, "near-title", tpos
    if fb:
        return fb[0][2], "fallback-label", tpos
    return None, None, tpos


def extract_article(page: Page, meta: dict, related: bool = True) -> ArticleFacts:
    """`related=False` leaves related_links empty (extract_page reads them only for article pages)."""
    f = ArticleFacts()
    f.title = extract_title(page, meta)
    f.publish_date, f.date_source, f.title_pos = find_publish_date(page, meta, f.title)
    f.labelled_date = f.date_source == "label"
    f.meta_date = parse_date(meta_get(meta, words("meta_date_names")))
    f.dates_disagree = bool(f.meta_date and f.publish_date and f.meta_date != f.publish_date)
    f.body_chars, f.body_text = _body(page)
    f.info = _info_fields(page.text)
    f.related_links = _related(page) if related else []
    return f
