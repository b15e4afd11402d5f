"""The round's database: SQLite in the round folder by default, any SQLAlchemy URL (PostgreSQL) by option.

Every write happens in one transaction, so a command killed half-way leaves the previous state.
Review decisions are appended to review_log and never rewritten: the trail is the defence when a
unit disputes a dismissal or a confirmation.

Nothing the office did is ever deleted by a rerun. A round is created once and then *resumed*: a rerun
replaces only the findings the program derives (source auto), matching each re-derived finding to the
stored one by what it is about (`finding_key`), so it keeps its id and its review state; a stored auto
finding not derived again moves to retired_findings. Manual findings, the review log and every rescore
(score_history) are kept. Only `delete_round` removes a round, and the round core calls it only after
writing a backup (govcheck.round.start_afresh).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import (
    JSON, Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, MetaData, String, Table, Text, delete,
    insert, select, update,
)
from sqlalchemy.engine import Engine

from govcheck.db import db_url_for, make_engine
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

def _score_columns() -> list[Column]:
    """One target's score (the current scores and every rescore in score_history have the same row)."""
    return [
        Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("seq", Integer, nullable=False),
        Column("unit", String(200), nullable=False),
        Column("target", String(2000), nullable=False),
        Column("target_type", String(10), nullable=False),
        Column("score", Float),
        Column("part2", Float),
        Column("bonus", Float, nullable=False),
        Column("verdict", String(10), nullable=False),
    ]


scores = Table("scores", metadata, Column("id", Integer, primary_key=True, autoincrement=True), *_score_columns())

samples = Table(
    "samples", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("code", String(20), nullable=False),
    Column("target", String(2000), nullable=False),
    Column("population", Integer, nullable=False),
    Column("items", JSON, nullable=False),
)

# An auto finding a rerun did not derive again: kept whole (with its review state), never scored.
retired_findings = Table(
    "retired_findings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("finding_id", String(40), nullable=False, index=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("retired_at", DateTime(timezone=True), nullable=False),
    Column("data", JSON, nullable=False),  # the finding's row as it was
)

# Every rescore, appended: which rule set, when, and by which command (score history).
rescores = Table(
    "rescores", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("command", String(200)),
    Column("rules_name", String(100), nullable=False),
    Column("rules_version", String(100), nullable=False),
    Column("rules_hash", String(64), nullable=False),
    Column("findings", Integer, nullable=False),
)

score_history = Table(
    "score_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rescore_id", ForeignKey("rescores.id", ondelete="CASCADE"), nullable=False, index=True),
    *_score_columns(),
)

