"""The page's main list: the largest repeated block of sibling rows that each hold a link and a date."""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Callable

from .dates import date_from_url, find_dates, inferred, iso, make_date
from .dom import Page, attr_blob, clean, fast_urljoin, is_template_or_hidden, minimal_needles, words

ROW_TAGS = {"li", "tr", "dd", "dt"}
REPEAT_ATTRS = ("ms-repeat", "ms-for", "v-for", "ng-repeat", "x-for", "th:each", "wx:for")
_REPEAT_PIECES = ("-for", "-repeat", ":each", ":for")
_BAD_HREF = re.compile(r"^\s*(?:javascript:|#|mailto:|tel:)", re.I)
_TOKEN = re.compile(r"[\s_\-]+")


@dataclass(slots=True)
class Row:
    node: object
    title: str
    url: str | None
    date: dt.date | None
    date_source: str | None  # "shown" | "url"
    sig: tuple
    pos: int = 0  # document order of the row's first link
    pid: int = 0  # mem_id of the row's container (0: none)


@dataclass
class ListResult:
    items: list[dict] = field(default_factory=list)
    dated_groups: int = 0
    dated_blocks: int = 0  # distinct containers holding >= 3 dated rows (home pages have several boxes)
    dynamic: bool = False  # a list template drawn by JavaScript is present
    blank_marker: bool = False  # visible 暂无信息-like text
    script_data: bool = False  # rows held as records inside a script element (Hanweb <datastore>), read as data
    pagination: bool = False
    main_score: float = 0.0
    _groups: int | Callable[[], int] = 0

    @property
    def groups(self) -> int:
        """Number of distinct link-row groups with >= 3 rows (a home page has many); counted on first use."""
        if callable(self._groups):
            self._groups = self._groups()
        return self._groups

    @groups.setter
    def groups(self, value: int | Callable[[], int]) -> None:
        self._groups = value


def _row_of(a):
    n = a.parent
    for _ in range(4):
        if n is None or n.tag in ("body", "html"):
            break
        if n.tag in ROW_TAGS:
            return n
        n = n.parent
    p = a.parent
    if p is None or p.tag in ("body", "html"):
        return None
    return p


def _hint_tokens(node) -> set[str]:
    return set(t for t in _TOKEN.split(attr_blob(node)) if t)


def _context_factor(node, side: list[str], main: list[str], weak: list[str] = (),
                    memo: dict | None = None) -> float:
    """< 1 inside side boxes (热点, 相关, nav, footer), > 1 inside main/content/list containers.
    `memo` keeps each ancestor's multipliers (groups of one page share ancestors)."""
    f = 1.0
    for anc in _ancestors(node, 12):
        key = anc.mem_id
        steps = memo.get(key) if memo is not None else None
        if steps is None:
            steps = _ancestor_steps(anc, side, main, weak)
            if memo is not None:
                memo[key] = steps
        for x in steps:
            f *= x
    return f


def _ancestor_steps(anc, side, main, weak) -> tuple:
    steps = ()
    toks = _hint_tokens(anc)
    if anc.tag in ("header", "footer", "nav", "aside"):
        steps = (0.3,)
    if not toks:
        return steps
    side, weak, main = tuple(side), tuple(weak), tuple(main)  # str.startswith(tuple): the loop runs in C
    if any(t.startswith(side) for t in toks):
        steps += (0.5,)
    elif any(t.startswith(weak) for t in toks):
        steps += (0.9,)
    elif any(t.startswith(main) for t in toks):
        steps += (1.15,)
    return steps


# Groups whose context is this side-heavy are never a page's main list.
SIDE_CUTOFF = 0.3


def _ancestors(node, limit):
    p = node.parent
    k = 0
    while p is not None and k < limit and p.tag not in ("html", "-document"):
        yield p
        p = p.parent
        k += 1


_BULLETS = "·•●◆◇■□▪▶►▸◎○ "


def _title_of(a, text: str | None = None) -> str:
    """Link text (list bullets dropped), completed from the title attribute when the CMS cut it short."""
    if text is None:
        text = clean(a.text(separator=" "))
    text = text.lstrip(_BULLETS)
    if text and len(text) >= 4 and not text.endswith((".", "…")):
        return text
    t = clean(a.attrs.get("title") or "")
    if t and len(t) > len(text) and (text.endswith(("...", "…", "..")) or t.startswith(text.rstrip(".…")) or not text):
        return t
    return text


