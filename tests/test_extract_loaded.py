"""Lists a page fills by script, read as data: records held inside a script element (Hanweb / jpaas
`<datastore>`), a JSON array literal the script draws, and a JSON endpoint's answer (json_items)."""
from __future__ import annotations

import datetime as dt
import json

from govcheck.extract import extract_page
from govcheck.extract.pagination import json_items

AT = dt.date(2022, 5, 15)
URL = "http://www.example.gov.cn/col/col33718/index.html"

CHROME = ('<div class="bt-head">示例市人民政府</div><div class="bread">当前位置：<a href="/">首页</a> &gt; '
          '<a href="/col/col33718/index.html">地方动态</a></div>')


def hanweb(records: str) -> str:
    return (f"<html><head><title>地方动态_示例市人民政府</title></head><body>{CHROME}"
            '<div id="212860"><script type="text/xml"><datastore>\n'
            '<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/'
            '&columnid=33718&unitid=212860&permissiontype=0"></a>]]></nextgroup>\n'
            f"<recordset>{records}</recordset></datastore></script></div>"
            "<script>var param_212860={columnid:33718,unitid:'212860'};"
            "$('#212860').jpage({totalRecord:4895,perPage:19});</script></body></html>")


RECORDS = "".join(
    f"<record><![CDATA[<li><a href='/art/2022/{m}/{d}/art_33718_{i}.html' title='{t}'>{t}</a>"
    f"<span>2022-{m:02d}-{d:02d}</span></li>]]></record>\n"
    for i, (t, m, d) in enumerate([("连云港跨里海班列运输提质提速", 5, 11), ("徐州以产业集群赋能中小企业", 4, 15),
                                   ("南京市推进数字经济发展", 4, 10)]))


def test_datastore_records_are_the_list_read_as_data():
    d = extract_page(hanweb(RECORDS), URL, ref_date=AT)
    assert d["kind"] == "list" and d["title"] == "地方动态"
    assert [i["date"] for i in d["items"]] == ["2022-05-11", "2022-04-15", "2022-04-10"]
    assert all(i["source"] == "script" for i in d["items"])
    assert d["items"][0]["url"] == "http://www.example.gov.cn/art/2022/5/11/art_33718_0.html"
    assert not d["dynamic_list"] and not d["blank"] and d["loads_data"]


def test_empty_datastore_is_not_a_blank_column():
    d = extract_page(hanweb(""), URL, ref_date=AT)
    assert d["items"] == [] and d["loads_data"] and d["dynamic_list"] and not d["blank"]


def test_jpaas_cdata_without_record_elements():
    html = ('<html><head><title>通知公告</title></head><body><div class="bread">首页 &gt; 通知公告</div>'
            '<script type="text/xml"><datastore><![CDATA[<li><a class="font14" href="/art/2022/5/3/art_5301_1.html">'
            "关于开展安全生产检查的通知</a><span>2022-05-03</span></li>"
            '<li><a class="font14" href="/art/2022/4/20/art_5301_2.html">关于做好防汛工作的通知</a>'
            "<span>2022-04-20</span></li>]]></datastore></script></body></html>")
    d = extract_page(html, "http://www.example.gov.cn/col/col5301/index.html", ref_date=AT)
    assert [i["title"] for i in d["items"]] == ["关于开展安全生产检查的通知", "关于做好防汛工作的通知"]
    assert {i["source"] for i in d["items"]} == {"script"}


def test_json_array_literal_drawn_by_script():
    rows = [{"aT": f"疾控工作动态{i}", "aPd": f"2022-05-{10 - i:02d} 17:00", "aU": f"/jbkzzx/{i}.html"} for i in range(4)]
    html = ('<html><head><title>工作动态</title></head><body><div class="bread">首页 &gt; 工作动态</div>'
            '<ul id="list"></ul><script>var itemObj = ' + json.dumps(rows, ensure_ascii=False) + ';'
            "itemObj.forEach(function(o){ $('#list').append('<li>'+o.aT+'</li>'); });</script></body></html>")
    # titles under keys the reader knows (title/name/…) only: this one names them aT — read nothing rather
    # than guess; the column then goes to a person (not blank)
    d = extract_page(html, "http://www.example.gov.cn/gzdt/", ref_date=AT)
    assert not d["blank"]
    rows2 = [{"title": r["aT"], "pubDate": r["aPd"], "url": r["aU"]} for r in rows]
    d2 = extract_page(html.replace(json.dumps(rows, ensure_ascii=False), json.dumps(rows2, ensure_ascii=False)),
                      "http://www.example.gov.cn/gzdt/", ref_date=AT)
    assert [i["date"] for i in d2["items"]] == ["2022-05-10", "2022-05-09", "2022-05-08", "2022-05-07"]
    assert {i["source"] for i in d2["items"]} == {"script"}


def test_json_endpoint_answers_with_timestamps_and_nested_rows():
    body = json.dumps({"code": 0, "data": {"total": 2, "list": [
        {"title": "<em>关于</em>印发某办法的通知", "publishTime": 1652140800000, "url": "/zcwj/1.html"},
        {"title": "某某工作方案", "publishTime": "2022-04-20 10:00:00", "url": "/zcwj/2.html"}]}})
    rows = json_items(body, "http://www.example.gov.cn/api/list?page=1")
    assert [r["title"] for r in rows] == ["关于印发某办法的通知", "某某工作方案"]
    assert [r["date"] for r in rows] == ["2022-05-10", "2022-04-20"]
    assert rows[0]["url"] == "http://www.example.gov.cn/zcwj/1.html"
