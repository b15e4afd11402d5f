"""The evidence standard, enforced centrally: a finding whose evidence falls short of its rule's requirements
(registry.yaml `requires`, govcheck/checks/evidence.py) becomes a 需人工核查 item with the reason and the held
finding, never a deduction. Each case takes a failing SiteFacts fixture, lowers one certainty field the way
extraction reports it, and checks the finding turns into a manual item (and back when the field is sure)."""
from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml

from govcheck.checks import run_checks
from govcheck.checks.facts import SiteFacts
from govcheck.rules import load_ruleset

FIX = Path(__file__).parent / "fixtures" / "checks"
AT = dt.date(2022, 5, 15)


def load(case: str) -> tuple[dict, object]:
    doc = yaml.safe_load((FIX / case / "fail.yaml").read_text(encoding="utf-8"))
    return doc, load_ruleset(doc["ruleset"], [FIX / case / o for o in doc.get("overlays", [])])


def judge(doc: dict, rs, site: dict):
    return run_checks(SiteFacts.from_dict(site), rs, dt.date.fromisoformat(str(doc["at"])), doc["seed"])


def held(res, code: str) -> list:
    return [m for m in res.manual if m.code == code and m.held]


def column(site: dict, path: str) -> dict:
    return next(c for c in site["columns"] if c["path"] == path)


def test_news_column_kind_guessed_from_titles_is_held_not_deducted():
    doc, rs = load("D04.2")
    assert [f.code for f in judge(doc, rs, doc["site"]).findings] == ["D04.2"]
    path = next(c["path"] for c in doc["site"]["columns"] if c["kind"] == "动态要闻")
    for source, kept in (("titles", False), ("name", True), ("sitemap", True), ("breadcrumb", True)):
        site = copy.deepcopy(doc["site"])
        column(site, path)["kind_source"] = source
        res = judge(doc, rs, site)
        assert ("D04.2" in {f.code for f in res.findings}) is kept, source
        if not kept:
            (m,) = held(res, "D04.2")
            assert "仅由条目标题推断" in m.what and "检查所见：动态要闻监测时间点前2周内未更新" in m.what
            assert m.held["code"] == "D04.2" and m.held["evidence"][0]["path"] == path
            assert m.urls and m.to_dict()["held"]["evidence"]


def test_inherited_kind_is_as_good_as_the_ancestor_that_decided_it():
    doc, rs = load("D05.2")
    parent = next(c for c in doc["site"]["columns"] if c.get("first_level"))
    for parent_source, kept in (("name", True), ("titles", False)):
        site = copy.deepcopy(doc["site"])
        column(site, parent["path"])["kind_source"] = parent_source
        for c in site["columns"]:
            if c["path"] != parent["path"]:
                c["kind_source"] = "parent"
        res = judge(doc, rs, site)
        assert ("D05.2" in {f.code for f in res.findings}) is kept, parent_source


@pytest.mark.parametrize("case", ["D04.2", "D09.2", "D12.2", "D18.3", "V3"])
def test_a_date_that_is_only_an_mm_dd_guess_decides_nothing(case):
    doc, rs = load(case)
    assert case in {f.code for f in judge(doc, rs, doc["site"]).findings}
    site = copy.deepcopy(doc["site"])
    for holder in ([site["home"]] if case == "V3" else site["columns"]):
        for it in holder.get("items") or []:
            it["date_precision"] = "month_day"
    res = judge(doc, rs, site)
    assert case not in {f.code for f in res.findings}
    assert any("只写月日" in m.what for m in held(res, case))


def test_subtree_rule_reads_the_dates_of_the_sub_columns():
    doc, rs = load("D05.2")
    site = copy.deepcopy(doc["site"])
    sub = next(c for c in site["columns"] if not c.get("first_level"))
    sub["items"][0]["date_precision"] = "month_day"
    res = judge(doc, rs, site)
    assert "D05.2" not in {f.code for f in res.findings} and held(res, "D05.2")


def test_a_consultation_period_with_an_inferred_year_is_no_fraud():
    doc, rs = load("V1.5")
    n = len([f for f in judge(doc, rs, doc["site"]).findings if f.code == "V1.5"])
    site = copy.deepcopy(doc["site"])
    site["consultations"][0]["dates_inferred"] = ["start", "end"]
    res = judge(doc, rs, site)
    assert len([f for f in res.findings if f.code == "V1.5"]) == n - 1
    assert any("只写月日" in m.what for m in held(res, "V1.5"))


@pytest.mark.parametrize("status,archived,reason", [(404, True, "HTTP 404"), (None, False, "未存档"),
                                                    (None, True, "未记录抓取状态")])
