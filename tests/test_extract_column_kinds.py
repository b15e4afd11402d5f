"""Column kinds on real column names read off real pages' navigation (tests/fixtures/column_kinds/real_names.csv):
precision per kind that a window rule judges, and how each kind is decided (named / alias / titles)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from govcheck.extract.columns import KindDecision, _kinds, decide_kind, name_kind, titles_kind

ROOT = Path(__file__).resolve().parent.parent


def _bench():
    spec = importlib.util.spec_from_file_location("column_kinds_bench", ROOT / "bench" / "column_kinds.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


BENCH = _bench()


def test_labelled_real_names_are_real_and_many(real_corpus):
    rows = BENCH.load()
    assert len(rows) >= 300
    assert len({r["name"] for r in rows}) == len(rows)
    known = {s.kind for s in _kinds().kinds} | {"other"}
    for r in rows:
        assert r["kind"] in known, r
        page = real_corpus / r["source"]
        assert page.is_file(), r
    # names outside the vocabulary and names that must stay "other" are part of the set
    assert sum(r["kind"] == "other" for r in rows) >= 50


def test_precision_per_window_kind_on_real_names():
    res, errors = BENCH.score(BENCH.load())
    win = BENCH.window_kinds()
    assert {"动态要闻", "政策文件", "政策解读"} <= win
    low = {k: v for k, v in res.items() if k in win and v["precision"] is not None and v["precision"] < 0.95}
    assert not low, (low, [e for e in errors if e[2] in low])
    for k in win:  # every window kind is represented, else its precision says nothing
        assert res.get(k, {}).get("tp", 0) >= 2, k


@pytest.mark.parametrize("name,kind", [
    ("建议提案办理", "other"),        # out of vocabulary: not a message column, not news
    ("新闻发言人", "other"),          # a person, not a news column
    ("领导动态", "动态要闻"),          # the head noun decides: news about leaders
    ("数据解读", "统计信息"),          # statistics, not 政策解读
    ("政策文件及解读", "政策文件"),     # the first conjunct
    ("成交公告", "政府采购"),          # a domain word beats the genre word
    ("市统计局", "other"),            # an organisation
    ("政策", "other"),               # a menu word, never the 政策文件 window
    ("全国科技活动周", "other"),       # 活动 only as a short name's last word
    ("学习贯彻党的二十大精神", "专题专栏"),
])
def test_name_rules(name, kind):
    assert name_kind(name)[0] == kind


def test_strict_window_kinds_never_from_generic_titles():
    meeting_rows = ["县政协召开2022年提案办理工作会议", "关于县人大代表建议办理情况的会议", "召开提案交办会"]
    assert titles_kind(meeting_rows)[0] == "other"  # 会议/召开 say nothing about the kind
    assert titles_kind(["关于某某问题的通知", "关于某某事项的公告"])[0] == "other"
    d = decide_kind("本级发布", ["关于印发养犬管理办法的通知", "示例县安全生产规定"])
    assert d == KindDecision("政策文件", "titles", "关于印发") and not d.named


def test_kind_source():
    assert decide_kind("工作动态").source == "name" and decide_kind("工作动态").named
    d = decide_kind("栏目一", aliases=[("sitemap", "部门动态")])
    assert (d.kind, d.source, d.read_from) == ("动态要闻", "sitemap", "部门动态") and d.named
    d = decide_kind("工作动态", path="首页>工作动态", overrides={"首页>工作动态": "专题专栏"})
    assert (d.kind, d.source) == ("专题专栏", "config")
    assert decide_kind("栏目A", ["甲", "乙"]).source == "none"
