"""Routing a browser's requests through the fetch layer, so a browser pass (动态加载 pages rendered by
Chromium) obeys the same rules as the crawl: user agent, robots, politeness, address policy, TLS facts,
caps, deadline — and so what the browser saw can be archived like any fetch.

With Playwright:

    async with FetchClient(opts) as client:
        router = BrowserRouter(client, on_fetch=archive_it)
        await page.route("**/*", router.handle)
        await page.goto(url)

Every request the page makes (documents, scripts, XHR/fetch, images) is fetched by `client` and fulfilled
from its result; a request the fetch layer refuses (robots, an address outside the policy, a bomb, a
timeout) is aborted in the browser and recorded. Redirects are followed by the browser, hop by hop, so
each hop passes the address policy again.
"""
from __future__ import annotations

from typing import Any, Callable

from govcheck.collect.fetch import FetchClient, FetchResult

# response headers that describe the wire, not the decoded body handed to the browser
_DROP = {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}
_ABORT = {"address_refused": "addressunreachable", "robots": "blockedbyclient", "dns": "namenotresolved",
          "connect": "connectionrefused", "timeout": "timedout", "tls": "failed"}


class BrowserRouter:
    def __init__(self, client: FetchClient, *, robots: bool = True, max_body: int | None = None,
                 on_fetch: Callable[[FetchResult], Any] | None = None):
        self.client = client
        self.robots = robots
        self.max_body = max_body
        self.on_fetch = on_fetch
        self.results: list[FetchResult] = []

    async def fetch_for(self, url: str, method: str, headers: dict[str, str], body: bytes | None) -> FetchResult:
        """The fetch behind one browser request (no redirects followed here: the browser follows them)."""
        res = await self.client.fetch(url, method, purpose="browser", headers=headers, data=body, follow=False,
                                      robots=self.robots, max_body=self.max_body)
        self.results.append(res)
        if self.on_fetch is not None:
            self.on_fetch(res)
        return res

    async def handle(self, route, request=None) -> None:
        """A Playwright route handler (`page.route("**/*", router.handle)`)."""
        req = request or route.request
        if not req.url.startswith(("http://", "https://")):
            await route.continue_()  # data:, blob: — nothing leaves the machine
            return
        res = await self.fetch_for(req.url, req.method, dict(req.headers), req.post_data_buffer)
        if res.status is None or (res.error and not res.body):
            kind = res.error_kind or "error"
            await route.abort(_ABORT.get(kind, "failed"))
            return
        headers = {k: v for k, v in res.headers if k.lower() not in _DROP}
        await route.fulfill(status=res.status, headers=headers, body=res.body)
