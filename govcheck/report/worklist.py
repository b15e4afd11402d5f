"""人工核查清单.xlsx: the 需人工核查 items of a round as a sheet an inspector works from, and reading it back.

One row per item: unit, site or account, the rule and what to look at, links, and blank columns for the
result. Filled in and given to `govcheck findings import`, each row marked 无问题 closes its item, and each
row marked 有问题 adds a finding (reviewed: a person found it) citing what the inspector wrote. Several
problems under one item: copy its row, one row per problem. The whole file is checked before anything is
stored; one bad cell and nothing is imported, and the message names file, row and column.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from govcheck.model import Evidence, Finding

FILE_NAME = "人工核查清单.xlsx"
HEADER = ["编号", "单位名称", "检查对象", "规则", "指标要求", "核查要点", "相关链接",
          "核查结果", "问题说明", "栏目路径", "问题网址", "核查人", "核查日期"]
RESULT_COL = HEADER.index("核查结果")
RESULTS = {"无问题": "clear", "有问题": "finding"}
RESULT_LABEL = {"clear": "无问题", "finding": "有问题", "open": ""}
NOTE = ("填写说明：在“核查结果”列填“无问题”或“有问题”；有问题的，在“问题说明”写明问题（或填“问题网址”），"
        "能指明栏目的填“栏目路径”（首页>…>栏目）；同一项发现多处问题的，复制该行逐处填写；“规则”为 * 的，"
        "有问题时请改填具体规则编码。填好后运行：govcheck findings import 人工核查清单.xlsx --round 轮次目录")
# Excel column widths (one CJK character = 2 units)
WIDTHS = [20, 14, 18, 7, 30, 34, 26, 10, 24, 20, 24, 9, 11]


class WorklistError(ValueError):
    pass


def _target_label(view, target: str, target_type: str) -> str:
    if target_type == "site":
        site = next((s for s in view.sites if s.url == target), None)
        return f"{site.name}\n{target}" if site and site.name else target
    return target


def worklist_rows(view) -> list[list[str]]:
    rows = []
    for m in view.manual:
        rule = view.rs.rules.get(m.code)
        req = rule.render({}) if rule is not None else "（整站）"
        at = m.result_at.date().isoformat() if isinstance(m.result_at, datetime) else (m.result_at or "")
        rows.append([m.id, m.unit, _target_label(view, m.target, m.target_type), m.code, req, m.what,
                     "\n".join(m.urls), RESULT_LABEL.get(m.status, ""),
                     m.result_note or "" if m.status != "open" else "", "", "", m.result_by or "", str(at)])
    return rows


def write_worklist(out: Path, view, draft: str | None = None) -> Path:
    from openpyxl.worksheet.datavalidation import DataValidation

    from govcheck.report.doc import Table
    from govcheck.report.xlsx import SheetSpec, add_sheet, new_workbook, save_workbook

    title = f"{view.meta.get('name', '')}人工核查清单"
    spec = SheetSpec(title=title, tables=[Table(HEADER, worklist_rows(view))], name="人工核查清单",
                     landscape=True, draft=draft, note=NOTE, widths=WIDTHS,
                     centred_cols={HEADER.index(c) for c in ("规则", "核查结果", "核查人", "核查日期")})
    wb = new_workbook()
    wb.properties.title = title
    ws = add_sheet(wb, spec, first=True)
    head = spec.extra["header_rows"][0]
    last = head + len(view.manual)
    # the result column offers its two values; links open in a browser
    dv = DataValidation(type="list", formula1='"无问题,有问题"', allow_blank=True,
                        error="请填“无问题”或“有问题”", errorTitle="核查结果", showErrorMessage=True)
    ws.add_data_validation(dv)
    col = chr(ord("A") + RESULT_COL)
    dv.add(f"{col}{head + 1}:{col}{max(last, head + 1) + 500}")
    link_col = HEADER.index("相关链接") + 1
    for r in range(head + 1, last + 1):
        cell = ws.cell(r, link_col)
        if cell.value:
            cell.hyperlink = str(cell.value).split("\n", 1)[0]
    ws.freeze_panes = ws.cell(head + 1, 3)
    return save_workbook(wb, Path(out) / FILE_NAME)


def is_worklist(path: Path) -> bool:
    """Whether an xlsx is a 人工核查清单 (it has the 编号 and 核查结果 columns)."""
    if Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    try:
        return _header_row(_rows(Path(path)))[0] is not None
    except WorklistError:
        return False


def _rows(path: Path) -> list[tuple]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds
        raise WorklistError(f"{path}：无法打开表格：{e}") from None
    try:
        return list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()


def _header_row(rows: list[tuple]) -> tuple[int | None, dict[str, int]]:
    for i, r in enumerate(rows[:20]):
        cells = [str(c).strip() if c is not None else "" for c in r]
        if "编号" in cells and "核查结果" in cells:
            return i, {c: k for k, c in enumerate(cells) if c}
    return None, {}


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v).strip()


def read_worklist(path: str | Path, items: list, rs, *, by: str | None = None
                  ) -> tuple[list[tuple[str, str, str, str, Finding | None]], int]:
    """Results to record (item id, status, by, note, finding or None), and how many filled rows were
    already recorded (skipped, so importing the same file twice adds nothing)."""
    path = Path(path)
    rows = _rows(path)
    hi, cols = _header_row(rows)
    if hi is None:
        raise WorklistError(f"{path}：不是人工核查清单（找不到“编号”“核查结果”列）")
    for need in ("编号", "核查结果", "规则"):
        if need not in cols:
            raise WorklistError(f"{path} 第{hi + 1}行：缺少列“{need}”")
    by_id = {m.id: m for m in items}
    out: list[tuple[str, str, str, str, Finding | None]] = []
    skipped = 0
    for i, r in enumerate(rows[hi + 1:], start=hi + 2):
        def get(name: str) -> str:
            k = cols.get(name)
            return _cell(r[k]) if k is not None and k < len(r) else ""

        result = get("核查结果")
        if not result or result in ("待核查",):
            continue
        def err(col: str, msg: str) -> WorklistError:
            return WorklistError(f"{path} 第{i}行 列“{col}”：{msg}")

        status = RESULTS.get(result)
        if status is None:
            raise err("核查结果", f"应为“无问题”或“有问题”，实为“{result}”")
        item_id = get("编号")
        item = by_id.get(item_id)
        if item is None:
            raise err("编号", f"本轮没有编号为“{item_id}”的人工核查事项（清单是否来自另一轮？）")
        who = get("核查人") or (by or "")
        if not who:
            raise err("核查人", "请填写核查人（或在命令中用 --by 指定）")
        note = get("问题说明")
        if item.status != "open":
            if item.status == status:
                skipped += 1
                continue
            if item.status == "finding":
                raise err("核查结果", f"该项已记为有问题（问题编号 {item.finding_id}），"
                                     f"如需更改请用 govcheck review dismiss {item.finding_id}")
        if status == "clear":
            out.append((item.id, "clear", who, note or "无问题", None))
            continue
        url, path_ = get("问题网址"), get("栏目路径")
        if not (note or url):
            raise err("问题说明", "有问题的须写明问题说明或问题网址")
        code = get("规则") or item.code
        if code == "*" or code not in rs.rules:
            raise err("规则", f"规则集 {rs.name} 中没有规则“{code}”，请填具体规则编码")
        when = get("核查日期")
        if when:
            try:
                when = date.fromisoformat(when[:10]).isoformat()
            except ValueError:
                raise err("核查日期", f"日期应为 YYYY-MM-DD，实为“{when}”") from None
        ev = Evidence(path=path_ or None, url=url or (item.urls[0] if item.urls else None), note=note or None,
                      fetched_at=when or None)
        f = Finding(unit=item.unit, target=item.target, target_type=item.target_type, code=code, evidence=[ev],
                    review="confirmed", source="manual")
        out.append((item.id, "finding", who, note or url, f))
    return out, skipped
