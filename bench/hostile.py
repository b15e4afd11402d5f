"""Benchmark: the hostile suite (tests/hostile) as a whole: total wall time and peak memory (RSS of the pytest
process and its children, the page-reading workers, sampled 20 times a second), plus each case's time.

    python bench/hostile.py

The suite asserts the outcomes and a memory ceiling per case; this prints the figures the issue asks for
(issue 17: the hostile suite's total time and peak memory), with the machine load beside them.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tree_rss(pid: int) -> int:
    import psutil

    try:
        p = psutil.Process(pid)
        total = p.memory_info().rss
        for c in p.children(recursive=True):
            try:
                total += c.memory_info().rss
            except psutil.Error:
                pass
        return total
    except psutil.Error:
        return 0


def main() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=0",
                             "tests/hostile"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            peak[0] = max(peak[0], tree_rss(proc.pid))

    threading.Thread(target=sample, daemon=True).start()
    out, _ = proc.communicate()
    stop.set()
    took = time.perf_counter() - t0
    summary = next((ln for ln in reversed(out.splitlines()) if re.search(r"\d+ (passed|failed)", ln)), "")
    durations = [ln for ln in out.splitlines() if re.match(r"\s*\d+\.\d+s (call|setup)", ln)]
    print(f"tests/hostile: {summary.strip('= ')}")
    print(f"total {took:.1f} s wall, peak RSS {peak[0] / 2**20:.0f} MB (pytest + page readers); "
          f"load before {load0[0]:.2f}, after {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs")
    for ln in durations[:15]:
        print("  " + ln.strip())
    if proc.returncode:
        print(out[-3000:])
        raise SystemExit(proc.returncode)


if __name__ == "__main__":
    main()
