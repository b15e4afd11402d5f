"""A site's findings as the notice prints them, shared by the SiteFacts fixtures (test_checks_fixtures.py) and
the replica-site fixtures (test_checks_sites.py), so both snapshot the same text."""
from __future__ import annotations

import os
from pathlib import Path

from govcheck.notice import load_template, unit_lines
from govcheck.score import apply_rules

TEMPLATE = load_template(None)


def printed(findings, rs, site_kind: str | None = None) -> str:
    """The finding as the notice prints it: 附件1 lines (with the evidence the rule set prints for a site of
    that kind, 门户/部门; all evidence when the kind is not given), and the narrative sentence for rules kept
    out of 附件1."""
    fs = apply_rules(findings, rs)
    out = []
    for line in unit_lines(fs, rs, TEMPLATE, site_kind):
        out.append(line.text)
        out.extend("  " + e for e in line.evidence)
    for f in fs:
        if not rs.rule(f.code).table:
            out.append(f.text)
            out.extend("  " + e.title for e in f.evidence if e.title)
    return "\n".join(out) + "\n"


def matches_snapshot(snap: Path, got: str, update: bool = True) -> bool:
    """Whether `got` is the committed snapshot; GOVCHECK_UPDATE_SNAPSHOTS=1 (re)writes a missing or changed one
    (when `update`), to be read against the rule's wording before committing."""
    if update and os.environ.get("GOVCHECK_UPDATE_SNAPSHOTS") and (
            not snap.exists() or snap.read_text(encoding="utf-8") != got):
        snap.write_text(got, encoding="utf-8")
    assert snap.exists(), f"{snap} missing: run with GOVCHECK_UPDATE_SNAPSHOTS=1 and review it"
    return got == snap.read_text(encoding="utf-8")