_FULL_QUICK = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*([-/.年])\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_MD_QUICK = re.compile(r"\d{1,2}\s*[-/.月]\s*\d{1,2}")


def ref_date_of(page: Page, ref: dt.date | None) -> dt.date:
    """Reference for MM-DD years: the caller's date, else the newest full date on the page, else today."""
    if ref is not None:
        return ref
    today = dt.date.today()
    best = None
    for m in _FULL_QUICK.finditer(page.text):
        d = make_date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        if d is not None and d <= today and (best is None or d > best):
            best = d
    return best or today


class _LazyRef:
    """The reference date is only worked out when a row shows a year-less date."""

    def __init__(self, page: Page, ref: dt.date | None):
        self.page, self.ref, self.done = page, ref, ref is not None
        self.seen: dict[str, dt.date | None] = {}  # _dates_in results (rows of a list repeat their date text)

    def get(self) -> dt.date:
        if not self.done:
            self.ref, self.done = ref_date_of(self.page, None), True
        return self.ref


_DATEISH = re.compile(r"\d\s*[-/.年月_]\s*\d|[〇○]|\d{8}")  # the definition; _dateish() is the fast test
_SEP_DIGIT = re.compile(r"[-/.年月_]\s*\d")
_DIGITS8 = re.compile(r"\d{8}")
_SPACE = re.compile(r"\s")
_DIGIT = re.compile(r"\d")


def _dateish(t: str) -> bool:
    """`_DATEISH.search(t) is not None`, several times faster on long texts: the separator is searched
    first (Python's regex scans a one-character class quickly) and the digit before it checked by hand."""
    if "〇" in t or "○" in t:
        return True
    for m in _SEP_DIGIT.finditer(t):
        j = m.start() - 1
        while j >= 0 and _SPACE.match(t, j):
            j -= 1
        if j >= 0 and _DIGIT.match(t, j):
            return True
    return _DIGITS8.search(t) is not None


def _dates_in(text: str, ref: _LazyRef) -> dt.date | None:
    """The first date a row shows (a 留言 row shows asked before answered; 发布日期 columns lead)."""
    seen = ref.seen
    if text in seen:
        return seen[text]
    d = seen[text] = _dates_in_uncached(text, ref)
    return d


def _dates_in_uncached(text: str, ref: _LazyRef) -> dt.date | None:
    # fast path: the common 2022-05-12 / 2022年5月12日 forms (a text they match is date-ish)
    for m in _FULL_QUICK.finditer(text):
        d = make_date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        if d is not None:
            return d
    if not _dateish(text):
        return None
    if not _MD_QUICK.search(text):
        hits = find_dates(text)
        return hits[0].date if hits else None
    # one pass for both: full dates are found first and identically with or without a reference year, so
    # the first full hit is the answer when there is one, else the first MM-DD hit
    hits = find_dates(text, ref=ref.get())
    for h in hits:
        if not h.year_inferred:
            return h.date
    return hits[0].date if hits else None


def _shown_date(row, link_text: str, ref: _LazyRef, row_text: str | None = None) -> dt.date | None:
    """A date shown in the row outside the link text (full dates preferred over MM-DD)."""
    if row_text is None:
        row_text = clean(row.text(separator=" "))
    outside = row_text.replace(link_text, " ", 1) if link_text else row_text
    return _dates_in(outside, ref)


def _inner_date(a, ref: _LazyRef) -> tuple[dt.date | None, str]:
    for child in a.css("span, em, i, font, b, small, div, p"):
        t = clean(child.text())
        if not t or len(t) > 24 or not any(c.isdigit() for c in t):
            continue
        hits = find_dates(t, ref=ref.get())
        if hits and hits[0].end - hits[0].start >= len(t.strip("[]【】()（） ")) - 2:
            return hits[0].date, t
    return None, ""


def _title_links(node) -> int:
    hrefs = set()
    for a in node.css("a[href]"):
        if len(clean(a.text())) >= 2:
            hrefs.add(a.attrs.get("href"))
    return len(hrefs)


def collect_rows(page: Page, ref: dt.date | None | _LazyRef) -> list[Row]:
    return _collect(page, ref)[0]


