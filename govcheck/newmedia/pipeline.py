"""The new-media part of a round in one call: roster + registries + timelines → findings (+ R1 markers
and the comparison table when a previous round is given). The round core calls this; the thresholds
come from the caller (the rule set), not from here."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

from govcheck.model import Finding
from govcheck.newmedia.checks import ComparisonRow, check_accounts, compare_rounds, load_previous_round
from govcheck.newmedia.lexicon import Lexicon
from govcheck.newmedia.roster import AccountRoster, RegistryEntry, read_accounts, read_registry
from govcheck.newmedia.timeline import Timeline, load_timelines


@dataclass
class NewMediaResult:
    accounts: AccountRoster
    registry: list[RegistryEntry]
    timelines: dict[tuple[str, str], Timeline]
    findings: list[Finding]  # checks + R1 markers
    comparison: list[ComparisonRow] = field(default_factory=list)
    previous_label: str | None = None
    warnings: list[str] = field(default_factory=list)  # duplicates and the like, for the round log


def run_newmedia(
    accounts: str | Path | AccountRoster,
    registries: Iterable[str | Path],
    at: date,
    window_days: int,
    *,
    registry_systems: list[str] | None = None,
    lexicon: Lexicon | None = None,
    scan_days: int | None = None,
    previous_dir: str | Path | None = None,
    timeout: float = 10.0,
    variables: dict[str, str] | None = None,
    base_dir: str | Path | None = None,
    concurrency: int = 8,
    codes: Iterable[str] | None = None,
    fetch=None,
    archive_dir: str | Path | None = None,
) -> NewMediaResult:
    """Synchronous (runs its own event loop for the feeds): call it outside a running loop. `fetch`: the
    round's fetch settings (collect.config.CrawlOptions: address allow-list, politeness …). `archive_dir`:
    the round folder; each feed or export read is archived in its warc/ (newmedia.archive) and cited."""
    roster = accounts if isinstance(accounts, AccountRoster) else read_accounts(accounts)
    registry: list[RegistryEntry] = []
    for p in registries:
        registry += read_registry(p)
    if base_dir is None:
        base_dir = Path(roster.path).parent if roster.path else Path(".")
    archive = None
    if archive_dir is not None:
        from govcheck.newmedia.archive import FeedArchive

        archive = FeedArchive(archive_dir)
    timelines = load_timelines(roster, base_dir, timeout, variables, concurrency, fetch=fetch, archive=archive)
    lexicon = lexicon if lexicon is not None else Lexicon.load()
    findings = check_accounts(roster, registry, timelines, at, window_days, lexicon, registry_systems,
                              scan_days=scan_days, interaction=roster.interaction, codes=codes)
    result = NewMediaResult(roster, registry, timelines, findings, warnings=list(roster.duplicates))
    if previous_dir is not None:
        previous, label = load_previous_round(previous_dir)
        previous = [f for f in previous if f.target_type == "account"]
        markers, rows = compare_rounds(previous, findings, label)
        result.findings = findings + markers
        result.comparison = rows
        result.previous_label = label
    return result


def run_replica(at: date = date(2022, 5, 15), window_days: int = 14, *, accounts_dir: str | Path | None = None,
                registry_systems: list[str] | None = None, with_previous: bool = True,
                lexicon: Lexicon | None = None, archive_dir: str | Path | None = None) -> NewMediaResult:
    """The xianning-2022q2 replica accounts, with their feeds served on 127.0.0.1 for the duration."""
    from govcheck.newmedia.feedserver import FeedServerThread
    from govcheck.newmedia.replica import OUT_DIR

    from govcheck.collect.config import CrawlOptions

    d = Path(accounts_dir) if accounts_dir else OUT_DIR
    with FeedServerThread(d) as srv:
        # our own replica feed server on 127.0.0.1: allowed explicitly, read without politeness delay
        opts = CrawlOptions.defaults(allow_addresses=[srv.base_url.split("//", 1)[1]], min_delay=0,
                                     per_host_concurrency=8)
        return run_newmedia(d / "accounts.csv", [d / "registry.csv"], at, window_days,
                            registry_systems=registry_systems, lexicon=lexicon,
                            previous_dir=(d / "previous") if with_previous else None,
                            variables={"base_url": srv.base_url}, base_dir=d, fetch=opts, archive_dir=archive_dir)
