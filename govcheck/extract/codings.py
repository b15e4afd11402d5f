"""Content codings (gzip, deflate, br, zstd) undone with a cap on the output, so a compression bomb costs
nothing. The fetch layer decodes responses with it, and the readers of archived records (brotli and zstd
records warcio cannot undo) use the same function, so an archived page reads back as it was judged."""
from __future__ import annotations

import zlib
from functools import lru_cache
from pathlib import Path

LIMITS_FILE = Path(__file__).resolve().parent / "data" / "limits.yaml"


@lru_cache(maxsize=None)
def limits() -> dict[str, int]:
    """What reading one saved page may cost (data/limits.yaml; the crawl's caps, kept equal by a test)."""
    import yaml

    return {k: int(v) for k, v in yaml.safe_load(LIMITS_FILE.read_text(encoding="utf-8")).items()}


class _Capped(Exception):
    pass


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
