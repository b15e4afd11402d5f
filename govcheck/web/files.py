"""Uploaded files (整改 attachments, inspectors' screenshots): checked, stored outside any web root, served as
downloads only.

A file is refused — never silently renamed — when its name carries a path (/, \\, ..), a control character, or
an extension not in console.toml [uploads.types]; when its first bytes are not what its extension says; or when
it is over the size limit. It is stored under a random name inside the round folder's console-files/, with its
SHA-256; the name the unit gave is only ever used in the download's Content-Disposition.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from typing import Any

from sqlalchemy import insert, select

from govcheck.store import now
from govcheck.web.db import web_files
from govcheck.web.rounds import ConsoleError, RoundHandle


class TooLarge(ConsoleError):
    status = 413


def clean_name(name: str | None) -> str:
    """The uploaded name as given, or a refusal: a name is a name, not a path."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise ConsoleError("附件缺少文件名")
    if "/" in name or "\\" in name or ".." in name or name.startswith(".") or ":" in name:
        raise ConsoleError(f"附件文件名不合法（不能含路径）：{name[:80]}")
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise ConsoleError(f"附件文件名不合法：{name[:80]!r}")
    if len(name.encode("utf-8")) > 200:
        raise ConsoleError("附件文件名过长（200 字节以内）")
    return name


def check_type(name: str, head: bytes, types: dict[str, Any]) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    spec = types.get(ext)
    if spec is None:
        raise ConsoleError(f"不接受该类型的附件：{name}（可接受：{'、'.join(sorted(types))}）")
    magic = spec.get("magic")
    if magic and not head.startswith(bytes.fromhex(magic)):
        raise ConsoleError(f"附件内容与扩展名不符：{name}")
    if not magic and b"\x00" in head:
        raise ConsoleError(f"附件内容与扩展名不符：{name}")
    return spec["type"]


def read_upload(upload, max_bytes: int) -> bytes:
    """The whole upload (a starlette UploadFile, already spooled), or TooLarge as soon as it passes the limit."""
    chunks, size = [], 0
    upload.file.seek(0)
    while True:
        chunk = upload.file.read(65536)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"附件超过大小限制（{max_bytes // 1048576} MB）：{upload.filename}")
        chunks.append(chunk)
    return b"".join(chunks)


def store_file(h: RoundHandle, *, name: str, data: bytes, content_type: str, unit: str | None, kind: str,
               ref: str, finding_id: str | None, by: str) -> dict[str, Any]:
    fid = secrets.token_hex(16)
    h.files_dir.mkdir(parents=True, exist_ok=True)
    stored = fid
    path = h.files_dir / stored
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    row = dict(id=fid, round_id=h.id, unit=unit, kind=kind, ref=str(ref), finding_id=finding_id, name=name,
               stored=stored, bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), content_type=content_type,
               by=by, at=now())
    with h.engine.begin() as c:
        c.execute(insert(web_files).values(**row))
    return row


def get_file(h: RoundHandle, file_id: str) -> dict[str, Any] | None:
    if not file_id or len(file_id) > 32 or not all(ch in "0123456789abcdef" for ch in file_id):
        return None
    with h.engine.connect() as c:
        r = c.execute(select(web_files).where(web_files.c.round_id == h.id, web_files.c.id == file_id)).mappings().first()
    return dict(r) if r else None


def files_for(h: RoundHandle, kind: str, refs: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    if not refs:
        return out
    with h.engine.connect() as c:
        for r in c.execute(select(web_files).where(web_files.c.round_id == h.id, web_files.c.kind == kind,
                                                   web_files.c.ref.in_([str(x) for x in refs]))
                           .order_by(web_files.c.at)).mappings():
            out.setdefault(r["ref"], []).append(dict(r))
    return out


def read_stored(h: RoundHandle, row: dict[str, Any]) -> bytes:
    path = (h.files_dir / row["stored"]).resolve()
    if h.files_dir.resolve() not in path.parents:
        raise ConsoleError("附件路径不合法")
    return path.read_bytes()
