"""The xianning-2022q2 scenario against the real notice it reproduces (附件1 and the text's 二、(一))."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from urllib.parse import urljoin

import pytest

from govcheck.paths import shared_dir
from govcheck.sim import load_scenario


@pytest.fixture(scope="module")
def scen():
    return load_scenario("xianning-2022q2")


@pytest.fixture(scope="module")
def notice_rows(scen):
    """附件1 rows of the real notice: unit -> (problem text, score text)."""
    sd = shared_dir()
    if sd is None:
        pytest.fail("shared/ not found beside the checkout; set GOVCHECK_SHARED")
    text = (sd / "reference" / scen.raw["reference"]).read_text(encoding="utf-8")
    part = text.split("附件1:", 1)[1].split("附件2:", 1)[0]
    rows = {}
    for line in part.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) >= 3 and cells[2] and (cells[2] == "一票否决" or re.fullmatch(r"[\d.]+", cells[2])):
            rows[re.sub(r"\s+", "", cells[0])] = (cells[1], cells[2])
    assert len(rows) == 40
    return rows, text


def in_table(site):
    return [d for d in site.defects if d.notice == "附件1"]


def test_forty_sites_one_per_notice_unit(scen, notice_rows):
    rows, _ = notice_rows
    assert len(scen.sites) == 40
    assert sorted(s.unit for s in scen.sites) == sorted(rows)
    assert scen.time_point == dt.date(2022, 5, 15)


def test_units_listed_as_none_have_no_table_defects(scen, notice_rows):
    rows, _ = notice_rows
    for s in scen.sites:
        problems, _score = rows[s.unit]
        assert (problems == "无") == (not in_table(s)), s.unit


def test_deductions_add_up_to_the_printed_scores(scen, notice_rows):
    rows, _ = notice_rows
    for s in scen.sites:
        problems, score = rows[s.unit]
        defects = in_table(s)
        if score == "一票否决":
            assert any(d.code == "V1.5" for d in defects), s.unit
            continue
        total = sum(float(d.params["deduct"]) for d in defects)
        assert total == pytest.approx(100 - float(score)), s.unit
        # each printed "共扣N分" matches the sum over the scenario's defects of one rule
        printed = sorted(float(x) for x in re.findall(r"共扣([\d.]+)分", problems))
        per_rule = Counter()
        for d in defects:
            # the notice prints one line per indicator, but 其他栏目 空白 (D09.1) and 应更新未更新 (D09.2) apart
            per_rule[d.code if d.code.startswith("D09") else d.code.split(".")[0]] += float(d.params["deduct"])
        assert sorted(per_rule.values()) == printed, s.unit


def test_printed_evidence_is_planted(scen, notice_rows):
    rows, _ = notice_rows
    checked_reasons: list[str] = []
    for s in scen.sites:
        problems, _ = rows[s.unit]
        evidence = " ".join(e for d in s.defects for e in d.evidence)
        for path in re.findall(r"首页>[^\s]+", problems):
            assert path in evidence, (s.unit, path)
            assert s.column_by_path(path) is not None, (s.unit, path)
        # the short reason a notice prints in parentheses after a rule (or before its 共扣 line)
        reasons = re.findall(r"(?:共扣[\d.]+分。|一票否决。)\s*[（(]([^）)]+)[）)]", problems)
        checked_reasons.extend(reasons)
        for r in reasons:
            assert any(part in evidence for part in re.split(r"[、，,]", r)), (s.unit, r)
    assert len(checked_reasons) >= 20  # the notice's parenthesised reasons were really read


def test_titles_named_by_the_notice_are_published(scen, notice_rows):
    rows, text = notice_rows
    titles = {it.title for s in scen.sites for it in s.items_by_id.values()}
    for t in ("《官桥八组北湖片区国土空间规划(2021-2035)》草案公示公告",
              "县委全面依法治县委员会办公室关于对《通山县法治社会建设实施方案(2021—2025年)》公开征求意见和建议的公告",
              "咸宁市主城区中心片区控制性详细规划征求意见"):
        assert t in titles and t in text


def test_fraud_cases(scen):
    mz = scen.site("市民政局")
    c = next(i for i in mz.items_by_id.values() if i.kind == "consult" and "五社联动" in i.title)
    assert c.date == dt.date(2022, 3, 30) and "2000年3月30日至2000年4月30日" in c.extra["period_text"]
    zr = scen.site("市自然资源和规划局")
    c = next(i for i in zr.items_by_id.values() if i.title == "咸宁市主城区中心片区控制性详细规划征求意见")
    assert c.extra["start"] == c.extra["end"] == dt.date(2022, 3, 9)


def _unanswered_consultations(site, t0):
    """Consultations that ended in the year before t0, more than a month ago, with no feedback published."""
    out = []
    for it in site.items_by_id.values():
        if it.kind != "consult":
            continue
        end = it.extra["end"]
        fb = it.extra.get("feedback")
        if t0 - dt.timedelta(days=365) <= end <= t0 - dt.timedelta(days=31):
            if fb is None or fb.date > end + dt.timedelta(days=31):
                out.append(it)
    return out


def test_x01_counts_match(scen):
    t0 = scen.time_point
    for s in scen.sites:
        want = sum(d.count for d in s.defects if d.code == "X01")
        assert len(_unanswered_consultations(s, t0)) == want, s.unit


def test_org_gaps_match(scen):
    for s in scen.sites:
        org = s.columns_of_kind("机构职能")[0].content["sections"]
        gaps = sum(1 for sec in org if not sec["head"]) + sum(1 for sec in org if not sec["hours"])
        assert gaps == sum(d.count for d in s.defects if d.plant == "org_missing"), s.unit


def test_stale_and_blank_columns_match(scen):
    t0 = scen.time_point
    for s in scen.sites:
        planted = {d.params["path"]: d for d in s.defects if d.plant in ("stale", "blank")}
        for c in s.all_columns():
            if c.ctype not in ("list", "interps"):
                continue
            d = planted.get(c.path_str)
            if d is None:
                assert c.items and (t0 - c.items[0].date).days <= 14, (s.unit, c.path_str)
            elif d.plant == "blank":
                assert not c.items and c.blank
            else:
                assert c.items[0].date <= d.params["last"], (s.unit, c.path_str)


def test_messages_and_reports(scen):
    t0 = scen.time_point
    for s in scen.sites:
        msgs = [it for c in s.columns_of_kind("互动留言") for it in c.items]
        newest = max(it.date for it in msgs)
        stale = any(d.plant == "messages_stale" for d in s.defects)
        assert (newest < t0 - dt.timedelta(days=61)) == stale, s.unit
        assert all(it.extra["answered"] <= t0 and (it.extra["answered"] - it.date).days <= 3 for it in msgs)
        reports = {it.extra["year"]: it for c in s.columns_of_kind("年度报告") for it in c.items}
        late = {d.params["year"] for d in s.defects if d.plant == "report_late"}
        missing = {d.params["year"] for d in s.defects if d.plant == "report_missing"}
        assert 2021 in reports or 2021 in missing, s.unit
        if 2021 in reports:
            assert (reports[2021].date > dt.date(2022, 1, 31)) == (2021 in late), s.unit
    wl = {it.extra["year"]: it for it in scen.site("市文化和旅游局").items_by_id.values() if it.kind == "report"}
    assert wl[2020].extra["section5"] == wl[2021].extra["section5"] != wl[2019].extra["section5"]
    assert {s.unit for s in scen.sites if any(d.plant == "report_late" for d in s.defects)} == {
        "市自然资源和规划局", "市卫生健康委员会"}


def test_interpretations(scen):
    for s in scen.sites:
        pols = [it for it in s.items_by_id.values() if it.kind == "policy" and it.column.spec.get("interpret")]
        missing = sum(1 for p in pols if "interp" not in p.extra)
        assert missing == sum(d.count for d in s.defects if d.plant == "policy_uninterpreted"), s.unit
        unlinked = sum(1 for it in s.items_by_id.values() if it.kind == "interp" and not it.extra["links_policy"])
        unlinked += sum(1 for p in pols if "interp" in p.extra and not p.extra["links_interp"])
        assert unlinked == sum(d.count for d in s.defects if d.plant == "interp_unlinked"), s.unit


def test_sites_differ_in_style_size_and_encoding(scen):
    styles = Counter(s.style for s in scen.sites)
    assert set(styles) == {"trs", "hanweb", "xxgk"} and min(styles.values()) >= 10
    assert sum(1 for s in scen.sites if s.encoding == "gbk") >= 4
    sizes = [s.page_count() for s in scen.sites]
    assert min(sizes) < 400 and max(sizes) > 3000
    footers = [s for s in scen.sites if not all(s.footer["present"].values())]
    assert [s.unit for s in footers] == ["市教育局"]


def test_region_serves_every_home_page(scen, tmp_path):
    import httpx

    from govcheck.sim.testing import running_region

    with running_region(scen) as reg, httpx.Client(timeout=10) as c:
        assert len(reg.sites) == 40 and len({s["url"] for s in reg.sites}) == 40
        for s in reg.sites:
            site = scen.site(s["key"])
            r = c.get(s["url"])
            assert r.status_code == 200, s["unit"]
            text = r.content.decode(site.encoding)
            assert f'name="SiteIDCode" content="{s["site_id_code"]}"' in text
            assert re.search(rf'charset="?{site.meta_charset}"', text[:300])  # <meta charset> or http-equiv
            if site.header_charset:
                assert f"charset={site.meta_charset}" in r.headers["content-type"]
            else:
                assert "charset" not in r.headers["content-type"]
        assert sum(1 for s in reg.sites if not scen.site(s["key"]).header_charset) >= 1
        roster = reg.write_roster(tmp_path / "sites.csv").read_text(encoding="utf-8-sig").splitlines()
        assert len(roster) == 41 and roster[0] == "区域,单位名称,网站名称,首页网址,网站类型,对外服务,网站标识码,其他域名"
        # 赤壁市 serves its 政府信息公开 platform from a second host, declared under 其他域名
        cb = reg.site("赤壁市")
        assert cb["extra_hosts"] and any(line.endswith("," + cb["extra_hosts"][0]) for line in roster)
        plat = "http://" + cb["extra_hosts"][0]
        col = scen.site("赤壁市").column_by_path("首页>政府信息公开>政策>政策文件")
        home = c.get(cb["url"]).text
        assert f'href="{plat}/' in home  # the main site links across to the platform
        assert c.get(urljoin(cb["url"], col.url)).status_code == 404
        page = c.get(plat + col.url)
        assert page.status_code == 200
        assert f'<a href="{cb["url"]}">首页</a>' in page.text  # its breadcrumb leads back to the portal
        assert c.get(plat + col.items[0].url).status_code == 200


def test_only_the_planted_report_repeats_section_five(scen):
    import difflib

    for s in scen.sites:
        rep = {it.extra["year"]: "".join(it.extra["section5"]) for it in s.items_by_id.values() if it.kind == "report"}
        planted = {max(d.params["years"]) for d in s.defects if d.plant == "report_repeat"}
        for y in rep:
            if y - 1 in rep:
                ratio = difflib.SequenceMatcher(None, rep[y - 1], rep[y]).ratio()
                assert (ratio == 1.0) == (y in planted) and (y in planted or ratio < 0.6), (s.unit, y, ratio)


def test_accounts_roster_points_at_the_running_feeds(scen, tmp_path):
    import httpx

    from govcheck.sim.testing import running_region

    with running_region(scen) as reg:
        assert reg.feeds_url
        path = reg.write_accounts(tmp_path / "accounts.csv")
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        assert "{base_url}" not in "".join(lines) and reg.feeds_url in lines[1]
        url = next(c for c in lines[1].split(",") if c.startswith("http"))
        r = httpx.get(url, timeout=10)
        assert r.status_code == 200 and ("<rss" in r.text[:200] or "<feed" in r.text[:200])
