"""A page's content as lines of blocks, and labelled fields read in label position only.

Field readers (机构职能, 留言) used to search the whole page text for labels. Navigation text ("机构职能 内设机构
领导信息"), the footer's own 地址/电话 and an article's meta line then read as fields. Here a page becomes the lines
a reader sees — one per block (p, div, li, a table cell, a heading, a <br>-separated line) — with link text
marked, the page's header, navigation and footer left out; a label counts only at the start of a line or of a
"label：" segment, and its value is the rest of that line or, for a label standing alone (a table's header cell,
a heading), the lines under it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dom import Page, attr_blob, clean, words

_BLOCK = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "tbody", "thead", "tr", "td", "th", "h1", "h2", "h3",
          "h4", "h5", "h6", "section", "article", "main", "form", "blockquote", "pre", "center", "fieldset", "address",
          "caption", "figure", "figcaption"}
_SKIP = {"header", "footer", "nav", "aside", "script", "style", "noscript", "template", "select", "option", "button",
         "iframe", "object", "svg"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "th", "dt", "caption"}
_CELLS = {"td", "th", "dt", "dd"}
_TOKEN = re.compile(r"[\s_\-]+")
_WORD = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")  # the characters that make words (not separators)


@dataclass
class Line:
    text: str
    tag: str  # the block element the line belongs to
    heading: bool = False  # a heading, a header cell, a <dt>, or a line that is all bold
    cell: bool = False  # a table cell or a definition-list part
    link_chars: int = 0  # characters of link text in the line
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, href) of its links
    block: int = 0  # id of the block element (lines of one <tr>/<li> share their row's id via `row`)
    row: int = 0  # id of the enclosing tr / li / dl (a table row, a list item), 0: none

    @property
    def link_only(self) -> bool:
        """All its words are link text (separators such as | or · between links do not count)."""
        return self.link_chars >= len(_WORD.findall(self.text)) > 0


def _dropped(node) -> bool:
    """Header, navigation, footer, breadcrumb and side-menu boxes (by tag or by class/id words)."""
    if node.tag in _SKIP:
        return True
    blob = attr_blob(node)
    if not blob.strip():
        return False
    toks = [t for t in _TOKEN.split(blob) if t]
    hints = _region_hints()
    return any(t.startswith(hints) for t in toks)


def _region_hints() -> tuple[str, ...]:
    return tuple(h.lower() for h in words("content_drop_hints"))


def content_lines(page: Page, keep_footer: bool = False) -> list[Line]:
    """The page's lines in reading order, without header/nav/footer boxes (and, unless `keep_footer`, without
    the footer found by its hallmarks: 版权所有, ICP备, 网站标识码 …)."""
    body = page.tree.body
    if body is None:
        return []
    lines: list[Line] = []
    cur: list[str] = []
    cur_links: list[tuple[str, str]] = []
    state = {"link": 0, "bold": True, "tag": "div", "block": 0, "row": 0}

    def flush() -> None:
        text = clean("".join(cur))
        if text:
            tag = state["tag"]
            lines.append(Line(text=text, tag=tag, heading=tag in _HEADINGS or (state["bold"] and len(text) <= 30),
                              cell=tag in _CELLS, link_chars=state["link"], links=list(cur_links),
                              block=state["block"], row=state["row"]))
        cur.clear()
        cur_links.clear()
        state["link"] = 0
        state["bold"] = True

    def walk(node, in_link: bool, bold: bool, block_tag: str, block_id: int, row_id: int) -> None:
        child = node.child
        while child is not None:
            tag = child.tag
            if tag == "-text":
                t = child.text_content or ""
                if t.strip():
                    if not cur or state["block"] != block_id:
                        if cur:
                            flush()
                        state["tag"], state["block"], state["row"] = block_tag, block_id, row_id
                    cur.append(t if not cur else " " + t)  # inline elements read apart, as page.text does
                    if in_link:
                        state["link"] += len(_WORD.findall(t))
                    if not bold:
                        state["bold"] = False
            elif tag == "br":
                flush()
            elif tag and not tag.startswith("-") and not _dropped(child):
                if tag in _BLOCK:
                    flush()
                    rid = child.mem_id if tag in ("tr", "li", "dl") else row_id
                    walk(child, in_link, bold or tag in _HEADINGS, tag, child.mem_id, rid)
                    flush()
                else:
                    link = in_link or tag == "a"
                    if tag == "a":
                        text = clean(child.text(separator=" "))
                        if text:
                            cur_links.append((text, child.attributes.get("href") or ""))
                    walk(child, link, bold or tag in ("b", "strong"), block_tag, block_id, row_id)
            child = child.next

    walk(body, False, False, "div", body.mem_id, 0)
    flush()
    return lines if keep_footer else _without_footer(lines)


_HALLMARK = re.compile(r"版权所有|ICP\s*备|网站标识码|公网安备|主办单位|技术支持|Copyright|©", re.I)


def _without_footer(lines: list[Line]) -> list[Line]:
    """Drop the footer: from the first hallmark line in the page's last third (and the contact lines just
    before it that belong to the same footer: 地址/电话/邮编/联系我们 without a label of the content)."""
    if not lines:
        return lines
    start = len(lines) * 2 // 3
    cut = next((i for i in range(start, len(lines)) if _HALLMARK.search(lines[i].text)), None)
    if cut is None:
        return lines
    i = cut
    while i > 0 and i > cut - 4 and len(lines[i - 1].text) <= 80 and \
            re.search(r"地址|电话|邮编|邮政编码|传真|联系我们|主办|承办", lines[i - 1].text):
        i -= 1
    return lines[:i]


def content_text(page: Page) -> str:
    """The content lines without link-only lines, one per line (for readers that work on text)."""
    return "\n".join(ln.text for ln in content_lines(page) if not ln.link_only)


@dataclass
class Field:
    name: str
    label: str
    value: str
    line: int  # index of the line the label is on
    end: int = -1  # index of the last line its value was read from (the label's own line when on it)


def read_fields(lines: list[Line], rx: dict[str, tuple[str, str]], max_follow: int = 3) -> list[Field]:
    """Labelled fields of `lines`. `rx`: field → (labels that may stand without a colon, labels that need one),
    each a regex alternation. A label counts at a line's start or after a separator inside it ("地址：…  电话：…");
    a label standing alone takes the next lines up to the next label or heading (at most `max_follow`)."""
    free = "|".join(f"(?P<{k}>{v[0]})" for k, v in rx.items() if v[0])
    colon = "|".join(f"(?P<{k}_c>{v[1]})" for k, v in rx.items() if v[1])
    parts = []
    if free:
        parts.append(f"(?:{free})\\s*[:：]?")
    if colon:
        parts.append(f"(?:{colon})\\s*[:：]")
    label = re.compile(r"(?:^|(?<=[\s|｜，,；;。]))[【\[]?(?:" + "|".join(parts) + r")[】\]]?\s*")
    start_only = re.compile(r"^[\s·•●◆■□▪\-—>]*(?:[一二三四五六七八九十]+[、.．]|\d+[、.．])?\s*")

    alone = re.compile(r"^[【\[]?(?:" + "|".join(f"(?P<{k}>{v[1]})" for k, v in rx.items() if v[1]) +
                       r")[】\]]?\s*[:：]?$") if colon else None

    def hits(text: str) -> list[tuple[str, str, int, int]]:
        out = []
        lead = start_only.match(text)
        pos = lead.end() if lead else 0
        m = alone.match(text, pos) if alone is not None else None
        if m:  # a short label standing alone on its line (a 回复 heading): the lines under it are its value
            name = next(k for k, v in m.groupdict().items() if v)
            return [(name, m.group(0), m.start(), m.end())]
        for m in label.finditer(text, pos):
            name = next(k.removesuffix("_c") for k, v in m.groupdict().items() if v)
            if m.start() != pos and not re.search(r"[:：]\s*$", text[m.start():m.end()]):
                continue  # inside a line, only "label：" starts a field (running text names things)
            out.append((name, m.group(0), m.start(), m.end()))
        return out

    out: list[Field] = []
    label_lines = {}
    for i, ln in enumerate(lines):
        if ln.link_only:
            continue
        h = hits(ln.text)
        if h:
            label_lines[i] = h
    for i, h in label_lines.items():
        text = lines[i].text
        for j, (name, lab, s, e) in enumerate(h):
            stop = h[j + 1][2] if j + 1 < len(h) else len(text)
            val = text[e:stop].strip(" ：:|｜")
            end = i
            if not val and j + 1 == len(h):
                follow = []
                for k in range(i + 1, min(len(lines), i + 1 + max_follow)):
                    nxt = lines[k]
                    if k in label_lines or nxt.heading and not nxt.cell or nxt.link_only:
                        break
                    follow.append(nxt.text)
                    end = k
                    if nxt.cell:
                        break  # a table row's value cell
                val = " ".join(follow)
            out.append(Field(name, clean(lab).strip(" ：:【】[]"), val, i, end))
    return out
