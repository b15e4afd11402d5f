"""The subordinate-bodies roster (issue 18): read like the sites roster, every bad cell named by file, row and
column; and how a roster body is matched to a sub-platform the site shows."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from govcheck.bodies import check_platforms, platform_facts, read_bodies
from govcheck.checks.platform import body_key, names_match
from govcheck.inspect.run import InspectError, run_inspect
from govcheck.model import Site
from govcheck.roster import RosterError

DEMO = Path(__file__).resolve().parents[1] / "govcheck" / "demo" / "xianning-2022q2"
HEAD = ["区域", "上级平台网址", "单位名称", "类型", "平台栏目网址"]


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _error(path: Path) -> RosterError:
    with pytest.raises(RosterError) as e:
        read_bodies(path)
    return e.value


def test_reads_the_demo_roster():
    rows = read_bodies(DEMO / "bodies.csv")
    counties = {r.region for r in rows}
    assert counties == {"咸安区", "嘉鱼县", "赤壁市", "通城县", "崇阳县", "通山县"}
    assert {r.type for r in rows} == {"部门", "乡镇街道"}
    assert all(r.row >= 2 and r.file == "bodies.csv" for r in rows)
    from govcheck.roster import read_sites

    check_platforms(rows, read_sites(DEMO / "sites.csv"), DEMO / "bodies.csv")  # every 上级平台 is a roster site


@pytest.mark.parametrize("rows, row, column, words", [
    ([["区域", "单位名称", "类型"], ["嘉鱼县", "嘉鱼县民政局", "部门"]], 1, "上级平台网址", "缺少必填列"),
    ([HEAD, ["嘉鱼县", "http://www.jiayu.gov.cn/", "", "部门", ""]], 2, "单位名称", "不能为空"),
    ([HEAD, ["嘉鱼县", "http://www.jiayu.gov.cn/", "嘉鱼县民政局", "部门", ""],
      ["嘉鱼县", "http://www.jiayu.gov.cn/", "嘉鱼县民政局", "部门", ""]], 3, "单位名称", "与第2行重复"),
    ([HEAD, ["嘉鱼县", "http://www.jiayu.gov.cn/", "嘉鱼县民政局", "事业单位", ""]], 2, "类型", "部门"),
    ([HEAD, ["嘉鱼县", "", "嘉鱼县民政局", "部门", ""]], 2, "上级平台网址", "不能为空"),
    ([HEAD, ["嘉鱼县", "javascript:alert(1)", "嘉鱼县民政局", "部门", ""]], 2, "上级平台网址", "不是有效的网址"),
    ([HEAD, ["嘉鱼县", "http://www.jiayu.gov.cn/", "官桥镇", "乡镇街道", "http://[::1/"]], 2, "平台栏目网址", "不是有效的网址"),
    ([HEAD], None, None, "只有表头"),
])
def test_bad_rows_are_named_by_file_row_and_column(tmp_path, rows, row, column, words):
    p = _csv(tmp_path / "bodies.csv", rows)
    e = _error(p)
    assert (e.row, e.column) == (row, column)
    assert words in str(e) and "bodies.csv" in str(e)


def test_xlsx_roster_and_type_spellings(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD)
    ws.append(["嘉鱼县", "www.jiayu.gov.cn", "官桥镇", "乡镇", None])
    ws.append(["嘉鱼县", "www.jiayu.gov.cn", "嘉鱼县民政局", "部门", "http://www.jiayu.gov.cn/mzj/"])
    ws.append(["嘉鱼县", "www.jiayu.gov.cn", "簰洲湾镇", "", None])
    wb.save(tmp_path / "bodies.xlsx")
    e = _error(tmp_path / "bodies.xlsx")
    assert (e.row, e.column) == (4, "类型")
    ws.delete_rows(4)
    wb.save(tmp_path / "bodies.xlsx")
    rows = read_bodies(tmp_path / "bodies.xlsx")
    assert [(r.name, r.type, r.platform, r.url) for r in rows] == [
        ("官桥镇", "乡镇街道", "http://www.jiayu.gov.cn/", None),
        ("嘉鱼县民政局", "部门", "http://www.jiayu.gov.cn/", "http://www.jiayu.gov.cn/mzj/")]


def test_a_platform_not_in_the_sites_roster_is_refused_by_row(tmp_path):
    p = _csv(tmp_path / "bodies.csv", [HEAD, ["嘉鱼县", "http://www.jiayu.gov.cn/", "嘉鱼县民政局", "部门", ""],
                                        ["通山县", "http://www.tongshan.gov.cn/", "通羊镇", "乡镇街道", ""]])
    sites = [Site(region="嘉鱼县", unit="嘉鱼县", name="嘉鱼县人民政府", url="http://www.jiayu.gov.cn/", kind="门户")]
    with pytest.raises(RosterError) as e:
        check_platforms(read_bodies(p), sites, p)
    assert (e.value.row, e.value.column) == (3, "上级平台网址")
    pf = platform_facts(sites[0], read_bodies(p))
    assert [b.name for b in pf.bodies] == ["嘉鱼县民政局"] and pf.bodies[0].row == 2


def test_inspect_refuses_a_bad_bodies_roster_before_crawling(tmp_path):
    sites = _csv(tmp_path / "sites.csv", [["区域", "单位名称", "首页网址", "网站类型"],
                                           ["嘉鱼县", "嘉鱼县", "http://www.jiayu.gov.cn/", "门户"]])
    bodies = _csv(tmp_path / "bodies.csv", [HEAD, ["嘉鱼县", "http://www.jiayu.gov.cn/", "嘉鱼县民政局", "局", ""]])
    with pytest.raises(InspectError) as e:
        run_inspect(sites, tmp_path / "round", at=dt.date(2022, 5, 15), bodies=bodies, progress=False)
    assert "bodies.csv 第2行 列“类型”" in str(e.value)
    assert not (tmp_path / "round" / "warc").exists()


@pytest.mark.parametrize("a, b, how", [
    ("嘉鱼县发展和改革局", "县发改局", "abbrev"),
    ("嘉鱼县教育局", "县教育局", "exact"),
    ("官桥镇人民政府", "官桥镇", "exact"),
    ("温泉街道办事处", "温泉街道", "exact"),
    ("嘉鱼县人力资源和社会保障局", "县人社局", "abbrev"),
    ("嘉鱼县民政局", "县教育局", None),
    ("嘉鱼县财政局", "县审计局", None),
    ("新街镇", "新店镇", None),
])
def test_body_names_match_sub_platform_names(a, b, how):
    assert names_match(body_key(a, "嘉鱼县"), body_key(b, "嘉鱼县")) == how


@pytest.mark.parametrize("a, b, how", [
    ("嘉鱼县市场监督管理局", "县市场监管局", "abbrev"),
    ("嘉鱼县市场监督管理局", "市场监督管理局", "exact"),
    ("嘉鱼县市政工程管理处", "县市政工程管理处", "exact"),
])
def test_a_level_prefix_is_not_taken_from_a_word(a, b, how):
    assert names_match(body_key(a, "嘉鱼县"), body_key(b, "嘉鱼县")) == how
