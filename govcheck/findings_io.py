"""Reading findings files (the contract's findings.json, or an XLSX with the same columns).

This is how manual findings (模拟咨询, 负面舆情, 注册登录 …) enter a round. The whole file is checked
before anything is stored: one bad cell and nothing is imported, and the message names file, row, column.
"""
from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

from govcheck.model import Account, Evidence, Finding, Site
from govcheck.rules import RuleSet
from govcheck.tables import XLSX_SUFFIXES, TableError, located, read_table, read_text

# column → field; Chinese headers for the XLSX form, the contract's keys for both
COLUMNS = {
    "单位名称": "unit", "unit": "unit",
    "检查对象": "target", "target": "target",
    "对象类型": "target_type", "target_type": "target_type",
    "新媒体类型": "account_type", "account_type": "account_type",
    "规则编码": "code", "code": "code",
    "问题描述": "text", "text": "text",
    "扣分": "points", "points": "points",
    "一票否决": "veto", "veto": "veto",
    "栏目路径": "path", "path": "path",
    "网址": "url", "url": "url",
    "标题": "title", "title": "title",
    "日期": "date", "date": "date",
    "说明": "note", "note": "note",
    "复核状态": "review", "review": "review",
    "来源": "source", "source": "source",
}
REQUIRED = ["unit", "target", "target_type", "code"]
LABEL = {"unit": "单位名称", "target": "检查对象", "target_type": "对象类型", "code": "规则编码", "points": "扣分",
         "veto": "一票否决", "review": "复核状态", "source": "来源", "date": "日期", "evidence": "evidence",
         "path": "栏目路径", "url": "网址", "title": "标题", "note": "说明"}
TARGET_TYPES = {"site": "site", "网站": "site", "account": "account", "新媒体": "account", "政务新媒体": "account"}
REVIEWS = {"pending": "pending", "待复核": "pending", "confirmed": "confirmed", "已确认": "confirmed",
           "dismissed": "dismissed", "已撤销": "dismissed"}
TRUE = {True, "true", "是", "1", 1, "yes"}
FALSE = {False, "false", "否", "0", 0, "no", "", None}


class FindingsFileError(ValueError):
    pass


MAX_FILE_BYTES = 50_000_000
MAX_DEPTH = 20  # a finding is an object of arrays of objects: 4 levels deep; a file nested deeper is not one
EVIDENCE_TEXT = ("path", "url", "title", "date", "note", "fetched_at")


def _err(path: Path, row: int, column: str, msg: str) -> FindingsFileError:
    return FindingsFileError(located(path, row, column, msg))


def _depth(x: Any, limit: int) -> int:
    """Nesting depth of a JSON value, stopping at `limit` (no recursion: a hostile file may be deep)."""
    stack, deepest = [(x, 1)], 0
    while stack:
        v, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > limit:
            return deepest
        if isinstance(v, dict):
            stack.extend((c, d + 1) for c in v.values())
        elif isinstance(v, list):
            stack.extend((c, d + 1) for c in v)
    return deepest


