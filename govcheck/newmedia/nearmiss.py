"""Near-misses of canonical terms: one substituted, inserted or deleted character.

The scan does not enumerate variants. With one edit, one of a term's two halves survives intact
(pigeonhole), so the halves go into the lexicon's Aho-Corasick automaton as anchors; an anchor hit is
verified by comparing the window around it with the term, allowing one edit (a few slice comparisons).

What is accepted as a slip is decided here (`Rules.accept`), from data (nearmiss.yaml): substitutions at
a term's first or last character, or anywhere in a short term, must be 音近 (same pinyin, pypinyin's
dictionary) or 形近 (the shape-similar groups shipped beside the lexicon); characters that vary
legitimately (numerals, 国/省/市 …) are never a slip; a deletion of a term's first character needs a
word boundary before it unless the term is long and its rest cannot follow other characters (“我国人民代表大会”
is not a slip of 全国人民代表大会: a term whose second character is 国 is open at the start).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


def is_cjk(c: str) -> bool:
    o = ord(c)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FFFF


@dataclass(frozen=True)
class Edit:
    kind: str  # "sub" | "ins" | "del"
    pos: int  # sub/del: index of the term's character; ins: index of the term character after the extra one
    char: str  # the substituted or inserted character ("" for a deletion)
    start: int  # the window in the text (character offsets)
    end: int


def _match(s: str, t: str, k: int) -> list[tuple[str, int, str, int]]:
    """One-edit readings of `s` (text from the anchored end onward) against term `t` whose first k
    characters already match: (kind, index in t, char, window length), most plausible first."""
    n, L = len(t), len(s)
    i = k
    while i < n and i < L and s[i] == t[i]:
        i += 1
    if i == n:
        return []  # exact
    if i >= L:  # the text ends inside the term: only its last character can be missing
        return [("del", i, "", n - 1)] if i == L == n - 1 else []
    out = []
    if L > n and s[i + 1:n + 1] == t[i:]:
        out.append(("ins", i, s[i], n + 1))
    if L >= n and s[i + 1:n] == t[i + 1:]:
        out.append(("sub", i, s[i], n))
    if s[i:n - 1] == t[i + 1:]:
        out.append(("del", i, "", n - 1))
    return out


def match_forward(text: str, p: int, term: str, k: int) -> list[Edit]:
    """The term starts at p and its first k characters are there intact."""
    n = len(term)
    out = []
    for kind, i, c, w in _match(text[p:p + n + 1], term, k):
        out.append(Edit(kind, i, c, p, p + w))
    return out


def match_backward(text: str, e: int, term: str, k: int) -> list[Edit]:
    """The term ends at e and its last k characters are there intact."""
    n = len(term)
    out = []
    for kind, j, c, w in _match(text[max(0, e - n - 1):e][::-1], term[::-1], k):
        pos = n - j if kind == "ins" else n - 1 - j
        out.append(Edit(kind, pos, c, e - w, e))
    return out


# ---------------------------------------------------------------- 音近 / 形近

_PINYIN: dict | None = None


@lru_cache(maxsize=20000)
def readings(c: str) -> frozenset[str]:
    """Toneless pinyin readings of a character (every reading of a 多音字)."""
    global _PINYIN
    if _PINYIN is None:
        from pypinyin.pinyin_dict import pinyin_dict

        _PINYIN = pinyin_dict
    raw = _PINYIN.get(ord(c))
    if not raw:
        return frozenset()
    out = set()
    for r in raw.split(","):
        base = "".join(ch for ch in unicodedata.normalize("NFD", r) if not unicodedata.combining(ch))
        out.add(base.replace("ü", "v"))
    return frozenset(out)


def load_shape_groups(path: Path) -> dict[str, frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        chars = [c for c in line.split("\t") if len(c) == 1]
        for c in chars:
            groups.setdefault(c, set()).update(x for x in chars if x != c)
    return {c: frozenset(v) for c, v in groups.items()}


@dataclass
class Rules:
    """The acceptance rules (nearmiss.yaml `near_miss:`), see the module docstring."""
    min_len: int = 5  # shorter terms get no near-miss matching (too many legitimate neighbours)
    del_min_len: int = 6  # a deletion must leave at least 5 characters (“国家全部” is not 国家安全部)
    edge_sub_min_len: int = 6  # a first/last character replaced: the rest is often a word of its own
    free_len: int = 8  # from this length an interior substitution need not be 音近/形近
    free_ins_len: int = 6  # from this length an inserted character need not be 音近/形近 to a neighbour
    closed_len: int = 7  # from this length a term's last character may be dropped before any character
    interchangeable: tuple[str, ...] = ()  # groups of characters that vary legitimately (numerals, 省/市/县 …)
    neutral_insertions: str = ""  # characters whose insertion changes no wording (国务院原总理)
    shape: dict | None = None  # 形近 groups

    def __post_init__(self):
        self._group = {c: i for i, g in enumerate(self.interchangeable) for c in g}

    def _same_group(self, a: str, b: str) -> bool:
        g = self._group.get(a)
        return g is not None and g == self._group.get(b)

    def similar(self, a: str, b: str) -> str | None:
        if a == b:
            return None
        ra, rb = readings(a), readings(b)
        if ra and ra & rb:
            return "音近"
        if self.shape and b in self.shape.get(a, ()):
            return "形近"
        return None

    def accept(self, edit: Edit, term: str, text: str, open_end: bool, strict: bool = False,
               open_start: bool = True) -> str | None:
        """Why this edit is a slip (音近/形近/错字/多字/漏字), or None when it is not one. `strict`: every
        substitution/insertion must be 音近/形近 (a leader's name: another character is another person)."""
        free = len(term) >= self.free_len and not strict
        n = len(term)
        if edit.kind == "sub":
            c, t = edit.char, term[edit.pos]
            if not is_cjk(c):
                return None
            if self._same_group(c, t):
                return None
            edge = edit.pos in (0, n - 1)
            if edit.pos == n - 1 and open_end and n < self.edge_sub_min_len:
                return None  # 国家能源局 → 国家能源具(有): the rest is a phrase of its own
            sim = self.similar(t, c)
            if sim:
                return sim + "字"
            if edge or not free:
                return None
            return "错字"
        if edit.kind == "ins":
            c = edit.char
            if not is_cjk(c):
                return None  # a space or punctuation mark inside a term is layout, not wording
            a, b = term[edit.pos - 1], term[edit.pos]
            if c in (a, b):
                return "多字"  # a doubled character
            if c in self.neutral_insertions:
                return None
            if self._same_group(c, a) or self._same_group(c, b):
                return None  # 第二十次 → 第二十一次: another number, not a slip
            if n >= self.free_ins_len or self.similar(a, c) or self.similar(b, c):
                return "多字"
            return None
        # deletion
        if n < self.del_min_len:
            return None
        d = term[edit.pos]
        if any(self._same_group(d, term[j]) for j in (edit.pos - 1, edit.pos + 1) if 0 <= j < n):
            return None  # 第二十次 → 第二次
        if 0 < edit.pos < n - 1:
            return "漏字"
        if edit.pos == 0:
            before = text[edit.start - 1] if edit.start > 0 else ""
            if not before or not is_cjk(before):
                return "漏字"
            return "漏字" if n >= self.closed_len and not open_start else None
        after = text[edit.end] if edit.end < len(text) else ""
        if not after or not is_cjk(after):
            return "漏字"
        return "漏字" if n >= self.closed_len and not open_end else None


def anchors(term: str) -> tuple[str, str]:
    """The two halves whose survival one edit cannot both prevent."""
    m = len(term) // 2
    return term[:m], term[m:]
