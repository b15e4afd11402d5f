"""Pieces of a SiteFacts from the extraction layer's output, one page at a time.

The crawler adapter (crawl index → SiteFacts) calls these with each page's `extract_page` dict and its
EvidenceRef; they only translate, so what the extraction layer reads is exactly what the checks judge.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from govcheck.extract.annual_report import report_sections, report_year
from govcheck.extract.consultation import extract_consultation
from govcheck.extract.dates import iso
from govcheck.extract.dom import clean, parse_page
from govcheck.extract.messages import extract_messages_text
from govcheck.extract.org import extract_leaders, extract_org_info

from .base import data
from .facts import (AnnualReport, ColumnFacts, Consultation, EvidenceRef, FooterFacts, HomeFacts, Interpretation,
                    Item, Leader, Message, OrgEntry, PageTags, Policy, to_date)

# OrgInfo attribute -> the official field name the rule set's required_fields use
ORG_FIELDS = {"functions": "机关职能", "structure": "机构设置", "address": "办公地址", "hours": "办公时间",
              "phone": "联系方式", "head": "负责人姓名"}


def _items(page: dict, ref: EvidenceRef | None) -> list[Item]:
    return [Item(title=i.get("title") or "", url=i.get("url"), date=i.get("date"), ref=ref,
                 date_precision=i.get("date_precision"), source="data" if i.get("source") else None)
            for i in page.get("items") or []]


def column_from_page(page: dict, path: str, kind: str, ref: EvidenceRef | None, *, url: str | None = None,
                     first_level: bool | None = None, sub_platform: str | None = None) -> ColumnFacts:
    """A column from its list page (extract_page dict); `path` and `kind` come from the column tree."""
    return ColumnFacts(
        path=path, name=path.split(">")[-1], kind=kind,
        first_level=path.count(">") == 1 if first_level is None else first_level,
        url=url or (ref.url if ref else None), items=_items(page, ref), blank=bool(page.get("blank")),
        dynamic=bool(page.get("dynamic_list")), ref=ref, sub_platform=sub_platform, role="list",
    )


def home_from_page(page: dict, ref: EvidenceRef) -> HomeFacts:
    return HomeFacts(url=ref.url, items=[i for i in _items(page, ref) if i.date], ref=ref)


def footer_from_page(page: dict, ref: EvidenceRef, is_home: bool = False) -> FooterFacts:
    f = page.get("footer") or {}
    return FooterFacts(url=ref.url, is_home=is_home, present=bool(f.get("present")), conac=f.get("conac"),
                       site_id_code=f.get("site_id_code"), icp=f.get("icp"), police_record=f.get("police_record"),
                       sponsor=f.get("sponsor"), contact=f.get("contact"),
                       error_report_entry=f.get("error_report_entry"), ref=ref)


def tags_from_page(page: dict, ref: EvidenceRef, site_name: str | None = None,
                   header_text: str | None = None) -> PageTags | None:
    """A content (article) or column (list) page's meta tags; other page kinds are not sampled."""
    ptype = {"article": "content", "list": "column"}.get(page.get("kind"))
    if ptype is None:
        return None
    meta = {k: str(v) for k, v in (page.get("meta") or {}).items() if isinstance(v, (str, int))}
    in_header = (site_name in header_text) if (site_name and header_text is not None) else None
    return PageTags(url=ref.url, page_type=ptype, meta=meta, site_name_in_header=in_header, ref=ref)


def org_from_page(text: str, unit: str, ref: EvidenceRef) -> OrgEntry:
    """The unit-level 机构职能 entry from a page's text."""
    info = extract_org_info(text)
    fields = {name: _as_text(getattr(info, attr)) for attr, name in ORG_FIELDS.items()}
    return OrgEntry(name=unit, level="unit", fields=fields, url=ref.url, ref=ref)


def _office_name(text: str) -> bool:
    cfg = data()["org_page"]
    t = text.strip()
    if not (cfg["min_len"] <= len(t) <= cfg["max_len"]) or re.search(cfg["not_office"], t):
        return False
    return t.endswith(tuple(cfg["office_suffixes"]))


