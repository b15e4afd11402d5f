"""The availability monitoring record, read for a round: each site's probes in V2's window become
SiteFacts.availability, which the registered V2 check decides from (govcheck/checks/availability.py).

Where the record is: `--probes` (a database URL, or a folder holding monitor.sqlite), else round.toml
`[monitor] db`, else the round's own PostgreSQL database (`--db`: the monitor_ tables live beside the round's),
else OUT/monitor.sqlite when `govcheck monitor --out OUT` wrote one. None of these: no record, and V2 is a
需人工核查 item for every site, never a pass.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from govcheck.checks.availability import window
from govcheck.checks.facts import AvailabilityFacts, Probe
from govcheck.collect.probe import NOT_VISITS, OUTAGE_KINDS, ProbeStore
from govcheck.db import MONITOR_DB_FILE, is_sqlite, monitor_db_url_for
from govcheck.rules import RuleSet

SOURCE = "govcheck monitor"


def probe_db(out: Path, *, probes: str | None = None, db: str | None = None,
             meta: dict[str, Any] | None = None, config: Path | None = None) -> str | None:
    """The database URL of the monitoring record a round reads (see the module docstring), or None."""
    given = probes or ((meta or {}).get("monitor") or {}).get("db")
    if given:
        given = str(given)
        if "://" in given:
            return given
        p = Path(given)
        if not p.is_absolute() and config is not None and not probes:
            p = Path(config).parent / p  # relative to round.toml
        return monitor_db_url_for(p) if p.is_dir() or not p.suffix else "sqlite:///" + str(p.resolve())
    if db is not None and not is_sqlite(db):
        return db
    if (Path(out) / MONITOR_DB_FILE).exists():
        return monitor_db_url_for(out)
    return None


def to_probe(r) -> Probe:
    """A recorded probe (collect.probe.ProbeRow) as the V2 check reads it."""
    ok = True if r.kind is None else (False if r.kind in OUTAGE_KINDS else None)
    return Probe(at=r.at.isoformat(), ok=ok, latency=r.latency, status=r.status, error=r.kind, detail=r.detail)


def availability_facts(store: ProbeStore, url: str, rs: RuleSet, at: dt.date) -> AvailabilityFacts:
    """The site's probes in V2's window ending with the time point's day (probes that were not visits —
    robots.txt, our address policy — left out)."""
    start, end, _ = window(rs, at)
    rows = [r for r in store.rows(url, start, end) if r.kind not in NOT_VISITS]
    return AvailabilityFacts(url=url, probes=[to_probe(r) for r in rows], source=SOURCE)


def known_targets(store: ProbeStore) -> set[str]:
    from sqlalchemy import select

    from govcheck.collect.store import monitor_target

    with store.engine.connect() as c:
        return {r[0] for r in c.execute(select(monitor_target.c.url))}


class ProbeRecord:
    """The monitoring record for one round: facts per site (None when the site was never monitored)."""

    def __init__(self, url: str | None):
        self.url = url
        self.store = ProbeStore(url) if url else None
        self.targets = known_targets(self.store) if self.store else set()

    def facts(self, site_url: str, rs: RuleSet, at: dt.date) -> AvailabilityFacts | None:
        if self.store is None or site_url not in self.targets:
            return None
        return availability_facts(self.store, site_url, rs, at)

    def describe(self) -> dict[str, Any]:
        """What the round records about its monitoring source (a file path, never a password)."""
        if self.url is None:
            return {}
        from sqlalchemy.engine import make_url

        u = make_url(self.url)
        return {"db": u.render_as_string(hide_password=True), "sites": len(self.targets)}

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def redecide_v2(store, info, rs: RuleSet, round_dir: Path, db: str | None = None) -> dict[str, int] | None:
    """`govcheck score`: V2 decided again from the monitoring record under the rule set given (its window,
    thresholds). Replaces the round's V2 findings (a finding derived again keeps its id and review) and the
    V2 需人工核查 items in manual.json. None when the round has no monitoring record to read."""
    import json

    from govcheck.checks import run_checks
    from govcheck.checks.facts import SiteFacts

    record = ProbeRecord(probe_db(Path(round_dir), db=db, meta=info.meta))
    if record.store is None:
        return None
    try:
        new: dict[str, list] = {}
        manual: list[dict[str, Any]] = []
        for s in store.sites(info.id):
            facts = SiteFacts(url=s.url, unit=s.unit, name=s.name, kind=s.kind, public_service=s.public_service,
                              availability=record.facts(s.url, rs, info.at))
            res = run_checks(facts, rs, info.at, info.seed, codes={"V2"})
            new[s.url] = res.findings
            manual += [{"unit": s.unit, "target": s.url, **m.to_dict()} for m in res.manual]
    finally:
        record.close()
    items, placed = [], set()
    stored = [f for f in store.findings(info.id) if f.source == "auto"]
    for f in stored:
        if f.target_type == "site" and f.target in new and f.target not in placed and (
                f.code == "V2" or not any(g.code == "V2" and g.target == f.target for g in stored)):
            items += new[f.target]  # where the site's V2 stood, else before its first finding
            placed.add(f.target)
        if f.code != "V2":
            items.append(f)
    items += [f for url, fs in new.items() if url not in placed for f in fs]
    stats = store.replace_derived(info.id, items)
    path = Path(round_dir) / "manual.json"
    if path.exists():
        from govcheck.round import atomic_write_text

        kept = [m for m in json.loads(path.read_text(encoding="utf-8")) if m.get("code") != "V2"]
        atomic_write_text(path, json.dumps(kept + manual, ensure_ascii=False, indent=1))
    return {"findings": sum(len(v) for v in new.values()), "manual": len(manual), **stats}
