"""A bounded pool of real Chromium pages for the browser pass (动态加载 pages, evidence screenshots).

Why a pool of its own and not Playwright's defaults: archived government pages are hostile input. Every page
gets a fresh browser context (closed afterwards, so memory is given back), a time limit for the whole render,
requests confined to the site's own hosts and routed through the fetch layer (collect.browser.BrowserRouter:
address policy, robots, caps, one user agent), no downloads, dialogs dismissed, pop-ups closed, and a memory
watchdog that kills a renderer growing past its budget. A page that hangs, crashes its renderer, floods
dialogs or pop-ups or navigates away is a recorded failure (`RenderResult.error_kind`), never a stuck round;
a browser that stops answering is killed and started again.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

from govcheck.browser.settings import settings

log = logging.getLogger(__name__)

# error kinds of a render (RenderResult.error_kind); the words users read are in data/browser.yaml
ERROR_KINDS = ("timeout", "crash", "memory", "navigated_away", "dialog_flood", "popup_flood", "load_failed",
               "no_browser", "error")


def chromium_path() -> str | None:
    """Debian's chromium (scripts/install-system-deps.sh); Playwright's own download is never used."""
    cfg = settings()["chromium"]
    for p in cfg["executables"]:
        found = shutil.which(p)
        if found:
            return found
    return None


def available() -> bool:
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return False
    return chromium_path() is not None


@dataclass
class RenderResult:
    url: str
    final_url: str | None = None
    status: int | None = None  # of the main document
    html: str | None = None  # the rendered DOM (document.documentElement.outerHTML)
    png: bytes | None = None  # full-page screenshot (when asked)
    crop: bytes | None = None  # the element that matters, outlined (when asked)
    box: dict[str, float] | None = None  # that element's box in page coordinates
    crop_text: str | None = None  # that element's text as rendered
    text: str | None = None  # the page's visible text (document.body.innerText)
    error_kind: str | None = None
    error: str | None = None
    elapsed: float = 0.0
    blocked: list[str] = field(default_factory=list)  # requests refused: off-site host or the fetch layer
    dialogs: int = 0
    popups: int = 0
    fetches: list[Any] = field(default_factory=list)  # collect.fetch.FetchResult of every request served

    @property
    def ok(self) -> bool:
        return self.error_kind is None


def site_hosts(url: str, extra: list[str] | tuple[str, ...] = ()) -> set[str]:
    """host[:port] names a page of the site may load from: the home page's host (with and without www.) and
    the roster's other hosts."""
    out: set[str] = set()
    for u in [url, *extra]:
        s = urlsplit(u if "//" in u else f"//{u}")
        if not s.hostname:
            continue
        host = s.hostname.lower()
        hosts = {host, host.removeprefix("www."), "www." + host.removeprefix("www.")}
        out |= hosts
        if s.port:
            out |= {f"{h}:{s.port}" for h in hosts}
    return out


def _host_allowed(url: str, hosts: set[str]) -> bool:
    s = urlsplit(url)
    if not s.hostname:
        return False
    h = s.hostname.lower()
    return (f"{h}:{s.port}" if s.port else h) in hosts


_CACHED = {"stylesheet", "script", "image", "font"}
_CACHE_MAX = 2 * 1024 * 1024
_CACHE_ENTRIES = 2000

# A page action run inside a render (e.g. locate and outline the element of a finding); gets the Playwright
# page and the result to fill.
PageAction = Callable[[Any, RenderResult], Awaitable[None]]


