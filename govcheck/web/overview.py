"""Round overview: the scores table, the notice's brackets and rates, and the charts' data.

Brackets and rates come from govcheck.stats (site_stats, account_stats, pct) — the functions the notice is
printed from — so the console can never show a rate the notice does not.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from govcheck.model import Finding
from govcheck.rules import fmt_points
from govcheck.score import VERDICT_PASS, VERDICT_VETO
from govcheck.stats import account_stats, pct, site_stats
from govcheck.store import findings
from govcheck.web.review import _finding
from govcheck.web.rounds import RoundHandle

SCORE_SORTS = {"seq", "unit", "region", "kind", "score", "findings"}


@dataclass
class Overview:
    summary: list[tuple[str, str, str]]  # (label, count, share) in the notice's words
    account_summary: list[tuple[str, str, str]]
    districts: list[dict[str, Any]]  # 附件2's per-district table
    rows: list[dict[str, Any]]  # the scores table
    regions: list[str]
    kinds: list[str]
    review_counts: dict[str, int]


def _site_finding_counts(h: RoundHandle) -> dict[str, int]:
    with h.engine.connect() as c:
        return {t: n for t, n in c.execute(
            select(findings.c.target, func.count()).where(findings.c.round_id == h.id,
                                                          findings.c.target_type == "site",
                                                          findings.c.review != "dismissed")
            .group_by(findings.c.target))}


def _account_findings(h: RoundHandle) -> list[Finding]:
    with h.engine.connect() as c:
        return [_finding(r) for r in c.execute(select(findings).where(
            findings.c.round_id == h.id, findings.c.target_type == "account").order_by(findings.c.seq)).mappings()]


def overview(h: RoundHandle, region: str = "", kind: str = "", sort: str = "seq", desc: bool = False) -> Overview:
    rs = h.rs
    sites = h.store.sites(h.id)
    accs = h.store.accounts(h.id)
    scores = h.store.scores(h.id)
    summary: list[tuple[str, str, str]] = []
    if sites:
        st = site_stats(sites, scores, rs)
        n = st.checked
        full = fmt_points(float(rs.setting("full_score", 100)))
        high = fmt_points(float((rs.setting("score_brackets") or [100, 90])[1]))
        summary = [
            ("抽查网站", str(n), ""),
            (f"满分（{full}分）", str(len(st.full)), pct(len(st.full), n)),
            (f"{high}分以上（含）{full}分以下", str(len(st.high)), pct(len(st.high), n)),
            (f"{high}分以下", str(len(st.low)), pct(len(st.low), n)),
            ("一票否决", str(len(st.vetoed)), pct(len(st.vetoed), n)),
            (f"合格（{fmt_points(rs.pass_line)}分及以上且未被否决）", str(st.passed), st.pass_rate),
        ]
    account_summary: list[tuple[str, str, str]] = []
    districts: list[dict[str, Any]] = []
    if accs:
        ac = account_stats(accs, scores, _account_findings(h), rs)
        account_summary = [("抽查政务新媒体", str(ac.checked), ""), ("合格", str(ac.passed), ac.pass_share),
                           ("不合格", str(len(ac.failed)), ac.fail_share)]
        districts = [{"region": d.region, "checked": d.checked, "failed": d.failed, "pass_rate": d.pass_rate}
                     for d in ac.districts]
    by_url = {s.target: s for s in scores if s.target_type == "site"}
    nf = _site_finding_counts(h)
    rows = []
    for i, s in enumerate(sites):
        sc = by_url.get(s.url)
        rows.append({"seq": i, "unit": s.unit, "name": s.name, "url": s.url, "region": s.region, "kind": s.kind,
                     "score": None if sc is None else sc.score,
                     "score_text": "" if sc is None else (VERDICT_VETO if sc.verdict == VERDICT_VETO
                                                          else fmt_points(sc.score)),
                     "verdict": "" if sc is None else sc.verdict, "findings": nf.get(s.url, 0)})
    regions = sorted({r["region"] for r in rows})
    kinds = sorted({r["kind"] for r in rows})
    if region:
        rows = [r for r in rows if r["region"] == region]
    if kind:
        rows = [r for r in rows if r["kind"] == kind]
    sort = sort if sort in SCORE_SORTS else "seq"
    if sort == "score":  # a veto sorts below every score
        rows.sort(key=lambda r: (-1.0 if r["score"] is None else r["score"], r["seq"]), reverse=desc)
    else:
        rows.sort(key=lambda r: (r[sort], r["seq"]), reverse=desc)
    with h.engine.connect() as c:
        rc = dict(c.execute(select(findings.c.review, func.count()).where(findings.c.round_id == h.id)
                            .group_by(findings.c.review)).all())
    return Overview(summary, account_summary, districts, rows, regions, kinds, rc)


# ---------------------------------------------------------------------------------------------- charts
def score_distribution(h: RoundHandle, bins: list[float]) -> dict[str, Any]:
    """Sites per score band; the band edges are the rule set's pass line and brackets plus `bins`."""
    rs = h.rs
    full = float(rs.setting("full_score", 100))
    edges = sorted({float(b) for b in bins} | {float(rs.pass_line)} |
                   {float(b) for b in (rs.setting("score_brackets") or [])} - {full})
    edges = [e for e in edges if e < full]
    labels = [f"{fmt_points(edges[0])}分以下"] if edges else []
    labels += [f"{fmt_points(a)}–{fmt_points(b)}分" for a, b in zip(edges, edges[1:], strict=False)]
    labels += [f"{fmt_points(edges[-1])}分（含）以上、满分以下" if edges else "满分以下", "满分", VERDICT_VETO]
    values = [0] * len(labels)
    for s in h.store.scores(h.id):
        if s.target_type != "site":
            continue
        if s.verdict == VERDICT_VETO or s.score is None:
            values[-1] += 1
        elif s.score >= full:
            values[-2] += 1
        else:
            values[sum(1 for e in edges if s.score >= e)] += 1
    return {"labels": labels, "values": values}


