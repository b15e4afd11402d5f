"""The machine-checkable part of every rule's evidence standard, enforced in one place.

`run_checks` hands every finding a check emits to `shortfall()` before keeping it. Each requirement named in the
rule's registry entry (registry.yaml `requires`) looks only at the finding's evidence and at the SiteFacts objects
that evidence cites — a column by its path, anything else by its URL — and at the certainty fields extraction
writes on them (ColumnFacts.kind_source / list_source, Item.date_precision, <dated fact>.dates_inferred,
EvidenceRef.page_role; agreed in /work/team/registry-precision.md). A finding short of a requirement becomes a
需人工核查 item with the reason (`held`), never a deduction. A certainty field left None counts as stated (facts
written by hand); the crawler's adapter always states it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Callable

from govcheck.model import Finding
from govcheck.rules import RuleSet

from .base import ManualItem, data, descendants
from .facts import ColumnFacts, HomeFacts, SiteFacts

GUESSED_KIND = {"titles"}  # kind_source values that are not good enough for a rule that needs a named kind
INHERITED_KIND = {"parent"}  # … nor for a rule whose window judges the column on its own (kind_own)
UNREAD_LIST = {"unread"}
FULL_DATE = {None, "day"}
CONTENT_ROLES = {None, "content"}  # page roles a fact may be judged on (D02.2, D03.2)
NOT_BLANKABLE = {"menu", "unclear"}  # page roles a column cannot be judged blank on


@dataclass
class Cited:
    """What a site's facts hold, indexed for the requirements (built once per site, on first use)."""

    facts: SiteFacts
    columns: dict[str, ColumnFacts] = field(default_factory=dict)
    by_url: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, facts: SiteFacts) -> "Cited":
        c = cls(facts, {col.path: col for col in facts.columns})
        for obj in _walk(facts):
            url = getattr(obj, "url", None)
            if isinstance(url, str) and url and not isinstance(obj, SiteFacts):
                c.by_url.setdefault(url, []).append(obj)
        return c

    def objects_of(self, e) -> list[Any]:
        """The facts objects one evidence item cites (a column by its path first, else anything by its URL)."""
        if e.path and e.path in self.columns:
            return [self.columns[e.path]]
        if e.url:
            return [o for o in self.by_url.get(e.url, []) if not isinstance(o, ColumnFacts) or not e.path]
        return []

    def objects(self, f: Finding) -> list[Any]:
        """The facts objects the finding's evidence cites."""
        return [o for e in f.evidence for o in self.objects_of(e)]

    def cited_columns(self, f: Finding) -> list[ColumnFacts]:
        return [self.columns[e.path] for e in f.evidence if e.path and e.path in self.columns]


_SKIP = {"ref", "feedback_ref", "items", "probes"}  # references and rows are reached through their holder


def _walk(x: Any):
    yield x
    for fd in fields(x):
        if fd.name in _SKIP:
            continue
        v = getattr(x, fd.name)
        if isinstance(v, list):
            for i in v:
                if is_dataclass(i):
                    yield from _walk(i)
        elif is_dataclass(v):
            yield from _walk(v)


def _reason(key: str, **kw: Any) -> str:
    return data()["evidence_reasons"][key].format(**kw)


reason_text = _reason  # for the checks runner (a finding held with the one above it)


def _role(role: str | None) -> str:
    return (data()["evidence_reasons"].get("page_roles") or {}).get(role, role or "")


# ---------------------------------------------------------------------------------------------- requirements
Requirement = Callable[[Finding, Cited, "Ctx"], "str | None"]


@dataclass
class Ctx:
    rs: RuleSet
    at: dt.date
    subtree: bool


def _evidence(f: Finding, c: Cited, x: Ctx) -> str | None:
    return None if f.evidence else _reason("no_evidence")


def _archived(f: Finding, c: Cited, x: Ctx, any_status: bool = False) -> str | None:
    """At least one evidence item cites an archived response, and every archived item answered 200
    (any status, for rules whose defect is the status itself: a dead 我要写信 entry, a broken search)."""
    arch = [e for e in f.evidence if e.archive is not None and e.archive.warc and e.archive.record_id]
    if not arch:
        return _reason("no_archive")
    for e in arch:
        if e.status is None:
            return _reason("no_status", url=e.url or "")
        if not any_status and e.status != 200:
            return _reason("not_200", url=e.url or "", status=e.status)
    return None


def _archived_any(f: Finding, c: Cited, x: Ctx) -> str | None:
    return _archived(f, c, x, any_status=True)


def _columns(f: Finding, c: Cited, x: Ctx) -> tuple[list[ColumnFacts], str | None]:
    cols = c.cited_columns(f)
    if not cols:
        path = next((e.path for e in f.evidence if e.path), "")
        return [], _reason("no_column", path=path)
    return cols, None


def _kind_named(f: Finding, c: Cited, x: Ctx) -> str | None:
    cols, why = _columns(f, c, x)
    if why:
        return why
    for col in cols:
        src = _kind_source(col, c)
        if src in GUESSED_KIND:
            return _reason("kind_guessed", name=col.name, kind=col.kind)
    return None


def _kind_own(f: Finding, c: Cited, x: Ctx) -> str | None:
    """The cited column's own kind is named: a window judged on the column itself is never inherited from a
    parent (a column under 新闻中心 that inherited 动态要闻 must not get the 2-week window on its own)."""
    cols, why = _columns(f, c, x)
    if why:
        return why
    for col in cols:
        if col.kind_source in GUESSED_KIND | INHERITED_KIND:
            return _reason("kind_inherited" if col.kind_source in INHERITED_KIND else "kind_guessed",
                           name=col.name, kind=col.kind)
    return None