def _collect(page: Page, ref: dt.date | None | _LazyRef) -> tuple[list[Row], int | Callable[[], int]]:
    """Rows holding a link and (mostly) a date; also how many containers hold >= 3 link rows (a callable
    when not yet counted: only kind detection on a root URL without rows needs it).

    Undated rows only matter when they sit beside dated ones, so their grouping work is deferred. Links are
    visited once; a link whose row's container shows no date costs only the climb to that container."""
    lazy = ref if isinstance(ref, _LazyRef) else _LazyRef(page, ref)
    rows: dict[int, Row] = {}
    pending: list[tuple] = []
    memo: dict = {}
    texts: dict[int, str] = {}  # container text, computed once (menus share one big parent)
    parent_count: dict[int, int] = {}
    has_dates: dict[int, bool] = {}
    dateish_rx = _dateish
    row_tags = ROW_TAGS
    links = page.tree.css("a[href]")
    nlinks = len(links)
    i = 0
    while i < nlinks:
        a = links[i]
        pos = i
        i += 1
        # _row_of, inlined: the nearest li/tr/dd/dt within 4 levels, else the link's parent
        p = a.parent
        row = None
        n = p
        for _ in range(4):
            if n is None:
                break
            tag = n.tag
            if tag == "body" or tag == "html":
                break
            if tag in row_tags:
                row = n
                break
            n = n.parent
        if row is None:
            if p is None or p.tag in ("body", "html"):
                continue
            row = p
        parent = row.parent
        pid = parent.mem_id if parent is not None else 0
        dateish = has_dates.get(pid)
        if dateish is None:
            ptext = parent.text(separator=" ") if parent is not None else ""
            dateish = has_dates[pid] = dateish_rx(ptext)
            if not dateish and parent is not None and len(ptext) > _SPAN_MIN_TEXT:
                i += _rows_only_span(parent, a) - 1  # a whole menu of <li> rows at once
        if not dateish:
            # a container without a single date (menus, link walls): its rows never join a main list
            continue
        href = a.attrs.get("href")
        if not href or _BAD_HREF.match(href):
            href = None  # "#" / javascript: rows still show a title and a date; only dated ones are kept
        link_text = clean(a.text(separator=" "))
        title = _title_of(a, link_text)
        if len(title) < 2:
            continue
        row_text = clean(row.text(separator=" "))
        if len(row_text) > len(title) + 200:
            continue  # a container, not a row
        date = _shown_date(row, link_text, lazy, row_text)
        if date is None and dateish_rx(link_text):
            # date drawn inside the link in its own element: <a>标题…<span>12-14</span></a>
            date, date_text = _inner_date(a, lazy)
            if date is not None:
                title = clean(title.replace(date_text, " ")) if date_text in title else title
        if date is None:
            # cells of one row (<dl><dd>title</dd><dd>date</dd></dl>, <tr><td>…): climb while the
            # ancestor still holds this one link and stays row-sized
            up = parent
            for _ in range(2):
                if up is None or up.tag in ("body", "html"):
                    break
                up_text = texts.get(up.mem_id)
                if up_text is None:
                    up_text = texts[up.mem_id] = clean(up.text(separator=" "))
                if len(up_text) > len(title) + 80 or not dateish_rx(up_text) or _title_links(up) != 1:
                    break
                d = _shown_date(up, link_text, lazy, up_text)
                if d is not None:
                    row, date = up, d
                    parent = row.parent
                    pid = parent.mem_id if parent is not None else 0
                    break
                up = up.parent
        if (len(title) < 4 or href is None) and date is None:
            continue
        parent_count[pid] = parent_count.get(pid, 0) + 1
        if date is None:
            pending.append((row, title, href, pid, pos, parent))
            continue
        key = row.mem_id
        prev = rows.get(key)
        if prev is not None and len(prev.title) >= len(title):
            continue
        rows[key] = Row(row, title, href, date, "shown", _row_sig(row, parent, memo), prev.pos if prev else pos, pid)
    dated_parents = {r.pid for r in rows.values() if r.pid}
    for row, title, href, pid, pos, parent in pending:
        if pid not in dated_parents:
            continue
        key = row.mem_id
        prev = rows.get(key)
        if prev is not None:
            continue
        ud = date_from_url(href) if href else None
        rows[key] = Row(row, title, href, ud, "url" if ud else None, _row_sig(row, parent, memo), pos, pid)
    ordered = sorted(rows.values(), key=lambda r: r.pos)

    def groups() -> int:
        # date-less containers count every link row; dated ones the rows that passed the filters
        counts = dict(parent_count)
        for a in links:
            row = _row_of(a)
            if row is None:
                continue
            parent = row.parent
            pid = parent.mem_id if parent is not None else 0
            dateish = has_dates.get(pid)
            if dateish is None:
                dateish = has_dates[pid] = dateish_rx(parent.text(separator=" ") if parent is not None else "")
            if not dateish:
                counts[pid] = counts.get(pid, 0) + 1
        return sum(1 for v in counts.values() if v >= 3)

    return ordered, groups


