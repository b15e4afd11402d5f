"""The defect plants that make each automated website check fail: what each one does to the served pages,
in every CMS style and in GBK, and the clear error a bad plant parameter gives. (The whole chain — crawl,
extract, check, print — runs per check in tests/test_checks_sites.py over tests/fixtures/sites.)"""
from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from govcheck.sim import ScenarioError, load_scenario
from govcheck.sim.render import assign_urls, renderer_for
from govcheck.sim.testing import running_region

T0 = dt.date(2022, 5, 15)
STYLES = ["trs", "hanweb", "xxgk"]
TEMPLATE = [
    {"name": "新闻动态", "children": [
        {"name": "工作动态", "kind": "动态要闻", "count": 3, "every": 2},
        {"name": "通知公告", "kind": "通知公告", "count": 2, "every": 20}]},
    {"name": "政府信息公开", "children": [
        {"name": "法定主动公开内容", "children": [
            {"name": "单位简介", "kind": "概况信息", "type": "page"},
            {"name": "领导信息", "kind": "领导信息", "type": "leaders"},
            {"name": "政策文件", "kind": "政策文件", "count": 3, "every": 30}]}]},
    {"name": "互动交流", "children": [
        {"name": "领导信箱", "kind": "互动留言", "type": "messages", "count": 5, "every": 5}]},
    {"name": "办事服务", "children": [
        {"name": "办件统计", "kind": "办事统计", "count": 3, "every": 30}]},
]


