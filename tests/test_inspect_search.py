"""The site-search test reads the results page's links, not its text: a "no results" page echoes the query."""
from __future__ import annotations

from govcheck.extract.dom import parse_page
from govcheck.inspect.run import result_listed

Q = "关于印发咸宁市2022年政务公开工作要点的通知"
ACTION = "http://127.0.0.1:8000/search/"


def page(body: str):
    return parse_page(f"<html><body><form action='/search/'><input name='q' value='{Q}'></form>{body}</body></html>",
                      ACTION + "?q=x")


def test_no_results_page_echoing_the_query_is_not_found():
    assert not result_listed(page(f"<p>未找到与“{Q}”相关的结果</p><ul class='hot'><li>热点</li></ul>"), Q, ACTION)


def test_a_result_link_with_the_title_is_found():
    assert result_listed(page(f"<p>找到1条与“{Q}”相关的结果</p><ul><li><a href='/art/1.html'>{Q}</a></li></ul>"),
                         Q, ACTION)
    # highlighted words inside the link, and a title kept in the title attribute
    hl = Q.replace("政务公开", "<em>政务公开</em>")
    assert result_listed(page(f"<ul><li><a href='/art/1.html'>{hl}</a></li></ul>"), Q, ACTION)
    assert result_listed(page(f"<ul><li><a href='/art/1.html' title='{Q}'>关于印发咸宁市…</a></li></ul>"), Q, ACTION)


def test_a_cut_result_title_counts_only_when_long_enough():
    assert result_listed(page("<ul><li><a href='/art/1.html'>关于印发咸宁市2022年政务…</a></li></ul>"), Q, ACTION)
    assert not result_listed(page("<ul><li><a href='/art/1.html'>关于…</a></li></ul>"), Q, ACTION)


def test_links_back_to_the_search_itself_do_not_count():
    assert not result_listed(page(f"<a href='/search/?q={Q}&page=2'>{Q} 下一页</a>"), Q, ACTION)
