"""Lexicon scan throughput: N MB of text against a lexicon grown to 20,000 entries.

The built-in lexicon is padded with synthetic entries (random 2–6 character words drawn from
pycorrector's common-character set, so they look like Chinese words and mostly do not occur), the text
is real clean sentences (pycorrector corpora) sampled at random into ~1 MB chunks with a planted
error every few hundred sentences. Only `Lexicon.scan` is timed, as wall and as process CPU time (the
2-core box is shared, so wall time varies with other jobs).

    python bench/lexicon_bench.py [--mb 100] [--entries 20000] [--seed 1]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govcheck.newmedia.lexicon import Entry, Lexicon  # noqa: E402
from govcheck.paths import real_corpus_dir  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=100.0)
    ap.add_argument("--entries", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chunk-kb", type=int, default=1024)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    root = real_corpus_dir()
    if root is None:
        sys.exit("shared/corpus/real not found")
    pc = root / "pycorrector"
    chars = [c for c in (pc / "pycorrector" / "data" / "common_char_set.txt").read_text("utf-8") if "\u4e00" <= c <= "\u9fff"]
    sentences = []
    for p in (pc / "examples" / "data" / "sighan_2015" / "test.tsv", pc / "examples" / "data" / "ec_law_test.tsv",
              pc / "examples" / "data" / "mcsc_test.tsv"):
        for line in p.read_text("utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2:
                sentences.append(parts[1])

    base = Lexicon.load()
    entries = list(base.entries)
    seen = {e.wrong for e in entries}
    while len(entries) < args.entries:
        w = "".join(rng.choices(chars, k=rng.randint(2, 6)))
        if w in seen:
            continue
        seen.add(w)
        entries.append(Entry(w, w[::-1] + "正", "合成", rng.choice(["严重", "一般"]), "bench", "bench"))
    t0 = time.perf_counter()
    lex = Lexicon.from_entries(entries, base.allow)
    build = time.perf_counter() - t0
    print(f"lexicon: {len(lex)} entries (built-in {len(base)} + synthetic), automaton built in {build:.2f} s")

    wrongs = [e.wrong for e in entries]
    target = int(args.mb * 1e6)
    done_bytes = 0
    scan_time = 0.0
    cpu_time = 0.0
    hits = 0
    chunk_bytes = args.chunk_kb * 1024
    while done_bytes < target:
        parts, size = [], 0
        while size < chunk_bytes:
            s = rng.choice(sentences)
            if rng.random() < 0.003:
                i = rng.randint(0, len(s))
                s = s[:i] + rng.choice(wrongs) + s[i:]
            parts.append(s)
            size += len(s) * 3 + 1
        text = "\n".join(parts)
        nbytes = len(text.encode("utf-8"))
        t, c = time.perf_counter(), time.process_time()
        hits += len(lex.scan(text))
        scan_time += time.perf_counter() - t
        cpu_time += time.process_time() - c
        done_bytes += nbytes
    mb = done_bytes / 1e6
    print(f"scanned {mb:.1f} MB (UTF-8) in {scan_time:.2f} s wall = {mb / scan_time:.1f} MB/s "
          f"({cpu_time:.2f} s CPU = {mb / cpu_time:.1f} MB/s of CPU; the box is shared, wall time depends on load); "
          f"{hits} hits ({hits / mb:.0f} per MB)")


if __name__ == "__main__":
    main()
