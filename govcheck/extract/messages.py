"""留言/咨询: asked date, answered date, answering unit and answer, from a detail page or a list of messages."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

from .dates import find_dates, iso
from .dom import Page, clean, labels, spaced

_FIELDS = ("asked", "answered", "unit", "answer", "question", "title")


def _field_rx() -> dict[str, str]:
    sec = labels("messages")
    out = {}
    for f in _FIELDS:
        words_ = sorted((str(w) for w in sec.get(f) or []), key=len, reverse=True)
        if not words_:
            raise ValueError(f"data/labels.yaml: messages.{f} is empty")
        out[f] = "|".join(spaced(w) for w in words_)
    return out


_RX = _field_rx()
_ALL = re.compile(r"(" + "|".join(_RX[f] for f in _FIELDS) + r")\s*[:：]?\s*")


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
    for name in _FIELDS:
        if re.fullmatch(_RX[name], label.strip()):
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
