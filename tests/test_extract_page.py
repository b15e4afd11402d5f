"""Contract fields on hand-made pages in the three CMS styles of the replica (TRS, 大汉/Hanweb, 信息公开 platform)."""
import codecs
import datetime as dt
from pathlib import Path

import pytest

from govcheck.extract import extract_page

FIX = Path(__file__).parent / "fixtures" / "extract"
REF = dt.date(2022, 6, 30)


def page(name, url="http://www.example.gov.cn/zwgk/tzgg/", **kw):
    return extract_page((FIX / name).read_bytes(), url, ref_date=REF, **kw)


def test_trs_list_main_rows_not_sidebar_or_clock():
    r = page("trs_list.html")
    assert r["kind"] == "list"
    assert r["title"] == "通知公告"
    assert r["breadcrumb"] == ["首页", "政务公开", "通知公告"]
    assert [i["date"] for i in r["items"]] == ["2022-06-15", "2022-05-12", "2022-04-20", "2022-03-03"]
    # the truncated link text is completed from the title attribute
    assert r["items"][1]["title"] == "示例县人民政府关于公布第七批县级非物质文化遗产代表性项目名录的通知"
    assert r["items"][1]["url"] == "http://www.example.gov.cn/zwgk/tzgg/202205/t20220512_123456.html"
    assert not any("热点" in i["title"] for i in r["items"])
    assert r["latest_date"] == "2022-06-15" and r["blank"] is False and r["pagination"] is True
    # createPageHTML(5, 0, "index", "html"): the other four pages
    assert r["page_links"] == [f"http://www.example.gov.cn/zwgk/tzgg/index_{i}.html" for i in range(1, 5)]


def test_trs_footer_all_fields():
    f = page("trs_list.html")["footer"]
    assert f == {"conac": True, "site_id_code": "4212000001", "icp": "鄂ICP备05003312号-1",
                 "police_record": "鄂公网安备42120002000123号", "sponsor": "示例县人民政府办公室",
                 "contact": True, "error_report_entry": True, "present": True}


def test_trs_article_shown_date_wins_over_meta_pubdate():
    r = page("trs_article.html", "http://www.example.gov.cn/xwzx/gzdt/202205/t20220512_1.html")
    assert r["kind"] == "article"
    assert r["title"] == "示例县召开2022年政务公开工作推进会"
    assert r["breadcrumb"] == ["首页", "新闻中心", "工作动态"]  # trailing 正文 dropped
    assert r["publish_date"] == "2022-05-12"  # not the 6-30 deadline in the body, not the clock
    assert r["meta_date"] == "2022-06-01" and r["dates_disagree"] is True
    assert r["items"] == []  # the 最新动态 sidebar is not a main list
    assert r["related_links"][0]["relation"] == "解读"
    assert r["footer"]["conac"] is False and r["footer"]["error_report_entry"] is False


def test_hanweb_table_rows_bracketed_dates_and_nested_breadcrumb():
    r = page("hanweb_list.html", "http://fgw.example.gov.cn/col/col1002/index.html")
    assert r["kind"] == "list"
    assert r["breadcrumb"] == ["首页", "政务公开", "政策文件"]
    assert len(r["items"]) == 5
    assert r["items"][0] == {"title": "关于印发示例市2022年重点项目投资计划的通知",
                             "url": "http://fgw.example.gov.cn/art/2022/5/12/art_1002_456.html", "date": "2022-05-12"}
    assert r["items"][-1]["date"] == "2021-11-02"
    f = r["footer"]
    assert f["conac"] and f["error_report_entry"] and f["contact"]
    assert f["icp"] == "鄂ICP备12345678号" and f["police_record"] == "42120002000456"
    assert f["sponsor"] == "示例市发展和改革委员会"


def test_hanweb_article_info_block_and_signature_date():
    r = page("hanweb_article.html", "http://fgw.example.gov.cn/art/2022/5/12/art_1002_456.html")
    assert r["kind"] == "article"
    assert r["publish_date"] == "2022-05-12"  # not 成文日期 2022-05-06 nor the signature date
    assert r["index_no"] == "114212000000001234/2022-00012"
    assert r["publisher"] == "示例市发展和改革委员会"
    assert r["doc_no"] == "示发改〔2022〕12号"
    assert r["written_date"] == "2022-05-06"
    assert r["url_date"] == "2022-05-12"
    assert [x["relation"] for x in r["related_links"]] == ["图解"]


def test_xxgk_list_table_with_index_numbers():
    r = page("xxgk_list.html", "http://xxgk.example.gov.cn/xxgk/fdzdgknr/")
    assert r["kind"] == "list"
    assert r["breadcrumb"] == ["首页", "政府信息公开", "法定主动公开内容"]
    assert [i["date"] for i in r["items"]] == ["2022-05-20", "2022-05-12", "2022-04-01"]
    assert r["items"][1]["title"] == "示例县人民政府关于调整县级领导分工的通知"
    assert r["footer"]["error_report_entry"] is True
    assert r["footer"]["icp"] == "鄂ICP备06001234号-2"


