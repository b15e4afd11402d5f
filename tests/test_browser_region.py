"""The browser pass on whole rounds (real Chromium, replica sites over 127.0.0.1):

- a variety region whose every list of two styles (avalon, zfxxgk) comes only from a JSON endpoint filled by
  script: the round reads those lists as rendered (rows say `rendered`), and finds exactly what its oracle
  planted (stale columns among them), nothing on the lists that are fine;
- every finding of these rounds that points at a page has a screenshot whose crop shows its element: the
  crop's text, read from the rendered DOM inside the crop's box, holds the date, the link or the words the
  finding cites (derived here from the finding, not from the code that chose the element).

The browser pass is opt-in for `govcheck demo` (see govcheck/browser/README.md): these rounds are the small
ones the default suite can afford.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import struct
import sys
from pathlib import Path

import pytest

from govcheck.browser.pool import available

pytestmark = pytest.mark.skipif(not available(), reason="Debian chromium / playwright not installed "
                                                        "(scripts/install-system-deps.sh)")

SEED, N = 11, 4


@pytest.fixture(scope="module")
def json_round(tmp_path_factory):
    from govcheck.sim.variety import Options
    from govcheck.sim.variety_eval import inspect_region

    out = tmp_path_factory.mktemp("browser-json")
    res = inspect_region(SEED, N, out, opts=Options(force_mode="json", json_stale=True, styles=("avalon", "zfxxgk")),
                         workers=1, browser=True)
    return out, res


@pytest.fixture(scope="module")
def small_round(tmp_path_factory):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from small_region import small_scenario, time_point

    from govcheck.inspect.run import run_inspect
    from govcheck.sim.testing import region_in_process

    tmp = tmp_path_factory.mktemp("browser-small")
    with region_in_process(small_scenario, tmp / "sites.csv", args=(str(tmp),), feeds=False) as reg:
        run_inspect(reg.roster, tmp / "round", at=time_point(), rules="xianning-2022", seed=7, delay=0.0,
                    concurrency=8, progress=False, external=False, workers=1, allow=reg.allow, browser=True)
    return tmp


def _columns(cols):
    for c in cols:
        yield c
        yield from _columns(c.get("children") or [])


def test_json_only_lists_are_read_rendered_and_judged_exactly(json_round):
    out, res = json_round
    models = json.loads((out / "models.json").read_text(encoding="utf-8"))
    json_cols = [(s["url"], c) for s in models["sites"] for c in _columns(s["columns"]) if c.get("mode") == "json"]
    assert len(json_cols) >= 6 and {s["style"] for s in models["sites"]} == {"avalon", "zfxxgk"}
    # exactly the oracle's findings: no false deduction, nothing missed, on every site
    assert not res.errors
    assert all(s.ok for s in res.sites), [s.problems() for s in res.sites if not s.ok]
    facts = [json.loads(gzip.decompress(p.read_bytes())) for p in sorted((out / "round" / "facts").glob("*.json.gz"))]
    by_url = {}
    for f in facts:
        for c in f["site"]["columns"]:
            if c.get("url"):
                by_url[c["url"].rstrip("/")] = c
    rendered = 0
    for site_url, c in json_cols:
        fc = by_url.get((site_url.rstrip("/") + c["url"]).rstrip("/"))
        if fc is None or fc.get("role") != "list":
            continue
        # read from the page as rendered, not from the endpoint's data nor left to a person
        assert fc["list_source"] == "rendered" and fc["state"] == "pages", (c["path"], fc["list_source"], fc["state"])
        assert (not fc["items"]) == c["blank"]
        assert all(i["rendered"] for i in fc["items"])
        rendered += 1
    assert rendered >= len(json_cols) // 2
    # a stale script-filled column is a finding whose evidence is the rendered copy in the round's WARC
    found = json.loads((out / "round" / "findings.json").read_text(encoding="utf-8"))
    on_rendered = [f for f in found if any((e.get("archive") or {}).get("warc", "").startswith("warc/render-")
                                           for e in f["evidence"])]
    assert on_rendered, "no finding judged on a rendered list"
    summary = json.loads((out / "round" / "render.json").read_text(encoding="utf-8"))
    assert summary["rendered"] >= rendered and summary["failed"] == 0


def _records(round_dir: Path, warc: str):
    from warcio.archiveiterator import ArchiveIterator

    with open(round_dir / warc, "rb") as f:
        for rec in ArchiveIterator(f):
            yield rec.rec_type, dict(rec.rec_headers.headers), rec.content_stream().read()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _cited(f: dict, round_dir: Path) -> list[list[str]]:
    """What the finding cites, as groups of alternatives (one of each group must show), derived from the
    finding and the crawl's archived page only."""
    from govcheck.collect.query import read_record
    from govcheck.extract.dom import parse_page

    ev = [e for e in f["evidence"] if e.get("archive")]
    page = ev[0]
    day = next((e["date"] for e in f["evidence"] if e.get("date")), None)
    if day:
        y, m, d = day.split("-")
        return [[day, f"{y}/{m}/{d}", f"{y}.{m}.{d}", f"{y}.{int(m)}.{int(d)}", f"{y}年{int(m)}月{int(d)}日",
                 f"{y}年{m}月{d}日", f"{m}-{d}"]]
    links = [e["url"] for e in f["evidence"] if not e.get("archive") and e.get("url") and e["url"] != page["url"]]
    if links:
        arc = page["archive"]
        _, _, body = read_record(round_dir, arc["warc"], arc["offset"])
        p = parse_page(body, page["url"])
        texts = [a.text(separator="").strip() for a in p.tree.css("a[href]")
                 if p.url and links[0].endswith(a.attributes.get("href") or "\0")]
        return [[t for t in texts if t] or [links[0]]]
    if (f.get("params") or {}).get("element") or "底部" in f["text"]:
        return [["网站标识码", "主办", "版权", "备案"]]
    path = next((e["path"] for e in f["evidence"] if e.get("path")), None) or \
        (re.search(r"首页(?:>[^>，。\s]+)+", f["text"]) or [None])[0]
    if path:
        return [[seg for seg in path.split(">")[1:]]]
    return []


