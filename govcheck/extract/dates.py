"""Chinese dates in the forms government pages print them, and dates carried by CMS URLs."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "两": 2}
_CN = "〇○零Ｏ一二三四五六七八九十"

_FW = str.maketrans("０１２３４５６７８９／－．：", "0123456789/-.:")

# Full dates, most specific first. Each has groups y, m, d.
_FULL = [
    # 2022年5月12日 / 2022 年 05 月 12 日
    ("ymd_cn", re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?")),
    # 2022-05-12, 2022/5/12, 2022.05.12, 2022_05_12
    ("ymd", re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d{2})(?P<s>[-/._])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?![\d])")),
    # 二〇二二年五月十二日
    ("ymd_hanzi", re.compile(rf"(?P<y>[{_CN}]{{4}})\s*年\s*(?P<m>[{_CN}]{{1,3}})\s*月\s*(?P<d>[{_CN}]{{1,3}})\s*日")),
    # 20220512 as a bare token (only when bounded, e.g. in file names)
    ("ymd_compact", re.compile(r"(?<![\d])(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?![\d])")),
]
# Month-day only: [05-12], 05-12, 5月12日, 05/12. The year must be inferred.
_MD = [
    ("md_cn", re.compile(r"(?<![\d年])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")),
    ("md", re.compile(r"(?<![\d\-/.:])(?P<m>[01]?\d)(?P<s>[-/.])(?P<d>[0-3]?\d)(?![\d\-/.:])")),
]

# Dates in CMS URLs: TRS t20220512_123.html, Hanweb art/2022/5/12/art_1_2.html, /2022-05/12/, /202205/12/,
# /2022/08-11/, content_2022-05-12.
_URL = [
    re.compile(r"[/_]t(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)_"),
    re.compile(r"/art/(?P<y>(?:19|20)\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)/(?P<d>[0-3]\d)/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>[01]\d)-(?P<d>[0-3]\d)/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)/(?P<d>[0-3]\d)/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>[01]\d)(?P<d>[0-3]\d)/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>[01]?\d)/(?P<d>[0-3]?\d)/"),
    re.compile(r"[/_](?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)[_/.\d]"),
]
_DIGITISH = re.compile(rf"\d|[{_CN}]")
# The first character of any full-date hit (years 19xx/20xx, ASCII or full-width, or a hanzi numeral):
# a text whose first n characters hold none of these has no full date starting there.
FULL_DATE_START = frozenset("12１２" + _CN)


class InferredDate(dt.date):
    """A date shown as MM-DD only, its year inferred: compares and prints like any date, but a check can tell
    it from a date the page shows in full (a guess is no evidence for a deduction)."""

    __slots__ = ()


def inferred(d: dt.date | None) -> bool:
    return isinstance(d, InferredDate)


@dataclass(frozen=True)
class DateHit:
    date: dt.date
    start: int
    end: int
    form: str  # which pattern matched; "md*" forms had their year inferred
    year_inferred: bool = False


def _hanzi_number(s: str) -> int | None:
    """二〇二二 -> 2022 (digit by digit); 十二 -> 12; 二十三 -> 23."""
    s = s.strip()
    if not s:
        return None
    if "十" in s:
        head, _, tail = s.partition("十")
        tens = _CN_DIGITS.get(head, None) if head else 1
        ones = _CN_DIGITS.get(tail, None) if tail else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    n = 0
    for ch in s:
        v = _CN_DIGITS.get(ch)
        if v is None or v >= 10:
            return None
        n = n * 10 + v
    return n


def make_date(y: int | None, m: int | None, d: int | None) -> dt.date | None:
    if y is None or m is None or d is None:
        return None
    if not (1990 <= y <= 2100):
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _ymd(m: re.Match, hanzi: bool = False) -> dt.date | None:
    g = m.groupdict()
    if hanzi:
        return make_date(_hanzi_number(g["y"]), _hanzi_number(g["m"]), _hanzi_number(g["d"]))
    return make_date(int(g["y"]), int(g["m"]), int(g["d"]))


def infer_year(month: int, day: int, ref: dt.date | None) -> dt.date | None:
    """A MM-DD date belongs to the latest year in which it is not after the reference date."""
    if ref is None:
        return None
    for y in (ref.year, ref.year - 1):
        d = make_date(y, month, day)
        if d is not None and d <= ref:
            return d
    return make_date(ref.year - 1, month, day)


def normalise_text(s: str) -> str:
    return s.translate(_FW)


def find_dates(text: str, ref: dt.date | None = None, month_day: bool = True) -> list[DateHit]:
    """Every date in the text, in order of appearance; MM-DD forms only when `ref` gives a year."""
    text = normalise_text(text)
    hits: list[DateHit] = []
    if not _DIGITISH.search(text):
        return hits
    taken = bytearray(len(text))

    def free(a: int, b: int) -> bool:
        return taken.find(1, a, b) == -1

    def take(a: int, b: int) -> None:
        taken[a:b] = b"\x01" * (b - a)

    has_sep = "-" in text or "/" in text or "." in text
    for form, rx in _FULL:
        # a form whose literal characters are absent cannot match: skip its scan
        if form in ("ymd_hanzi", "ymd_cn") and ("年" not in text or "月" not in text):
            continue
        if form == "ymd" and not has_sep and "_" not in text:
            continue
        for m in rx.finditer(text):
            if not free(m.start(), m.end()):
                continue
            d = _ymd(m, hanzi=(form == "ymd_hanzi"))
            if d is not None:
                hits.append(DateHit(d, m.start(), m.end(), form))
                take(m.start(), m.end())
    if month_day and ref is not None:
        for form, rx in _MD:
            if (form == "md_cn" and ("月" not in text or "日" not in text)) or (form == "md" and not has_sep):
                continue
            for m in rx.finditer(text):
                if not free(m.start(), m.end()):
                    continue
                mo, da = int(m.group("m")), int(m.group("d"))
                if not (1 <= mo <= 12 and 1 <= da <= 31):
                    continue
                d = infer_year(mo, da, ref)
                if d is not None:
                    d = InferredDate(d.year, d.month, d.day)
                    hits.append(DateHit(d, m.start(), m.end(), form, True))
                    take(m.start(), m.end())
    hits.sort(key=lambda h: h.start)
    return hits


def parse_date(text: str | None, ref: dt.date | None = None) -> dt.date | None:
    """The first date in `text` (any supported form), or None."""
    if not text:
        return None
    hits = find_dates(text, ref=ref)
    return hits[0].date if hits else None


def date_from_url(url: str | None) -> dt.date | None:
    """Date carried by a CMS article URL (t20220512_, art/2022/5/12/, /2022-05/12/ …)."""
    if not url:
        return None
    for rx in _URL:
        m = rx.search(url)
        if m:
            d = _ymd(m)
            if d is not None:
                return d
    return None


def iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None