def _kind_source(col: ColumnFacts, c: Cited) -> str | None:
    """A kind inherited from a parent is as good as the nearest ancestor of that kind that decided it."""
    seen = 0
    while col.kind_source == "parent" and seen < 20:
        parts = col.path.split(">")
        anc = next((c.columns[">".join(parts[:i])] for i in range(len(parts) - 1, 0, -1)
                    if ">".join(parts[:i]) in c.columns and c.columns[">".join(parts[:i])].kind == col.kind), None)
        if anc is None:
            return "parent"
        col, seen = anc, seen + 1
    return col.kind_source


def _scope(col: ColumnFacts, c: Cited, x: Ctx) -> list[ColumnFacts]:
    return [col] + (descendants(c.facts, col) if x.subtree else [])


def _list_read(f: Finding, c: Cited, x: Ctx) -> str | None:
    cols, why = _columns(f, c, x)
    if why:
        return why
    for col in cols:
        for cc in _scope(col, c, x):
            if cc.list_source in UNREAD_LIST or (cc.dynamic and not cc.items):
                return _reason("list_unread", name=cc.name)
    return None


def _full_dates(f: Finding, c: Cited, x: Ctx) -> str | None:
    """The date that decides the finding was printed in full. For a column or the home page that is the date the
    evidence names (the newest row that counts, or the row after the time point): every row showing it (in the
    column's sub-columns too, for a subtree rule) must have a full date; older MM-DD rows decide nothing, since
    a year inferred for them can only make them look newer than the row that decides. A consultation, message or
    report must have no inferred date at all."""
    for e in f.evidence:
        for obj in c.objects_of(e):
            if isinstance(obj, (ColumnFacts, HomeFacts)):
                if not e.date:
                    continue  # no dated row: nothing was decided by a date
                rows = [i for cc in (_scope(obj, c, x) if isinstance(obj, ColumnFacts) else [obj])
                        for i in cc.items if i.date and i.date[:10] == e.date[:10]]
                bad = next((i for i in rows if i.date_precision not in FULL_DATE), None)
                if bad:
                    name = obj.name if isinstance(obj, ColumnFacts) else "首页"
                    return _reason("date_guessed", name=name, date=bad.date)
            elif getattr(obj, "dates_inferred", None):
                name = getattr(obj, "title", None) or getattr(obj, "url", "")
                return _reason("fact_date_guessed", name=name, fields="、".join(obj.dates_inferred))
    return None


def _page_role_content(f: Finding, c: Cited, x: Ctx) -> str | None:
    for obj in c.objects(f):
        role = getattr(getattr(obj, "ref", None), "page_role", None)
        if role not in CONTENT_ROLES:
            return _reason("page_role", url=getattr(obj, "url", "") or "", role=_role(role))
    return None


def _not_menu(f: Finding, c: Cited, x: Ctx) -> str | None:
    cols, why = _columns(f, c, x)
    if why:
        return why
    for col in cols:
        role = getattr(col.ref, "page_role", None)
        if role in NOT_BLANKABLE:
            return _reason("menu", name=col.name, role=_role(role))
    return None


def _column_tree(f: Finding, c: Cited, x: Ctx) -> str | None:
    return None if c.facts.columns_known else _reason("column_tree")


def _probes(f: Finding, c: Cited, x: Ctx) -> str | None:
    from .availability import enough_probes

    return None if enough_probes(c.facts, x.rs, x.at) else _reason("probes")


REQUIREMENTS: dict[str, Requirement] = {
    "evidence": _evidence,
    "archived": _archived,
    "archived_any_status": _archived_any,
    "kind_named": _kind_named,
    "kind_own": _kind_own,
    "list_read": _list_read,
    "full_dates": _full_dates,
    "page_role_content": _page_role_content,
    "not_menu": _not_menu,
    "column_tree": _column_tree,
    "probes": _probes,
}
DEFAULT_REQUIRES = ("evidence", "archived")  # a code without an entry (the registry test forbids it) is held strictly


def shortfall(f: Finding, facts: SiteFacts, rs: RuleSet, at: dt.date, cited: Cited | None = None) -> str | None:
    """Why the finding falls short of its rule's evidence standard, or None when it meets it."""
    from .registry import entry

    e = entry(f.code)
    requires = ("evidence",) + (e.requires if e is not None else DEFAULT_REQUIRES)
    x = Ctx(rs, at, bool(e and e.scope == "subtree"))
    cited = cited or Cited.of(facts)
    for name in dict.fromkeys(requires):
        why = REQUIREMENTS[name](f, cited, x)
        if why:
            return why
    return None


def held(f: Finding, reason: str, rs: RuleSet) -> ManualItem:
    """The 需人工核查 item a finding short of its standard becomes: the reason, what the check saw, the finding."""
    seen = rs.rule(f.code).render(f.params) if f.code in rs.rules else f.code
    where = [e.path or e.title or e.url for e in f.evidence if e.path or e.title or e.url]
    if where:
        seen += "（" + "、".join(dict.fromkeys(where)) + "）"
    urls = list(dict.fromkeys(e.url for e in f.evidence if e.url))
    return ManualItem(f.code, _reason("held", reason=reason, finding=seen), urls, held=f.to_dict())
