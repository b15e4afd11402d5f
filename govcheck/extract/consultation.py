"""征求意见 / 调查征集: the stated period in its many phrasings, and whether a page is the feedback (采纳情况)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, replace

from .dates import DateHit, _hanzi_number, find_dates, iso, make_date

_NUM = r"(\d{1,3}|[一二三四五六七八九十两〇零]{1,4})"
# 自发布之日起30日内 / 自公布之日起三十天 / 征求意见时间为15个工作日 / 公示期为7天
_RELATIVE = re.compile(
    r"(?:自|从)?\s*(?:本(?:公告|通知|稿)?)?\s*(?:发布|公布|公示|公告|印发|刊登|挂网)\s*之?\s*日\s*起\s*"
    + _NUM + r"\s*(?:个)?\s*(工作日|日|天|个?月)"
)
_DURATION = re.compile(r"(?:征求意见|征集|公示|调查)(?:期|时间|期限)\s*(?:为|是|：|:)?\s*" + _NUM
                       + r"\s*(?:个)?\s*(工作日|日|天|个?月)")
# 请于7日内反馈 / 在10个工作日内提出
_WITHIN = re.compile(r"(?:请于|请在|于|在)\s*" + _NUM + r"\s*(?:个)?\s*(工作日|日|天)\s*(?:内|之内)")
_DEADLINE = re.compile(r"(?:截止(?:时间|日期)?|截至|止于|请于|请在|于|在)\s*(?:为|是|：|:|到)?\s*")
_RANGE_SEP = re.compile(r"^\s*(?:[-—~～至到]|起至|起到|起—|止)\s*")
_FEEDBACK = re.compile(r"(?:意见|建议)?(?:采纳|反馈|吸纳)(?:情况|结果|说明)|征集结果|征求意见(?:情况|结果)|意见建议(?:的)?(?:采纳|办理)")


@dataclass
class Period:
    start: dt.date | None = None
    end: dt.date | None = None
    days: int | None = None  # calendar or working days as stated
    unit: str | None = None  # 日/天/工作日/月
    phrasing: str | None = None  # relative | deadline | before | range
    evidence: str | None = None
    inferred: tuple[str, ...] = ()  # "start" / "end": read without its year (taken from the publish date)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["start"], d["end"] = iso(self.start), iso(self.end)
        return d


def _num(s: str) -> int | None:
    return int(s) if s.isdigit() else _hanzi_number(s)


def _add(start: dt.date, n: int, unit: str) -> dt.date:
    if "月" in unit:
        m = start.month - 1 + n
        y = start.year + m // 12
        m = m % 12 + 1
        for d in (start.day, 30, 29, 28):
            r = make_date(y, m, d)
            if r:
                return r
    if unit == "工作日":
        d, left = start, n
        while left > 0:
            d += dt.timedelta(days=1)
            if d.weekday() < 5:
                left -= 1
        return d
    # 自发布之日起30日内: the publish day counts as day 1
    return start + dt.timedelta(days=n - 1)


def extract_consultation(text: str, publish_date: dt.date | None = None) -> Period:
    """The period a consultation states; `publish_date` anchors relative and year-less phrasings."""
    ref = publish_date
    t = re.sub(r"\s+", " ", text or "")
    # 1. explicit range: 2022年5月1日至2022年5月30日 / 5月1日至5月30日 / 2022年5月1日-5月30日
    anchor = ref or _first_full(t)
    hits = [_forward(h, anchor) for h in find_dates(t, ref=anchor)]
    for a, b in zip(hits, hits[1:]):
        between = t[a.end: b.start]
        # an inverted range is kept when both dates state their year: what the notice says, however wrong
        # (an end before the start is a V1.5 fact, not a misreading)
        stated = not a.year_inferred and not b.year_inferred
        if len(between) <= 8 and _RANGE_SEP.match(between) and (a.date <= b.date or stated):
            end = b.date
            if end < a.date:
                return Period(a.date, end, None, "日", "range", t[max(0, a.start - 10): b.end + 4])
            inferred = ("start",) if a.year_inferred else ()
            if b.year_inferred and not a.year_inferred:  # 2022年5月1日至5月30日: the end takes the start's year
                end = make_date(a.date.year, b.date.month, b.date.day) or end
                if end < a.date:
                    end = make_date(a.date.year + 1, b.date.month, b.date.day) or end
                    inferred += ("end",)
            elif b.year_inferred:
                inferred += ("end",)
            return Period(a.date, end, (end - a.date).days + 1, "日", "range", t[max(0, a.start - 10): b.end + 4],
                          inferred)
    # 2. relative to publication
    m = _RELATIVE.search(t) or _DURATION.search(t) or _WITHIN.search(t)
    if m:
        n = _num(m.group(1))
        unit = m.group(2).lstrip("个")
        if n:
            end = _add(publish_date, n, unit) if publish_date else None
            return Period(publish_date, end, n, unit, "relative", m.group(0))
    # 3. deadline: 截止时间为2022年5月30日 / 请于2022年5月30日前 / 于5月30日前反馈
    for h in hits:
        before = t[max(0, h.start - 12): h.start]
        after = t[h.end: h.end + 6]
        dm = None
        for dm in _DEADLINE.finditer(before):
            pass
        if dm and dm.end() >= len(before) - 1:
            word = dm.group(0)
            inferred = ("end",) if h.year_inferred else ()
            if "截" in word or "止" in word:
                return Period(publish_date, h.date, _span(publish_date, h.date), "日", "deadline",
                              t[max(0, h.start - 12): h.end + 4], inferred)
            if re.match(r"\s*(?:\d{1,2}[:：]\d{2})?\s*(?:[（(][^）)]{0,6}[）)])?\s*(?:前|之前|以前)", after):
                return Period(publish_date, h.date, _span(publish_date, h.date), "日", "before",
                              t[max(0, h.start - 12): h.end + 6], inferred)
    return Period(start=publish_date)


def _forward(h: DateHit, anchor: dt.date | None) -> DateHit:
    """A year-less date in a consultation lies on or after the publish date, not before it."""
    if not h.year_inferred or anchor is None:
        return h
    d = make_date(anchor.year, h.date.month, h.date.day)
    if d is not None and d < anchor:
        d = make_date(anchor.year + 1, h.date.month, h.date.day)
    return replace(h, date=d or h.date)


def _span(a: dt.date | None, b: dt.date | None) -> int | None:
    return (b - a).days + 1 if a and b else None


def _first_full(t: str) -> dt.date | None:
    for h in find_dates(t, month_day=False):
        return h.date
    return None


def is_feedback(title: str, text: str = "") -> bool:
    """A page reporting how the collected opinions were handled (反馈/采纳情况)."""
    return bool(_FEEDBACK.search(title or "")) or bool(_FEEDBACK.search((text or "")[:300]))