_SPAN_MIN_TEXT = 400  # smaller date-less containers are cheaper to walk link by link than to check


def _rows_only_span(container, first) -> int:
    """How many links of the date-less `container` can be passed over from `first` on: all of them when every
    child element is a row (li/tr/dd/dt) and `first` is its first link, since each such link's row is then
    inside the container and its row's container has no date either; else 1 (only `first`)."""
    head = container.css_first("a[href]")
    if head is None or head.mem_id != first.mem_id:
        return 1
    for child in container.iter():
        if child.tag not in ROW_TAGS:
            return 1
    return len(container.css("a[href]")) or 1


def _row_sig(row, parent, memo: dict) -> tuple:
    """_sig_of(row, 8) for a row (never body/html) whose parent is at hand: rows are unique, so only the
    parent's chain is worth keeping in the memo."""
    return ((row.tag, (row.attributes.get("class") or "").strip()),) + _sig_of(parent, 7, memo)


def _sig_of(node, depth: int, memo: dict) -> tuple:
    """_sig with a shared memo; the class is read through `attributes` (attrs.get of a missing key is slow)."""
    if node is None or depth == 0:
        return ()
    tag = node.tag
    if tag in ("body", "html", "-document"):
        return ()
    key = (node.mem_id, depth)
    hit = memo.get(key)
    if hit is not None:
        return hit
    out = ((tag, (node.attributes.get("class") or "").strip()),) + _sig_of(node.parent, depth - 1, memo)
    memo[key] = out
    return out


@functools.lru_cache(maxsize=None)
def _blank_rx() -> tuple[list[str], re.Pattern]:
    marks = sorted(words("blank_markers"), key=len, reverse=True)
    return marks, re.compile("|".join(map(re.escape, marks)))


