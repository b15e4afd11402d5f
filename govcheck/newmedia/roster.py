"""Reading the accounts roster, registry (备案) exports and posts exports from CSV/XLSX.

Real exports differ in header wording and often carry a title row above the header, so headers are
matched through the synonym lists in data/headers.yaml and the header row is searched for in the first
rows. Every error names the file, row and column.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from govcheck import tables
from govcheck.model import Account
from govcheck.roster_errors import RosterError as _RosterError

DATA_DIR = Path(__file__).resolve().parent / "data"
HEADER_SEARCH_ROWS = 10


class RosterError(_RosterError):
    """Bad roster/registry/posts input; the message names file, row and column."""


@dataclass
class RegistryEntry:
    name: str
    platform: str  # canonical platform (微信, 微博, …) or the raw value when unknown
    system: str  # 备案系统: 全国 / 湖北省 / …
    unit: str = ""
    account_id: str | None = None
    status: str = ""  # 备案状态 as exported (正常/已关停/已注销)
    registered_on: str | None = None
    row: int | None = None  # source row, for evidence
    file: str | None = None
    sheet: str | None = None  # the XLSX sheet it was read from (None for CSV)


class AccountRoster(list):
    """A list of Account, plus what the roster said beyond the shared model."""

    def __init__(self, accounts=(), *, path: str = ""):
        super().__init__(accounts)
        self.path = path
        self.duplicates: list[str] = []  # messages naming rows that repeat an earlier account
        self.interaction: dict[tuple[str, str], bool] = {}  # (name, type) → has a working interaction function
        self.rows: dict[tuple[str, str], int] = {}  # (name, type) → roster row


@lru_cache(maxsize=None)
def header_spec() -> dict[str, Any]:
    return yaml.safe_load((DATA_DIR / "headers.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def platform_spec() -> dict[str, Any]:
    return yaml.safe_load((DATA_DIR / "platforms.yaml").read_text(encoding="utf-8"))


def canonical_platform(value: str) -> str:
    """The platform an account type or registry 平台 value belongs to (微信订阅号 → 微信)."""
    v = _key(value)
    for canon, names in platform_spec()["platforms"].items():
        if any(_key(n) == v for n in names):
            return canon
    for canon, names in platform_spec()["platforms"].items():  # 微信公众号（订阅号） and the like
        if any(_key(n) in v for n in names if len(_key(n)) >= 2):
            return canon
    return value.strip()


def _key(s: str) -> str:
    s = unicodedata.normalize("NFKC", str(s)).lower()
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"[*＊]$|\(必填\)$|\(选填\)$", "", s)
    return s


# ---------------------------------------------------------------- tables

def read_table(path: str | Path) -> list[list[str]]:
    """All rows of a roster, registry or posts export (govcheck.tables.read_table), as strings."""
    try:
        return tables.read_table(path)
    except tables.TableError as e:
        raise RosterError(str(e)) from None


def map_columns(rows: list[list[str]], kind: str, path: str | Path,
                required: list[str] | None = None) -> tuple[int, dict[str, int]]:
    """(header row index, field → column index); the header row is the one among the first rows that
    names the most fields. Fails naming the missing required columns."""
    spec = header_spec()[kind]
    required = spec["required"] if required is None else required
    fields: dict[str, list[str]] = spec["fields"]
    best: tuple[int, dict[str, int]] = (-1, {})
    for ri, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [_key(c) for c in row]
        found: dict[str, int] = {}
        for fname, names in fields.items():
            aliases = [_key(n) for n in names]
            for ci, k in enumerate(keys):
                if k and k in aliases and ci not in found.values():
                    found[fname] = ci
                    break
        if len(found) > len(best[1]):
            best = (ri, found)
    ri, found = best
    missing = [f for f in required if f not in found]
    if missing:
        names = "、".join(f"“{fields[m][0]}”" for m in missing)
        seen = "、".join(c for c in (rows[ri] if ri >= 0 else (rows[0] if rows else [])) if c) or "（空）"
        raise RosterError(f"{path}: 缺少必需列 {names}（表头：{seen}；可用别名见 govcheck/newmedia/data/headers.yaml）")
    return ri, found


def _get(row: list[str], col: dict[str, int], f: str) -> str:
    i = col.get(f)
    return row[i].strip() if i is not None and i < len(row) and row[i] is not None else ""


_col_letter = tables.col_letter


# ---------------------------------------------------------------- accounts

YES = {"是", "有", "y", "yes", "true", "1", "√"}
NO = {"否", "无", "n", "no", "false", "0", "×"}


def read_accounts(path: str | Path) -> AccountRoster:
    """The accounts roster. Duplicate (name, type) rows are kept once and listed in .duplicates."""
    rows = read_table(path)
    hi, col = map_columns(rows, "accounts", path)
    headers = rows[hi]
    roster = AccountRoster(path=str(path))
    first_row: dict[tuple[str, str], int] = {}
    first_id: dict[tuple[str, str], int] = {}
    for ri in range(hi + 1, len(rows)):
        row = rows[ri]
        if not any(c.strip() for c in row):
            continue
        rowno = ri + 1
        vals = {f: _get(row, col, f) for f in col}
        for f in header_spec()["accounts"]["required"]:
            if not vals.get(f):
                c = col[f]
                raise RosterError(f"{path}: 第{rowno}行 {_col_letter(c)}列（{headers[c]}）为空")
        key = (normalize_name(vals["name"]), _key(vals["type"]))
        if key in first_row:
            roster.duplicates.append(
                f"{path}: 第{rowno}行 账号“{vals['name']}”（{vals['type']}）与第{first_row[key]}行重复，已按一个账号计"
            )
            continue
        first_row[key] = rowno
        aid = vals.get("account_id", "")
        if aid:
            id_key = (canonical_platform(vals["type"]), normalize_name(aid))
            if id_key in first_id:
                roster.duplicates.append(
                    f"{path}: 第{rowno}行 账号ID“{aid}”与第{first_id[id_key]}行相同（名称不同），请核实是否同一账号")
            else:
                first_id[id_key] = rowno
        acc = Account(
            region=vals["region"], name=vals["name"], unit=vals["unit"], type=vals["type"],
            account_id=vals.get("account_id") or None, source=vals.get("source") or None,
        )
        roster.append(acc)
        roster.rows[(acc.name, acc.type)] = rowno
        inter = _key(vals.get("interaction", ""))
        if inter:
            if inter in YES:
                roster.interaction[(acc.name, acc.type)] = True
            elif inter in NO:
                roster.interaction[(acc.name, acc.type)] = False
            else:
                c = col["interaction"]
                raise RosterError(f"{path}: 第{rowno}行 {_col_letter(c)}列（{headers[c]}）应为 是/否，而非“{vals['interaction']}”")
    return roster


# ---------------------------------------------------------------- registry

def read_registry(path: str | Path, *, default_system: str | None = None) -> list[RegistryEntry]:
    """One registry export. 备案系统 may be a column or, for a one-system export, `default_system`."""
    rows = read_table(path)
    required = header_spec()["registry"]["required"]
    if default_system is not None:
        required = [f for f in required if f != "system"]
    hi, col = map_columns(rows, "registry", path, required)
    headers = rows[hi]
    sheet = first_sheet_name(path)
    out: list[RegistryEntry] = []
    for ri in range(hi + 1, len(rows)):
        row = rows[ri]
        if not any(c.strip() for c in row):
            continue
        rowno = ri + 1
        vals = {f: _get(row, col, f) for f in col}
        system = vals.get("system") or default_system or ""
        for f, v in (("name", vals.get("name")), ("platform", vals.get("platform")), ("system", system)):
            if not v:
                c = col.get(f)
                where = f"{_col_letter(c)}列（{headers[c]}）" if c is not None else f"列“{f}”"
                raise RosterError(f"{path}: 第{rowno}行 {where}为空")
        out.append(RegistryEntry(
            name=vals["name"], platform=canonical_platform(vals["platform"]), system=system,
            unit=vals.get("unit", ""), account_id=vals.get("account_id") or None,
            status=vals.get("status", ""), registered_on=vals.get("registered_on") or None,
            row=rowno, file=str(path), sheet=sheet,
        ))
    return out


def first_sheet_name(path: str | Path) -> str | None:
    """The sheet read_table reads from an XLSX (its first), for citing a row; None for other files."""
    if Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return wb.worksheets[0].title
        finally:
            wb.close()
    except Exception:  # noqa: BLE001 - read_table has already opened it; a name is a nicety
        return None


# ---------------------------------------------------------------- names

_QUOTES = "\"'“”‘’「」『』《》〈〉«»"


def normalize_name(name: str) -> str:
    """Width (NFKC), spaces and quotes folded, so "“咸宁 住建”" equals "咸宁住建"."""
    s = unicodedata.normalize("NFKC", name)
    s = re.sub(r"\s+", "", s)
    s = s.translate({ord(c): None for c in _QUOTES})
    return s.lower()


def edit_distance(a: str, b: str) -> int:
    if a == b:
        return 0
    if abs(len(a) - len(b)) > 2:
        return abs(len(a) - len(b))
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def normalize_unit(unit: str) -> str:
    return normalize_name(unit)
