"""What a fetch means for a link: ok, broken, suspected, blocked (WAF), error, skipped.

Blocked responses (WAF / anti-bot pages) are never counted as broken links or as a site being down.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from govcheck.collect.config import load_data

OK, BROKEN, SUSPECTED, BLOCKED, ERROR = "ok", "broken", "suspected", "blocked", "error"
# fetch errors that mean "the server may be unreachable for a moment", not "the link is wrong"
TRANSIENT_ERRORS = {"timeout", "connect", "dns", "server_disconnected", "reset"}
# errors of our own choosing, not evidence about the link: a refused address (policy), robots.txt at a
# redirect hop, a page we would not parse (nesting guard, CPU limit). Suspected: a person looks, never a finding.
UNJUDGED_ERRORS = {"address_refused", "robots", "parse_refused", "parse_timeout", "parse_error"}


@dataclass(frozen=True)
class Classifier:
    waf_statuses: frozenset[int]
    signatures: tuple[str, ...]
    challenge_markers: tuple[str, ...]
    challenge_max: int
    broken_status: frozenset[int]
    suspected_min: int

    def is_blocked(self, status: int | None, body: bytes | None) -> bool:
        if status not in self.waf_statuses or not body:
            return False
        head = body[:200_000]
        text = _loose_text(head).lower()
        if any(s in text for s in self.signatures):
            return True
        # a JS challenge: a tiny page whose script sets a cookie and reloads itself
        if len(body) <= self.challenge_max and "<script" in text:
            hits = sum(1 for m in self.challenge_markers if m.lower() in text)
            return hits >= 2
        return False

    def outcome(self, status: int | None, error: str | None, blocked: bool, internal: bool = True) -> str:
        if blocked:
            return BLOCKED
        if error:
            kind = error.split(":", 1)[0]
            return SUSPECTED if kind in TRANSIENT_ERRORS or kind in UNJUDGED_ERRORS else ERROR
        if status is None:
            return ERROR
        if status >= self.suspected_min:
            return SUSPECTED
        if status in self.broken_status:
            return BROKEN
        if status >= 400:
            return BROKEN if not internal and status in (404, 410) else SUSPECTED
        return OK


def _loose_text(b: bytes) -> str:
    """WAF pages come in UTF-8 or GBK; try both so signatures match either."""
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("gb18030", errors="replace")


@lru_cache(maxsize=4)
def classifier(data_path: str | None = None) -> Classifier:
    d = load_data(data_path)
    w = d["waf"]
    o = d["links"]["outcome"]
    return Classifier(
        waf_statuses=frozenset(w["statuses"]),
        signatures=tuple(s.lower() for s in w["signatures"]),
        challenge_markers=tuple(w["challenge_markers"]),
        challenge_max=int(w["challenge_max_bytes"]),
        broken_status=frozenset(o["broken_status"]),
        suspected_min=int(o["suspected_status_min"]),
    )
