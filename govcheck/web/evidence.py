"""Evidence viewer: the archived response a finding was judged on, verified and made harmless to show.

Archived pages are hostile input. What leaves here for a browser:
- the bytes read from the WARC record the finding cites, their SHA-256 recomputed and compared with the
  recorded one;
- for display, a *neutralised* copy: no script, frame, object, embed, base, link or meta refresh elements, no
  event-handler attributes, every link's and form's target removed (kept as data-govcheck-href to show), the
  finding's date / title / column name wrapped in <mark>;
- served by app.py from /replay/… with a Content-Security-Policy that forbids every script and every fetch
  (default-src 'none'; sandbox), inside an <iframe sandbox> on the console's page.
The exact archived bytes are only ever served as a download (Content-Disposition: attachment).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from govcheck.web.rounds import ConsoleError, NotFound, RoundHandle

REMOVE_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link", "portal",
               "template", "audio", "video", "source", "track"}
URL_ATTRS = {"href", "xlink:href", "{http://www.w3.org/1999/xlink}href", "action", "formaction", "ping",
             "background", "poster", "data", "codebase", "manifest", "lowsrc", "dynsrc", "longdesc", "cite"}
HL_STYLE = ("mark.govcheck-hl{background:#ffe066;color:#000;outline:3px solid #d6336c;outline-offset:1px}"
            ".govcheck-hl-link{outline:3px solid #d6336c!important;outline-offset:2px;background:#ffe3e3!important}"
            "mark.govcheck-hl-title{background:#a5d8ff}mark.govcheck-hl-column{background:#b2f2bb}"
            "[data-govcheck-href]{cursor:not-allowed}")
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass
class Record:
    url: str | None
    status: int | None
    fetched_at: str | None
    content_type: str
    recorded_sha256: str | None
    sha256: str
    payload: bytes
    warc: str
    offset: int | None
    record_id: str | None

    @property
    def verified(self) -> bool | None:
        return None if not self.recorded_sha256 else self.recorded_sha256 == self.sha256

    @property
    def is_html(self) -> bool:
        return self.content_type == "text/html"


@dataclass
class Highlights:
    date: str | None = None
    title: str | None = None
    column: str | None = None
    links: set[str] = field(default_factory=set)  # targets the finding is about (a broken link's URL)
    base: str | None = None  # the page's URL, to resolve its relative links
    found: dict[str, int] = field(default_factory=dict)


def inside(base: Path, p: str | Path) -> Path:
    """p resolved under base; anything that leaves base (.., absolute elsewhere, symlinks out) is refused."""
    base = base.resolve()
    path = Path(p)
    path = (path if path.is_absolute() else base / path).resolve()
    if path != base and base not in path.parents:
        raise ConsoleError("存档文件不在轮次目录内，拒绝读取")
    return path


def evidence_item(finding: dict[str, Any], index: int) -> dict[str, Any]:
    evs = finding.get("evidence") or []
    if not isinstance(evs, list) or not 0 <= index < len(evs) or not isinstance(evs[index], dict):
        raise NotFound("没有该证据")
    return evs[index]


def read_archived(h: RoundHandle, archive: dict[str, Any], ev: dict[str, Any]) -> Record:
    from govcheck.collect.query import read_record

    warc = archive.get("warc")
    offset = archive.get("offset")
    if not warc:
        raise NotFound("该证据没有存档副本")
    path = inside(h.dir, warc)
    if offset is None:
        offset = _offset_by_record_id(h, archive.get("record_id"))
    if offset is None or not path.exists():
        raise NotFound("存档记录不存在")
    try:
        headers, status, payload = read_record(path.parent, path.name, int(offset))
    except (OSError, ValueError, StopIteration) as e:
        raise ConsoleError(f"读取存档记录出错：{e}") from None
    return Record(url=headers.get("WARC-Target-URI") or ev.get("url"),
                  status=status if status is not None else ev.get("status"),
                  fetched_at=ev.get("fetched_at") or headers.get("WARC-Date"),
                  content_type=_content_type(payload),
                  recorded_sha256=archive.get("sha256") or None, sha256=hashlib.sha256(payload).hexdigest(),
                  payload=payload, warc=str(warc), offset=int(offset), record_id=archive.get("record_id"))


def _offset_by_record_id(h: RoundHandle, record_id: str | None) -> int | None:
    if not record_id:
        return None
    from govcheck.collect.store import crawl_fetch

    with h.engine.connect() as c:
        return c.execute(select(crawl_fetch.c.warc_offset).where(crawl_fetch.c.record_id == record_id)).scalar()


def _content_type(payload: bytes) -> str:
    """What the archived payload is, from its bytes (the index row's Content-Type may be missing or lie)."""
    for magic, t in IMAGE_TYPES.items():
        if payload.startswith(magic):
            return t
    if payload.startswith(b"%PDF"):
        return "application/pdf"
    head = payload[:4096].replace(b"\x00", b"").lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").lower()  # BOMs, UTF-16
    if head.startswith(b"<") or any(tag in head for tag in (b"<html", b"<!doctype", b"<body", b"<div", b"<meta")):
        return "text/html"
    return "application/octet-stream"


def previous_copy(prev: RoundHandle | None, url: str | None) -> dict[str, Any] | None:
    """The previous round's latest good fetch of the same URL (its crawl index row), if it has one."""
    if prev is None or not url:
        return None
    from govcheck.collect.store import crawl_fetch

    try:
        with prev.engine.connect() as c:
            r = c.execute(select(crawl_fetch).where(crawl_fetch.c.url == url, crawl_fetch.c.outcome == "ok",
                                                    crawl_fetch.c.warc.is_not(None))
                          .order_by(crawl_fetch.c.id.desc()).limit(1)).mappings().first()
    except Exception:  # noqa: BLE001 - a previous round without a crawl (e.g. transcribed)
        return None
    if r is None:
        return None
    return {"warc": r["warc"], "offset": r["warc_offset"], "record_id": r["record_id"], "sha256": r["sha256"],
            "fetched_at": r["fetched_at"].isoformat() if r["fetched_at"] else None, "status": r["status"],
            "url": r["url"]}


# ---------------------------------------------------------------------------------------------- neutralise
def _date_pattern(d: str) -> re.Pattern | None:
    try:
        x = date.fromisoformat(d[:10])
    except ValueError:
        return None
    y, m, dd = x.year, x.month, x.day
    return re.compile(rf"(?<!\d){y}\s*[-/.年]\s*0?{m}\s*[-/.月]\s*0?{dd}(?!\d)(\s*[日号])?")


def _short_date_pattern(d: str) -> re.Pattern | None:
    try:
        x = date.fromisoformat(d[:10])
    except ValueError:
        return None
    return re.compile(rf"(?<![\d\-/.]){x.month:02d}[-/.]{x.day:02d}(?![\d\-/.])")


def highlights_for(ev: dict[str, Any], finding: dict[str, Any] | None = None) -> Highlights:
    """What to mark on this evidence's page: its date, title and column name, and the elements linking to the
    finding's other evidence URLs (a broken link's target, cited beside the page that links to it)."""
    path = ev.get("path") or ""
    column = path.split(">")[-1].strip() if ">" in path else None
    others = {e.get("url") for e in (finding or {}).get("evidence") or [] if isinstance(e, dict) and e is not ev}
    others.discard(None)
    others.discard(ev.get("url"))
    return Highlights(date=ev.get("date"), title=(ev.get("title") or "").strip() or None, column=column or None,
                      links=others, base=ev.get("url"))


def _patterns(hl: Highlights) -> list[tuple[str, re.Pattern]]:
    pats: list[tuple[str, re.Pattern]] = []
    if hl.date and (p := _date_pattern(hl.date)):
        pats.append(("date", p))
    if hl.title:
        pats.append(("title", re.compile(re.escape(hl.title))))
    if hl.column:
        pats.append(("column", re.compile(re.escape(hl.column))))
    return pats


def neutralise(payload: bytes, content_type: str | None, hl: Highlights) -> str:
    """The archived page as harmless HTML (UTF-8), with the finding's date/title/column marked."""
    import lxml.etree as etree
    import lxml.html as lh

    from govcheck.extract.decode import decode_html

    text, _enc = decode_html(payload, content_type)
    try:
        doc = lh.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return _as_text(text)
    etree.strip_elements(doc, *REMOVE_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag == "meta":
            equiv = (el.get("http-equiv") or "").lower()
            if equiv in ("refresh", "set-cookie", "content-type", "x-dns-prefetch-control", "link") or el.get("charset"):
                el.drop_tree()
                continue
        for attr in list(el.attrib):
            a = attr.lower()
            if a.startswith("on") or a in ("srcdoc", "srcset", "imagesrcset", "integrity", "nonce"):
                del el.attrib[attr]
            elif a in URL_ATTRS:
                if hl.links and a in ("href", "src") and _resolve(hl.base, el.get(attr)) in hl.links:
                    _mark_element(el, hl)
                if tag in ("a", "area") and a in ("href", "xlink:href", "{http://www.w3.org/1999/xlink}href"):
                    el.set("data-govcheck-href", el.get(attr)[:2000])
                    el.set("title", "链接已停用：" + el.get(attr)[:500])
                del el.attrib[attr]
            elif a == "target":
                del el.attrib[attr]
            elif a == "src":  # images and the like cannot load anyway (CSP); not even a request is made
                if hl.links and _resolve(hl.base, el.get(attr)) in hl.links:
                    _mark_element(el, hl)
                el.set("data-govcheck-src", el.get(attr)[:2000])
                del el.attrib[attr]
        if tag == "form":
            el.set("data-govcheck-form", "disabled")
    found = _mark(doc, hl, start=hl.found.get("link", 0))
    found.update({k: v for k, v in hl.found.items() if k not in found})
    if not found and hl.date and (p := _short_date_pattern(hl.date)):
        found = _mark(doc, Highlights(), extra=[("date", p)])
    hl.found = found
    head = doc.find("head")
    if head is None:
        head = etree.Element("head")
        doc.insert(0, head)
    meta = etree.SubElement(head, "meta")
    meta.set("charset", "utf-8")
    head.remove(meta)
    head.insert(0, meta)
    style = etree.SubElement(head, "style")
    style.text = HL_STYLE
    return "<!DOCTYPE html>\n" + lh.tostring(doc, encoding="unicode", method="html")


def _as_text(text: str) -> str:
    from html import escape

    return f"<!DOCTYPE html><meta charset=utf-8><pre>{escape(text)}</pre>"


def _resolve(base: str | None, value: str | None) -> str | None:
    from urllib.parse import urljoin

    if not value:
        return None
    try:
        return urljoin(base or "", value.strip())
    except ValueError:
        return None


def _mark_element(el, hl: Highlights) -> None:
    """An element the finding is about (a link to the broken page): outlined, first in the scroll order."""
    n = hl.found.get("link", 0) + 1
    hl.found["link"] = n
    el.set("class", ((el.get("class") or "") + " govcheck-hl govcheck-hl-link").strip())
    el.set("id", f"govcheck-hl-{n}")


def _mark(doc, hl: Highlights, extra: list | None = None, start: int = 0) -> dict[str, int]:
    """Wrap each match of the highlight patterns in <mark id=govcheck-hl-N> (text nodes only)."""
    import lxml.etree as etree

    pats = _patterns(hl) + (extra or [])
    found: dict[str, int] = {}
    if not pats:
        return found
    body = doc.find("body")
    if body is None:
        return found
    counter = [start]
    skip = {"style", "title", "textarea", "mark", "option", "select"}

    def split(s: str) -> list[tuple[str, str | None]]:
        """s cut into (text, kind) runs, kind None for unmarked text."""
        spans: list[tuple[int, int, str]] = []
        for kind, p in pats:
            for m in p.finditer(s):
                if m.end() > m.start() and not any(a < m.end() and m.start() < b for a, b, _ in spans):
                    spans.append((m.start(), m.end(), kind))
        if not spans:
            return [(s, None)]
        spans.sort()
        out, pos = [], 0
        for a, b, kind in spans:
            if a > pos:
                out.append((s[pos:a], None))
            out.append((s[a:b], kind))
            pos = b
        if pos < len(s):
            out.append((s[pos:], None))
        return out

    def make_mark(txt: str, kind: str):
        counter[0] += 1
        found[kind] = found.get(kind, 0) + 1
        m = etree.Element("mark")
        m.set("class", f"govcheck-hl govcheck-hl-{kind}")
        m.set("id", f"govcheck-hl-{counter[0]}")
        m.text = txt
        return m

    def place(runs: list[tuple[str, str | None]], set_lead, parent, index: int) -> None:
        """The first unmarked run stays where it was; marks go in at parent[index…], text between as tails."""
        lead = runs[0][0] if runs[0][1] is None else ""
        set_lead(lead)
        last = None
        for txt, kind in runs[1 if runs[0][1] is None else 0:]:
            if kind is None:
                last.tail = (last.tail or "") + txt
                continue
            last = make_mark(txt, kind)
            parent.insert(index, last)
            index += 1

    for el in list(body.iter()):
        if not isinstance(el.tag, str) or el.tag.lower() in skip:
            continue
        if el.text:
            runs = split(el.text)
            if len(runs) > 1 or runs[0][1]:
                place(runs, lambda t, el=el: setattr(el, "text", t), el, 0)
        for child in list(el):
            if not child.tail or (isinstance(child.tag, str) and child.tag == "mark"
                                  and (child.get("class") or "").startswith("govcheck-hl")):
                continue
            runs = split(child.tail)
            if len(runs) > 1 or runs[0][1]:
                place(runs, lambda t, child=child: setattr(child, "tail", t), el, el.index(child) + 1)
    return found


def screenshot(h: RoundHandle, ev: dict[str, Any]) -> tuple[bytes, str, bool | None] | None:
    """(bytes, content type, SHA-256 matches) of the evidence's screenshot, read inside the round folder."""
    shot = ev.get("screenshot")
    if not shot:
        return None
    if isinstance(shot, str):
        shot = {"path": shot}
    path = inside(h.dir, shot.get("path") or "")
    if not path.is_file():
        raise NotFound("截图文件不存在")
    data = path.read_bytes()
    ctype = next((t for magic, t in IMAGE_TYPES.items() if data.startswith(magic)), None)
    if ctype is None:
        raise ConsoleError("截图不是 PNG/JPEG 图片")
    want = shot.get("sha256")
    return data, ctype, (None if not want else hashlib.sha256(data).hexdigest() == want)
