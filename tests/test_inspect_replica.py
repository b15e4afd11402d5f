"""`govcheck inspect` against the xianning-2022q2 replica served in-process on 127.0.0.1.

Expected rows come from the real sample notice (shared/reference, parsed by tests/reference_notice.py),
never from the replica's scenario files: the replica only serves pages, and what we print must equal
what the inspectors printed.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import json
from pathlib import Path

import openpyxl
import pytest

from govcheck.collect.query import read_record
from govcheck.extract.decode import decode_html
from govcheck.inspect.run import run_inspect
from govcheck.sim import load_scenario
from govcheck.sim.testing import running_region
from reference_notice import attachment1, attachment2, same_findings

ROUND_TOML = Path(__file__).resolve().parent.parent / "govcheck" / "demo" / "xianning-2022q2" / "round.toml"
# clean units (a department, and a county portal whose 信息公开 platform is on a second host), one with
# column findings and a missing footer element, one with 机构职能 findings, one with a back-dated
# consultation and a blank column, one with a stale 动态要闻 and an unlinked 解读, one with an
# uninterpreted policy. The whole region (all 40 units) is `govcheck demo`, tested in test_core_demo.py.
SMALL = ["赤壁市", "市审计局", "市教育局", "市科技局", "市民政局", "市退役军人事务局", "市国资委"]


def _subset_roster(full: Path, units: list[str] | None, dest: Path) -> Path:
    with full.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    keep = [rows[0]] + [r for r in rows[1:] if units is None or r[1] in units]
    with dest.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(keep)
    return dest


def _inspect(tmp: Path, units: list[str] | None, accounts: bool = False):
    scen = load_scenario("xianning-2022q2")
    with running_region(scen) as reg:
        full = tmp / "sites-all.csv"
        reg.write_roster(full)
        roster = _subset_roster(full, units, tmp / "sites.csv")
        out = tmp / "round"
        kw = {}
        if accounts:
            src = scen.accounts_dir
            kw = dict(accounts=src / "accounts.csv", registry=[src / "registry.csv"], previous=src / "previous",
                      variables={"base_url": reg.feeds_url})
        res = run_inspect(roster, out, round_config=ROUND_TOML, delay=0.0, concurrency=8, progress=False,
                          external=False, workers=2, allow=reg.allow, **kw)
    return out, res


@pytest.fixture(scope="module")
def small_round(tmp_path_factory):
    return _inspect(tmp_path_factory.mktemp("inspect-small"), SMALL, accounts=True)


def _att1(out: Path) -> dict[str, list[str]]:
    path = next(out.glob("附件1*.xlsx"))
    ws = openpyxl.load_workbook(path).worksheets[0]
    rows = [["" if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r and r[0] == "单位名称")
    got = {}
    for r in rows[start + 1:]:
        if not any(r):
            break
        got[r[0]] = r
    return got


def _compare(out: Path, units: list[str] | None) -> list[str]:
    """Differences between our 附件1 and the sample's, unit by unit (empty = equal)."""
    ours = _att1(out)
    ref = [(u, cell, score) for u, cell, score in attachment1() if units is None or u in units]
    diffs = []
    if [u for u, _, _ in ref] != list(ours):
        diffs.append(f"units: {list(ours)} != {[u for u, _, _ in ref]}")
    for unit, cell, score in ref:
        got = ours.get(unit)
        if got is None:
            continue
        if str(got[2]).removesuffix(".0") != score:
            diffs.append(f"{unit}: score {got[2]} != {score}")
        if not same_findings(got[1], cell):
            diffs.append(f"{unit}:\n  ours: {got[1]}\n  ref:  {cell}")
    return diffs


def test_small_region_attachment1_equals_the_sample(small_round):
    out, _ = small_round
    diffs = _compare(out, SMALL)
    assert not diffs, "\n".join(diffs)


