"""Transport: certificates verified and their problems recorded as facts (the round still reads the site and
completes); brotli and zstd pages read; compression bombs capped in every coding (issue 14 item 4)."""
from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest

from govcheck.collect.fetch import _Capped, decode_content
from govcheck.collect.query import fetches, tls_facts
from govcheck.collect.store import make_engine
from govcheck.inspect.run import run_inspect
from govcheck.sim.testing import region_in_process

MB = 1024 * 1024


def _zstd():
    try:
        from compression import zstd  # type: ignore
    except ImportError:
        from backports import zstd  # type: ignore
    return zstd


def test_every_coding_is_read_and_capped():
    import brotli

    page = "<html><title>页面</title>咸宁市人民政府</html>".encode() * 100
    zstd = _zstd()
    for enc, data in [("gzip", gzip.compress(page)), ("br", brotli.compress(page)), ("zstd", zstd.compress(page)),
                      ("gzip, br", brotli.compress(gzip.compress(page))),
                      ("zstd", zstd.compress(page[:1000]) + zstd.compress(page[1000:]))]:  # two frames
        assert decode_content(data, enc, 10 * MB) == page, enc
    zeros = b"\0" * (64 * MB)
    for enc, bomb in [("gzip", gzip.compress(zeros)), ("br", brotli.compress(zeros, quality=3)),
                      ("zstd", zstd.compress(zeros))]:
        assert len(bomb) < MB
        with pytest.raises(_Capped):
            decode_content(bomb, enc, 4 * MB)
    with pytest.raises(ValueError, match="unsupported_encoding"):
        decode_content(b"x", "compress", MB)


def test_tls_problems_are_recorded_and_the_round_completes(tmp_path):
    """The transport-demo replica: HTTPS with an expired certificate, HTTPS with a certificate for another
    host, HTTPS with a valid one (zstd pages), plain HTTP with brotli pages. The round trusts the replica's
    own CA (--ca-bundle), records both certificate problems as 需人工核查 items, and reads every site."""
    out = tmp_path / "round"
    with region_in_process("transport-demo", roster=tmp_path / "sites.csv") as reg:
        assert reg.ca_bundle
        res = run_inspect(reg.roster, out, at=dt.date(2022, 5, 15), rules="gb2019", seed=1, delay=0.0,
                          concurrency=4, progress=False, external=False, workers=1, allow=reg.allow,
                          ca_bundle=reg.ca_bundle)
    by_unit = {o.site.unit: o for o in res.sites}
    assert set(by_unit) == {"示范市统计局", "示范市民政局", "示范市水利局", "示范市林业局"}
    for o in res.sites:
        assert o.error is None and o.pages > 30, (o.site.unit, o.pages)  # every site was read
    engine = make_engine(f"sqlite:///{out}/round.sqlite")
    facts = {o.site.unit: tls_facts(engine, o.site.url) for o in res.sites}
    home_rows = {o.site.unit: fetches(engine, o.site.url, "page")[0] for o in res.sites}
    engine.dispose()
    assert [(f["ok"], f["problem"]) for f in facts["示范市统计局"]] == [(False, "expired")]
    assert [(f["ok"], f["problem"]) for f in facts["示范市民政局"]] == [(False, "hostname_mismatch")]
    assert facts["示范市民政局"][0]["names"] == ["www.another-unit.gov.cn"]
    assert [(f["ok"], f["problem"]) for f in facts["示范市水利局"]] == [(True, None)]  # trusted via the CA bundle
    assert facts["示范市林业局"] == []  # plain HTTP
    assert all(r["outcome"] == "ok" and r["error"] is None for r in home_rows.values())
    manual = json.loads((out / "manual.json").read_text(encoding="utf-8"))
    tls_items = {m["unit"]: m["what"] for m in manual if "HTTPS证书" in m["what"]}
    assert set(tls_items) == {"示范市统计局", "示范市民政局"}
    assert "证书已过期" in tls_items["示范市统计局"] and "证书与域名不符" in tls_items["示范市民政局"]
    assert (out / "findings.json").exists() and (out / "scores.json").exists()  # the round completed
    # `govcheck extract` of the archive reads brotli and zstd records too (warcio alone cannot)
    from govcheck.extract.warc import iter_warc_facts

    brotli_site = next(o.site.url for o in res.sites if o.site.unit == "示范市林业局")
    recs = [r for r in iter_warc_facts(out / "warc") if (r["url"] or "").startswith(brotli_site)]
    assert len(recs) > 30 and not [r for r in recs if "error" in r]
    assert any(r["facts"]["title"] for r in recs)


def test_round_network_settings(tmp_path):
    """round.toml's [network] allow-list and CA bundle (relative to round.toml), plus the command's own."""
    from govcheck.inspect.run import network_settings

    cfg = tmp_path / "round.toml"
    ca = tmp_path / "intranet-ca.pem"
    import shutil

    import certifi

    shutil.copy(certifi.where(), ca)
    meta = {"network": {"allow": ["10.1.0.0/16", "oa.example.gov.cn"], "ca_bundle": "intranet-ca.pem"}}
    over = network_settings(meta, cfg, ["127.0.0.1:8080"], None)
    assert over == {"allow_addresses": ["10.1.0.0/16", "oa.example.gov.cn", "127.0.0.1:8080"], "ca_bundle": str(ca)}
    assert network_settings({}, None, None, None) == {}
    for bad, words in [({"network": {"allow": "10.0.0.0/8"}}, "字符串列表"),
                       ({"network": {"allow": ["10.0.0.1:http"]}}, "允许访问的地址无效"),
                       ({"network": {"ca_bundle": "missing.pem"}}, "证书文件不存在")]:
        with pytest.raises(ValueError, match=words) as e:
            network_settings(bad, cfg, None, None)
        assert str(cfg) in str(e.value)  # names the file
