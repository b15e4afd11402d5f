"""Reading fetched pages (links, title, API URLs) in worker processes, never on the crawl's event loop.

HTML parsing time grows with the square of nesting depth (100,000 nested divs: 17.5 s). Parsed on the
event loop, one such page held every other site's fetches, whose instant responses were then recorded at
20+ seconds and flagged slow under the 15-second rule. Here:
- a cheap scan estimates the nesting depth before anything is parsed; a page deeper than `max_nesting`
  (or larger than `max_parse_bytes`) is not parsed: a recorded error;
- each page gets `cpu_seconds` of CPU in its worker (RLIMIT_CPU: the kernel stops a worker that takes
  more, even inside C code) and `wall_seconds` of wall time; the worker is replaced and the page recorded
  as an error;
- workers exit with their parent (their pipe closes) and are daemonic.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import pickle
import re
import signal
import time
from dataclasses import dataclass, field

from govcheck.collect.config import CrawlOptions
from govcheck.collect.links import Link

# elements without an end tag, and those whose end tag is optional (an unclosed <li>/<p>/<td> does not nest)
_NEUTRAL = frozenset(b"area base br col embed hr img input link meta param source track wbr keygen command "
                     b"basefont frame isindex nextid spacer image li p td th tr dt dd option optgroup tbody "
                     b"thead tfoot colgroup rp rt rb rtc".split())
_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9:-]{0,30})(?:\s[^>]*?)?(/?)>")


def nesting_depth(body: bytes, limit: int) -> int:
    """An upper estimate of element nesting from start and end tags, stopping once past `limit`.
    Cheap (a regular expression; ~60 MB/s) and generous: any end tag closes one level."""
    d = m = 0
    for mt in _TAG.finditer(body):
        close, name, selfc = mt.groups()
        if close:
            if d:
                d -= 1
        elif not selfc and name.lower() not in _NEUTRAL:
            d += 1
            if d > m:
                m = d
                if m > limit:
                    break
    return m


@dataclass
class Parsed:
    links: list[Link] = field(default_factory=list)
    api_urls: list[str] = field(default_factory=list)
    dynamic: bool = False
    title: str = ""
    error: str | None = None  # "kind: detail" when the page was not read


# ------------------------------------------------------------------------------------------------ worker
def _decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    try:
        from govcheck.extract.decode import decode_html
    except ImportError:  # pragma: no cover - the extract stage is optional for crawling
        return data.decode("utf-8", errors="replace"), "utf-8"
    return decode_html(data, content_type)


def _work(task: tuple, cfg: dict) -> tuple:
    from govcheck.collect.links import extract_links, json_links, link_rules  # imported once per worker

    what = task[0]
    if what == "page":
        _, body, ctype, url, max_api = task
        if len(body) > cfg["max_parse_bytes"]:
            return ("error", f"parse_refused: 页面 {len(body)} 字节，超过解析上限 {cfg['max_parse_bytes']} 字节，未解析")
        # a page with no more tags than the limit cannot nest deeper: not scanned (most pages)
        if body.count(b"<") > cfg["max_nesting"] and nesting_depth(body, cfg["max_nesting"]) > cfg["max_nesting"]:
            return ("error", f"parse_refused: 元素嵌套超过 {cfg['max_nesting']} 层，未解析（解析耗时随嵌套层数平方增长）")
        text, _enc = _decode_html(body, ctype)
        pl = extract_links(text, url, link_rules(), max_api)
        return ("page", [(ln.url, ln.tag, ln.text) for ln in pl.links], pl.api_urls, pl.dynamic, pl.title)
    if what == "json":
        _, body, url = task
        return ("json", [(ln.url, ln.tag, ln.text) for ln in json_links(body, url)])
    raise ValueError(f"unknown task {what}")


def _worker_main(conn, cfg: dict) -> None:
    import os
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a worker stopped for CPU leaves no core file
    except (ValueError, OSError):
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    if cfg.get("nice"):
        try:
            os.nice(int(cfg["nice"]))
        except OSError:
            pass
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    _decode_html(b"<html></html>")  # import the readers before the first page (not on its CPU budget)
    from govcheck.collect.links import link_rules

    link_rules()
    while True:
        try:
            msg = conn.recv_bytes()
        except (EOFError, OSError):  # the parent is gone
            return
        ru = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(ru.ru_utime + ru.ru_stime + cfg["cpu_seconds"]) + 1
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard),
                                                     hard))
        except (ValueError, OSError):
            pass
        try:
            out = _work(pickle.loads(msg), cfg)
        except RecursionError:
            out = ("error", "parse_error: 内容嵌套过深，无法解析")
        except Exception as e:  # noqa: BLE001 - one hostile page never stops the worker
            out = ("error", f"parse_error: {type(e).__name__}: {str(e)[:200]}")
        try:
            conn.send_bytes(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
        except (EOFError, OSError, BrokenPipeError):
            return


# ------------------------------------------------------------------------------------------------ pool
class _Slot:
    def __init__(self, ctx, cfg: dict):
        self.ctx = ctx
        self.cfg = cfg
        self.proc = None
        self.conn = None
        self.fut: asyncio.Future | None = None  # the page being read: done when the worker answers (or dies)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.spawn()

    def spawn(self) -> None:
        here, there = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker_main, args=(there, self.cfg), name="govcheck-parse", daemon=True)
        self.proc.start()
        there.close()
        self.conn = here

    def watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """One reader per worker for its whole life (no epoll change per page)."""
        self.loop = loop
        loop.add_reader(self.conn.fileno(), self._readable)

    def unwatch(self) -> None:
        if self.loop is not None and self.conn is not None:
            try:
                self.loop.remove_reader(self.conn.fileno())
            except (OSError, ValueError):
                pass

    def _readable(self) -> None:
        if self.fut is not None and not self.fut.done():
            self.fut.set_result(True)

    def kill(self) -> None:
        self.unwatch()
        try:
            if self.proc is not None and self.proc.is_alive():
                self.proc.kill()
            if self.proc is not None:
                self.proc.join(5)
        except Exception:  # noqa: BLE001
            pass
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001
            pass

    async def respawn(self) -> None:
        self.unwatch()
        await asyncio.to_thread(self._restart)
        if self.loop is not None:
            self.watch(self.loop)

    def _restart(self) -> None:
        loop, self.loop = self.loop, None  # kill() must not touch the loop from this thread
        self.kill()
        self.spawn()
        self.loop = loop


class ParsePool:
    """Page reading for one crawl run, shared by its sites. `async with ParsePool(opts) as pool:`."""

    def __init__(self, opts: CrawlOptions, nice: int = 0):
        self.n = max(0, int(opts.parse_workers))  # 0: read on the event loop (no protection; for measurement)
        self.wall = float(opts.parse_wall_seconds)
        self.cfg = {"cpu_seconds": float(opts.parse_cpu_seconds), "max_nesting": int(opts.max_nesting),
                    "max_parse_bytes": int(opts.max_parse_bytes), "nice": nice}
        self.slots: list[_Slot] = []
        self.idle: asyncio.Queue[_Slot] | None = None
        self.killed = 0  # workers stopped for a page (CPU or wall time)

    async def start(self) -> "ParsePool":
        if self.idle is None:
            ctx = multiprocessing.get_context("spawn")  # the crawl runs threads (WARC writers) a fork would copy
            loop = asyncio.get_running_loop()
            self.idle = asyncio.Queue()
            for _ in range(self.n):
                s = await asyncio.to_thread(_Slot, ctx, self.cfg)
                s.watch(loop)
                self.slots.append(s)
                self.idle.put_nowait(s)
        return self

    async def close(self) -> None:
        for s in self.slots:
            s.unwatch()
            try:
                s.conn.close()  # the worker sees EOF and exits
            except Exception:  # noqa: BLE001
                pass
        for s in self.slots:
            await asyncio.to_thread(s.proc.join, 5)
            if s.proc.is_alive():
                s.kill()
        self.slots.clear()
        self.idle = None

    async def __aenter__(self) -> "ParsePool":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def _run(self, task: tuple) -> tuple:
        if self.n == 0:
            try:
                return _work(task, self.cfg)
            except Exception as e:  # noqa: BLE001
                return ("error", f"parse_error: {type(e).__name__}: {str(e)[:200]}")
        if self.idle is None:
            await self.start()
        assert self.idle is not None
        slot = await self.idle.get()
        try:
            return await self._call(slot, task)
        finally:
            slot.fut = None
            self.idle.put_nowait(slot)

    async def _call(self, slot: _Slot, task: tuple) -> tuple:
        loop = asyncio.get_running_loop()
        data = pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)
        for attempt in (1, 2):  # a worker that died while idle (killed from outside) is replaced once
            try:
                slot.fut = loop.create_future()
                if len(data) > 256_000:  # a big page: the pipe write blocks until the worker reads it
                    await asyncio.to_thread(slot.conn.send_bytes, data)
                else:
                    slot.conn.send_bytes(data)
                break
            except (OSError, EOFError, BrokenPipeError):
                await slot.respawn()
                if attempt == 2:
                    return ("error", "parse_error: 解析进程无法启动")
        t0 = time.monotonic()
        fut = slot.fut
        timer = loop.call_later(self.wall, lambda: fut.done() or fut.set_result(False))
        try:
            answered = await fut
        finally:
            timer.cancel()
        if not answered:
            self.killed += 1
            await slot.respawn()
            return ("error", f"parse_timeout: 解析超过 {self.wall:g} 秒，未解析")
        try:
            return pickle.loads(slot.conn.recv_bytes())
        except (EOFError, OSError):  # the worker died: the CPU limit (SIGXCPU) or a crash
            code = slot.proc.exitcode if slot.proc is not None else None
            await asyncio.to_thread(slot.proc.join, 5)
            code = slot.proc.exitcode if code is None else code
            self.killed += 1
            await slot.respawn()
            if code == -signal.SIGXCPU or code == -signal.SIGKILL:
                return ("error", f"parse_timeout: 解析超过 CPU 时限 {self.cfg['cpu_seconds']:g} 秒，未解析"
                                 f"（用时 {time.monotonic() - t0:.1f} 秒）")
            return ("error", f"parse_error: 解析进程异常退出（{code}）")

    async def page(self, body: bytes, content_type: str | None, url: str, max_api: int = 5) -> Parsed:
        out = await self._run(("page", body, content_type, url, max_api))
        if out[0] == "error":
            return Parsed(error=out[1])
        _, links, api, dynamic, title = out
        return Parsed(links=[Link(u, t, x) for u, t, x in links], api_urls=list(api), dynamic=dynamic, title=title)

    async def json(self, body: bytes, url: str) -> Parsed:
        out = await self._run(("json", body, url))
        if out[0] == "error":
            return Parsed(error=out[1])
        return Parsed(links=[Link(u, t, x) for u, t, x in out[1]])
