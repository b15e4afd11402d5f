"""Turn page bytes into text. Government sites mix UTF-8, GB2312/GBK (often mislabelled) and the odd UTF-16 page."""
from __future__ import annotations

import codecs
import re

# GB2312 and GBK are subsets of GB18030; pages labelled gb2312 routinely contain GBK-only characters.
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "ascii": "utf-8",
    "us-ascii": "utf-8",
    "utf8": "utf-8",
    "unicode": "utf-16",
}

_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)


def _normalise(name: str | None) -> str | None:
    """Map a declared charset onto a Python codec we trust, or None if unknown."""
    if not name:
        return None
    n = name.strip().strip("\"'").lower()
    n = _ALIASES.get(n, n)
    try:
        n = codecs.lookup(n).name
    except LookupError:
        return None
    if n in ("gb2312", "gbk"):
        n = "gb18030"
    return n


def _try(data: bytes, enc: str) -> str | None:
    try:
        return data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used). Never raises: garbage falls back to UTF-8 with replacement."""
    if isinstance(data, str):  # tolerate callers that already decoded
        return data, "str"
    data = bytes(data or b"")
    # 1. Byte-order marks win over everything (a UTF-16 page often declares gb2312 in its meta).
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _strip_bom(data.decode("utf-16", errors="replace")), "utf-16"
    # BOM-less UTF-16: many NUL bytes in alternating positions.
    head = data[:2000]
    if len(head) >= 4 and head.count(b"\x00") > len(head) // 4:
        even = head[0::2].count(b"\x00")
        odd = head[1::2].count(b"\x00")
        enc = "utf-16-le" if odd > even else "utf-16-be"
        return data.decode(enc, errors="replace"), enc
    # 2. HTTP header charset.
    if content_type:
        m = _CT_CHARSET.search(content_type)
        enc = _normalise(m.group(1)) if m else None
        if enc:
            text = _try(data, enc)
            if text is not None:
                return _strip_bom(text), enc
    # 3. Strict UTF-8 (pure ASCII also lands here).
    text = _try(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    # Mostly-UTF-8 bytes with a few broken sequences (copies stored after a bad conversion) stay UTF-8.
    loose = data.decode("utf-8", errors="replace")
    bad = loose.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good = len(loose) - len(loose.encode("ascii", "ignore")) - loose.count("\ufffd")  # non-ASCII, not U+FFFD
    if good >= 50 and bad * 10 <= good:
        return loose, "utf-8"
    # 4. <meta charset> / http-equiv declared in the first few KB.
    m = _META_CHARSET.search(data[:8192])
    enc = _normalise(m.group(1).decode("ascii", "ignore")) if m else None
    if enc and enc != "utf-8":
        text = _try(data, enc)
        if text is not None:
            return text, enc
        # A declared Chinese charset with a few stray bytes is still the right reading.
        loose = data.decode(enc, errors="replace")
        if loose.count("\ufffd") <= max(2, len(loose) // 500):
            return loose, enc
    # 5. Statistical guess.
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None and best.encoding:
            enc = _normalise(best.encoding) or best.encoding
            text = _try(data, enc)
            if text is not None:
                return text, enc
    except Exception:  # noqa: BLE001 - a guesser failure must not stop a run
        pass
    # A declared Chinese charset with a few bad bytes is still the best reading.
    if enc:
        return data.decode(enc, errors="replace"), enc
    return data.decode("utf-8", errors="replace"), "utf-8"