def failing_reasons(h: RoundHandle, top: int) -> dict[str, Any]:
    """Counted findings per rule (sites) and failing accounts per rule (new media), most frequent first."""
    rs = h.rs
    with h.engine.connect() as c:
        rows = c.execute(select(findings.c.code, findings.c.target_type, func.count())
                         .where(findings.c.round_id == h.id, findings.c.review != "dismissed")
                         .group_by(findings.c.code, findings.c.target_type)).all()
    cnt: Counter = Counter()
    for code, _ttype, n in rows:
        rule = rs.rules.get(code)
        if rule is None or not rule.scored:
            continue
        cnt[code] += n
    items = cnt.most_common(top)
    labels = []
    for code, _ in items:
        rule = rs.rule(code)
        try:
            short = rule.render_short({})
        except Exception:  # noqa: BLE001 - a wording with placeholders: the code alone is label enough
            short = ""
        labels.append(f"{code} {short}".strip()[:40])
    return {"labels": labels, "values": [n for _, n in items]}


def round_numbers(h: RoundHandle) -> dict[str, Any]:
    """One point of the trend: the region's pass rate and mean score (sites) in this round."""
    scores = [s for s in h.store.scores(h.id) if s.target_type == "site"]
    n = len(scores)
    passed = sum(1 for s in scores if s.verdict == VERDICT_PASS)
    scored = [s.score for s in scores if s.score is not None]
    return {"label": f"{h.info.name}（{h.info.at.isoformat()}）", "pass_rate": float(pct(passed, n).rstrip("%")),
            "mean": round(sum(scored) / len(scored), 1) if scored else None, "sites": n}


def trend(handles: list[RoundHandle], unit: str = "") -> dict[str, Any]:
    """Across the served rounds (oldest first): the region's pass rate and mean, and one unit's score."""
    points = [round_numbers(h) for h in handles]
    unit_scores: list[float | None] = []
    if unit:
        for h in handles:
            vals = [s.score for s in h.store.scores(h.id) if s.target_type == "site" and s.unit == unit]
            unit_scores.append(vals[0] if vals else None)
    return {"labels": [p["label"] for p in points], "pass_rate": [p["pass_rate"] for p in points],
            "mean": [p["mean"] for p in points], "unit": unit, "unit_scores": unit_scores}
