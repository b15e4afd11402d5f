"""Accounts roster, registry exports and posts exports: aliases, errors naming file/row/column, duplicates."""
from pathlib import Path

import openpyxl
import pytest

from govcheck.model import Account
from govcheck.newmedia.roster import RosterError, canonical_platform, read_accounts, read_registry
from govcheck.newmedia.timeline import read_posts_export

FIX = Path(__file__).parent / "fixtures" / "newmedia"


def test_english_aliases_and_duplicates_reported_once():
    roster = read_accounts(FIX / "accounts_en.csv")
    names = [(a.name, a.type) for a in roster]
    assert names == [("咸宁发布", "微信订阅号"), ("咸安发布", "新浪微博"), ("咸安教育", "抖音短视频")]
    assert len(roster.duplicates) == 1
    assert "第3行" in roster.duplicates[0] and "第2行" in roster.duplicates[0]
    assert roster[0].account_id == "gh_a1" and roster[0].source == "posts.csv"


def test_missing_column_is_named():
    with pytest.raises(RosterError) as e:
        read_accounts(FIX / "accounts_missing_unit.csv")
    assert "accounts_missing_unit.csv" in str(e.value) and "主办单位" in str(e.value)


def test_empty_required_cell_names_row_and_column():
    with pytest.raises(RosterError) as e:
        read_accounts(FIX / "accounts_empty_unit.csv")
    msg = str(e.value)
    assert "第2行" in msg and "C列" in msg and "主办单位" in msg


def test_xlsx_roster_with_title_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2022年第二季度政务新媒体名录"])
    ws.append(["市直/县(市、区)", "新媒体名称", "主办单位", "新媒体类型", "互动功能"])
    ws.append(["市直", "咸宁发布", "咸宁市人民政府办公室", "微信订阅号", "是"])
    ws.append(["嘉鱼县", "嘉鱼发布", "嘉鱼县人民政府办公室", "新浪微博", "否"])
    p = tmp_path / "accounts.xlsx"
    wb.save(p)
    roster = read_accounts(p)
    assert [a.region for a in roster] == ["市直", "嘉鱼县"]
    assert roster.interaction == {("咸宁发布", "微信订阅号"): True, ("嘉鱼发布", "新浪微博"): False}


def test_gbk_csv(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes("区域,新媒体名称,主办单位,新媒体类型\n通山县,通山发布,通山县人民政府办公室,今日头条\n".encode("gbk"))
    assert read_accounts(p)[0].name == "通山发布"


def test_registry_synonym_headers_and_title_row():
    reg = read_registry(FIX / "registry_province.csv")
    assert [(r.name, r.platform, r.system, r.status, r.account_id) for r in reg] == [
        ("咸宁发布", "微信", "湖北省", "正常", "gh_a1"),
        ("咸安发布", "微博", "湖北省", "已注销", None),
    ]
    assert reg[0].row == 3


def test_registry_missing_column_is_named():
    with pytest.raises(RosterError) as e:
        read_registry(FIX / "registry_no_platform.csv")
    assert "平台" in str(e.value) and "registry_no_platform.csv" in str(e.value)


def test_registry_without_system_column(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("新媒体名称,平台,备案状态\n咸宁发布,微信,正常\n", encoding="utf-8")
    with pytest.raises(RosterError, match="备案系统"):
        read_registry(p)
    assert read_registry(p, default_system="全国")[0].system == "全国"


def test_unknown_file_type(tmp_path):
    p = tmp_path / "a.json"
    p.write_text("[]")
    with pytest.raises(RosterError, match="不支持"):
        read_accounts(p)


def test_platforms():
    assert canonical_platform("微信服务号") == "微信"
    assert canonical_platform("微信公众号（订阅号）") == "微信"
    assert canonical_platform("抖音短视频") == canonical_platform("抖音")
    assert canonical_platform("新浪微博") == "微博"


def test_posts_export_filters_by_name_or_id():
    acc = Account(region="市直", name="咸宁发布", unit="咸宁市人民政府办公室", type="微信订阅号", account_id="gh_a1")
    posts = read_posts_export(FIX / "posts.csv", acc)
    assert [p.day.isoformat() for p in posts] == ["2022-05-10", "2022-05-01"]
    assert posts[0].url == "https://mp.example/1"


def test_posts_export_bad_date_names_row(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("发布时间,标题\n2022-05-01,a\n昨天,b\n", encoding="utf-8")
    with pytest.raises(RosterError, match="第3行"):
        read_posts_export(p)


def test_header_only_roster_is_an_empty_round(tmp_path):
    from datetime import date

    from govcheck.newmedia import check_accounts

    p = tmp_path / "accounts.csv"
    p.write_text("区域,新媒体名称,主办单位,新媒体类型,账号ID,数据来源\n", encoding="utf-8")
    roster = read_accounts(p)
    assert list(roster) == [] and roster.duplicates == []
    assert check_accounts(roster, [], {}, date(2022, 5, 15), 14, None, ["全国"]) == []


def test_same_account_id_under_two_names_is_reported(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("区域,新媒体名称,主办单位,新媒体类型,账号ID\n市直,咸宁住建,咸宁市住房和城乡建设局,微信服务号,gh_9\n"
                 "市直,咸宁城建,咸宁市住房和城乡建设局,微信订阅号,gh_9\n", encoding="utf-8")
    roster = read_accounts(p)
    assert len(roster) == 2 and len(roster.duplicates) == 1 and "gh_9" in roster.duplicates[0]


def test_rsshub_route_source():
    from govcheck.newmedia.timeline import _classify

    a = Account(region="市直", name="湖北咸宁交警", unit="咸宁市公安局", type="新浪微博", source="rsshub://weibo/user/123")
    assert _classify(a, ".", {"rsshub_base": "http://127.0.0.1:1200/"}) == ("url", "http://127.0.0.1:1200/weibo/user/123")
