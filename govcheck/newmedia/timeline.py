"""An account's post timeline, from an RSS/Atom feed, a posts export file, or a manual entry.

A source that cannot be read (HTTP error, timeout, HTML instead of a feed, malformed XML) gives a
timeline with status "failed": the check reports 数据获取失败（需人工核查）, never 未更新, because an
unreadable feed says nothing about whether the account posted.
"""
from __future__ import annotations

import asyncio
import re
import xml.sax
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Literal

import feedparser

from govcheck.model import Account, Archive
from govcheck.newmedia.roster import RosterError, _get, map_columns, normalize_name, read_table

CHINA_TZ = timezone(timedelta(hours=8))
MANUAL_PREFIXES = ("人工:", "人工：", "manual:")
NEVER_WORDS = {"从未更新", "开通至今未更新", "无", "never", "none"}
CLOSED_WORDS = {"已关停", "已注销", "closed"}
DEFAULT_RSSHUB = "https://rsshub.app"  # override with variables={"rsshub_base": "http://your-rsshub"}


@dataclass
class Post:
    published: datetime | None  # China time
    title: str = ""
    text: str = ""
    url: str | None = None

    @property
    def day(self) -> date | None:
        return self.published.date() if self.published else None


@dataclass
class Timeline:
    account: tuple[str, str]  # (name, type)
    status: Literal["ok", "failed", "manual"]
    posts: list[Post] = field(default_factory=list)
    source: str | None = None
    error: str | None = None  # why a failed source could not be read (Chinese, for the evidence note)
    http_status: int | None = None
    fetched_at: str | None = None
    manual_last_update: date | None = None
    manual_never: bool = False
    manual_closed: bool = False
    note: str | None = None
    archive: Archive | None = None  # where the feed or export it was read from is archived (WARC)

    def last_update(self, at: date | None = None) -> date | None:
        """Newest post day on or before `at` (a manual entry's date when manual)."""
        if self.status == "manual":
            return self.manual_last_update
        days = [p.day for p in self.posts if p.day and (at is None or p.day <= at)]
        return max(days) if days else None


def resolve_source(source: str, variables: dict[str, str] | None = None) -> str:
    """Fill a roster path template such as "{base_url}/feeds/wx01.xml"."""
    if variables and "{" in source:
        try:
            return source.format(**variables)
        except (KeyError, IndexError, ValueError):
            return source
    return source


def _feed_options(fetch, timeout: float):
    from govcheck.collect.config import CrawlOptions

    opts = fetch if fetch is not None else CrawlOptions.defaults()
    return opts, float(timeout)


FEED_MAX_BYTES = 10_000_000  # a feed larger than this is not read (an endless body ends here)


def _from_fetch(account: Account, src: str, r) -> Timeline:
    if r.error:
        t = _failed(account, src, _net_error(r.error))
        t.http_status = r.status
        return t
    return parse_feed_response(account, src, r.status or 0, r.body, r.content_type)


def load_timeline(account: Account, base_dir: str | Path = ".", timeout: float = 10.0,
                  variables: dict[str, str] | None = None, fetch=None, archive=None) -> Timeline:
    """Synchronous loader (do not call from inside the event loop that serves the feed). `fetch`: the
    round's fetch settings (collect.config.CrawlOptions: allow-list, politeness …); defaults when None.
    `archive` (newmedia.archive.FeedArchive): where the feed or export read is kept, cited by the findings."""
    kind, src = _classify(account, base_dir, variables)
    if kind == "url":
        from govcheck.collect.fetch import SyncFetchClient

        opts, limit = _feed_options(fetch, timeout)
        with SyncFetchClient(opts) as c:
            r = c.fetch(src, purpose="feed", robots=True, max_body=FEED_MAX_BYTES, deadline=limit, timeout=limit)
        return _archived(_from_fetch(account, src, r), archive, fetched=r)
    return _archived(_load_local(account, kind, src), archive, path=src if kind == "file" else None)


def _archived(t: Timeline, archive, fetched=None, path: str | None = None) -> Timeline:
    if archive is not None:
        t.archive = archive.fetched(fetched) if fetched is not None else (archive.file(path) if path else None)
    return t


