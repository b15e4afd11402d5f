"""政务新媒体: accounts roster, registry reconciliation, post timelines, the wording lexicon, rounds."""
from govcheck.newmedia.checks import (
    ComparisonRow, RegistryMatch, check_accounts, check_page_wording, compare_rounds, load_previous_round,
    match_registry, scan_posts,
)
from govcheck.newmedia.lexicon import Entry, Hit, Lexicon, LexiconError
from govcheck.newmedia.roster import (
    AccountRoster, RegistryEntry, RosterError, canonical_platform, normalize_name, read_accounts, read_registry,
)
from govcheck.newmedia.timeline import (
    Post, Timeline, load_timeline, load_timelines, load_timelines_async, read_posts_export, resolve_source,
)

__all__ = [
    "AccountRoster", "ComparisonRow", "Entry", "Hit", "Lexicon", "LexiconError", "Post", "RegistryEntry",
    "RegistryMatch", "RosterError", "Timeline", "canonical_platform", "check_accounts", "check_page_wording",
    "compare_rounds",
    "load_previous_round", "load_timeline", "load_timelines", "load_timelines_async", "match_registry",
    "normalize_name", "read_accounts", "read_posts_export", "read_registry", "resolve_source", "scan_posts",
]