@dataclass
class OrgPage:
    """What one page shows of 机构职能: the unit entry, one entry per 内设科室 heading, and whether the page
    holds any of it at all (a 机构概况 menu page of links holds nothing: its facts are on its sub-pages)."""

    entries: list[OrgEntry]
    holds: bool
    links: list[tuple[str, str]]  # (text, absolute URL) of the links in its content


def org_page(html: str | bytes, unit: str, ref: EvidenceRef) -> OrgPage:
    """Read 机构职能 off a page's content lines (header, navigation and footer left out, so a menu's 内设机构
    link or the footer's 地址/电话 is not a field). 科室 are headings (h2–h6, or a short bold line) ending like an
    office; each 科室's fields come from its own lines only, so a 科室 without 负责人 is not given the next
    one's. Pages listing 科室 in a table or in running text give the unit entry only."""
    from govcheck.extract.blocks import content_lines
    from govcheck.extract.dom import fast_urljoin
    from govcheck.extract.org import extract_leaders

    page = parse_page(html, ref.url)
    lines = content_lines(page)
    text_lines = [ln for ln in lines if not ln.link_only]
    heads = [i for i, ln in enumerate(text_lines)
             if ln.heading and (not ln.cell or ln.tag == "dt") and _office_name(ln.text)]
    table_offices, cells = ([], set()) if heads else _table_offices(page, ref)
    if cells:  # the 科室 table's cells are the 科室' fields, not the unit's (its 办公时间 header is no value)
        text_lines = [ln for ln in text_lines if ln.block not in cells]
    before = "\n".join(ln.text for ln in (text_lines[: heads[0]] if heads else text_lines))
    info = extract_org_info(before)
    if info.head is None:  # leaders listed as links (金永辉 厅长 → his page) still name the head
        leaders = extract_leaders("\n".join(ln.text for ln in lines))
        info.head = leaders[0].name if leaders else None
    fields = {name: _as_text(getattr(info, attr)) for attr, name in ORG_FIELDS.items()}
    if heads:
        fields["机构设置"] = "、".join(text_lines[i].text for i in heads)
    if table_offices and not fields.get("机构设置"):
        fields["机构设置"] = "、".join(e.name for e in table_offices)
    unit_entry = OrgEntry(name=unit, level="unit", fields=fields, url=ref.url, ref=ref)
    out = [unit_entry] + table_offices
    for n, i in enumerate(heads):
        stop = heads[n + 1] if n + 1 < len(heads) else len(text_lines)
        sec = extract_org_info("\n".join(ln.text for ln in text_lines[i + 1: stop]))
        f = {name: _as_text(getattr(sec, attr)) for attr, name in ORG_FIELDS.items() if attr != "structure"}
        out.append(OrgEntry(name=text_lines[i].text, level="office", fields=f, url=ref.url, ref=ref))
    links = [(t, fast_urljoin(ref.url, h)) for ln in lines for t, h in ln.links
             if h and not h.startswith(("javascript:", "#", "mailto:"))]
    holds = bool(heads) or bool(table_offices) or any(getattr(info, attr) for attr in ORG_FIELDS)
    return OrgPage(out, holds, links)


