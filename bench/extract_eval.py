"""Per-field accuracy of `govcheck extract` on the labelled real pages (shared/corpus/real/labels-dev.json).

    python bench/extract_eval.py            # in-process (same function the CLI calls)
    python bench/extract_eval.py --cli      # through the `govcheck extract FILE --url URL --json` command
    python bench/extract_eval.py --misses   # list every miss with expected vs got

Scoring follows the corpus README: null or missing label = not scored; title matched by containment;
footer strings compared ignoring spaces, a "公安备案号：" prefix and an ICP "-N" sub-number.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from govcheck.paths import real_corpus_dir  # noqa: E402

FOOTER_KEYS = ["conac", "site_id_code", "icp", "police_record", "sponsor", "contact", "error_report_entry"]


def _norm_footer(key: str, v):
    if isinstance(v, bool) or v is None:
        return v
    s = re.sub(r"\s+", "", str(v))
    s = re.sub(r"^(公安备案号|公安机关备案号)[:：]?", "", s)
    if key == "icp":
        s = re.sub(r"[-－]\d+$", "", s)
    return s


def _title_ok(exp: str, got: str | None) -> bool:
    if not got:
        return False
    e, g = re.sub(r"\s+", "", exp), re.sub(r"\s+", "", got)
    return e in g or (len(g) >= 4 and g in e)


def run_cli(path: Path, url: str | None) -> dict:
    cmd = [sys.executable, "-m", "govcheck.cli", "extract", str(path), "--json"]
    if url:
        cmd += ["--url", url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip()[-500:])
    return json.loads(out.stdout)


def run_inprocess(path: Path, url: str | None) -> dict:
    from govcheck.extract import extract_page

    return extract_page(path.read_bytes(), url)


def score_page(lab: dict, got: dict) -> dict[str, bool]:
    """field -> correct, for every field the label scores."""
    res: dict[str, bool] = {}
    if lab.get("kind") is not None:
        res["kind"] = got.get("kind") == lab["kind"]
    if lab.get("title") is not None:
        res["title"] = _title_ok(lab["title"], got.get("title"))
    if lab.get("breadcrumb") is not None:
        res["breadcrumb"] = [re.sub(r"\s+", "", x) for x in got.get("breadcrumb") or []] == \
            [re.sub(r"\s+", "", x) for x in lab["breadcrumb"]]
    if "publish_date" in lab and lab["publish_date"] is not None:
        res["publish_date"] = got.get("publish_date") == lab["publish_date"]
    items = got.get("items") or []
    if lab.get("items_count") is not None:
        res["items_count"] = len(items) == lab["items_count"]
    for key, idx in (("items_first", 0), ("items_last", -1)):
        exp = lab.get(key)
        if exp is None:
            continue
        it = items[idx] if items else {}
        if exp.get("title") is not None:
            res[f"{key}.title"] = _title_ok(exp["title"], it.get("title"))
        if exp.get("date") is not None:
            res[f"{key}.date"] = it.get("date") == exp["date"]
    if lab.get("latest_date") is not None:
        dates = [i.get("date") for i in items if i.get("date")]
        res["latest_date"] = (max(dates) if dates else None) == lab["latest_date"]
    if lab.get("blank") is not None:
        res["blank"] = got.get("blank") == lab["blank"]
    foot = lab.get("footer")
    if isinstance(foot, dict):
        gf = got.get("footer") or {}
        for k in FOOTER_KEYS:
            if foot.get(k) is not None:
                res[f"footer.{k}"] = _norm_footer(k, gf.get(k)) == _norm_footer(k, foot[k])
    if lab.get("meta"):
        gm = got.get("meta") or {}
        res["meta"] = all(gm.get(k) == v for k, v in lab["meta"].items())
    if lab.get("encoding") is not None:
        res["encoding"] = got.get("encoding") == lab["encoding"]
    return res


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", action="store_true", help="run the govcheck extract command per page")
    ap.add_argument("--misses", action="store_true", help="print every miss")
    ap.add_argument("--labels", default=None, help="labels file (default shared/corpus/real/labels-dev.json)")
    ap.add_argument("--sim", default=None, metavar="SCENARIO",
                    help="instead: read back every page of a govcheck/sim scenario against its own truth")
    ap.add_argument("--htmldate", action="store_true",
                    help="instead: publish_date against htmldate's expected_dates.json (Chinese pages)")
    args = ap.parse_args()
    if args.htmldate:
        return htmldate_eval()
    if args.sim:
        return sim_eval(args.sim, args.misses)
    corpus = real_corpus_dir()
    if corpus is None:
        print("shared/corpus/real not found; set GOVCHECK_SHARED", file=sys.stderr)
        return 2
    labels_path = Path(args.labels) if args.labels else corpus / "labels-dev.json"
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    per_field: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    runner = run_cli if args.cli else run_inprocess
    for lab in labels["pages"]:
        path = corpus / lab["file"]
        try:
            got = runner(path, lab.get("url"))
        except Exception as e:  # noqa: BLE001 - a crash is a miss on every field, not the end of the run
            got = {}
            misses.append((lab["file"], "CRASH", None, repr(e)[:300]))
        for field, ok in score_page(lab, got).items():
            per_field[field][0] += int(ok)
            per_field[field][1] += 1
            if not ok:
                misses.append((lab["file"], field, _expected(lab, field), _got(got, field)))
    print(f"pages: {len(labels['pages'])}  ({labels_path.name}, {'cli' if args.cli else 'in-process'})")
    print(f"{'field':28} {'correct':>8} {'scored':>7} {'accuracy':>9}")
    worst = 1.0
    for field in sorted(per_field):
        ok, n = per_field[field]
        worst = min(worst, ok / n)
        print(f"{field:28} {ok:8d} {n:7d} {ok / n:9.1%}")
    tot_ok = sum(v[0] for v in per_field.values())
    tot_n = sum(v[1] for v in per_field.values())
    print(f"{'ALL':28} {tot_ok:8d} {tot_n:7d} {tot_ok / tot_n:9.1%}   (worst field {worst:.1%})")
    if args.misses:
        for m in misses:
            print("MISS", m[0], m[1], "expected:", json.dumps(m[2], ensure_ascii=False), "got:",
                  json.dumps(m[3], ensure_ascii=False))
    return 0


def htmldate_eval() -> int:
    """publish_date against the dates htmldate's authors published for their Chinese test pages."""
    from govcheck.extract import extract_page

    corpus = real_corpus_dir()
    if corpus is None:
        print("shared/corpus/real not found; set GOVCHECK_SHARED", file=sys.stderr)
        return 2
    base = corpus / "htmldate"
    expected = json.loads((base / "expected_dates.json").read_text(encoding="utf-8"))
    ok = 0
    for rel, v in sorted(expected.items()):
        got = extract_page((base / rel).read_bytes(), v.get("url"))["publish_date"]
        ok += got == v["expected_date"]
        print(f"{'ok  ' if got == v['expected_date'] else 'MISS'} {rel}  expected {v['expected_date']}  got {got}")
    print(f"publish_date: {ok} / {len(expected)}")
    return 0