def _scenario(tmp: Path, sites: dict[str, dict]) -> Path:
    root = tmp / "scen"
    (root / "sites").mkdir(parents=True)
    (root / "scenario.yaml").write_text(yaml.safe_dump({
        "name": "plants", "time_point": T0.isoformat(), "seed": 7, "city": "示范市", "fresh_days": 3,
        "footer_defaults": {"icp": "鄂ICP备05009999号", "phone": "0715-8120000", "address": "示范市人民大道1号",
                            "police": "鄂公网安备 42120002000099号", "conac_id": "CONAC0099"}},
        allow_unicode=True), encoding="utf-8")
    (root / "templates.yaml").write_text(yaml.safe_dump({"dept": TEMPLATE}, allow_unicode=True), encoding="utf-8")
    for key, extra in sites.items():
        spec = {"key": key, "unit": "示范市审计局", "name": "示范市审计局", "short": "市审计局", "kind": "部门",
                "template": "dept", "site_id_code": "4299000099", "domain": "sjj.shifan.gov.cn", **extra}
        (root / "sites" / f"{key}.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return root


def _site(tmp: Path, style: str, defects: list[dict], **extra):
    scen = load_scenario(_scenario(tmp, {"s": {"style": style, "defects": defects, **extra}}))
    site = scen.sites[0]
    assign_urls(site)
    return site, renderer_for(site, scen.time_point)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("style", STYLES)
def test_column_missing_leaves_no_trace(tmp_path, style):
    site, r = _site(tmp_path, style, [{"plant": "column_missing", "path": "首页>政府信息公开>法定主动公开内容>单位简介"}])
    assert site.column_by_path("首页>政府信息公开>法定主动公开内容>单位简介") is None
    assert site.column_by_path("首页>政府信息公开>法定主动公开内容>领导信息") is not None
    for page in (r.render_home(), r.render_sitemap(), r.render_column(site.columns[1], 1)):
        assert "单位简介" not in page


@pytest.mark.parametrize("style", STYLES)
def test_leader_incomplete_drops_the_newest_resume(tmp_path, style):
    site, r = _site(tmp_path, style, [{"plant": "leader_incomplete", "field": "简历", "count": 1}])
    col = site.column_by_path("首页>政府信息公开>法定主动公开内容>领导信息")
    leaders = col.content["leaders"]
    assert [ld["resume"] is None for ld in leaders] == [False] * (len(leaders) - 1) + [True]
    html = r.render_column(col, 1)
    assert html.count("简历：") == len(leaders) - 1 and leaders[-1]["name"] in html


@pytest.mark.parametrize("style", STYLES)
def test_message_fields_and_late_answers(tmp_path, style):
    site, r = _site(tmp_path, style, [
        {"plant": "message_fields", "fields": ["答复单位", "答复时间"]},
        {"plant": "message_late", "asked": ["2021-12-10"], "after": 110},
        {"plant": "message_late", "asked": ["-120d"], "unanswered": True}])
    col = site.column_by_path("首页>互动交流>领导信箱")
    pages = {it.title: _text(r.render_item(it)) for it in col.items}
    assert len(pages) == 5 + 2
    for text in pages.values():
        assert "答复单位" not in text and "答复时间" not in text and "留言时间" in text
    late = [it for it in col.items if it.date == dt.date(2021, 12, 10)]
    assert late and late[0].extra["answered"] == dt.date(2022, 3, 30)
    pending = [it for it in col.items if it.date == T0 - dt.timedelta(days=120)]
    assert pending and pending[0].extra["answered"] is None and "答复内容" not in pages[pending[0].title]
    assert "待回复" in r.render_column(col, 1)


@pytest.mark.parametrize("style", STYLES)
def test_message_stats_missing(tmp_path, style):
    site, r = _site(tmp_path, style, [{"plant": "message_stats_missing"}])
    col = site.column_by_path("首页>互动交流>领导信箱")
    assert "留言受理反馈情况统计" not in r.render_column(col, 1) and col.items
    site, r = _site(tmp_path / "clean", style, [])
    assert "留言受理反馈情况统计" in r.render_column(site.column_by_path("首页>互动交流>领导信箱"), 1)


@pytest.mark.parametrize("style", STYLES)
def test_home_frozen_shows_nothing_newer(tmp_path, style):
    site, r = _site(tmp_path, style, [{"plant": "home_frozen", "last": "2022-04-10"}])
    home = r.render_home()
    shown = [it for c in site.all_columns() for it in c.items if it.url in home]
    assert shown and all(it.date <= dt.date(2022, 4, 10) for it in shown)
    news = site.column_by_path("首页>新闻动态>工作动态")
    assert news.items[0].date >= T0 - dt.timedelta(days=3)  # the column itself is fresh


@pytest.mark.parametrize("style", STYLES)
def test_future_date_in_a_column(tmp_path, style):
    site, r = _site(tmp_path, style, [{"plant": "future_date", "path": "首页>办事服务>办件统计", "date": "2023-05-06"}])
    col = site.column_by_path("首页>办事服务>办件统计")
    assert col.items[0].date == dt.date(2023, 5, 6)
    assert "2022年4月" in col.items[0].title  # the report meant: only the year was mistyped
    assert col.items[0].url not in r.render_home()


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("pages, tags", [("content", "all"), ("column", "page"), ("all", "site")])
def test_meta_missing(tmp_path, style, pages, tags):
    site, r = _site(tmp_path, style, [{"plant": "meta_missing", "pages": pages, "tags": tags}])
    col = site.column_by_path("首页>新闻动态>工作动态")
    art, lst, home = r.render_item(col.items[0]), r.render_column(col, 1), r.render_home()
    for html, ptype in ((art, "content"), (lst, "column")):
        hit = pages in ("all", ptype)
        assert ('name="SiteName"' in html) == (not hit or tags == "page")
        page_tag = "ArticleTitle" if ptype == "content" else "ColumnName"
        assert (f'name="{page_tag}"' in html) == (not hit or tags == "site")
    assert 'name="SiteName"' in home


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("pages", ["home", "inner", "all"])
def test_footer_missing_on_some_pages(tmp_path, style, pages):
    site, r = _site(tmp_path, style, [{"plant": "footer_missing", "elements": ["error_report_entry"], "pages": pages}])
    col = site.column_by_path("首页>新闻动态>工作动态")
    home, inner = r.render_home(), r.render_item(col.items[0])
    assert ("jiucuo" in home) == (pages == "inner")
    assert ("jiucuo" in inner) == (pages == "home")


def test_search_plants_served(tmp_path):
    root = _scenario(tmp_path, {
        "err": {"style": "trs", "defects": [{"plant": "search_broken", "mode": "error"}]},
        "none": {"style": "hanweb", "defects": [{"plant": "search_broken", "mode": "missing"}]},
        "old": {"style": "xxgk", "encoding": "gbk", "meta_charset": "gb2312",
                "defects": [{"plant": "search_stale", "indexed_until": "2021-06-30"}]},
        "ok": {"style": "xxgk", "encoding": "gbk", "meta_charset": "gb2312"},
    })
    scen = load_scenario(root)
    with running_region(scen) as reg:
        url = {s["key"]: s["url"] for s in reg.sites}

        def get(key: str, path: str) -> tuple[int, bytes]:
            try:
                with urllib.request.urlopen(url[key] + path.lstrip("/"), timeout=10) as resp:
                    return resp.status, resp.read()
            except urllib.error.HTTPError as e:
                return e.code, e.read()

        assert get("err", "/search/?q=x")[0] == 500
        status, home = get("none", "/")
        assert status == 200 and b'action="/search/"' not in home
        assert get("none", "/search/?q=x")[0] == 404
        title = scen.site("old").column_by_path("首页>新闻动态>工作动态").items[0].title
        q = urllib.parse.quote(title)  # the search test sends UTF-8, as browsers do from a UTF-8 form
        old = get("old", f"/search/?q={q}")[1].decode("gbk")
        ok_title = scen.site("ok").column_by_path("首页>新闻动态>工作动态").items[0].title
        ok = get("ok", f"/search/?q={urllib.parse.quote(ok_title)}")[1].decode("gbk")
    assert f'>{ok_title}</a>' in ok
    assert f'>{title}</a>' not in old  # published after the index was last rebuilt


def test_plants_in_gbk_pages(tmp_path):
    site, r = _site(tmp_path, "trs", [
        {"plant": "leader_incomplete", "count": 1}, {"plant": "message_fields", "fields": ["答复单位"]},
        {"plant": "meta_missing", "pages": "content"}, {"plant": "footer_missing", "elements": ["error_report_entry"],
                                                         "pages": "home"}],
        encoding="gbk", meta_charset="gb2312")
    col = site.column_by_path("首页>互动交流>领导信箱")
    body = r.render_item(col.items[0]).encode(site.encoding, errors="xmlcharrefreplace")
    text = body.decode("gb18030")
    assert 'charset="gb2312"' in text and "答复单位" not in text and 'name="SiteName"' not in text


@pytest.mark.parametrize("defect, words", [
    ({"plant": "column_missing"}, ["column_missing", "path"]),
    ({"plant": "column_missing", "path": "首页>没有这个栏目"}, ["没有这个栏目"]),
    ({"plant": "column_missing", "path": "政府信息公开"}, ["path", "首页"]),
    ({"plant": "leader_incomplete", "field": "学历"}, ["field", "简历"]),
    ({"plant": "leader_incomplete", "count": 9}, ["leader_incomplete", "9"]),
    ({"plant": "leader_incomplete", "count": 0}, ["count"]),
    ({"plant": "message_fields"}, ["message_fields", "fields"]),
    ({"plant": "message_fields", "fields": ["电话"]}, ["fields", "电话"]),
    ({"plant": "message_late"}, ["message_late", "asked"]),
    ({"plant": "message_late", "asked": ["昨天"]}, ["asked", "昨天"]),
    ({"plant": "message_late", "asked": ["2022-01-01"], "after": "long"}, ["after"]),
    ({"plant": "home_frozen"}, ["home_frozen", "last"]),
    ({"plant": "future_date", "path": "首页>新闻动态>工作动态", "date": "2022-05-01"}, ["date", "晚于"]),
    ({"plant": "future_date", "path": "首页>政府信息公开", "date": "2023-05-01"}, ["future_date", "政府信息公开"]),
    ({"plant": "meta_missing", "pages": "article"}, ["pages", "article"]),
    ({"plant": "meta_missing", "tags": "ColumnName"}, ["tags", "ColumnName"]),
    ({"plant": "footer_missing", "elements": ["conac"], "pages": "footer"}, ["pages", "footer"]),
    ({"plant": "footer_missing", "elements": ["conac"], True: "home"}, ["on", "true"]),
    ({"plant": "search_broken", "mode": "slow"}, ["mode", "slow"]),
    ({"plant": "search_stale"}, ["search_stale", "indexed_until"]),
    ({"plant": "channel_broken", "mode": "slow"}, ["mode", "slow"]),
])
def test_bad_plant_parameters_name_file_and_field(tmp_path, defect, words):
    root = _scenario(tmp_path, {"bad": {"style": "trs", "defects": [{"plant": "stale", "path": "首页>新闻动态>通知公告",
                                                                    "last": "2022-01-01"}, defect]}})
    with pytest.raises(ScenarioError) as e:
        load_scenario(root)
    msg = str(e.value)
    assert "bad.yaml" in msg and ("defects[1]" in msg or "defects:" in msg), msg
    for w in words:
        assert w in msg, msg


def test_channel_broken_and_header_no_name_served(tmp_path):
    root = _scenario(tmp_path, {
        "closed": {"style": "hanweb", "defects": [{"plant": "channel_broken", "mode": "closed"},
                                                   {"plant": "header_no_name"}]},
        "down": {"style": "trs", "encoding": "gbk", "meta_charset": "gb2312",
                 "defects": [{"plant": "channel_broken", "mode": "error"}]},
        "ok": {"style": "xxgk"},
    })
    scen = load_scenario(root)
    with running_region(scen) as reg:
        base = {s["key"]: s["url"] for s in reg.sites}
        enc = {s["key"]: "gb18030" if s["encoding"] == "gbk" else "utf-8" for s in reg.sites}

        def fetch(key: str, path: str, data: bytes | None = None) -> tuple[int, str]:
            try:
                with urllib.request.urlopen(base[key] + path.lstrip("/"), data=data, timeout=10) as resp:
                    return resp.status, resp.read().decode(enc[key])
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode(enc[key], errors="replace")  # error pages are UTF-8

        write = {k: scen.site(k).special["write_url"] for k in base}
        status, page = fetch("closed", write["closed"])
        assert status == 200 and "<form" not in page.split('class="header"')[-1].split("</div></div>", 1)[-1]
        assert "系统升级维护中" in page
        assert fetch("closed", write["closed"], b"f0=a&f1=b")[0] == 405
        assert fetch("down", write["down"])[0] == 500
        status, page = fetch("ok", write["ok"])
        assert status == 200 and 'method="post"' in page and "系统升级维护中" not in page
        home = fetch("closed", "/")[1]
        header = home.split('<div class="header">', 1)[1].split('<div class="nav">', 1)[0]
        assert "示范市审计局" not in header and 'alt=""' in header
        assert "<title>示范市审计局</title>" in home
        ok_header = fetch("ok", "/")[1].split('<div class="header">', 1)[1].split('<div class="nav">', 1)[0]
        assert "示范市审计局" in ok_header


def test_sim_defects_lists_the_new_plants(tmp_path):
    from typer.testing import CliRunner

    from govcheck.cli import app

    root = _scenario(tmp_path, {"a": {"style": "trs", "defects": [
        {"plant": "column_missing", "path": "首页>办事服务>办件统计", "code": "D12.1"},
        {"plant": "home_frozen", "last": "2022-04-01", "code": "V3"},
        {"plant": "message_late", "asked": ["2021-12-01"], "code": "V5.2", "evidence": "2021-12-01留言"}]}})
    r = CliRunner().invoke(app, ["sim", "defects", str(root)])
    assert r.exit_code == 0, r.output
    for words in ("D12.1 ×1 column_missing", "V3 ×1 home_frozen", "V5.2 ×1 message_late：2021-12-01留言"):
        assert words in r.output


@pytest.mark.parametrize("style", STYLES)
def test_wording_error_in_the_newest_entry(tmp_path, style):
    text = "我局认真学习贯彻中华人民共合国宪法。"
    site, r = _site(tmp_path, style, [{"plant": "wording_error", "path": "首页>新闻动态>工作动态", "text": text}])
    col = site.column_by_path("首页>新闻动态>工作动态")
    assert text in r.render_item(col.items[0]) and text not in r.render_item(col.items[1])
    with pytest.raises(ScenarioError, match="wording_error"):
        _site(tmp_path / "bad", style, [{"plant": "wording_error", "path": "首页>新闻动态>工作动态"}])
