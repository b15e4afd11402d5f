"""Column-kind precision and recall per kind on real column names (tests/fixtures/column_kinds/real_names.csv).

Each name was read off the navigation, breadcrumbs or sitemap of a real page in shared/corpus/real and labelled
by hand with the kind an inspector would give it (the file names its source page). The classifier sees the
name only, as it does for a column whose own name decides its kind.

    python bench/column_kinds.py [--errors]
"""
from __future__ import annotations

import argparse
import collections
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "fixtures" / "column_kinds" / "real_names.csv"
sys.path.insert(0, str(ROOT))


def load(path: Path = LABELS) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def score(rows: list[dict]) -> tuple[dict[str, dict[str, float]], list[tuple[str, str, str]]]:
    """Per kind: tp, fp, fn, precision, recall (None when undefined); and the misread names."""
    from govcheck.extract.columns import name_kind

    tp, fp, fn = collections.Counter(), collections.Counter(), collections.Counter()
    errors = []
    for r in rows:
        got = name_kind(r["name"])[0]
        if got == r["kind"]:
            tp[got] += 1
        else:
            fp[got] += 1
            fn[r["kind"]] += 1
            errors.append((r["name"], r["kind"], got))
    out = {}
    for k in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[k] / (tp[k] + fp[k]) if tp[k] + fp[k] else None
        rc = tp[k] / (tp[k] + fn[k]) if tp[k] + fn[k] else None
        out[k] = {"tp": tp[k], "fp": fp[k], "fn": fn[k], "precision": p, "recall": rc}
    return out, errors


def window_kinds() -> set[str]:
    """Kinds a rule judges by a window of its own (checks.yaml `specific`: D04.2, D05.2, D06.2, D18.3, D12.2;
    and the kinds V4.1 counts)."""
    from govcheck.checks.base import data

    kinds = {s["kind"] for s in data()["specific"]}
    for src in data()["V4.1"]:
        kinds.update(src["kinds"])
    return kinds


def cycle_kinds() -> set[str]:
    """Kinds with an update cycle in the national rule set (D09.2, V4.2)."""
    from govcheck.rules import load_ruleset

    return set(load_ruleset("gb2019").column_cycles)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list every misread name")
    args = ap.parse_args()
    rows = load()
    res, errors = score(rows)
    win, cyc = window_kinds(), cycle_kinds()
    print(f"{len(rows)} real column names, {len({r['source'] for r in rows})} source pages ({LABELS.relative_to(ROOT)})")
    print("window: a rule of its own judges the kind by a window; cycle: D09.2/V4.2 judge it by the kind's cycle")
    print(f"{'kind':<10} {'window':>6} {'cycle':>5} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}")
    for k, v in sorted(res.items(), key=lambda kv: (kv[0] not in win, kv[0] not in cyc, kv[0])):
        p = "—" if v["precision"] is None else f"{v['precision']:.1%}"
        r = "—" if v["recall"] is None else f"{v['recall']:.1%}"
        print(f"{k:<10} {'yes' if k in win else '':>6} {'yes' if k in cyc else '':>5} {v['tp']:>4} {v['fp']:>4} {v['fn']:>4} {p:>9} {r:>7}")
    ok = sum(v["tp"] for v in res.values())
    print(f"accuracy {ok}/{len(rows)} = {ok / len(rows):.1%}")
    if args.errors:
        for name, want, got in errors:
            print(f"  {name}: labelled {want}, read {got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
