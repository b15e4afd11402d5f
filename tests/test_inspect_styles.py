"""A round over the styles-demo region (TRS, 大汉 with a list loaded from a JSON endpoint, 信息公开 platform, GBK):
every column of every crawled site ends in exactly one state, the round records and prints the counts, a
script-loaded list is judged from the data it loads, and each column a person must open is listed with why."""
from __future__ import annotations

import gzip
import json

import pytest

from govcheck.inspect.run import column_state_line, run_inspect
from govcheck.sim import load_scenario
from govcheck.sim.testing import running_region


@pytest.fixture(scope="module")
def styles_round(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("styles-round")
    scen = load_scenario("styles-demo")
    with running_region(scen) as reg:
        roster = tmp / "sites.csv"
        reg.write_roster(roster)
        kw = {"allow": list(reg.allow)} if hasattr(reg, "allow") else {}
        res = run_inspect(roster, tmp / "round", at=scen.time_point, rules="xianning-2022", delay=0.0,
                          concurrency=8, progress=False, external=False, workers=2, **kw)
        sites = {s["unit"]: s for s in reg.sites}
    return tmp / "round", res, scen, sites


def test_every_column_in_exactly_one_state(styles_round):
    out, res, _, _ = styles_round
    total = {"pages": 0, "data": 0, "manual": 0}
    for o in res.sites:
        assert o.facts.columns, o.site.unit
        for c in o.facts.columns:
            assert c.state in total, (o.site.unit, c.path, c.state)
            assert (c.state == "manual") == bool(c.state_reason), (c.path, c.state_reason)
            total[c.state] += 1
    recorded = json.loads((out / "column_states.json").read_text(encoding="utf-8"))
    assert recorded["total"] == total and len(recorded["sites"]) == len(res.sites)
    facts = [json.loads(gzip.decompress(p.read_bytes())) for p in sorted((out / "facts").glob("*.json.gz"))]
    assert sum(f["column_states"]["data"] for f in facts) == total["data"] >= 1
    assert str(total["manual"]) in column_state_line(total)


def test_script_loaded_list_judged_from_the_data_it_loads(styles_round):
    _, res, scen, _ = styles_round
    (plant,) = [e for e in scen.expected() if e["plant"] == "json_api"]
    o = next(o for o in res.sites if o.site.unit == plant["unit"])
    col = next(c for c in o.facts.columns if c.path == plant["path"])
    assert (col.state, col.list_source) == ("data", "script")
    assert col.items and all(i.source == "data" for i in col.items)
    # each row cites the archived answer of the endpoint it was read from
    assert all(i.ref and i.ref.warc and "/api/" in i.ref.url for i in col.items)


def test_manual_columns_are_listed_with_their_reason(styles_round):
    out, res, _, _ = styles_round
    manual = json.loads((out / "manual.json").read_text(encoding="utf-8"))
    for o in res.sites:
        listed = {m["what"] for m in manual if m["unit"] == o.site.unit}
        for c in o.facts.columns:
            if c.state == "manual":
                assert f"{c.path}：{c.state_reason}" in listed, c.path


def test_planted_column_defects_still_found(styles_round):
    _, res, scen, _ = styles_round
    found = {(o.site.unit, f.code) for o in res.sites for f in o.findings}
    for e in scen.expected():
        if e["code"] and e["notice"] == "附件1" and e["code"].startswith(("D04", "D05", "D09", "D18", "D02")):
            assert (e["unit"], e["code"]) in found, e
