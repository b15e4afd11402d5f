"""The speed work's shortcuts must give exactly what the plain definitions give."""
from __future__ import annotations

import random
import re

import pytest

from govcheck.extract import extract_page
from govcheck.extract.article import _INFO_LABELS, _INFO_RX, _info_matches
from govcheck.extract.dates import FULL_DATE_START, find_dates
from govcheck.extract.dom import parse_page
from govcheck.extract import lists
from govcheck.extract.lists import _DATEISH, _dateish, extract_list


def _strings(alphabet: list[str], n: int, seed: int, longest: int = 14):
    rnd = random.Random(seed)
    for _ in range(n):
        yield "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, longest)))


def test_dateish_equals_the_regex():
    alphabet = list("0123456789０１２-/.年月_ \u3000\n\t〇○a中") + ["2022", "05", "12345678"]
    for s in _strings(alphabet, 30_000, 1):
        assert _dateish(s) == (_DATEISH.search(s) is not None), repr(s)


def test_info_matches_equal_finditer():
    alphabet = list(_INFO_LABELS) + ["：", ":", " ", "  ", "中", "文", "a", "1", "2022年5月1日", "号", "\n"]
    for s in _strings(alphabet, 20_000, 2, 12):
        want = [(m.span(), m.group(1)) for m in _INFO_RX.finditer(s)]
        assert [(m.span(), m.group(1)) for m in _info_matches(s)] == want, repr(s)


def test_full_date_start_covers_every_full_date():
    alphabet = list("0123456789１２〇一二五十年月日-/. 号x") + ["2022", "二〇二二"]
    for s in _strings(alphabet, 20_000, 3, 16):
        hits = find_dates(s, month_day=False)
        if hits and hits[0].start <= 2:
            assert any(c in FULL_DATE_START for c in s[:3]), repr(s)


PAGE = """<html><head><meta charset="utf-8"><title>通知公告_示例县人民政府</title></head><body>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 通知公告</div>
<ul class="nav">{menu}</ul>
<div class="links"><a href="/a">链接一</a><a href="/b">链接二</a><a href="/c">链接三</a></div>
<ul class="news">{rows}</ul>
<p>ICP备案：鄂ICP备12345678号 网站标识码：4212000001</p></body></html>"""


def _page(rows: int, menu: int) -> bytes:
    r = "".join(f'<li><a href="./t2022051{i % 10}_{i}.html">示例县关于第{i}项工作的通知</a><span>2022-05-1{i % 10}</span></li>'
                for i in range(rows))
    m = "".join(f'<li class="m"><a href="/lm{i}/"><span>栏目{i}</span></a></li>' for i in range(menu))
    return PAGE.format(rows=r, menu=m).encode("utf-8")


@pytest.mark.parametrize("rows,menu", [(0, 0), (5, 0), (0, 40), (12, 300)])
def test_menu_skip_changes_nothing(rows, menu, monkeypatch):
    """Passing over a whole date-less <li> menu gives the same rows and link-group count as walking it."""
    url = "http://www.example.gov.cn/zwgk/tzgg/"
    data = _page(rows, menu)
    fast = extract_list(parse_page(data, url))
    fast_groups = fast.groups
    assert len(fast.items) == rows
    monkeypatch.setattr(lists, "_rows_only_span", lambda container, first: 1)
    slow = extract_list(parse_page(data, url))
    assert fast.items == slow.items and fast_groups == slow.groups
    assert (fast.dated_groups, fast.dated_blocks) == (slow.dated_groups, slow.dated_blocks)
    if menu:
        assert fast_groups >= 1  # the menu is a group of >= 3 link rows


def test_utf8_bytes_and_text_parse_alike():
    data = _page(8, 30)
    a, b = parse_page(data, "http://x/"), parse_page(data.decode("utf-8"), "http://x/")
    assert a.tree.html == b.tree.html and a.text == b.text
    bom = b"\xef\xbb\xbf" + data
    broken = data.replace("政务公开".encode(), b"\xe6\x94" + "务公开".encode(), 1)
    for d in (bom, broken):
        p = parse_page(d, "http://x/")
        assert p.encoding == "utf-8" and p.tree.body is not None
    assert extract_page(bom, "http://x/zwgk/")["items"] == extract_page(data, "http://x/zwgk/")["items"]


def test_presence_ignores_ascii_case_only():
    page = parse_page('<html><body><div CLASS="BreadCrumb">当前位置</div><p>Conac</p></body></html>'.encode())
    assert page.present(["breadcrumb", "crumb", "bread", "path", "conac", "当前位置", "党政机关"]) == [
        "breadcrumb", "crumb", "bread", "conac", "当前位置"]
    assert page.present(["pathx", "path"]) == []  # an absent piece rules out the longer needle too
    assert re.search("breadcrumb", page.html, re.I)


