"""整改复查: each finding of a previous round matched to this round's, classed 已整改 / 未整改 / 新发现 / 需人工核查.

A previous finding is still there (未整改) when this round has a finding of the same unit and rule about the same
thing: the same column path, or the same page (URL without scheme and host: a site moving to https is the same
site), where the rule's evidence names one, and no other title where both name one; a rule whose evidence names neither is matched on unit and rule
alone. With the rule set, what the rule's wording says of the finding ({element} of D21: the ICP number is not
the police record) must agree too. Each current finding answers at most one previous finding. A previous finding not found again is 已整改
only if this round could see the place: when the site was not read this round, or the page the finding was on
answered then and does not now (or was not read now), a person decides (需人工核查) — a unit must not get credit
for a fix because its page went away. Current findings no previous one matches are 新发现.

`match_findings` is the one matcher: the round (`--previous`, through `site_matches`) and the web console's
立即复查 use it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from govcheck.model import Evidence, Finding

FIXED, NOT_FIXED, NEW, UNDECIDED = "已整改", "未整改", "新发现", "需人工核查"
STATES = (NOT_FIXED, UNDECIDED, FIXED, NEW)  # the order tables list them in
_SEP = re.compile(r"\s*[>＞›»/]\s*")


def _f(x: Finding | dict[str, Any]) -> Finding:
    return x if isinstance(x, Finding) else Finding.from_dict(x)


def norm_path(path: str | None) -> str | None:
    """A column path as compared: separators and spaces unified (首页 > 政务公开 ＞ 通知公告 = 首页>政务公开>通知公告)."""
    if not path or not path.strip():
        return None
    return ">".join(p for p in _SEP.split(path.strip()) if p)


def norm_url(url: str | None) -> str | None:
    """A page as compared within one unit's site: its path and query (scheme, host and port left out)."""
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    path = parts.path or "/"
    if path.endswith("/index.html") or path.endswith("/index.htm") or path.endswith("/index.shtml"):
        path = path.rsplit("/", 1)[0] + "/"
    return path + (f"?{parts.query}" if parts.query else "")


def identity(f: Finding) -> tuple[str | None, str | None]:
    """What a finding is about: the column path and page of its first evidence item (later items are context,
    such as the page a dead link is on)."""
    e = f.evidence[0] if f.evidence else None
    return (norm_path(e.path), norm_url(e.url)) if e else (None, None)


def _title(f: Finding) -> str | None:
    """The title its first evidence item names (an article, a 科室 on a 机构职能 page), spaces left out."""
    e = f.evidence[0] if f.evidence else None
    t = re.sub(r"\s+", "", e.title or "") if e else ""
    return t or None


def _unit(u: str) -> str:
    return re.sub(r"\s+", "", u or "")


def _same(a: tuple[str | None, str | None], b: tuple[str | None, str | None]) -> int:
    """How well two identities agree: 2 = path (or page) equal and nothing contradicts; 1 = only one of the two
    recorded on both sides, equal; 0 = no match. Neither recorded on the previous side: any (1)."""
    (pa, ua), (pb, ub) = a, b
    if pa is None and ua is None:
        return 1
    if pa is not None and pb is not None:
        if pa != pb:
            return 0
        return 2 if (ua is None or ub is None or ua == ub) else 1
    if ua is not None and ub is not None:
        return 2 if ua == ub else 0
    return 0


@dataclass
class Match:
    state: str  # 已整改 / 未整改 / 新发现 / 需人工核查
    previous: Finding | None = None
    current: Finding | None = None
    note: str = ""

    @property
    def finding(self) -> Finding:
        return self.previous or self.current  # type: ignore[return-value]

    def to_dict(self) -> dict[str, Any]:
        f = self.finding
        path, url = identity(f)
        e = f.evidence[0] if f.evidence else Evidence()
        return {"unit": f.unit, "target": (self.current or f).target, "target_type": f.target_type, "code": f.code,
                "text": f.text, "path": e.path, "url": e.url, "title": e.title, "state": self.state,
                "note": self.note, "previous_id": self.previous.id if self.previous else None,
                "current_id": self.current.id if self.current else None}


