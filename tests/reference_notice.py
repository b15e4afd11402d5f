"""Parsing the real sample notice (shared/reference) so tests compare our output with it, not with our input."""
from __future__ import annotations

import re
import unicodedata

from govcheck.paths import shared_dir

REFERENCE_NAME = "000_39f99d2a46200452.txt"

# The hand-typed notice is inconsistent with itself; these rewrite its variants to its majority form.
SAMPLE_TYPOS = [
    (re.compile(r"每发现一处扣"), "每发现一处,扣"),  # 市教育局, 市卫健委, 市医保局 omit the comma
    (re.compile(r"分,共扣"), "分。共扣"),  # 市卫健委: comma before 共扣
]


def reference_text() -> str:
    s = shared_dir()
    assert s is not None, "shared/ not found beside the checkout"
    return (s / "reference" / REFERENCE_NAME).read_text(encoding="utf-8")


def canon(text: str) -> str:
    """Width-fold (NFKC), drop all whitespace, apply the sample's typo fixes."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"\s+", "", t)
    for pat, rep in SAMPLE_TYPOS:
        t = pat.sub(rep, t)
    return t


def _table_rows(block: str) -> list[list[str]]:
    rows = []
    for line in block.splitlines():
        if line.count("|") >= 2:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows.append(cells)
    return rows


def attachment1() -> list[tuple[str, str, str]]:
    """(unit, problems cell, score) rows of 附件1, unit names with the PDF's stray spaces removed."""
    text = reference_text()
    start = text.index("附件1:\n")
    end = text.index("附件2:\n")
    rows = _table_rows(text[start:end])
    return [(re.sub(r"\s+", "", r[0]), r[1], r[2]) for r in rows[1:]]


def attachment2() -> tuple[list[list[str]], list[list[str]]]:
    """(district rows, failing-account rows) of 附件2."""
    text = reference_text()
    rows = _table_rows(text[text.index("附件2:\n"):])
    districts, accounts = [], []
    for r in rows:
        if len(r) == 4 and r[0] != "市直/县市区" and r[1].isdigit():
            districts.append(r)
        elif len(r) == 5 and r[1] != "新媒体名称":
            accounts.append(r)
    return districts, accounts


def segments(cell: str) -> list[str]:
    """Our cell split into findings: a line with 共扣/一票否决 starts one, evidence lines follow it."""
    segs: list[str] = []
    for line in cell.splitlines():
        c = canon(line)
        if not c:
            continue
        if "共扣" in c or "一票否决" in c or not segs:
            segs.append(c)
        else:
            segs[-1] += c
    return segs


def same_findings(ours: str, ref: str) -> bool:
    """The sample's cell is our findings (wording, 共扣N分, evidence) in some order: the inspectors' order
    is their own, ours is the rule set's."""
    r = canon(ref)
    if canon(ours) == r:
        return True
    segs = segments(ours)
    pos = []
    for seg in segs:
        i = r.find(seg)
        if i < 0:
            return False
        pos.append((i, seg))
    return "".join(seg for _, seg in sorted(pos)) == r
