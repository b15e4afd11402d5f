"""`inspect --previous DIR` for websites: the previous round's website findings matched to this round's
(govcheck.rectify.match_findings), with what this round's crawl says about each page a finding was on.

The previous round is its folder: findings.json (what its notice published) and round.json's label ("3月份");
scores.json tells which websites it inspected (a round whose websites all passed has no website finding but
still has websites to compare). A folder without websites leaves the website comparison out.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from govcheck.model import Finding
from govcheck.rectify import norm_url


def previous_sites(directory: Path, findings: list[Finding]) -> bool:
    """Whether the previous round inspected websites at all."""
    if any(f.target_type == "site" for f in findings):
        return True
    try:
        scores = json.loads((Path(directory) / "scores.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(isinstance(s, dict) and s.get("target_type") == "site" for s in scores)


class PageStates:
    """What this round's crawl recorded for the pages of each unit's site(s), by page (path and query)."""

    def __init__(self, engine: Engine, sites_by_unit: dict[str, list[str]]):
        from govcheck.collect.query import fetches

        self.by_unit: dict[str, dict[str, tuple[str | None, int | None]]] = {}
        for unit, urls in sites_by_unit.items():
            seen: dict[str, tuple[str | None, int | None]] = {}
            for site in urls:
                for row in fetches(engine, site):
                    for u in (row.get("url"), row.get("final_url")):
                        k = norm_url(u)
                        if k and (k not in seen or row.get("outcome") == "ok"):
                            seen[k] = (row.get("outcome"), row.get("status"))
            self.by_unit[unit] = seen

    def __call__(self, f: Finding) -> str | None:
        """None when the page the previous finding was on can be judged now (or it names none); else why not."""
        e = f.evidence[0] if f.evidence else None
        if e is None or not e.url:
            return None
        if e.status is not None and e.status >= 400:
            return None  # the page was unreachable then: that was the problem itself (a dead link)
        seen = self.by_unit.get(f.unit)
        if seen is None:
            return None
        state = seen.get(norm_url(e.url) or "")
        if state is None:
            return f"本轮检查未读取到该页面（{e.url}），无法确认已整改"
        outcome, status = state
        if outcome != "ok":
            return f"该页面本轮已无法正常访问（{f'HTTP {status}' if status else outcome}：{e.url}），无法确认已整改"
        return None


def compare_sites(previous: Path, outcomes, engine: Engine) -> dict[str, Any] | None:
    """What the round keeps for its website comparison (meta "site_comparison"): the previous round's label
    and its website findings (first evidence item), each with why this round cannot confirm it fixed if it is
    not found again (its site was not read, its page no longer answers or was not read). None when the previous
    round had no websites. The matching itself runs whenever the notice is written (govcheck.rectify.site_matches),
    so a review or a re-score of this round's findings is reflected. `outcomes`: this round's SiteOutcomes."""
    from govcheck.newmedia.checks import load_previous_round

    from .access import describe

    prev, label = load_previous_round(previous)
    if not previous_sites(previous, prev):
        return None
    sites_by_unit: dict[str, list[str]] = {}
    unread: dict[str, str] = {}
    undecided: dict[tuple[str, str], str] = {}  # (unit, code) → what this round left to a person
    for o in outcomes:
        sites_by_unit.setdefault(o.site.unit, []).append(o.site.url)
        for m in o.manual:
            undecided.setdefault((o.site.unit, m.code), m.what)
        if o.access or o.error:
            unread[o.site.unit] = "本轮未能读取该网站（" + (describe(o.access) if o.access else str(o.error)) + \
                                  "），无法确认已整改"
    pages = PageStates(engine, sites_by_unit)
    rows = []
    for f in prev:
        if f.target_type != "site":
            continue
        d = f.to_dict()
        d["evidence"] = d.get("evidence", [])[:1]
        why = unread.get(f.unit) or pages(f)
        if not why and (f.unit, f.code) in undecided:  # the rule could not be judged now (or a person judges it)
            why = f"本轮该项未能自动判定（{undecided[(f.unit, f.code)][:120]}），需人工核查"
        if f.unit not in sites_by_unit:
            why = why or "该单位网站不在本轮名单中，无法确认已整改"
        if why:
            d["why"] = why
        rows.append(d)
    return {"label": label, "previous": rows}