def counts(f: Finding, ignore: Iterable[str] = ()) -> bool:
    """A finding that takes part: not dismissed, not a marker (R1) or a code the caller leaves out."""
    return f.review != "dismissed" and f.code not in set(ignore)


def _says(f: Finding, rs) -> tuple:
    """The values the rule's wording prints of this finding (its placeholders), which tell two problems apart."""
    if rs is None or f.code not in rs.rules:
        return ()
    return tuple(sorted((k, str(f.params.get(k))) for k in rs.rule(f.code).placeholders()))


def match_findings(previous: Iterable[Finding | dict[str, Any]], current: Iterable[Finding | dict[str, Any]], *,
                   unassessed: dict[str, str] | None = None,
                   page_state: Callable[[Finding], str | None] | None = None,
                   ignore: Iterable[str] = (), rs=None) -> list[Match]:
    """Every previous finding with its state, then every current finding no previous one matched (新发现).

    `unassessed`: target → why this round could not read it (its previous findings are 需人工核查).
    `page_state(previous_finding)`: None when the page it was on can be judged now (or it names no page), else
    why not (it no longer answers, it was not read this round) — then 需人工核查 instead of 已整改.
    `ignore`: codes left out (markers such as R1, advisory codes). `rs`: the rule set, whose wordings say which
    params tell two findings of one rule apart."""
    ignore = set(ignore)
    prev = [f for f in map(_f, previous) if counts(f, ignore)]
    cur = [f for f in map(_f, current) if counts(f, ignore)]
    unassessed = unassessed or {}
    pool: dict[tuple[str, str, str], list[int]] = {}
    for i, f in enumerate(cur):
        pool.setdefault((_unit(f.unit), f.code, f.target_type, _says(f, rs)), []).append(i)
    taken: set[int] = set()
    out: list[Match] = []
    # best matches first, so a loose match never takes a finding an exact one needs
    scored = []
    for j, p in enumerate(prev):
        pid, pt = identity(p), _title(p)
        for i in pool.get((_unit(p.unit), p.code, p.target_type, _says(p, rs)), []):
            ct = _title(cur[i])
            if pt and ct and pt != ct:
                continue  # two titles on one page (two 科室 of a 机构职能 page) are two problems
            s = _same(pid, identity(cur[i]))
            if s:
                scored.append((-s, j, i))
    pairs: dict[int, int] = {}
    for _, j, i in sorted(scored):
        if j not in pairs and i not in taken:
            pairs[j] = i
            taken.add(i)
    for j, p in enumerate(prev):
        if j in pairs:
            out.append(Match(NOT_FIXED, p, cur[pairs[j]]))
            continue
        why = unassessed.get(p.target) or (page_state(p) if page_state else None)
        out.append(Match(UNDECIDED, p, note=why) if why else Match(FIXED, p))
    out += [Match(NEW, None, f) for i, f in enumerate(cur) if i not in taken]
    return out


def summary(matches: Iterable[Match | dict[str, Any]]) -> dict[str, int]:
    """How many findings in each state."""
    out = {s: 0 for s in STATES}
    for m in matches:
        out[m.state if isinstance(m, Match) else m["state"]] += 1
    return out


def ignored_codes(rs) -> set[str]:
    """Codes left out of a comparison: markers (R1), advisory rules and rules not scored."""
    return {code for code, rule in rs.rules.items() if not rule.scored}


def site_matches(meta: dict[str, Any], findings: Iterable[Finding], rs) -> list[Match] | None:
    """The website comparison of a round, matched now: the previous findings the round keeps (meta
    "site_comparison", written by inspect --previous) against the round's current findings (reviews
    included). None when the round has no website comparison."""
    sc = (meta or {}).get("site_comparison")
    if not sc:
        return None
    prev, why = [], {}
    for d in sc.get("previous") or []:
        f = Finding.from_dict({k: v for k, v in d.items() if k != "why"})
        prev.append(f)
        if d.get("why"):
            why[id(f)] = d["why"]
    return match_findings(prev, [f for f in findings if f.target_type == "site"],
                          page_state=lambda p: why.get(id(p)), ignore=ignored_codes(rs), rs=rs)
