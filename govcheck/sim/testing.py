"""Run a replica region from synchronous code (tests, the demo, benchmarks)."""
from __future__ import annotations

import asyncio
import multiprocessing
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from .scenario import Scenario
from .server import RegionServer


@contextmanager
def running_region(scenario: Scenario | str | Path, host: str = "127.0.0.1", **kwargs) -> Iterator[RegionServer]:
    """Start the region in a background thread with its own event loop; yields it with every site listening."""
    server = RegionServer(scenario, host=host, **kwargs)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    error: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.start())
        except BaseException as e:  # reported to the caller's thread
            error.append(e)
            ready.set()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(server.stop())
        loop.close()

    t = threading.Thread(target=run, name="replica-region", daemon=True)
    t.start()
    ready.wait()
    if error:
        t.join()
        raise error[0]
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(loop.stop)
        t.join(timeout=10)


@dataclass
class ServedRegion:
    """A region served by another process: what a caller needs of it (the sites, the roster, the feeds)."""

    sites: list[dict[str, Any]]
    feeds_url: str | None
    roster: Path | None
    allow: list[str]  # the address allow-list a round needs to reach it (its host:port pairs)
    ca_bundle: str | None = None  # the region's CA (PEM) when it serves HTTPS sites; valid while it runs


@contextmanager
def region_in_process(scenario: str | Path | Callable[..., Scenario], roster: Path | None = None,
                      host: str = "127.0.0.1", start_timeout: float = 180.0, *, args: tuple = (),
                      **server_kwargs: Any) -> Iterator[ServedRegion]:
    """Serve a scenario from a spawned child process, so rendering its pages does not take the crawler's GIL —
    as real sites are served by other machines. `scenario`: a built-in name, a folder, or a module-level
    function building the Scenario in the child from `args` (all picklable). Writes the sites roster to
    `roster`. The child stops when the block ends, or when this process dies (its pipe closes)."""
    ctx = multiprocessing.get_context("spawn")
    here, there = ctx.Pipe()
    what = scenario if callable(scenario) else str(scenario)
    proc = ctx.Process(target=_serve_region, name="replica-region", daemon=True,
                       args=(there, what, args, str(roster) if roster else None, host, server_kwargs))
    proc.start()
    there.close()
    try:
        if not here.poll(start_timeout):
            raise RuntimeError(f"模拟区域 {getattr(scenario, '__name__', scenario)} 未能在 {start_timeout:.0f} 秒内启动")
        info = here.recv()
        if "error" in info:
            raise RuntimeError(f"模拟区域 {getattr(scenario, '__name__', scenario)} 启动失败：{info['error']}")
        yield ServedRegion(sites=info["sites"], feeds_url=info["feeds_url"], roster=roster, allow=info["allow"],
                           ca_bundle=info.get("ca_bundle"))
    finally:
        try:
            here.send("stop")
        except OSError:
            pass
        proc.join(10)
        if proc.is_alive():
            proc.terminate()
            proc.join(5)
        here.close()


def _serve_region(conn, scenario, args: tuple, roster: str | None, host: str, server_kwargs: dict) -> None:
    from . import load_scenario

    try:
        scen = scenario(*args) if callable(scenario) else load_scenario(scenario)
        with running_region(scen, host=host, **server_kwargs) as reg:
            if roster:
                reg.write_roster(Path(roster))
            conn.send({"sites": reg.sites, "feeds_url": reg.feeds_url, "allow": reg.allow,
                       "ca_bundle": reg.ca_bundle})
            try:
                conn.recv()  # "stop", or EOFError when the parent is gone
            except EOFError:
                pass
    except Exception as e:  # noqa: BLE001 - reported to the parent, which raises it
        try:
            conn.send({"error": f"{type(e).__name__}: {e}"})
        except OSError:
            pass