def _records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(row number as a person sees it, record) pairs."""
    if not path.exists():
        raise FindingsFileError(f"{path}：文件不存在")
    if not path.is_file():
        raise FindingsFileError(f"{path}：不是文件")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(read_text(path, MAX_FILE_BYTES))
        except TableError as e:
            raise FindingsFileError(str(e)) from None
        except json.JSONDecodeError as e:
            raise FindingsFileError(f"{path}：JSON 格式错误：第{e.lineno}行第{e.colno}列：{e.msg}") from None
        except RecursionError:
            raise FindingsFileError(f"{path}：JSON 嵌套层数过多") from None
        if not isinstance(data, list):
            raise FindingsFileError(f"{path}：应为问题对象的数组")
        out = []
        for i, rec in enumerate(data, start=1):
            if not isinstance(rec, dict):
                raise FindingsFileError(f"{path} 第{i}条：应为对象，实为 {_show(rec)}")
            if _depth(rec, MAX_DEPTH) > MAX_DEPTH:
                raise FindingsFileError(f"{path} 第{i}条：嵌套层数过多")
            out.append((i, {COLUMNS.get(k, k): v for k, v in rec.items()}))
        return out
    if path.suffix.lower() in XLSX_SUFFIXES:
        try:
            rows = read_table(path)
        except TableError as e:
            raise FindingsFileError(str(e)) from None
        if not rows:
            raise FindingsFileError(f"{path}：表格为空")
        header = rows[0]
        fields = [COLUMNS.get(h) for h in header]
        missing = [LABEL[f] for f in REQUIRED if f not in fields]
        if missing:
            raise FindingsFileError(f"{path} 第1行：缺少列 {'、'.join(missing)}")
        out = []
        for i, r in enumerate(rows[1:], start=2):
            if not any(r):
                continue
            rec: dict[str, Any] = {}
            ev: dict[str, Any] = {}
            for f, v in zip(fields, r):
                if f is None or v == "":
                    continue
                if f in ("path", "url", "title", "date", "note"):
                    ev[f] = v
                else:
                    rec[f] = v
            if ev:
                rec["evidence"] = [ev]
            out.append((i, rec))
        return out
    raise FindingsFileError(f"{path}：不支持的文件类型（应为 .json 或 .xlsx）")


def _show(v: Any) -> str:
    r = json.dumps(v, ensure_ascii=False, default=str) if not isinstance(v, str) else v
    return r if len(r) <= 60 else r[:57] + "…"


def _text(path: Path, row: int, label: str, v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise _err(path, row, label, f"应为文本，实为 {_show(v)}")
    return str(v).strip()


def _evidence(path: Path, row: int, items: Any) -> list[Evidence]:
    """Evidence objects from a record, each field checked: a clerk's file is not trusted to be well formed."""
    if not isinstance(items, list):
        raise _err(path, row, LABEL["evidence"], f"应为对象的数组，实为 {_show(items)}")
    out = []
    for k, e in enumerate(items, start=1):
        where = f"{LABEL['evidence']}[{k}]"
        if not isinstance(e, dict):
            raise _err(path, row, where, f"应为对象，实为 {_show(e)}")
        for key in EVIDENCE_TEXT:
            if e.get(key) is not None and not isinstance(e[key], str):
                col = LABEL.get(key, key) if key == "date" else f"{where}.{key}"
                hint = "（日期写成文本 YYYY-MM-DD）" if key == "date" else ""
                raise _err(path, row, col, f"应为文本，实为 {_show(e[key])}{hint}")
        if e.get("status") is not None and (isinstance(e["status"], bool) or not isinstance(e["status"], int)):
            raise _err(path, row, f"{where}.status", f"应为 HTTP 状态码（整数），实为 {_show(e['status'])}")
        arc = e.get("archive")
        if arc is not None:
            if not isinstance(arc, dict):
                raise _err(path, row, f"{where}.archive", f"应为对象（warc、record_id、sha256），实为 {_show(arc)}")
            for key in ("warc", "record_id", "sha256"):
                if not isinstance(arc.get(key), str):
                    raise _err(path, row, f"{where}.archive.{key}", f"应为文本，实为 {_show(arc.get(key))}")
            if arc.get("offset") is not None and (isinstance(arc["offset"], bool) or not isinstance(arc["offset"], int)):
                raise _err(path, row, f"{where}.archive.offset", f"应为整数，实为 {_show(arc['offset'])}")
        out.append(Evidence.from_dict(e))
    return out


