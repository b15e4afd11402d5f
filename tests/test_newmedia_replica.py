"""The new-media part of the xianning-2022q2 demo: feeds served over HTTP on 127.0.0.1, registry export,
previous round → the sample notice's 附件2 (read from the reference notice itself)."""
import re
from collections import Counter
from datetime import date

import pytest

from govcheck.collect.config import CrawlOptions
from govcheck.newmedia import (
    Lexicon, check_accounts, compare_rounds, load_previous_round, load_timelines_async, read_accounts, read_registry,
)
from govcheck.newmedia.feedserver import start_feed_server
from govcheck.newmedia.replica import OUT_DIR
from govcheck.paths import shared_dir

REGIONS = ["市直", "咸安区", "嘉鱼县", "赤壁市", "通城县", "崇阳县", "通山县"]


def sample_attachment2():
    """(district rows {region: (checked, failing)}, {(name, type, unit, region): set of reason keys})."""
    s = shared_dir()
    if s is None:
        pytest.fail("shared/ not found beside the checkout; set GOVCHECK_SHARED")
    text = (s / "reference" / "000_39f99d2a46200452.txt").read_text(encoding="utf-8")
    part = text[text.index("附件2"):]
    districts, accounts = {}, {}
    for line in part.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0] in REGIONS and cells[1].isdigit():
            districts[cells[0]] = (int(cells[1]), int(cells[2]))
        elif len(cells) == 5 and cells[0] in REGIONS:
            accounts[(cells[1], cells[3], cells[2], cells[0])] = reason_keys(cells[4])
    return districts, accounts


def reason_keys(printed: str) -> set:
    keys = set()
    s = printed
    for m in re.finditer(r"\(?最近更新时间([\d.]+)\)?", s):
        keys.add(("M2.1", m.group(1)))
    for m in re.finditer(r"\(最后更新时间(\d+)年(\d+)月(\d+)日\)", s):
        keys.add(("M2.1", ".".join(m.groups())))
    for m in re.finditer(r"(\S+?)通报未整改", s):
        keys.add(("R1", m.group(1)))
    if "严重表述错误" in s:
        keys.add(("M1", ""))
    if "开通至今未更新" in s:
        keys.add(("M2.2", ""))
    if "账号名称备案有误" in s:
        keys.add(("MH2", ""))
    for m in re.finditer(r"(?:^|\s)(\S*?)未备案", s):
        keys.add(("MH1.2", m.group(1)) if m.group(1) else ("MH1.1", ""))
    assert keys, printed
    return keys


def finding_key(f) -> tuple:
    if f.code == "M2.1":
        return ("M2.1", f.params["last_update"])
    if f.code == "R1":
        return ("R1", f.params["previous"])
    if f.code == "MH1.2":
        return ("MH1.2", f.params["system"])
    return (f.code, "")


@pytest.mark.slow
async def test_replica_reproduces_attachment2():
    districts, expected = sample_attachment2()
    assert len(expected) == 21 and sum(v[1] for v in districts.values()) == 21

    roster = read_accounts(OUT_DIR / "accounts.csv")
    assert roster.duplicates == []
    registry = read_registry(OUT_DIR / "registry.csv")
    runner, base_url = await start_feed_server(OUT_DIR)
    try:
        timelines = await load_timelines_async(roster, OUT_DIR, timeout=10, variables={"base_url": base_url},
                                               fetch=CrawlOptions.defaults(allow_addresses=[base_url.split("//")[1]],
                                                                           min_delay=0, per_host_concurrency=8))
    finally:
        await runner.cleanup()
    assert all(t.status == "ok" and t.source.startswith("http://127.0.0.1:") for t in timelines.values())

    findings = check_accounts(roster, registry, timelines, date(2022, 5, 15), 14, Lexicon.load(), ["全国", "湖北省"],
                              interaction=roster.interaction)
    previous, label = load_previous_round(OUT_DIR / "previous")
    assert label == "3月份"
    markers, rows = compare_rounds(previous, findings, label)
    findings += markers

    got: dict[tuple, set] = {}
    region = {(a.name, a.type): a.region for a in roster}
    for f in findings:
        got.setdefault((f.target, f.account_type, f.unit, region[(f.target, f.account_type)]), set()).add(finding_key(f))
    assert got == expected

    checked = Counter(a.region for a in roster)
    failing = Counter(k[3] for k in got)
    assert {r: (checked[r], failing.get(r, 0)) for r in REGIONS} == districts

    # 3月份: 12 failing accounts, 11 fixed since, 咸宁禁毒宣传 still failing
    prev_targets = {(f.target, f.account_type) for f in previous}
    assert len(prev_targets) == 12
    assert sum(len(r.fixed) for r in rows) == 11
    assert [t for r in rows for t in r.still] == ["咸宁禁毒宣传"]
    assert [m.target for m in markers] == ["咸宁禁毒宣传"]


def test_replica_clean_posts_have_no_lexicon_hits():
    """The 193 clean accounts' posts are ordinary government text: no hit of any severity."""
    import csv

    lex = Lexicon.load()
    with open(OUT_DIR / "posts.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    hits = [(r["账号"], h.wrong) for r in rows for h in lex.scan(r["标题"] + "\n" + r["正文"])]
    assert len(hits) == 4 and all(len(w) >= 3 for _, w in hits)


def test_committed_replica_files_are_the_generators_output(tmp_path):
    """The replica data is generated (causes planted, not reasons); the committed copy must be current."""
    from govcheck.newmedia.replica import generate

    generate(tmp_path)
    for rel in ("accounts.csv", "registry.csv", "posts.csv", "previous/findings.json", "previous/round.json"):
        assert (tmp_path / rel).read_bytes() == (OUT_DIR / rel).read_bytes(), rel
