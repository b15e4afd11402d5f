"""政务公开 platform structure (issue 18): the county-level 政府信息公开 platform and its department and township
sub-platforms, judged on the site's column tree against the subordinate-bodies roster (SiteFacts.platform).

National shape (国办公开办函〔2019〕61号): one platform on the site's own column named 政府信息公开, with four
first-level columns (指南, 制度, 法定主动公开内容, 年报). A county platform carries a sub-platform for every
department and township, each with the same standard columns, not blank, and its 年报 out by the deadline.
Only sites a subordinate-bodies roster names as 上级平台 are judged (platform is None: nothing to say).
"""
from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass, field

from govcheck.model import Evidence
from govcheck.rules import RuleSet

from .annual_report import deadline_for, latest_due_year
from .base import ManualItem, check, ev, finding, fmt_cn_date, has_rule, note, param
from .facts import Body, ColumnFacts, SiteFacts, to_date


# ---------------------------------------------------------------------------------------------- names
def _clean(name: str) -> str:
    t = unicodedata.normalize("NFKC", name or "")
    t = re.sub(r"[（(][^）)]*[)）]", "", t)  # (挂…牌子)
    return re.sub(r"[\s·、，,“”\"']", "", t)


_LEVEL_WORDS = {"市场", "市政", "市容", "区域", "县域", "市区", "县城"}


def body_key(name: str, county: str) -> str:
    """A unit's name without the county's own prefix (嘉鱼县发展和改革局 → 发展和改革局, 县民政局 → 民政局) and
    without a township's organ suffix (官桥镇人民政府 → 官桥镇, 温泉街道办事处 → 温泉街道)."""
    n = _clean(name)
    stripped = False
    for pre in sorted({_clean(county), _clean(county)[:-1] if len(_clean(county)) > 2 else ""}, key=len, reverse=True):
        if pre and n.startswith(pre) and len(n) - len(pre) >= 2:
            n, stripped = n[len(pre):], True
            break
    # a bare level prefix (县民政局), not the first character of a word (市场监督管理局, 区域…)
    if not stripped and n[:1] in ("县", "市", "区") and len(n) >= 4 and n[:2] not in _LEVEL_WORDS:
        n = n[1:]
    for suf in ("人民政府", "办事处", "政府"):
        if n.endswith(suf) and len(n) - len(suf) >= 2:
            n = n[: -len(suf)]
            break
    return n


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def names_match(a: str, b: str) -> str | None:
    """exact | abbrev (发改局 ⊂ 发展改革局: same first and last character, the shorter's characters in order in the
    longer) | None."""
    if a == b:
        return "exact"
    s, l = (a, b) if len(a) <= len(b) else (b, a)
    if len(s) >= 2 and s[0] == l[0] and s[-1] == l[-1] and _subsequence(s, l):
        return "abbrev"
    return None


# ---------------------------------------------------------------------------------------------- the tree
@dataclass
class Node:
    """One sub-platform on the site: its own column (a menu) and its columns."""

    path: str
    name: str
    column: ColumnFacts | None
    parent: ColumnFacts | None
    columns: list[ColumnFacts] = field(default_factory=list)

    def urls(self) -> set[str]:
        return {c.url for c in ([self.column] if self.column else []) + self.columns if c.url}


def _children(facts: SiteFacts, path: str) -> list[ColumnFacts]:
    depth = path.count(">") + 1
    return [c for c in facts.columns if c.path.startswith(path + ">") and c.path.count(">") == depth]


def _subtree(facts: SiteFacts, path: str) -> list[ColumnFacts]:
    return [c for c in facts.columns if c.path.startswith(path + ">")]


def find_platform(facts: SiteFacts, rs: RuleSet) -> tuple[ColumnFacts | None, bool]:
    """The platform's own column and whether it carries the standard name. A column under another name counts as
    the platform when its name is one platforms go by, or when it holds standard first-level columns."""
    std = {_clean(n) for n in param(rs, "GK1.1", "standard_names")}
    own = [c for c in facts.columns if c.sub_platform is None]
    named = sorted((c for c in own if _clean(c.name) in std), key=lambda c: c.path.count(">"))
    if named:
        return named[0], True
    others = [_clean(n) for n in param(rs, "GK1.1", "other_names")]
    need = int(param(rs, "GK1.1", "min_standard_columns"))
    nodes, holders = sub_platforms(facts, rs, None)
    inner = [n.path for n in nodes] + [h.path for h in holders]
    cands = []
    for c in own:
        if any(c.path == p or c.path.startswith(p + ">") for p in inner):
            continue  # a sub-platform is not the platform
        held = sum(1 for label in standard_columns(rs) if _find_standard(facts, c.path, rs, label, direct=True))
        if _clean(c.name) in others or held >= need:
            cands.append((_clean(c.name) not in others, -held, c.path.count(">"), c.path, c))
    return (min(cands)[4], False) if cands else (None, False)


