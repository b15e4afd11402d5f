"""政府信息公开工作年度报告: which years are present, and the text of each numbered section."""
from __future__ import annotations

import re

from .dom import clean

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*度?[^，。]{0,30}?(?:政府)?信息公开(?:工作)?(?:年度)?报告")
_YEAR_HANZI = re.compile(r"([二〇○零一三四五六七八九]{4})\s*年\s*度?[^，。]{0,30}?信息公开(?:工作)?(?:年度)?报告")
# 一、总体情况 … 六、其他需要报告的事项 (numbered by Chinese numerals at the start of a line or after a space)
_SECTION = re.compile(r"(?:^|\s)([一二三四五六七八九十]{1,2})\s*[、.．]\s*([^\s，。；]{2,30})")


def report_year(title: str) -> int | None:
    """The year a report covers, from its title (2021年度… / 二〇二一年…)."""
    if not title:
        return None
    m = _YEAR.search(title)
    if m:
        return int(m.group(1))
    m = _YEAR_HANZI.search(title)
    if m:
        from .dates import _hanzi_number

        return _hanzi_number(m.group(1))
    return None


def report_years(items: list[dict]) -> dict[int, dict]:
    """Years covered by the reports in a list of rows -> the row (title, url, date) of each."""
    out: dict[int, dict] = {}
    for it in items:
        y = report_year(it.get("title") or "")
        if y and y not in out:
            out[y] = it
    return out


def report_sections(text: str) -> list[dict]:
    """Top-level sections in order: [{"no": "一", "heading": "总体情况", "text": …}]."""
    text = clean(text)
    order = "一二三四五六七八九十"
    found = []
    expect = 0
    for m in _SECTION.finditer(text):
        no = m.group(1)
        idx = order.find(no) if len(no) == 1 else -1
        if idx == expect:  # sections run 一, 二, 三 … ; sub-items and other numbering are skipped
            found.append(m)
            expect += 1
    out = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        out.append({"no": m.group(1), "heading": m.group(2), "text": text[m.end(): end].strip()})
    return out