async def load_timelines_async(accounts: Iterable[Account], base_dir: str | Path = ".", timeout: float = 10.0,
                               variables: dict[str, str] | None = None, concurrency: int = 8,
                               fetch=None, archive=None) -> dict[tuple[str, str], Timeline]:
    """Timelines for many accounts, feeds fetched concurrently through the fetch layer (one user agent,
    robots rules, per-host politeness, caps, the address policy); keyed by (name, type)."""
    from govcheck.collect.fetch import FetchClient

    accounts = list(accounts)
    sem = asyncio.Semaphore(concurrency)
    out: dict[tuple[str, str], Timeline] = {}
    opts, limit = _feed_options(fetch, timeout)
    async with FetchClient(opts) as c:
        async def one(acc: Account) -> None:
            kind, src = _classify(acc, base_dir, variables)
            if kind != "url":
                out[(acc.name, acc.type)] = _archived(_load_local(acc, kind, src), archive,
                                                      path=src if kind == "file" else None)
                return
            async with sem:
                r = await c.fetch(src, purpose="feed", robots=True, max_body=FEED_MAX_BYTES, deadline=limit,
                                  timeout=limit)
                out[(acc.name, acc.type)] = _archived(_from_fetch(acc, src, r), archive, fetched=r)
        await asyncio.gather(*(one(a) for a in accounts))
    return out


def load_timelines(accounts: Iterable[Account], base_dir: str | Path = ".", timeout: float = 10.0,
                   variables: dict[str, str] | None = None, concurrency: int = 8,
                   fetch=None, archive=None) -> dict[tuple[str, str], Timeline]:
    return asyncio.run(load_timelines_async(accounts, base_dir, timeout, variables, concurrency, fetch, archive))


# ---------------------------------------------------------------- sources

def _classify(account: Account, base_dir: str | Path, variables: dict[str, str] | None) -> tuple[str, str]:
    src = resolve_source((account.source or "").strip(), variables)
    if not src:
        return "none", ""
    if src.startswith(MANUAL_PREFIXES):
        return "manual", src.split(":", 1)[1] if ":" in src else src.split("：", 1)[1]
    if src.lower().startswith("rsshub://"):  # an RSSHub route: rsshub://weibo/user/1234567
        base = (variables or {}).get("rsshub_base", DEFAULT_RSSHUB).rstrip("/")
        return "url", f"{base}/{src[len('rsshub://'):].lstrip('/')}"
    if re.match(r"(?i)https?://", src):
        return "url", src
    p = Path(src)
    if not p.is_absolute():
        p = Path(base_dir) / p
    return "file", str(p)


def _load_local(account: Account, kind: str, src: str) -> Timeline:
    key = (account.name, account.type)
    if kind == "none":
        return _failed(account, None, "花名册未提供数据来源")
    if kind == "manual":
        return parse_manual(account, src)
    try:
        posts = read_posts_export(src, account)
    except (RosterError, OSError) as e:
        return _failed(account, src, str(e))
    return Timeline(key, "ok", posts, source=src, fetched_at=_now())


def parse_manual(account: Account, spec: str) -> Timeline:
    """"人工:2022-01-25;备注" (last update), "人工:从未更新;备注", "人工:已注销;备注"."""
    body, _, note = spec.replace("；", ";").partition(";")
    body = body.strip()
    tl = Timeline((account.name, account.type), "manual", source="人工录入", note=note.strip() or None,
                  fetched_at=_now())
    if body in NEVER_WORDS:
        tl.manual_never = True
    elif body in CLOSED_WORDS:
        tl.manual_closed = True
    else:
        d = parse_day(body)
        if d is None:
            return _failed(account, "人工录入", f"人工录入的最近更新时间“{body}”无法识别（应为YYYY-MM-DD）")
        tl.manual_last_update = d
    return tl


def parse_feed_response(account: Account, url: str, status: int, body: bytes, content_type: str | None) -> Timeline:
    """Never raises: whatever goes wrong reading one feed makes that account 数据获取失败, not the run."""
    try:
        return _parse_feed_response(account, url, status, body, content_type)
    except Exception as e:  # feedparser and date handling on hostile input
        t = _failed(account, url, f"订阅源解析出错（{type(e).__name__}：{e}）")
        t.http_status = status
        return t


