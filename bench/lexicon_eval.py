"""Lexicon quality on real sentences (pycorrector data: SIGHAN-15, ECSpell-law, medical CSC).

- false hits: lexicon hits in the *corrected* (clean) side of every pair, per 1,000 sentences;
- recall on planted errors: every lexicon entry's wrong form planted at a random place in a random
  clean sentence, counted found when a hit with that wrong form covers the planted span;
- right forms planted the same way must give no hit of that entry (false hits on correct usage);
- for context, how many of the corpora's own (random-character) errors the lexicon flags — it is a
  wording lexicon, not a spelling corrector, so this is expected to be near zero.

    python bench/lexicon_eval.py [--seed 1] [--plants-per-entry 5]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govcheck.newmedia.lexicon import Lexicon  # noqa: E402
from govcheck.paths import real_corpus_dir  # noqa: E402


def load_pairs(root: Path) -> dict[str, list[tuple[str, str]]]:
    base = root / "pycorrector" / "examples" / "data"
    out = {}
    for name, path in (("SIGHAN-15 test", base / "sighan_2015" / "test.tsv"),
                       ("ECSpell-law test", base / "ec_law_test.tsv"),
                       ("medical CSC test", base / "mcsc_test.tsv")):
        pairs = []
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and parts[1].strip():
                pairs.append((parts[0].strip(), parts[1].strip()))
        out[name] = pairs
    train = base / "sighan_2015" / "train.json"
    if train.exists():
        out["SIGHAN-15 train"] = [(d["original_text"], d["correct_text"]) for d in json.loads(train.read_text("utf-8"))]
    return out


def real_pages(root: Path, lex: Lexicon) -> None:
    """The same checker on the body text of every saved real page (V1.1 use): hits listed by hand-check."""
    from selectolax.lexbor import LexborHTMLParser

    from govcheck.extract.decode import decode_html

    pages = hit_pages = serious = 0
    size = 0
    for p in sorted(root.rglob("*")):
        if p.suffix.lower() not in (".html", ".htm", ".shtml", ".jsp"):
            continue
        html, _ = decode_html(p.read_bytes())
        tree = LexborHTMLParser(html)
        for node in tree.css("script, style"):
            node.decompose()
        text = tree.body.text(separator="\n") if tree.body else ""
        size += len(text.encode("utf-8"))
        pages += 1
        hits = lex.scan(text)
        hit_pages += bool(hits)
        serious += sum(h.serious for h in hits)
        for h in hits:
            print(f"   page hit: {p.relative_to(root)} “{h.wrong}” [{h.severity}] {h.snippet.strip()}")
    print(f"\nreal saved pages: {pages} ({size / 1e6:.2f} MB of body text), pages with a hit: {hit_pages}, "
          f"严重 hits: {serious}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--plants-per-entry", type=int, default=5)
    ap.add_argument("--extra", nargs="*", default=[], help="office lexicon files to add")
    args = ap.parse_args()
    root = real_corpus_dir()
    if root is None:
        sys.exit("shared/corpus/real not found")
    lex = Lexicon.load(extra_files=args.extra)
    print(f"lexicon: {len(lex)} entries, versions {lex.versions}")
    corpora = load_pairs(root)
    clean_all: list[str] = []
    print("\n| corpus | clean sentences | sentences with a hit | per 1,000 | of which 严重 | per 1,000 |")
    print("|---|---:|---:|---:|---:|---:|")
    examples = []
    for name, pairs in corpora.items():
        clean = [c for _, c in pairs]
        clean_all += clean
        any_hit = serious = 0
        for s in clean:
            hits = lex.scan(s)
            if hits:
                any_hit += 1
                examples += [(name, h.wrong, h.snippet) for h in hits]
            if any(h.serious for h in hits):
                serious += 1
        n = len(clean)
        print(f"| {name} | {n} | {any_hit} | {1000 * any_hit / n:.2f} | {serious} | {1000 * serious / n:.2f} |")
    for e in examples[:20]:
        print("   hit:", e)

    rng = random.Random(args.seed)
    found = planted = 0
    right_false = right_planted = 0
    missed: dict[str, int] = {}
    for e in lex.entries:
        for _ in range(args.plants_per_entry):
            s = rng.choice(clean_all)
            i = rng.randint(0, len(s))
            text = s[:i] + e.wrong + s[i:]
            planted += 1
            if any(h.wrong == e.wrong and h.start <= i and i + len(e.wrong) <= h.end for h in lex.scan(text)):
                found += 1
            else:
                missed[e.wrong] = missed.get(e.wrong, 0) + 1
            text = s[:i] + e.right + s[i:]
            right_planted += 1
            if any(h.wrong == e.wrong for h in lex.scan(text)):
                right_false += 1
    print(f"\nplanted errors: {planted}, found {found}, recall {found / planted:.4f}")
    print("missed (wrong form: times):", dict(sorted(missed.items(), key=lambda kv: -kv[1])[:15]))
    print(f"right forms planted: {right_planted}, hit by their own entry: {right_false}")

    natural = flagged = 0
    for pairs in corpora.values():
        for wrong, right in pairs:
            if wrong != right:
                natural += 1
                if lex.scan(wrong) and not lex.scan(right):
                    flagged += 1
    print(f"\ncorpora's own errors: {natural} sentences, flagged by the lexicon: {flagged} "
          f"({100 * flagged / max(natural, 1):.2f}%) — random typos are not lexicon entries")
    real_pages(root, lex)
    t0 = time.perf_counter()
    text = "\n".join(clean_all)
    for _ in range(5):
        lex.scan(text)
    dt = (time.perf_counter() - t0) / 5
    mb = len(text.encode("utf-8")) / 1e6
    print(f"\nscan of all clean sentences as one text: {mb:.2f} MB in {dt:.3f} s = {mb / dt:.1f} MB/s")


if __name__ == "__main__":
    main()