def standard_columns(rs: RuleSet) -> dict[str, list[str]]:
    """label → the words a column named as it contains (params standard_columns / column_words, in order)."""
    labels = list(param(rs, "GK1.2", "standard_columns"))
    words = list(param(rs, "GK1.2", "column_words"))
    return {lab: [_clean(w) for w in (words[i] if i < len(words) else lab).split("|") if w.strip()]
            for i, lab in enumerate(labels)}


def _find_standard(facts: SiteFacts, root: str, rs: RuleSet, label: str, direct: bool = False,
                   exclude: list[str] = ()) -> ColumnFacts | None:
    """The column under `root` that is the standard column `label`: named with one of its words, a direct child
    first, else anywhere below (a site that nests it one level deeper still has it)."""
    words = standard_columns(rs)[label]
    pools = [_children(facts, root)] if direct else [_children(facts, root), _subtree(facts, root)]
    for pool in pools:
        hits = [c for c in pool if any(w in _clean(c.name) for w in words)
                and not any(c.path == p or c.path.startswith(p + ">") for p in exclude)]
        if hits:
            return min(hits, key=lambda c: (c.path.count(">"), c.path))
    return None


def sub_platforms(facts: SiteFacts, rs: RuleSet, platform: ColumnFacts | None) -> tuple[list[Node], list[ColumnFacts]]:
    """The sub-platforms the site shows and the columns that hold them (部门信息公开平台, 乡镇信息公开 …): those the
    reading marked (ColumnFacts.sub_platform), and the children of a column named as such a holder."""
    by_path = {c.path: c for c in facts.columns}
    holders: dict[str, ColumnFacts | None] = {}
    nodes: dict[str, Node] = {}
    words = [_clean(w) for w in param(rs, "GK2.1", "holder_names")]
    for c in facts.columns:
        if c.sub_platform:
            parts = c.path.split(">")
            if c.sub_platform in parts:
                i = len(parts) - 1 - parts[::-1].index(c.sub_platform)
                node = ">".join(parts[: i + 1])
                holder = ">".join(parts[:i])
                holders[holder] = by_path.get(holder)
                nodes.setdefault(node, Node(node, c.sub_platform, by_path.get(node), by_path.get(holder)))
    for c in facts.columns:
        if c.sub_platform is None and any(_clean(c.name) == w or w in _clean(c.name) for w in words) \
                and (platform is None or c.path.startswith(platform.path + ">")):
            holders.setdefault(c.path, c)
    for h in holders:
        for ch in _children(facts, h):
            if ch.path not in nodes and ch.path not in holders \
                    and not any(ch.path.startswith(o + ">") for o in holders if o != h):
                nodes[ch.path] = Node(ch.path, ch.name, ch, holders[h])
    for n in nodes.values():
        n.columns = _subtree(facts, n.path)
    # the innermost holders (地方部门平台链接 > 部门信息公开平台: the latter holds the sub-platforms)
    inner = [c for p, c in holders.items() if c is not None and not any(o.startswith(p + ">") for o in holders)]
    return sorted(nodes.values(), key=lambda n: n.path), inner


def match_bodies(facts: SiteFacts, nodes: list[Node]) -> dict[int, tuple[str, list[Node]]]:
    """Each roster body (by index) → (how, nodes): url | exact | abbrev | ambiguous | none."""
    county = facts.platform.region or facts.unit if facts.platform else facts.unit
    out: dict[int, tuple[str, list[Node]]] = {}
    for i, b in enumerate(facts.platform.bodies if facts.platform else []):
        if b.url:
            hit = [n for n in nodes if b.url in n.urls()]
            if hit:
                out[i] = ("url", hit[:1])
                continue
        key = body_key(b.name, county)
        got = [(names_match(key, body_key(n.name, county)), n) for n in nodes]
        exact = [n for how, n in got if how == "exact"]
        abbrev = [n for how, n in got if how == "abbrev"]
        if len(exact) == 1:
            out[i] = ("exact", exact)
        elif len(exact) > 1 or len(abbrev) > 1:
            out[i] = ("ambiguous", exact or abbrev)
        elif abbrev:
            out[i] = ("abbrev", abbrev)
        else:
            out[i] = ("none", [])
    return out


