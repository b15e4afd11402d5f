"""Reading the sites roster (CSV/XLSX, Chinese headers); callers import it through govcheck.roster.

Errors name the file, the row (as a spreadsheet shows it) and the column, so a clerk can fix the sheet.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import urlsplit

from govcheck.model import Site
from govcheck.roster_errors import RosterError as _RosterError

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
        where = f"{path}"
        if row is not None:
            where += f" 第{row}行"
        if column:
            where += f" 列“{column}”"
        super().__init__(f"{where}：{message}")


def _rows(path: Path) -> list[list[str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises many kinds
            raise RosterError(path, None, None, f"无法打开表格：{e}") from e
        ws = wb.worksheets[0]
        out = [["" if c is None else str(c).strip() for c in r] for r in ws.iter_rows(values_only=True)]
        wb.close()
        return out
    try:
        data = path.read_bytes()
    except OSError as e:
        raise RosterError(path, None, None, f"无法读取文件：{e}") from e
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(path, None, None, "文件编码无法识别（应为 UTF-8 或 GBK）")
    return [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]


def read_sites(path: str | Path) -> list[Site]:
    """Sites from a roster file; raises RosterError on the first bad cell."""
    path = Path(path)
    rows = _rows(path)
    if not rows:
        raise RosterError(path, None, None, "文件为空")
    header = rows[0]
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        key = HEADERS.get(h.strip().lower()) or HEADERS.get(h.strip())
        if key and key not in cols:
            cols[key] = i
    for req in REQUIRED:
        if req not in cols:
            raise RosterError(path, 1, FIELD_LABEL[req], "缺少必填列")
    sites: list[Site] = []
    seen: dict[str, int] = {}
    for rn, row in enumerate(rows[1:], start=2):
        if not any(c for c in row):
            continue

        def cell(k: str) -> str:
            i = cols.get(k)
            return row[i].strip() if i is not None and i < len(row) else ""

        unit, url = cell("unit"), cell("url")
        if not unit:
            raise RosterError(path, rn, "单位名称", "不能为空")
        if not url:
            raise RosterError(path, rn, "首页网址", "不能为空")
        if "://" not in url:
            if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)", url):
                raise RosterError(path, rn, "首页网址", f"不是有效的网址：{url}")
            url = "http://" + url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RosterError(path, rn, "首页网址", f"不是有效的网址：{url}")
        if not parts.path:
            url = url + "/"
        if url in seen:
            raise RosterError(path, rn, "首页网址", f"与第{seen[url]}行重复：{url}")
        seen[url] = rn
        ps = cell("public_service").lower()
        if ps and ps not in YES and ps not in NO:
            raise RosterError(path, rn, "对外服务", f"应为“是”或“否”，实际为“{ps}”")
        kind = cell("kind") or "部门"
        extra = [h.strip().lower() for h in cell("extra_hosts").replace("；", ";").replace(",", ";").replace("，", ";").split(";") if h.strip()]
        extra = [urlsplit(h if "://" in h else "http://" + h).netloc for h in extra]
        sites.append(Site(region=cell("region"), unit=unit, name=cell("name") or unit, url=url, kind=kind,
                          public_service=ps not in NO, site_id_code=cell("site_id_code") or None,
                          extra_hosts=extra))
    return sites
