"""Declared content type versus the bytes: a page that lies about itself is a recorded fetch error."""
from __future__ import annotations

_MAGIC = {
    b"%PDF": "PDF", b"\x89PNG": "PNG", b"GIF8": "GIF", b"\xff\xd8\xff": "JPEG", b"PK\x03\x04": "ZIP/Office",
    b"\xd0\xcf\x11\xe0": "Office", b"Rar!": "RAR", b"7z\xbc\xaf": "7z", b"\x1f\x8b": "gzip",
}
_HTML_START = (b"<!doctype html", b"<html", b"<head", b"<body")
_BINARY_TYPES = ("image/", "audio/", "video/", "application/pdf", "application/msword", "application/vnd.",
                 "application/zip", "application/x-rar", "application/octet-stream")


def mismatch(content_type: str | None, body: bytes) -> str | None:
    """Reason the body is not what the Content-Type says, or None."""
    if not body:
        return None
    ct = (content_type or "").split(";", 1)[0].strip().lower()
    head = body[:1024]
    if ct.startswith("text/") or ct in ("application/xhtml+xml", "application/json") or not ct:
        for magic, name in _MAGIC.items():
            if head.startswith(magic):
                return f"content_type_mismatch: 声明为{ct or '（未声明）'}，实际为{name}文件"
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") > len(head) // 4:
            return None  # UTF-16 text
        ctrl = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 12, 27))
        if ctrl > len(head) // 10:
            return f"content_type_mismatch: 声明为{ct or '（未声明）'}，内容含大量控制字节（{ctrl}/{len(head)}）"
    elif ct.startswith(_BINARY_TYPES) and ct != "application/octet-stream":
        if head.lstrip()[:20].lower().startswith(_HTML_START):
            return f"content_type_mismatch: 声明为{ct}，实际为HTML页面"
    return None


def is_html(content_type: str | None, body: bytes, html_types: tuple[str, ...]) -> bool:
    ct = (content_type or "").split(";", 1)[0].strip().lower()
    if ct:
        return ct in html_types
    return body[:1024].lstrip()[:20].lower().startswith(_HTML_START)
