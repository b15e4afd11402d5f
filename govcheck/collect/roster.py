"""Reading the sites roster (CSV/XLSX, Chinese headers); callers import it through govcheck.roster.

Errors name the file, the row (as a spreadsheet shows it) and the column, so a clerk can fix the sheet.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from govcheck.model import Site
from govcheck.roster_errors import RosterError as _RosterError
from govcheck.tables import TableError, located, read_table

# header -> field; English aliases accepted
HEADERS = {
    "区域": "region", "region": "region",
    "单位名称": "unit", "unit": "unit",
    "网站名称": "name", "name": "name", "site_name": "name",
    "首页网址": "url", "url": "url", "home": "url", "homepage": "url",
    "网站类型": "kind", "kind": "kind", "type": "kind",
    "对外服务": "public_service", "public_service": "public_service",
    "网站标识码": "site_id_code", "site_id_code": "site_id_code", "site_id": "site_id_code",
    "其他域名": "extra_hosts", "附加域名": "extra_hosts", "extra_hosts": "extra_hosts", "hosts": "extra_hosts",
}
REQUIRED = ["unit", "url"]
FIELD_LABEL = {"region": "区域", "unit": "单位名称", "name": "网站名称", "url": "首页网址", "kind": "网站类型",
               "public_service": "对外服务", "site_id_code": "网站标识码", "extra_hosts": "其他域名"}
YES = {"是", "yes", "y", "true", "1", "对外服务"}
NO = {"否", "no", "n", "false", "0"}


class RosterError(_RosterError):
    def __init__(self, path: Path | str, row: int | None, column: str | None, message: str):
        self.path, self.row, self.column = str(path), row, column
        super().__init__(located(path, row, column, message))


def _rows(path: Path) -> list[list[str]]:
    try:
        return read_table(path)
    except TableError as e:
        raise RosterError(e.path, e.row, e.column, e.message) from None


def _url_parts(url: str):
    """urlsplit, or None for what it cannot take apart (`http://[::1/`)."""
    try:
        parts = urlsplit(url)
        parts.hostname  # noqa: B018 - raises on a bad IPv6 literal
        return parts
    except ValueError:
        return None


def roster_rows(path: Path, headers: dict[str, str], required: list[str], labels: dict[str, str]):
    """(row number as a spreadsheet shows it, cell(field) -> stripped text) for each non-blank row of a roster
    whose header names its columns (`headers`: header -> field); RosterError for an empty file or a required
    column missing. One reader for every roster with Chinese headers (sites, subordinate bodies)."""
    rows = _rows(path)
    if not rows or not any(any(c for c in r) for r in rows):
        raise RosterError(path, None, None, "文件为空")
    cols: dict[str, int] = {}
    for i, h in enumerate(rows[0]):
        key = headers.get(h.strip().lower()) or headers.get(h.strip())
        if key and key not in cols:
            cols[key] = i
    for req in required:
        if req not in cols:
            raise RosterError(path, 1, labels[req], "缺少必填列")
    for rn, row in enumerate(rows[1:], start=2):
        if not any(c for c in row):
            continue

        def cell(k: str, row: list[str] = row) -> str:
            i = cols.get(k)
            return row[i].strip() if i is not None and i < len(row) else ""

        yield rn, cell


def roster_url(path: Path, rn: int, label: str, url: str) -> str:
    """A home-page style address from a roster cell: scheme added when missing, "/" when it has no path;
    RosterError naming the cell when it is not an http(s) address."""
    if "://" not in url:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)", url):
            raise RosterError(path, rn, label, f"不是有效的网址：{url}")
        url = "http://" + url
    parts = _url_parts(url)
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or \
            any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise RosterError(path, rn, label, f"不是有效的网址：{url}")
    return url if parts.path else url + "/"


def read_sites(path: str | Path) -> list[Site]:
    """Sites from a roster file; raises RosterError on the first bad cell."""
    path = Path(path)
    sites: list[Site] = []
    seen: dict[str, int] = {}
    for rn, cell in roster_rows(path, HEADERS, REQUIRED, FIELD_LABEL):
        unit, url = cell("unit"), cell("url")
        if not unit:
            raise RosterError(path, rn, "单位名称", "不能为空")
        if not url:
            raise RosterError(path, rn, "首页网址", "不能为空")
        url = roster_url(path, rn, "首页网址", url)
        if url in seen:
            raise RosterError(path, rn, "首页网址", f"与第{seen[url]}行重复：{url}")
        seen[url] = rn
        ps = cell("public_service").lower()
        if ps and ps not in YES and ps not in NO:
            raise RosterError(path, rn, "对外服务", f"应为“是”或“否”，实际为“{ps}”")
        kind = cell("kind") or "部门"
        extra = [h.strip().lower() for h in cell("extra_hosts").replace("；", ";").replace(",", ";").replace("，", ";").split(";") if h.strip()]
        hosts = []
        for h in extra:
            hp = _url_parts(h if "://" in h else "http://" + h)
            if hp is None or not hp.hostname:
                raise RosterError(path, rn, "其他域名", f"不是有效的域名：{h}")
            hosts.append(hp.netloc)
        extra = hosts
        sites.append(Site(region=cell("region"), unit=unit, name=cell("name") or unit, url=url, kind=kind,
                          public_service=ps not in NO, site_id_code=cell("site_id_code") or None,
                          extra_hosts=extra))
    if not sites:
        raise RosterError(path, None, None, "名单中没有网站（只有表头）")
    return sites
