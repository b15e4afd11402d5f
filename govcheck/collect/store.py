"""The crawler's tables in the round's database (prefix crawl_), SQLite by default, any SQLAlchemy URL.

Own MetaData so the round core can keep its tables in the same database; create_all is idempotent.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.engine import Engine

from govcheck.db import make_engine as _make_engine

metadata = MetaData()

crawl_run = Table(
    "crawl_run", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("obey_robots", Boolean, nullable=False),  # False = robots.txt overridden, recorded here
    Column("options", Text, nullable=False),  # JSON of CrawlOptions
    Column("command", Text),
)

crawl_site = Table(
    "crawl_site", metadata,
    Column("site", String(500), primary_key=True),  # the roster's 首页网址
    Column("unit", String(200)),
    Column("name", String(200)),
    Column("status", String(20), nullable=False),  # running / done
    Column("run_id", Integer),
    Column("started_at", DateTime),
    Column("finished_at", DateTime),
    Column("result", Text),  # JSON of SiteResult
)

crawl_fetch = Table(
    "crawl_fetch", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site", String(500), nullable=False),
    Column("run_id", Integer),
    Column("url", Text, nullable=False),
    Column("final_url", Text),
    Column("kind", String(12), nullable=False),  # page / asset / api / robots / external
    Column("method", String(8), nullable=False),
    Column("status", Integer),
    Column("content_type", String(200)),
    Column("bytes", Integer),  # payload after Content-Encoding is undone
    Column("wire_bytes", Integer),  # payload as received
    Column("sha256", String(64)),  # of the decoded payload (what record.content_stream() returns)
    Column("fetched_at", DateTime),
    Column("elapsed", Float),  # seconds from first request to last byte, redirects included
    Column("slow", Boolean),  # the 15-second rule
    Column("attempts", Integer),
    Column("redirects", Integer),
    Column("error", Text),
    Column("outcome", String(12)),  # ok / broken / suspected / blocked / error
    Column("depth", Integer),
    Column("referrer", Text),
    Column("title", Text),
    Column("note", String(50)),  # 动态加载 when scripts render content without a fetchable API URL
    Column("warc", String(300)),  # path relative to the crawl's out dir
    Column("warc_offset", Integer),  # offset of the final response record
    Column("warc_end", Integer),  # end of this fetch's records in the file
    Column("record_id", String(100)),
)
Index("ix_crawl_fetch_site_url", crawl_fetch.c.site, crawl_fetch.c.url)

crawl_queue = Table(
    "crawl_queue", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site", String(500), nullable=False),
    Column("url", Text, nullable=False),
    Column("kind", String(12), nullable=False),
    Column("depth", Integer, nullable=False),
    Column("referrer", Text),
)
Index("ix_crawl_queue_site", crawl_queue.c.site)

# Links per target, not per occurrence: a navigation bar repeats the same ~30 links on every page (1.05 M
# occurrence rows, 274 MB, for the demo's 30,000 pages). One row is kept per (site, target, link text,
# home-page referrer or none): the first page seen linking to it, plus each of the home page's own copies
# (/, /index.html …) that link to it — what the checks read (D22.1 on the home page vs D22.2 elsewhere,
# the 我要写信 entry by its text, why a URL was not read). Every occurrence stays in the WARC's metadata
# records and in the archived pages themselves. `key` (collect.links.link_key) makes inserts idempotent.
crawl_link = Table(
    "crawl_link", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", BigInteger, nullable=False, unique=True),
    Column("site", String(500), nullable=False),
    Column("referrer", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("tag", String(12)),
    Column("text", Text),
    Column("internal", Boolean),
)
Index("ix_crawl_link_site", crawl_link.c.site)

crawl_skip = Table(
    "crawl_skip", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site", String(500), nullable=False),
    Column("url", Text, nullable=False),
    Column("reason", String(20), nullable=False),  # trap / robots / depth / limit
    Column("detail", Text),
    Column("referrer", Text),
)
Index("ix_crawl_skip_site", crawl_skip.c.site)

crawl_probe = Table(
    "crawl_probe", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site", String(500), nullable=False),
    Column("url", Text, nullable=False),
    Column("at", DateTime, nullable=False),  # UTC
    Column("status", Integer),
    Column("elapsed", Float),
    Column("ok", Boolean, nullable=False),
    Column("blocked", Boolean),
    Column("error", Text),
)
Index("ix_crawl_probe_site_at", crawl_probe.c.site, crawl_probe.c.at)

crawl_tls = Table(  # what each https origin's certificate looked like, once per site (TLS facts)
    "crawl_tls", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site", String(500), nullable=False),
    Column("origin", String(300), nullable=False),  # https://host[:port]
    Column("url", Text),  # the fetch that first met it
    Column("checked_at", DateTime),
    Column("ok", Boolean, nullable=False),  # verified
    Column("problem", String(30)),  # expired / not_yet_valid / hostname_mismatch / self_signed / untrusted / …
    Column("detail", Text),
    Column("subject", Text),
    Column("issuer", Text),
    Column("names", Text),  # JSON list of subjectAltNames
    Column("not_before", String(40)),
    Column("not_after", String(40)),
)
Index("ix_crawl_tls_site", crawl_tls.c.site)


_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def bulk_insert(conn, table, rows: list[dict[str, Any]], skip_existing: bool = False) -> None:
    """executemany straight to the driver: SQLAlchemy's per-row parameter processing cost more than the
    inserts themselves at ~40 link rows per page. Rows of one call share their keys. `skip_existing`: a row
    whose unique key is already stored is left out (ON CONFLICT DO NOTHING, SQLite and PostgreSQL alike),
    so a resumed or replayed item adds nothing twice."""
    if not rows:
        return
    ph = _PLACEHOLDER.get(conn.dialect.paramstyle)
    if ph is None:  # an unusual driver: the ordinary way
        stmt = table.insert()
        if skip_existing:
            stmt = stmt.prefix_with("OR IGNORE") if conn.dialect.name == "sqlite" else stmt
        conn.execute(stmt, rows)
        return
    cols = list(rows[0])
    sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join([ph] * len(cols))})"
    if skip_existing:
        sql += " ON CONFLICT DO NOTHING"
    params = [tuple(r[c] for c in cols) for r in rows]
    if conn.dialect.name == "sqlite":  # datetimes in the text form SQLAlchemy's SQLite DateTime reads back
        dt_idx = [i for i, c in enumerate(cols) if isinstance(table.c[c].type, DateTime)]
        if dt_idx:
            fixed = []
            for p in params:
                p = list(p)
                for i in dt_idx:
                    if isinstance(p[i], datetime):
                        p[i] = p[i].strftime("%Y-%m-%d %H:%M:%S.%f")
                fixed.append(tuple(p))
            params = fixed
    conn.exec_driver_sql(sql, params)


def make_engine(url: str) -> Engine:
    """Engine with the crawl_ tables present (WAL and busy timeout for SQLite: see govcheck.db)."""
    engine = _make_engine(url, metadata)
    _upgrade_links(engine)
    return engine


def _upgrade_links(engine: Engine) -> None:
    """A round crawled before links were kept per target (crawl_link without `key`): its rows are folded into
    the per-target table, in their order, so a resumed old round keeps every link outcome the checks read."""
    from sqlalchemy import inspect as sa_inspect, text

    if "key" in {c["name"] for c in sa_inspect(engine).get_columns("crawl_link")}:
        return
    from govcheck.collect.links import index_links

    with engine.begin() as c:
        c.execute(text("ALTER TABLE crawl_link RENAME TO crawl_link_v1"))
        for ix in ("ix_crawl_link_site_url", "ix_crawl_link_site"):
            c.execute(text(f"DROP INDEX IF EXISTS {ix}"))
    metadata.create_all(engine, tables=[crawl_link], checkfirst=True)
    cols = ("site", "referrer", "url", "tag", "text", "internal")
    seen: set[int] = set()
    with engine.begin() as c:
        rows = c.execute(text(f"SELECT {', '.join(cols)} FROM crawl_link_v1 ORDER BY id"))
        while batch := rows.fetchmany(20000):
            bulk_insert(c, crawl_link, index_links([dict(zip(cols, r)) for r in batch], seen), skip_existing=True)
        c.execute(text("DROP TABLE crawl_link_v1"))
