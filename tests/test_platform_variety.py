"""A county the variety generator builds compliant (site i % 20 == 5: its 政府信息公开 platform in the national
shape, every sub-platform with its standard columns) passes the 政务公开 platform checks (GK*) through the whole
reading chain, on page styles this issue did not write; the same facts with one more body in the roster fail."""
from __future__ import annotations

import csv
from pathlib import Path

from govcheck.checks.facts import Body
from govcheck.inspect.adapter import SiteBuild
from govcheck.inspect.run import check_site, run_inspect
from govcheck.rules import load_ruleset
from govcheck.sim.variety import Options, bodies_of, build_variety, time_point_for
from govcheck.sim.variety_eval import serve_variety

SEED, N = 11, 6


def test_compliant_variety_county_has_no_platform_finding(tmp_path):
    t0 = time_point_for(SEED)
    model = build_variety(SEED, N, t0=t0, opts=Options())
    county = model.sites[5]
    assert county.kind == "门户"
    bodies = bodies_of(county)
    assert bodies and {b["类型"] for b in bodies} <= {"部门", "乡镇街道"}
    with serve_variety(SEED, N, tmp_path / "all.csv", t0=t0) as served:
        with (tmp_path / "all.csv").open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        url = rows[6][rows[0].index("首页网址")]
        with (tmp_path / "sites.csv").open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows([rows[0], rows[6]])
        with (tmp_path / "bodies.csv").open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows([["上级平台网址", "单位名称", "类型"]] + [[url, b["单位名称"], b["类型"]] for b in bodies])
        res = run_inspect(tmp_path / "sites.csv", tmp_path / "round", at=t0, rules="xianning-2022", seed=SEED,
                          delay=0.0, concurrency=8, progress=False, external=False, workers=2, allow=served.allow,
                          bodies=tmp_path / "bodies.csv")
    (o,) = res.sites
    assert o.facts.platform is not None and len(o.facts.platform.bodies) == len(bodies)
    assert [(f.code, f.params) for f in o.findings if f.code.startswith("GK")] == []
    assert [(m.code, m.what) for m in o.manual if m.code.startswith("GK")] == []
    # every body was matched to a sub-platform the pages show
    from govcheck.checks.platform import platform_table

    table = platform_table(o.facts, load_ruleset("xianning-2022"))
    assert table["platform"]["standard"] and all(b["match"] in ("exact", "abbrev", "url") for b in table["bodies"])

    # the same facts, one more department in the roster: exactly that one is missing
    o.facts.platform.bodies.append(Body(name=f"{o.facts.platform.bodies[0].name[:2]}县信访局", type="部门",
                                        file="bodies.csv", row=99))
    again = check_site(o.site, SiteBuild(facts=o.facts, pages=o.pages), load_ruleset("xianning-2022"), t0, SEED)
    gk = [f for f in again.findings if f.code.startswith("GK")]
    assert [(f.code, f.params["body"]) for f in gk] == [("GK2.1", o.facts.platform.bodies[-1].name)]
    assert any(e.row == 99 for e in gk[0].evidence) and any(e.archive is not None for e in gk[0].evidence)
