"""Round orchestration: store what a run derived, score, compute the notice, write every output file.

`govcheck demo`, `inspect`, `score`, `report`, `findings import` and `review` all go through here, so the files
a user gets are always produced the same way from the round's database, and every writer holds the round's
lock (govcheck.lock). A rerun on the same folder resumes the round (govcheck.store keeps imports, reviews and
score history); only `start_afresh` clears it, after moving everything into backups/.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from govcheck.db import DB_FILE
from govcheck.lock import round_lock
from govcheck.model import Account, Finding, Site
from govcheck.notice import RoundView, build_notice
from govcheck.report.doc import NoticeDoc
from govcheck.rules import RuleSet, load_ruleset
from govcheck.score import apply_rules, score_round
from govcheck.store import RoundInfo, Store, StoreError

BACKUP_DIR = "backups"
# What a run writes into its folder: moved into backups/<time>/ by a fresh start. Anything else in the
# folder (a roster, an import file, notes) is left where it is.
ROUND_PRODUCTS = ("round.sqlite", "round.sqlite-wal", "round.sqlite-shm", "warc", "facts", "extract-parts",
                  "findings.json", "scores.json", "round.json", "manual.json", "samples.json", "anomalies.json",
                  "附件*", "通报*", "整改情况对比表*")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file and rename, so a killed command never leaves half a file."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the mode every other output gets
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _json_default(o: Any) -> Any:
    if isinstance(o, date):
        return o.isoformat()
    raise TypeError(type(o))


@dataclass
class RoundResult:
    info: RoundInfo
    doc: NoticeDoc
    files: list[Path]
    view: RoundView


def rescore(store: Store, info: RoundInfo, rs: RuleSet, command: str | None = None) -> RoundView:
    """Re-print every finding from the rule set and recompute all scores (stored in one transaction each;
    the scores are also appended to the round's score history)."""
    items = apply_rules(store.findings(info.id), rs)
    sites = store.sites(info.id)
    accounts = store.accounts(info.id)
    scores = score_round(sites, accounts, items, rs, unassessed=store.access(info.id))
    store.save_rescore(info.id, items, scores, rs, command=command)
    meta = dict(info.meta)
    meta.setdefault("name", info.name)
    return RoundView(meta=meta, rs=rs, sites=sites, accounts=accounts, findings=items, scores=scores,
                     manual=store.manual_items(info.id))


def findings_json(items: list[Finding]) -> str:
    return json.dumps([f.to_dict() for f in items], ensure_ascii=False, indent=1, default=_json_default)


def portable_rules_files(files: list[str], round_dir: Path) -> list[str]:
    """Rule files as round.json records them: a built-in set by name, a file inside the round folder
    relative to it, any other file by its name only (the content hash identifies it), never this
    machine's absolute path."""
    from govcheck.rules import DATA_DIR

    out = []
    for f in files:
        p = Path(f)
        try:
            out.append(f"builtin:{p.resolve().relative_to(DATA_DIR.resolve()).as_posix()}")
            continue
        except ValueError:
            pass
        try:
            out.append(p.resolve().relative_to(Path(round_dir).resolve()).as_posix())
        except ValueError:
            out.append(p.name)
    return out


def write_outputs(out: Path, info: RoundInfo, view: RoundView, pdf: bool = False,
                  final: dict[str, Any] | None = None) -> tuple[NoticeDoc, list[Path]]:
    """Every output file of the round. The notice and its attachments are drafts (征求意见稿 with the
    counts of what is open) unless `final` is given: the publication record of govcheck.publish.publish,
    which alone decides that a round with open items may go out."""
    from govcheck.report.gate import draft_mark, gate_status

    status = gate_status(view.findings, view.manual)
    draft = None if final is not None else draft_mark(status, (view.meta.get("notice") or {}).get("draft_label"))
    doc = build_notice(view, draft=draft)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    p = out / "findings.json"
    atomic_write_text(p, findings_json(view.findings))
    files.append(p)
    p = out / "scores.json"
    atomic_write_text(p, json.dumps([s.to_dict() for s in view.scores], ensure_ascii=False, indent=1))
    files.append(p)
    p = out / "round.json"
    record = {
        "name": info.name, "at": info.at.isoformat(), "seed": info.seed,
        "rules": {"name": view.rs.name, "version": view.rs.version, "hash": view.rs.content_hash,
                  "files": portable_rules_files(view.rs.files, out)},
        "sites": len(view.sites), "accounts": len(view.accounts), "findings": len(view.findings),
        "status": "final" if final is not None else ("draft" if status.is_open else "ready"),
        "open": status.to_dict(),
    }
    if final is not None:
        record["publication"] = dict(final, at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    atomic_write_text(p, json.dumps(record, ensure_ascii=False, indent=1, default=_json_default))
    files.append(p)
    comparison = view.meta.get("comparison")
    site_rows = site_comparison_rows(view)
    if comparison or site_rows is not None:
        files.append(write_comparison(out, comparison or [], view, draft=draft, site_rows=site_rows))
    if view.manual:
        from govcheck.report.worklist import write_worklist

        files.append(write_worklist(out, view))
    from govcheck.report.render import render_notice

    files += render_notice(doc, out, pdf=pdf)
    return doc, files


COMPARISON_KEYS = (("still_failing_targets", "still"), ("fixed_targets", "fixed"), ("new_targets", "new"))


def site_comparison_rows(view: RoundView) -> list[list[str]] | None:
    """整改情况对比表's website rows: every finding of the previous notice (未整改, 需人工核查, 已整改) and every new
    one, per unit in roster order; None when the round has no website comparison (inspect --previous)."""
    from govcheck.rectify import STATES, site_matches

    matches = site_matches(view.meta, view.findings, view.rs)
    if matches is None:
        return None
    order = {s.unit: i for i, s in reversed(list(enumerate(view.sites)))}
    names = {s.url: s.name for s in view.sites}
    by_unit: dict[str, str] = {}
    for s in view.sites:  # a previous round's site URL may differ (another host, https): name it by its unit
        by_unit.setdefault(s.unit, s.name)
    rows = []
    for m in sorted(matches, key=lambda m: (order.get(m.finding.unit, len(order)), m.finding.unit,
                                           STATES.index(m.state))):
        f = m.current or m.previous
        e = f.evidence[0] if f.evidence else None
        where = (e.path or e.url or e.title or "") if e else ""
        rows.append([f.unit, names.get(f.target) or by_unit.get(f.unit, f.target), f.code, (m.previous or f).text,
                     where, m.state, m.note or ""])
    return rows


def comparison_rows(rows: list[dict[str, Any]], view: RoundView, states: dict[str, str]) -> list[list[str]]:
    """整改情况对比表 rows, one per account as 附件2 prints it (region, name, the roster's 主办单位, type),
    still failing first, then fixed, then new; each with this round's reason when it fails now."""
    from govcheck.notice import account_reason
    from govcheck.stats import account_stats

    roster: dict[str, list] = {}
    for a in view.accounts:
        roster.setdefault(a.name, []).append(a)
    failing = {(fa.name, fa.type): fa for fa in account_stats(view.accounts, view.scores, view.findings, view.rs).failed}
    region_order = {a.region: i for i, a in reversed(list(enumerate(view.accounts)))}
    out: list[tuple[tuple, list[str]]] = []
    for k, (key, which) in enumerate(COMPARISON_KEYS):
        state = states[which]
        for r in rows:
            for name in r.get(key) or []:
                cands = roster.get(name) or []
                # one name may be several accounts (健康咸宁 on two platforms): the failing ones now, if the
                # state says it fails now; else the one under the unit the comparison names
                if which != "fixed":
                    cands = [a for a in cands if (a.name, a.type) in failing] or cands
                else:
                    cands = [a for a in cands if a.unit == r["unit"]] or cands[:1]
                if not cands:
                    out.append(((k, len(region_order), name), ["", name, r["unit"], "", state, ""]))
                    continue
                for a in cands:
                    fa = failing.get((a.name, a.type))
                    reason = account_reason(fa, view.rs) if (fa and which != "fixed") else ""
                    out.append(((k, region_order.get(a.region, 0), a.name),
                                [a.region, a.name, a.unit, a.type, state, reason]))
    seen, result = set(), []
    for _, row in sorted(out, key=lambda x: x[0]):
        if tuple(row[:4]) in seen:
            continue
        seen.add(tuple(row[:4]))
        result.append(row)
    return result


def write_comparison(out: Path, rows: list[dict[str, Any]], view: RoundView, draft: str | None = None,
                     site_rows: list[list[str]] | None = None) -> Path:
    """整改情况对比表: the accounts the previous notice found failing and those failing now, whether fixed,
    still failing or new, laid out and printed like 附件2 (A4 landscape, fit to width); with `site_rows`
    (inspect --previous), the websites' findings on a sheet of their own, first."""
    from govcheck.report.doc import Table
    from govcheck.report.xlsx import SheetSpec, add_sheet, new_workbook, save_workbook

    from govcheck.notice import fill, load_template, with_defaults

    notice = view.meta.get("notice") or {}
    t = with_defaults(load_template(notice.get("template")), "attachments")
    wb = new_workbook()
    first = True
    if site_rows is not None:
        label = (view.meta.get("site_comparison") or {}).get("label") or notice.get("previous_label") or ""
        title = fill(t["site_comparison_title"], previous_label=label)
        wb.properties.title = title
        add_sheet(wb, SheetSpec(title=title, tables=[Table(t["site_comparison_header"], site_rows)],
                                name=t["site_comparison_sheet"], landscape=True, draft=draft), first=True)
        first = False
    if rows or first:
        title = fill(t["comparison_title"], previous_label=notice.get("previous_label") or "")
        if first:
            wb.properties.title = title
        add_sheet(wb, SheetSpec(title=title, tables=[Table(t["comparison_header"],
                                                           comparison_rows(rows, view, t["comparison_states"]))],
                                name="整改情况对比", landscape=True, draft=draft), first=first)
    return save_workbook(wb, out / "整改情况对比表.xlsx")


def open_round(round_dir: Path, db_url: str | None = None, key: str | None = None) -> tuple[Store, RoundInfo]:
    if db_url is None and not (Path(round_dir) / "round.sqlite").exists():
        raise StoreError(f"{round_dir} 不是轮次目录（其中没有 round.sqlite）")
    store = Store.for_dir(round_dir, db_url)
    return store, store.round(key or (None if db_url is None else str(Path(round_dir).resolve())))


def rules_for(info: RoundInfo, rules: str | None, overlays: list[str] | None = None) -> RuleSet:
    """The rule set named on the command line, else the round's own (its file if still there)."""
    if rules:
        return load_ruleset(rules, overlays)
    last = Path(info.rules_files[-1]) if info.rules_files else None
    base = info.rules_files[0] if info.rules_files else info.rules_name
    if last is not None and last.exists():
        # the stored chain starts at the base; loading its last file follows `extends` again
        return load_ruleset(last, overlays)
    return load_ruleset(Path(base).stem if base else info.rules_name, overlays)


# ---------------------------------------------------------------------------------------------- a run
def round_key(out: Path) -> str:
    return str(Path(out).resolve())


def attach_comparison(meta: dict, rows, label: str | None) -> dict:
    """Keep the rectification comparison (fixed / still failing / new per unit) with the round."""
    meta = {k: (dict(v) if isinstance(v, dict) else v) for k, v in meta.items()}
    if rows:
        meta["comparison"] = [r.to_dict() for r in rows]
        notice = meta.setdefault("notice", {})
        notice["previous_failed_accounts"] = sum(len(r.fixed) + len(r.still) for r in rows)
    return meta


def save_round(out: Path, *, meta: dict, rs: RuleSet, sites: list[Site], accounts: list[Account],
               findings: list[Finding], db: str | None = None, pdf: bool = False,
               access: Iterable[dict[str, Any]] | None = None,
               samples: Iterable[tuple[str, str, int, list[Any]]] | None = None,
               manual: list[dict[str, Any]] | None = None, command: str | None = None) -> RoundResult:
    """Store what a run derived in the round (creating it, or resuming it without losing anything the office
    entered), score it and write every output. `access`: targets the run could not assess; `samples`: what
    its sampling checks drew; `manual`: the 需人工核查 items its checks left to a person (unit, target,
    target_type, code, what, urls) — an item that already has a result keeps it. Each replaces the previous
    run's."""
    out = Path(out)
    r = meta["round"]
    with round_lock(out, command):
        store = Store.for_dir(out, db)
        key = round_key(out)
        rid, _ = store.ensure_round(
            key=key, name=r["name"], at=r["at"], ruleset=rs, seed=int(r.get("seed", 0)),
            meta={k: v for k, v in meta.items() if k != "round"} | {"name": r["name"]},
            sites_=sites, accounts_=accounts)
        store.replace_derived(rid, findings)
        if access is not None:
            store.replace_access(rid, access)
        if samples is not None:
            store.replace_samples(rid, samples)
        if manual is not None:
            store.sync_manual(rid, manual)
        info = store.round(key)
        view = rescore(store, info, rs, command=command)
        doc, files = write_outputs(out, info, view, pdf=pdf)
    return RoundResult(info=info, doc=doc, files=files, view=view)


def check_resumable(out: Path, db: str | None, at: date, seed: int, rs: RuleSet | None = None) -> None:
    """Fail before any work when the folder holds a round with another time point or seed (RoundMismatch),
    or with findings entered by hand under rules the rule set `rs` lacks (they could not be scored)."""
    if db is None and not (Path(out) / DB_FILE).exists():
        return
    from govcheck.store import RoundMismatch

    store = Store.for_dir(out, db)
    try:
        info = store.round(round_key(out) if db is not None else None)
    except StoreError:
        return
    if info.at != at or info.seed != seed:
        raise RoundMismatch.of(str(out), info.at, info.seed, at, seed)
    if rs is not None:
        missing = sorted({f.code for f in store.findings(info.id) if f.source != "auto" and f.code not in rs.rules})
        if missing:
            raise RoundMismatch(f"{out} 中已录入的问题用到规则 {'、'.join(missing)}，规则集 {rs.name} 中没有；"
                                "续查请用该轮次原来的规则集，或加 --fresh 另起一轮（原轮次先备份）。")


def _json_rows(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, default=lambda o: o.isoformat() if hasattr(o, "isoformat") else str(o))


def start_afresh(out: Path, db: str | None = None, *, site_urls: Iterable[str] = (),
                 keep: Iterable[Path] = ()) -> Path | None:
    """Clear the round in OUT so a run starts from nothing, after a backup: the round's products (database,
    archive, outputs) move into OUT/backups/<time>/, which is itself a round folder `govcheck report` can open.
    With --db (PostgreSQL), the round's rows and the crawl rows of `site_urls` are first written to
    backups/<time>/database.json.gz. Files in `keep` (this run's inputs) stay. Returns the backup folder."""
    out = Path(out)
    with round_lock(out):
        keep_set = {Path(k).resolve() for k in keep}
        moving = []
        for pattern in ROUND_PRODUCTS:
            for p in sorted(out.glob(pattern)):
                if p.resolve() not in keep_set and p.name != BACKUP_DIR:
                    moving.append(p)
        if not moving and db is None:
            return None
        bdir = out / BACKUP_DIR / datetime.now().strftime("%Y%m%d-%H%M%S")
        n = 1
        while bdir.exists():
            n += 1
            bdir = bdir.with_name(f"{bdir.name.split('~')[0]}~{n}")
        bdir.mkdir(parents=True)
        if db is not None:
            _export_and_clear(out, db, site_urls, bdir)
        for p in moving:
            shutil.move(str(p), str(bdir / p.name))
    return bdir


def _export_and_clear(out: Path, db: str, site_urls: Iterable[str], bdir: Path) -> None:
    from sqlalchemy import delete, select

    from govcheck.collect.store import make_engine as crawl_engine
    from govcheck.collect.store import metadata as crawl_metadata

    store = Store(db)
    key = round_key(out)
    dump: dict[str, Any] = {"round_key": key, "round": store.export_round(key), "crawl": {}}
    urls = sorted(set(site_urls))
    engine = crawl_engine(db)
    with engine.connect() as c:
        for t in crawl_metadata.sorted_tables:
            if "site" in t.c and urls:
                dump["crawl"][t.name] = [dict(r) for r in c.execute(select(t).where(t.c.site.in_(urls))).mappings()]
    with gzip.open(bdir / "database.json.gz", "wt", encoding="utf-8") as f:
        f.write(_json_rows([dump]))
    store.delete_round(key)
    with engine.begin() as c:
        for t in crawl_metadata.sorted_tables:
            if "site" in t.c and urls:
                c.execute(delete(t).where(t.c.site.in_(urls)))
    engine.dispose()
    store.engine.dispose()
