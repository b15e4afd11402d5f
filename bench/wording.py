"""Near-miss wording scan: precision and recall on real sentences, and throughput against the exact scan.

- false hits: near-miss (and outdated-term) hits in every clean real sentence (pycorrector's corrected
  sentences + the sentences of every saved real page), per 10,000 sentences; each hit is printed, and hits
  on real errors checked by hand (wording_eval.KNOWN_ERRORS) are counted apart;
- recall: canonical terms planted with one slip into random clean sentences (wording_eval.plant: 音近/形近
  substitutions from pycorrector's confusion sets, insertions, deletions), by kind, by category, for the
  bar's mix and for equal thirds;
- throughput: the full scan (entries + canonical terms + near-miss anchors) against the exact scan of
  the same entries and allow-list (the lexicon as it was), on the same ~1 MB chunks of real text, CPU time.

    python bench/wording.py [--plants 6000] [--seed 1] [--mb 20]
"""
from __future__ import annotations

import argparse
import collections
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govcheck.newmedia import wording_eval as we  # noqa: E402
from govcheck.newmedia.lexicon import Lexicon  # noqa: E402
from govcheck.paths import real_corpus_dir  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plants", type=int, default=6000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mb", type=float, default=20.0)
    args = ap.parse_args()
    root = real_corpus_dir()
    if root is None:
        sys.exit("shared/corpus/real not found")
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (2 cores, shared)")
    lex = Lexicon.load()
    print(f"lexicon: {len(lex.entries)} entries, {len(lex._by_text)} canonical terms "
          f"({len(lex._near)} with near-miss matching), {len(lex.allow)} allow phrases")

    sources = we.clean_sentences(root)
    clean = [s for rows in sources.values() for s in rows]
    print("\n## False hits on clean real sentences (near-miss + outdated terms)")
    total_false = 0
    for name, rows in sources.items():
        hits = we.false_hits(lex, rows, kinds=("near", "stale"))
        false = [(s, h) for s, h in hits if not we.known_error(s)]
        total_false += len(false)
        print(f"{name}: {len(rows)} sentences, {len(false)} false hits, {len(hits) - len(false)} on known real errors")
        for s, h in hits:
            tag = "known error" if we.known_error(s) else "FALSE"
            print(f"    [{tag}] {h.kind} “{h.wrong}” → “{h.right}” ({h.reason}) | {h.snippet}")
    print(f"all: {len(clean)} sentences, {total_false} false hits = {total_false * 10000 / len(clean):.2f} per 10,000 "
          f"(bar ≤ 1)")

    print("\n## Recall on planted slips")
    sound, shape, common = we.confusion_sets(root)
    for label, shares in (("bar mix (substitutions 1/2, insertions 1/4, deletions 1/4)", we.SHARES),
                          ("equal thirds (substitutions, insertions, deletions)", we.EQUAL_THIRDS)):
        plants = we.plant(lex, clean, args.plants, args.seed, sound, shape, common, shares=shares)
        by_kind, by_cat = collections.Counter(), collections.Counter()
        n_kind, n_cat = collections.Counter(), collections.Counter()
        cat = {t.text: t.category for t in lex._near}
        ok = 0
        for p in plants:
            f = we.found(lex, p)
            ok += f
            n_kind[p.kind] += 1
            by_kind[p.kind] += f
            n_cat[cat[p.term]] += 1
            by_cat[cat[p.term]] += f
        print(f"{label}: {ok} / {len(plants)} = {ok / len(plants):.3f} (bar ≥ 0.90)")
        for k in n_kind:
            print(f"    {k}: {by_kind[k]} / {n_kind[k]} = {by_kind[k] / n_kind[k]:.3f}")
        for k in sorted(n_cat):
            print(f"    [{k}] {by_cat[k]} / {n_cat[k]} = {by_cat[k] / n_cat[k]:.3f}")

    print("\n## Throughput: full scan vs the exact scan (same entries and allow-list), same text")
    exact = Lexicon.from_entries(lex.entries, lex.allow)
    rng = random.Random(args.seed)
    target = int(args.mb * 1e6)
    done = 0
    t_full = t_exact = 0.0
    h_full = h_exact = 0
    while done < target:
        parts, size = [], 0
        while size < 1_000_000:
            s = rng.choice(clean)
            parts.append(s)
            size += len(s.encode("utf-8")) + 1
        text = "\n".join(parts)
        c = time.process_time()
        h_exact += len(exact.scan(text))
        t_exact += time.process_time() - c
        c = time.process_time()
        h_full += len(lex.scan(text))
        t_full += time.process_time() - c
        done += size
    mb = done / 1e6
    print(f"{mb:.1f} MB: exact scan {t_exact:.2f} s CPU = {mb / t_exact:.1f} MB/s ({h_exact} hits); "
          f"full scan {t_full:.2f} s CPU = {mb / t_full:.1f} MB/s ({h_full} hits); ratio {t_full / t_exact:.2f}×")


if __name__ == "__main__":
    main()