def test_new_media_part_equals_the_sample_counts(small_round):
    """With --accounts, the round's 附件2 lists the sample's failing accounts (the replica's feeds and registry)."""
    out, _ = small_round
    ref_districts, ref_accounts = attachment2()
    ws = openpyxl.load_workbook(next(out.glob("附件2*.xlsx"))).worksheets[0]
    rows = [["" if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[1] == "新媒体名称")
    failing = [r for r in rows[start + 1:] if any(r)]
    assert [r[1] for r in failing] == [r[1] for r in ref_accounts]


def test_clean_unit_has_no_finding(small_round):
    _, res = small_round
    for unit in ("市审计局", "赤壁市"):
        clean = next(o for o in res.sites if o.site.unit == unit)
        assert clean.pages > 100
        assert clean.findings == [], unit


def test_every_finding_cites_archived_pages(small_round):
    """Each piece of evidence that names a crawled page carries its WARC file, record id and SHA-256,
    and the archived record really has that digest."""
    out, res = small_round
    site_findings = [f for o in res.sites for f in o.findings]
    assert site_findings
    checked = 0
    for f in site_findings:
        archived = [e for e in f.evidence if e.archive is not None]
        assert archived, (f.unit, f.code, f.evidence)
        for e in archived:
            a = e.archive
            assert a.warc and a.record_id.startswith("<urn:uuid:") and len(a.sha256) == 64
            headers, status, body = read_record(out, a.warc, a.offset)
            assert headers["WARC-Record-ID"] == a.record_id
            assert hashlib.sha256(body).hexdigest() == a.sha256
            checked += 1
    assert checked >= len(site_findings)
    stored = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert all(e.get("archive") for f in stored if f["target_type"] == "site" for e in f["evidence"] if e.get("url"))


def test_manual_items_and_samples_are_recorded(small_round):
    out, res = small_round
    manual = json.loads((out / "manual.json").read_text(encoding="utf-8"))
    samples = json.loads((out / "samples.json").read_text(encoding="utf-8"))
    units = {m["unit"] for m in manual}
    assert units == set(SMALL)
    codes = {m["code"] for m in manual}
    assert {"V1.2", "D19.1", "D20.1"} <= codes  # manual rules, and the domain an IP address cannot show
    drawn = {(s["unit"], s["code"]) for s in samples}
    for unit in SMALL:
        assert (unit, "D27.1") in drawn and (unit, "D08") in drawn
    facts = [json.loads(gzip.decompress(p.read_bytes())) for p in sorted((out / "facts").glob("*.json.gz"))]
    assert [f["unit"] for f in facts] == [o.site.unit for o in res.sites]
    # the search test ran against each replica's working site search and found the sampled titles
    for f in facts:
        s = f["site"]["search"]
        assert s["present"] and s["works"] and len(s["tests"]) == 4 and all(t["found"] for t in s["tests"])


def test_search_results_are_archived(small_round):
    """The search test's results pages are WARC records too: a D25 finding would cite them."""
    out, _ = small_round
    facts = [json.loads(gzip.decompress(p.read_bytes())) for p in sorted((out / "facts").glob("*.json.gz"))]
    for f in facts:
        for t in f["site"]["search"]["tests"]:
            ref = t["ref"]
            headers, status, body = read_record(out, ref["warc"], ref["offset"])
            assert status == 200 and headers["WARC-Record-ID"] == ref["record_id"]
            assert hashlib.sha256(body).hexdigest() == ref["sha256"]
            text, _ = decode_html(body)
            assert t["found"] and t["query"][:8] in text


def test_rerun_resumes_and_gives_the_same_round(small_round, tmp_path):
    """Running again into the same directory re-crawls nothing new and stores the same findings."""
    out, res = small_round
    before = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    # the replica is gone now: a resumed crawl must not need it (every site is complete)
    res2 = run_inspect(out.parent / "sites.csv", out, round_config=ROUND_TOML, delay=0.0, progress=True,
                       external=False, search=False)  # with the progress display this time
    after = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    before = [f for f in before if f["target_type"] == "site"]  # the rerun has no --accounts
    strip = lambda fs: sorted((f["unit"], f["code"], json.dumps(f["evidence"], sort_keys=True)) for f in fs)  # noqa: E731
    assert strip(after) == strip(before)
    assert sum(o.pages for o in res2.sites) == sum(o.pages for o in res.sites)