def test_xxgk_article_metadata_table():
    r = page("xxgk_article.html", "http://xxgk.example.gov.cn/xxgk/fdzdgknr/202205/t20220512_3000.html")
    assert r["kind"] == "article"
    assert r["publish_date"] == "2022-05-12"
    assert r["index_no"] == "011212000/2022-00030"
    assert r["publisher"] == "示例县人民政府办公室"
    assert r["written_date"] == "2022-05-09"
    assert r["dates_disagree"] is True  # meta PubDate says 05-20
    assert r["related_links"] and r["related_links"][0]["relation"] == "解读"


def test_blank_column_with_dated_sidebar():
    r = page("blank_list.html")
    assert r["kind"] == "list" and r["items"] == [] and r["blank"] is True


def test_js_list_is_dynamic_not_blank():
    # the 暂无数据 div is part of the avalon template (ms-if), not a statement that the column is empty
    r = page("js_list.html")
    assert r["kind"] == "list" and r["items"] == []
    assert r["blank"] is False and r["dynamic_list"] is True
    assert r["api_urls"] == ["http://www.example.gov.cn/api/search?channel=gfxwj"]


def test_home_boxes_with_month_day_dates():
    r = page("home.html", "http://www.example.gov.cn/")
    assert r["kind"] == "home"
    assert r["breadcrumb"] == []
    dates = {i["date"] for i in r["items"]}
    assert "2021-12-30" in dates  # 12-30 seen on 2022-06-30 is last December
    assert "2022-06-29" in dates


def test_home_kind_without_url():
    assert page("home.html", None)["kind"] == "home"


@pytest.mark.parametrize("enc", ["gb2312", "gbk"])
def test_gb_encoded_page(enc):
    html = (FIX / "trs_list.html").read_text(encoding="utf-8").replace('charset="utf-8"', f'charset="{enc}"')
    r = extract_page(html.encode("gb18030"), "http://www.example.gov.cn/zwgk/tzgg/", ref_date=REF)
    assert r["encoding"] == "gb18030"
    assert r["title"] == "通知公告" and len(r["items"]) == 4
    assert r["footer"]["sponsor"] == "示例县人民政府办公室"


def test_utf16_page():
    html = (FIX / "trs_article.html").read_text(encoding="utf-8")
    r = extract_page(codecs.BOM_UTF16_LE + html.encode("utf-16-le"), None, ref_date=REF)
    assert r["encoding"] == "utf-16" and r["publish_date"] == "2022-05-12"


def test_str_input_and_garbage_do_not_crash():
    r = extract_page("<html><body><p>仅有一段文字</p></body></html>")
    assert r["kind"] == "other" and r["items"] == [] and r["publish_date"] is None
    for junk in (b"", b"\x00\xff" * 50, b"<html><body><a href=x>" * 200):
        out = extract_page(junk)
        assert set(["kind", "title", "breadcrumb", "publish_date", "items", "blank", "footer", "meta"]) <= set(out)


def test_every_output_is_json(real_corpus):
    import json

    pages = sorted(FIX.glob("*.html")) + sorted((real_corpus / "mhxqwer-govcn-clones").glob("*/index.html"))[:8]
    for p in pages:
        json.dumps(extract_page(p.read_bytes(), "http://www.example.gov.cn/a/"), ensure_ascii=False)


def test_data_file_errors_name_the_file(monkeypatch, tmp_path):
    from govcheck.extract import dom

    with pytest.raises(KeyError, match="lexicon.yaml"):
        dom.words("no_such_list")
    bad = tmp_path / "lexicon.yaml"
    bad.write_text("- just\n- a list\n", encoding="utf-8")
    monkeypatch.setattr(dom, "DATA_DIR", tmp_path)
    dom.lexicon.cache_clear()
    try:
        with pytest.raises(ValueError, match="lexicon.yaml"):
            dom.lexicon()
    finally:
        monkeypatch.undo()
        dom.lexicon.cache_clear()


def test_malformed_urls_do_not_crash():
    html = (FIX / "trs_list.html").read_text(encoding="utf-8").replace('href="./202205', 'href="http://[bad/202205')
    for url in ("http://[::1", "not a url", "", None):
        r = extract_page(html, url, ref_date=REF)
        assert r["kind"] == "list" and len(r["items"]) == 4


def test_div_rows_date_first_slash_breadcrumb():
    r = page("div_rows_list.html", "http://www.sl.example.gov.cn/zwgk/zcjd/")
    assert r["kind"] == "list" and r["title"] == "政策解读" and r["column_kind"] == "政策解读"
    assert r["breadcrumb"] == ["首页", "政务公开", "政策解读"]
    assert [i["date"] for i in r["items"]] == ["2022-06-20", "2022-06-02", "2022-05-18", "2022-04-29"]
    assert r["page_links"] == ["http://www.sl.example.gov.cn/zwgk/zcjd/?page=2",
                               "http://www.sl.example.gov.cn/zwgk/zcjd/?page=3"]
    f = r["footer"]
    assert (f["sponsor"], f["icp"], f["police_record"]) == ("示例区人民政府办公室", "鄂ICP备12000001号-3",
                                                             "鄂公网安备42129902000001号")
