"""The wording lexicon (错敏词库): versioned YAML files of wrong → right forms and of canonical terms,
matched in one Aho-Corasick pass.

- **Entries** (wrong → right) hit where their wrong form occurs, within their validity period.
- **Canonical terms** (the country's, the Party's and state organs' names, leaders with their titles,
  规范表述) are correct text: an allow span for everything else, and a hit of their own when used outside
  their validity period (a title correct in 2022 can be wrong in 2024).
- **Near-misses** of canonical terms (one character substituted, inserted or deleted; nearmiss.py) hit
  unless the text is itself a valid term or an allow phrase covers it.

An allow-list phrase that covers a match suppresses it ("路口交通" never hits "口交"); every right form is
allow-listed implicitly, so a correct text never hits an entry that it happens to contain.

Dates: a hit is judged on the text's own date (a post's, a page's publish date) where known, else on
the round's 监测时间点 (`at`), else today. A term whose validity ended is reported only for a dated text,
since an undated page may be older than the change.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import ahocorasick
import yaml

from govcheck.newmedia import nearmiss

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
SHAPE_FILE = LEXICON_DIR / "shape_similar.txt"
SEVERITIES = ("严重", "一般")
SNIPPET_CHARS = 15  # context either side of a hit in its snippet
KINDS = ("exact", "near", "stale")  # entry hit, near-miss of a canonical term, term outside its validity


class LexiconError(ValueError):
    """A lexicon file that cannot be used; the message names the file and entry."""


@dataclass(frozen=True)
class Entry:
    wrong: str
    right: str
    category: str
    severity: str
    source: str
    file: str  # the lexicon file (name + version) the entry came from
    valid_from: dt.date | None = None  # the wrong form is wrong from this day (e.g. an organ renamed) …
    valid_to: dt.date | None = None  # … until this day (exclusive)

    def applies(self, d: dt.date) -> bool:
        return (self.valid_from is None or d >= self.valid_from) and (self.valid_to is None or d < self.valid_to)


@dataclass(frozen=True)
class Term:
    """A canonical (correct) term, valid from/to (to exclusive); `office`+`form` or `successor` name what
    replaces it at another date."""
    text: str
    category: str
    severity: str
    source: str
    file: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    office: str = ""  # a leader's office: the holder valid at a date fills `form`
    form: str = ""  # e.g. "国务院总理{name}"
    successor: str = ""  # an organ's later name
    near: bool = True  # near-miss matching (always off below the minimum length)
    open_end: bool = False  # the term minus its last character starts other valid phrases
    strict: bool = False  # near-miss substitutions must be 音近/形近 (names: another character is another person)
    open_start: bool | None = None  # the term minus its first character follows other characters (None: by rule)

    def valid_at(self, d: dt.date) -> bool:
        return (self.valid_from is None or d >= self.valid_from) and (self.valid_to is None or d < self.valid_to)


@dataclass(frozen=True)
class Hit:
    start: int  # character offset in the scanned text
    end: int
    wrong: str  # the text as found
    right: str  # what it should be
    category: str
    severity: str
    source: str
    snippet: str
    kind: str = "exact"  # see KINDS
    reason: str = ""  # near: 音近字/形近字/错字/多字/漏字; stale: why the term is not valid at the judged date
    term: str = ""  # near/stale: the canonical term concerned

    @property
    def serious(self) -> bool:
        return self.severity == "严重"


@dataclass
class Settings:
    """nearmiss.yaml `near_miss:` (later files override single keys)."""
    min_len: int = 5
    del_min_len: int = 6
    edge_sub_min_len: int = 6
    free_len: int = 8
    free_ins_len: int = 6
    closed_len: int = 7
    interchangeable: list[str] = field(default_factory=list)
    neutral_insertions: str = ""
    open_start_second: str = ""
    stale_grace_days: int = 30
    history_markers: list[str] = field(default_factory=list)


class _Key:
    """What one automaton key stands for (a key can be several things at once)."""
    __slots__ = ("length", "entry", "allow", "terms", "anchors")

    def __init__(self, length: int):
        self.length = length
        self.entry: Entry | None = None
        self.allow = False
        self.terms: tuple[Term, ...] = ()
        self.anchors: list[tuple[int, bool]] = []  # (term index, True = the term's first half)


_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:年|〕|］|\]|）|\))")


@dataclass
class Lexicon:
    entries: list[Entry] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    versions: dict[str, str] = field(default_factory=dict)  # file name → version
    _automaton: object = field(default=None, repr=False)
    _near: list[Term] = field(default_factory=list, repr=False)  # terms matched by near-miss, by index
    _valid: frozenset = field(default=frozenset(), repr=False)  # strings that are never a near-miss
    _by_text: dict = field(default_factory=dict, repr=False)  # term text → its Term records
    _offices: dict = field(default_factory=dict, repr=False)  # office → [(from, to, name)]
    _rules: object = field(default=None, repr=False)

    @classmethod
    def load(cls, extra_files: Iterable[str | Path] = (), *, builtin: bool = True) -> "Lexicon":
        """The package's lexicon files plus an office's own files (same format); later files override
        an earlier entry with the same wrong form."""
        files = sorted(LEXICON_DIR.glob("*.yaml")) if builtin else []
        files += [Path(p) for p in extra_files]
        lex = cls()
        for f in files:
            lex._read_file(f)
        lex.build()
        return lex

    @classmethod
    def from_entries(cls, entries: Iterable[Entry], allow: Iterable[str] = (), terms: Iterable[Term] = (),
                     settings: Settings | None = None) -> "Lexicon":
        lex = cls(entries=list(entries), allow=list(allow), terms=list(terms), settings=settings or Settings())
        lex.build()
        return lex

    def _read_file(self, path: Path) -> None:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            raise LexiconError(f"{path}: 无法读取词库文件：{e}") from e
        if not isinstance(data, dict):
            raise LexiconError(f"{path}: 词库文件应为映射（name/version/categories/terms/offices/allow）")
        version = str(data.get("version", ""))
        label = f"{data.get('name', path.stem)} {version}".strip()
        self.versions[path.name] = version
        for cat, block, raw, where in _blocks(path, data, "categories"):
            if not isinstance(raw, dict):
                raise LexiconError(f"{where}：条目应为 {{wrong, right, severity, source}}")
            wrong = _norm(str(raw.get("wrong") or ""))
            right = str(raw.get("right") or "")
            sev = _severity(raw, block, where)
            if not wrong:
                raise LexiconError(f"{where}：缺少 wrong（错误写法）")
            if not right:
                raise LexiconError(f"{where}：缺少 right（正确写法）")
            if _norm(right) == wrong:
                raise LexiconError(f"{where}：错误写法与正确写法相同（{wrong}）")
            vf, vt = _period(raw, where)
            self.entries.append(Entry(wrong, right, str(cat), sev, _source(raw, block, where), label, vf, vt))
        for cat, block, raw, where in _blocks(path, data, "terms"):
            if isinstance(raw, str):
                raw = {"term": raw}
            if not isinstance(raw, dict) or not str(raw.get("term") or "").strip():
                raise LexiconError(f"{where}：条目应为规范词语或 {{term, source, valid_from, valid_to}}")
            vf, vt = _period(raw, where)
            self.terms.append(Term(_norm(str(raw["term"]).strip()), str(cat), _severity(raw, block, where),
                                   _source(raw, block, where), label, vf, vt, successor=str(raw.get("successor") or ""),
                                   near=bool(raw.get("near", block.get("near", True))),
                                   open_end=bool(raw.get("open_end", block.get("open_end", False))),
                                   strict=bool(raw.get("strict", block.get("strict", False))),
                                   open_start=raw.get("open_start", block.get("open_start"))))
        self._read_offices(path, data, label)
        nm = data.get("near_miss")
        if nm is not None:
            if not isinstance(nm, dict):
                raise LexiconError(f"{path}: near_miss 应为参数映射")
            for k, v in nm.items():
                if not hasattr(self.settings, k):
                    raise LexiconError(f"{path}: near_miss 未知参数“{k}”")
                setattr(self.settings, k, v)
        for i, phrase in enumerate(data.get("allow") or [], start=1):
            if not isinstance(phrase, str) or not phrase.strip():
                raise LexiconError(f"{path}: allow 第{i}条应为非空字符串")
            self.allow.append(_norm(phrase.strip()))

    def _read_offices(self, path: Path, data: dict, label: str) -> None:
        offices = data.get("offices") or {}
        if not isinstance(offices, dict):
            raise LexiconError(f"{path}: offices 应为 职务 → {{forms, holders}} 的映射")
        for office, block in offices.items():
            where0 = f"{path}: 职务“{office}”"
            if not isinstance(block, dict):
                raise LexiconError(f"{where0}：应为 {{category, severity, source, forms, holders}}")
            forms = block.get("forms") or []
            if not forms or not all(isinstance(f, str) and "{name}" in f for f in forms):
                raise LexiconError(f"{where0}：forms 应为含 {{name}} 的称谓写法列表")
            cat = str(block.get("category") or "国家领导人姓名与职务")
            complete = bool(block.get("complete"))

            def open_end(form: str) -> bool:
                """A form ending in the name is open (国务院总理李 + 鹏) unless every holder is listed."""
                return form.endswith("{name}") and not complete
            for i, h in enumerate(block.get("holders") or [], start=1):
                where = f"{where0}第{i}位任职者"
                if not isinstance(h, dict) or not h.get("name") or not h.get("from"):
                    raise LexiconError(f"{where}：应为 {{name, from, to, source}}")
                vf, vt = _period({"valid_from": h.get("from"), "valid_to": h.get("to")}, where)
                sev = _severity(h, block, where)
                src = _source(h, block, where)
                for form in forms:
                    self.terms.append(Term(_norm(form.format(name=h["name"])), cat, sev, src, label, vf, vt,
                                           office=str(office), form=form, open_end=open_end(form),
                                           open_start=True if form.startswith("{name}") else None, strict=True))
                self._offices.setdefault(str(office), []).append((vf, vt, str(h["name"])))
            former = block.get("former") or []
            if not isinstance(former, list) or not all(isinstance(x, str) for x in former):
                raise LexiconError(f"{where0}：former 应为历任者姓名列表")
            for name in former:  # earlier holders: correct text at any date here (their terms are not modelled)
                for form in forms:
                    self.terms.append(Term(_norm(form.format(name=name)), cat, "一般", str(block.get("former_source") or ""),
                                           label, office=str(office), form=form, open_end=open_end(form),
                                           open_start=True if form.startswith("{name}") else None, strict=True,
                                           near=False))

    def build(self) -> None:
        """Compile the automaton: entries keyed by wrong form (last one wins), allow phrases, canonical
        terms and the halves of near-miss terms."""
        by_wrong: dict[str, Entry] = {}
        for e in self.entries:
            by_wrong[e.wrong] = e
        self.entries = list(by_wrong.values())
        allow = set(self.allow)
        for e in self.entries:
            r = _norm(e.right)
            if e.wrong in r:  # the right form contains the wrong one: correct text must not hit
                allow.add(r)
        by_text: dict[str, list[Term]] = {}
        for t in self.terms:
            by_text.setdefault(t.text, []).append(t)
        self._by_text = {k: tuple(v) for k, v in by_text.items()}
        st = self.settings
        self._rules = nearmiss.Rules(min_len=st.min_len, del_min_len=st.del_min_len,
                                     edge_sub_min_len=st.edge_sub_min_len, free_len=st.free_len, free_ins_len=st.free_ins_len, closed_len=st.closed_len,
                                     interchangeable=tuple(st.interchangeable),
                                     neutral_insertions=st.neutral_insertions, shape=_shape_groups())
        self._valid = frozenset(by_text) | allow | {_norm(e.right) for e in self.entries}
        self._near = [_merged(ts) for txt, ts in self._by_text.items()
                      if len(txt) >= st.min_len and all(t.near for t in ts)]
        from dataclasses import replace

        self._near = [t if t.open_start is not None else
                      replace(t, open_start=len(t.text) > 1 and t.text[1] in st.open_start_second)
                      for t in self._near]
        keys: dict[str, _Key] = {}

        def key(word: str) -> list[_Key]:
            out = []
            for v in _width_variants(word):
                k = _bytes_key(v)
                if k not in keys:
                    keys[k] = _Key(len(k))
                out.append(keys[k])
            return out

        for p in allow:
            if p in by_wrong:
                continue  # an allow phrase equal to an entry would mask it entirely; the entry wins
            for k in key(p):
                k.allow = True
        for w, e in by_wrong.items():
            for k in key(w):
                k.entry = e
        for txt, ts in self._by_text.items():
            for k in key(txt):
                k.terms = ts
        for i, t in enumerate(self._near):
            a, b = nearmiss.anchors(t.text)
            for k in key(a):
                k.anchors.append((i, True))
            for k in key(b):
                k.anchors.append((i, False))
        a = ahocorasick.Automaton()
        for k, rec in keys.items():
            a.add_word(k, rec)
        if len(a) == 0:
            a.add_word("\x00", _Key(1))
        a.make_automaton()
        self._automaton = a

    def __len__(self) -> int:
        """Entries plus distinct canonical terms."""
        return len(self.entries) + len(self._by_text)

    def right_at(self, term: Term, d: dt.date) -> str:
        """What replaces `term` at date d: the office's holder then, or the organ's successor."""
        if term.office:
            for vf, vt, name in self._offices.get(term.office, ()):
                if (vf is None or d >= vf) and (vt is None or d < vt):
                    return term.form.format(name=name)
            return ""
        return term.successor

    def scan(self, text: str, *, snippet_chars: int = SNIPPET_CHARS, at: dt.date | None = None,
             text_date: dt.date | None = None, near: bool = True) -> list[Hit]:
        """Hits in `text` (half- or full-width forms of the same entry alike), allow-list applied, a hit
        inside a longer hit dropped. `text_date`: the text's own date; `at`: the round's time point."""
        if not text:
            return []
        raw = text.encode("utf-8", "surrogatepass")  # a lone surrogate must not crash a scan
        events = []
        work = False
        for end_idx, rec in self._automaton.iter(raw.decode("latin-1")):
            events.append((end_idx - rec.length + 1, end_idx + 1, rec))
            if not work and (rec.entry is not None or rec.terms or (near and rec.anchors)):
                work = True
        if not work:
            return []
        judged = text_date or at or dt.date.today()
        # byte offsets → character offsets (UTF-8 keys start and end on a character)
        offs = sorted({o for s, e, _ in events for o in (s, e)})
        cmap, bp, cp = {}, 0, 0
        for o in offs:
            cp += len(raw[bp:o].decode("utf-8", "surrogatepass"))
            bp = o
            cmap[o] = cp
        hits: list[tuple[int, int, int, None, tuple]] = []  # (start, end, rank: exact<stale<near, _, what)
        allows: list[tuple[int, int]] = []
        valid_spans: list[tuple[int, int]] = []
        exact_at: dict[str, list[int]] = {}  # term text → start offsets of its exact occurrences
        cands: dict[tuple[int, int, int], tuple[nearmiss.Edit, str]] = {}  # (term, start, end) → (edit, why)
        for bs, be, rec in events:
            s, e = cmap[bs], cmap[be]
            if rec.allow:
                allows.append((s, e))
            if rec.entry is not None and rec.entry.applies(judged):
                hits.append((s, e, 0, None, ("exact", rec.entry)))
            if rec.terms:
                valid_spans.append((s, e))
                exact_at.setdefault(rec.terms[0].text, []).append(s)
                stale = self._stale(rec.terms, text, s, e, judged, text_date, at)
                if stale:
                    hits.append((s, e, 1, None, ("stale",) + stale))
            if near and rec.anchors:
                for ti, first in rec.anchors:
                    t = self._near[ti]
                    k = len(t.text) // 2
                    eds = (nearmiss.match_forward(text, s, t.text, k) if first
                           else nearmiss.match_backward(text, e, t.text, len(t.text) - k))
                    for ed in eds:
                        reason = self._rules.accept(ed, t.text, text, t.open_end, t.strict, t.open_start)
                        if reason:
                            cands.setdefault((ti, ed.start, ed.end), (ed, reason))
                            break
        for (ti, s, e), (ed, reason) in cands.items():
            t = self._near[ti]
            if _norm(text[s:e]) in self._valid:
                continue
            n = len(t.text)
            if any(s - n < x < e for x in exact_at.get(t.text, ())):
                continue  # overlaps the term written right: an artefact of the term's own repetition
            hits.append((s, e, 2, None, ("near", self._near[ti], reason)))
        if not hits:
            return []
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0]), h[2]))
        hits = _sweep(hits, allows, lambda h: True)
        if valid_spans:  # canonical text is correct text: it hides entry hits and near-misses it covers
            hits = _sweep(hits, valid_spans, lambda h: h[4][0] != "stale")
        kept = []
        reach = -1
        for h in hits:  # sorted by start, longer first: a hit ending within an earlier one is nested
            if h[1] <= reach:
                continue
            kept.append(h)
            reach = h[1]
        out = []
        for s, e, _, _, info in kept:
            snip = text[max(0, s - snippet_chars): e + snippet_chars].replace("\n", " ")
            if info[0] == "exact":
                en = info[1]
                out.append(Hit(s, e, en.wrong, en.right, en.category, en.severity, en.source, snip))
            elif info[0] == "stale":
                _, t, right, reason = info
                out.append(Hit(s, e, text[s:e], right, t.category, t.severity, t.source, snip, "stale", reason,
                               t.text))
            else:
                _, t, reason = info
                right = t.text
                out.append(Hit(s, e, text[s:e], right, t.category, t.severity, t.source, snip, "near", reason, t.text))
        return out

    def _stale(self, terms: tuple[Term, ...], text: str, s: int, e: int, judged: dt.date,
               text_date: dt.date | None, at: dt.date | None) -> tuple | None:
        """(term, right form, reason) when the canonical term found at s:e is not valid at the judged
        date; None when it is, or when that cannot be told (see the module docstring)."""
        if any(t.valid_at(judged) for t in terms):
            return None
        t = terms[0]
        starts = [x.valid_from for x in terms if x.valid_from]
        ends = [x.valid_to for x in terms if x.valid_to]
        if starts and judged < min(starts):
            if text_date is None and at is None:
                return None
            reason = f"{t.text}自{min(starts).isoformat()}起方可使用"
        else:
            last = max(ends) if len(ends) == len(terms) else None
            if text_date is None or last is None:
                return None  # an undated text may predate the change
            if (judged - last).days < self.settings.stale_grace_days or self._historical(text, s, e, last):
                return None
            reason = f"{t.text}使用至{last.isoformat()}"
        best = max(terms, key=lambda x: x.valid_to or dt.date.max)
        return best, self.right_at(best, judged), reason

    def _historical(self, text: str, s: int, e: int, last: dt.date) -> bool:
        """The sentence reports the past: 时任/原… right before the term, a year up to the change in the
        sentence, or the term inside a document title 《…》."""
        before = text[max(0, s - 6):s]
        if any(before.endswith(m) for m in self.settings.history_markers):
            return True
        m = None
        for m in _SENTENCE_END.finditer(text, max(0, s - 200), s):
            pass
        b = m.end() if m else max(0, s - 200)
        m2 = _SENTENCE_END.search(text, e, e + 200)
        sent = text[b:m2.start() if m2 else min(len(text), e + 200)]
        if any(int(y) <= last.year for y in _YEAR.findall(sent)):
            return True
        o, c = text.rfind("《", b, s), text.rfind("》", b, s)
        return o > c


def _merged(ts: tuple[Term, ...]) -> Term:
    """One record for near-miss matching of a text that several records share (two offices' forms):
    the most cautious flags win."""
    t = ts[0]
    if len(ts) == 1:
        return t
    from dataclasses import replace

    return replace(t, open_end=any(x.open_end for x in ts), strict=any(x.strict for x in ts),
                   open_start=True if any(x.open_start for x in ts) else t.open_start)


def _sweep(hits: list, spans: list[tuple[int, int]], subject) -> list:
    """Drop the hits (for which `subject` holds) that a span starting at or before them covers."""
    spans = sorted(spans)
    out = []
    si, reach = 0, -1
    for h in hits:
        while si < len(spans) and spans[si][0] <= h[0]:
            reach = max(reach, spans[si][1])
            si += 1
        if h[1] > reach or not subject(h):
            out.append(h)
    return out


_SHAPE: dict | None = None


def _shape_groups() -> dict:
    global _SHAPE
    if _SHAPE is None:
        _SHAPE = nearmiss.load_shape_groups(SHAPE_FILE) if SHAPE_FILE.exists() else {}
    return _SHAPE


def _blocks(path: Path, data: dict, section: str):
    """(category, block, raw entry, where) for every entry of `categories:` or `terms:`."""
    cats = data.get(section) or {}
    if not isinstance(cats, dict):
        raise LexiconError(f"{path}: {section} 应为 类别 → 条目 的映射")
    for cat, block in cats.items():
        block = block or {}
        if isinstance(block, list):
            block = {"entries": block}
        if not isinstance(block, dict):
            raise LexiconError(f"{path}: 类别“{cat}”应为 {{severity, source, entries}}")
        for i, raw in enumerate(block.get("entries") or [], start=1):
            yield cat, block, raw, f"{path}: 类别“{cat}”第{i}条"


def _severity(raw: dict, block: dict, where: str) -> str:
    sev = str(raw.get("severity") or block.get("severity", "一般"))
    if sev not in SEVERITIES:
        raise LexiconError(f"{where}：severity 应为 严重 或 一般，而非“{sev}”")
    return sev


def _source(raw: dict, block: dict, where: str) -> str:
    return str(raw.get("source") or block.get("source") or "")


def _period(raw: dict, where: str) -> tuple[dt.date | None, dt.date | None]:
    out = []
    for k in ("valid_from", "valid_to"):
        v = raw.get(k)
        if v in (None, ""):
            out.append(None)
            continue
        if isinstance(v, dt.datetime):
            v = v.date()
        if not isinstance(v, dt.date):
            try:
                v = dt.date.fromisoformat(str(v))
            except ValueError:
                raise LexiconError(f"{where}：{k} 应为日期（YYYY-MM-DD），而非“{v}”") from None
        out.append(v)
    if out[0] and out[1] and out[1] <= out[0]:
        raise LexiconError(f"{where}：valid_to（{out[1]}）应晚于 valid_from（{out[0]}）")
    return out[0], out[1]


def _bytes_key(s: str) -> str:
    """UTF-8 bytes as a latin-1 string: pyahocorasick searches a node's children linearly, so a
    byte-level trie (fan-out ≤ 256, small in practice) is ~15× faster than a character-level one
    whose root has thousands of CJK children."""
    return s.encode("utf-8").decode("latin-1")


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


_FULL_WIDTH = {cp: cp + 0xFEE0 for cp in range(0x21, 0x7F)}


def _width_variants(word: str) -> set[str]:
    """The NFKC form and its full-width twin, so the scan needs no per-text normalisation (Chinese
    text is full of full-width punctuation, and normalising it costs more than the scan)."""
    return {word, word.translate(_FULL_WIDTH)}
