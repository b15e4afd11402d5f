"""Measuring the wording scan on real text (bench/wording.py and tests/test_newmedia_wording.py).

- clean sentences: the corrected side of pycorrector's real sentence pairs (SIGHAN-2015, ECSpell-law,
  medical CSC) and the sentences of every saved real page in shared/corpus/real (body text, scripts and
  styles removed);
- planted slips: a canonical term written into a random clean sentence at a random place with one
  edit — a substitution drawn from pycorrector's confusion sets (same_pinyin = 音近, same_stroke = 形近),
  an insertion (a doubled neighbour, a confusion character of a neighbour, or a random common character)
  or a deletion (any position). A slip that is itself a valid string (a canonical term, a right form, an
  allow phrase) is drawn again: it is not an error.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from govcheck.newmedia.lexicon import Lexicon

_SPLIT = re.compile(r"(?<=[。！？!?；;])|\n")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def pycorrector_sentences(root: Path) -> dict[str, list[str]]:
    """The clean (corrected) side of each pycorrector corpus, by corpus name."""
    base = root / "pycorrector" / "examples" / "data"
    out: dict[str, list[str]] = {}
    for name, path in (("SIGHAN-15 test", base / "sighan_2015" / "test.tsv"),
                       ("ECSpell-law test", base / "ec_law_test.tsv"),
                       ("medical CSC test", base / "mcsc_test.tsv"),
                       ("SIGHAN-15 test (pycorrector copy)", root / "pycorrector" / "pycorrector" / "data" / "sighan2015_test.tsv")):
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and parts[1].strip():
                rows.append(parts[1].strip())
        out[name] = rows
    train = base / "sighan_2015" / "train.json"
    out["SIGHAN-15 train"] = [d["correct_text"] for d in json.loads(train.read_text("utf-8"))]
    return out


def page_sentences(root: Path) -> list[str]:
    """Sentences (≥ 6 Chinese characters) of the body text of every saved real page, plus the text of the
    Hubei policy items and the consultation snippets."""
    from selectolax.lexbor import LexborHTMLParser

    from govcheck.extract.decode import decode_html

    texts = []
    for p in sorted(root.rglob("*")):
        if p.suffix.lower() not in (".html", ".htm", ".shtml", ".jsp"):
            continue
        html, _ = decode_html(p.read_bytes())
        tree = LexborHTMLParser(html)
        for node in tree.css("script, style"):
            node.decompose()
        texts.append(tree.body.text(separator="\n") if tree.body else "")
    for p in sorted(root.rglob("*.json")) + sorted(root.rglob("*.jsonl")):
        if "pycorrector" in p.parts or p.name in ("labels-dev.json",):
            continue
        raw = p.read_text(encoding="utf-8", errors="replace")
        texts.extend(s for s in re.findall(r'"((?:[^"\\]|\\.){6,})"', raw))
    out = []
    for t in texts:
        for s in _SPLIT.split(t):
            s = s.strip()
            if len(_CJK.findall(s)) >= 6:
                out.append(s)
    return out


def clean_sentences(root: Path) -> dict[str, list[str]]:
    """Every clean sentence source, deduplicated across sources (first source keeps a sentence)."""
    out = dict(pycorrector_sentences(root))
    out["real pages (shared/corpus/real)"] = page_sentences(root)
    seen: set[str] = set()
    for k in list(out):
        rows = []
        for s in out[k]:
            if s not in seen:
                seen.add(s)
                rows.append(s)
        out[k] = rows
    return out


def confusion_sets(root: Path) -> tuple[dict[str, list[str]], dict[str, list[str]], list[str]]:
    """(音近, 形近, common characters) from pycorrector's data."""
    d = root / "pycorrector" / "pycorrector" / "data"
    sound: dict[str, list[str]] = {}
    for line in (d / "same_pinyin.txt").read_text("utf-8").splitlines():
        if line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 2:
            sound[parts[0]] = [c for c in "".join(parts[1:]) if c.strip() and c != parts[0]]
    shape: dict[str, set[str]] = {}
    for line in (d / "same_stroke.txt").read_text("utf-8").splitlines():
        chars = [c for c in line.split("\t") if len(c) == 1]
        for c in chars:
            shape.setdefault(c, set()).update(x for x in chars if x != c)
    common = [c for c in (d / "common_char_set.txt").read_text("utf-8") if "\u4e00" <= c <= "\u9fff"]
    return sound, {k: sorted(v) for k, v in shape.items()}, common