def test_a_page_not_fetched_fine_proves_nothing(status, archived, reason):
    doc, rs = load("D09.1")
    site = copy.deepcopy(doc["site"])
    for c in site["columns"]:
        if c.get("ref"):
            c["ref"]["status"] = status
            if not archived:
                c["ref"].pop("warc")
    res = judge(doc, rs, site)
    assert "D09.1" not in {f.code for f in res.findings}
    assert all(reason in m.what for m in held(res, "D09.1")) and held(res, "D09.1")


def test_a_dead_entry_is_proof_when_the_rule_is_about_the_status():
    """V5.1 cites the entry page it found dead: an archived 404 is its evidence, not a fetch failure."""
    doc, rs = load("V5.1")
    site = copy.deepcopy(doc["site"])
    site["interaction"]["ref"]["status"] = 404
    assert "V5.1" in {f.code for f in judge(doc, rs, site).findings}


@pytest.mark.parametrize("case,role,kept", [("D02.2", "menu", False), ("D02.2", "unclear", False),
                                            ("D02.2", "content", True), ("D03.2", "menu", False)])
def test_org_and_leader_facts_are_judged_on_their_content_page_only(case, role, kept):
    doc, rs = load(case)
    site = copy.deepcopy(doc["site"])
    for e in site.get("org") or site.get("leaders") or []:
        e["ref"]["page_role"] = role
    res = judge(doc, rs, site)
    assert (case in {f.code for f in res.findings}) is kept
    if not kept:
        assert held(res, case) and all("不是内容页" in m.what for m in held(res, case))


def test_a_menu_page_is_not_a_blank_column():
    doc, rs = load("D09.1")
    site = copy.deepcopy(doc["site"])
    for c in site["columns"]:
        if c.get("blank"):
            c["ref"]["page_role"] = "menu"
    res = judge(doc, rs, site)
    assert "D09.1" not in {f.code for f in res.findings}
    assert any("菜单页" in m.what for m in held(res, "D09.1"))


def test_a_list_read_from_script_data_is_judged_an_unread_one_is_not():
    doc, rs = load("D09.2")
    for source, kept in (("script", True), ("static", True), ("unread", False)):
        site = copy.deepcopy(doc["site"])
        for c in site["columns"]:
            c["list_source"] = source
        res = judge(doc, rs, site)
        assert ("D09.2" in {f.code for f in res.findings}) is kept, source


# ---------------------------------------------------------------------------------------------- V2
def _probes(n_ok: int, n_down: int, n_blocked: int = 0, day: str = "2022-05-12") -> list[dict]:
    out = []
    for i in range(n_ok + n_down + n_blocked):
        at = f"{day}T{i % 24:02d}:{(i * 7) % 60:02d}:00+08:00"
        if i < n_down:
            out.append({"at": at, "ok": False, "error": "timeout"})
        elif i < n_down + n_blocked:
            out.append({"at": at, "ok": False, "status": 403, "error": "blocked"})
        else:
            out.append({"at": at, "ok": True, "latency": 0.5, "status": 200})
    return out


def _v2(probes: list[dict] | None):
    doc, rs = load("V2")
    site = copy.deepcopy(doc["site"])
    if probes is None:
        site.pop("availability")
    else:
        site["availability"]["probes"] = probes
    res = judge(doc, rs, site)
    return [f for f in res.findings if f.code == "V2"], [m for m in res.manual if m.code == "V2"]


def test_v2_without_or_with_too_few_probes_is_never_a_pass():
    fs, ms = _v2(None)
    assert fs == [] and len(ms) == 1 and "无首页可用性监测记录" in ms[0].what
    fs, ms = _v2(_probes(100, 0))
    assert fs == [] and len(ms) == 1 and "100次，少于140次" in ms[0].what


def test_v2_waf_challenges_are_not_outages():
    fs, ms = _v2(_probes(132, 8))  # 5.7%: veto
    assert len(fs) == 1 and fs[0].params["failures"] == 8 and ms == []
    fs, ms = _v2(_probes(132, 4, 4))  # 2.9% down, 5.7% only if the challenges counted: a person decides
    assert fs == [] and len(ms) == 1 and "被拦截" in ms[0].what
    fs, ms = _v2(_probes(136, 4, 0))  # 2.9%, nothing blocked: a pass
    assert fs == [] and ms == []
    fs, ms = _v2(_probes(130, 8, 2))  # veto even counting the challenges as up
    assert len(fs) == 1 and fs[0].params["uncertain"] == 2


def test_v2_slow_answers_are_outages_by_the_rules_timeout(tmp_path):
    probes = _probes(140, 0)
    for p in probes[:8]:
        p["latency"] = 15.2
    fs, _ = _v2(probes)
    assert len(fs) == 1
    ov = tmp_path / "o.toml"
    ov.write_text('[ruleset]\nname="o"\nversion="1"\n\n[[rule]]\ncode="V2"\ntimeout_seconds=20\n', encoding="utf-8")
    doc, _ = load("V2")
    site = copy.deepcopy(doc["site"])
    site["availability"]["probes"] = probes
    res = run_checks(SiteFacts.from_dict(site), load_ruleset("xianning-2022", [ov]), AT, 1)
    assert [f for f in res.findings if f.code == "V2"] == []


