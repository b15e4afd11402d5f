"""Reading findings files (the contract's findings.json, or an XLSX with the same columns).

This is how manual findings (模拟咨询, 负面舆情, 注册登录 …) enter a round. The whole file is checked
before anything is stored: one bad cell and nothing is imported, and the message names file, row, column.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govcheck.model import Account, Evidence, Finding, Site
from govcheck.rules import RuleSet

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
         "veto": "一票否决", "review": "复核状态", "source": "来源", "date": "日期", "evidence": "evidence"}
TARGET_TYPES = {"site": "site", "网站": "site", "account": "account", "新媒体": "account", "政务新媒体": "account"}
REVIEWS = {"pending": "pending", "待复核": "pending", "confirmed": "confirmed", "已确认": "confirmed",
           "dismissed": "dismissed", "已撤销": "dismissed"}
TRUE = {True, "true", "是", "1", 1, "yes"}
FALSE = {False, "false", "否", "0", 0, "no", "", None}


class FindingsFileError(ValueError):
    pass


def _err(path: Path, row: int, column: str, msg: str) -> FindingsFileError:
    return FindingsFileError(f"{path} 第{row}行 列“{column}”：{msg}")


def _records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(row number as a person sees it, record) pairs."""
    if not path.exists():
        raise FindingsFileError(f"{path}：文件不存在")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise FindingsFileError(f"{path}：JSON 格式错误：{e}") from None
        if not isinstance(data, list):
            raise FindingsFileError(f"{path}：应为问题对象的数组")
        out = []
        for i, rec in enumerate(data, start=1):
            if not isinstance(rec, dict):
                raise FindingsFileError(f"{path} 第{i}条：应为对象")
            out.append((i, {COLUMNS.get(k, k): v for k, v in rec.items()}))
        return out
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds
            raise FindingsFileError(f"{path}：无法打开表格：{e}") from None
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        if not rows:
            raise FindingsFileError(f"{path}：表格为空")
        header = [str(h).strip() if h is not None else "" for h in rows[0]]
        fields = [COLUMNS.get(h) for h in header]
        missing = [LABEL[f] for f in REQUIRED if f not in fields]
        if missing:
            raise FindingsFileError(f"{path} 第1行：缺少列 {'、'.join(missing)}")
        out = []
        for i, r in enumerate(rows[1:], start=2):
            if all(c is None or str(c).strip() == "" for c in r):
                continue
            rec: dict[str, Any] = {}
            ev: dict[str, Any] = {}
            for f, v in zip(fields, r):
                if f is None or v is None:
                    continue
                v = v.strip() if isinstance(v, str) else v
                if f in ("path", "url", "title", "date", "note"):
                    ev[f] = v.date().isoformat() if f == "date" and hasattr(v, "date") else str(v)
                else:
                    rec[f] = v
            if ev:
                rec["evidence"] = [ev]
            out.append((i, rec))
        return out
    raise FindingsFileError(f"{path}：不支持的文件类型（应为 .json 或 .xlsx）")


def read_findings_file(path: str | Path, rs: RuleSet, sites: list[Site], accounts: list[Account]) -> list[Finding]:
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
        ttype = TARGET_TYPES.get(str(rec["target_type"]).strip())
        if ttype is None:
            raise _err(path, row, LABEL["target_type"], f"应为 site/网站 或 account/新媒体，实为“{rec['target_type']}”")
        code = str(rec["code"]).strip()
        if code not in rs.rules:
            raise _err(path, row, LABEL["code"], f"规则集 {rs.name} 中没有规则 {code}")
        unit = str(rec["unit"]).strip()
        target = str(rec["target"]).strip()
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
                raise _err(path, row, LABEL["points"], f"应为数字，实为“{rec['points']}”") from None
            rule = rs.rule(code)
            if pts < 0 or (rule.points and pts != rule.points and not rule.veto):
                raise _err(path, row, LABEL["points"],
                           f"规则 {code} 每处扣 {rule.points:g} 分，文件写的是 {pts:g}；一行记一处问题")
        veto = rec.get("veto")
        if veto not in TRUE and veto not in FALSE:
            raise _err(path, row, LABEL["veto"], f"应为 是/否，实为“{veto}”")
        review = REVIEWS.get(str(rec.get("review") or "pending"))
        if review is None:
            raise _err(path, row, LABEL["review"], f"应为 pending/confirmed/dismissed，实为“{rec.get('review')}”")
        evidence = rec.get("evidence") or []
        if not isinstance(evidence, list):
            raise _err(path, row, LABEL["evidence"], "应为数组")
        try:
            ev = [Evidence.from_dict(e) for e in evidence]
        except TypeError as e:
            raise _err(path, row, LABEL["evidence"], f"格式错误：{e}") from None
        for e in ev:
            if e.date:
                from datetime import date

                try:
                    date.fromisoformat(e.date[:10])
                except ValueError:
                    raise _err(path, row, LABEL["date"], f"日期应为 YYYY-MM-DD，实为“{e.date}”") from None
        out.append(Finding(
            unit=unit, target=target, target_type=ttype, code=code, evidence=ev,
            params=dict(rec.get("params") or {}), review=review,
            source=str(rec.get("source") or "manual"), account_type=rec.get("account_type"),
        ))
    return out
