"""The one way out to the network: every request the program sends goes through `FetchClient`.

Like Scrapy's engine with its downloader middlewares, the concerns live here once, not in each caller
(the crawl, the availability probes, the site-search test, the new-media feeds, external link checks, the
browser pass): one user agent; robots rules (Protego: wildcards and `$`); per-host delay and concurrency
and a global limit; an address policy applied to the addresses actually connected to, at every redirect
hop; TLS verification whose failure is recorded as a fact (and the page still read); body, decoded-size
and redirect limits and one total deadline per fetch (drips); gzip/deflate/brotli/zstd decoding with caps.

Never raises for a bad server: every failure ends as `FetchResult.error`, "kind: detail", where kind is
one of ERROR_KINDS (callers branch on the kind, people read the detail).
"""
from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver

from govcheck.collect.archive import Hop, utcnow
from govcheck.collect.config import CrawlOptions
from govcheck.collect.urls import host_of, normalize_abs

# kind → what it means. The first word of FetchResult.error is one of these.
ERROR_KINDS = {
    "dns": "域名无法解析",
    "connect": "无法建立连接（端口未开放、连接被拒绝或网络不通）",
    "tls": "TLS/HTTPS 握手失败（证书问题本身不算失败：见 TlsFact）",
    "timeout": "超时（单次请求超时或整个抓取超过总时限）",
    "address_refused": "目标地址为内网、本机、链路本地或云元数据等非公网地址，按地址策略拒绝访问",
    "robots": "robots.txt 不允许抓取",
    "bad_url": "网址无效（如端口号超出范围）",
    "reset": "连接被重置",
    "server_disconnected": "服务器中途断开连接",
    "bad_response": "响应不是有效的 HTTP",
    "bad_payload": "响应体传输出错",
    "body_too_large": "响应体超过上限",
    "decompressed_too_large": "解压后超过上限（压缩炸弹）",
    "bad_encoding": "内容解压失败",
    "unsupported_encoding": "不支持的内容编码",
    "bad_redirect": "重定向地址无效",
    "redirect_loop": "重定向循环",
    "too_many_redirects": "重定向次数超过上限",
    "error": "其他错误",
}
# kinds that say the server could not be reached at all (for availability verdicts)
UNREACHABLE_KINDS = frozenset({"dns", "connect", "tls", "timeout", "address_refused", "bad_url", "reset",
                               "server_disconnected"})
RETRY_ERRORS = {"timeout", "connect", "server_disconnected", "reset"}
_REDIRECTS = (301, 302, 303, 307, 308)


def error_kind(error: str | None) -> str | None:
    """The kind of a recorded fetch error ("dns: …" → "dns")."""
    return error.split(":", 1)[0] if error else None


# ------------------------------------------------------------------------------------------------ result
@dataclass
class TlsFact:
    """What a site's certificate looked like to us: verified or not, and why not. A fact for the inspector
    (an expired certificate is worth a finding), never a reason to stop reading the site."""

    origin: str  # https://host[:port]
    ok: bool
    problem: str | None = None  # expired / not_yet_valid / hostname_mismatch / self_signed / untrusted / revoked / handshake / invalid
    detail: str = ""
    subject: str | None = None
    issuer: str | None = None
    names: list[str] = field(default_factory=list)  # subjectAltName DNS names and addresses
    not_before: str | None = None  # ISO 8601, UTC
    not_after: str | None = None
    checked_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


@dataclass
class FetchResult:
    url: str
    method: str
    hops: list[Hop] = field(default_factory=list)
    final_url: str | None = None
    status: int | None = None
    reason: str = ""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)  # of the final response
    body: bytes = b""  # decoded payload (Content-Encoding undone)
    wire_bytes: int = 0
    sha256: str | None = None
    elapsed: float = 0.0
    attempts: int = 0
    error: str | None = None
    fetched_at: object = None
    tls: TlsFact | None = None  # the certificate fact of the final response's origin (https only)
    purpose: str = "page"

    @property
    def error_kind(self) -> str | None:
        return error_kind(self.error)

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