def test_v2_probes_outside_the_window_do_not_count():
    fs, ms = _v2(_probes(132, 8, day="2022-05-01"))
    assert fs == [] and "无首页可用性监测记录" in ms[0].what
    fs, ms = _v2(_probes(132, 8, day="2022-05-16"))  # after the time point's day
    assert fs == [] and ms


# ---------------------------------------------------------------------------------------------- V1.1
def test_an_outdated_title_counts_only_on_a_page_date_the_page_states():
    """A title is outdated on a page dated 2024 by its labelled 发布日期 (a veto), but only 需人工核查 when the
    2024 date came from meta tags: the page may be older than its metadata says."""
    from govcheck.newmedia.checks import page_hits, unstated_note
    from govcheck.newmedia.lexicon import Lexicon

    text = "国务院总理李克强主持召开国务院常务会议，部署稳经济工作。"
    doc, rs = load("V1.1")
    for source, vetoed in (("label", True), ("meta", False)):
        hits = page_hits(text, Lexicon.load(), at=dt.date(2024, 5, 15), page_date="2024-03-20", date_source=source)
        assert [(h.kind, ok) for h, ok in hits] == [("stale", vetoed)]
        site = copy.deepcopy(doc["site"])
        h, ok = hits[0]
        site["wording"][0].update(wrong=h.wrong, right=h.right, kind=h.kind, reason=h.reason, term=h.term,
                                  date="2024-03-20", date_source=source, date_stated=ok,
                                  held_note=None if ok else unstated_note(h, "2024-03-20", source))
        res = run_checks(SiteFacts.from_dict(site), rs, dt.date(2024, 5, 15), 1)
        assert ("V1.1" in {f.code for f in res.findings}) is vetoed
        manual = [m for m in res.manual if m.code == "V1.1"]
        assert bool(manual) is not vetoed
        if manual:
            assert "页面未标明发布日期" in manual[0].what and "页面元数据" in manual[0].what


def test_a_window_judged_on_the_column_itself_needs_the_columns_own_kind():
    """D04.2 judges a column on its own: a 动态要闻 kind inherited from a parent is not enough (kind_own); a
    subtree rule (D05.2) judges the named first-level column, whose sub-columns may inherit (kind_named)."""
    doc, rs = load("D04.2")
    path = next(c["path"] for c in doc["site"]["columns"] if c["kind"] == "动态要闻")
    site = copy.deepcopy(doc["site"])
    column(site, path)["kind_source"] = "parent"
    res = judge(doc, rs, site)
    assert "D04.2" not in {f.code for f in res.findings}
    assert any("沿用上级栏目" in m.what for m in held(res, "D04.2"))


def test_message_rules_cite_the_message_column_when_there_is_no_channel_page():
    """D18.4 without a letter page: the archived message list it was read from is the evidence (it was the site
    URL, unarchived, which the standard holds back)."""
    doc, rs = load("D18.4")
    site = copy.deepcopy(doc["site"])
    lst = site["url"] + "ldxx/"
    site["interaction"] = {"stats_published": False}
    site["columns"] = [{"path": "首页>互动交流>领导信箱", "name": "领导信箱", "kind": "咨询/留言", "url": lst,
                        "items": [{"title": "关于路灯的问题", "date": "2022-05-10"}],
                        "ref": {"url": lst, "status": 200, "warc": "w.warc.gz", "record_id": "<r>"}}]
    res = judge(doc, rs, site)
    (f,) = [f for f in res.findings if f.code == "D18.4"]
    assert f.evidence[0].path == "首页>互动交流>领导信箱" and f.evidence[0].archive.record_id == "<r>"


def test_older_mm_dd_rows_do_not_hold_a_finding_decided_by_a_full_date():
    """Only the row that decides (the newest that counts) must be dated in full: a year inferred for an older
    MM-DD row can only make it look newer, never turn a stale column fresh."""
    doc, rs = load("D04.2")
    path = next(c["path"] for c in doc["site"]["columns"] if c["kind"] == "动态要闻")
    site = copy.deepcopy(doc["site"])
    items = column(site, path)["items"]
    newest = max(i["date"] for i in items if i["date"] <= "2022-05-15")  # the newest row that counts
    for it in items:
        if it["date"] != newest:
            it["date_precision"] = "month_day"
    assert "D04.2" in {f.code for f in judge(doc, rs, site).findings}
    for it in items:
        it["date_precision"] = "month_day" if it["date"] == newest else None
    assert "D04.2" not in {f.code for f in judge(doc, rs, site).findings}
