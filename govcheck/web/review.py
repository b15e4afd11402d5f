"""The review queue: findings by review state with filters, bulk decisions, and the scores they change.

A decision is written exactly as `govcheck review` writes it (findings.review + one review_log row per finding,
append-only), for many findings in one transaction. Scores are then recomputed for the targets touched only:
a site's score depends on nothing but its own findings and the rule set (govcheck.score), so this equals a
whole-round rescore (tests/test_web_review.py checks that) at a fraction of the cost.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, update

from govcheck.model import Account, Evidence, Finding, Site
from govcheck.rules import fmt_points
from govcheck.score import VERDICT_VETO, apply_rules, score_account, score_site
from govcheck.store import REVIEW_ACTIONS, accounts, findings, now, review_log, rounds, scores, sites
from govcheck.web.rounds import ConsoleError, RoundHandle

REVIEW_LABELS = {"pending": "待复核", "confirmed": "已确认", "dismissed": "已撤销"}
ACTION_LABELS = {"confirm": "确认", "dismiss": "撤销", "reopen": "退回待复核"}
TARGET_LABELS = {"site": "网站", "account": "新媒体"}
SORTS = {"seq": findings.c.seq, "unit": findings.c.unit, "code": findings.c.code, "points": findings.c.points}


@dataclass
class QueueFilter:
    state: str = "pending"  # pending | confirmed | dismissed | "" (all)
    rule: str = ""
    unit: str = ""  # part of the unit's name
    district: str = ""
    target_type: str = ""
    page: int = 1
    sort: str = "seq"
    desc: bool = False

    @classmethod
    def from_query(cls, q: Any) -> "QueueFilter":
        def page(v: str | None) -> int:
            try:
                return max(1, min(int(v or 1), 10 ** 6))
            except ValueError:
                return 1

        state = q.get("state", "pending")
        state = "" if state == "all" else state
        return cls(state=state if state in REVIEW_LABELS or state == "" else "pending",
                   rule=(q.get("rule") or "").strip()[:20], unit=(q.get("unit") or "").strip()[:200],
                   district=(q.get("district") or "").strip()[:100],
                   target_type=q.get("type") if q.get("type") in TARGET_LABELS else "",
                   page=page(q.get("page")), sort=q.get("sort") if q.get("sort") in SORTS else "seq",
                   desc=q.get("desc") == "1")

    def query(self, **change: Any) -> dict[str, str]:
        """The filter as URL parameters (for links that keep it)."""
        d = {"state": self.state or "all", "rule": self.rule, "unit": self.unit, "district": self.district,
             "type": self.target_type, "sort": self.sort, "desc": "1" if self.desc else "", "page": str(self.page)}
        d.update({k: str(v) for k, v in change.items()})
        return {k: v for k, v in d.items() if v not in ("", None) and not (k == "page" and v == "1")}


@dataclass
class QueuePage:
    rows: list[dict[str, Any]]
    total: int
    counts: dict[str, int]  # per review state, under the other filters
    page: int
    pages: int
    rules: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)


def _conditions(h: RoundHandle, flt: QueueFilter, with_state: bool = True) -> list:
    cond = [findings.c.round_id == h.id]
    if with_state and flt.state:
        cond.append(findings.c.review == flt.state)
    if flt.rule:
        cond.append(findings.c.code == flt.rule)
    if flt.unit:  # part of a name: matched against the round's units here, then an indexed IN
        units = [u for u in h.units() if flt.unit in u]
        cond.append(findings.c.unit.in_(units))
    if flt.target_type:
        cond.append(findings.c.target_type == flt.target_type)
    if flt.district:
        units = [u for u, r in h.unit_regions().items() if r == flt.district]
        cond.append(findings.c.unit.in_(units))
    return cond


QUEUE_COLUMNS = [findings.c.id, findings.c.seq, findings.c.unit, findings.c.target, findings.c.target_type,
                 findings.c.account_type, findings.c.code, findings.c.text, findings.c.points, findings.c.veto,
                 findings.c.evidence, findings.c.review, findings.c.review_by, findings.c.review_reason,
                 findings.c.review_at, findings.c.source]


def queue_select(h: RoundHandle, flt: QueueFilter, page_size: int):
    """The page's rows as one SELECT (the bench times this same statement as the plain-SQL peer)."""
    col = SORTS[flt.sort]
    order = [col.desc() if flt.desc else col]
    if flt.sort != "seq":  # a second "ORDER BY seq" would keep SQLite from walking the index in order
        order.append(findings.c.seq)
    return (select(*QUEUE_COLUMNS).where(*_conditions(h, flt)).order_by(*order)
            .limit(page_size).offset((flt.page - 1) * page_size))


