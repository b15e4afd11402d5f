"""The console's tables.

Two places: per round, on the round store's own metadata (so they sit beside the findings they are about, in
round.sqlite or the --db database, and travel with the round); and the console's *home* database for what
spans rounds (accounts, sessions, API tokens, the audit log): `console.sqlite` in --home, or the --db database.
"""
from __future__ import annotations

from sqlalchemy import (
    JSON, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text,
    create_engine, event,
)
from sqlalchemy.engine import Engine

from govcheck.store import findings, metadata

# ---------------------------------------------------------------------------------------------- per round
web_state = Table(
    "web_state", metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("state", String(12), nullable=False),  # draft | published
    Column("version", Integer, nullable=False),  # the version being drafted, or the one published
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(100)),
)

web_publications = Table(
    "web_publications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("by", String(100), nullable=False),
    Column("deadline", Date, nullable=False),  # 整改期限
    Column("open_findings", Integer, nullable=False),  # 待复核 left when published
    Column("open_manual", Integer, nullable=False),  # 需人工核查 left open
    Column("open_reason", Text),  # why it was published with open items
    Column("dir", String(500), nullable=False),  # relative to the round folder
    Column("files", JSON, nullable=False),  # [{name, sha256, bytes}]
    Column("superseded_at", DateTime(timezone=True)),
    Column("superseded_by", String(100)),
    Column("supersede_reason", Text),
)

# what a publication sent to the units: the findings as published, so a later draft changes nothing for them
web_published = Table(
    "web_published", metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("finding_id", String(40), primary_key=True),
    Column("unit", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("review", String(12), nullable=False),
)
Index("ix_web_published_unit", web_published.c.round_id, web_published.c.version, web_published.c.unit)

web_reads = Table(
    "web_reads", metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("finding_id", String(40), primary_key=True),
    Column("unit", String(200), nullable=False),
    Column("read_at", DateTime(timezone=True), nullable=False),
    Column("read_by", String(100), nullable=False),
)

web_feedback = Table(  # 整改情况, append-only: a unit's later submission adds a row
    "web_feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("finding_id", String(40), nullable=False, index=True),
    Column("unit", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("by", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

web_files = Table(
    "web_files", metadata,
    Column("id", String(32), primary_key=True),  # random: never guessable from another file's id
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("unit", String(200)),  # the owning unit (feedback); NULL for the office's own uploads
    Column("kind", String(12), nullable=False),  # feedback | manual
    Column("ref", String(40), nullable=False),  # feedback id or manual item id
    Column("finding_id", String(40)),
    Column("name", String(255), nullable=False),  # the uploaded name, cleaned; shown and used for downloads
    Column("stored", String(200), nullable=False),  # relative to the round's console-files folder
    Column("bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content_type", String(120), nullable=False),
    Column("by", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

web_recheck = Table(  # 立即复查
    "web_recheck", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("target", String(2000), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("state", String(12), nullable=False),  # running | done | failed
    Column("at_date", Date, nullable=False),  # 监测时间点 of the re-check
    Column("by", String(100), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("dir", String(500), nullable=False),
    Column("error", Text),
    Column("results", JSON),  # {finding_id: {"result": 已整改|未整改|需人工核查, "note": …, "new_id": …}}
)

# the queue filters on these; created on existing round databases too (see ensure_round_indexes)
# (covering the counts and the rule list, so 60,000 findings are counted from the index, not the rows)
QUEUE_INDEXES = [
    Index("ix_findings_queue_review", findings.c.round_id, findings.c.review, findings.c.seq),
    Index("ix_findings_queue_code", findings.c.round_id, findings.c.code, findings.c.review, findings.c.seq),
    Index("ix_findings_queue_unit", findings.c.round_id, findings.c.unit, findings.c.review, findings.c.seq),
    Index("ix_findings_queue_target", findings.c.round_id, findings.c.target),
]


def ensure_round_indexes(engine: Engine) -> None:
    metadata.create_all(engine)
    for ix in QUEUE_INDEXES:
        ix.create(engine, checkfirst=True)


# ---------------------------------------------------------------------------------------------- home
home_metadata = MetaData()

users = Table(
    "console_users", home_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("display", String(100), nullable=False),
    Column("role", String(12), nullable=False),  # admin | inspector | unit
    Column("unit", String(200)),  # for unit users: the one unit they see
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100)),
)

sessions = Table(
    "console_sessions", home_metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the cookie's token: the token itself is not stored
    Column("user_id", ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("ip", String(64)),
    Column("agent", String(300)),
    Column("flash", JSON),
)

login_failures = Table(
    "console_login_failures", home_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("ip", String(64)),
)

api_tokens = Table(
    "console_api_tokens", home_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

audit = Table(  # every action: who, when, what, from which address. Append-only.
    "console_audit", home_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("username", String(100)),
    Column("role", String(12)),
    Column("ip", String(64)),
    Column("action", String(40), nullable=False, index=True),
    Column("round_key", String(500)),
    Column("target", String(2000)),
    Column("detail", JSON),
    Column("ok", Boolean, nullable=False),
)


def home_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):  # several requests write at once: wait instead of failing
            cur = conn.cursor()
            cur.execute("PRAGMA busy_timeout = 10000")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()
    home_metadata.create_all(engine)
    return engine