def sim_eval(name: str, show: bool) -> int:
    """Agreement with the replica region: list rows/dates/blank/dynamic, breadcrumbs, article dates, footers,
    consultations, messages, annual reports, 机构职能 sections and 领导信息."""
    from govcheck.extract import extract_from_page
    from govcheck.extract.annual_report import report_sections, report_year
    from govcheck.extract.consultation import extract_consultation, is_feedback
    from govcheck.extract.dom import parse_page
    from govcheck.extract.messages import extract_messages
    from govcheck.extract.org import extract_leaders, extract_org_sections
    from govcheck.sim.render import assign_urls, renderer_for
    from govcheck.sim.scenario import load_scenario

    scen = load_scenario(name)
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []

    def score(field: str, ok: bool, detail) -> None:
        per[field][0] += int(ok)
        per[field][1] += 1
        if not ok:
            misses.append((field, detail))

    for site in scen.sites:
        assign_urls(site)
        r = renderer_for(site, scen.time_point)

        def read(html: str, path: str):
            data = html.encode(site.encoding or "utf-8", errors="xmlcharrefreplace")
            page = parse_page(data, f"http://{site.domain}{path}")
            return page, extract_from_page(page, scen.time_point)

        from govcheck.extract.columns import extract_sitemap_columns, flatten

        smap = extract_sitemap_columns(read(r.render_sitemap(), "/wzdt/")[0])
        score("sitemap.columns", {c.path_str() for c in flatten(smap)} == {c.path_str for c in site.all_columns()},
              site.key)
        page, got = read(r.render_home(), "/")
        score("home.kind", got["kind"] == "home", site.key)
        f, want = got["footer"], site.footer
        pres = want["present"]
        score("footer.site_id_code", f["site_id_code"] == (site.site_id_code if pres["site_id_code"] else None), site.key)
        score("footer.icp", f["icp"] == (want["icp"] if pres["icp"] else None), site.key)
        score("footer.sponsor", f["sponsor"] == (want["sponsor"] if pres["sponsor"] else None), site.key)
        for k in ("conac", "contact", "error_report_entry"):
            score(f"footer.{k}", f[k] is pres[k], site.key)
        for col in site.all_columns():
            where = f"{site.key} {col.path_str}"
            if col.ctype == "org":
                secs = extract_org_sections(read(r.render_column(col, 1), col.url)[0])
                w = col.content["sections"]
                score("org.sections", [s.name for s in secs] == [x["name"] for x in w] and all(
                    (s.info.head is None) == (not x["head"]) and (s.info.hours is None) == (not x["hours"])
                    for s, x in zip(secs, w)), where)
                continue
            if col.ctype == "leaders":
                names = {ld.name for ld in extract_leaders(read(r.render_column(col, 1), col.url)[0])}
                score("leaders.names", {x["name"] for x in col.content["leaders"]} <= names, where)
                continue
            if col.ctype in ("page", "nav"):
                continue
            _, got = read(r.render_column(col, 1), col.url)
            score("list.kind", got["kind"] == "list", (where, got["kind"]))
            score("list.breadcrumb", got["breadcrumb"] == col.path, (where, got["breadcrumb"]))
            if col.render == "json_api":
                score("list.dynamic_not_blank", got["dynamic_list"] and not got["blank"], where)
                continue
            want_rows = col.items[: col.page_size]
            score("list.items_count", len(got["items"]) == len(want_rows), (where, len(want_rows), len(got["items"])))
            score("list.dates", [i["date"] for i in got["items"]] == [it.date.isoformat() for it in want_rows], where)
            score("list.blank", got["blank"] is (not want_rows), where)
            for it in col.items[:3]:
                page, g = read(r.render_item(it), it.url)
                score("article.kind", g["kind"] == "article", (where, it.url, g["kind"]))
                score("article.publish_date", g["publish_date"] == it.date.isoformat(), (it.url, g["publish_date"]))
                score("article.title", bool(g["title"]) and it.title in g["title"], (it.url, g["title"]))
            for it in col.items:
                if it.kind not in ("consult", "feedback", "message", "report"):
                    continue
                page, g = read(r.render_item(it), it.url)
                if it.kind == "consult":
                    p = extract_consultation(page.text, it.date)
                    score("consult.end", p.end == it.extra["end"], (it.extra["period_text"], p.to_dict()))
                elif it.kind == "feedback":
                    score("consult.feedback", is_feedback(it.title, page.text), it.title)
                elif it.kind == "message":
                    ms = extract_messages(page)
                    score("message.dates_unit", bool(ms) and ms[0].asked == it.date
                          and ms[0].answered == it.extra["answered"] and ms[0].unit == it.extra["answer_unit"], it.url)
                else:
                    score("report.year_sections", report_year(it.title) == it.extra["year"]
                          and len(report_sections(page.text)) == 6, it.title)
    print(f"scenario: {name}  sites: {len(scen.sites)}")
    print(f"{'field':28} {'correct':>8} {'scored':>7} {'accuracy':>9}")
    for field in sorted(per):
        ok, n = per[field]
        print(f"{field:28} {ok:8d} {n:7d} {ok / n:9.1%}")
    if show:
        for m in misses:
            print("MISS", m[0], json.dumps(m[1], ensure_ascii=False, default=str))
    return 0


def _expected(lab: dict, field: str):
    if field.startswith("footer."):
        return lab["footer"][field[7:]]
    if "." in field:
        a, b = field.split(".")
        return lab[a][b]
    return lab.get(field)


def _got(got: dict, field: str):
    if field.startswith("footer."):
        return (got.get("footer") or {}).get(field[7:])
    items = got.get("items") or []
    if field == "items_count":
        return len(items)
    if field.startswith("items_"):
        a, b = field.split(".")
        it = (items[0] if a == "items_first" else items[-1]) if items else {}
        return it.get(b)
    if field == "latest_date":
        d = [i.get("date") for i in items if i.get("date")]
        return max(d) if d else None
    if field == "meta":
        return got.get("meta")
    return got.get(field)


if __name__ == "__main__":
    sys.exit(main())
