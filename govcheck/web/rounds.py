"""The rounds a console serves: one handle per round folder, over the round store (govcheck.store)."""
from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import event, select

from govcheck.rules import RuleSet
from govcheck.store import RoundInfo, Store, accounts, sites
from govcheck.web.db import ensure_round_indexes, web_publications, web_state

STATE_LABELS = {"draft": "未发布", "published": "已发布"}


class ConsoleError(RuntimeError):
    """A refusal the user should read (shown in Chinese, HTTP 4xx)."""

    status = 400


class NotFound(ConsoleError):
    status = 404


class Forbidden(ConsoleError):
    status = 403


class Locked(ConsoleError):
    status = 409


def _sqlite_busy_timeout(engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(conn, _record):  # requests write concurrently: wait for the lock instead of failing
        cur = conn.cursor()
        cur.execute("PRAGMA busy_timeout = 10000")
        cur.close()

    engine.dispose()  # connections opened before the listener lack the pragma


@dataclass
class RoundHandle:
    slug: str
    dir: Path
    store: Store
    info: RoundInfo
    db_url: str | None = None  # the round's database when it is not the folder's round.sqlite
    _mutex: threading.RLock = field(default_factory=threading.RLock)  # one writer per round in this console
    _rs: RuleSet | None = None
    _regions: dict[str, str] | None = None
    _units: set[str] | None = None

    @property
    @contextmanager
    def lock(self) -> Iterator[None]:
        """Write access to the round: one request at a time in this console, and the round's own lock
        (govcheck.lock) so that no `govcheck inspect`/`score`/`review` writes it meanwhile."""
        from govcheck.lock import RoundLocked, round_lock

        with self._mutex:
            try:
                with round_lock(self.dir, "govcheck serve（网页工作台）"):
                    yield
            except RoundLocked as e:
                raise Locked(str(e)) from None

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def engine(self):
        return self.store.engine

    @property
    def files_dir(self) -> Path:
        """Uploads (整改 attachments, inspectors' screenshots): inside the round folder, never under a web root."""
        return self.dir / "console-files"

    @property
    def rs(self) -> RuleSet:
        if self._rs is None:
            from govcheck.round import rules_for

            self._rs = rules_for(self.info, None)
        return self._rs

    def refresh(self) -> None:
        self.info = self.store.round(self.info.key)

    def unit_regions(self) -> dict[str, str]:
        """unit → 区域 (district), from the roster: the queue's district filter and column."""
        if self._regions is None:
            out: dict[str, str] = {}
            with self.engine.connect() as c:
                for t in (sites, accounts):
                    for unit, region in c.execute(select(t.c.unit, t.c.region).where(t.c.round_id == self.id)):
                        out.setdefault(unit, region)
            self._regions = out
        return self._regions

    def units(self) -> set[str]:
        """Every unit with a finding or on the roster (the queue's unit filter matches a part of these)."""
        if self._units is None:
            from govcheck.store import findings

            with self.engine.connect() as c:
                got = {u for (u,) in c.execute(select(findings.c.unit).where(findings.c.round_id == self.id)
                                               .group_by(findings.c.unit))}
            self._units = got | set(self.unit_regions())
        return self._units

    def forget_units(self) -> None:
        self._units = None

    # ------------------------------------------------------------------ publication state
    def state(self) -> dict[str, Any]:
        with self.engine.connect() as c:
            r = c.execute(select(web_state).where(web_state.c.round_id == self.id)).mappings().first()
        if r is None:
            return {"state": "draft", "version": 1, "label": STATE_LABELS["draft"]}
        return {"state": r["state"], "version": r["version"], "label": STATE_LABELS[r["state"]]}

    @property
    def published(self) -> bool:
        return self.state()["state"] == "published"

    def latest_publication(self) -> dict[str, Any] | None:
        with self.engine.connect() as c:
            r = c.execute(select(web_publications).where(web_publications.c.round_id == self.id)
                          .order_by(web_publications.c.version.desc()).limit(1)).mappings().first()
        return dict(r) if r else None

    def require_draft(self) -> None:
        st = self.state()
        if st["state"] == "published":
            raise Locked(f"本轮已发布（第{st['version']}版），为只读；如需修改，请由管理员建立新版本")


def _slug(name: str) -> str:
    s = re.sub(r"[^0-9A-Za-z\u4e00-\u9fff_-]+", "-", name).strip("-")
    return s or "round"


def import_manual(h: RoundHandle) -> int:
    """A round written before the store kept its 需人工核查 items has them only in manual.json: bring them in
    once (save_round keeps them from then on; results already recorded are never touched)."""
    if h.store.manual_items(h.id):
        return 0
    path = h.dir / "manual.json"
    try:
        items = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    except (OSError, ValueError):
        return 0
    items = [it for it in items if isinstance(it, dict) and it.get("target") and it.get("code")]
    if items:
        h.store.sync_manual(h.id, [{"unit": str(it.get("unit", "")), "target": str(it["target"]),
                                    "target_type": str(it.get("target_type", "site")), "code": str(it["code"]),
                                    "what": str(it.get("what", "")), "urls": [str(u) for u in it.get("urls") or []]}
                                   for it in items])
    return len(items)


class Rounds:
    """Every round given to `govcheck serve`, by slug, oldest 监测时间点 first."""

    def __init__(self, dirs: list[Path], db_url: str | None = None):
        from govcheck.round import open_round

        self.handles: dict[str, RoundHandle] = {}
        stores: dict[str, Store] = {}
        for d in dirs:
            d = Path(d).resolve()
            if db_url:
                store = stores.get(db_url) or Store(db_url)
                stores[db_url] = store
                info = store.round(str(d))
            else:
                store, info = open_round(d, None)
                _sqlite_busy_timeout(store.engine)
            ensure_round_indexes(store.engine)
            slug = base = _slug(d.name)
            n = 2
            while slug in self.handles:
                slug, n = f"{base}-{n}", n + 1
            h = RoundHandle(slug=slug, dir=d, store=store, info=info, db_url=db_url)
            import_manual(h)
            self.handles[slug] = h
        for store in stores.values():
            _sqlite_busy_timeout(store.engine)

    def ordered(self) -> list[RoundHandle]:
        return sorted(self.handles.values(), key=lambda h: (h.info.at, h.info.id))

    def get(self, slug: str) -> RoundHandle:
        h = self.handles.get(slug)
        if h is None:
            raise NotFound("没有该轮次")
        return h

    def previous(self, h: RoundHandle) -> RoundHandle | None:
        """The served round just before this one (by 监测时间点): where the previous copy of a page is."""
        earlier = [x for x in self.ordered() if x.info.at < h.info.at]
        return earlier[-1] if earlier else None


def utc_text(t: datetime | str | None) -> str:
    """A time as the console prints it: local-free UTC, to the second (the archive's convention)."""
    if t is None:
        return ""
    if isinstance(t, str):
        return t.replace("T", " ")[:19]
    return t.strftime("%Y-%m-%d %H:%M:%S")
