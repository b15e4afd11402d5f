"""One fetch with evidence: redirects followed hop by hop, size and decompression caps, retries.

Never raises for a bad server; every failure ends as `FetchResult.error` ("kind: detail").
"""
from __future__ import annotations

import asyncio
import hashlib
import socket
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin

import aiohttp

from govcheck.collect.archive import Hop, utcnow
from govcheck.collect.config import CrawlOptions
from govcheck.collect.urls import normalize_abs


@dataclass
class FetchResult:
    url: str
    method: str
    hops: list[Hop] = field(default_factory=list)
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    body: bytes = b""  # decoded payload (Content-Encoding undone)
    wire_bytes: int = 0
    sha256: str | None = None
    elapsed: float = 0.0
    attempts: int = 0
    error: str | None = None
    fetched_at: object = None


class _Capped(Exception):
    pass


def decode_content(raw: bytes, encoding: str | None, cap: int) -> bytes:
    """Undo gzip/deflate without ever holding more than cap bytes (gzip bombs)."""
    enc = (encoding or "").strip().lower()
    if not enc or enc == "identity":
        return raw
    if enc in ("gzip", "x-gzip", "deflate"):
        wbits = 47 if enc != "deflate" else zlib.MAX_WBITS
        try:
            d = zlib.decompressobj(wbits)
            out = d.decompress(raw, cap + 1)
        except zlib.error:
            if enc != "deflate":
                raise
            d = zlib.decompressobj(-zlib.MAX_WBITS)
            out = d.decompress(raw, cap + 1)
        if len(out) > cap:
            raise _Capped(f"decompressed_too_large: 解压后超过 {cap} 字节")
        return out
    if enc == "br":
        try:
            import brotli  # type: ignore
        except ImportError as e:
            raise ValueError("unsupported_encoding: br") from e
        out = brotli.decompress(raw)
        if len(out) > cap:
            raise _Capped(f"decompressed_too_large: 解压后超过 {cap} 字节")
        return out
    raise ValueError(f"unsupported_encoding: {enc}")


def _error_kind(e: BaseException) -> str:
    if isinstance(e, asyncio.TimeoutError):
        return "timeout"
    if isinstance(e, aiohttp.ClientConnectorDNSError if hasattr(aiohttp, "ClientConnectorDNSError") else ()):
        return "dns"
    if isinstance(e, aiohttp.ClientConnectorError):
        os_err = getattr(e, "os_error", None)
        if isinstance(os_err, socket.gaierror):
            return "dns"
        return "connect"
    if isinstance(e, aiohttp.ServerDisconnectedError):
        return "server_disconnected"
    if isinstance(e, (ConnectionResetError, aiohttp.ClientOSError)):
        return "reset"
    if isinstance(e, aiohttp.ClientPayloadError):
        return "bad_payload"
    if isinstance(e, aiohttp.ClientResponseError):
        return "bad_response"
    return "error"


RETRY_ERRORS = {"timeout", "connect", "server_disconnected", "reset"}


