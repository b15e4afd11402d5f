"""A site's findings as the notice prints them, shared by the SiteFacts fixtures (test_checks_fixtures.py) and
the replica-site fixtures (test_checks_sites.py), so both snapshot the same text."""
from __future__ import annotations

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
