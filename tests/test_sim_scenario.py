"""Scenario files: loading, determinism, and clear errors for malformed input."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from govcheck.sim import ScenarioError, load_scenario
from govcheck.sim.scenario import SCENARIOS_DIR


def test_builtin_names_and_paths_resolve():
    a = load_scenario("styles-demo")
    b = load_scenario(SCENARIOS_DIR / "styles-demo")
    c = load_scenario(SCENARIOS_DIR / "styles-demo" / "scenario.yaml")
    assert [s.key for s in a.sites] == [s.key for s in b.sites] == [s.key for s in c.sites]
    with pytest.raises(ScenarioError, match="styles-demo"):  # the message lists the built-in names
        load_scenario("no-such-scenario")


def test_generation_is_deterministic():
    a, b = load_scenario("styles-demo"), load_scenario("styles-demo")
    for sa, sb in zip(a.sites, b.sites):
        ia = [(i.id, i.title, i.date, i.kind) for i in sorted(sa.items_by_id.values(), key=lambda i: i.id)]
        ib = [(i.id, i.title, i.date, i.kind) for i in sorted(sb.items_by_id.values(), key=lambda i: i.id)]
        assert ia == ib


def _fixture_case_plants() -> set[str]:
    """Plants the per-check fixture sites use (tests/fixtures/sites/<CODE>/case.yaml)."""
    out = set()
    for case in (Path(__file__).parent / "fixtures" / "sites").glob("*/case.yaml"):
        doc = yaml.safe_load(case.read_text(encoding="utf-8")) or {}
        for variant in ("fail", "pass"):
            out |= {d["plant"] for d in (doc.get(variant) or {}).get("defects") or []}
    return out


def test_styles_demo_covers_every_defect_kind():
    from govcheck.sim.scenario import PLANTS
    scen = load_scenario("styles-demo")
    avail = load_scenario("availability-demo")  # the outage lives apart so styles-demo crawls never meet it
    # plants added for the per-check fixture sites live there, so the demo regions keep serving the same bytes
    demo = {d.plant for s in scen.sites + avail.sites for d in s.defects}
    # search_stale: D25.2's fixture case waits for the search test to stop counting the query echoed on a
    # "no results" page as found (govcheck/inspect/run.py search_test); tests/test_sim_plants.py covers it
    # channel_broken (V5.1) and header_no_name (D20.3): a crawl reads neither as a defect yet (the adapter lists
    # the channel for a person and does not read page headers); tests/test_sim_plants.py covers them
    pending = {"search_stale", "channel_broken", "header_no_name"}
    assert demo | _fixture_case_plants() | pending == set(PLANTS)
    assert {d.plant for s in scen.sites for d in s.defects} == demo - {"outage"}
    assert {s.style for s in scen.sites} == {"trs", "hanweb", "xxgk"}
    assert any(s.encoding == "gbk" for s in scen.sites)
    exp = scen.expected()
    assert {"unit", "code", "count", "evidence", "notice"} <= set(exp[0])


@pytest.fixture
def scen_copy(tmp_path) -> Path:
    dst = tmp_path / "demo"
    shutil.copytree(SCENARIOS_DIR / "styles-demo", dst)
    return dst


def _edit(path: Path, **changes):
    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    d.update(changes)
    path.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("changes, words", [
    ({"style": "wordpress"}, ["demo-gbk.yaml", "style", "wordpress"]),
    ({"defects": [{"plant": "meteor"}]}, ["demo-gbk.yaml", "defects[0]", "meteor"]),
    ({"defects": [{"plant": "stale", "path": "首页>不存在的栏目"}]}, ["demo-gbk.yaml", "last"]),
    ({"defects": [{"plant": "stale", "path": "政务>x", "last": "2021-01-01"}]}, ["demo-gbk.yaml", "首页"]),
    ({"defects": [{"plant": "messages_stale", "last": "去年"}]}, ["demo-gbk.yaml", "last", "去年"]),
    ({"defects": [{"plant": "footer_missing", "elements": ["logo"]}]}, ["demo-gbk.yaml", "logo"]),
    ({"defects": [{"plant": "org_missing", "field": "负责人", "count": 99}]}, ["demo-gbk.yaml", "99"]),
    ({"template": "nope"}, ["demo-gbk.yaml", "template", "nope"]),
])
def test_bad_site_files_name_file_and_field(scen_copy, changes, words):
    _edit(scen_copy / "sites" / "demo-gbk.yaml", **changes)
    with pytest.raises(ScenarioError) as e:
        load_scenario(scen_copy)
    for w in words:
        assert w in str(e.value)


def test_bad_yaml_and_missing_fields(scen_copy):
    (scen_copy / "sites" / "demo-gbk.yaml").write_text("key: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="demo-gbk.yaml"):
        load_scenario(scen_copy)
    (scen_copy / "sites" / "demo-gbk.yaml").write_text("key: x\nname: y\nstyle: trs\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="unit"):
        load_scenario(scen_copy)
    d = yaml.safe_load((scen_copy / "scenario.yaml").read_text(encoding="utf-8"))
    d.pop("time_point")
    (scen_copy / "scenario.yaml").write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError, match="time_point"):
        load_scenario(scen_copy)


def test_relative_dates_follow_the_time_point(scen_copy):
    d = yaml.safe_load((scen_copy / "scenario.yaml").read_text(encoding="utf-8"))
    d["time_point"] = "2023-03-01"
    (scen_copy / "scenario.yaml").write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    _edit(scen_copy / "sites" / "demo-gbk.yaml",
          defects=[{"plant": "stale", "path": "首页>政务动态>本地要闻", "last": "-40d"}])
    site = load_scenario(scen_copy).site("demo-gbk")
    col = site.column_by_path("首页>政务动态>本地要闻")
    assert str(col.items[0].date) == "2023-01-20"
    assert max(i.date for i in site.items_by_id.values()).isoformat() <= "2023-03-01"


def test_outage_site_is_down_part_of_the_time(tmp_path):
    import time

    import httpx

    from govcheck.sim.testing import running_region

    dst = tmp_path / "avail"
    shutil.copytree(SCENARIOS_DIR / "availability-demo", dst)
    f = dst / "sites" / "demo-down.yaml"
    d = yaml.safe_load(f.read_text(encoding="utf-8"))
    d["defects"][0].update(period=1.0, down=0.3)
    f.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    (dst / "scenario.yaml").write_text((dst / "scenario.yaml").read_text(encoding="utf-8").replace(
        "../styles-demo/templates.yaml", str(SCENARIOS_DIR / "styles-demo" / "templates.yaml")), encoding="utf-8")
    statuses = []
    with running_region(dst) as reg, httpx.Client(timeout=5) as c:
        url = reg.sites[0]["url"]
        for _ in range(40):
            statuses.append(c.get(url).status_code)
            time.sleep(0.05)
    assert set(statuses) == {200, 503}
    assert 0.1 <= statuses.count(503) / len(statuses) <= 0.6


def test_titles_are_unique_within_a_site():
    """Search and sampling checks look items up by title; real sites rarely repeat one."""
    for s in load_scenario("styles-demo").sites:
        titles = [i.title for i in s.items_by_id.values()]
        assert len(titles) == len(set(titles)), s.key


def test_stale_interpretations_and_misplaced_defects(scen_copy):
    _edit(scen_copy / "sites" / "demo-gbk.yaml", defects=[
        {"plant": "stale", "path": "首页>政府信息公开>法定主动公开内容>政策解读", "last": "2022-02-28"}])
    site = load_scenario(scen_copy).site("demo-gbk")
    interps = site.column_by_path("首页>政府信息公开>法定主动公开内容>政策解读").items
    assert interps and max(i.date for i in interps).isoformat() <= "2022-02-28"
    pols = [p for p in site.items_by_id.values() if p.kind == "policy"]
    assert any(p.date.isoformat() > "2022-02-28" and "interp" not in p.extra for p in pols)
    _edit(scen_copy / "sites" / "demo-gbk.yaml", defects=[
        {"plant": "blank", "path": "首页>政府信息公开>法定主动公开内容>机构职能"}])
    with pytest.raises(ScenarioError, match="机构职能"):
        load_scenario(scen_copy)