class BrowserPool:
    """`async with BrowserPool(client) as pool: res = await pool.render(url, hosts=…)`.

    `client`: a collect.fetch.FetchClient (every request of every page goes through it). At most `size`
    pages render at once, each in its own context; the browser is restarted after `restart_after` pages and
    whenever it stops answering."""

    def __init__(self, client, *, size: int | None = None, page_timeout: float | None = None,
                 memory_mb: int | None = None, on_fetch: Callable[[Any], Any] | None = None):
        cfg = settings()["pool"]
        self.client = client
        self.size = int(size or cfg["size"])
        self.page_timeout = float(page_timeout or cfg["page_timeout"])
        self.memory_mb = int(memory_mb or cfg["renderer_memory_mb"])
        self.restart_after = int(cfg["restart_after_pages"])
        self.max_dialogs = int(cfg["max_dialogs"])
        self.max_popups = int(cfg["max_popups"])
        self.viewport = dict(cfg["viewport"])
        self.max_height = int(cfg["max_screenshot_height"])
        self.on_fetch = on_fetch
        self.skip_types = set(cfg["skip_when_reading"])
        # a site's styles, scripts and images, fetched once per pool (its pages share them): politeness
        self._assets: dict[str, tuple[dict[str, str], bytes]] = {}
        self._sem = asyncio.Semaphore(self.size)
        self._pw = None
        self._browser = None
        self._launch_lock = asyncio.Lock()
        self._rendered = 0
        self._active = 0
        self._watch: asyncio.Task | None = None
        self.peak_rss = 0  # bytes: the browser's whole process tree, sampled by the watchdog
        self.killed = 0  # renderers the watchdog killed
        self.restarts = 0

    async def __aenter__(self) -> "BrowserPool":
        from playwright.async_api import async_playwright

        self._pw = await async_playwright().start()
        await self._launch()
        self._watch = asyncio.create_task(self._watchdog())
        return self

    async def __aexit__(self, *exc) -> None:
        if self._watch:
            self._watch.cancel()
            with contextlib.suppress(BaseException):
                await self._watch
        await self._close_browser()
        if self._pw:
            with contextlib.suppress(Exception):
                await self._pw.stop()

    # ---------------------------------------------------------------- browser life
    async def _launch(self) -> None:
        exe = chromium_path()
        if exe is None:
            raise RuntimeError("chromium not installed")
        cfg = settings()["chromium"]
        args = list(cfg["args"]) + [f"--js-flags=--max-old-space-size={int(cfg['js_heap_mb'])}"]
        self._browser = await self._pw.chromium.launch(executable_path=exe, args=args, headless=True,
                                                       timeout=float(cfg["launch_timeout"]) * 1000)
        self._rendered = 0

    def _tree(self):
        """Chromium processes started under this process (Playwright's driver → browser → renderers, GPU,
        utility), as psutil.Process objects. One pool per process is the rule, so these are the pool's."""
        import psutil

        try:
            return [p for p in psutil.Process().children(recursive=True) if "chrom" in (p.name() or "").lower()]
        except psutil.Error:
            return []

    async def _close_browser(self) -> None:
        b, self._browser = self._browser, None
        if b is None:
            return
        try:
            await asyncio.wait_for(b.close(), timeout=10)
        except BaseException:  # noqa: BLE001 - a browser that does not close is killed
            self._kill_tree()

    def _kill_tree(self) -> None:
        for p in self._tree():
            with contextlib.suppress(Exception):
                p.kill()

    async def _restart(self) -> None:
        gen = self.restarts
        async with self._launch_lock:
            if self.restarts != gen and self._browser is not None and self._browser.is_connected():
                return  # another page restarted it meanwhile
            self.restarts += 1
            await self._close_browser()
            await self._launch()

    def _sample(self) -> int:
        """One look at the pool's memory: kill any renderer past its budget (its page then crashes and ends as
        `memory`); returns how many were killed."""
        import psutil

        budget = self.memory_mb * 1024 * 1024
        total = killed = 0
        for p in self._tree():
            with contextlib.suppress(psutil.Error):
                rss = p.memory_info().rss
                total += rss
                if rss > budget and "--type=renderer" in " ".join(p.cmdline()):
                    log.warning("browser pass: renderer %s uses %d MB, killed", p.pid, rss >> 20)
                    p.kill()
                    killed += 1
        self.killed += killed
        self.peak_rss = max(self.peak_rss, total)
        return killed

    async def _watchdog(self) -> None:
        while True:
            await asyncio.sleep(0.25)
            try:
                await asyncio.to_thread(self._sample)
            except Exception as e:  # noqa: BLE001 - the watchdog must outlive any one sample
                log.debug("watchdog: %s", e)

    # ---------------------------------------------------------------- one page
    async def render(self, url: str, *, hosts: set[str] | None = None, screenshot: bool = False,
                     action: PageAction | None = None, timeout: float | None = None,
                     document: tuple[bytes, str] | None = None, javascript: bool = True) -> RenderResult:
        """Render one page; never raises for what the page does. `hosts`: host[:port] names its requests may
        reach (default: the page's own host); `action` runs once the page has loaded (locating an element);
        `document`: (body, content type) of the page as archived — served to the browser instead of fetching
        the page again, so what is rendered derives from the archived response (scripts and data it loads are
        fetched); `javascript=False` for a document that is already a rendered DOM (shown as it was, its
        scripts not run twice)."""
        limit = float(timeout or self.page_timeout)
        res = RenderResult(url=url)
        hosts = hosts or site_hosts(url)
        async with self._sem:
            t0 = time.monotonic()
            try:
                if self._browser is None or not self._browser.is_connected():
                    await self._restart()  # gone: every page on it has failed already
                elif self._rendered >= self.restart_after and self._active == 0:
                    await self._restart()
            except Exception as e:  # noqa: BLE001 - no browser: this page is a recorded failure
                res.error_kind, res.error = "no_browser", f"浏览器无法启动：{e}"[:500]
                res.elapsed = time.monotonic() - t0
                return res
            self._active += 1
            ctx = None
            try:
                ctx = await self._browser.new_context(accept_downloads=False, viewport=self.viewport,
                                                      java_script_enabled=javascript, service_workers="block",
                                                      locale="zh-CN", timezone_id="Asia/Shanghai")
                self._rendered += 1
                try:
                    await asyncio.wait_for(self._render_in(ctx, url, hosts, res, screenshot, action, limit,
                                                           document),
                                           timeout=limit + 2)
                except asyncio.TimeoutError:
                    res.error_kind = res.error_kind or "timeout"
                    res.error = res.error or f"页面超过 {limit:g} 秒未完成"
            except Exception as e:  # noqa: BLE001 - recorded, the round goes on
                res.error_kind = res.error_kind or "error"
                res.error = res.error or f"{type(e).__name__}: {e}"[:500]
            finally:
                self._active -= 1
                res.elapsed = time.monotonic() - t0  # the verdict's time; closing the context comes after
                if ctx is not None:
                    try:
                        await asyncio.wait_for(ctx.close(), timeout=3)
                    except BaseException:  # noqa: BLE001 - a context that will not close: new browser
                        log.warning("browser pass: context for %s did not close; restarting the browser", url)
                        if self._active == 0:
                            with contextlib.suppress(Exception):
                                await self._restart()
                        else:
                            self._rendered = self.restart_after  # restart once the others are done
        if res.error_kind and res.html is None:
            res.png = res.crop = None
        return res

    async def _render_in(self, ctx, url: str, hosts: set[str], res: RenderResult, screenshot: bool,
                         action: PageAction | None, limit: float, document: tuple[bytes, str] | None) -> None:
        from govcheck.collect.browser import BrowserRouter

        router = BrowserRouter(self.client, on_fetch=self.on_fetch)
        router.results = res.fetches
        page = await ctx.new_page()
        failed = asyncio.get_running_loop().create_future()
        served: list[str] = []
        screenshot_assets = screenshot or action is not None  # a picture shows images; a reading does not

        def fail(kind: str, why: str) -> None:
            if res.error_kind is None:
                res.error_kind, res.error = kind, why
            if not failed.done():
                failed.set_result(kind)

        async def route(r, request=None) -> None:
            req = request or r.request
            u = req.url
            if u.startswith(("data:", "blob:", "about:")):
                await r.continue_()
                return
            if req.is_navigation_request() and _main_frame(req, page) and req.redirected_from is None \
                    and u.split("#")[0] != url.split("#")[0]:
                res.blocked.append(u)  # the page tries to leave: refused, and recorded
                fail("navigated_away", f"页面试图跳转至 {u}")
                await r.abort("blockedbyclient")
                return
            if document is not None and req.is_navigation_request() and u == url and not served:
                served.append(u)  # the archived page itself, once
                await r.fulfill(status=200, body=document[0], headers={"content-type": document[1]})
                return
            if not _host_allowed(u, hosts):
                res.blocked.append(u)
                await r.abort("blockedbyclient")
                return
            kind = req.resource_type
            if kind in self.skip_types and not screenshot_assets:
                await r.abort("blockedbyclient")  # reading a list needs no pictures: fewer requests to the site
                return
            cached = self._assets.get(u) if kind in _CACHED and req.method == "GET" else None
            if cached is not None:
                await r.fulfill(status=200, headers=cached[0], body=cached[1])
                return
            try:
                await router.handle(r, req)
                got = router.results[-1] if router.results else None
                if kind in _CACHED and got is not None and got.url == u and got.status == 200 and got.body \
                        and len(got.body) <= _CACHE_MAX and len(self._assets) < _CACHE_ENTRIES:
                    from govcheck.collect.browser import _DROP

                    self._assets[u] = ({k: v for k, v in got.headers if k.lower() not in _DROP}, got.body)
            except Exception as e:  # noqa: BLE001 - a page closed mid-request; nothing to serve
                log.debug("route %s: %s", u, e)
                with contextlib.suppress(Exception):
                    await r.abort("failed")

        async def on_dialog(d) -> None:
            res.dialogs += 1
            with contextlib.suppress(Exception):
                await d.dismiss()
            if res.dialogs > self.max_dialogs:
                fail("dialog_flood", f"页面连续弹出 {res.dialogs} 个对话框")

        async def on_popup(p) -> None:
            res.popups += 1
            with contextlib.suppress(Exception):
                await p.close()
            if res.popups > self.max_popups:
                fail("popup_flood", f"页面打开了 {res.popups} 个新窗口")

        await ctx.route("**/*", route)
        ctx.on("page", lambda p: asyncio.ensure_future(on_popup(p)) if p is not page else None)
        page.on("dialog", lambda d: asyncio.ensure_future(on_dialog(d)))
        page.on("crash", lambda _: fail("crash", "页面渲染进程崩溃（可能超出内存上限）"))
        page.on("download", lambda d: asyncio.ensure_future(_cancel(d)))
        page.set_default_timeout(limit * 1000)

        async def work() -> None:
            try:
                resp = await page.goto(url, wait_until="load", timeout=limit * 1000)
            except Exception as e:  # noqa: BLE001
                if res.error_kind is None:
                    msg = str(e).splitlines()[0][:300]
                    kind = "timeout" if "Timeout" in type(e).__name__ or "Timeout" in msg else "load_failed"
                    fail(kind, msg)
                return
            res.final_url = page.url
            res.status = resp.status if resp is not None else None
            # scripts that fill lists after load: wait until the network is quiet, within the limit
            with contextlib.suppress(Exception):
                await page.wait_for_load_state("networkidle", timeout=settings()["pool"]["settle_seconds"] * 1000)
            # a page that grew past its memory budget during load is killed here, not after it is read
            if await asyncio.to_thread(self._sample):
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(page.evaluate("1"), timeout=2)
            if failed.done():
                return
            res.html = await page.evaluate("() => document.documentElement.outerHTML")
            res.text = await page.evaluate("() => document.body ? document.body.innerText : ''")
            if action is not None:
                await action(page, res)
            if screenshot:
                res.png = await full_page_png(page, self.max_height)

        killed = self.killed
        job = asyncio.ensure_future(work())
        done, _ = await asyncio.wait({job, failed}, timeout=limit, return_when=asyncio.FIRST_COMPLETED)
        if job not in done:
            job.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(job, timeout=1)
            if not failed.done():
                fail("timeout", f"页面超过 {limit:g} 秒未完成")
        elif job.exception() is not None:
            e = job.exception()
            fail("crash" if "crash" in str(e).lower() or "closed" in str(e).lower() else "error",
                 f"{type(e).__name__}: {str(e).splitlines()[0][:300]}")
        if res.error_kind == "crash" and self.killed > killed:
            res.error_kind, res.error = "memory", f"页面渲染进程超出内存上限 {self.memory_mb} MB，已终止"
        if res.error_kind:
            res.html = res.html if res.error_kind in ("dialog_flood", "popup_flood") else None


async def _cancel(download) -> None:
    with contextlib.suppress(Exception):  # accept_downloads=False already refuses it; the context may be gone
        await download.cancel()


def _main_frame(req, page) -> bool:
    try:
        return req.frame == page.main_frame
    except Exception:  # noqa: BLE001 - a pop-up's first request has no frame yet: not this page's
        return False


async def full_page_png(page, max_height: int) -> bytes:
    """The whole page, cut at `max_height` CSS pixels (an endless page is evidence only at its top)."""
    height = await page.evaluate("() => Math.max(document.documentElement.scrollHeight, document.body ? "
                                 "document.body.scrollHeight : 0)")
    width = page.viewport_size["width"] if page.viewport_size else 1280
    if height and height > max_height:
        return await page.screenshot(full_page=True, clip={"x": 0, "y": 0, "width": width, "height": max_height})
    return await page.screenshot(full_page=True)
