"""Near-miss wording: one-character slips of canonical terms, validity periods, and the bars on real text."""
import datetime as dt
import random

import pytest

from govcheck.newmedia.lexicon import Entry, Lexicon, LexiconError, Term

D = dt.date


@pytest.fixture(scope="module")
def lex():
    return Lexicon.load()


def near(lex, text, **kw):
    return [(h.wrong, h.right) for h in lex.scan(text, **kw) if h.kind == "near"]


def test_grown_past_the_first_lexicon_with_sources(lex):
    assert len(lex) > 249
    assert len(lex.terms) > 150
    assert all(t.source for t in lex.terms if t.near)
    assert lex.versions["leaders.yaml"] and lex.versions["terms_state.yaml"]


@pytest.mark.parametrize("text,wrong,right", [
    ("学习《中华人民共和固宪法》", "中华人民共和固", "中华人民共和国"),  # 形近 at the last character
    ("中华人民共和和国成立以来", "中华人民共和和国", "中华人民共和国"),  # doubled character
    ("根据《中华人民共和》规定", "中华人民共和", "中华人民共和国"),  # last character missing before a boundary
    ("全国人民代表大会长务委员会", "全国人民代表大会长务委员会", "全国人民代表大会常务委员会"),  # 音近
    ("深入学习习近平新时代中国特色社会主议思想", "习近平新时代中国特色社会主议思想", "习近平新时代中国特色社会主义思想"),
    ("人民检查院依法提起公诉", "人民检查院", "人民检察院"),
    ("习近平总书纪强调", "习近平总书纪", "习近平总书记"),
    ("国务院总理李克墙主持会议", "国务院总理李克墙", "国务院总理李克强"),
    ("推动构建人类命运共同提", "人类命运共同提", "人类命运共同体"),
])
def test_near_misses_found(lex, text, wrong, right):
    assert (wrong, right) in near(lex, text)


@pytest.mark.parametrize("text", [
    "我国人民代表大会制度是符合国情的根本政治制度",  # 全国人民代表大会 minus 全, after 我
    "国家安全不容忽视",  # 国家安全部 with 部 → 不 (音近) in a phrase of its own
    "湖北省工业和信息化厅召开会议",  # local counterpart of 工业和信息化部
    "人力资源社会保障部 财政部关于做好有关工作的通知",  # 规范简称 (allow-list)
    "中国共产党第十九次全国代表大会和第二十一次会议",  # numbers vary legitimately
    "全省人民代表大会代表",  # 国 → 省: administrative level
    "国务院原总理李克强同志的遗体在北京火化",  # 原 inserted: obituary wording
    "1994年，当时国务院总理李鹏同志赠送",  # an earlier premier, not a slip of 李强
    "国家副主席习近平会见外宾",  # a title he held 2008–2013: valid text
    "中国共产主义青年团",
    "美国共产党和法国共产党",
])
def test_legitimate_look_alikes_are_not_hits(lex, text):
    assert near(lex, text) == []


def test_right_forms_and_canonical_terms_never_hit(lex):
    for t in lex.terms:
        assert [h for h in lex.scan("据报道，" + t.text + "。") if h.kind == "near"] == [], t.text
    for e in lex.entries:
        assert [h for h in lex.scan(e.right) if h.kind == "near"] == [], e.right


def test_hit_names_matched_text_canonical_term_and_position(lex):
    text = "会议指出，要坚持中华人民共合国宪法。"
    (h,) = lex.scan(text)
    assert text[h.start:h.end] == h.wrong == "中华人民共合国" and h.right == "中华人民共和国"
    text = "深入学习贯彻习近平新时代中国特色社会主义思像"
    (h,) = lex.scan(text)
    assert (h.kind, h.reason, h.term) == ("near", "音近字", "习近平新时代中国特色社会主义思想")
    assert text[h.start:h.end] == h.wrong and h.serious


# ---------------------------------------------------------------- validity periods

def test_title_valid_in_2022_is_wrong_in_2024(lex):
    text = "国务院总理李克强主持召开国务院常务会议"
    assert lex.scan(text, text_date=D(2022, 6, 1)) == []
    (h,) = lex.scan(text, text_date=D(2024, 6, 1))
    assert (h.kind, h.wrong, h.right, h.serious) == ("stale", "国务院总理李克强", "国务院总理李强", True)
    assert "2023-03-11" in h.reason