class _Capped(Exception):
    pass


# ------------------------------------------------------------------------------------------------ decoding
def _brotli(raw: bytes, cap: int) -> bytes:
    try:
        import brotli  # type: ignore
    except ImportError as e:  # pragma: no cover - a dependency in pyproject
        raise ValueError("unsupported_encoding: br") from e
    d = brotli.Decompressor()
    out: list[bytes] = []
    total = 0
    data = raw
    while True:
        part = d.process(data, output_buffer_limit=cap + 1 - total)
        data = b""
        total += len(part)
        out.append(part)
        if total > cap:
            raise _Capped(f"decompressed_too_large: 解压后超过 {cap} 字节")
        if d.is_finished() or d.can_accept_more_data():
            return b"".join(out)


def _zstd(raw: bytes, cap: int) -> bytes:
    try:
        from compression import zstd  # type: ignore  # Python 3.14+
    except ImportError:
        try:
            from backports import zstd  # type: ignore
        except ImportError as e:  # pragma: no cover - a dependency in pyproject
            raise ValueError("unsupported_encoding: zstd") from e
    out: list[bytes] = []
    total = 0
    data = raw
    while data:
        d = zstd.ZstdDecompressor()
        part = d.decompress(data, max_length=cap + 1 - total)
        total += len(part)
        out.append(part)
        if total > cap:
            raise _Capped(f"decompressed_too_large: 解压后超过 {cap} 字节")
        data = d.unused_data if d.eof else b""  # a body may hold several frames
    return b"".join(out)


def _inflate(raw: bytes, enc: str, cap: int) -> bytes:
    wbits = 47 if enc != "deflate" else zlib.MAX_WBITS
    try:
        d = zlib.decompressobj(wbits)
        out = d.decompress(raw, cap + 1)
    except zlib.error:
        if enc != "deflate":
            raise
        d = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send it
        out = d.decompress(raw, cap + 1)
    if len(out) > cap:
        raise _Capped(f"decompressed_too_large: 解压后超过 {cap} 字节")
    return out


def decode_content(raw: bytes, encoding: str | None, cap: int) -> bytes:
    """Undo Content-Encoding (gzip, deflate, br, zstd; several in order) without ever holding more than cap
    bytes of output (compression bombs)."""
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    for enc in reversed(codings):  # applied in the order listed, so undone from the last
        if enc == "identity":
            continue
        if enc in ("gzip", "x-gzip", "deflate"):
            raw = _inflate(raw, enc, cap)
        elif enc == "br":
            raw = _brotli(raw, cap)
        elif enc == "zstd":
            raw = _zstd(raw, cap)
        else:
            raise ValueError(f"unsupported_encoding: {enc}")
    return raw


ACCEPT_ENCODING = "gzip, deflate, br, zstd"
_ON_LOOP = 1_000_000  # bytes decoded or hashed on the event loop at most; more goes to a thread


# ------------------------------------------------------------------------------------------------ addresses
class AddressRefused(OSError):
    """Raised where a connection would be opened to an address the policy refuses."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _describe(ip: ipaddress._BaseAddress) -> str | None:
    """Why an address is not a public one (None: public)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _describe(ip.ipv4_mapped)
    if ip in _METADATA:
        return "云服务器元数据地址"
    if ip.is_loopback:
        return "本机回环地址"
    if ip.is_link_local:
        return "链路本地地址"
    if ip.is_unspecified:
        return "未指定地址"
    if ip.is_multicast:
        return "组播地址"
    if ip.is_private:
        return "内网（私有）地址"
    if ip.is_reserved or not ip.is_global:
        return "保留或非公网地址"
    return None


_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"),
             ipaddress.ip_address("100.100.100.200")}  # AWS/OpenStack/GCP/Azure; Aliyun


