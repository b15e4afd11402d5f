"""留言 pages read from their structure, in the layouts real sites use: an article's own "时间：" line is not a
message's, one message is not split in two, and a message answered under a 回复 heading is answered."""
from __future__ import annotations

import datetime as dt

from govcheck.checks import run_checks
from govcheck.checks.build import messages_from_page, ref_for
from govcheck.checks.facts import SiteFacts
from govcheck.extract.dom import parse_page
from govcheck.extract.messages import extract_messages
from govcheck.rules import load_ruleset

D = dt.date
RS = load_ruleset("xianning-2022")

TOP = ('<div class="header"><span>示例县人民政府</span></div><div class="nav"><a href="/">首页</a>'
       '<a href="/hdjl/">互动交流</a><a href="/hdjl/xzxx/">县长信箱</a></div>')
FOOT = '<div class="footer"><p>主办单位：示例县人民政府办公室 电话：0715-1234567</p><p>网站标识码：4212000002</p></div>'


def page(body: str) -> str:
    return f"<html><head><title>留言详情_示例县人民政府</title></head><body>{TOP}<div class=\"main\">{body}</div>{FOOT}</body></html>"


# Hanweb 信件 detail: a label/value table under the CMS's own article meta line
HANWEB = page('<div class="info">发布时间：2022-04-12 09:30 来源：县长信箱 浏览次数：35</div>'
              '<table class="xjxq"><tr><td class="t">信件标题</td><td>关于某小区路灯不亮的问题</td></tr>'
              '<tr><td class="t">来信时间</td><td>2022-04-01 10:20</td></tr>'
              '<tr><td class="t">信件内容</td><td>某小区路灯已坏一周，夜间出行不便。</td></tr>'
              '<tr><td class="t">回复单位</td><td>县城管局</td></tr>'
              '<tr><td class="t">回复时间</td><td>2022-04-06</td></tr>'
              '<tr><td class="t">回复内容</td><td>经查，已安排维修，现已恢复照明。</td></tr></table>')
# TRS style: question and reply as two boxes with headings; each says only "时间："; the reply has no label
TRS = page('<h1>关于学校周边交通拥堵的建议</h1><div class="info">发布时间：2022-04-20 来源：县长信箱</div>'
           '<div class="wz"><h3>网友留言</h3><p>时间：2022-04-11 08:00</p><p>内容：上学时段学校周边拥堵严重。</p></div>'
           '<div class="hf"><h3>部门回复</h3><p>回复单位：县公安局交警大队</p><p>时间：2022-04-18</p>'
           '<p>您好！我队已在上下学时段增派警力疏导交通。</p></div>'
           '<div class="page-tail"><p>上一篇：<a href="/x/1.html">某某</a></p></div>')
# a detail page whose reply heading stands alone and whose answer label repeats in a header row
REPEAT = page('<table><tr><th>留言标题</th><td>噪音扰民</td></tr><tr><th>留言时间</th><td>2022-03-02</td></tr>'
              '<tr><th>留言内容</th><td>夜间施工噪音大。</td></tr></table>'
              '<h4>答复内容</h4><p>答复内容：已责令施工单位夜间停工。</p><p>答复单位：县住建局</p><p>答复时间：2022-03-05</p>')
# 信息公开-style: an info table (索引号/标题/发布日期) above the message
XXGK = page('<table class="xxgk"><tr><td>索引号：</td><td>011-2022-0001</td><td>发布机构：</td><td>示例县人民政府办公室</td></tr>'
            '<tr><td>标题：</td><td>咨询社保转移问题</td><td>发布日期：</td><td>2022-05-09</td></tr></table>'
            '<div class="msg"><p>咨询标题：咨询社保转移问题</p><p>咨询时间：2022年4月28日</p><p>咨询内容：外地社保如何转入？</p>'
            '<p>答复单位：县人社局</p><p>答复时间：2022年5月6日</p><p>答复内容：请携带身份证到县社保中心办理。</p></div>')
# a question still waiting
WAITING = page('<div class="info">发布时间：2022-01-02</div><p>留言标题：停车难</p><p>留言时间：2021-12-20</p>'
               "<p>留言内容：某路段停车难。</p><p>办理状态：办理中</p>")


def read(html: str):
    return extract_messages(parse_page(html))


def test_hanweb_table_one_message_answered():
    (m,) = read(HANWEB)
    assert (m.title, m.asked, m.answered, m.unit) == ("关于某小区路灯不亮的问题", D(2022, 4, 1), D(2022, 4, 6), "县城管局")
    assert m.answer.startswith("经查")


def test_trs_boxes_time_labels_by_part_and_unlabelled_reply():
    (m,) = read(TRS)
    # the article's own 发布时间 is not the 留言时间; the reply's 时间 is the 答复时间
    assert (m.asked, m.answered, m.unit) == (D(2022, 4, 11), D(2022, 4, 18), "县公安局交警大队")
    assert m.answer and "增派警力" in m.answer and "上一篇" not in m.answer


def test_repeated_answer_label_does_not_split():
    ms = read(REPEAT)
    assert len(ms) == 1
    (m,) = ms
    assert (m.asked, m.answered) == (D(2022, 3, 2), D(2022, 3, 5)) and "停工" in m.answer


def test_info_table_title_and_chinese_dates():
    (m,) = read(XXGK)
    assert (m.asked, m.answered, m.unit) == (D(2022, 4, 28), D(2022, 5, 6), "县人社局")


def test_waiting_message_is_unanswered():
    (m,) = read(WAITING)
    assert m.asked == D(2021, 12, 20) and m.answered is None and not m.answer


def test_no_false_overdue_from_page_layouts():
    msgs = []
    for i, html in enumerate((HANWEB, TRS, REPEAT, XXGK, WAITING)):
        msgs += messages_from_page(parse_page(html), ref_for(f"http://x.gov.cn/m/{i}.html", status=200, sha256="0" * 64,
                                                             warc="warc/x.warc.gz", record_id=f"<urn:uuid:{i}>"))
    facts = SiteFacts(url="http://x.gov.cn/", unit="示例县人民政府", messages=msgs)
    res = run_checks(facts, RS, D(2022, 5, 15), 1)
    overdue = [e for f in res.findings if f.code == "V5.2" for e in f.evidence]
    assert [e.url for e in overdue] == ["http://x.gov.cn/m/4.html"]  # only the one really waiting
    missing = [f.evidence[0].note for f in res.findings if f.code == "D18.2"]
    assert all("答复" in n for n in missing) and len(missing) <= 1  # only WAITING lacks its answer
