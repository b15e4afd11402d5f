"""Worker processes that exit with the run that started them.

A spawned ProcessPoolExecutor worker waits on a pipe it holds both ends of, so a SIGKILLed parent never
wakes it: it lives on, holding its memory (~75 MB each), until someone kills it by hand. Every worker
started here asks the kernel to kill it when its parent goes (Linux PR_SET_PDEATHSIG), and a watchdog
thread covers other systems and the moment between the fork and the prctl call.

The death signal fires when the *thread* that started the worker ends, so a pool must be used (submitted
to) and shut down by the thread that created it — as `asyncio.run` + `run_in_executor` do.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 1.0


def die_with_parent(parent_pid: int) -> None:
    """Exit when the process `parent_pid` is gone (call first thing in a child)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the prctl call took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(WATCH_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def _init(parent_pid: int, niceness: int, initializer, initargs) -> None:
    die_with_parent(parent_pid)
    if niceness > 0 and hasattr(os, "nice"):
        try:
            os.nice(niceness)
        except OSError:
            pass
    if initializer is not None:
        initializer(*initargs)


def worker_pool(max_workers: int, *, niceness: int = 0, initializer=None, initargs: tuple = ()) -> ProcessPoolExecutor:
    """A spawn-context process pool whose workers exit with this process. spawn, not fork: the caller may
    run threads (a replica region, the crawler's writer) that fork would copy mid-state."""
    return ProcessPoolExecutor(max_workers=max(1, max_workers), mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init, initargs=(os.getpid(), niceness, initializer, initargs))
