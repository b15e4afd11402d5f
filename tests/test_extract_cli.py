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


def _write_warc(path, pages):
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for url, body, ctype in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = w.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers,
                                       warc_headers_dict={"WARC-Date": "2022-06-30T08:00:00Z"})
            w.write_record(rec)


def test_extract_over_a_round_warc(tmp_path):
    (tmp_path / "warc").mkdir()
    html = (FIX / "trs_list.html").read_bytes()
    gbk = (FIX / "home.html").read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="gbk"').encode("gb18030")
    _write_warc(tmp_path / "warc" / "site-00000.warc.gz", [
        ("http://www.example.gov.cn/zwgk/tzgg/", html, "text/html; charset=utf-8"),
        ("http://www.example.gov.cn/", gbk, "text/html"),
        ("http://www.example.gov.cn/logo.png", b"\x89PNG", "image/png"),
    ])
    res = CliRunner().invoke(app, ["extract", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.splitlines() if x.startswith("{")]
    assert [x["url"] for x in lines] == ["http://www.example.gov.cn/zwgk/tzgg/", "http://www.example.gov.cn/"]
    assert lines[0]["facts"]["kind"] == "list" and len(lines[0]["facts"]["items"]) == 4
    assert lines[0]["record_id"] and lines[0]["offset"] == 0
    home = lines[1]["facts"]
    assert home["kind"] == "home" and home["encoding"] == "gb18030"
    # MM-DD rows take their year from the fetch date (2022-06-30): 12-30 is last December
    assert "2021-12-30" in {i["date"] for i in home["items"]}


def test_extract_dir_without_warc(tmp_path):
    res = CliRunner().invoke(app, ["extract", str(tmp_path), "--json"])
    assert res.exit_code == 2 and "WARC" in res.output


def test_truncated_warc_reports_and_goes_on(tmp_path):
    good = tmp_path / "b.warc.gz"
    _write_warc(good, [("http://www.example.gov.cn/zwgk/tzgg/", (FIX / "trs_list.html").read_bytes(), "text/html")])
    data = good.read_bytes()
    (tmp_path / "a.warc.gz").write_bytes(data[: len(data) // 2])  # cut mid-record
    from govcheck.extract.warc import iter_warc_facts

    out = list(iter_warc_facts(tmp_path))
    assert any(("error" in r or r.get("truncated")) and r["warc"].endswith("a.warc.gz") for r in out)
    assert not any(r.get("truncated") or "error" in r for r in out if r["warc"].endswith("b.warc.gz"))
    assert any(r.get("facts", {}).get("kind") == "list" and r["warc"].endswith("b.warc.gz") for r in out)