class AddressPolicy:
    """Which addresses a fetch may connect to: public ones, plus what the round's allow-list names.

    Allow-list entries: an address or network (`127.0.0.1`, `10.0.0.0/8`, `::1`), an address with a port
    (`127.0.0.1:8080`, `[::1]:8080`), a host name (`oa.example.gov.cn`, any address it resolves to) or a
    host name with a port. Checked after DNS resolution on the address a socket is about to connect to,
    for every connection (so every redirect hop and a search form's action too)."""

    def __init__(self, allow: Iterable[str] = ()):
        self.entries = [str(a).strip() for a in allow if str(a).strip()]
        self.nets: list[tuple[ipaddress._BaseNetwork, int | None]] = []
        self.names: list[tuple[str, int | None]] = []
        for e in self.entries:
            self._add(e)

    def _add(self, e: str) -> None:
        try:
            self.nets.append((ipaddress.ip_network(e, strict=False), None))
            return
        except ValueError:
            pass
        host, port = e, None
        if e.startswith("["):  # [v6]:port
            h, _, rest = e[1:].partition("]")
            host, port = h, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
        elif e.count(":") == 1:
            h, _, p = e.partition(":")
            if not p.isdigit():
                raise ValueError(f"允许访问的地址无效：{e!r}（应为 IP、网段、主机名或 主机:端口）")
            host, port = h, int(p)
        try:
            self.nets.append((ipaddress.ip_network(host, strict=False), port))
        except ValueError:
            if not host or any(c in host for c in "/ "):
                raise ValueError(f"允许访问的地址无效：{e!r}（应为 IP、网段、主机名或 主机:端口）") from None
            self.names.append((host.lower().rstrip("."), port))

    def name_allowed(self, host: str, port: int) -> bool:
        h = (host or "").lower().rstrip(".")
        return any(n == h and (p is None or p == port) for n, p in self.names)

    def refusal(self, ip: str, port: int) -> str | None:
        """None when the address may be connected to; else why not (Chinese, for the error detail)."""
        try:
            addr = ipaddress.ip_address(ip.split("%", 1)[0])
        except ValueError:
            return f"无法识别的地址 {ip}"
        why = _describe(addr)
        if why is None:
            return None
        check = addr.ipv4_mapped if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped else addr
        for net, p in self.nets:
            if check.version == net.version and check in net and (p is None or p == port):
                return None
        return f"{ip}:{port} 是{why}，不在本轮允许访问的地址之列"


class _PolicyResolver(AbstractResolver):
    """DNS through aiohttp's resolver, keeping only the addresses the policy allows."""

    def __init__(self, policy: AddressPolicy, granted: set[tuple[str, int]]):
        self.policy = policy
        self.granted = granted
        self.inner = aiohttp.ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):
        res = await self.inner.resolve(host, port, family)
        if self.policy.name_allowed(host, port):
            for r in res:
                self.granted.add((r["host"], r["port"]))
            return res
        kept, why = [], None
        for r in res:
            w = self.policy.refusal(r["host"], r["port"])
            if w is None:
                kept.append(r)
            else:
                why = why or w
        if not kept:
            raise AddressRefused(f"address_refused: {host} 解析为 {why}")
        return kept

    async def close(self) -> None:
        await self.inner.close()


# ------------------------------------------------------------------------------------------------ TLS
_TLS_PROBLEMS = {  # OpenSSL verify codes
    10: "expired", 9: "not_yet_valid", 62: "hostname_mismatch", 64: "hostname_mismatch",
    18: "self_signed", 19: "untrusted", 20: "untrusted", 21: "untrusted", 2: "untrusted", 27: "untrusted",
    23: "revoked",
}
TLS_PROBLEM_WORDS = {
    "expired": "证书已过期", "not_yet_valid": "证书尚未生效", "hostname_mismatch": "证书与域名不符",
    "self_signed": "自签名证书", "untrusted": "证书链不受信任（颁发机构未知或证书链不完整）",
    "revoked": "证书已吊销", "handshake": "TLS 握手失败（协议或加密套件过旧）", "invalid": "证书无效",
}


