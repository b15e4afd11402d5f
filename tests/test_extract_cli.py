import json
from pathlib import Path

from typer.testing import CliRunner

from govcheck.cli import app

FIX = Path(__file__).parent / "fixtures" / "extract"


def test_extract_json_contract_keys():
    res = CliRunner().invoke(app, ["extract", str(FIX / "hanweb_list.html"), "--url",
                                   "http://fgw.example.gov.cn/col/col1002/index.html", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    for key in ("kind", "title", "breadcrumb", "publish_date", "items", "blank", "footer", "meta"):
        assert key in data
    assert set(data["footer"]) >= {"conac", "site_id_code", "icp", "police_record", "sponsor", "contact",
                                   "error_report_entry"}
    assert data["kind"] == "list" and len(data["items"]) == 5
    assert data["items"][0]["url"].startswith("http://fgw.example.gov.cn/art/2022/5/12/")
    assert data["meta"]["ColumnName"] == "政策文件"


def test_extract_missing_file_clear_error(tmp_path):
    res = CliRunner().invoke(app, ["extract", str(tmp_path / "nope.html"), "--json"])
    assert res.exit_code == 2
    assert "nope.html" in res.output


def test_extract_bad_ref_date():
    res = CliRunner().invoke(app, ["extract", str(FIX / "home.html"), "--ref-date", "2022/06/30"])
    assert res.exit_code == 2 and "--ref-date" in res.output


def test_extract_human_readable_summary():
    res = CliRunner().invoke(app, ["extract", str(FIX / "js_list.html")])
    assert res.exit_code == 0 and "动态加载" in res.output and "页面类型：list" in res.output
