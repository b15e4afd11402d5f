"""Regression oracle for the extraction layer: same pages in, same facts out.

    python bench/extract_regress.py save [--out F]      # record the current outputs (default /tmp/extract_oracle.json)
    python bench/extract_regress.py check [--out F]     # compare the current outputs against the record

Pages: every HTML-like file of shared/corpus/real (html/htm/jsp) and a few hundred replica pages rendered by
govcheck.sim (styles-demo: all three CMS styles; xianning-2022q2: a TRS, a 大汉, an xxgk and the GBK site).
Per page it records extract_page() and every other public entry point callers use on a parsed page
(inspect's adapter and checks/build: nav/sitemap columns, consultation, messages, 机构职能, 领导, 年报, page
text, page links, API URLs). Used to prove speed work changes no output.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govcheck.extract import extract_from_page  # noqa: E402
from govcheck.extract.annual_report import report_sections, report_year  # noqa: E402
from govcheck.extract.columns import extract_nav_columns, extract_sitemap_columns, flatten  # noqa: E402
from govcheck.extract.consultation import extract_consultation, is_feedback  # noqa: E402
from govcheck.extract.dom import parse_page  # noqa: E402
from govcheck.extract.messages import extract_messages, extract_messages_text  # noqa: E402
from govcheck.extract.org import extract_leaders, extract_org_info, extract_org_sections  # noqa: E402
from govcheck.extract.pagination import api_urls, page_links  # noqa: E402
from govcheck.paths import real_corpus_dir  # noqa: E402

REF = dt.date(2022, 6, 30)


def _facts(data: bytes, url: str | None, ref: dt.date | None) -> dict:
    page = parse_page(data, url)
    d = extract_from_page(page, ref_date=ref)
    text = page.text
    pub = dt.date.fromisoformat(d["publish_date"]) if d.get("publish_date") else None
    out = {
        "page": d,
        "text_sha": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "scripts": len(page.scripts),
        "nav": [c.to_dict() for c in flatten(extract_nav_columns(page))],
        "sitemap": [c.to_dict() for c in flatten(extract_sitemap_columns(page))],
        "consult": extract_consultation(text, pub).to_dict(),
        "feedback": is_feedback(d.get("title") or "", text),
        "messages": [m.to_dict() for m in extract_messages(page)],
        "messages_text": [m.to_dict() for m in extract_messages_text(text)],
        "org": extract_org_info(page).to_dict(),
        "org_sections": [s.to_dict() for s in extract_org_sections(page)],
        "leaders": [repr(x) for x in extract_leaders(page)],
        "report_year": report_year(d.get("title") or ""),
        "report_sections": report_sections(text),
        "page_links": page_links(page),
        "api_urls": api_urls(page),
    }
    return json.loads(json.dumps(out, ensure_ascii=False, default=str))


def corpus_pages():
    corpus = real_corpus_dir()
    if corpus is None:
        return
    urls = {}
    try:
        for lab in json.loads((corpus / "labels-dev.json").read_text(encoding="utf-8"))["pages"]:
            urls[lab["file"]] = lab.get("url")
    except (OSError, ValueError, KeyError):
        pass
    for p in sorted(corpus.rglob("*")):
        if p.is_file() and p.suffix.lower() in (".html", ".htm", ".jsp"):
            rel = p.relative_to(corpus).as_posix()
            yield f"corpus:{rel}", p.read_bytes(), urls.get(rel), None


def sim_pages(name: str, site_filter=None, per_col_items: int = 3):
    from govcheck.sim.render import assign_urls, renderer_for
    from govcheck.sim.scenario import load_scenario

    scen = load_scenario(name)
    chosen = [s for s in scen.sites if site_filter is None or site_filter(s)]
    for site in chosen:
        assign_urls(site)
        r = renderer_for(site, scen.time_point)
        enc = site.encoding or "utf-8"

        def page(html: str, path: str, tag: str, site=site, enc=enc):
            return (f"sim:{name}:{site.key}:{tag}", html.encode(enc, errors="xmlcharrefreplace"),
                    f"http://{site.domain}{path}", scen.time_point)

        yield page(r.render_home(), "/", "home")
        yield page(r.render_sitemap(), "/wzdt/", "sitemap")
        for col in site.all_columns():
            yield page(r.render_column(col, 1), col.url, f"col{col.id}")
            kinds_seen = set()
            for it in col.items[:per_col_items]:
                yield page(r.render_item(it), it.url, f"item:{it.url}")
            for it in col.items:
                if it.kind in ("consult", "feedback", "message", "report") and it.kind not in kinds_seen:
                    kinds_seen.add(it.kind)
                    yield page(r.render_item(it), it.url, f"item:{it.url}")


def _xianning_pick():
    """One site per CMS style and the first non-UTF-8 (GBK) site."""
    st = {"styles": set(), "gbk": False}

    def pick(site) -> bool:
        gbk = (site.encoding or "utf-8").lower() not in ("utf-8", "utf8")
        if gbk and not st["gbk"]:
            st["gbk"] = True
            return True
        if site.style not in st["styles"]:
            st["styles"].add(site.style)
            return True
        return False
    return pick


def all_pages():
    yield from corpus_pages()
    yield from sim_pages("styles-demo")
    yield from sim_pages("xianning-2022q2", _xianning_pick(), per_col_items=1)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("save", "check"))
    ap.add_argument("--out", default="/tmp/extract_oracle.json")
    ap.add_argument("--show", type=int, default=10, help="differences to print")
    args = ap.parse_args()
    t0 = time.perf_counter()
    got: dict[str, dict] = {}
    for key, data, url, ref in all_pages():
        if key in got:
            continue
        try:
            got[key] = _facts(data, url, ref)
        except Exception as e:  # an exception is an output too
            got[key] = {"error": f"{type(e).__name__}: {e}"}
    took = time.perf_counter() - t0
    if args.mode == "save":
        Path(args.out).write_text(json.dumps(got, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        print(f"saved {len(got)} pages to {args.out} ({took:.1f} s)")
        return 0
    old = json.loads(Path(args.out).read_text(encoding="utf-8"))
    diff = [k for k in sorted(set(old) | set(got)) if old.get(k) != got.get(k)]
    print(f"{len(got)} pages now, {len(old)} recorded, {len(diff)} differ ({took:.1f} s)")
    for k in diff[: args.show]:
        a, b = old.get(k) or {}, got.get(k) or {}
        print("DIFF", k)
        for f in sorted(set(a) | set(b)):
            if a.get(f) != b.get(f):
                if isinstance(a.get(f), dict) and isinstance(b.get(f), dict):
                    for g in sorted(set(a[f]) | set(b[f])):
                        if a[f].get(g) != b[f].get(g):
                            print(f"   {f}.{g}: {json.dumps(a[f].get(g), ensure_ascii=False)[:300]}")
                            print(f"   {' ' * len(f + g)}-> {json.dumps(b[f].get(g), ensure_ascii=False)[:300]}")
                else:
                    print(f"   {f}: {json.dumps(a.get(f), ensure_ascii=False)[:300]}")
                    print(f"   {' ' * len(f)}-> {json.dumps(b.get(f), ensure_ascii=False)[:300]}")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
