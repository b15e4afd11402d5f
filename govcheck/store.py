"""The round's database: SQLite in the round folder by default, any SQLAlchemy URL (PostgreSQL) by option.

Every write happens in one transaction, so a command killed half-way leaves the previous state.
Review decisions are appended to review_log and never rewritten: the trail is the defence when a
unit disputes a dismissal or a confirmation.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import (
    JSON, Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, MetaData, String, Table, Text,
    create_engine, delete, insert, select, update,
)
from sqlalchemy.engine import Engine

from govcheck.model import Account, Finding, Score, Site

metadata = MetaData()

rounds = Table(
    "rounds", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("at", Date, nullable=False),  # 监测时间点
    Column("rules_name", String(100), nullable=False),
    Column("rules_version", String(100), nullable=False),
    Column("rules_hash", String(64), nullable=False),
    Column("rules_files", JSON, nullable=False),
    Column("seed", Integer, nullable=False),
    Column("meta", JSON, nullable=False),  # notice settings: title, 主送, 落款, dates, free paragraphs
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

sites = Table(
    "sites", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("region", String(100), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("public_service", Boolean, nullable=False),
    Column("site_id_code", String(40)),
    Column("extra_hosts", JSON, nullable=False),
)

accounts = Table(
    "accounts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("region", String(100), nullable=False),
    Column("name", String(200), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("type", String(50), nullable=False),
    Column("account_id", String(200)),
    Column("source", String(2000)),
)

findings = Table(
    "findings", metadata,
    Column("id", String(40), primary_key=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("unit", String(200), nullable=False),
    Column("target", String(2000), nullable=False),
    Column("target_type", String(10), nullable=False),
    Column("account_type", String(50)),
    Column("code", String(20), nullable=False),
    Column("text", Text, nullable=False),
    Column("points", Float, nullable=False),
    Column("veto", Boolean, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("params", JSON, nullable=False),
    Column("review", String(12), nullable=False),
    Column("review_by", String(100)),
    Column("review_reason", Text),
    Column("review_at", DateTime(timezone=True)),
    Column("source", String(10), nullable=False),
)

review_log = Table(
    "review_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("finding_id", String(40), nullable=False, index=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
    Column("action", String(12), nullable=False),
    Column("by", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

scores = Table(
    "scores", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("unit", String(200), nullable=False),
    Column("target", String(2000), nullable=False),
    Column("target_type", String(10), nullable=False),
    Column("score", Float),
    Column("part2", Float),
    Column("bonus", Float, nullable=False),
    Column("verdict", String(10), nullable=False),
)

samples = Table(
    "samples", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("code", String(20), nullable=False),
    Column("target", String(2000), nullable=False),
    Column("population", Integer, nullable=False),
    Column("items", JSON, nullable=False),
)

# 需人工核查: what a person must look at, kept with the round so its results survive re-scoring and
# re-inspection, and so the publication gate can count what is still open.
manual_items = Table(
    "manual_items", metadata,
    Column("id", String(40), primary_key=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("unit", String(200), nullable=False),
    Column("target", String(2000), nullable=False),
    Column("target_type", String(10), nullable=False),
    Column("code", String(20), nullable=False),
    Column("what", Text, nullable=False),
    Column("urls", JSON, nullable=False),
    Column("status", String(12), nullable=False),  # open / clear (无问题) / finding (有问题, finding_id)
    Column("result_note", Text),
    Column("result_by", String(100)),
    Column("result_at", DateTime(timezone=True)),
    Column("finding_id", String(40)),
)

# Every result recorded on a manual item, never rewritten (like review_log).
manual_log = Table(
    "manual_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", String(40), nullable=False, index=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(12), nullable=False),
    Column("by", String(100), nullable=False),
    Column("note", Text, nullable=False),
    Column("finding_id", String(40)),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Each time the outputs were issued as final (govcheck report --final, the console's 发布): who, when,
# what was still open and why it was published anyway.
publications = Table(
    "publications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by", String(100), nullable=False),
    Column("pending_findings", Integer, nullable=False),
    Column("open_manual", Integer, nullable=False),
    Column("allow_open_reason", Text),
    Column("files", JSON, nullable=False),
)

REVIEW_ACTIONS = {"confirm": "confirmed", "dismiss": "dismissed", "reopen": "pending"}
MANUAL_STATUSES = {"open": "待核查", "clear": "无问题", "finding": "有问题"}


class StoreError(RuntimeError):
    pass


def db_url_for(round_dir: Path) -> str:
    return f"sqlite:///{Path(round_dir).resolve() / 'round.sqlite'}"


def _jsonable(obj: Any) -> Any:
    """Dates in round settings (TOML dates) stored as ISO strings."""
    return json.loads(json.dumps(obj, ensure_ascii=False, default=lambda o: o.isoformat()))


def now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class ManualRecord:
    """One 需人工核查 item of a round and its result."""

    id: str
    unit: str
    target: str
    target_type: str
    code: str
    what: str
    urls: list[str]
    status: str = "open"  # see MANUAL_STATUSES
    result_note: str | None = None
    result_by: str | None = None
    result_at: datetime | None = None
    finding_id: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def manual_key(target: str, code: str, what: str) -> str:
    """A manual item's id: the same item re-produced by a rerun keeps its id (and its result)."""
    import hashlib

    return hashlib.sha1(f"{target}\x1f{code}\x1f{what}".encode("utf-8")).hexdigest()[:16]


