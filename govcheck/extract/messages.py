"""留言/咨询: asked date, answered date, answering unit and answer, from a detail page or a list of messages."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

from .dates import find_dates, iso
from .dom import Page, clean

_ASK = r"留言时间|提问时间|来信时间|咨询时间|提交时间|写信时间|发表时间|诉求时间|留言日期|来信日期"
_ANS = r"回复时间|答复时间|办理时间|回复日期|答复日期|处理时间|反馈时间|办结时间"
_UNIT = r"回复单位|答复单位|办理单位|处理单位|回复部门|答复部门|承办单位|受理单位"
_ANSWER = r"回复内容|答复内容|办理结果|处理结果|回复意见|答复意见|办理情况"
_QUESTION = r"留言内容|来信内容|咨询内容|问题描述|诉求内容"
_TITLE = r"留言标题|来信标题|咨询标题|信件标题|主\s*题|标\s*题"
_ALL = re.compile(
    r"(" + "|".join([_ASK, _ANS, _UNIT, _ANSWER, _QUESTION, _TITLE]) + r")\s*[:：]?\s*")


@dataclass
class Message:
    title: str | None = None
    asked: dt.date | None = None
    answered: dt.date | None = None
    unit: str | None = None
    question: str | None = None
    answer: str | None = None

    @property
    def days_to_answer(self) -> int | None:
        return (self.answered - self.asked).days if self.asked and self.answered else None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["asked"], d["answered"] = iso(self.asked), iso(self.answered)
        d["days_to_answer"] = self.days_to_answer
        d["answered_flag"] = bool(self.answer or self.answered)
        return d


def _kind(label: str) -> str:
    lab = re.sub(r"\s+", "", label)
    for name, rx in (("asked", _ASK), ("answered", _ANS), ("unit", _UNIT), ("answer", _ANSWER),
                     ("question", _QUESTION), ("title", _TITLE)):
        if re.fullmatch(rx, lab):
            return name
    return ""


def extract_messages_text(text: str) -> list[Message]:
    """Messages in label/value text; a new message starts when a field repeats."""
    text = clean(text)
    ms = list(_ALL.finditer(text))
    out: list[Message] = []
    cur = Message()
    seen: set[str] = set()
    for i, m in enumerate(ms):
        kind = _kind(m.group(1))
        if not kind:
            continue
        if kind in seen:
            out.append(cur)
            cur, seen = Message(), set()
        seen.add(kind)
        stop = ms[i + 1].start() if i + 1 < len(ms) else len(text)
        val = text[m.end(): stop].strip()
        if kind in ("asked", "answered"):
            hits = find_dates(val[:30], month_day=False)
            setattr(cur, kind, hits[0].date if hits else None)
        elif kind == "unit":
            cur.unit = val.split(" ")[0][:40] or None
        elif kind == "title":
            cur.title = val[:120] or None
        else:
            setattr(cur, kind, val[:2000] or None)
    if seen:
        out.append(cur)
    return [m for m in out if m.asked or m.answered or m.answer or m.question]


def extract_messages(page: Page) -> list[Message]:
    return extract_messages_text(page.text)
