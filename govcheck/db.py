"""The one place a round's database URL and engine are made (round core and crawler share the database).

SQLite runs in WAL mode with a busy timeout, so the crawler's writer thread, the reading workers and the
round core can share one file: a reader never blocks the writer, and a writer waits for another instead of
failing with `database is locked`. One *process* writes a round at a time; govcheck.lock enforces that.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine

DB_FILE = "round.sqlite"
MONITOR_DB_FILE = "monitor.sqlite"  # the availability monitoring record (govcheck monitor); spans rounds
BUSY_TIMEOUT_S = 60.0


def db_url_for(round_dir: str | Path) -> str:
    """The default database of a round folder: OUT/round.sqlite."""
    return "sqlite:///" + str(Path(round_dir).resolve() / DB_FILE)


def monitor_db_url_for(round_dir: str | Path) -> str:
    """The monitoring record beside a round folder's database: OUT/monitor.sqlite. A file of its own, so a
    week-long writer never waits on the round's, and a round's --fresh keeps it."""
    return "sqlite:///" + str(Path(round_dir).resolve() / MONITOR_DB_FILE)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite URL (None for other databases and for in-memory SQLite)."""
    if not is_sqlite(url):
        return None
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    return Path(rest) if rest and rest != ":memory:" else None


def make_engine(url: str, *metadatas: MetaData, echo: bool = False) -> Engine:
    """An engine for `url` with the given tables present (create_all is idempotent)."""
    kw: dict = {"echo": echo, "future": True}
    if is_sqlite(url):
        kw["connect_args"] = {"timeout": BUSY_TIMEOUT_S}
    engine = create_engine(url, **kw)
    if is_sqlite(url):
        @event.listens_for(engine, "connect")
        def _pragma(dbapi_conn, _rec):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            cur.close()
    for md in metadatas:
        md.create_all(engine, checkfirst=True)
    return engine