def test_row_date_single_pass_equals_two_passes():
    """The row date: the first full date (no reference year needed), else the first MM-DD date."""
    import datetime as dt

    from govcheck.extract.dates import make_date
    from govcheck.extract.lists import _FULL_QUICK, _MD_QUICK, _LazyRef, _dates_in_uncached

    ref = _LazyRef(None, dt.date(2022, 6, 30))

    def two_passes(text: str):  # the function as it was before the single pass
        for m in _FULL_QUICK.finditer(text):
            d = make_date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
            if d is not None:
                return d
        if not _DATEISH.search(text):
            return None
        hits = find_dates(text)
        if hits:
            return hits[0].date
        if _MD_QUICK.search(text):
            hits = find_dates(text, ref=ref.get())
            if hits:
                return hits[0].date
        return None

    alphabet = list("0123456789０５－-/.年月日[] 号x") + ["2022", "05-12", "12-31", "二〇二二年五月", "13-45"]
    for s in _strings(alphabet, 20_000, 4, 10):
        assert _dates_in_uncached(s, ref) == two_passes(s), repr(s)


CRUMB_PAGES = [
    '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/a/">政务公开</a> &gt; 通知公告</div>',
    # the marker element is itself class-hinted: the full search must run (it scores it as a hinted one)
    '<div class="location">您的位置：<a href="/">首页</a> » <a href="/b/">信息公开</a></div>'
    '<p>当前位置：<a href="/">网站首页</a> &gt; <a href="/c/">新闻</a> &gt; <a href="/d/">要闻</a></p>',
    # the marker trail does not start at 首页: a hinted trail that does must still win
    '<p>当前位置：<a href="/x/">专题</a> &gt; <a href="/y/">专栏</a></p>'
    '<div class="breadcrumb"><a href="/">首页</a> &gt; <a href="/z/">政策文件</a></div>',
    '<div aria-label="路径导航" class="bar">当前位置：<a href="/">首页</a> / <a href="/q/">互动</a></div>',
    '<div class="crumb"><a href="/">首页</a> &gt; <a href="/w/">领导信息</a></div>',
]


@pytest.mark.parametrize("body", CRUMB_PAGES)
def test_breadcrumb_shortcut_equals_full_search(body, monkeypatch):
    from govcheck.extract import breadcrumb

    page = lambda: parse_page(f"<html><head><title>t</title></head><body>{body}</body></html>".encode())  # noqa: E731
    fast = breadcrumb.extract_breadcrumb(page())
    monkeypatch.setattr(breadcrumb, "_hinted", lambda node, hints: True)  # never take the shortcut
    assert fast == breadcrumb.extract_breadcrumb(page())
    assert fast and fast[0].endswith("首页")


def test_find_dates_skips_change_nothing():
    """find_dates skips a form's scan when the form's literal characters are absent: same hits as scanning all."""
    import datetime as dt

    from govcheck.extract import dates as D

    def reference(text, ref=None, month_day=True):
        text = D.normalise_text(text)
        hits = []
        if not D._DIGITISH.search(text):
            return hits
        taken = bytearray(len(text))
        for form, rx in D._FULL:
            for m in rx.finditer(text):
                if taken.find(1, m.start(), m.end()) != -1:
                    continue
                d = D._ymd(m, hanzi=(form == "ymd_hanzi"))
                if d is not None:
                    hits.append(D.DateHit(d, m.start(), m.end(), form))
                    taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        if month_day and ref is not None:
            for form, rx in D._MD:
                for m in rx.finditer(text):
                    if taken.find(1, m.start(), m.end()) != -1:
                        continue
                    mo, da = int(m.group("m")), int(m.group("d"))
                    if not (1 <= mo <= 12 and 1 <= da <= 31):
                        continue
                    d = D.infer_year(mo, da, ref)
                    if d is not None:
                        hits.append(D.DateHit(d, m.start(), m.end(), form, True))
                        taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        hits.sort(key=lambda h: h.start)
        return hits

    ref = dt.date(2022, 6, 30)
    alphabet = list("0123456789０５－／．-/._年月日号 x") + ["2022", "二〇二二", "五", "十二", "20220512"]
    for s in _strings(alphabet, 20_000, 6, 12):
        assert D.find_dates(s, ref=ref) == reference(s, ref=ref), repr(s)
        assert D.find_dates(s) == reference(s), repr(s)
