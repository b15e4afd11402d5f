"""How big a round's folder is, by what fills it, against the 150 MB goal for the demo (issue 16).

    python bench/round_size.py                 # runs `govcheck demo` (the full inspected round) into a temp dir
    python bench/round_size.py ROUND_DIR       # measures an existing round folder

Categories: the round database (with its largest tables, from SQLite's dbstat), the WARC archive, the
per-site facts, the outputs an office sends (notice, attachments, contract JSON), the side files
(manual/samples/anomalies, roster copy) and anything else. The peer, measured in the same run, is the
same bytes through gzip -6: what plain compression would leave, i.e. how much of each category is
redundancy rather than content. Sizes are bytes on disk as files report them (st_size).
"""
from __future__ import annotations

import argparse
import gzip
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_MB = 150.0
OUTPUT_SUFFIXES = (".docx", ".pdf", ".xlsx")
OUTPUT_NAMES = {"findings.json", "scores.json", "round.json"}
SIDE_NAMES = {"manual.json", "samples.json", "anomalies.json", "sites.csv"}


def category(rel: Path) -> str:
    first = rel.parts[0]
    if first.startswith("round.sqlite"):
        return "database (round.sqlite)"
    if first == "warc":
        return "archive (warc/)"
    if first == "facts":
        return "site facts (facts/)"
    if rel.name in OUTPUT_NAMES or rel.suffix in OUTPUT_SUFFIXES:
        return "outputs (notice, attachments, JSON)"
    if rel.name in SIDE_NAMES:
        return "side files (manual, samples, anomalies, roster)"
    return "other"


def gzip_size(path: Path) -> int:
    """The peer: the file's bytes through gzip -6 (already-compressed files stay about the same)."""
    out = 0
    comp = gzip.compress if path.stat().st_size < 64 << 20 else None
    if comp is not None:
        return len(comp(path.read_bytes(), compresslevel=6))
    with path.open("rb") as f, tempfile.TemporaryFile() as tmp:
        with gzip.GzipFile(fileobj=tmp, mode="wb", compresslevel=6) as gz:
            while chunk := f.read(1 << 20):
                gz.write(chunk)
        out = tmp.tell()
    return out


def sqlite_tables(db: Path) -> list[tuple[str, int]]:
    try:
        c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        rows = c.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8").fetchall()
        c.close()
        return [(n, int(s)) for n, s in rows]
    except sqlite3.Error:
        return []


def measure(round_dir: Path) -> dict:
    cats: dict[str, list[int]] = {}
    for p in sorted(round_dir.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(round_dir)
        c = cats.setdefault(category(rel), [0, 0, 0])
        c[0] += 1
        c[1] += p.stat().st_size
        c[2] += gzip_size(p)
    db = round_dir / "round.sqlite"
    return {"categories": cats, "tables": sqlite_tables(db) if db.exists() else []}


def report(round_dir: Path, m: dict, elapsed: float | None) -> str:
    mb = lambda b: b / 1e6  # noqa: E731
    lines = [f"round folder: {round_dir}", ""]
    lines.append(f"{'category':48} {'files':>6} {'MB':>9} {'gzip -6 MB':>11} {'ratio':>6}")
    total = peer = 0
    for name, (n, size, gz) in sorted(m["categories"].items(), key=lambda kv: -kv[1][1]):
        total += size
        peer += gz
        lines.append(f"{name:48} {n:6d} {mb(size):9.1f} {mb(gz):11.1f} {size / max(gz, 1):6.1f}×")
    lines.append(f"{'total':48} {'':6} {mb(total):9.1f} {mb(peer):11.1f} {total / max(peer, 1):6.1f}×")
    db = m["categories"].get("database (round.sqlite)", [0, 0, 0])[1]
    lines.append("")
    lines.append(f"goal {GOAL_MB:.0f} MB: total is {mb(total) / GOAL_MB:.2f}× the goal; without the database "
                 f"{mb(total - db):.1f} MB ({mb(total - db) / GOAL_MB:.2f}× the goal)")
    if m["tables"]:
        lines.append("")
        lines.append("largest database objects (dbstat): " +
                     ", ".join(f"{n} {mb(s):.1f} MB" for n, s in m["tables"]))
    if elapsed is not None:
        lines.append(f"demo round made in {elapsed:.0f} s")
    try:
        lines.append(f"machine load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    except OSError:
        pass
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("round_dir", nargs="?", type=Path)
    ap.add_argument("--keep", action="store_true", help="keep the demo round made for the measurement")
    args = ap.parse_args()
    elapsed = None
    tmp = None
    if args.round_dir is None:
        tmp = tempfile.mkdtemp(prefix="govcheck-size-")
        args.round_dir = Path(tmp) / "demo"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "govcheck.cli", "demo", "--out", str(args.round_dir)], check=True,
                       stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - t0
    print(report(args.round_dir, measure(args.round_dir), elapsed))
    if tmp and not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
