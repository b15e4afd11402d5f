"""留言/咨询: asked date, answered date, answering unit and answer, from a detail page or a list of messages.

A page is read as its content lines (extract.blocks: header, navigation and footer left out; an article's own
meta line — 发布时间：… 来源：… — left out too), with labels in label position only. A message has a question part
(标题, 留言时间, 留言内容) and an answer part (答复单位, 答复时间, 答复内容, or a 回复 / 答复 heading with the text under
it). A bare "时间：" or "日期：" is the 留言时间 in the question part and the 答复时间 in the answer part. A new message
starts only when a question-side field comes again after the answer part or repeats: an answer's own labels
repeating (答复内容 in a header cell and again in the text) do not split a message.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field

from .dates import find_dates, inferred, iso
from .dom import Page, clean, labels, spaced

_FIELDS = ("asked", "answered", "unit", "answer", "question", "title")
_QUESTION_SIDE = ("asked", "question", "title")
_ANSWER_SIDE = ("answered", "unit", "answer")


def _alt(words_: list[str]) -> str:
    return "|".join(spaced(w) for w in sorted((str(w) for w in words_), key=len, reverse=True))


def _field_rx() -> dict[str, str]:
    sec = labels("messages")
    out = {}
    for f in _FIELDS:
        words_ = sec.get(f) or []
        if not words_:
            raise ValueError(f"data/labels.yaml: messages.{f} is empty")
        out[f] = _alt(words_)
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
    dates_inferred: list[str] = field(default_factory=list)  # date fields read without their year

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


def _date(val: str, ref: dt.date | None) -> dt.date | None:
    hits = find_dates(val[:40], ref=ref, month_day=ref is not None)
    return hits[0].date if hits else None


def extract_messages_text(text: str) -> list[Message]:
    """Messages in label/value text (no page structure at hand): a new message starts when a question-side
    field comes again after the answer or repeats."""
    text = clean(text)
    ms = list(_ALL.finditer(text))
    fields = []
    for i, m in enumerate(ms):
        kind = _kind(m.group(1))
        if kind:
            stop = ms[i + 1].start() if i + 1 < len(ms) else len(text)
            fields.append((kind, text[m.end(): stop].strip()))
    return _assemble(fields, None)


def _assemble(fields: list[tuple[str, str]], ref: dt.date | None) -> list[Message]:
    out: list[Message] = []
    cur = Message()
    seen: set[str] = set()
    answered_side = False
    for kind, val in fields:
        if kind == "qhead":  # 网友留言: a question part opens (a new message if one was answered already)
            if answered_side:
                out.append(cur)
                cur, seen, answered_side = Message(), set(), False
            seen.add(kind)
            continue
        if kind == "time":
            kind = "answered" if answered_side else "asked"
        if kind in _QUESTION_SIDE and (kind in seen or answered_side):
            out.append(cur)
            cur, seen, answered_side = Message(), set(), False
        if kind in _ANSWER_SIDE:
            if kind in seen and getattr(cur, kind):
                continue  # the answer's own label again (a header cell, then the text)
            answered_side = True
        seen.add(kind)
        if kind in ("asked", "answered"):
            d = _date(val, ref)
            if d is not None and getattr(cur, kind) is None:
                setattr(cur, kind, d)
                if inferred(d):
                    cur.dates_inferred.append(kind)
        elif kind == "unit":
            cur.unit = cur.unit or (val.split(" ")[0][:40] or None)
        elif kind == "title":
            cur.title = cur.title or (val[:120] or None)
        else:
            prev = getattr(cur, kind)
            setattr(cur, kind, (prev + " " + val if prev else val)[:2000] or prev)
    if seen:
        out.append(cur)
    return [m for m in out if m.asked or m.answered or m.answer or m.question]


def _page_rx() -> dict[str, tuple[str, str]]:
    """field → (labels that may stand without a colon, labels that need one) for extract.blocks.read_fields."""
    sec = labels("messages")
    colon_only = {str(w) for w in labels("message_colon_labels")}
    out = {}
    for f in _FIELDS:
        ws = [str(w) for w in sec.get(f) or []]
        out[f] = (_alt([w for w in ws if w not in colon_only]), _alt([w for w in ws if w in colon_only]))
    out["time"] = ("", _alt(labels("message_time")))
    out["content"] = ("", _alt(labels("message_content")))
    out["qhead"] = (_alt(labels("message_question_heads")), "")
    return out


_PAGE_RX = _page_rx()


def _meta_line(text: str) -> bool:
    return sum(1 for w in labels("article_meta_words") if w in text) >= 2


def extract_messages(page: Page, ref: dt.date | None = None) -> list[Message]:
    """Messages on a page, read from its structure (see the module's docstring). `ref` gives MM-DD dates a
    year (recorded in Message.dates_inferred)."""
    from .blocks import content_lines, read_fields

    lines = [ln for ln in content_lines(page) if not ln.link_only and not _meta_line(ln.text)]
    found = read_fields(lines, _PAGE_RX, max_follow=12)
    used = {i for f in found for i in range(f.line, max(f.line, f.end) + 1)}
    tail = [str(w) for w in labels("message_tail_words")]
    fields: list[tuple[str, str]] = []
    answer_side = False
    for n, f in enumerate(found):
        name = f.name
        if name in ("time", "content"):
            if not fields:
                continue  # a bare 时间 / 内容 before any message field: the page's own, not a message's
            name = {"time": ("asked", "answered"), "content": ("question", "answer")}[name][answer_side]
        if name in _QUESTION_SIDE or name == "qhead":
            if name == "qhead" or answer_side:
                answer_side = False
        elif name in _ANSWER_SIDE:
            answer_side = True
        fields.append((name, f.value))
        if name in _ANSWER_SIDE:
            # the answer's text may stand under its part without a label of its own (部门回复 / 回复单位 / 时间, then
            # the reply): the unlabelled lines after an answer-side field, up to the next field, are the answer
            stop = found[n + 1].line if n + 1 < len(found) else len(lines)
            rest = []
            for i in range(f.line + 1, stop):
                if any(w in lines[i].text for w in tail):
                    break
                if i not in used:
                    rest.append(lines[i].text)
            if len("".join(rest)) >= 4:
                fields.append(("answer", " ".join(rest)))
    return _assemble(fields, ref)