def test_title_not_yet_valid_is_wrong_even_undated(lex):
    text = "国务院总理李强主持召开国务院常务会议"
    assert [h.right for h in lex.scan(text, text_date=D(2022, 6, 1))] == ["国务院总理李克强"]
    assert [h.kind for h in lex.scan(text, at=D(2022, 6, 30))] == ["stale"]  # undated page, 2022 round
    assert lex.scan(text, at=D(2024, 6, 30)) == []


def test_outdated_title_on_undated_text_or_in_a_past_context_is_not_reported(lex):
    text = "国务院总理李克强主持召开国务院常务会议"
    assert lex.scan(text, at=D(2024, 6, 30)) == []  # an undated page may be older than the change
    assert lex.scan("时任国务院总理李克强出席", text_date=D(2024, 6, 1)) == []
    assert lex.scan("2019年3月，国务院总理李克强作政府工作报告", text_date=D(2024, 6, 1)) == []
    assert lex.scan(text, text_date=D(2023, 3, 20)) == []  # within the grace period after the change


def test_renamed_organ_is_outdated_only_after_its_change(lex):
    text = "国家卫生和计划生育委员会印发通知"
    assert lex.scan(text, text_date=D(2017, 5, 1)) == []
    (h,) = lex.scan(text, text_date=D(2020, 5, 1))
    assert (h.kind, h.right, h.serious) == ("stale", "国家卫生健康委员会", False)
    # a dated wrong → right entry applies only from its date
    e = Entry("国土资源部", "自然资源部", "机构名称", "一般", "t", "t", valid_from=D(2018, 3, 17))
    one = Lexicon.from_entries([e])
    assert one.scan("国土资源部", text_date=D(2016, 1, 1)) == []
    assert [h.right for h in one.scan("国土资源部", text_date=D(2019, 1, 1))] == ["自然资源部"]


def test_custom_terms_and_bad_periods(tmp_path):
    t = Term("中华人民共和国", "国家名称", "严重", "宪法", "t")
    lx = Lexicon.from_entries([], terms=[t])
    assert [h.right for h in lx.scan("中华人民共和囯")] == ["中华人民共和国"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("terms:\n  x:\n    entries:\n      - {term: 测试名称甲乙, valid_from: 2020-01-01, valid_to: 2019-01-01}\n",
                   encoding="utf-8")
    with pytest.raises(LexiconError, match="bad.yaml.*valid_to"):
        Lexicon.load(extra_files=[bad], builtin=False)


def test_feeds_m1_and_v11_with_dates():
    from govcheck.newmedia.checks import check_page_wording

    lx = Lexicon.load()
    fs = check_page_wording("某局", "http://x.gov.cn/", "http://x.gov.cn/a.html", "认真学习中华人民共和固宪法", lx,
                            path="首页>新闻", page_date="2022-05-01", at=D(2022, 6, 30))
    assert fs and fs[0].code == "V1.1"
    note = fs[0].evidence[0].note
    assert "中华人民共和固" in note and "中华人民共和国" in note and fs[0].evidence[0].url == "http://x.gov.cn/a.html"
    stale = "国务院总理李克强主持召开国务院常务会议"
    assert check_page_wording("某局", "s", "p", stale, lx, page_date="2022-05-01", at=D(2024, 6, 30)) == []
    assert len(check_page_wording("某局", "s", "p", stale, lx, page_date="2024-05-01", at=D(2024, 6, 30))) == 1


# ---------------------------------------------------------------- the bars on real text (seeded sample)

def test_recall_and_false_hits_on_real_sentences(real_corpus, lex):
    """Same measurement as bench/wording.py on a smaller fixed sample: recall ≥ 90% on planted slips and
    no false near-miss hit in the clean sentences (the bar is ≤ 1 per 10,000)."""
    from govcheck.newmedia import wording_eval as we

    sentences = we.clean_sentences(real_corpus)
    clean = [s for rows in sentences.values() for s in rows]
    assert len(clean) > 9000
    fh = [(s, h.wrong) for s, h in we.false_hits(lex, clean) if not we.known_error(s)]
    assert len(fh) * 10000 <= len(clean) * 1, fh
    sound, shape, common = we.confusion_sets(real_corpus)
    rng = random.Random(20261203)
    sample = rng.sample(clean, 3000)
    plants = we.plant(lex, sample, 1200, 20261203, sound, shape, common)
    found = sum(we.found(lex, p) for p in plants)
    assert found / len(plants) >= 0.90, found / len(plants)