def _table_offices(page, ref: EvidenceRef) -> tuple[list[OrgEntry], set[int]]:
    """科室 listed as the rows of a table whose header names them (科室 / 处室 / 内设机构 …) and their fields
    (负责人, 职责, 办公时间, 电话 …): one entry per row, its fields read from its own cells under their headers;
    and the ids of those tables' cells."""
    from govcheck.extract.blocks import _dropped

    cfg = data()["org_page"]
    out: list[OrgEntry] = []
    cells: set[int] = set()
    for table in page.tree.css("table"):
        node, skip = table, False
        while node is not None and node.tag not in ("body", "html"):
            if _dropped(node):
                skip = True
                break
            node = node.parent
        if skip:
            continue
        rows = [[clean(c.text(separator=" ")) for c in tr.css("th, td")] for tr in table.css("tr")]
        rows = [r for r in rows if any(r)]
        if len(rows) < 2:
            continue
        head = rows[0]
        name_col = next((i for i, h in enumerate(head) if any(w in h for w in cfg["table_name_headers"])), None)
        if name_col is None or not any(i != name_col and h for i, h in enumerate(head)):
            continue
        found = False
        for r in rows[1:]:
            if len(r) != len(head) or not _office_name(r[name_col]):
                continue
            found = True
            text = "\n".join(f"{h}：{v}" for i, (h, v) in enumerate(zip(head, r)) if i != name_col and h and v)
            sec = extract_org_info(text)
            f = {name: _as_text(getattr(sec, attr)) for attr, name in ORG_FIELDS.items() if attr != "structure"}
            out.append(OrgEntry(name=r[name_col], level="office", fields=f, url=ref.url, ref=ref))
        if found:
            cells.update(c.mem_id for c in table.css("th, td"))
    return out, cells


def org_entries_from_html(html: str | bytes, unit: str, ref: EvidenceRef) -> list[OrgEntry]:
    """The unit entry and one entry per 内设科室 of a 机构职能 page (see org_page)."""
    return org_page(html, unit, ref).entries


def _as_text(v) -> str | None:
    if isinstance(v, list):
        return "、".join(v) or None
    return v or None


def leader_resume(page, name: str) -> str | None:
    """A leader's 简历 on the leader's own page: a labelled 简历 / 个人简介, else the page's running text when
    it reads as a biography (出生, 籍贯, 学历, 参加工作 …; labels.yaml leader_bio)."""
    from govcheck.extract.blocks import content_lines
    from govcheck.extract.dom import labels

    cfg = labels("leader_bio")
    text = "\n".join(ln.text for ln in content_lines(page) if not ln.link_only)
    for ld in extract_leaders(text):
        if ld.name == name and ld.resume:
            return ld.resume
    i = text.find(name)
    body = text[i:] if i >= 0 else text
    hits = [w for w in cfg["words"] if w in body]
    if len(hits) >= int(cfg["min"]) and len(body) >= int(cfg["min_chars"]):
        return body[: int(cfg["max_chars"])]
    return None


def leaders_from_page(text: str, ref: EvidenceRef) -> list[Leader]:
    return [Leader(name=ld.name, position=ld.position, resume=ld.resume, url=ref.url, ref=ref)
            for ld in extract_leaders(text)]


def consultation_from_page(page: dict, text: str, ref: EvidenceRef) -> Consultation:
    pub = to_date(page.get("publish_date"))
    p = extract_consultation(text, pub)
    return Consultation(title=page.get("title") or "", url=ref.url, published=iso(pub), start=iso(p.start),
                        end=iso(p.end), period_text=p.evidence, ref=ref, dates_inferred=list(p.inferred))


def messages_from_page(page, ref: EvidenceRef, at: dt.date | None = None) -> list[Message]:
    """Messages of a parsed page, read from its structure (extract.messages); text is read as label/value text.
    `at` gives MM-DD dates a year (the fields so read are listed in dates_inferred)."""
    from govcheck.extract.messages import extract_messages

    ms = extract_messages(page, at) if not isinstance(page, str) else extract_messages_text(page)
    return [Message(title=m.title, url=ref.url, asked=iso(m.asked), answered=iso(m.answered), unit=m.unit,
                    answer=m.answer, ref=ref, dates_inferred=list(m.dates_inferred)) for m in ms]


def annual_report_from_page(page: dict, text: str, ref: EvidenceRef, section: str = "五") -> AnnualReport | None:
    """A 年报 page; `section` is the rule's section param (X03.2)."""
    title = page.get("title") or ""
    year = report_year(title)
    if year is None:
        return None
    body = next((s["text"] for s in report_sections(text) if s["no"] == section), None)
    return AnnualReport(year=year, title=title, url=ref.url, published=page.get("publish_date"), section5=body, ref=ref)