@dataclass
class RoundInfo:
    id: int
    key: str
    name: str
    at: date
    rules_name: str
    rules_version: str
    rules_hash: str
    rules_files: list[str]
    seed: int
    meta: dict[str, Any]


class Store:
    def __init__(self, url: str, echo: bool = False):
        self.url = url
        self.engine: Engine = create_engine(url, echo=echo, future=True)
        metadata.create_all(self.engine)

    @classmethod
    def for_dir(cls, round_dir: Path, url: str | None = None) -> "Store":
        Path(round_dir).mkdir(parents=True, exist_ok=True)
        return cls(url or db_url_for(round_dir))

    # ------------------------------------------------------------------ rounds
    def round(self, key: str | None = None) -> RoundInfo:
        with self.engine.connect() as c:
            q = select(rounds)
            if key is not None:
                q = q.where(rounds.c.key == key)
            rows = c.execute(q.order_by(rounds.c.id)).mappings().all()
        if not rows:
            raise StoreError("数据库中没有该轮次" + (f"：{key}" if key else ""))
        if key is None and len(rows) > 1:
            raise StoreError("数据库中有多个轮次，请用 --round 指定：" + "、".join(r["key"] for r in rows))
        r = rows[-1]
        return RoundInfo(
            id=r["id"], key=r["key"], name=r["name"], at=r["at"], rules_name=r["rules_name"],
            rules_version=r["rules_version"], rules_hash=r["rules_hash"], rules_files=list(r["rules_files"]),
            seed=r["seed"], meta=dict(r["meta"]),
        )

    def create_round(
        self, *, key: str, name: str, at: date, ruleset, seed: int, meta: dict[str, Any],
        sites_: Iterable[Site] = (), accounts_: Iterable[Account] = (), replace: bool = True,
    ) -> int:
        """Create (or replace) a round with its roster, in one transaction."""
        with self.engine.begin() as c:
            old = c.execute(select(rounds.c.id).where(rounds.c.key == key)).scalar()
            if old is not None:
                if not replace:
                    raise StoreError(f"轮次已存在：{key}")
                for t in (review_log, findings, scores, samples, sites, accounts, manual_log, manual_items,
                          publications):
                    c.execute(delete(t).where(t.c.round_id == old))
                c.execute(delete(rounds).where(rounds.c.id == old))
            rid = c.execute(
                insert(rounds).values(
                    key=key, name=name, at=at, rules_name=ruleset.name, rules_version=ruleset.version,
                    rules_hash=ruleset.content_hash, rules_files=ruleset.files, seed=seed, meta=_jsonable(meta),
                    created_at=now(), updated_at=now(),
                )
            ).inserted_primary_key[0]
            site_rows = [
                dict(round_id=rid, seq=i, region=s.region, unit=s.unit, name=s.name, url=s.url, kind=s.kind,
                     public_service=s.public_service, site_id_code=s.site_id_code, extra_hosts=s.extra_hosts)
                for i, s in enumerate(sites_)
            ]
            if site_rows:
                c.execute(insert(sites), site_rows)
            acc_rows = [
                dict(round_id=rid, seq=i, region=a.region, name=a.name, unit=a.unit, type=a.type,
                     account_id=a.account_id, source=a.source)
                for i, a in enumerate(accounts_)
            ]
            if acc_rows:
                c.execute(insert(accounts), acc_rows)
        return rid

    def sites(self, round_id: int) -> list[Site]:
        with self.engine.connect() as c:
            rows = c.execute(select(sites).where(sites.c.round_id == round_id).order_by(sites.c.seq)).mappings()
            return [Site(region=r["region"], unit=r["unit"], name=r["name"], url=r["url"], kind=r["kind"],
                         public_service=r["public_service"], site_id_code=r["site_id_code"],
                         extra_hosts=list(r["extra_hosts"] or [])) for r in rows]

    def accounts(self, round_id: int) -> list[Account]:
        with self.engine.connect() as c:
            rows = c.execute(select(accounts).where(accounts.c.round_id == round_id).order_by(accounts.c.seq)).mappings()
            return [Account(region=r["region"], name=r["name"], unit=r["unit"], type=r["type"],
                            account_id=r["account_id"], source=r["source"]) for r in rows]

    # ------------------------------------------------------------------ findings
    def add_findings(self, round_id: int, items: Iterable[Finding], replace_source: str | None = None) -> list[str]:
        """Append findings; with replace_source, first drop that source's findings (a re-check)."""
        items = list(items)
        with self.engine.begin() as c:
            if replace_source is not None:
                c.execute(delete(findings).where(findings.c.round_id == round_id,
                                                 findings.c.source == replace_source))
            self._insert_findings(c, round_id, items)
        return [f.id for f in items]

    @staticmethod
    def _insert_findings(c, round_id: int, items: list[Finding]) -> None:
        start = c.execute(select(findings.c.seq).where(findings.c.round_id == round_id)
                          .order_by(findings.c.seq.desc()).limit(1)).scalar()
        start = -1 if start is None else start
        rows = []
        for i, f in enumerate(items):
            f.id = f.id or uuid.uuid4().hex[:12]
            rows.append(dict(
                id=f.id, round_id=round_id, seq=start + 1 + i, unit=f.unit, target=f.target,
                target_type=f.target_type, account_type=f.account_type, code=f.code, text=f.text,
                points=f.points, veto=f.veto, evidence=[e.to_dict() for e in f.evidence],
                params=f.params, review=f.review, source=f.source,
            ))
        if rows:
            c.execute(insert(findings), rows)

    def findings(self, round_id: int) -> list[Finding]:
        with self.engine.connect() as c:
            rows = c.execute(select(findings).where(findings.c.round_id == round_id)
                             .order_by(findings.c.seq)).mappings().all()
        out = []
        for r in rows:
            f = Finding.from_dict({
                "id": r["id"], "unit": r["unit"], "target": r["target"], "target_type": r["target_type"],
                "account_type": r["account_type"], "code": r["code"], "text": r["text"],
                "points": r["points"], "veto": r["veto"], "evidence": r["evidence"], "params": r["params"] or {},
                "review": r["review"], "source": r["source"],
            })
            out.append(f)
        return out

    def save_rescore(self, round_id: int, items: Iterable[Finding], new_scores: Iterable[Score], ruleset) -> None:
        """Re-printed findings, new scores and the rule set used, in one transaction."""
        with self.engine.begin() as c:
            for f in items:
                c.execute(update(findings).where(findings.c.id == f.id).values(
                    text=f.text, points=f.points, veto=f.veto))
            self._save_scores(c, round_id, new_scores)
            c.execute(update(rounds).where(rounds.c.id == round_id).values(
                rules_name=ruleset.name, rules_version=ruleset.version, rules_hash=ruleset.content_hash,
                rules_files=ruleset.files, updated_at=now()))

    def review(self, finding_id: str, action: str, by: str, reason: str) -> Finding:
        if action not in REVIEW_ACTIONS:
            raise StoreError(f"未知复核操作：{action}（confirm / dismiss / reopen）")
        if not by.strip() or not reason.strip():
            raise StoreError("复核须注明复核人（--by）和理由（--reason）")
        with self.engine.begin() as c:
            row = c.execute(select(findings.c.round_id).where(findings.c.id == finding_id)).first()
            if row is None:
                raise StoreError(f"问题编号不存在：{finding_id}")
            at = now()
            c.execute(update(findings).where(findings.c.id == finding_id).values(
                review=REVIEW_ACTIONS[action], review_by=by, review_reason=reason, review_at=at))
            c.execute(insert(review_log).values(finding_id=finding_id, round_id=row[0], action=action,
                                                by=by, reason=reason, at=at))
        return next(f for f in self.findings(row[0]) if f.id == finding_id)

    def review_trail(self, finding_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            rows = c.execute(select(review_log).where(review_log.c.finding_id == finding_id)
                             .order_by(review_log.c.id)).mappings().all()
        return [dict(r) for r in rows]

    # ------------------------------------------------------------------ scores and samples
    def save_scores(self, round_id: int, items: Iterable[Score]) -> None:
        with self.engine.begin() as c:
            self._save_scores(c, round_id, items)

    @staticmethod
    def _save_scores(c, round_id: int, items: Iterable[Score]) -> None:
        c.execute(delete(scores).where(scores.c.round_id == round_id))
        rows = [dict(round_id=round_id, seq=i, unit=s.unit, target=s.target, target_type=s.target_type,
                     score=s.score, part2=s.part2, bonus=s.bonus, verdict=s.verdict)
                for i, s in enumerate(items)]
        if rows:
            c.execute(insert(scores), rows)
        c.execute(update(rounds).where(rounds.c.id == round_id).values(updated_at=now()))

    def scores(self, round_id: int) -> list[Score]:
        with self.engine.connect() as c:
            rows = c.execute(select(scores).where(scores.c.round_id == round_id).order_by(scores.c.seq)).mappings()
            return [Score(unit=r["unit"], target=r["target"], target_type=r["target_type"], score=r["score"],
                          verdict=r["verdict"], part2=r["part2"], bonus=r["bonus"]) for r in rows]

    def record_sample(self, round_id: int, code: str, target: str, population: int, items: list[Any]) -> None:
        with self.engine.begin() as c:
            c.execute(insert(samples).values(round_id=round_id, code=code, target=target,
                                             population=population, items=json.loads(json.dumps(items))))

    def samples(self, round_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(select(samples).where(samples.c.round_id == round_id)).mappings()]

    # ------------------------------------------------------------------ 需人工核查 and publication
    def sync_manual(self, round_id: int, items: Iterable[dict[str, Any]]) -> None:
        """Make the round's open manual items the given ones (dicts with unit, target, target_type, code,
        what, urls). An item that already has a result keeps it, whether or not it is given again."""
        items = list(items)
        with self.engine.begin() as c:
            old = {r["id"]: r for r in c.execute(select(manual_items).where(manual_items.c.round_id == round_id))
                   .mappings()}
            keep = {i for i, r in old.items() if r["status"] != "open"}
            c.execute(delete(manual_items).where(manual_items.c.round_id == round_id,
                                                 manual_items.c.status == "open"))
            seq = max((r["seq"] for r in old.values()), default=-1)
            rows, seen = [], set(keep)
            for it in items:
                key = f"{round_id}:{manual_key(it['target'], it['code'], it['what'])}"
                if key in seen:
                    continue
                seen.add(key)
                seq += 1
                rows.append(dict(id=key, round_id=round_id, seq=old[key]["seq"] if key in old else seq,
                                 unit=it["unit"], target=it["target"], target_type=it.get("target_type", "site"),
                                 code=it["code"], what=it["what"], urls=list(it.get("urls") or []),
                                 status="open"))
            if rows:
                c.execute(insert(manual_items), rows)

    def manual_items(self, round_id: int) -> list[ManualRecord]:
        with self.engine.connect() as c:
            rows = c.execute(select(manual_items).where(manual_items.c.round_id == round_id)
                             .order_by(manual_items.c.seq)).mappings().all()
        return [ManualRecord(id=r["id"], unit=r["unit"], target=r["target"], target_type=r["target_type"],
                             code=r["code"], what=r["what"], urls=list(r["urls"] or []), status=r["status"],
                             result_note=r["result_note"], result_by=r["result_by"], result_at=r["result_at"],
                             finding_id=r["finding_id"]) for r in rows]

    def resolve_manual(self, round_id: int, results: Iterable[tuple[str, str, str, str, Finding | None]]) -> int:
        """Record results (item id, status clear|finding|open, by, note, finding or None) in one transaction;
        a finding given with a result is added to the round. Returns how many items changed."""
        results = list(results)
        with self.engine.begin() as c:
            ids = {r[0] for r in results}
            have = {r["id"]: r for r in c.execute(select(manual_items).where(
                manual_items.c.round_id == round_id, manual_items.c.id.in_(ids))).mappings()}
            for item_id, status, _by, _note, _f in results:
                if item_id not in have:
                    raise StoreError(f"人工核查事项编号不存在：{item_id}")
                if status not in MANUAL_STATUSES:
                    raise StoreError(f"核查结果未知：{status}（{'、'.join(MANUAL_STATUSES.values())}）")
            new_findings = [f for *_, f in results if f is not None]
            if new_findings:
                self._insert_findings(c, round_id, new_findings)
            changed = 0
            at = now()
            for item_id, status, by, note, f in results:
                fid = f.id if f is not None else None
                c.execute(update(manual_items).where(manual_items.c.id == item_id).values(
                    status=status, result_by=by, result_note=note, result_at=at, finding_id=fid))
                c.execute(insert(manual_log).values(item_id=item_id, round_id=round_id, status=status, by=by,
                                                    note=note, finding_id=fid, at=at))
                if f is not None and f.review == "confirmed":
                    # a person found it: the finding enters the round reviewed, with the trail saying so
                    c.execute(update(findings).where(findings.c.id == fid).values(
                        review_by=by, review_reason=f"人工核查：{note}", review_at=at))
                    c.execute(insert(review_log).values(finding_id=fid, round_id=round_id, action="confirm",
                                                        by=by, reason=f"人工核查：{note}", at=at))
                changed += 1
        return changed

    def manual_trail(self, item_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            rows = c.execute(select(manual_log).where(manual_log.c.item_id == item_id)
                             .order_by(manual_log.c.id)).mappings().all()
        return [dict(r) for r in rows]

    def record_publication(self, round_id: int, *, by: str, pending_findings: int, open_manual: int,
                           allow_open_reason: str | None, files: list[str]) -> None:
        with self.engine.begin() as c:
            c.execute(insert(publications).values(round_id=round_id, at=now(), by=by,
                                                  pending_findings=pending_findings, open_manual=open_manual,
                                                  allow_open_reason=allow_open_reason, files=files))

    def publications(self, round_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(select(publications).where(publications.c.round_id == round_id)
                                               .order_by(publications.c.id)).mappings()]