def _check_round_shots(round_dir: Path) -> int:
    found = json.loads((round_dir / "findings.json").read_text(encoding="utf-8"))
    checked = 0
    for f in found:
        if f["target_type"] != "site":
            continue
        pages = [e for e in f["evidence"] if e.get("archive") and e["url"].startswith("http")]
        if not pages:
            continue
        shot = pages[0].get("screenshot")
        assert shot, (f["code"], f["text"], pages[0]["url"])
        crop = (round_dir / shot["path"]).read_bytes()
        assert hashlib.sha256(crop).hexdigest() == shot["sha256"]
        assert hashlib.sha256((round_dir / shot["page"]).read_bytes()).hexdigest() == shot["page_sha256"]
        w, h = _png_size(crop)
        assert abs(w - shot["box"]["width"]) <= 2 and abs(h - shot["box"]["height"]) <= 2  # the crop is that box
        text = re.sub(r"\s+", "", shot["text"])
        assert text, f["code"]
        for group in _cited(f, round_dir):
            assert any(re.sub(r"\s+", "", g) in text for g in group), (f["code"], f["text"], group, shot["text"][:300])
        # the same picture is in the round's WARC, as a conversion record referring to the archived response
        recs = {h["WARC-Record-ID"]: (t, h, b) for t, h, b in _records(round_dir, shot["warc"])}
        t, head, body = recs[shot["record_id"]]
        assert t == "conversion" and body == crop and head["WARC-Refers-To"] == pages[0]["archive"]["record_id"]
        checked += 1
    return checked


def test_every_finding_on_a_page_has_a_crop_showing_what_it_cites(json_round, small_round):
    out, _ = json_round
    n_json = _check_round_shots(out / "round")
    n_small = _check_round_shots(small_round / "round")
    assert n_json >= 5 and n_small >= 3
    codes = {f["code"] for f in json.loads((small_round / "round" / "findings.json").read_text(encoding="utf-8"))}
    assert {"D21", "D22.1"} <= codes  # the footer and a broken link's anchor are among them
