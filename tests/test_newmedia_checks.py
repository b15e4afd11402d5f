"""Each new-media check on small fixtures; feeds over real HTTP on 127.0.0.1."""
import asyncio
from datetime import date, datetime
from pathlib import Path

import pytest
from aiohttp import web

from govcheck.model import Account, Finding
from govcheck.newmedia import (
    Lexicon, Post, RegistryEntry, Timeline, check_accounts, compare_rounds, load_timelines_async, read_accounts,
)
from govcheck.collect.config import CrawlOptions
from govcheck.newmedia.timeline import CHINA_TZ, load_timeline

FIX = Path(__file__).parent / "fixtures" / "newmedia"
AT = date(2022, 5, 15)


def acc(name="咸宁发布", unit="咸宁市人民政府办公室", type_="微信订阅号", account_id=None, source=None, region="市直"):
    return Account(region=region, name=name, unit=unit, type=type_, account_id=account_id, source=source)


def reg(name="咸宁发布", unit="咸宁市人民政府办公室", platform="微信", system="全国", account_id=None, status="正常"):
    return RegistryEntry(name=name, platform=platform, system=system, unit=unit, account_id=account_id, status=status)


def both(**kw):
    return [reg(system="全国", **kw), reg(system="湖北省", **kw)]


def tl(a, *days, status="ok", text=""):
    posts = [Post(datetime(d.year, d.month, d.day, 9, tzinfo=CHINA_TZ), "标题", text, f"https://x/{i}")
             for i, d in enumerate(days)]
    return Timeline((a.name, a.type), status, posts)


def run(accounts, registries, timelines, lexicon=None, **kw):
    return check_accounts(accounts, registries, {t.account: t for t in timelines}, AT, 14, lexicon,
                          ["全国", "湖北省"], **kw)


def codes(findings):
    return sorted(f.code for f in findings)


# ---------------------------------------------------------------- M2

def test_updated_in_window_is_clean():
    a = acc()
    assert run([a], both(), [tl(a, date(2022, 5, 1))]) == []  # exactly 14 days before counts


def test_stale_prints_last_update_without_zero_padding():
    a = acc()
    fs = run([a], both(), [tl(a, date(2022, 1, 25), date(2021, 12, 3), date(2022, 5, 20))])  # a post after `at` ignored
    assert codes(fs) == ["M2.1"]
    f = fs[0]
    assert f.params["last_update"] == "2022.1.25"
    assert (f.target, f.unit, f.account_type, f.target_type, f.points, f.text) == (
        "咸宁发布", "咸宁市人民政府办公室", "微信订阅号", "account", 0.0, "")
    assert f.evidence[0].date == "2022-01-25"


def test_window_boundary_one_day_too_old():
    a = acc()
    fs = run([a], both(), [tl(a, date(2022, 4, 30))])
    assert codes(fs) == ["M2.1"] and fs[0].params["last_update"] == "2022.4.30"


def test_never_updated():
    a = acc()
    assert codes(run([a], both(), [tl(a)])) == ["M2.2"]


def test_manual_entries(tmp_path):
    roster = read_accounts(FIX / "accounts_en.csv")
    tls = {(a.name, a.type): load_timeline(a, FIX) for a in roster}
    fs = check_accounts(roster, both(), tls, AT, 14, None, ["全国"])
    by = {f.target: f for f in fs if f.code.startswith("M2")}
    assert "咸宁发布" not in by  # posts export: 2022-05-10
    assert by["咸安发布"].code == "M2.1" and by["咸安发布"].params["last_update"] == "2022.1.25"
    assert "截图见附件" in by["咸安发布"].evidence[0].note
    assert by["咸安教育"].code == "M2.2"


def test_manual_entry_with_bad_date_is_data_failure():
    a = acc(source="人工:上个月")
    fs = run([a], both(), [load_timeline(a)])
    assert codes(fs) == ["M2.3"]


# ---------------------------------------------------------------- unreadable feeds → M2.3

RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
<item><title>咸宁市召开会议</title><link>https://x/1</link><pubDate>Tue, 10 May 2022 09:30:00 +0800</pubDate></item>
</channel></rss>"""
EMPTY_ATOM = """<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<id>x</id><updated>2022-05-01T00:00:00+08:00</updated></feed>"""


@pytest.fixture
async def feed_server():
    async def ok(request):
        return web.Response(text=RSS, content_type="application/rss+xml")

    async def empty(request):
        return web.Response(text=EMPTY_ATOM, content_type="application/atom+xml")

    async def error(request):
        return web.Response(status=503, text="busy")

    async def html(request):
        return web.Response(body=(FIX / "not_a_feed.html").read_bytes(), content_type="text/html")

    async def malformed(request):
        return web.Response(body=(FIX / "malformed.xml").read_bytes(), content_type="application/xml")

    async def slow(request):
        await asyncio.sleep(3)
        return web.Response(text=RSS, content_type="application/rss+xml")

    app = web.Application()
    for path, h in (("/ok.xml", ok), ("/empty.xml", empty), ("/error.xml", error), ("/html.xml", html),
                    ("/malformed.xml", malformed), ("/slow.xml", slow)):
        app.router.add_get(path, h)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_feeds_over_http(feed_server):
    names = ["ok", "empty", "error", "html", "malformed", "slow", "refused"]
    accounts = [acc(name=n, source="{base_url}/%s.xml" % n) for n in names[:-1]]
    accounts.append(acc(name="refused", source="http://127.0.0.1:9/feed.xml"))
    tls = await load_timelines_async(accounts, ".", timeout=0.5, variables={"base_url": feed_server},
                                     fetch=CrawlOptions.defaults(allow_addresses=["127.0.0.1"], min_delay=0))
    registries = [reg(name=n, system=s) for n in names for s in ("全国", "湖北省")]
    fs = run(accounts, registries, tls.values())
    by = {f.target: f for f in fs}
    assert "ok" not in by
    assert by["empty"].code == "M2.2"
    for n in ("error", "html", "malformed", "slow", "refused"):
        assert by[n].code == "M2.3", n  # never 未更新
    assert "503" in by["error"].evidence[0].note and by["error"].evidence[0].status == 503
    assert "超时" in by["slow"].evidence[0].note
    assert "XML" in by["malformed"].evidence[0].note
    assert "RSS/Atom" in by["html"].evidence[0].note
    assert len(fs) == 6


# ---------------------------------------------------------------- MH1 / MH2 / MH3

def test_unregistered_anywhere():
    a = acc()
    fs = run([a], [reg(name="别的账号")], [tl(a, date(2022, 5, 10))])
    assert codes(fs) == ["MH1.1"]


def test_registered_nationally_only():
    a = acc()
    fs = run([a], [reg(system="全国")], [tl(a, date(2022, 5, 10))])
    assert codes(fs) == ["MH1.2"] and fs[0].params == {"system": "湖北省"}


def test_same_name_other_platform_is_not_registration():
    a = acc(type_="抖音短视频")
    fs = run([a], both(), [tl(a, date(2022, 5, 10))])
    assert codes(fs) == ["MH1.1"]


def test_width_space_quotes_are_not_a_name_mismatch():
    a = acc(name="咸宁发布")
    fs = run([a], [reg(name="“咸宁 发布”", system="全国"), reg(name="咸宁发布\u3000", system="湖北省")],
             [tl(a, date(2022, 5, 10))])
    assert fs == []


def test_near_identical_name_same_unit_is_name_mismatch():
    a = acc(name="咸宁住建", unit="咸宁市住房和城乡建设局", type_="微信服务号")
    fs = run([a], [reg(name="咸宁城建", unit="咸宁市住房和城乡建设局", system="全国"),
                   reg(name="咸宁住建", unit="咸宁市住房和城乡建设局", system="湖北省")], [tl(a, date(2022, 5, 10))])
    assert codes(fs) == ["MH2"]
    assert fs[0].params["registered_name"] == "咸宁城建" and fs[0].params["system"] == "全国"


def test_same_account_id_different_name_is_name_mismatch():
    a = acc(name="咸宁发布", account_id="gh_1")
    fs = run([a], both(name="咸宁市政府发布厅", account_id="gh_1"), [tl(a, date(2022, 5, 10))])
    assert codes(fs) == ["MH2"]


def test_near_name_under_another_unit_is_unregistered():
    a = acc(name="咸宁住建", unit="咸宁市住房和城乡建设局")
    fs = run([a], both(name="咸宁城建", unit="咸宁城建集团"), [tl(a, date(2022, 5, 10))])
    assert codes(fs) == ["MH1.1"]


def test_registry_closed_but_account_posting():
    a = acc()
    fs = run([a], [reg(system="全国", status="已注销"), reg(system="湖北省")], [tl(a, date(2022, 5, 10))])
    assert codes(fs) == ["MH3"]
    assert "已注销" in fs[0].params["detail"]


def test_registry_open_but_account_closed():
    a = acc(source="人工:已关停;账号已停用")
    fs = run([a], both(), [load_timeline(a)])
    assert codes(fs) == ["MH3", "MH3"]


# ---------------------------------------------------------------- M1 / M3

def test_serious_wording_error_with_evidence():
    a = acc()
    t = tl(a, date(2022, 5, 10), text="代表团访问北朝鲜，十字路口交通顺畅")
    fs = run([a], both(), [t], lexicon=Lexicon.load())
    assert codes(fs) == ["M1"]
    ev = fs[0].evidence[0]
    assert ev.url == "https://x/0" and ev.date == "2022-05-10"
    assert "“北朝鲜”应为“朝鲜”" in ev.note
    assert fs[0].params["wrong"] == "北朝鲜"


def test_minor_wording_error_and_allow_list_are_not_m1():
    a = acc()
    t = tl(a, date(2022, 5, 10), text="十字路口交通整治，再接再励")
    assert run([a], both(), [t], lexicon=Lexicon.load()) == []


def test_scan_days_limits_the_posts_scanned():
    a = acc()
    t = tl(a, date(2022, 5, 10), date(2022, 3, 1), text="北朝鲜")
    assert len(run([a], both(), [t], lexicon=Lexicon.load())[0].evidence) == 2
    assert len(run([a], both(), [t], lexicon=Lexicon.load(), scan_days=20)[0].evidence) == 1


def test_no_interaction_function():
    a = acc()
    fs = run([a], both(), [tl(a, date(2022, 5, 10))], interaction={(a.name, a.type): False})
    assert codes(fs) == ["M3"]


# ---------------------------------------------------------------- rounds

def f(target, code, unit="U", type_="微信订阅号", tt="account"):
    return Finding(unit=unit, target=target, target_type=tt, code=code, account_type=type_ if tt == "account" else None)


def test_compare_rounds():
    prev = [f("A", "M2.2"), f("A", "MH1.1"), f("B", "MH1.2"), f("C", "M1"), f("D", "M2.3"),
            f("http://www.x.gov.cn/", "D09.1", tt="site")]
    cur = [f("A", "M2.1"), f("C", "MH2"), f("E", "M1"), f("D", "M2.3"),
           f("https://www.x.gov.cn", "D09.1", tt="site"), f("A", "M1", type_="新浪微博")]
    markers, rows = compare_rounds(prev, cur, "3月份")
    assert sorted((m.target, m.params["previous"]) for m in markers) == [("A", "3月份"), ("https://www.x.gov.cn", "3月份")]
    assert markers[0].code == "R1" and markers[0].account_type == "微信订阅号"
    (row,) = rows
    assert sorted(row.fixed) == ["B"]
    assert sorted(row.still) == ["A", "C", "https://www.x.gov.cn"]
    assert sorted(row.new) == ["A", "E"]  # A on 新浪微博 is another account


def test_gbk_feed_and_posts_export_sources(tmp_path):
    from govcheck.newmedia.timeline import parse_feed_response

    a = acc()
    body = RSS.replace('encoding="UTF-8"', 'encoding="GBK"').encode("gbk")
    t = parse_feed_response(a, "http://x/feed.xml", 200, body, "text/xml")
    assert t.status == "ok" and t.posts[0].title == "咸宁市召开会议" and t.last_update().isoformat() == "2022-05-10"
    missing = acc(source=str(tmp_path / "none.csv"))
    assert codes(run([missing], both(), [load_timeline(missing)])) == ["M2.3"]


def test_registry_xlsx_export(tmp_path):
    import openpyxl

    from govcheck.newmedia import read_registry

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["全国政务新媒体信息报送系统 账号列表"])
    ws.append([])
    ws.append(["序号", "账号名称", "主办单位", "平台", "账号ID", "备案状态", "备案日期", "备案系统"])
    ws.append([1, "咸宁发布", "咸宁市人民政府办公室", "微信公众号", "gh_1", "正常", datetime(2020, 3, 1), "全国"])
    p = tmp_path / "reg.xlsx"
    wb.save(p)
    (e,) = read_registry(p)
    assert (e.name, e.platform, e.registered_on, e.system, e.row) == ("咸宁发布", "微信", "2020-03-01", "全国", 4)


def test_feed_with_chinese_dates():
    from govcheck.newmedia.timeline import parse_feed_response

    body = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
            '<item><title>a</title><pubDate>2022年5月3日 10:20</pubDate></item>'
            '<item><title>b</title><pubDate>2022-04-28 23:00:00</pubDate></item></channel></rss>').encode()
    t = parse_feed_response(acc(), "http://x/f.xml", 200, body, "application/rss+xml")
    assert t.status == "ok" and [p.day.isoformat() for p in t.posts] == ["2022-05-03", "2022-04-28"]


def test_page_wording_for_websites():
    from govcheck.newmedia import check_page_wording

    lex = Lexicon.load()
    fs = check_page_wording("咸宁市生态环境局", "http://sthjj.xianning.gov.cn/", "http://sthjj.xianning.gov.cn/a.html",
                            "国家主席李克强主持召开国务院常务会议。十字路口交通顺畅。", lex, path="首页>新闻>工作动态")
    assert [(f.code, f.target_type, f.target) for f in fs] == [("V1.1", "site", "http://sthjj.xianning.gov.cn/")]
    assert fs[0].evidence[0].path == "首页>新闻>工作动态" and "国务院总理李克强" in fs[0].evidence[0].note
    assert check_page_wording("u", "s", "p", "国务院总理李克强主持召开国务院常务会议", lex) == []
