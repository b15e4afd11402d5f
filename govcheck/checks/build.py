"""Pieces of a SiteFacts from the extraction layer's output, one page at a time.

The crawler adapter (crawl index → SiteFacts) calls these with each page's `extract_page` dict and its
EvidenceRef; they only translate, so what the extraction layer reads is exactly what the checks judge.
"""
from __future__ import annotations

import datetime as dt
import re

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
    return [Item(title=i.get("title") or "", url=i.get("url"), date=i.get("date"), ref=ref)
            for i in page.get("items") or []]


def column_from_page(page: dict, path: str, kind: str, ref: EvidenceRef | None, *, url: str | None = None,
                     first_level: bool | None = None, sub_platform: str | None = None) -> ColumnFacts:
    """A column from its list page (extract_page dict); `path` and `kind` come from the column tree."""
    return ColumnFacts(
        path=path, name=path.split(">")[-1], kind=kind,
        first_level=path.count(">") == 1 if first_level is None else first_level,
        url=url or (ref.url if ref else None), items=_items(page, ref), blank=bool(page.get("blank")),
        dynamic=bool(page.get("dynamic_list")), ref=ref, sub_platform=sub_platform,
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
    """The unit-level 机构职能 entry. (Per-科室 entries need the extraction layer to split sections.)"""
    info = extract_org_info(text)
    fields = {name: _as_text(getattr(info, attr)) for attr, name in ORG_FIELDS.items()}
    return OrgEntry(name=unit, level="unit", fields=fields, url=ref.url, ref=ref)


_HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def _office_name(text: str) -> bool:
    cfg = data()["org_page"]
    t = text.strip()
    if not (cfg["min_len"] <= len(t) <= cfg["max_len"]) or re.search(cfg["not_office"], t):
        return False
    return t.endswith(tuple(cfg["office_suffixes"]))


def _section_text(h) -> str:
    """Text after a heading up to the next heading of the same or a higher level."""
    level = int(h.tag[1])
    parts = []
    node = h.next
    while node is not None:
        if node.tag in _HEADINGS and int(node.tag[1]) <= level:
            break
        if node.tag != "-text" or node.text_content:
            parts.append(node.text(separator=" ") if node.tag != "-text" else node.text_content)
        node = node.next
    return clean(" ".join(p for p in parts if p))


def org_entries_from_html(html: str | bytes, unit: str, ref: EvidenceRef) -> list[OrgEntry]:
    """The unit entry and one entry per 内设科室 of a 机构职能 page whose 科室 are headings (h2–h6).

    Each 科室's fields are read from its own section only, so a 科室 without 负责人 is not given the
    next one's. Pages listing 科室 in a table or in running text give the unit entry only."""
    page = parse_page(html, ref.url)
    heads = [h for h in page.tree.css(",".join(_HEADINGS)) if _office_name(clean(h.text()))]
    unit_entry = org_from_page(page.text, unit, ref)
    if not heads:
        return [unit_entry]
    first = page.text.find(clean(heads[0].text()))
    before = extract_org_info(page.text[:first]) if first > 0 else None
    unit_entry.fields["机构设置"] = "、".join(clean(h.text()) for h in heads)
    for attr, name in ORG_FIELDS.items():
        if attr not in ("functions", "structure"):
            unit_entry.fields[name] = _as_text(getattr(before, attr)) if before else None
    if before is not None and before.functions:
        unit_entry.fields["机关职能"] = before.functions
    out = [unit_entry]
    for h in heads:
        info = extract_org_info(_section_text(h))
        fields = {name: _as_text(getattr(info, attr)) for attr, name in ORG_FIELDS.items() if attr != "structure"}
        out.append(OrgEntry(name=clean(h.text()), level="office", fields=fields, url=ref.url, ref=ref))
    return out


def _as_text(v) -> str | None:
    if isinstance(v, list):
        return "、".join(v) or None
    return v or None


def leaders_from_page(text: str, ref: EvidenceRef) -> list[Leader]:
    return [Leader(name=ld.name, position=ld.position, resume=ld.resume, url=ref.url, ref=ref)
            for ld in extract_leaders(text)]


def consultation_from_page(page: dict, text: str, ref: EvidenceRef) -> Consultation:
    pub = to_date(page.get("publish_date"))
    p = extract_consultation(text, pub)
    return Consultation(title=page.get("title") or "", url=ref.url, published=iso(pub), start=iso(p.start),
                        end=iso(p.end), period_text=p.evidence, ref=ref)


def messages_from_page(text: str, ref: EvidenceRef) -> list[Message]:
    return [Message(title=m.title, url=ref.url, asked=iso(m.asked), answered=iso(m.answered), unit=m.unit,
                    answer=m.answer, ref=ref) for m in extract_messages_text(text)]


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


def inherit_kinds(columns: list[ColumnFacts], other: str = "other") -> None:
    """A column the classifier left as `other` takes the kind of its nearest classified ancestor
    (首页>…>政府文件>经济 is a 政策文件 column), so it is judged by that kind's cycle."""
    kinds = {c.path: c.kind for c in columns if c.kind != other}
    for c in columns:
        if c.kind != other:
            continue
        parts = c.path.split(">")
        for i in range(len(parts) - 1, 1, -1):
            k = kinds.get(">".join(parts[:i]))
            if k:
                c.kind = k
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