# Targets the round could not assess (a site that could not be reached): scored 需人工核查, never 合格.
target_access = Table(
    "target_access", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("target", String(2000), nullable=False),
    Column("target_type", String(10), nullable=False),
    Column("kind", String(20), nullable=False),  # dns / connect / tls / timeout / http / blocked / url / error
    Column("label", String(100), nullable=False),  # the kind in words: 域名无法解析 …
    Column("detail", Text, nullable=False),  # the fetch's own error text
    Column("url", String(2000)),
    Column("at", DateTime(timezone=True)),
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

ROUND_TABLES = (rounds, sites, accounts, findings, review_log, retired_findings, rescores, score_history,
                scores, samples, target_access, manual_items, manual_log, publications)
REVIEW_ACTIONS = {"confirm": "confirmed", "dismiss": "dismissed", "reopen": "pending"}
MANUAL_STATUSES = {"open": "待核查", "clear": "无问题", "finding": "有问题"}


class StoreError(RuntimeError):
    pass


class RoundMismatch(StoreError):
    """A rerun whose settings contradict the stored round (another time point or seed)."""

    @classmethod
    def of(cls, where: str, old_at: date, old_seed: int, at: date, seed: int) -> "RoundMismatch":
        return cls(f"{where} 已有一轮检查（监测时间点 {old_at.isoformat()}，抽样种子 {old_seed}），与本次"
                   f"（{at.isoformat()}，{seed}）不同。续查请用相同设置；如要另起一轮，请换一个输出目录，"
                   "或加 --fresh 重新开始（原轮次先备份到 backups/）。")


def finding_key(f: Finding | dict[str, Any]) -> str:
    """What a finding is about, as a digest: the same finding derived again has the same key.

    Auto findings: unit, target, code, params and the evidence's path/URL/title (not its note, date or
    fetch details, which a reworded note or a refetch may change). Manual findings also count the
    evidence's date and note, which is all that tells two hand-entered findings apart."""
    d = f.to_dict() if isinstance(f, Finding) else f
    manual = d.get("source", "auto") != "auto"
    fields = ("path", "url", "title", "date", "note") if manual else ("path", "url", "title")
    ev = [[(e or {}).get(k) if isinstance(e, dict) else None for k in fields] for e in d.get("evidence") or []]
    ident = [d.get("unit"), d.get("target"), d.get("target_type"), d.get("account_type"), d.get("code"),
             d.get("params") or {}, ev, "m" if manual else "a"]
    raw = json.dumps(ident, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _keyed(items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """(key, x) → (key#occurrence, x): identical findings in one batch stay distinct, in order."""
    seen: dict[str, int] = {}
    out = []
    for k, x in items:
        n = seen.get(k, 0) + 1
        seen[k] = n
        out.append((f"{k}#{n}", x))
    return out


def _new_id(key: str, source: str, taken: set[str]) -> str:
    base, _, n = key.partition("#")
    fid = ("a" if source == "auto" else "m") + base[:15] + ("" if n == "1" else f"-{n}")
    i = 2
    while fid in taken:  # a retired finding's id, or a digest collision
        fid = f"{fid.split('~')[0]}~{i}"
        i += 1
    taken.add(fid)
    return fid


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
        self.engine: Engine = make_engine(url, metadata, echo=echo)

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
        sites_: Iterable[Site] = (), accounts_: Iterable[Account] = (),
    ) -> int:
        """A new round with its roster, in one transaction; an existing key is an error (see ensure_round)."""
        with self.engine.begin() as c:
            if c.execute(select(rounds.c.id).where(rounds.c.key == key)).scalar() is not None:
                raise StoreError(f"轮次已存在：{key}")
            rid = c.execute(
                insert(rounds).values(
                    key=key, name=name, at=at, rules_name=ruleset.name, rules_version=ruleset.version,
                    rules_hash=ruleset.content_hash, rules_files=ruleset.files, seed=seed, meta=_jsonable(meta),
                    created_at=now(), updated_at=now(),
                )
            ).inserted_primary_key[0]
            self._put_roster(c, rid, sites_, accounts_)
        return rid

    def ensure_round(
        self, *, key: str, name: str, at: date, ruleset, seed: int, meta: dict[str, Any],
        sites_: Iterable[Site] = (), accounts_: Iterable[Account] = (),
    ) -> tuple[int, bool]:
        """(round id, created): create the round, or resume it — its settings and roster are updated, and
        nothing the office entered is touched. A stored round with another time point or seed is another
        round: RoundMismatch (the caller offers a fresh start with a backup)."""
        with self.engine.begin() as c:
            row = c.execute(select(rounds.c.id, rounds.c.at, rounds.c.seed).where(rounds.c.key == key)).first()
            if row is None:
                created = True
                rid = c.execute(insert(rounds).values(
                    key=key, name=name, at=at, rules_name=ruleset.name, rules_version=ruleset.version,
                    rules_hash=ruleset.content_hash, rules_files=ruleset.files, seed=seed, meta=_jsonable(meta),
                    created_at=now(), updated_at=now())).inserted_primary_key[0]
            else:
                created = False
                rid, old_at, old_seed = row
                if old_at != at or old_seed != seed:
                    raise RoundMismatch.of(key, old_at, old_seed, at, seed)
                c.execute(update(rounds).where(rounds.c.id == rid).values(
                    name=name, rules_name=ruleset.name, rules_version=ruleset.version,
                    rules_hash=ruleset.content_hash, rules_files=ruleset.files, meta=_jsonable(meta),
                    updated_at=now()))
                c.execute(delete(sites).where(sites.c.round_id == rid))
                c.execute(delete(accounts).where(accounts.c.round_id == rid))
            self._put_roster(c, rid, sites_, accounts_)
        return rid, created

    @staticmethod
    def _put_roster(c, rid: int, sites_: Iterable[Site], accounts_: Iterable[Account]) -> None:
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

    def delete_round(self, key: str) -> None:
        """Remove a round and everything in it. Only for a fresh start, after govcheck.round wrote a backup."""
        with self.engine.begin() as c:
            rid = c.execute(select(rounds.c.id).where(rounds.c.key == key)).scalar()
            if rid is None:
                return
            for t in reversed(ROUND_TABLES[1:]):
                c.execute(delete(t).where(t.c.round_id == rid))
            c.execute(delete(rounds).where(rounds.c.id == rid))

    def export_round(self, key: str) -> dict[str, list[dict[str, Any]]]:
        """Every row of the round, table by table (the backup written before a fresh start)."""
        out: dict[str, list[dict[str, Any]]] = {}
        with self.engine.connect() as c:
            rid = c.execute(select(rounds.c.id).where(rounds.c.key == key)).scalar()
            if rid is None:
                return out
            for t in ROUND_TABLES:
                col = t.c.id if t is rounds else t.c.round_id
                out[t.name] = [dict(r) for r in c.execute(select(t).where(col == rid)).mappings()]
        return out

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
    @staticmethod
    def _row(round_id: int, seq: int, f: Finding) -> dict[str, Any]:
        return dict(id=f.id, round_id=round_id, seq=seq, unit=f.unit, target=f.target,
                    target_type=f.target_type, account_type=f.account_type, code=f.code, text=f.text,
                    points=f.points, veto=f.veto, evidence=[e.to_dict() for e in f.evidence],
                    params=f.params, review=f.review, source=f.source, review_by=None, review_reason=None,
                    review_at=None)

    @staticmethod
    def _row_finding(r) -> Finding:
        return Finding.from_dict({
            "id": r["id"], "unit": r["unit"], "target": r["target"], "target_type": r["target_type"],
            "account_type": r["account_type"], "code": r["code"], "text": r["text"], "points": r["points"],
            "veto": r["veto"], "evidence": r["evidence"], "params": r["params"] or {}, "review": r["review"],
            "source": r["source"],
        })

    def add_findings(self, round_id: int, items: Iterable[Finding]) -> tuple[list[str], list[Finding]]:
        """Append findings (manual imports); one already in the round (same key) is not added twice.
        Returns (ids added, findings skipped as already present)."""
        with self.engine.begin() as c:
            return self._add_findings(c, round_id, list(items))

    def _add_findings(self, c, round_id: int, items: list[Finding]) -> tuple[list[str], list[Finding]]:
        """add_findings in the caller's transaction (a manual result adds its finding with the item's record)."""
        rows = c.execute(select(findings).where(findings.c.round_id == round_id)
                         .order_by(findings.c.seq)).mappings().all()
        taken = {r["id"] for r in rows} | self._retired_ids(c, round_id)
        have = {k for k, _ in _keyed([(finding_key(self._row_finding(r)), r) for r in rows])}
        start = max((r["seq"] for r in rows), default=-1) + 1
        added, skipped, new_rows = [], [], []
        for k, f in _keyed([(finding_key(f), f) for f in items]):
            if k in have:
                skipped.append(f)
                continue
            if not f.id or f.id in taken:
                f.id = _new_id(k, f.source, taken)
            taken.add(f.id)
            new_rows.append(self._row(round_id, start + len(new_rows), f))
            added.append(f.id)
        if new_rows:
            c.execute(insert(findings), new_rows)
        return added, skipped

    def replace_derived(self, round_id: int, items: Iterable[Finding]) -> dict[str, int]:
        """Store what a run derived, in its order, ahead of the findings entered by hand.

        Auto findings replace the stored auto findings: one derived again (same key) keeps its id and review
        state; one not derived again moves to retired_findings (a later run that derives it again brings it
        back, review and all). A non-auto finding a run passes (the demo's transcription) takes the place of
        the same stored finding, or is added. Findings imported by hand stay, after the derived ones, and the
        review log is not touched. One transaction."""
        items = list(items)
        stats = {"kept": 0, "new": 0, "retired": 0, "restored": 0}
        with self.engine.begin() as c:
            rows = [dict(r) for r in c.execute(select(findings).where(findings.c.round_id == round_id)
                                               .order_by(findings.c.seq)).mappings()]
            live = {"auto": {}, "other": {}}
            for k, r in _keyed([(finding_key(self._row_finding(r)), r) for r in rows]):
                live["auto" if r["source"] == "auto" else "other"][k] = r
            retired_rows = c.execute(select(retired_findings).where(retired_findings.c.round_id == round_id)
                                     .order_by(retired_findings.c.id)).mappings().all()
            retired = {k: rr for k, rr in _keyed([(finding_key(self._row_finding(rr["data"])), rr)
                                                  for rr in retired_rows])}
            taken = {r["id"] for r in rows} | {rr["data"]["id"] for rr in retired_rows}
            out_rows, claimed, unretire = [], set(), []
            for k, f in _keyed([(finding_key(f), f) for f in items]):
                side = "auto" if f.source == "auto" else "other"
                prev = live[side].get(k)
                if prev is not None:
                    claimed.add(prev["id"])
                    stats["kept"] += 1
                elif side == "auto" and k in retired:
                    unretire.append(retired[k]["id"])
                    prev = dict(retired[k]["data"])
                    stats["restored"] += 1
                else:
                    stats["new"] += 1
                row = self._row(round_id, len(out_rows), f)
                if prev is not None:
                    row["id"] = f.id = prev["id"]
                    if prev.get("review_at") is not None or prev.get("review", "pending") != "pending":
                        row["review"] = f.review = prev["review"]
                    row.update(review_by=prev.get("review_by"), review_reason=prev.get("review_reason"),
                               review_at=_as_dt(prev.get("review_at")))
                else:
                    row["id"] = f.id = _new_id(k, f.source, taken)
                out_rows.append(row)
            gone = [r for r in live["auto"].values() if r["id"] not in claimed]
            if gone:
                c.execute(insert(retired_findings), [
                    dict(finding_id=r["id"], round_id=round_id, retired_at=now(), data=_jsonable(r)) for r in gone])
            stats["retired"] = len(gone)
            if unretire:
                c.execute(delete(retired_findings).where(retired_findings.c.id.in_(unretire)))
            for r in live["other"].values():  # entered by hand: kept as they are, after the derived ones
                if r["id"] not in claimed:
                    out_rows.append(r | {"seq": len(out_rows)})
            c.execute(delete(findings).where(findings.c.round_id == round_id))
            if out_rows:
                c.execute(insert(findings), out_rows)
        return stats

    @staticmethod
    def _retired_ids(c, round_id: int) -> set[str]:
        return {r[0] for r in c.execute(select(retired_findings.c.finding_id)
                                        .where(retired_findings.c.round_id == round_id))}

    def retired(self, round_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(select(retired_findings).where(retired_findings.c.round_id == round_id)
                                               .order_by(retired_findings.c.id)).mappings()]

    def findings(self, round_id: int) -> list[Finding]:
        with self.engine.connect() as c:
            rows = c.execute(select(findings).where(findings.c.round_id == round_id)
                             .order_by(findings.c.seq)).mappings().all()
        return [self._row_finding(r) for r in rows]

    def save_rescore(self, round_id: int, items: Iterable[Finding], new_scores: Iterable[Score], ruleset,
                     command: str | None = None) -> None:
        """Re-printed findings, new scores (appended to the score history) and the rule set used, in one
        transaction."""
        items = list(items)
        with self.engine.begin() as c:
            for f in items:
                c.execute(update(findings).where(findings.c.id == f.id).values(
                    text=f.text, points=f.points, veto=f.veto))
            self._save_scores(c, round_id, new_scores, ruleset, command, len(items))
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

    def review_log(self, round_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(select(review_log).where(review_log.c.round_id == round_id)
                                               .order_by(review_log.c.id)).mappings()]

    # ------------------------------------------------------------------ scores and samples
    def save_scores(self, round_id: int, items: Iterable[Score], ruleset=None, command: str | None = None) -> None:
        with self.engine.begin() as c:
            self._save_scores(c, round_id, items, ruleset, command)

    @staticmethod
    def _save_scores(c, round_id: int, items: Iterable[Score], ruleset=None, command: str | None = None,
                     n_findings: int = 0) -> None:
        """The current scores, replaced; and the same rows appended to score_history under a new rescore."""
        items = list(items)
        c.execute(delete(scores).where(scores.c.round_id == round_id))
        rows = [dict(round_id=round_id, seq=i, unit=s.unit, target=s.target, target_type=s.target_type,
                     score=s.score, part2=s.part2, bonus=s.bonus, verdict=s.verdict)
                for i, s in enumerate(items)]
        if rows:
            c.execute(insert(scores), rows)
        if ruleset is None:
            info = c.execute(select(rounds.c.rules_name, rounds.c.rules_version, rounds.c.rules_hash)
                             .where(rounds.c.id == round_id)).first()
            rules = dict(rules_name=info[0], rules_version=info[1], rules_hash=info[2])
        else:
            rules = dict(rules_name=ruleset.name, rules_version=ruleset.version, rules_hash=ruleset.content_hash)
        hid = c.execute(insert(rescores).values(round_id=round_id, at=now(), command=(command or "")[:200],
                                                findings=n_findings, **rules)).inserted_primary_key[0]
        if rows:
            c.execute(insert(score_history), [r | {"rescore_id": hid} for r in rows])
        c.execute(update(rounds).where(rounds.c.id == round_id).values(updated_at=now()))

    def scores(self, round_id: int) -> list[Score]:
        with self.engine.connect() as c:
            rows = c.execute(select(scores).where(scores.c.round_id == round_id).order_by(scores.c.seq)).mappings()
            return [Score(unit=r["unit"], target=r["target"], target_type=r["target_type"], score=r["score"],
                          verdict=r["verdict"], part2=r["part2"], bonus=r["bonus"]) for r in rows]

    def score_history(self, round_id: int) -> list[dict[str, Any]]:
        """Every rescore of the round, oldest first, each with its scores."""
        with self.engine.connect() as c:
            runs = [dict(r) for r in c.execute(select(rescores).where(rescores.c.round_id == round_id)
                                               .order_by(rescores.c.id)).mappings()]
            rows = c.execute(select(score_history).where(score_history.c.round_id == round_id)
                             .order_by(score_history.c.rescore_id, score_history.c.seq)).mappings().all()
        by_run: dict[int, list[dict[str, Any]]] = {}
        for r in rows:
            by_run.setdefault(r["rescore_id"], []).append(dict(r))
        for run in runs:
            run["scores"] = by_run.get(run["id"], [])
        return runs

    def replace_samples(self, round_id: int, items: Iterable[tuple[str, str, int, list[Any]]]) -> None:
        """The samples a run drew (code, target, population, items), replacing the previous run's."""
        rows = [dict(round_id=round_id, code=code, target=target, population=pop, items=json.loads(json.dumps(it)))
                for code, target, pop, it in items]
        with self.engine.begin() as c:
            c.execute(delete(samples).where(samples.c.round_id == round_id))
            if rows:
                c.execute(insert(samples), rows)

    def record_sample(self, round_id: int, code: str, target: str, population: int, items: list[Any]) -> None:
        with self.engine.begin() as c:
            c.execute(insert(samples).values(round_id=round_id, code=code, target=target,
                                             population=population, items=json.loads(json.dumps(items))))

    def samples(self, round_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(select(samples).where(samples.c.round_id == round_id)).mappings()]

    # ------------------------------------------------------------------ access (targets not assessed)
    def replace_access(self, round_id: int, items: Iterable[dict[str, Any]]) -> None:
        """Targets a run could not assess (target, target_type, kind, label, detail, url, at), replacing the
        last run's."""
        rows = [dict(round_id=round_id, target=a["target"], target_type=a.get("target_type", "site"),
                     kind=a["kind"], label=a.get("label") or a["kind"], detail=a.get("detail") or "",
                     url=a.get("url"), at=_as_dt(a.get("at")))
                for a in items]
        with self.engine.begin() as c:
            c.execute(delete(target_access).where(target_access.c.round_id == round_id))
            if rows:
                c.execute(insert(target_access), rows)

    def access(self, round_id: int) -> dict[str, dict[str, Any]]:
        """target → why it could not be assessed."""
        with self.engine.connect() as c:
            rows = c.execute(select(target_access).where(target_access.c.round_id == round_id)
                             .order_by(target_access.c.id)).mappings().all()
        return {r["target"]: {"target": r["target"], "target_type": r["target_type"], "kind": r["kind"],
                              "label": r["label"], "detail": r["detail"], "url": r["url"],
                              "at": r["at"].isoformat() if r["at"] is not None else None} for r in rows}


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
                self._add_findings(c, round_id, new_findings)
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


def _as_dt(v: Any) -> datetime | None:
    if v is None or isinstance(v, datetime):
        return v
    try:
        return datetime.fromisoformat(str(v))
    except ValueError:
        return None
