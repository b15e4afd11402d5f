"""The other fact kinds: consultations, messages, annual reports, 机构职能/领导信息, column tree."""
import datetime as dt
from pathlib import Path

import pytest

from govcheck.extract.annual_report import report_sections, report_year, report_years
from govcheck.extract.columns import ColumnTree, classify_column, extract_nav_columns, extract_sitemap_columns
from govcheck.extract.consultation import extract_consultation, is_feedback
from govcheck.extract.dom import parse_page
from govcheck.extract.messages import extract_messages_text
from govcheck.extract.org import extract_leaders, extract_org_info
from govcheck.extract import extract_from_page

FIX = Path(__file__).parent / "fixtures" / "extract"
D = dt.date
PUB = D(2022, 5, 12)


@pytest.mark.parametrize("text,start,end,phrasing", [
    ("征求意见时间为2022年5月12日至2022年6月11日。", D(2022, 5, 12), D(2022, 6, 11), "range"),
    ("意见反馈时间：5月12日至6月10日", D(2022, 5, 12), D(2022, 6, 10), "range"),
    ("征求意见时间为：2022年5月9日-2022年6月7日。", D(2022, 5, 9), D(2022, 6, 7), "range"),
    ("请于2022年5月30日前将意见反馈至邮箱", PUB, D(2022, 5, 30), "before"),
    ("请于6月1日（星期三）前反馈", PUB, D(2022, 6, 1), "before"),
    ("公开征集意见的截止时间为2022年5月30日；", PUB, D(2022, 5, 30), "deadline"),
    ("征求意见截止日期：2022-06-01 17:00", PUB, D(2022, 6, 1), "deadline"),
    ("自发布之日起30日内提出意见", PUB, D(2022, 6, 10), "relative"),
    ("自公布之日起三十日内", PUB, D(2022, 6, 10), "relative"),
    ("有关意见建议请于7日内以信函等形式进行反馈", PUB, D(2022, 5, 18), "relative"),
    ("公示期为5个工作日", PUB, D(2022, 5, 19), "relative"),
])
def test_consultation_periods(text, start, end, phrasing):
    p = extract_consultation(text, PUB)
    assert (p.start, p.end, p.phrasing) == (start, end, phrasing)


def test_consultation_range_across_new_year():
    p = extract_consultation("征求意见时间：2022年12月20日至1月19日")
    assert p.start == D(2022, 12, 20) and p.end == D(2023, 1, 19) and p.days == 31


def test_consultation_inverted_range_is_kept_as_stated():
    """An end before the start, both with their year, is what the notice says (a V1.5 fact), not a misreading;
    a year-less end is still read forward."""
    p = extract_consultation("征求意见时间为2022年03月09日至2022年02月09日。", PUB)
    assert (p.start, p.end, p.phrasing, p.days) == (D(2022, 3, 9), D(2022, 2, 9), "range", None)
    p = extract_consultation("征求意见时间为2022年3月9日至2月9日。", PUB)
    assert p.end == D(2023, 2, 9)


def test_consultation_without_period():
    p = extract_consultation("欢迎社会各界提出宝贵意见。", PUB)
    assert p.end is None and p.phrasing is None


def test_consultation_relative_without_publish_date_keeps_days():
    p = extract_consultation("自发布之日起15日内")
    assert p.days == 15 and p.end is None


def test_feedback_pages():
    assert is_feedback("关于《示例县养犬管理办法（征求意见稿）》意见采纳情况的说明")
    assert is_feedback("意见征集结果反馈")
    assert not is_feedback("关于公开征求《示例县养犬管理办法（征求意见稿）》意见的公告")


def test_messages_asked_answered_unit_answer():
    text = ("留言标题：路灯不亮 留言时间：2022-05-01 10:00 留言内容：某路路灯坏了 回复单位：县城管局 "
            "回复时间：2022-05-06 回复内容：已安排维修。 留言标题：夜间施工噪音 留言时间：2022-05-03 留言内容：夜间施工扰民")
    ms = extract_messages_text(text)
    assert len(ms) == 2
    assert (ms[0].asked, ms[0].answered, ms[0].unit, ms[0].days_to_answer) == (D(2022, 5, 1), D(2022, 5, 6), "县城管局", 5)
    assert ms[0].answer.startswith("已安排维修")
    assert ms[1].answered is None and ms[1].to_dict()["answered_flag"] is False


