"""D28 (兼容性): the home page as Firefox ESR renders it, beside Chromium's rendering.

Playwright drives Firefox only through its own patched build (the Juggler protocol), downloaded from
Playwright's CDN at install time — unreachable here — and Debian's `firefox-esr` ignores `-juggler-pipe`
(it exits at once). Firefox ESR speaks the W3C **WebDriver BiDi** protocol natively, so this module drives
Debian's `firefox-esr` directly over BiDi (a websocket, aiohttp's client): every request the page makes is
intercepted (`network.addIntercept`) and answered from the fetch layer (`network.provideResponse`) or refused
(`network.failRequest`) — the same confinement to the site's hosts and the same address policy as the
Chromium pool; the page itself is served from the archive.

What a difference means is never decided here: text Chromium shows that Firefox does not becomes a 需人工核查
item (D28), never a deduction.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import re
import shutil
import tempfile
from typing import Any
from urllib.parse import urlsplit

from govcheck.browser.settings import settings

log = logging.getLogger(__name__)


def firefox_path() -> str | None:
    for p in settings()["firefox"]["executables"]:
        found = shutil.which(p)
        if found:
            return found
    return None


class FirefoxBiDi:
    """`async with FirefoxBiDi(client) as ff: text, error = await ff.visible_text(url, hosts, document)`."""

    def __init__(self, client):
        self.client = client
        self.proc = None
        self.profile = None
        self.session = None
        self.ws = None
        self._id = 0
        self._waiting: dict[int, asyncio.Future] = {}
        self._handlers: list = []
        self._reader: asyncio.Task | None = None

    async def __aenter__(self) -> "FirefoxBiDi":
        import aiohttp

        exe = firefox_path()
        if exe is None:
            raise RuntimeError("firefox-esr not installed")
        cfg = settings()["firefox"]
        self.profile = tempfile.mkdtemp(prefix="govcheck-ff-")
        self.proc = await asyncio.create_subprocess_exec(
            exe, "--headless", "--remote-debugging-port=0", "--profile", self.profile,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        url = None
        deadline = asyncio.get_running_loop().time() + float(cfg["launch_timeout"])
        while url is None:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise RuntimeError("firefox-esr did not open its WebDriver BiDi port")
            line = (await asyncio.wait_for(self.proc.stderr.readline(), left)).decode("utf-8", "replace")
            if not line and self.proc.returncode is not None:
                raise RuntimeError("firefox-esr exited")
            m = re.search(r"WebDriver BiDi listening on (ws://\S+)", line)
            url = m.group(1) if m else None
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise RuntimeError(f"firefox-esr opened its WebDriver BiDi port off this machine: {url}")
        self._drain = asyncio.create_task(self._drain_stderr())
        # the browser's own control channel on loopback, not a request to a site: the pages' requests are
        # intercepted below and answered through the fetch layer
        self.session = aiohttp.ClientSession()
        self.ws = await self.session.ws_connect(url.rstrip("/") + "/session", max_msg_size=0)
        self._reader = asyncio.create_task(self._read())
        await self.call("session.new", {"capabilities": {}})
        await self.call("network.addIntercept", {"phases": ["beforeRequestSent"]})
        await self.call("session.subscribe", {"events": ["network.beforeRequestSent"]})
        return self

    async def __aexit__(self, *exc) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.call("session.end", {}), 3)
        for t in (self._reader, getattr(self, "_drain", None)):
            if t:
                t.cancel()
        with contextlib.suppress(Exception):
            await self.ws.close()
        with contextlib.suppress(Exception):
            await self.session.close()
        if self.proc and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.proc.wait(), 10)
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)

    async def _drain_stderr(self) -> None:
        while self.proc and self.proc.stderr and await self.proc.stderr.readline():
            pass

    async def _read(self) -> None:
        async for msg in self.ws:
            data = msg.json()
            if "id" in data and data["id"] in self._waiting:
                self._waiting.pop(data["id"]).set_result(data)
            elif data.get("type") == "event":
                for h in list(self._handlers):
                    asyncio.ensure_future(h(data))

    async def call(self, method: str, params: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
        self._id += 1
        fut = asyncio.get_running_loop().create_future()
        self._waiting[self._id] = fut
        await self.ws.send_json({"id": self._id, "method": method, "params": params})
        res = await asyncio.wait_for(fut, timeout)
        if res.get("type") == "error":
            raise RuntimeError(f"{method}: {res.get('error')} {res.get('message', '')[:200]}")
        return res.get("result") or {}

    async def visible_text(self, url: str, hosts: set[str], document: tuple[bytes, str] | None,
                           timeout: float) -> tuple[str | None, str | None]:
        """The page's visible text (document.body.innerText) as Firefox renders it; (None, why) on failure."""
        from govcheck.browser.pool import _host_allowed

        ctx = (await self.call("browsingContext.create", {"type": "tab"}))["context"]
        served: list[str] = []

        async def on_event(ev: dict[str, Any]) -> None:
            p = ev.get("params") or {}
            if ev.get("method") != "network.beforeRequestSent" or not p.get("isBlocked") or p.get("context") != ctx:
                return
            req = p["request"]
            rid, u = req["request"], req["url"]
            try:
                if document is not None and u == url and not served:
                    served.append(u)
                    await self._provide(rid, 200, [("content-type", document[1])], document[0])
                    return
                if not u.startswith(("http://", "https://")) or not _host_allowed(u, hosts):
                    await self.call("network.failRequest", {"request": rid})
                    return
                res = await self.client.fetch(u, req.get("method", "GET"), purpose="browser", follow=False)
                if res.status is None:
                    await self.call("network.failRequest", {"request": rid})
                    return
                from govcheck.collect.browser import _DROP

                await self._provide(rid, res.status, [(k, v) for k, v in res.headers if k.lower() not in _DROP],
                                    res.body or b"")
            except Exception as e:  # noqa: BLE001 - a request refused, the page goes on
                log.debug("firefox request %s: %s", u, e)
                with contextlib.suppress(Exception):
                    await self.call("network.failRequest", {"request": rid})

        self._handlers.append(on_event)
        try:
            await self.call("browsingContext.navigate", {"context": ctx, "url": url, "wait": "complete"},
                            timeout=timeout)
            await asyncio.sleep(float(settings()["firefox"]["settle_seconds"]))
            r = await self.call("script.evaluate", {"expression": "document.body ? document.body.innerText : ''",
                                                    "target": {"context": ctx}, "awaitPromise": False}, timeout=10)
            value = (r.get("result") or {}).get("value")
            return (value if isinstance(value, str) else ""), None
        except Exception as e:  # noqa: BLE001 - recorded, never a stuck round
            return None, f"{type(e).__name__}: {e}"[:300]
        finally:
            self._handlers.remove(on_event)
            with contextlib.suppress(Exception):
                await self.call("browsingContext.close", {"context": ctx}, timeout=5)

    async def _provide(self, rid: str, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        await self.call("network.provideResponse", {
            "request": rid, "statusCode": int(status),
            "headers": [{"name": k, "value": {"type": "string", "value": v}} for k, v in headers],
            "body": {"type": "base64", "value": base64.b64encode(body).decode("ascii")}})


def _lines(text: str, min_chars: int) -> list[str]:
    out = []
    for line in (text or "").splitlines():
        t = re.sub(r"\s+", "", line)
        if len(t) >= min_chars:
            out.append(t)
    return out


def hidden_in_firefox(chromium_text: str, firefox_text: str) -> list[str]:
    """Lines of text Chromium shows that Firefox's rendering does not contain anywhere."""
    cfg = settings()["firefox"]
    ff = re.sub(r"\s+", "", firefox_text or "")
    return [line for line in _lines(chromium_text, int(cfg["min_line_chars"])) if line not in ff]


def compat_note(url: str, hidden: list[str], chromium_lines: int) -> str | None:
    """The 需人工核查 wording for a difference worth a person's look; None when there is none."""
    cfg = settings()["firefox"]
    if not hidden or len(hidden) < int(cfg["min_hidden_lines"]):
        return None
    shown = "；".join(h[:30] for h in hidden[: int(cfg["quote_lines"])])
    return cfg["note"].format(n=len(hidden), total=chromium_lines, lines=shown)


def host_of(url: str) -> str:
    return urlsplit(url).netloc