def queue(h: RoundHandle, flt: QueueFilter, page_size: int) -> QueuePage:
    regions = h.unit_regions()
    with h.engine.connect() as c:
        counts = {k: 0 for k in REVIEW_LABELS}
        for state, n in c.execute(select(findings.c.review, func.count()).where(*_conditions(h, flt, False))
                                  .group_by(findings.c.review)):
            counts[state] = n
        total = counts.get(flt.state, 0) if flt.state else sum(counts.values())
        pages = max(1, math.ceil(total / page_size))
        flt.page = min(flt.page, pages)
        rows = [dict(r) for r in c.execute(queue_select(h, flt, page_size)).mappings()]
        rules = [code for (code,) in c.execute(select(findings.c.code).where(findings.c.round_id == h.id)
                                               .group_by(findings.c.code))]
    order = h.rs.order
    for r in rows:
        r["region"] = regions.get(r["unit"], "")
        r["review_label"] = REVIEW_LABELS.get(r["review"], r["review"])
        ev = (r["evidence"] or [{}])[0] if isinstance(r["evidence"], list) else {}
        r["where"] = ev.get("path") or ev.get("title") or ev.get("url") or ""
        r["note"] = ev.get("note") or ""
        r["n_evidence"] = len(r["evidence"] or [])
    rules.sort(key=lambda c_: (order.get(c_, 1 << 30), c_))
    return QueuePage(rows=rows, total=total, counts=counts, page=flt.page, pages=pages, rules=rules,
                     districts=sorted(set(regions.values())))


# ---------------------------------------------------------------------------------------------- decisions
def reviewer_name(display: str, username: str) -> str:
    return display if display == username else f"{display}（{username}）"


def review_many(h: RoundHandle, ids: list[str], action: str, by: str, reason: str, conn=None) -> list[dict[str, Any]]:
    """Record one decision for many findings (one transaction — the caller's when given; every finding gets its
    review_log row). Returns the findings touched (id, target, target_type)."""
    if action not in REVIEW_ACTIONS:
        raise ConsoleError(f"未知复核操作：{action}")
    if not by.strip():
        raise ConsoleError("复核须注明复核人")
    if not reason.strip():
        raise ConsoleError("请填写理由：每一项复核决定都须留痕")
    ids = list(dict.fromkeys(i for i in ids if i))
    if not ids:
        raise ConsoleError("请至少选择一条问题")
    at = now()
    with _tx(h, conn) as c:
        rows = [dict(r) for r in c.execute(
            select(findings.c.id, findings.c.target, findings.c.target_type, findings.c.unit)
            .where(findings.c.round_id == h.id, findings.c.id.in_(ids))).mappings()]
        if len(rows) != len(ids):
            raise ConsoleError("所选问题中有不属于本轮次的编号")
        c.execute(update(findings).where(findings.c.round_id == h.id, findings.c.id.in_(ids)).values(
            review=REVIEW_ACTIONS[action], review_by=by, review_reason=reason, review_at=at))
        c.execute(insert(review_log), [dict(finding_id=i, round_id=h.id, action=action, by=by, reason=reason, at=at)
                                       for i in ids])
    return rows


def score_text(row: dict[str, Any] | None) -> str:
    if row is None:
        return ""
    if row["target_type"] == "account":
        return row["verdict"]
    if row["verdict"] == VERDICT_VETO:
        return VERDICT_VETO
    return fmt_points(row["score"]) if row["score"] is not None else ""


def _finding(r: Any) -> Finding:
    return Finding.from_dict({
        "id": r["id"], "unit": r["unit"], "target": r["target"], "target_type": r["target_type"],
        "account_type": r["account_type"], "code": r["code"], "text": r["text"], "points": r["points"],
        "veto": r["veto"], "evidence": r["evidence"], "params": r["params"] or {}, "review": r["review"],
        "source": r["source"],
    })


SCORING_COLUMNS = [findings.c.id, findings.c.unit, findings.c.target, findings.c.target_type, findings.c.account_type,
                   findings.c.code, findings.c.params, findings.c.review, findings.c.evidence]


def _scoring_finding(r: Any) -> Finding:
    """What scoring reads of a finding (govcheck.score: code, review, params, account type, evidence paths)."""
    evs = r["evidence"] if isinstance(r["evidence"], list) else []
    return Finding(unit=r["unit"], target=r["target"], target_type=r["target_type"], code=r["code"], id=r["id"],
                   review=r["review"], params=r["params"] or {}, account_type=r["account_type"],
                   evidence=[Evidence(path=e.get("path")) for e in evs if isinstance(e, dict)])