@dataclass
class Plant:
    term: str
    slip: str
    kind: str  # 音近替换 / 形近替换 / 重复插入 / 近似插入 / 随机插入 / 删除 / 随机替换
    sentence: str
    start: int  # where the slip stands in the sentence
    end: int


KINDS_IN_BAR = ("音近替换", "形近替换", "重复插入", "近似插入", "随机插入", "删除")
# Shares of the planted kinds. The bar's mix: half substitutions (the common slip: an IME picks a 音近
# character, or a 形近 one is misread), a quarter insertions, a quarter deletions. EQUAL_THIRDS is printed
# beside it by the bench.
SHARES = {"音近替换": 3, "形近替换": 3, "重复插入": 1, "近似插入": 1, "随机插入": 1, "删除": 3}
EQUAL_THIRDS = {"音近替换": 3, "形近替换": 3, "重复插入": 2, "近似插入": 2, "随机插入": 2, "删除": 6}


def make_slip(term: str, kind: str, rng: random.Random, sound, shape, common) -> str | None:
    n = len(term)
    if kind in ("音近替换", "形近替换", "随机替换"):
        table = sound if kind == "音近替换" else shape
        order = list(range(n))
        rng.shuffle(order)
        for j in order:
            cands = list(common) if kind == "随机替换" else [c for c in table.get(term[j], ()) if "\u4e00" <= c <= "\u9fff"]
            cands = [c for c in cands if c != term[j]]
            if cands:
                return term[:j] + rng.choice(cands) + term[j + 1:]
        return None
    if kind == "删除":
        j = rng.randrange(n)
        return term[:j] + term[j + 1:]
    j = rng.randint(1, n - 1)  # an insertion stands between two of the term's characters
    if kind == "重复插入":
        c = term[j - 1] if rng.random() < 0.5 else term[j]
    elif kind == "近似插入":
        nb = term[j - 1] if rng.random() < 0.5 else term[j]
        cands = [c for c in sound.get(nb, []) + shape.get(nb, []) if "\u4e00" <= c <= "\u9fff"]
        if not cands:
            return None
        c = rng.choice(cands)
    else:
        c = rng.choice(common)
    return term[:j] + c + term[j:]


def plant(lex: Lexicon, sentences: list[str], n: int, seed: int, sound, shape, common,
          kinds: tuple[str, ...] = KINDS_IN_BAR, shares: dict | None = None) -> list[Plant]:
    """n slips, kinds in the given shares (default SHARES), terms drawn uniformly from the near-miss terms."""
    rng = random.Random(seed)
    kinds = [k for k in kinds for _ in range((shares or SHARES).get(k, 1))]
    terms = sorted(t.text for t in lex._near)
    valid = lex._valid
    out: list[Plant] = []
    i = 0
    while len(out) < n:
        kind = kinds[i % len(kinds)]
        term = rng.choice(terms)
        slip = make_slip(term, kind, rng, sound, shape, common)
        if slip is None or slip in valid or term in slip:  # a slip around the intact term is not one
            continue
        i += 1
        s = rng.choice(sentences)
        p = rng.randint(0, len(s))
        out.append(Plant(term, slip, kind, s[:p] + slip + s[p:], p, p + len(slip)))
    return out


def found(lex: Lexicon, pl: Plant) -> bool:
    """A hit overlapping the planted slip that names the term (near-miss) or corrects to it (entry)."""
    for h in lex.scan(pl.sentence):
        if h.start < pl.end and h.end > pl.start and (h.term == pl.term or pl.term in h.right or (len(h.right) >= 4 and h.right in pl.term)):
            return True
    return False


def false_hits(lex: Lexicon, sentences: list[str], kinds=("near",)) -> list[tuple[str, object]]:
    """(sentence, hit) for every hit of the given kinds in clean sentences."""
    out = []
    for s in sentences:
        for h in lex.scan(s):
            if h.kind in kinds:
                out.append((s, h))
    return out


# Real errors in the corpus, checked by hand: hits on them are true hits, not false ones.
KNOWN_ERRORS = {
    "中国证劵监督管理委员会": "劵（quàn 的误写，应为“券”）：www.ccgp.gov.cn 页面原文即如此",
}


def known_error(sentence: str) -> bool:
    return any(k in sentence for k in KNOWN_ERRORS)
