"""The 当前位置 trail: the column path a notice prints as 首页>…>栏目."""
from __future__ import annotations

import functools
import re

from .dom import Page, attr_blob, clean, minimal_needles, words

_SEP = re.compile(r"\s*(?:>>|->|&gt;|[>»＞→›〉/]|\\)\s*")
_HOME = {"首页", "网站首页", "主页", "首 页", "home", "Home", "HOME", "门户首页", "返回首页"}
_MAX_LEN = 300
_PAGER = ("上一页", "下一页", "尾页", "末页", "页次", "上页", "下页")
_JUNK = re.compile(r"字号|字体|打印|分享|关闭|收藏|[|｜:：【】\[\]]|\s{2,}")


@functools.lru_cache(maxsize=None)
def _class_hints() -> tuple[str, ...]:
    return tuple(h.lower() for h in words("breadcrumb_class_hints"))


def _clean_tail(extra: str) -> list[str]:
    """The part of a trailing crumb before any tool-bar text."""
    m = _JUNK.search(extra)
    head = extra[: m.start()].strip() if m else extra
    return [head] if head and len(head) <= 30 else []


@functools.lru_cache(maxsize=None)
def _marker_re() -> re.Pattern:
    marks = sorted(words("breadcrumb_markers"), key=len, reverse=True)
    return re.compile(r"^.*?(?:" + "|".join(map(re.escape, marks)) + r")\s*[:：]?\s*")


def _crumbs_from(node, marker: re.Pattern) -> list[str]:
    text = clean(node.text(separator=" "))
    if not text or len(text) > _MAX_LEN:
        return []
    text = marker.sub("", text, count=1)
    links = [clean(a.text()) for a in node.css("a")]
    links = [t for t in links if t and not _JUNK.search(t)]
    if len(links) >= 2:
        # The links are the trail; a plain-text crumb may follow the last one after a separator.
        pos = text.rfind(links[-1])
        tail = text[pos + len(links[-1]):] if pos >= 0 else ""
        m = _SEP.match(tail)
        if m:
            nxt = _SEP.split(tail[m.end():], maxsplit=1)[0]
            links += _clean_tail(clean(nxt))
        return links
    parts = [clean(p) for p in _SEP.split(text)]
    parts = [p for p in parts if p]
    if parts:
        parts = parts[:-1] + (_clean_tail(parts[-1]) if _JUNK.search(parts[-1]) else parts[-1:])
    return parts


def _tidy(parts: list[str]) -> list[str]:
    tail = set(words("breadcrumb_drop_tail"))
    parts = [p.strip(" :：") for p in parts]
    parts = [p for p in parts if p]
    while parts and parts[-1] in tail:
        parts.pop()
    return parts


def _class_hit(node, hints: list[str]) -> bool:
    blob = attr_blob(node)
    if not blob.strip():
        return False
    tokens = re.split(r"[\s_\-]+", blob)
    for h in hints:
        if h in tokens or (len(h) >= 5 and h in blob):
            return True
    aria = (node.attributes.get("aria-label") or "") + (node.attributes.get("des") or "")
    return "路径" in aria or "位置" in aria


def extract_breadcrumb(page: Page) -> list[str]:
    """The column trail; [] when the page has none."""
    body = page.tree.body
    if body is None:
        return []
    marker = _marker_re()
    marks = words("breadcrumb_markers")
    hints = _class_hints()
    # elements whose own text carries a marker ("当前位置："), in page order
    markers = []
    live_marks = [m for m in marks if m in page.text]
    if live_marks:
        sel_m = ", ".join(f'*:lexbor-contains("{m}")' for m in minimal_needles(live_marks))
        ids: set[int] = set()
        for node in body.css(sel_m):
            if node.mem_id not in ids and node.tag not in ("body", "html"):
                ids.add(node.mem_id)
                markers.append(node)
    # Shortcut: class/id-hinted candidates score below marker ones, so when the marker elements alone give a
    # trail from 首页 and none of them would have been taken as a hinted candidate first, that trail is the
    # answer and the hint search (a source scan per hint word) is not needed.
    if markers and not any(_hinted(n, hints) for n in markers):
        best, best_key = _best(((3, n) for n in markers), marker)
        if best and best_key[0]:
            return best
    candidates = []
    seen: set[int] = set()
    # class/id hints: substring CSS selectors run in C, the token check below keeps only real hits
    live = page.present(hints)
    sel = ", ".join(f'[class*="{h}" i], [id*="{h}" i]' for h in minimal_needles(live))
    for node in (body.css(sel) if sel else []):
        if node.mem_id not in seen and _class_hit(node, hints):
            seen.add(node.mem_id)
            candidates.append((2, node))
    for node in (body.css("[aria-label], [des]") if page.present(("aria-label", " des=")) else []):
        if node.mem_id not in seen and _class_hit(node, []):
            seen.add(node.mem_id)
            candidates.append((2, node))
    for node in markers:
        if node.mem_id not in seen:
            seen.add(node.mem_id)
            candidates.append((3, node))
        else:  # hinted and showing the marker (td class="position" 您现在的位置：…): a marker candidate
            candidates = [((3, n) if n.mem_id == node.mem_id else (sc, n)) for sc, n in candidates]
    candidates = [(sc, n) for sc, n in candidates if 0 < len(clean(n.text(separator=" "))) <= _MAX_LEN
                  or sc == 3]
    best, _key = _best(candidates, marker)
    if best:
        return best
    return _structural(page)


def _hinted(node, hints) -> bool:
    """Would `node` be taken as a class/id-hinted (or aria/des) candidate? (Then the shortcut is not exact.)"""
    a = node.attributes
    blob = f"{a.get('class') or ''} {a.get('id') or ''}".lower()
    if any(h in blob for h in hints) and _class_hit(node, hints):
        return True
    return ("aria-label" in a or "des" in a) and _class_hit(node, [])


def _best(candidates, marker: re.Pattern) -> tuple[list[str], tuple | None]:
    """The best trail among (score, node) candidates: from 首页 first, then score, then the shortest."""
    best: list[str] = []
    best_key = None
    for score, node in candidates:
        parts = _tidy(_crumbs_from(node, marker))
        if len(parts) < 2:
            # a marker text node may sit in a child; the trail is then its parent's
            p = node.parent
            if p is not None and p.tag not in ("body", "html"):
                parts = _tidy(_crumbs_from(p, marker))
        if len(parts) < 2 or len(parts) > 12 or any(len(x) > 60 for x in parts):
            continue
        homeish = parts[0] in _HOME or parts[0].endswith("首页")
        if not homeish and score < 3:
            continue  # a class hint alone ("location") is not enough without a 首页 start
        key = (homeish, score, -len(" ".join(parts)))
        if best_key is None or key > best_key:
            best_key, best = key, parts
    return best, best_key


def _structural(page: Page) -> list[str]:
    """No marker or hint: a short run of links starting at 首页 and joined by '>'-like separators."""
    for a in page.tree.css("a"):
        if clean(a.text()) not in _HOME:
            continue
        node = a.parent
        for _ in range(3):
            if node is None or node.tag in ("body", "html"):
                break
            text = clean(node.text(separator=" "))
            if len(text) <= _MAX_LEN and _SEP.search(text):
                parts = _tidy(_crumbs_from(node, _marker_re()))
                if len(parts) >= 2 and parts[0] in _HOME and all(len(x) <= 60 for x in parts) \
                        and not any(w in x for x in parts for w in _PAGER):
                    return parts  # (a pager 首页 上一页 下一页 尾页 is not a trail)
            node = node.parent
    return []