def rescore_targets(h: RoundHandle, targets: set[tuple[str, str]], conn=None) -> list[dict[str, Any]]:
    """Recompute the scores of these (target_type, target) pairs; returns before → after for each."""
    if not targets:
        return []
    rs = h.rs
    site_urls = sorted(t for k, t in targets if k == "site")
    names = sorted(t for k, t in targets if k == "account")
    changes: list[dict[str, Any]] = []
    with _tx(h, conn) as c:
        # one IN over the targets (an OR of two would keep SQLite off the (round_id, target) index)
        fs = [_scoring_finding(r) for r in c.execute(select(*SCORING_COLUMNS).where(
            findings.c.round_id == h.id, findings.c.target.in_(site_urls + names)).order_by(findings.c.seq)).mappings()
              if (r["target_type"], r["target"]) in targets]
        fs = apply_rules(fs, rs)
        by_target: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        for f in fs:
            by_target[(f.target_type, f.target)].append(f)
        old = defaultdict(list)
        for r in c.execute(select(scores).where(scores.c.round_id == h.id, scores.c.target.in_(site_urls + names))
                           .order_by(scores.c.seq)).mappings():
            if (r["target_type"], r["target"]) in targets:
                old[(r["target_type"], r["target"])].append(dict(r))
        new: list[tuple[dict, Any, str]] = []  # (old row, new Score, label)
        for r in c.execute(select(sites).where(sites.c.round_id == h.id, sites.c.url.in_(site_urls))
                           .order_by(sites.c.seq)).mappings():
            site = Site(region=r["region"], unit=r["unit"], name=r["name"], url=r["url"], kind=r["kind"],
                        public_service=r["public_service"], site_id_code=r["site_id_code"],
                        extra_hosts=list(r["extra_hosts"] or []))
            rows = old.get(("site", site.url)) or []
            if rows:
                new.append((rows.pop(0), score_site(site, by_target.get(("site", site.url), []), rs), site.name))
        for r in c.execute(select(accounts).where(accounts.c.round_id == h.id, accounts.c.name.in_(names))
                           .order_by(accounts.c.seq)).mappings():
            acc = Account(region=r["region"], name=r["name"], unit=r["unit"], type=r["type"],
                          account_id=r["account_id"], source=r["source"])
            rows = old.get(("account", acc.name)) or []
            if rows:
                fs_acc = [f for f in by_target.get(("account", acc.name), []) if f.account_type in (None, acc.type)]
                new.append((rows.pop(0), score_account(acc, fs_acc, rs), f"{acc.name}（{acc.type}）"))
        for before, sc, label in new:
            after = dict(before, score=sc.score, part2=sc.part2, bonus=sc.bonus, verdict=sc.verdict)
            if (before["score"], before["verdict"], before["part2"], before["bonus"]) != \
                    (sc.score, sc.verdict, sc.part2, sc.bonus):
                c.execute(update(scores).where(scores.c.id == before["id"]).values(
                    score=sc.score, part2=sc.part2, bonus=sc.bonus, verdict=sc.verdict))
            changes.append({"unit": before["unit"], "target": before["target"], "target_type": before["target_type"],
                            "label": label, "before": score_text(before), "after": score_text(after),
                            "changed": score_text(before) != score_text(after)})
        c.execute(update(rounds).where(rounds.c.id == h.id).values(updated_at=now()))
    return changes


def decide(h: RoundHandle, ids: list[str], action: str, by: str, reason: str) -> list[dict[str, Any]]:
    """A review decision and its rescore, under the round's write lock; refused on a published round."""
    with h.lock:
        h.require_draft()
        with h.engine.begin() as c:  # the decision and the scores it changes commit together
            rows = review_many(h, ids, action, by, reason, c)
            return rescore_targets(h, {(r["target_type"], r["target"]) for r in rows}, c)


@contextmanager
def _tx(h: RoundHandle, conn):
    if conn is not None:
        yield conn
    else:
        with h.engine.begin() as c:
            yield c


def trail(h: RoundHandle, finding_id: str) -> list[dict[str, Any]]:
    with h.engine.connect() as c:
        return [dict(r) for r in c.execute(select(review_log).where(
            review_log.c.round_id == h.id, review_log.c.finding_id == finding_id).order_by(review_log.c.id)).mappings()]


def get_finding(h: RoundHandle, finding_id: str) -> dict[str, Any] | None:
    with h.engine.connect() as c:
        r = c.execute(select(findings).where(findings.c.round_id == h.id, findings.c.id == finding_id)).mappings().first()
    if r is None:
        return None
    d = dict(r)
    d["review_label"] = REVIEW_LABELS.get(d["review"], d["review"])
    d["region"] = h.unit_regions().get(d["unit"], "")
    return d
