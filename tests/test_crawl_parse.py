"""Page readers in worker processes: links read there as they were on the event loop, a worker killed from
outside is replaced, and workers exit with their parent (a killed run leaves none behind)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from govcheck.collect.config import CrawlOptions
from govcheck.collect.links import extract_links
from govcheck.collect.parse import ParsePool

PAGE = ("<html><head><title>政务公开</title></head><body><a href='/a.html'>甲</a><img src='b.png'>"
        "<script>fetch('/api/list?page=1')</script></body></html>").encode()


async def test_pages_read_in_workers_as_on_the_loop():
    async with ParsePool(CrawlOptions.defaults(parse_workers=1)) as pool:
        got = await pool.page(PAGE, "text/html; charset=utf-8", "http://h.gov.cn/x/")
        pid = pool.slots[0].proc.pid
        os.kill(pid, signal.SIGKILL)  # killed from outside while idle
        time.sleep(0.2)
        again = await pool.page(PAGE, "text/html", "http://h.gov.cn/x/")
        assert pool.slots[0].proc.pid != pid
        js = await pool.json(b'{"data": [{"url": "/art/1.html"}]}', "http://h.gov.cn/api")
        bad = await pool.json(b"[" * 100_000, "http://h.gov.cn/api")
    want = extract_links(PAGE.decode(), "http://h.gov.cn/x/")
    assert [(l.url, l.tag, l.text) for l in got.links] == [(l.url, l.tag, l.text) for l in want.links]
    assert got.title == "政务公开" and got.api_urls == want.api_urls and again.links == got.links
    assert [l.url for l in js.links] == ["http://h.gov.cn/art/1.html"]
    assert bad.error is None or bad.error.startswith("parse_error")  # deep JSON: no links, no crash


CHILD = """
import asyncio, sys
from govcheck.collect.config import CrawlOptions
from govcheck.collect.parse import ParsePool
async def main():
    pool = await ParsePool(CrawlOptions.defaults(parse_workers=2)).start()
    print(" ".join(str(s.proc.pid) for s in pool.slots), flush=True)
    await asyncio.sleep(60)
if __name__ == "__main__":
    asyncio.run(main())
"""


def test_workers_exit_with_their_parent(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    p = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env)
    pids = [int(x) for x in p.stdout.readline().split()]
    assert len(pids) == 2 and all(psutil.pid_exists(x) for x in pids)
    p.kill()  # SIGKILL: no cleanup code runs in the parent
    p.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(x) for x in pids):
        time.sleep(0.1)
    assert not any(_alive(x) for x in pids)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
