"""The wording lexicon (错敏词库): versioned YAML files of wrong → right forms, matched with Aho-Corasick.

Used for new-media posts (M1) and for website article text (V1.1). An allow-list phrase that covers a
match suppresses it ("路口交通" never hits "口交"); every right form is allow-listed implicitly, so a
correct text never hits an entry that it happens to contain.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import ahocorasick
import yaml

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
SEVERITIES = ("严重", "一般")
SNIPPET_CHARS = 15  # context either side of a hit in its snippet


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


@dataclass(frozen=True)
class Hit:
    start: int  # character offset in the scanned text
    end: int
    wrong: str
    right: str
    category: str
    severity: str
    source: str
    snippet: str

    @property
    def serious(self) -> bool:
        return self.severity == "严重"


@dataclass
class Lexicon:
    entries: list[Entry] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)  # file name → version
    _automaton: object = field(default=None, repr=False)

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
    def from_entries(cls, entries: Iterable[Entry], allow: Iterable[str] = ()) -> "Lexicon":
        lex = cls(entries=list(entries), allow=list(allow))
        lex.build()
        return lex

    def _read_file(self, path: Path) -> None:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            raise LexiconError(f"{path}: 无法读取词库文件：{e}") from e
        if not isinstance(data, dict):
            raise LexiconError(f"{path}: 词库文件应为映射（name/version/categories/allow）")
        version = str(data.get("version", ""))
        label = f"{data.get('name', path.stem)} {version}".strip()
        self.versions[path.name] = version
        cats = data.get("categories") or {}
        if not isinstance(cats, dict):
            raise LexiconError(f"{path}: categories 应为 类别 → 条目 的映射")
        for cat, block in cats.items():
            block = block or {}
            if isinstance(block, list):
                block = {"entries": block}
            default_sev = block.get("severity", "一般")
            default_src = block.get("source", "")
            for i, raw in enumerate(block.get("entries") or [], start=1):
                where = f"{path}: 类别“{cat}”第{i}条"
                if not isinstance(raw, dict):
                    raise LexiconError(f"{where}：条目应为 {{wrong, right, severity, source}}")
                wrong = _norm(str(raw.get("wrong") or ""))
                right = str(raw.get("right") or "")
                sev = str(raw.get("severity") or default_sev)
                if not wrong:
                    raise LexiconError(f"{where}：缺少 wrong（错误写法）")
                if not right:
                    raise LexiconError(f"{where}：缺少 right（正确写法）")
                if _norm(right) == wrong:
                    raise LexiconError(f"{where}：错误写法与正确写法相同（{wrong}）")
                if sev not in SEVERITIES:
                    raise LexiconError(f"{where}：severity 应为 严重 或 一般，而非“{sev}”")
                self.entries.append(Entry(wrong, right, str(cat), sev, str(raw.get("source") or default_src), label))
        for i, phrase in enumerate(data.get("allow") or [], start=1):
            if not isinstance(phrase, str) or not phrase.strip():
                raise LexiconError(f"{path}: allow 第{i}条应为非空字符串")
            self.allow.append(_norm(phrase.strip()))

    def build(self) -> None:
        """Compile the automaton: entries keyed by wrong form (last one wins), allow phrases flagged."""
        by_wrong: dict[str, Entry] = {}
        for e in self.entries:
            by_wrong[e.wrong] = e
        allow = set(self.allow)
        for e in by_wrong.values():
            r = _norm(e.right)
            if e.wrong in r:  # the right form contains the wrong one: correct text must not hit
                allow.add(r)
        a = ahocorasick.Automaton()
        for p in allow:
            if p in by_wrong:
                continue  # an allow phrase equal to an entry would mask it entirely; the entry wins
            for v in _width_variants(p):
                k = _bytes_key(v)
                a.add_word(k, (len(k), None))
        for w, e in by_wrong.items():
            for v in _width_variants(w):
                k = _bytes_key(v)
                a.add_word(k, (len(k), e))
        if len(a) == 0:
            a.add_word("\x00", (1, None))
        a.make_automaton()
        self._automaton = a
        self.entries = list(by_wrong.values())

    def __len__(self) -> int:
        return len(self.entries)

    def scan(self, text: str, *, snippet_chars: int = SNIPPET_CHARS) -> list[Hit]:
        """Hits in `text` (half- or full-width forms of the same entry alike), allow-list applied,
        a hit inside a longer hit dropped."""
        if not text:
            return []
        raw = text.encode("utf-8", "surrogatepass")  # a lone surrogate must not crash a scan
        hits: list[tuple[int, int, Entry]] = []
        allows: list[tuple[int, int]] = []
        for end_idx, (length, entry) in self._automaton.iter(raw.decode("latin-1")):
            start = end_idx - length + 1
            if entry is None:
                allows.append((start, end_idx + 1))
            else:
                hits.append((start, end_idx + 1, entry))
        if not hits:
            return []
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        if allows:  # sweep: drop a hit when an allow span starting at or before it reaches its end
            allows.sort()
            kept_allow: list[tuple[int, int, Entry]] = []
            ai, reach = 0, -1
            for h in hits:
                while ai < len(allows) and allows[ai][0] <= h[0]:
                    reach = max(reach, allows[ai][1])
                    ai += 1
                if h[1] > reach:
                    kept_allow.append(h)
            hits = kept_allow
        kept: list[tuple[int, int, Entry]] = []
        reach = -1
        for h in hits:  # sorted by start, longer first: a hit ending within an earlier one is nested
            if h[1] <= reach:
                continue
            kept.append(h)
            reach = h[1]
        out = []
        byte_pos = char_pos = 0
        for bs, be, entry in kept:  # byte offsets → character offsets (UTF-8 keys start on a character)
            char_pos += len(raw[byte_pos:bs].decode("utf-8", "surrogatepass"))
            byte_pos = bs
            s, e = char_pos, char_pos + len(raw[bs:be].decode("utf-8", "surrogatepass"))
            snip = text[max(0, s - snippet_chars): e + snippet_chars].replace("\n", " ")
            out.append(Hit(s, e, entry.wrong, entry.right, entry.category, entry.severity, entry.source, snip))
        return out


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
