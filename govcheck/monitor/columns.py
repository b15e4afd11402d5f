"""Key columns (重点栏目) for the availability monitor: column pages probed beside each site's home page.

An office names the columns that matter (政策文件, 通知公告 …) in a table; each is probed on its site's interval and
recorded as a target of role "column", so an outage of a key column shows in the early warnings while V2 is
judged on the home page alone, as the national table says. Header names and messages: data/columns.toml.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from govcheck.model import Site
from govcheck.tables import TableError, read_table

DATA_FILE = Path(__file__).resolve().parent / "data" / "columns.toml"


@lru_cache(maxsize=None)
def data() -> dict[str, Any]:
    with DATA_FILE.open("rb") as f:
        return tomllib.load(f)


@dataclass(frozen=True)
class KeyColumn:
    site: Site  # the roster site it belongs to
    url: str
    name: str


def _norm_home(url: str) -> str:
    p = urlsplit(url.strip())
    return f"{p.netloc.lower()}{p.path.rstrip('/') or ''}"


def read_key_columns(path: str | Path, sites: list[Site]) -> list[KeyColumn]:
    """The key columns of a table (CSV/XLSX); a bad row raises TableError naming the file, row and column."""
    path = Path(path)
    words = data()["wording"]
    rows = read_table(path)
    if not rows:
        raise TableError(path, None, None, "文件为空")
    header = [h.strip() for h in rows[0]]
    cols: dict[str, int] = {}
    for key, names in data()["headers"].items():
        for i, h in enumerate(header):
            if h in names and key not in cols:
                cols[key] = i
    if "column_url" not in cols:
        raise TableError(path, 1, data()["headers"]["column_url"][0], words["no_url_column"])
    site_keys = [k for k in ("site_url", "site_name", "unit") if k in cols]
    if not site_keys:
        raise TableError(path, 1, None, words["no_site_column"])
    index: dict[str, dict[str, list[Site]]] = {"site_url": {}, "site_name": {}, "unit": {}}
    for s in sites:
        index["site_url"].setdefault(_norm_home(s.url), []).append(s)
        index["site_name"].setdefault(s.name.strip(), []).append(s)
        index["unit"].setdefault(s.unit.strip(), []).append(s)
    out: list[KeyColumn] = []
    seen: set[str] = set()
    for rn, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue

        def cell(k: str) -> str:
            i = cols.get(k)
            return row[i].strip() if i is not None and i < len(row) else ""

        label = header[cols["column_url"]]
        url = cell("column_url")
        if not url:
            raise TableError(path, rn, label, words["empty_url"])
        p = urlsplit(url)
        if p.scheme not in ("http", "https") or not p.netloc:
            raise TableError(path, rn, label, words["bad_url"].format(value=url))
        site = None
        for k in site_keys:
            value = cell(k)
            if not value:
                continue
            found = index[k].get(_norm_home(value) if k == "site_url" else value, [])
            if len(found) > 1:
                raise TableError(path, rn, header[cols[k]], words["ambiguous"].format(n=len(found), value=value))
            if not found:
                raise TableError(path, rn, header[cols[k]], words["no_site"].format(value=value))
            site = found[0]
            break
        if site is None:
            raise TableError(path, rn, header[cols[site_keys[0]]], words["empty_url"])
        if url in seen or url == site.url:
            continue  # listed twice, or the home page itself (probed anyway)
        seen.add(url)
        out.append(KeyColumn(site=site, url=url, name=cell("column_name") or p.path or url))
    return out