def _cert_info(der: bytes | None) -> dict[str, Any]:
    if not der:
        return {}
    try:
        from cryptography import x509
        from cryptography.x509.oid import NameOID

        c = x509.load_der_x509_certificate(der)

        def cn(name) -> str:
            v = name.get_attributes_for_oid(NameOID.COMMON_NAME)
            return str(v[0].value) if v else name.rfc4514_string()

        names: list[str] = []
        try:
            san = c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
            names += [str(a) for a in san.get_values_for_type(x509.IPAddress)]
        except x509.ExtensionNotFound:
            pass
        return {"subject": cn(c.subject), "issuer": cn(c.issuer), "names": names,
                "not_before": c.not_valid_before_utc.isoformat(), "not_after": c.not_valid_after_utc.isoformat()}
    except Exception:  # noqa: BLE001 - an unreadable certificate is still a fact; keep the rest
        return {}


def _peer_der(resp: aiohttp.ClientResponse) -> bytes | None:
    """The peer's certificate (DER) of the connection a response came on. A small response releases its
    connection at once, so the protocol's transport is asked too."""
    for holder in (getattr(resp, "connection", None), getattr(resp, "_protocol", None)):
        try:
            tr = getattr(holder, "transport", None)
            obj = tr.get_extra_info("ssl_object") if tr is not None else None
            if obj is not None:
                return obj.getpeercert(binary_form=True)
        except Exception:  # noqa: BLE001 - no certificate details; the fact keeps the rest
            continue
    return None