def read_findings_file(path: str | Path, rs: RuleSet, sites: list[Site], accounts: list[Account]) -> list[Finding]:
    """The findings of a file, every row checked before any is returned. Imported findings are manual:
    a person entered them, whatever the file's `source` says (the round's own checks re-derive theirs)."""
    path = Path(path)
    site_units = {s.unit for s in sites}
    site_targets = {s.url for s in sites} | site_units
    url_of = {s.unit: s.url for s in sites}
    account_names = {a.name for a in accounts}
    account_units = {a.unit for a in accounts}
    out = []
    for row, rec in _records(path):
        for f in REQUIRED:
            if rec.get(f) in (None, ""):
                raise _err(path, row, LABEL[f], "不能为空")
        ttype = TARGET_TYPES.get(_text(path, row, LABEL["target_type"], rec["target_type"]))
        if ttype is None:
            raise _err(path, row, LABEL["target_type"], f"应为 site/网站 或 account/新媒体，实为“{rec['target_type']}”")
        code = _text(path, row, LABEL["code"], rec["code"])
        if code not in rs.rules:
            raise _err(path, row, LABEL["code"], f"规则集 {rs.name} 中没有规则 {code}")
        unit = _text(path, row, LABEL["unit"], rec["unit"])
        target = _text(path, row, LABEL["target"], rec["target"])
        if ttype == "site":
            if unit not in site_units:
                raise _err(path, row, LABEL["unit"], f"单位“{unit}”不在本轮网站名单中")
            if target not in site_targets:
                raise _err(path, row, LABEL["target"], f"网站“{target}”不在本轮网站名单中")
            target = url_of.get(target, target)
        else:
            if target not in account_names:
                raise _err(path, row, LABEL["target"], f"新媒体“{target}”不在本轮新媒体名单中")
            if unit not in account_units:
                raise _err(path, row, LABEL["unit"], f"主办单位“{unit}”不在本轮新媒体名单中")
        if rec.get("points") not in (None, ""):
            try:
                pts = float(rec["points"])
            except (TypeError, ValueError):
                raise _err(path, row, LABEL["points"], f"应为数字，实为“{_show(rec['points'])}”") from None
            rule = rs.rule(code)
            if not math.isfinite(pts) or pts < 0 or (rule.points and pts != rule.points and not rule.veto):
                raise _err(path, row, LABEL["points"],
                           f"规则 {code} 每处扣 {rule.points:g} 分，文件写的是 {_show(rec['points'])}；一行记一处问题")
        veto = rec.get("veto")
        if isinstance(veto, str):
            veto = veto.strip().lower()
        if not isinstance(veto, (str, int, float, bool, type(None))) or (veto not in TRUE and veto not in FALSE):
            raise _err(path, row, LABEL["veto"], f"应为 是/否，实为“{_show(rec.get('veto'))}”")
        review = REVIEWS.get(_text(path, row, LABEL["review"], rec.get("review") or "pending"))
        if review is None:
            raise _err(path, row, LABEL["review"], f"应为 pending/confirmed/dismissed，实为“{_show(rec.get('review'))}”")
        ev = _evidence(path, row, rec.get("evidence") or [])
        for e in ev:
            if e.date:
                try:
                    date.fromisoformat(e.date[:10])
                except ValueError:
                    raise _err(path, row, LABEL["date"], f"日期应为 YYYY-MM-DD，实为“{e.date}”") from None
        params = rec.get("params") or {}
        if not isinstance(params, dict):
            raise _err(path, row, "params", f"应为对象（占位符 → 值），实为 {_show(params)}")
        for k, v in params.items():
            if not (isinstance(v, (str, bool, int)) or (isinstance(v, float) and math.isfinite(v))
                    or (isinstance(v, list) and all(isinstance(x, (str, int)) for x in v))):
                raise _err(path, row, f"params.{k}", f"应为文本、数字或文本数组，实为 {_show(v)}")
        account_type = rec.get("account_type")
        if account_type is not None:
            account_type = _text(path, row, "新媒体类型", account_type) or None
        out.append(Finding(
            unit=unit, target=target, target_type=ttype, code=code, evidence=ev,
            params=dict(params), review=review, source="manual", account_type=account_type,
        ))
    return out