class Fetcher:
    def __init__(self, session: aiohttp.ClientSession, opts: CrawlOptions):
        self.session = session
        self.opts = opts
        self.timeout = aiohttp.ClientTimeout(total=opts.timeout, sock_connect=opts.connect_timeout)

    async def fetch(self, url: str, method: str = "GET", max_body: int | None = None,
                    follow: bool = True, known=None) -> FetchResult:
        """known(url) -> True stops a redirect chain at a URL the crawl fetches anyway (no double fetch)."""
        opts = self.opts
        cap = max_body if max_body is not None else opts.max_body_bytes
        res = FetchResult(url=url, method=method, fetched_at=utcnow())
        t0 = time.monotonic()
        current = url
        seen = {url}
        for _hop in range(opts.max_redirects + 1):
            hop, raw, err = await self._attempts(res, current, method, cap)
            res.hops.append(hop)
            if err:
                res.error = err
                res.status = hop.status  # headers may have arrived before the body failed
                break
            loc = next((v for k, v in hop.response_headers if k.lower() == "location"), None)
            if follow and hop.status in (301, 302, 303, 307, 308) and loc:
                nxt = normalize_abs(urljoin(current, loc.strip()))
                if nxt is None:
                    res.error = f"bad_redirect: {loc[:200]}"
                    break
                if nxt in seen:
                    res.error = f"redirect_loop: 重定向循环（{nxt}）"
                    break
                if known is not None and known(nxt):
                    res.status, res.final_url = hop.status, nxt
                    res.content_type = next((v for k, v in hop.response_headers
                                             if k.lower() == "content-type"), None)
                    break
                seen.add(nxt)
                current = nxt
                if hop.status == 303:
                    method = "GET"
                continue
            res.status = hop.status
            res.final_url = current
            ctype = next((v for k, v in hop.response_headers if k.lower() == "content-type"), None)
            res.content_type = ctype
            res.wire_bytes = len(raw)
            enc = next((v for k, v in hop.response_headers if k.lower() == "content-encoding"), None)
            try:
                res.body = decode_content(raw, enc, opts.max_decoded_bytes) if raw else b""
            except _Capped as e:
                res.error = str(e)
            except (zlib.error, ValueError, OSError) as e:
                msg = str(e)
                res.error = msg if msg.startswith("unsupported_encoding") else f"bad_encoding: 内容解压失败（{msg[:100]}）"
            if hop.truncated and not res.error:
                res.error = f"body_too_large: 响应超过 {cap} 字节"
            break
        else:
            res.error = f"too_many_redirects: 重定向超过 {opts.max_redirects} 次"
            res.final_url = current
        if res.final_url is None:
            res.final_url = current
        res.elapsed = time.monotonic() - t0
        if res.body and not res.error:
            res.sha256 = hashlib.sha256(res.body).hexdigest()
        return res

    async def _attempts(self, res: FetchResult, url: str, method: str, cap: int) -> tuple[Hop, bytes, str | None]:
        opts = self.opts
        delay = opts.backoff
        while True:
            res.attempts += 1
            hop, raw, err = await self._once(url, method, cap)
            retry = (err and err.split(":", 1)[0] in RETRY_ERRORS) or (hop.status is not None and hop.status >= 500)
            if retry and res.attempts <= opts.retries:
                await asyncio.sleep(delay)
                delay *= 2
                continue
            return hop, raw, err

    async def _once(self, url: str, method: str, cap: int) -> tuple[Hop, bytes, str | None]:
        req_headers = [("User-Agent", self.opts.user_agent), ("Accept-Encoding", "gzip, deflate"),
                       ("Accept", "*/*")]
        hop = Hop(url=url, method=method, request_headers=req_headers, at=utcnow())
        chunks: list[bytes] = []
        size = 0
        try:
            async with self.session.request(method, url, allow_redirects=False, headers=dict(req_headers),
                                            timeout=self.timeout) as resp:
                hop.status = resp.status
                hop.reason = resp.reason or ""
                hop.version = f"HTTP/{resp.version.major}.{resp.version.minor}" if resp.version else "HTTP/1.1"
                hop.response_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.raw_headers]
                try:
                    hop.request_headers = [(k, v) for k, v in resp.request_info.headers.items()]
                except Exception:  # noqa: BLE001 - keep what we sent
                    pass
                if method != "HEAD":
                    try:
                        async for chunk in resp.content.iter_chunked(65536):
                            size += len(chunk)
                            if size > cap:
                                keep = cap - (size - len(chunk))
                                chunks.append(chunk[:keep])
                                hop.truncated = "length"
                                break
                            chunks.append(chunk)
                    except (asyncio.TimeoutError, aiohttp.ClientError, ConnectionError) as e:
                        hop.truncated = "time" if isinstance(e, asyncio.TimeoutError) else "disconnect"
                        hop.body = b"".join(chunks)
                        return hop, hop.body, f"{_error_kind(e)}: 读取响应体时中断（已收到 {size} 字节）"
        except (asyncio.TimeoutError, aiohttp.ClientError, ConnectionError, OSError, ValueError) as e:
            hop.body = b"".join(chunks)
            detail = str(e).strip()[:200] or type(e).__name__
            return hop, hop.body, f"{_error_kind(e)}: {detail}"
        hop.body = b"".join(chunks)
        return hop, hop.body, None