@functools.lru_cache(maxsize=None)
def _context_hints() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(side, main, weak) class/id prefixes, lower-cased."""
    return tuple(tuple(h.lower() for h in words(k)) for k in ("side_hints", "main_hints", "side_hints_weak"))


@functools.lru_cache(maxsize=None)
def _pagination_rx() -> re.Pattern:
    return re.compile("|".join(words("pagination_markers")))


def _blank_marker(page: Page) -> bool:
    marks, rx = _blank_rx()
    body = page.tree.body
    text = page.text
    if body is None or not rx.search(text):
        return False
    # A text node holding a marker has it in the page text too (markers have no spaces); the elements with
    # such a text node of their own are what :lexbor-contains finds, body's own text nodes aside.
    live = minimal_needles([m for m in marks if m in text])
    holders = [body] + body.css(", ".join(f'*:lexbor-contains("{m}")' for m in live))
    for node in holders:
        for t in node.iter(include_text=True):
            if t.tag != "-text":
                continue
            own = t.text_content or ""
            if not own or not rx.search(own) or len(clean(own)) > 40:
                continue
            if is_template_or_hidden(node) or any(is_template_or_hidden(p) for p in _ancestors(node, 30)):
                break  # every text node of this element has the same ancestors
            return True
    return False


def _script_list(page: Page) -> bool:
    """An inline script that fetches rows (getJSON/ajax/fetch) and writes list markup."""
    fetch = words("js_fetch_markers")
    render = words("js_render_markers")
    for s in page.scripts:
        if len(s) > 200_000:
            continue
        if any(f in s for f in fetch) and any(r in s for r in render):
            return True
    return False


def _dynamic(page: Page) -> bool:
    """A list template bound by avalon/Vue/Angular left unrendered, or a script that draws the list."""
    if _script_list(page):
        return True
    # an attribute name is in the source as written: select only those; the shared pieces ("-for", "-repeat")
    # are looked for first so that one absent piece rules out several names
    live = [a for a in page.present(_REPEAT_PIECES + REPEAT_ATTRS) if a in REPEAT_ATTRS]
    if not live:
        return False
    selector = ", ".join("[" + a.replace(":", "\\:") + "]" for a in live)
    for n in page.tree.css(selector):
        cls = n.attributes.get("class") or ""
        if "ng-scope" in cls:
            continue  # Angular already rendered this copy
        inner = n.html or ""
        if "{{" in inner or "ms-attr" in inner or "ms-text" in inner or "v-bind" in inner or ":href" in inner \
                or "ng-bind" in inner or "ng-href" in inner or n.css_first("a") is not None:
            return True
    return False


def _item(r: Row, base: str | None) -> dict:
    url = fast_urljoin(base, r.url) if (base and r.url) else r.url
    date = r.date
    if inferred(date):  # MM-DD: the year is read from the link when its URL carries the same day (t20220512_)
        u = date_from_url(url)
        if u is not None and (u.month, u.day) == (date.month, date.day):
            date = u
    return {"title": r.title, "url": url, "date": iso(date),
            **({"date_source": r.date_source} if r.date_source == "url" else {}),
            **({"date_precision": "month_day"} if inferred(date) else {})}


_DATASTORE_MARKS = ("<datastore", "<recordset", "<record>")
_RECORD = re.compile(r"<record(?:\s[^>]*)?>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>", re.S | re.I)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_NEXTGROUP = re.compile(r"<nextgroup>.*?</nextgroup>", re.S | re.I)


def script_records(page: Page) -> list[str] | None:
    """HTML fragments a page holds as records inside a script element, which its scripts draw as the list
    (Hanweb / jpaas `<script type="text/xml"><datastore><recordset><record><![CDATA[<li>…</li>]]></record>`);
    None when the page holds no such store (an empty store gives [])."""
    found = None
    for s in page.scripts:
        if "<" not in s or not any(m in s for m in _DATASTORE_MARKS):
            continue
        body = _NEXTGROUP.sub("", s)  # the pager's template link, not a row
        recs = [a or b for a, b in _RECORD.findall(body)]
        if not recs:
            recs = _CDATA.findall(body)
        found = (found or []) + [r for r in recs if r.strip()]
    return found


def _record_items(records: list[str], page: Page, ref: dt.date | None) -> list[dict]:
    """The rows of a script-held record store, read as a list page of their own; each row says it was read
    from data the page loads (`source`)."""
    from .dom import parse_page

    if not records:
        return []
    frag = parse_page("<html><body><ul class=\"list\">" + "".join(records) + "</ul></body></html>", page.url)
    inner = extract_list(frag, ref)
    return [{**i, "source": "script"} for i in inner.items]


def extract_list(page: Page, ref: dt.date | None = None) -> ListResult:
    rows, link_groups = _collect(page, _LazyRef(page, ref))
    side, main, weak = _context_hints()
    groups: dict[tuple, list[Row]] = {}
    for r in rows:
        groups.setdefault(r.sig, []).append(r)
    res = ListResult()
    ctx_memo: dict = {}
    best, best_score = None, 0.0
    for sig, rs in groups.items():
        n = len(rs)
        dated = sum(1 for r in rs if r.date_source == "shown")
        avg_len = sum(len(r.title) for r in rs) / n
        if n >= 3 and dated >= n * 0.6:
            res.dated_groups += 1
        if dated < max(1, n * 0.5):
            continue  # main lists of columns show dates; menus and link walls do not
        if avg_len < 6:
            continue
        factor = _context_factor(rs[0].node, side, main, weak, ctx_memo)
        if factor < SIDE_CUTOFF:
            continue
        score = (dated * 3 + n) * min(avg_len, 30) / 10 * factor
        if score > best_score:
            best, best_score = rs, score
    res.groups = link_groups
    blocks: dict[int, int] = {}
    for r in rows:
        if r.date_source == "shown" and r.pid:
            blocks[r.pid] = blocks.get(r.pid, 0) + 1
    res.dated_blocks = sum(1 for v in blocks.values() if v >= 3)
    if best is not None:
        res.main_score = best_score
        base = page.url
        res.items = [_item(r, base) for r in best]
    records = script_records(page) if best is None else None
    if records is not None:
        res.script_data = True
        res.items = _record_items(records, page, ref)
    elif best is None and page.scripts:
        from .pagination import script_json_items

        rows = script_json_items(page.scripts, page.url)
        if rows:
            res.script_data = True
            res.items = [{**r, "source": "script"} for r in rows]
    res.dynamic = res.script_data or _dynamic(page)
    res.blank_marker = _blank_marker(page)
    pag = _pagination_rx()
    res.pagination = bool(pag.search(page.text)) or any(
        ("createPageHTML" in s or "recordCount" in s or "pageCount" in s) for s in page.scripts)
    return res