def _parse_feed_response(account: Account, url: str, status: int, body: bytes, content_type: str | None) -> Timeline:
    key = (account.name, account.type)
    if status >= 400:
        t = _failed(account, url, f"订阅源返回HTTP {status}")
        t.http_status = status
        return t
    parsed = feedparser.parse(body, response_headers={"content-type": content_type or "application/xml"})
    if not parsed.get("version"):
        t = _failed(account, url, "订阅源内容不是RSS/Atom（可能是网页或错误页）")
        t.http_status = status
        return t
    exc = parsed.get("bozo_exception")
    if parsed.get("bozo") and isinstance(exc, xml.sax.SAXException):
        t = _failed(account, url, f"订阅源XML格式错误：{exc}")
        t.http_status = status
        return t
    posts = []
    for e in parsed.entries:
        published = _entry_time(e)
        text = e.get("summary") or ""
        if e.get("content"):
            text = " ".join(c.get("value", "") for c in e["content"]) or text
        posts.append(Post(published, e.get("title", "") or "", _strip_tags(text), e.get("link")))
    if posts and all(p.published is None for p in posts):
        t = _failed(account, url, "订阅源条目均无发布时间")
        t.http_status = status
        return t
    return Timeline(key, "ok", posts, source=url, http_status=status, fetched_at=_now())


def read_posts_export(path: str | Path, account: Account | None = None) -> list[Post]:
    """Posts from an export file; with an account column, only that account's rows (by name or ID)."""
    rows = read_table(path)
    hi, col = map_columns(rows, "posts", path)
    want = {normalize_name(account.name)} if account else set()
    if account and account.account_id:
        want.add(normalize_name(account.account_id))
    posts = []
    for ri in range(hi + 1, len(rows)):
        row = rows[ri]
        if not any(c.strip() for c in row):
            continue
        if account and "account" in col and normalize_name(_get(row, col, "account")) not in want:
            continue
        raw = _get(row, col, "published")
        dt = parse_datetime(raw)
        if dt is None:
            raise RosterError(f"{path}: 第{ri + 1}行 发布时间“{raw}”无法识别")
        posts.append(Post(dt, _get(row, col, "title"), _get(row, col, "text"), _get(row, col, "url") or None))
    return posts


# ---------------------------------------------------------------- helpers

_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def parse_datetime(s: str) -> datetime | None:
    m = _DATE_RE.search(s or "")
    if not m:
        return None
    y, mo, d, hh, mm, ss = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=CHINA_TZ)
    except ValueError:
        return None


def parse_day(s: str) -> date | None:
    dt = parse_datetime(s)
    return dt.date() if dt else None


_TZ_RE = re.compile(r"(?i)(?:[+-]\d{2}:?\d{2}|\b(?:gmt|utc|z|[a-z]{2,4}t)\b|\dz)\s*$")


def _entry_time(e) -> datetime | None:
    """A feed entry's time in China time. A numeric date without a zone ("2022-05-10 09:30",
    "2022年5月3日") is local time — feedparser would read it as UTC or misread the Chinese form."""
    raw = (e.get("published") or e.get("updated") or "").strip()
    if raw and _DATE_RE.search(raw) and not _TZ_RE.search(raw):
        return parse_datetime(raw)
    tm = e.get("published_parsed") or e.get("updated_parsed")
    if tm:
        return datetime(*tm[:6], tzinfo=timezone.utc).astimezone(CHINA_TZ)
    return parse_datetime(raw) if raw else None


def _strip_tags(s: str) -> str:
    if "<" not in s:
        return s
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(s).text(separator=" ").strip()


def _failed(account: Account, src: str | None, why: str) -> Timeline:
    return Timeline((account.name, account.type), "failed", source=src, error=why, fetched_at=_now())


def _net_error(error: str) -> str:
    """The fetch layer's "kind: detail" as the evidence note says it."""
    kind = error.split(":", 1)[0]
    if kind == "timeout":
        return "订阅源请求超时"
    if kind in ("body_too_large", "decompressed_too_large"):
        return f"订阅源内容过大，未读取（{error[:200]}）"
    return f"订阅源无法访问（{error[:200]}）"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
