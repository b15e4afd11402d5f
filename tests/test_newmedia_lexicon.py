"""The wording lexicon: hits, the allow-list, implicit right forms, office files, bad files."""
from pathlib import Path

import pytest

from govcheck.newmedia.lexicon import Entry, Lexicon, LexiconError

FIX = Path(__file__).parent / "fixtures" / "newmedia"


@pytest.fixture(scope="module")
def lex():
    return Lexicon.load()


def test_builtin_lexicon_has_every_category_with_sources(lex):
    cats = {e.category for e in lex.entries}
    for c in ("国家领导人姓名与职务", "规范表述", "机构名称", "行政区划", "新华社禁用词", "常见错别字"):
        assert c in cats
    assert all(e.source for e in lex.entries)
    assert all(e.severity in ("严重", "一般") for e in lex.entries)
    assert lex.versions["core.yaml"]


def test_hit_carries_position_snippet_and_right_form(lex):
    text = "新闻：北朝鲜代表团抵达。"
    hits = lex.scan(text)
    assert len(hits) == 1
    h = hits[0]
    assert (h.wrong, h.right, h.severity, h.category) == ("北朝鲜", "朝鲜", "严重", "新华社禁用词")
    assert text[h.start:h.end] == "北朝鲜"
    assert "北朝鲜代表团" in h.snippet


def test_allow_list_wins_over_a_match_it_contains(lex):
    assert lex.scan("十字路口交通拥堵，交警现场疏导") == []
    # the same word outside the allow phrase still hits
    assert [h.wrong for h in lex.scan("网页出现口交等低俗词语")] == ["口交"]


def test_right_forms_never_hit(lex):
    for e in lex.entries:
        assert [h for h in lex.scan(e.right) if h.wrong == e.wrong] == [], e


def test_every_wrong_form_hits_alone(lex):
    for e in lex.entries:
        assert any(h.wrong == e.wrong for h in lex.scan("据报道，" + e.wrong + "。")), e


def test_longer_hit_wins_over_nested_one():
    lex = Lexicon.from_entries([
        Entry("共合国", "共和国", "规范表述", "一般", "t", "t"),
        Entry("中华人民共合国", "中华人民共和国", "规范表述", "严重", "t", "t"),
    ])
    hits = lex.scan("《中华人民共合国宪法》")
    assert [(h.wrong, h.severity) for h in hits] == [("中华人民共合国", "严重")]


def test_full_width_text_keeps_offsets():
    lex = Lexicon.from_entries([Entry("党的20大", "党的二十大", "规范表述", "一般", "t", "t")])
    text = "学习党的２０大精神"
    hits = lex.scan(text)
    assert len(hits) == 1 and text[hits[0].start:hits[0].end] == "党的２０大"


def test_leader_title_and_correct_title(lex):
    assert [h.right for h in lex.scan("国家主席李克强主持召开会议")] == ["国务院总理李克强"]
    assert lex.scan("国务院总理李克强主持召开会议") == []
    assert lex.scan("以习近平同志为核心的党中央") == []
    assert [h.severity for h in lex.scan("以习近平为核心的党中央")] == ["严重"]


def test_office_file_adds_and_overrides(lex):
    office = Lexicon.load(extra_files=[FIX / "office_lexicon.yaml"])
    assert len(office) == len(lex) + 1
    assert [h.right for h in office.scan("咸宁市大数据局召开会议")] == ["咸宁市政务服务和大数据管理局"]
    assert office.scan("访问咸宁市大数据局门户") == []  # the office's allow phrase
    assert [h.severity for h in office.scan("南朝鲜")] == ["严重"]
    assert [h.severity for h in lex.scan("南朝鲜")] == ["一般"]


def test_bad_file_names_file_and_entry():
    with pytest.raises(LexiconError) as e:
        Lexicon.load(extra_files=[FIX / "bad_lexicon.yaml"], builtin=False)
    msg = str(e.value)
    assert "bad_lexicon.yaml" in msg and "第2条" in msg and "很严重" in msg


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(LexiconError, match="nope.yaml"):
        Lexicon.load(extra_files=[tmp_path / "nope.yaml"], builtin=False)


def test_scans_website_article_text(real_corpus, lex):
    """Same checker on a real government article: it runs on page text and finds nothing serious."""
    from selectolax.lexbor import LexborHTMLParser

    page = real_corpus / "GeneralNewsExtractor" / "tests" / "shanxi" / "1.html"
    text = LexborHTMLParser(page.read_bytes().decode("utf-8", "replace")).body.text()
    assert len(text) > 500
    assert [h for h in lex.scan(text) if h.serious] == []


def test_no_serious_hit_on_any_real_saved_page(real_corpus, lex):
    """Body text of every saved real page (government sites and others): a 严重 hit there would be a
    false alarm that fails an account or a site."""
    from selectolax.lexbor import LexborHTMLParser

    from govcheck.extract.decode import decode_html

    pages = 0
    for p in sorted(real_corpus.rglob("*")):
        if p.suffix.lower() not in (".html", ".htm", ".shtml", ".jsp"):
            continue
        html, _ = decode_html(p.read_bytes())
        tree = LexborHTMLParser(html)
        text = tree.body.text(separator="\n") if tree.body else ""
        assert [h.wrong for h in lex.scan(text) if h.serious] == [], p
        pages += 1
    assert pages > 50


def test_allow_phrase_covers_only_its_own_span(lex):
    hits = lex.scan("路口交通口交")
    assert [(h.start, h.wrong) for h in hits] == [(4, "口交")]
