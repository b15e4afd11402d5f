"""One writer per round: an advisory file lock in the round folder (OUT/.govcheck.lock).

The kernel holds the lock for the open file, so a process that dies — SIGKILL, power cut of the shell —
releases it without anyone cleaning up; there is no stale lock to delete by hand. The file itself says who
holds it (process, command, start time), so a refused second run can name the first. The lock is re-entrant
within one process: `inspect` holds it for the whole round and the round core takes it again to save.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

LOCK_FILE = ".govcheck.lock"
MONITOR_LOCK_FILE = ".govcheck-monitor.lock"  # the monitoring service's own: it runs beside a round's writers

_held: dict[str, tuple[int, int]] = {}  # resolved lock path -> (fd, depth), this process
_guard = threading.Lock()


class RoundLocked(RuntimeError):
    """Another process is writing this round; the message names it."""


def _describe(info: dict) -> str:
    parts = []
    if info.get("pid"):
        parts.append(f"进程号 {info['pid']}")
    if info.get("host") and info["host"] != socket.gethostname():
        parts.append(f"主机 {info['host']}")
    if info.get("command"):
        parts.append(f"命令 {info['command']}")
    if info.get("started"):
        parts.append(f"开始于 {info['started']}")
    return "，".join(parts) or "另一进程"


def holder(round_dir: str | Path, name: str = LOCK_FILE) -> dict | None:
    """Who holds (or last held) the round's lock, as written in the lock file."""
    try:
        text = (Path(round_dir) / name).read_text(encoding="utf-8")
        info = json.loads(text)
        return info if isinstance(info, dict) else None
    except (OSError, ValueError):
        return None


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - offices may run Windows laptops
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


@contextmanager
def round_lock(round_dir: str | Path, command: str | None = None, name: str = LOCK_FILE) -> Iterator[None]:
    """Hold the round's write lock for the block, or raise RoundLocked naming the holder. `name`: another
    lock file in the folder (MONITOR_LOCK_FILE: one monitoring service per folder, beside the round's writer)."""
    d = Path(round_dir)
    d.mkdir(parents=True, exist_ok=True)
    path = d / name
    key = str(path.resolve())
    with _guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
        else:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                os.close(fd)
                who = _describe(holder(d, name) or {})
                if name == MONITOR_LOCK_FILE:
                    raise RoundLocked(f"目录 {d} 已有一个可用性监测服务在运行（{who}）；同一目录同时只能运行一个。")
                raise RoundLocked(f"轮次目录 {d} 正由另一进程写入（{who}）；同一轮次同时只能有一个写入者，"
                                  "请等它结束后再运行。该进程一旦结束（包括被强行终止），锁即自动释放。")
            info = {"pid": os.getpid(), "host": socket.gethostname(),
                    "command": command or " ".join(["govcheck", *sys.argv[1:3]]),
                    "started": datetime.now().astimezone().isoformat(timespec="seconds")}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info, ensure_ascii=False).encode("utf-8"), 0)
            _held[key] = (fd, 1)
    try:
        yield
    finally:
        with _guard:
            fd, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, depth - 1)
            else:
                del _held[key]
                os.close(fd)  # closing the descriptor releases the lock


def is_held_here(round_dir: str | Path) -> bool:
    return str((Path(round_dir) / LOCK_FILE).resolve()) in _held
