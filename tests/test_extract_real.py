"""Real-page traps from shared/corpus/real (read in place, never copied)."""
import datetime as dt

from govcheck.extract import extract_page
from govcheck.extract.dom import parse_page
from govcheck.extract.org import extract_leaders


def run(real_corpus, rel, url=None, **kw):
    return extract_page((real_corpus / rel).read_bytes(), url, **kw)


def test_utf16_page_read(real_corpus):
    r = run(real_corpus, "mhxqwer-govcn-clones/qzhxiangtan.gov.cn/index.html")
    assert r["encoding"] == "utf-16"
    assert r["kind"] == "article"
    assert "齐白石" in r["title"]
    assert r["publish_date"] == "2024-09-30"
    assert r["breadcrumb"][0] == "首页"


def test_gb2312_page_read(real_corpus):
    r = run(real_corpus, "zcom_gov/ldxx.html")
    assert r["encoding"] == "gb18030"
    assert r["breadcrumb"] == ["首页", "机构职能", "领导信息"]
    page = parse_page((real_corpus / "zcom_gov/ldxx.html").read_bytes())
    names = {(ld.name, ld.position) for ld in extract_leaders(page)}
    assert ("金永辉", "厅长") in names and ("鞠雅莲", "副巡视员") in names


def test_js_loaded_footer_absent_not_invented(real_corpus):
    # footer include is loaded by script in this saved copy: nothing may be read off the body instead
    r = run(real_corpus, "mhxqwer-govcn-clones/djjiangsu.gov.cn/index.html",
            "http://www.jiangsu.gov.cn/art/2024/10/14/art_60085_11394426.html")
    f = r["footer"]
    assert f["present"] is False and f["site_id_code"] is None and f["icp"] is None and f["sponsor"] is None
    assert r["meta"]["SiteIDCode"] == "3200000084"


def test_meta_pubdate_disagreeing_with_shown_date(real_corpus):
    r = run(real_corpus, "mhxqwer-govcn-clones/jrneac.gov.cn/index.html", "https://www.neac.gov.cn/")
    assert r["publish_date"] == "2021-09-06" and r["dates_disagree"] is True and r["meta_date"] == "2023-11-10"


def test_sidebar_message_dates_are_not_the_publish_date(real_corpus):
    r = run(real_corpus, "nfra.gov.cn/tests/page_source_debug.html", "https://www.nfra.gov.cn/")
    assert r["kind"] == "article" and r["publish_date"] == "2024-07-12" and r["items"] == []
    assert r["breadcrumb"] == ["首页", "政务信息", "行政处罚", "总局机关"]


def test_month_day_home_rows_get_their_year(real_corpus):
    r = run(real_corpus, "XianNingGov/index.html", "http://www.xianning.gov.cn/", ref_date=dt.date(2021, 12, 31))
    assert r["kind"] == "home"
    assert r["items"] and all(i["date"] and i["date"] <= "2021-12-31" for i in r["items"])


def test_chunked_static_list_all_rows(real_corpus):
    r = run(real_corpus, "pingtan-gov-zwgk-archive/pingtan/zwgk/gsgg/_lists/index.html",
            "https://www.pingtan.gov.cn/zwgk/gsgg/")
    assert len(r["items"]) == 75 and r["items"][0]["date"] == "2026-09-10" and r["items"][-1]["date"] == "2026-08-21"
    assert r["footer"]["police_record"] == "35012899001-19002" and r["footer"]["error_report_entry"]


def test_js_only_list_not_blank(real_corpus):
    r = run(real_corpus, "pingtan-gov-zwgk-archive/pingtan/zwgk/zfxxgk/gwhwj/hzgfxwj/_lists/index.html",
            "https://www.pingtan.gov.cn/zwgk/zfxxgk/gwhwj/hzgfxwj/")
    assert r["kind"] == "list" and r["items"] == [] and r["blank"] is False and r["dynamic_list"] is True


def test_list_dates_shown_not_url_dates(real_corpus):
    r = run(real_corpus, "pingtan-gov-zwgk-archive/pingtan/zwgk/zfxxgk/zfxxgknb/_lists/index.html",
            "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/")
    assert r["items"][0]["date"] == "2026-03-10"  # the URL says t20260313
    assert len(r["items"]) == 10


def test_hidden_jiucuo_link_is_not_an_entry(real_corpus):
    r = run(real_corpus, "GeneralNewsExtractor/tests/gzggw/1.html",
            "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html")
    assert r["footer"]["error_report_entry"] is False
    assert r["footer"]["site_id_code"] == "3300000020"


def test_saved_fragment_is_not_an_article(real_corpus):
    # a content table cut out of a page: dates inside it are not a page's publish date
    r = run(real_corpus, "nfra.gov.cn/assets/element2.html")
    assert r["kind"] == "other" and r["items"] == []
