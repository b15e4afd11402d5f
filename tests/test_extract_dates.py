import datetime as dt

import pytest

from govcheck.extract.dates import date_from_url, find_dates, infer_year, parse_date

D = dt.date


@pytest.mark.parametrize("text,expected", [
    ("发布时间：2022-05-12 10:30", D(2022, 5, 12)),
    ("2022/5/12", D(2022, 5, 12)),
    ("2022.05.12", D(2022, 5, 12)),
    ("2022年5月12日", D(2022, 5, 12)),
    ("2022 年 05 月 12 日", D(2022, 5, 12)),
    ("二〇二二年五月十二日", D(2022, 5, 12)),
    ("二○二一年十二月三十一日", D(2021, 12, 31)),
    ("２０２２－０５－１２", D(2022, 5, 12)),
    ("日期：2021/09/06", D(2021, 9, 6)),
])
def test_full_forms(text, expected):
    assert parse_date(text) == expected


def test_invalid_dates_rejected():
    assert parse_date("2022-13-45") is None
    assert parse_date("（2019-2030年）") is None
    assert parse_date("电话 0715-8256123") is None


def test_month_day_needs_a_reference_year():
    assert find_dates("[05-12]") == []
    hits = find_dates("[05-12]", ref=D(2022, 6, 30))
    assert [h.date for h in hits] == [D(2022, 5, 12)] and hits[0].year_inferred


def test_month_day_after_reference_belongs_to_previous_year():
    # a list crawled on 2022-01-05 showing 12-30 means 2021-12-30
    assert infer_year(12, 30, D(2022, 1, 5)) == D(2021, 12, 30)
    assert parse_date("12-30", ref=D(2022, 1, 5)) == D(2021, 12, 30)


def test_times_are_not_month_day_dates():
    assert find_dates("10:30", ref=D(2022, 6, 30)) == []


@pytest.mark.parametrize("url,expected", [
    ("http://www.xianning.gov.cn/xxgk/202205/t20220512_2441607.shtml", D(2022, 5, 12)),
    ("http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html", D(2016, 11, 22)),
    ("http://www.xinhuanet.com/local/2020-02/19/c_1125597921.htm", D(2020, 2, 19)),
    ("https://www.henan.gov.cn/2022/08-11/2559082.html", D(2022, 8, 11)),
    ("https://www.example.gov.cn/zwgk/tzgg/", None),
    (None, None),
])
def test_dates_in_urls(url, expected):
    assert date_from_url(url) == expected


def test_several_dates_in_order():
    hits = find_dates("征求意见时间为2022年5月12日至2022年6月11日")
    assert [h.date for h in hits] == [D(2022, 5, 12), D(2022, 6, 11)]