def _contexts(opts: CrawlOptions) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """The verifying context (system store, certifi, the round's CA bundle) and the lenient one used to read
    a site whose certificate failed (after the failure is recorded)."""
    strict = ssl.create_default_context()
    try:
        import certifi

        strict.load_verify_locations(certifi.where())
    except (ImportError, OSError, ssl.SSLError):
        pass
    if opts.ca_bundle:
        try:
            strict.load_verify_locations(opts.ca_bundle)
        except (OSError, ssl.SSLError) as e:
            raise ValueError(f"无法读取证书文件 {opts.ca_bundle}：{e}") from None
    lenient = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    lenient.check_hostname = False
    lenient.verify_mode = ssl.CERT_NONE
    try:  # old government servers still speak TLS 1.0 with old ciphers: read them, the fact says so
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            lenient.minimum_version = ssl.TLSVersion.TLSv1
        lenient.set_ciphers("DEFAULT:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        pass
    return strict, lenient


def check_ca_bundle(path: str) -> str:
    """The path of a readable PEM bundle of CA certificates, or ValueError with a message naming it."""
    from pathlib import Path

    p = Path(path)
    if not p.is_file():
        raise ValueError(f"证书文件不存在：{p}")
    try:
        ssl.create_default_context().load_verify_locations(str(p))
    except (OSError, ssl.SSLError, ValueError) as e:
        raise ValueError(f"证书文件 {p} 不是可用的 PEM 格式 CA 证书：{e}") from None
    return str(p)


def _origin(url: str) -> str:
    i = url.find("//") + 2
    j = url.find("/", i)
    return url if j < 0 else url[:j]


# ------------------------------------------------------------------------------------------------ errors
def _chain(e: BaseException):
    seen = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        yield e
        nxt = getattr(e, "os_error", None)
        e = nxt if isinstance(nxt, BaseException) and nxt is not e else (e.__cause__ or e.__context__)


def classify_exception(e: BaseException) -> str:
    """ "kind: detail" for an exception raised while fetching."""
    chain = list(_chain(e))
    text = " ".join(str(x) for x in chain)
    for x in chain:
        if isinstance(x, AddressRefused) or "address_refused:" in str(x):
            msg = str(x)
            msg = msg[msg.find("address_refused:") + len("address_refused:"):].strip() if "address_refused:" in msg else msg
            return f"address_refused: {msg[:300]}"
    if isinstance(e, asyncio.TimeoutError):
        return "timeout: 请求超时"
    detail = (str(e).strip() or type(e).__name__)[:200]
    if isinstance(e, (aiohttp.ClientConnectorCertificateError, aiohttp.ClientConnectorSSLError, ssl.SSLError)):
        return f"tls: {detail}"
    if isinstance(e, getattr(aiohttp, "ClientConnectorDNSError", ())) or any(isinstance(x, socket.gaierror)
                                                                             for x in chain):
        return f"dns: 域名无法解析（{detail}）"
    if isinstance(e, aiohttp.ClientConnectorError):
        return f"connect: 无法连接（{detail}）"
    if isinstance(e, aiohttp.ServerDisconnectedError):
        return f"server_disconnected: {detail}"
    if isinstance(e, (aiohttp.InvalidURL, getattr(aiohttp, "InvalidUrlClientError", aiohttp.InvalidURL))) or (
            isinstance(e, ValueError) and ("port" in text.lower() or "url" in text.lower())):
        return f"bad_url: 网址无效（{detail}）"
    if isinstance(e, (ConnectionResetError, aiohttp.ClientOSError)):
        return f"reset: {detail}"
    if isinstance(e, aiohttp.ClientPayloadError):
        return f"bad_payload: {detail}"
    if isinstance(e, aiohttp.ClientResponseError):
        return f"bad_response: {detail}"
    return f"error: {type(e).__name__}: {detail}"


# ------------------------------------------------------------------------------------------------ politeness
class _Host:
    __slots__ = ("sem", "lock", "next_at")

    def __init__(self, n: int):
        self.sem = asyncio.Semaphore(n)
        self.lock = asyncio.Lock()
        self.next_at = 0.0


class Politeness:
    """Per-host concurrency and minimum delay, and one global limit; shared by every site of a run (several
    units' sites often sit on one 信息公开 platform host)."""

    def __init__(self, per_host: int, min_delay: float, global_limit: int):
        self.per_host = max(1, int(per_host))
        self.min_delay = float(min_delay)
        self.global_sem = asyncio.Semaphore(max(1, int(global_limit)))
        self.hosts: dict[str, _Host] = {}

    @classmethod
    def from_options(cls, opts: CrawlOptions) -> "Politeness":
        return cls(opts.per_host_concurrency, opts.min_delay, opts.global_limit)

    @asynccontextmanager
    async def slot(self, host: str):
        hs = self.hosts.get(host)
        if hs is None:
            hs = self.hosts[host] = _Host(self.per_host)
        async with hs.sem:
            if self.min_delay > 0:
                async with hs.lock:
                    now = time.monotonic()
                    wait = hs.next_at - now
                    hs.next_at = max(now, hs.next_at) + self.min_delay
                if wait > 0:
                    await asyncio.sleep(wait)
            async with self.global_sem:
                yield


# ------------------------------------------------------------------------------------------------ the client
class FetchClient:
    """The fetch layer. Use as `async with FetchClient(opts) as client: res = await client.fetch(url)`.

    `purpose` names the caller in the record (page/asset/api/external/robots/search/feed/probe/browser).
    `robots`: True consults this client's robots rules (`client.robots`), a `Robots` consults that one,
    None/False none (the crawler checks first itself, to record a skip). Robots rules are checked at every
    redirect hop too."""

    def __init__(self, opts: CrawlOptions, *, politeness: Politeness | None = None):
        from govcheck.collect.robots import Robots

        self.opts = opts
        self.policy = AddressPolicy(opts.allow_addresses)
        self.politeness = politeness
        self.strict_ctx, self.lenient_ctx = _contexts(opts)
        self.tls: dict[str, TlsFact] = {}  # origin → the first verification's outcome
        self._granted: set[tuple[str, int]] = set()
        self.session: aiohttp.ClientSession | None = None
        self.robots = Robots(self, opts.robots_agent)

    # ---- lifecycle
    async def start(self) -> "FetchClient":
        if self.session is None:
            if self.politeness is None:
                self.politeness = Politeness.from_options(self.opts)
            conn = aiohttp.TCPConnector(limit=0, limit_per_host=0, ttl_dns_cache=300,
                                        ssl=self.strict_ctx if self.opts.verify_tls else False,
                                        resolver=_PolicyResolver(self.policy, self._granted),
                                        socket_factory=self._socket)
            self.session = aiohttp.ClientSession(connector=conn, auto_decompress=False,
                                                 cookie_jar=aiohttp.DummyCookieJar())
        return self

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def __aenter__(self) -> "FetchClient":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.close()

    def _socket(self, addr_info) -> socket.socket:
        """The last word on where a connection goes: the address about to be connected to (after DNS, IP
        literals included, every hop)."""
        family, type_, proto, _, sockaddr = addr_info
        ip, port = sockaddr[0], sockaddr[1]
        if (ip, port) not in self._granted:
            why = self.policy.refusal(ip, port)
            if why:
                raise AddressRefused(f"address_refused: {why}")
        return socket.socket(family=family, type=type_, proto=proto)

    # ---- the one entry point
    async def fetch(self, url: str, method: str = "GET", *, purpose: str = "page", max_body: int | None = None,
                    follow: bool = True, known: Callable[[str], bool] | None = None, robots: Any = None,
                    headers: dict[str, str] | None = None, data: bytes | None = None,
                    retries: int | None = None, deadline: float | None = None, polite: bool = True,
                    timeout: float | None = None) -> FetchResult:
        """One fetch with its evidence. `known(url)` -> True stops a redirect chain at a URL the crawl
        fetches anyway (no double fetch). `deadline`: seconds for the whole fetch, every hop and retry."""
        if self.session is None:
            await self.start()
        rb = self.robots if robots is True else (robots or None)
        if rb is not None and self.opts.obey_robots and not await rb.allowed(url):
            return FetchResult(url=url, method=method, final_url=url, fetched_at=utcnow(), purpose=purpose,
                               error="robots: robots.txt 不允许抓取该地址")
        if polite and self.politeness is not None:
            async with self.politeness.slot(host_of(url)):
                return await self._fetch(url, method, purpose, max_body, follow, known, rb, headers, data,
                                         retries, deadline, timeout)
        return await self._fetch(url, method, purpose, max_body, follow, known, rb, headers, data, retries,
                                 deadline, timeout)

    async def _fetch(self, url, method, purpose, max_body, follow, known, rb, headers, data, retries,
                     deadline, timeout) -> FetchResult:
        opts = self.opts
        cap = max_body if max_body is not None else opts.max_body_bytes
        res = FetchResult(url=url, method=method, fetched_at=utcnow(), purpose=purpose)
        t0 = time.monotonic()
        end = t0 + float(deadline if deadline is not None else opts.deadline)
        per_try = float(timeout if timeout is not None else opts.timeout)
        retries = opts.retries if retries is None else retries
        current = url
        seen = {url}
        for _hop in range(opts.max_redirects + 1):
            hop, raw, err = await self._attempts(res, current, method, cap, headers, data, retries, end, per_try)
            res.hops.append(hop)
            if err:
                res.error = err
                res.status = hop.status  # headers may have arrived before the body failed
                res.reason = hop.reason
                res.headers = hop.response_headers
                break
            loc = next((v for k, v in hop.response_headers if k.lower() == "location"), None)
            if follow and hop.status in _REDIRECTS and loc:
                nxt = normalize_abs(urljoin(current, loc.strip()))
                if nxt is None:
                    res.error = f"bad_redirect: {loc[:200]}"
                    break
                if nxt in seen:
                    res.error = f"redirect_loop: 重定向循环（{nxt}）"
                    break
                if known is not None and known(nxt):
                    res.status, res.reason, res.final_url = hop.status, hop.reason, nxt
                    res.headers = hop.response_headers
                    res.content_type = next((v for k, v in hop.response_headers
                                             if k.lower() == "content-type"), None)
                    break
                if rb is not None and self.opts.obey_robots and not await rb.allowed(nxt):
                    res.error = f"robots: robots.txt 不允许抓取重定向目标 {nxt[:200]}"
                    res.status, res.reason, res.final_url = hop.status, hop.reason, nxt
                    break
                seen.add(nxt)
                current = nxt
                if hop.status == 303 or (hop.status in (301, 302) and method == "POST"):
                    method, data = "GET", None
                continue
            res.status = hop.status
            res.reason = hop.reason
            res.final_url = current
            res.headers = hop.response_headers
            ctype = next((v for k, v in hop.response_headers if k.lower() == "content-type"), None)
            res.content_type = ctype
            res.wire_bytes = len(raw)
            enc = next((v for k, v in hop.response_headers if k.lower() == "content-encoding"), None)
            try:
                if raw and enc:
                    res.body = await self._decode(raw, enc, opts.max_decoded_bytes)
                else:
                    res.body = raw
            except _Capped as e:
                res.error = str(e)
            except (zlib.error, ValueError, OSError, EOFError, Exception) as e:  # noqa: BLE001 - hostile bytes
                msg = str(e)
                res.error = msg if msg.startswith("unsupported_encoding") else \
                    f"bad_encoding: 内容解压失败（{type(e).__name__}: {msg[:100]}）"
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
            if len(res.body) > _ON_LOOP:
                res.sha256 = await asyncio.to_thread(lambda b=res.body: hashlib.sha256(b).hexdigest())
            else:
                res.sha256 = hashlib.sha256(res.body).hexdigest()
        last = res.hops[-1].url if res.hops else url
        if last.startswith("https:"):
            res.tls = self.tls.get(_origin(last))
        return res

    @staticmethod
    async def _decode(raw: bytes, enc: str, cap: int) -> bytes:
        """Undo Content-Encoding; what could take long (a page decoding to megabytes, a bomb) runs in a
        thread, so the event loop, and every other fetch's timing, never waits for it."""
        if len(raw) <= _ON_LOOP and cap > _ON_LOOP:
            try:
                return decode_content(raw, enc, _ON_LOOP)
            except _Capped:
                pass  # larger than what is decoded in place: again, in a thread, with the real cap
        return await asyncio.to_thread(decode_content, raw, enc, cap)

    async def _attempts(self, res, url, method, cap, headers, data, retries, end, per_try):
        delay = self.opts.backoff
        while True:
            res.attempts += 1
            left = end - time.monotonic()
            if left <= 0:
                hop = Hop(url=url, method=method, request_headers=[], at=utcnow())
                return hop, b"", f"timeout: 超过单次抓取总时限 {self.opts.deadline:g} 秒"
            hop, raw, err = await self._once(url, method, cap, headers, data, min(per_try, left))
            retry = (err and error_kind(err) in RETRY_ERRORS) or (hop.status is not None and hop.status >= 500)
            if retry and res.attempts <= retries and end - time.monotonic() > delay:
                await asyncio.sleep(delay)
                delay *= 2
                continue
            return hop, raw, err

    async def _once(self, url, method, cap, headers, data, timeout):
        https = url.startswith("https:")
        origin = _origin(url)
        fact = self.tls.get(origin) if https else None
        lenient = bool(https and fact is not None and not fact.ok)
        hop, raw, err, der, exc = await self._exchange(url, method, cap, headers, data, timeout, lenient)
        if https and fact is None and self.opts.verify_tls:
            if err and err.startswith("tls:") and hop.status is None:
                fact = self._tls_failure(origin, exc)
                self.tls.setdefault(origin, fact)
                if self.opts.read_on_tls_failure:
                    # the problem is recorded; read the site anyway, as a visitor clicking through would
                    hop, raw, err, der, _ = await self._exchange(url, method, cap, headers, data, timeout, True)
                    if der:
                        self._fill_cert(self.tls[origin], der)
            elif hop.status is not None:
                ok = TlsFact(origin=origin, ok=True, detail="证书验证通过", checked_at=utcnow().isoformat())
                self._fill_cert(ok, der)
                self.tls.setdefault(origin, ok)
        return hop, raw, err

    def _tls_failure(self, origin: str, e: BaseException | None) -> TlsFact:
        code, msg = None, str(e or "")
        for x in _chain(e) if e is not None else []:
            x = getattr(x, "certificate_error", None) or x  # aiohttp wraps the ssl error
            if getattr(x, "verify_code", None) is not None:
                code, msg = x.verify_code, getattr(x, "verify_message", None) or str(x)
                break
        problem = _TLS_PROBLEMS.get(code, "invalid") if code is not None else "handshake"
        return TlsFact(origin=origin, ok=False, problem=problem,
                       detail=f"{TLS_PROBLEM_WORDS[problem]}：{msg}"[:300], checked_at=utcnow().isoformat())

    @staticmethod
    def _fill_cert(fact: TlsFact, der: bytes | None) -> None:
        for k, v in _cert_info(der).items():
            setattr(fact, k, v)

    async def _exchange(self, url, method, cap, headers, data, timeout, lenient):
        assert self.session is not None
        # our user agent and our decoders always; a caller (the browser pass) may add the rest
        base = {"User-Agent": self.opts.user_agent, "Accept-Encoding": ACCEPT_ENCODING, "Accept": "*/*"}
        extra = []
        for k, v in (headers or {}).items():
            lk = k.lower()
            if lk == "accept":
                base["Accept"] = v
            elif lk not in ("user-agent", "accept-encoding", "host", "content-length", "connection",
                            "transfer-encoding"):
                extra.append((k, v))
        req_headers = list(base.items()) + extra
        hop = Hop(url=url, method=method, request_headers=req_headers, at=utcnow())
        chunks: list[bytes] = []
        size = 0
        der = None
        kw: dict[str, Any] = {}
        if lenient:
            kw["ssl"] = self.lenient_ctx
        elif not self.opts.verify_tls:
            kw["ssl"] = False
        try:
            async with self.session.request(method, url, allow_redirects=False, headers=req_headers, data=data,
                                            timeout=aiohttp.ClientTimeout(total=timeout,
                                                                          sock_connect=self.opts.connect_timeout),
                                            **kw) as resp:
                hop.status = resp.status
                hop.reason = resp.reason or ""
                hop.version = f"HTTP/{resp.version.major}.{resp.version.minor}" if resp.version else "HTTP/1.1"
                hop.response_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.raw_headers]
                fact = self.tls.get(_origin(url)) if url.startswith("https:") else None
                if url.startswith("https:") and (fact is None or fact.not_after is None):
                    der = _peer_der(resp)
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
                        kind = error_kind(classify_exception(e))
                        return hop, hop.body, f"{kind}: 读取响应体时中断（已收到 {size} 字节）", der, e
        except (asyncio.TimeoutError, aiohttp.ClientError, ConnectionError, OSError, ValueError, ssl.SSLError) as e:
            hop.body = b"".join(chunks)
            return hop, hop.body, classify_exception(e), der, e
        hop.body = b"".join(chunks)
        return hop, hop.body, None, der, None


# ------------------------------------------------------------------------------------------------ sync entry
class SyncFetchClient:
    """The same fetch layer for synchronous callers (the search test, a feed loaded alone): a private event
    loop in a thread; `fetch()` blocks until the result. Safe to call from several threads."""

    def __init__(self, opts: CrawlOptions):
        self.opts = opts
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fetch-client", daemon=True)
        self._thread.start()
        self.client = FetchClient(opts)
        self._call(self.client.start())

    def _call(self, coro: Awaitable):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def fetch(self, url: str, method: str = "GET", **kw: Any) -> FetchResult:
        return self._call(self.client.fetch(url, method, **kw))

    @property
    def tls(self) -> dict[str, TlsFact]:
        return self.client.tls

    def close(self) -> None:
        if self._loop.is_closed():
            return
        try:
            self._call(self.client.close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()

    def __enter__(self) -> "SyncFetchClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def fetch_options(allow: Iterable[str] | None = None, **overrides: Any) -> CrawlOptions:
    """CrawlOptions for a caller outside the crawl (search test, feeds, probes) with an allow-list."""
    if allow is not None:
        overrides["allow_addresses"] = list(allow)
    return CrawlOptions.defaults(**overrides)
