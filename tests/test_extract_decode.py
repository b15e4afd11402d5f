import codecs

from govcheck.extract.decode import decode_html

ZH = "<html><head><meta charset=\"gb2312\"></head><body>咸宁市人民政府 鄂ICP备05003312号 镕</body></html>"


def test_gb2312_declared_gbk_char_read_as_gb18030():
    data = ZH.encode("gb18030")  # 镕 is outside GB2312
    text, enc = decode_html(data)
    assert enc == "gb18030"
    assert "咸宁市人民政府" in text and "镕" in text


def test_http_header_charset_wins_over_guess():
    data = ZH.encode("gbk")
    text, enc = decode_html(data, "text/html; charset=GBK")
    assert enc == "gb18030" and "鄂ICP备" in text


def test_utf8_strict_first():
    data = ZH.replace("gb2312", "utf-8").encode("utf-8")
    assert decode_html(data) == (ZH.replace("gb2312", "utf-8"), "utf-8")


def test_utf8_page_mislabelled_gb2312_read_as_utf8():
    text, enc = decode_html(ZH.encode("utf-8"))
    assert enc == "utf-8" and "咸宁" in text


def test_utf16_with_bom_even_if_meta_says_gb2312():
    data = codecs.BOM_UTF16_LE + ZH.encode("utf-16-le")
    text, enc = decode_html(data)
    assert enc == "utf-16" and text.startswith("<html>") and "咸宁" in text


def test_utf16_be_bom_and_bomless():
    assert "咸宁" in decode_html(codecs.BOM_UTF16_BE + ZH.encode("utf-16-be"))[0]
    text, enc = decode_html(ZH.encode("utf-16-le"))
    assert enc == "utf-16-le" and "咸宁" in text


def test_utf8_bom_stripped():
    text, enc = decode_html(codecs.BOM_UTF8 + "<p>政务公开</p>".encode())
    assert text == "<p>政务公开</p>" and enc == "utf-8"


def test_garbage_never_raises():
    for data in (b"", b"\xff\xfe\xff", bytes(range(256)) * 3, b"\x80\x81<meta charset=bogus>\xfe"):
        text, enc = decode_html(data)
        assert isinstance(text, str) and enc


def test_undeclared_gbk_guessed():
    body = ("<html><body>" + "湖北省咸宁市人民政府办公室关于印发政府信息公开工作年度报告的通知。" * 20 + "</body></html>")
    text, enc = decode_html(body.encode("gbk"))
    assert "政府信息公开工作年度报告" in text