def body_ev(b: Body, **kw) -> Evidence:
    return Evidence(file=b.file, row=b.row, note=kw.pop("note", None), **kw)


# ---------------------------------------------------------------------------------------------- checks
@check("GK1.1")
def platform_name(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """The platform is on a column named 政府信息公开; one under another name is to be renamed."""
    if not has_rule(rs, "GK1.1") or facts.platform is None:
        return
    root, standard = find_platform(facts, rs)
    target = param(rs, "GK1.1", "standard_names")[0]
    if root is None:
        if not facts.columns_known:
            yield ManualItem("GK1.1", note("gk_no_tree"), [facts.url])
            return
        yield finding(facts, "GK1.1", [ev(facts.home.ref if facts.home else None, facts.url,
                                          note=note("gk_platform_absent"))],
                      problem=note("gk_platform_absent_problem", target=target))
    elif not standard:
        yield finding(facts, "GK1.1", [ev(root.ref, root.url, path=root.path)],
                      problem=note("gk_platform_renamed", name=root.name, target=target))


@check("GK1.2")
def platform_columns(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Each of the platform's four first-level columns exists (a missing platform is GK1.1's finding)."""
    if not has_rule(rs, "GK1.2") or facts.platform is None:
        return
    root, _ = find_platform(facts, rs)
    if root is None:
        return
    nodes, holders = sub_platforms(facts, rs, root)
    inner = [n.path for n in nodes] + [h.path for h in holders]
    for label in standard_columns(rs):
        if _find_standard(facts, root.path, rs, label, exclude=inner) is not None:
            continue
        if not facts.columns_known:
            yield ManualItem("GK1.2", note("gk_column_unknown", column=label, path=root.path), [root.url or facts.url])
            continue
        yield finding(facts, "GK1.2", [ev(root.ref, root.url, path=root.path)], column=label)


@check("GK2.1")
def sub_platform_missing(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Every department and township of the roster has its sub-platform on the county platform."""
    if not has_rule(rs, "GK2.1") or facts.platform is None:
        return
    root, _ = find_platform(facts, rs)
    nodes, holders = sub_platforms(facts, rs, root)
    matched = match_bodies(facts, nodes)
    for i, b in enumerate(facts.platform.bodies):
        how, hit = matched[i]
        if how == "ambiguous":
            yield ManualItem("GK2.1", note("gk_ambiguous", body=b.name, names="、".join(n.name for n in hit)),
                             [n.column.url for n in hit if n.column and n.column.url])
            continue
        if how != "none":
            continue
        if not facts.columns_known:
            yield ManualItem("GK2.1", note("gk_no_tree_body", body=b.name), [facts.url])
            continue
        cited = [h for h in holders if _holds(h, b)] or ([root] if root is not None else [])
        evs = [ev(h.ref, h.url, path=h.path) for h in cited[:2]]
        if not evs:
            evs = [ev(facts.home.ref if facts.home else None, facts.url)]
        evs.append(body_ev(b, note=note("gk_roster_row", type=b.type)))
        yield finding(facts, "GK2.1", evs, body=b.name, type=b.type)


def _holds(holder: ColumnFacts, b: Body) -> bool:
    """A holder column for the body's type (部门… for departments, 乡镇/街道… for townships)."""
    town = any(w in holder.name for w in ("乡镇", "镇街", "街道", "乡", "镇"))
    return town == (b.type == "乡镇街道")


def _blank(facts: SiteFacts, col: ColumnFacts) -> bool | None:
    """True: nothing in it (its list, or every list below it, shows no entry); None: cannot tell."""
    below = _subtree(facts, col.path)
    if col.role == "menu" or below:
        if not below:
            return None
        states = [_blank(facts, c) for c in below if not _subtree(facts, c.path)]
        if any(s is None for s in states):
            return None
        return all(states)
    if not col.judgeable():
        return None
    if col.role == "page":
        return False  # a single page (a 指南) shows its text; a blank page is for a person to see
    if col.blank:
        return True
    return False if col.items else None


@check("GK2.2")
def sub_platform_columns(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Each sub-platform found has the standard columns, and they are not blank."""
    if not has_rule(rs, "GK2.2") or facts.platform is None:
        return
    root, _ = find_platform(facts, rs)
    nodes, _ = sub_platforms(facts, rs, root)
    matched = match_bodies(facts, nodes)
    for i, b in enumerate(facts.platform.bodies):
        how, hit = matched[i]
        if how in ("none", "ambiguous"):
            continue
        n = hit[0]
        for label in standard_columns(rs):
            col = _find_standard(facts, n.path, rs, label)
            if col is None:
                base = n.column
                if base is None or not base.judgeable() and base.role != "menu":
                    yield ManualItem("GK2.2", note("gk_node_unread", body=n.name, column=label), [n.path])
                    continue
                yield finding(facts, "GK2.2", [ev(base.ref, base.url, path=base.path)], body=b.name, column=label,
                              state=note("gk_state_absent"))
                continue
            blank = _blank(facts, col)
            if blank is None:
                if col.role != "page":
                    yield ManualItem("GK2.2", note("gk_blank_unsure", path=col.path), [col.url] if col.url else [])
                continue
            if blank:
                cols = [col] if not _subtree(facts, col.path) else [c for c in _subtree(facts, col.path)
                                                                     if not _subtree(facts, c.path)]
                yield finding(facts, "GK2.2", [ev(c.ref, c.url, path=c.path) for c in cols], body=b.name,
                              column=label, state=note("gk_state_blank"))


@check("GK2.3")
def sub_platform_report(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """A sub-platform's 年报 column holds the latest due year's report, published by the deadline (the dates as
    X03.1 reads them; a report page read in detail gives its own date)."""
    if not has_rule(rs, "GK2.3") or facts.platform is None:
        return
    md = str(param(rs, "GK2.3", "deadline_month_day"))
    year = latest_due_year(at, md)
    deadline = deadline_for(year, md)
    label = str(param(rs, "GK2.3", "report_column"))
    root, _ = find_platform(facts, rs)
    nodes, _ = sub_platforms(facts, rs, root)
    matched = match_bodies(facts, nodes)
    pages = {r.url: r for r in facts.annual_reports if r.url}
    for i, b in enumerate(facts.platform.bodies):
        how, hit = matched[i]
        if how in ("none", "ambiguous"):
            continue
        col = _find_standard(facts, hit[0].path, rs, label)
        if col is None:
            continue  # no 年报 column: GK2.2's finding
        cols = [col] + _subtree(facts, col.path)
        items = [it for c in cols for it in c.items]
        if not items:
            if col.blank and col.judgeable():
                continue  # a blank 年报 column: GK2.2's finding
            continue
        mine = [it for it in items if f"{year}年" in (it.title or "") or str(year) in (it.title or "")]
        if not mine:
            if any(not c.judgeable() for c in cols):
                yield ManualItem("GK2.3", note("gk_report_unread", path=col.path), [col.url] if col.url else [])
                continue
            yield finding(facts, "GK2.3", [ev(col.ref, col.url, path=col.path)], body=b.name,
                          problem=note("gk_report_absent", year=year, deadline=fmt_cn_date(deadline)))
            continue
        it = mine[0]
        rep = pages.get(it.url or "")
        pub = to_date(rep.published) if rep is not None and rep.published else to_date(it.date)
        if pub is not None and pub > deadline:
            yield finding(facts, "GK2.3", [ev(it.ref or col.ref, it.url or col.url, path=col.path, title=it.title,
                                              date=pub.isoformat())],
                          body=b.name, problem=note("gk_report_late", year=year, deadline=fmt_cn_date(deadline)))


def platform_table(facts: SiteFacts, rs: RuleSet) -> dict | None:
    """What the attachment prints besides the findings: the platform found and, per roster body, the sub-platform
    it was matched to (path and URL) or none. None for a site that is no one's 上级平台."""
    if facts.platform is None or not has_rule(rs, "GK2.1"):
        return None
    root, standard = find_platform(facts, rs)
    nodes, _ = sub_platforms(facts, rs, root)
    matched = match_bodies(facts, nodes)
    bodies = []
    for i, b in enumerate(facts.platform.bodies):
        how, hit = matched[i]
        n = hit[0] if hit and how != "ambiguous" else None
        bodies.append({"name": b.name, "type": b.type, "file": b.file, "row": b.row, "match": how,
                       "path": n.path if n else None,
                       "url": (n.column.url if n and n.column else None) or (b.url if n else None)})
    return {"unit": facts.unit, "url": facts.url, "region": facts.platform.region,
            "platform": {"path": root.path, "url": root.url, "name": root.name, "standard": standard} if root else None,
            "bodies": bodies}