def ref_for(url: str, fetched_at: dt.datetime | str | None = None, **kw) -> EvidenceRef:
    """An EvidenceRef from crawl-index values (status, sha256, warc, record_id, offset). The crawl index keeps
    UTC without an offset (collect.archive.utcnow); evidence says so, like every other time a round records."""
    if isinstance(fetched_at, dt.datetime):
        if fetched_at.tzinfo is None:
            fetched_at = fetched_at.replace(tzinfo=dt.timezone.utc)
        fetched_at = fetched_at.isoformat()
    return EvidenceRef(url=url, fetched_at=fetched_at, **kw)


_QUOTED = re.compile(r"《([^》]{2,120})》")


def _doc_name(title: str) -> str | None:
    m = _QUOTED.search(title or "")
    return m.group(1).strip() if m else None


def attach_feedback(consultations: list[Consultation], feedback: list[Item]) -> None:
    """Give each consultation the earliest feedback page (反馈/采纳情况, see extract.consultation.is_feedback)
    that names the same 《document》 and is dated on or after its publication; leaves others untouched."""
    by_doc: dict[str, list[Item]] = {}
    for fb in feedback:
        name = _doc_name(fb.title)
        if name:
            by_doc.setdefault(name, []).append(fb)
    for c in consultations:
        if c.feedback_url or c.feedback_date:
            continue
        name = _doc_name(c.title)
        pub = to_date(c.published)
        cands = [f for f in by_doc.get(name or "", []) if f.date and (pub is None or to_date(f.date) >= pub)]
        if cands:
            fb = min(cands, key=lambda f: f.date)
            c.feedback_url, c.feedback_date, c.feedback_ref = fb.url, fb.date, fb.ref


def inherit_kinds(columns: list[ColumnFacts]) -> None:
    """A column whose name says nothing takes the kind of its nearest ancestor whose kind the site names
    (首页>…>政府文件>经济 is a 政策文件 column), and any column under a named 专题专栏 column is a topic
    (column_kinds.yaml `absorbing`): kind source `parent`, so a window rule judges it only through that
    ancestor, never on its own."""
    from govcheck.extract.columns import absorbing_kinds

    from .facts import NAMED_SOURCES

    named = {c.path: c.kind for c in columns if c.kind != "other" and c.kind_source in NAMED_SOURCES}
    absorbing = set(absorbing_kinds())
    for c in columns:
        parts = c.path.split(">")
        ancestors = [">".join(parts[:i]) for i in range(len(parts) - 1, 1, -1)]
        topic = next((a for a in ancestors if named.get(a) in absorbing), None)
        if topic is not None:  # a topic's sub-column is a topic (专题专栏>安全生产月)
            c.kind, c.kind_source, c.kind_from = named[topic], "parent", topic
            continue
        if c.kind != "other":
            continue
        for anc in ancestors:
            k = named.get(anc)
            if k:
                c.kind, c.kind_source, c.kind_from = k, "parent", anc
                break


def page_links(html: str | bytes, url: str) -> set[str]:
    """Absolute URLs of a page's links (fragments dropped), for pairing policies with interpretations."""
    from govcheck.extract.dom import fast_urljoin

    page = parse_page(html, url)
    out = set()
    for a in page.tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if href and not href.startswith(("javascript:", "#", "mailto:")):
            out.add(fast_urljoin(url, href).split("#")[0])
    return out


def link_documents(policies: list[Policy], interpretations: list[Interpretation],
                   links: dict[str, set[str]]) -> None:
    """Fill Policy.interpretation_urls and Interpretation.policy_urls from each page's links (`links`: page
    URL → URLs it links to): a link counts when it points at a known document of the other kind."""
    pol = {p.url for p in policies}
    itp = {i.url for i in interpretations}
    for p in policies:
        p.interpretation_urls = sorted(links.get(p.url, set()) & itp)
    for i in interpretations:
        i.policy_urls = sorted(links.get(i.url, set()) & pol)
