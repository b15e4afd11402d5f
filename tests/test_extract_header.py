"""D20.3: is the site's name shown in the page header? Found in text or a picture's alt = shown; a header with
a picture but no readable name = unknown (drawn into the logo?); a header with neither = not shown."""
from __future__ import annotations

from govcheck.extract.dom import parse_page
from govcheck.extract.header import header_shows_name

NAMES = ["咸宁市科学技术局网站", "咸宁市科学技术局"]


def shows(body: str):
    return header_shows_name(parse_page(f"<html><head><title>咸宁市科学技术局网站</title></head><body>{body}"
                                        "<div class='main'><p>正文</p></div></body></html>"), NAMES)


def test_name_in_header_text_or_logo_alt():
    assert shows("<div class='header'><h1>咸宁市科学技术局</h1></div>") is True
    assert shows("<div id='top'><a class='logo' href='/'><img src='l.png' alt='咸宁市科学技术局网站'></a></div>") is True
    assert shows("<header><a href='/' title='咸宁市 科学技术局'>首页</a></header>") is True


def test_logo_picture_without_alt_is_undecided():
    assert shows("<div class='header'><a class='logo' href='/'><img src='l.png' alt=''></a></div>") is None
    assert shows("<div class='banner' style='background:url(b.jpg)'></div>") is None


def test_header_with_neither_name_nor_picture_does_not_show_it():
    assert shows("<div class='header'><span>欢迎访问</span><a href='/en/'>English</a></div>") is False
    # a section title box is not the page header
    assert shows("<div class='box_top'><span>通知公告</span></div>") is None


def test_no_header_area_or_the_title_tag_alone_decides_nothing():
    assert shows("<div class='nav'><a href='/'>首页</a></div>") is None
    # a page wrapper whose class happens to contain "top" is not the header
    long = "文字" * 400
    assert shows(f"<div class='topic'><p>{long}</p></div>") is None


def test_slogan_in_a_logo_box_read_with_the_stylesheets():
    body = ("<div class='header_szf'><div class='logo'><a href='/'><span class='slogan'>依法行政 执政为民</span></a>"
            "</div><div class='lj'><a href='https://www.gov.cn/'>中国政府网</a></div></div>")
    page = parse_page(f"<html><head><title>咸宁市科学技术局网站</title></head><body>{body}</body></html>")
    assert header_shows_name(page, NAMES) is None  # the stylesheets not at hand: the box may be drawn
    assert header_shows_name(page, NAMES, css="body{margin:0}.w1200{width:1200px}") is False
    assert header_shows_name(page, NAMES, css=".logo{background:url(/images/logo.png) no-repeat}") is None