def test_annual_report_years_and_sections():
    assert report_year("平潭综合实验区2025年度政府信息公开工作年度报告") == 2025
    assert report_year("咸宁市人民政府2021年政府信息公开工作年度报告") == 2021
    assert report_year("二〇二一年度政府信息公开工作报告") == 2021
    assert report_year("关于报送年度报告的通知") is None
    years = report_years([{"title": "示例县2021年政府信息公开工作年度报告", "date": "2022-01-20"},
                          {"title": "示例县2020年政府信息公开工作年度报告", "date": "2021-01-25"}])
    assert sorted(years) == [2020, 2021] and years[2021]["date"] == "2022-01-20"
    text = ("根据条例编制本报告。 一、总体情况 2021年… （一）主动公开 … 二、主动公开政府信息情况 见表 "
            "三、收到和处理政府信息公开申请情况 略 四、政府信息公开行政复议、行政诉讼情况 无 "
            "五、存在的主要问题及改进情况 问题 六、其他需要报告的事项 无")
    secs = report_sections(text)
    assert [s["no"] for s in secs] == list("一二三四五六")
    assert secs[0]["heading"] == "总体情况" and "（一）主动公开" in secs[0]["text"]
    assert secs[4]["heading"] == "存在的主要问题及改进情况"


def test_org_info_fields_and_missing():
    info = extract_org_info("办公地址：示例县温泉路1号 办公时间：工作日上午8:30-12:00 联系电话：0715-8256123 "
                            "负责人：张大明 主要职责：（一）负责全县政务公开工作。 内设机构：办公室、政策法规股、财务股")
    assert info.address == "示例县温泉路1号" and info.phone == "0715-8256123" and info.head == "张大明"
    assert info.structure == ["办公室", "政策法规股", "财务股"]
    assert info.missing() == []
    partial = extract_org_info("主要职责：负责全县统计工作。 联系电话：0715-8256000")
    assert set(partial.missing()) == {"机构设置", "办公地址", "办公时间", "负责人姓名"}


def test_leaders_with_duties():
    ls = extract_leaders("局长：王小明 负责局全面工作。 副局长 李四 分工：负责财务、审计工作。")
    assert [(x.name, x.position) for x in ls] == [("王小明", "局长"), ("李四", "副局长")]
    assert ls[1].duties.startswith("负责财务")


def test_org_info_on_gb2312_page(real_corpus):
    page = parse_page((real_corpus / "zcom_gov/jgzn.html").read_bytes())
    info = extract_org_info(page)
    assert info.functions and "对外贸易" in info.functions
    assert "人事处" in info.structure and info.phone


@pytest.mark.parametrize("name,kind", [
    ("通知公告", "通知公告"), ("公示公告", "通知公告"), ("政策解读", "政策解读"), ("“十四五”解读", "政策解读"),
    ("规范性文件", "政策文件"), ("政府信息公开年报", "年报"), ("领导之窗", "领导信息"), ("机构职能", "机构职能"),
    ("人事任免", "人事信息"), ("财政预决算", "财政预决算"), ("意见征集", "调查征集"), ("在线访谈", "在线访谈"),
    ("县长信箱", "咨询/留言"), ("工作动态", "动态要闻"), ("数据发布", "数据发布"), ("其他", "other"),
])
def test_column_kind_by_name(name, kind):
    assert classify_column(name) == kind


def test_column_kind_by_titles_and_override():
    assert classify_column("本级发布", ["关于印发养犬管理办法的通知", "示例县安全生产规定"]) == "政策文件"
    assert classify_column("栏目A", ["甲", "乙"]) == "other"
    assert classify_column("工作动态", overrides={"工作动态": "专题专栏"}) == "专题专栏"


def test_nav_menu_columns_first_level_and_children():
    page = parse_page((FIX / "home.html").read_bytes(), "http://www.example.gov.cn/")
    cols = extract_nav_columns(page)
    names = [c.name for c in cols]
    assert names == ["新闻中心", "政务公开", "互动交流"]
    assert all(c.first_level for c in cols)
    zwgk = cols[1]
    assert [c.path_str() for c in zwgk.children] == ["首页>政务公开>通知公告", "首页>政务公开>政策解读"]
    assert zwgk.children[0].url == "http://www.example.gov.cn/zwgk/tzgg/"


def test_column_tree_from_pages_and_sitemap():
    tree = ColumnTree()
    for name, url in (("trs_list.html", "http://www.example.gov.cn/zwgk/tzgg/"),
                      ("sitemap.html", "http://www.example.gov.cn/wzdt/")):
        page = parse_page((FIX / name).read_bytes(), url)
        tree.add_page(page, extract_from_page(page, D(2022, 6, 30)))
    cols = {c["path"]: c for c in tree.classified()}
    assert cols["首页>政务公开>通知公告"]["kind"] == "通知公告"
    assert cols["首页>政务公开"]["first_level"] is True
    assert cols["首页>互动交流>县长信箱"]["kind"] == "咨询/留言"
    assert cols["首页>政务公开>政府信息公开年报"]["kind"] == "年报"


def test_sitemap_only_on_sitemap_pages():
    page = parse_page((FIX / "trs_list.html").read_bytes())
    assert extract_sitemap_columns(page) == []
