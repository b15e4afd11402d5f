"""The new-media checks (M1 wording, M2 updates, M3 interaction, MH1–MH3 registration) and the
comparison with a previous round (R1 未整改 markers).

Each check is registered with the codes it produces (`@account_check`, like the website checks' `@check`), so
the rule registry (govcheck.checks.registry) finds every code's implementation, and `check_accounts` runs them
in registration order over one `AccountFacts` per account. Findings carry code + params + evidence and leave
`text` empty: the round core prints the rule sentence from the rule set. Thresholds (time point, window) are
arguments, wired by the caller from the rule set; their defaults are the registry's (a test compares them).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Mapping

import yaml

from govcheck.model import Account, Evidence, Finding, ManualItem
from govcheck.newmedia.lexicon import Hit, Lexicon
from govcheck.newmedia.roster import (
    DATA_DIR, RegistryEntry, canonical_platform, edit_distance, normalize_name, normalize_unit, platform_spec,
)
from govcheck.newmedia.timeline import Post, Timeline

ADVISORY_CODES = ("M2.3",)
MARKER_CODE = "R1"


@lru_cache(maxsize=None)
def wording() -> dict[str, str]:
    return yaml.safe_load((DATA_DIR / "wording.yaml").read_text(encoding="utf-8"))


def _w(key: str, **kw) -> str:
    return wording()[key].format(**kw)


def notice_date(d: date) -> str:
    """2022.1.25 — the notice's 最近更新时间 format (no zero padding)."""
    return _w("m2_last_update", d=d)


# ---------------------------------------------------------------- registry matching

@dataclass
class RegistryMatch:
    entry: RegistryEntry
    name_matches: bool


def match_registry(account: Account, entries: Iterable[RegistryEntry], max_edit: int = 1) -> RegistryMatch | None:
    """The entry that registers this account on its platform: same account ID, else the same
    normalised name (same unit preferred), else a name `max_edit` edits away under the same unit — a
    near-identical name is a wrongly registered name, not a missing registration."""
    platform = canonical_platform(account.type)
    cands = [e for e in entries if e.platform == platform]
    if not cands:
        return None
    name = normalize_name(account.name)
    unit = normalize_unit(account.unit)
    if account.account_id:
        aid = normalize_name(account.account_id)
        for e in cands:
            if e.account_id and normalize_name(e.account_id) == aid:
                return RegistryMatch(e, normalize_name(e.name) == name)
    same = [e for e in cands if normalize_name(e.name) == name]
    if same:
        same.sort(key=lambda e: normalize_unit(e.unit) != unit)
        return RegistryMatch(same[0], True)
    near = [e for e in cands if e.unit and normalize_unit(e.unit) == unit
            and 0 < edit_distance(normalize_name(e.name), name) <= max_edit]
    if near:
        return RegistryMatch(near[0], False)
    return None


def _is_closed(status: str) -> bool:
    return status.strip() in platform_spec()["closed_states"]


# ---------------------------------------------------------------- checks

@dataclass
class AccountFacts:
    """What the account checks read about one account."""

    account: Account
    timeline: Timeline | None
    matches: dict[str, RegistryMatch | None]  # registry system -> the entry registering the account there
    registry_systems: list[str]
    at: date
    window_days: int
    lexicon: Lexicon | None = None
    scan_days: int | None = None
    interaction: bool | None = None  # roster 互动功能 (None: not given)
    max_evidence: int = 10
    # registry system -> the files (name, XLSX sheet) it was read from: where a missing account was looked for
    searched: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)

    def finding(self, code: str, params: dict | None = None, evidence: list[Evidence] | None = None) -> Finding:
        acc = self.account
        return Finding(unit=acc.unit, target=acc.name, target_type="account", code=code, points=0.0,
                       params=params or {}, evidence=evidence or [], account_type=acc.type)


AccountCheckFn = Callable[[AccountFacts], Iterable[Finding]]


@dataclass
class AccountCheck:
    name: str
    codes: tuple[str, ...]
    fn: Callable
    doc: str
    per_account: bool = True  # False: a round-level producer (R1 from compare_rounds), not run per account


ACCOUNT_CHECKS: dict[str, AccountCheck] = {}


def account_check(*codes: str, per_account: bool = True):
    """Register a new-media check with the rule codes it can produce (the rule registry reads this)."""
    def deco(fn):
        ACCOUNT_CHECKS[fn.__name__] = AccountCheck(fn.__name__, codes, fn, (fn.__doc__ or "").strip(), per_account)
        return fn

    return deco


def serious_hits(text: str, lexicon: Lexicon, *, at: date | None = None, text_date: date | None = None) -> list[Hit]:
    """The lexicon hits of a text that count as 严重表述错误 (M1 for posts, V1.1 for website pages); dated terms
    are judged on `text_date` where known, else on `at`."""
    return [h for h in lexicon.scan(text, at=at, text_date=text_date) if h.serious]


def page_hits(text: str, lexicon: Lexicon, *, at: date | None, page_date: str | None,
              date_source: str | None) -> list[tuple[Hit, bool]]:
    """V1.1's hits on one website page, each with whether the page date it was judged on is stated. Dated terms
    (leaders' titles, renamed organs) are judged on the page's own date only when the page states it
    (`date_source` in wording.yaml page_date_stated, e.g. a labelled 发布日期; None: stated, for hand-made facts);
    otherwise on `at`, and a title outdated only under the unstated date comes back with False (a person checks
    the page date)."""
    day = _day(page_date)
    stated = day is not None and (date_source is None or date_source in wording()["page_date_stated"])
    hits = serious_hits(text, lexicon, at=at, text_date=day if stated else None)
    out = [(h, True) for h in hits]
    if day is not None and not stated:
        known = {(h.start, h.end) for h in hits}
        out += [(h, False) for h in serious_hits(text, lexicon, at=at, text_date=day)
                if h.kind == "stale" and (h.start, h.end) not in known]
    return out


def unstated_note(h: Hit, page_date: str, date_source: str | None) -> str:
    """Why an outdated title on a page whose date the page does not state goes to a person."""
    basis = wording()["page_date_sources"].get(date_source, date_source)
    return _w("v11_stale_unstated", note=hit_note(h), date=page_date[:10], basis=basis)


def check_accounts(
    accounts: Iterable[Account],
    registries: Iterable[RegistryEntry],
    timelines: Mapping[tuple[str, str], Timeline],
    at: date,
    window_days: int,
    lexicon: Lexicon | None,
    registry_systems: list[str] | None = None,
    *,
    scan_days: int | None = None,
    interaction: Mapping[tuple[str, str], bool] | None = None,
    max_evidence: int = 10,
    name_edit_distance: int = 1,
    codes: Iterable[str] | None = None,
) -> list[Finding]:
    """All new-media findings for the round. `registry_systems` lists the systems every account must
    be registered in (default: the systems present in `registries`); `scan_days` limits the wording
    scan to posts of that many days before `at` (None: every post up to `at`); `codes`: the rule set's codes
    (a rule set without the MH rules, such as gb2019, gets no MH finding)."""
    registries = list(registries)
    if registry_systems is None:
        registry_systems = list(dict.fromkeys(e.system for e in registries))
    by_system: dict[str, list[RegistryEntry]] = defaultdict(list)
    for e in registries:
        by_system[e.system].append(e)
    # the files each system was read from, to cite where an account was looked for and not found
    searched: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for e in registries:
        if e.file and (Path(e.file).name, e.sheet) not in searched[e.system]:
            searched[e.system].append((Path(e.file).name, e.sheet))
    interaction = interaction or {}
    wanted = None if codes is None else set(codes)
    checks = [c for c in ACCOUNT_CHECKS.values() if c.per_account and (wanted is None or wanted & set(c.codes))]
    out: list[Finding] = []
    for acc in accounts:
        key = (acc.name, acc.type)
        facts = AccountFacts(
            account=acc, timeline=timelines.get(key), registry_systems=registry_systems, at=at,
            window_days=window_days, lexicon=lexicon, scan_days=scan_days, interaction=interaction.get(key),
            max_evidence=max_evidence, searched=searched,
            matches={s: match_registry(acc, by_system.get(s, []), name_edit_distance) for s in registry_systems},
        )
        for c in checks:
            out.extend(f for f in c.fn(facts) if wanted is None or f.code in wanted)
    return out


@account_check("M1")
def serious_wording(a: AccountFacts) -> list[Finding]:
    """A post (up to the time point, within scan_days) with a 严重 lexicon hit."""
    tl = a.timeline
    if a.lexicon is None or tl is None or tl.status != "ok":
        return []
    hits = [(p, h) for p, h in scan_posts(tl, a.lexicon, a.at, a.scan_days) if h.serious]
    if not hits:
        return []
    ev = [Evidence(url=p.url, title=p.title or None, date=p.day.isoformat() if p.day else None,
                   note=hit_note(h), archive=tl.archive, fetched_at=tl.fetched_at) for p, h in hits[:a.max_evidence]]
    p0, h0 = hits[0]
    return [a.finding("M1", {"wrong": h0.wrong, "right": h0.right, "snippet": h0.snippet,
                             "category": h0.category, "hits": len(hits)}, ev)]


@account_check("M2.1", "M2.2", "M2.3")
def updates(a: AccountFacts) -> list[Finding]:
    """No post in the window (M2.1), none ever (M2.2), or the source could not be read (M2.3, advisory)."""
    return _check_updates(a.account, a.timeline, a.at, a.window_days, a.finding)


@account_check("M3")
def interaction_missing(a: AccountFacts) -> list[Finding]:
    """The roster marks the account as offering no working interaction (互动功能 = 否)."""
    if a.interaction is False:
        return [a.finding("M3", {}, [Evidence(note=_w("m3_note"))])]
    return []


@account_check("MH1.1", "MH1.2")
def not_registered(a: AccountFacts) -> list[Finding]:
    """Registered in none of the systems (MH1.1), or missing from some of them (MH1.2, one each)."""
    found = [s for s, m in a.matches.items() if m]
    joiner = wording()["systems_joiner"]
    systems = a.registry_systems
    if systems and not found:
        note = _w("mh1_note_none", systems=joiner.join(systems))
        return [a.finding("MH1.1", {"systems": systems},
                          _searched(note, [f for s in systems for f in a.searched.get(s, [])]))]
    out = []
    if found:
        for s in systems:
            if not a.matches[s]:
                note = _w("mh1_note_system", found=joiner.join(found), system=s)
                out.append(a.finding("MH1.2", {"system": s}, _searched(note, a.searched.get(s, []))))
    return out


@account_check("MH2")
def registered_name_wrong(a: AccountFacts) -> list[Finding]:
    """A registry entry found for the account (by ID, or a near name under the same unit) names it otherwise."""
    wrong_names = [(s, m) for s, m in a.matches.items() if m and not m.name_matches]
    if not wrong_names:
        return []
    s0, m0 = wrong_names[0]
    return [a.finding("MH2", {"registered_name": m0.entry.name, "system": s0},
                      [_cited(m.entry, _w("mh2_note", system=s, registered_name=m.entry.name, name=a.account.name))
                       for s, m in wrong_names])]


@account_check("MH3")
def registry_state_wrong(a: AccountFacts) -> list[Finding]:
    """The registry's state contradicts the account: closed but still posting, or open but closed."""
    return _check_state(a.account, a.timeline, a.matches, a.at, a.window_days, a.finding)


def _check_updates(acc: Account, tl: Timeline | None, at: date, window_days: int, finding) -> list[Finding]:
    if tl is None or tl.status == "failed":
        err = tl.error if tl else "未读取该账号的数据来源"
        ev = Evidence(url=tl.source if tl and tl.source and "://" in tl.source else None,
                      note=_w("m2_3_note", error=err), status=tl.http_status if tl else None,
                      fetched_at=tl.fetched_at if tl else None, archive=tl.archive if tl else None)
        return [finding("M2.3", {"error": err}, [ev])]
    if tl.status == "manual" and tl.manual_closed:
        return []
    src_url = tl.source if tl.source and "://" in tl.source else None
    if tl.status == "manual" and tl.manual_never:
        return [finding("M2.2", {}, [Evidence(note=_w("m2_note_manual", note=tl.note or "从未更新"))])]
    last = tl.last_update(at)
    if last is None:
        return [finding("M2.2", {}, [Evidence(url=src_url, note=_w("m2_note_never"), fetched_at=tl.fetched_at,
                                              archive=tl.archive, status=tl.http_status)])]
    if last < at - timedelta(days=window_days):
        note = _w("m2_note_stale", last=last.isoformat(), at=at.isoformat(), window=window_days)
        if tl.status == "manual" and tl.note:
            note += "；" + _w("m2_note_manual", note=tl.note)
        newest = max((p for p in tl.posts if p.day == last), key=lambda p: p.published, default=None)
        ev = Evidence(url=(newest.url if newest and newest.url else src_url), title=newest.title if newest else None,
                      date=last.isoformat(), note=note, fetched_at=tl.fetched_at, archive=tl.archive)
        return [finding("M2.1", {"last_update": notice_date(last),
                                 "last_update_cn": _w("m2_last_update_cn", d=last)}, [ev])]
    return []


def _check_state(acc, tl, matches, at, window_days, finding) -> list[Finding]:
    out = []
    for system, m in matches.items():
        if not m:
            continue
        st = m.entry.status
        if _is_closed(st) and tl is not None and tl.status != "failed":
            last = tl.last_update(at)
            if last and last >= at - timedelta(days=window_days):
                detail = _w("mh3_closed_but_live", system=system, status=st, window=window_days, last=last.isoformat())
                out.append(finding("MH3", {"detail": detail, "system": system}, [_cited(m.entry, detail)]))
        elif st and not _is_closed(st) and tl is not None and tl.status == "manual" and tl.manual_closed:
            detail = _w("mh3_open_but_closed", system=system, status=st, note=tl.note or "人工录入")
            out.append(finding("MH3", {"detail": detail, "system": system}, [_cited(m.entry, detail)]))
    return out


def scan_posts(tl: Timeline, lexicon: Lexicon, at: date, scan_days: int | None = None) -> list[tuple[Post, Hit]]:
    """Lexicon hits in the posts of a timeline published on or before `at` (and within scan_days)."""
    start = at - timedelta(days=scan_days) if scan_days is not None else None
    out = []
    for p in tl.posts:
        d = p.day
        if d is None or d > at or (start and d < start):
            continue
        text = p.title + "\n" + p.text if p.title else p.text
        out.extend((p, h) for h in lexicon.scan(text, at=at, text_date=d))
    return out


def hit_note(h: Hit) -> str:
    """The evidence note of a wording hit: the text found, the canonical form, why, where (character offset)."""
    key = {"near": "m1_note_near", "stale": "m1_note_stale"}.get(h.kind, "m1_note")
    return _w(key, wrong=h.wrong, right=h.right or "（无）", category=h.category, position=h.start + 1,
              snippet=h.snippet, reason=h.reason, term=h.term)


# ---------------------------------------------------------------- rounds

@dataclass
class ComparisonRow:
    unit: str
    fixed: list[str] = field(default_factory=list)  # targets failing before, clean now
    still: list[str] = field(default_factory=list)  # failing in both rounds
    new: list[str] = field(default_factory=list)  # failing now only

    def to_dict(self) -> dict:
        return {"unit": self.unit, "fixed": len(self.fixed), "still_failing": len(self.still), "new": len(self.new),
                "fixed_targets": self.fixed, "still_failing_targets": self.still, "new_targets": self.new}


def _target_key(f: Finding) -> tuple[str, str, str]:
    t = f.target.strip()
    if f.target_type == "site":
        t = t.lower().split("://", 1)[-1].rstrip("/")
    else:
        t = normalize_name(t)
    return (f.target_type, t, (f.account_type or "").strip())


def _counts(f: Finding, ignore: tuple[str, ...]) -> bool:
    return f.code not in ignore and f.code != MARKER_CODE and f.review != "dismissed"


def _same_problem(a: str, b: str, target_type: str) -> bool:
    if a == b:
        return True
    return target_type == "account" and a.split(".")[0] == b.split(".")[0]


@account_check(MARKER_CODE, per_account=False)
def compare_rounds(previous_findings: Iterable[Finding], current_findings: Iterable[Finding], previous_label: str,
                   *, ignore_codes: tuple[str, ...] = ADVISORY_CODES) -> tuple[list[Finding], list[ComparisonRow]]:
    """R1 markers for targets whose previous-notice problem is still there (an account's M2.1 and
    M2.2 count as the same problem), and per-unit rows of fixed / still failing / new targets."""
    prev: dict[tuple, list[Finding]] = defaultdict(list)
    cur: dict[tuple, list[Finding]] = defaultdict(list)
    for f in previous_findings:
        if _counts(f, ignore_codes):
            prev[_target_key(f)].append(f)
    for f in current_findings:
        if _counts(f, ignore_codes):
            cur[_target_key(f)].append(f)
    markers: list[Finding] = []
    rows: dict[str, ComparisonRow] = {}

    def row(unit: str) -> ComparisonRow:
        return rows.setdefault(unit, ComparisonRow(unit))

    for k, fs in cur.items():
        f0 = fs[0]
        if k in prev:
            row(f0.unit).still.append(f0.target)
            codes = [f.code for f in fs if any(_same_problem(f.code, p.code, f.target_type) for p in prev[k])]
            if codes:
                prev_codes = sorted({p.code for p in prev[k]})
                markers.append(Finding(
                    unit=f0.unit, target=f0.target, target_type=f0.target_type, code=MARKER_CODE, points=0.0,
                    params={"previous": previous_label, "codes": codes, "previous_codes": prev_codes},
                    evidence=[Evidence(note=_w("r1_note", previous=previous_label, codes="、".join(codes)))],
                    account_type=f0.account_type,
                ))
        else:
            row(f0.unit).new.append(f0.target)
    for k, fs in prev.items():
        if k not in cur:
            row(fs[0].unit).fixed.append(fs[0].target)
    return markers, sorted(rows.values(), key=lambda r: r.unit)


def load_previous_round(directory: str | Path) -> tuple[list[Finding], str]:
    """A previous round folder: its findings.json and the label the notice uses for it (round.json
    "label", e.g. "3月份"; else the folder name)."""
    d = Path(directory)
    fpath = d / "findings.json"
    try:
        data = json.loads(fpath.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{fpath}: 无法读取上一轮检查结果：{e}") from e
    if not isinstance(data, list):
        raise ValueError(f"{fpath}: 应为检查结果数组")
    findings = []
    for i, item in enumerate(data, start=1):
        try:
            findings.append(Finding.from_dict(item))
        except TypeError as e:
            raise ValueError(f"{fpath}: 第{i}条检查结果缺少字段：{e}") from e
    label = d.name
    meta = d / "round.json"
    if meta.exists():
        try:
            label = json.loads(meta.read_text(encoding="utf-8")).get("label") or label
        except json.JSONDecodeError as e:
            raise ValueError(f"{meta}: JSON格式错误：{e}") from e
    return findings, label


# ---------------------------------------------------------------- websites (V1.1)

def check_page_wording(unit: str, site: str, page_url: str, text: str, lexicon: Lexicon, *, title: str | None = None,
                       page_date: str | None = None, path: str | None = None, archive=None, code: str = "V1.1",
                       max_evidence: int = 10, at: date | None = None, date_source: str | None = None) -> list[Finding]:
    """V1.1 严重表述错误 for one website page (see page_wording); the 需人工核查 items are dropped here, so a
    caller that can carry them calls page_wording."""
    return page_wording(unit, site, page_url, text, lexicon, title=title, page_date=page_date, path=path,
                        archive=archive, code=code, max_evidence=max_evidence, at=at, date_source=date_source)[0]


def page_wording(unit: str, site: str, page_url: str, text: str, lexicon: Lexicon, *, title: str | None = None,
                 page_date: str | None = None, path: str | None = None, archive=None, code: str = "V1.1",
                 max_evidence: int = 10, at: date | None = None,
                 date_source: str | None = None) -> tuple[list[Finding], list[ManualItem]]:
    """V1.1 严重表述错误 for one website page: a finding (target = the site) when the page text has a
    严重 lexicon hit, evidence per hit with the page URL, column path and archive record, and the 需人工核查
    items of page_hits (a title outdated only under a page date the page does not state). A round does not call
    this: it reads the hits into SiteFacts.wording while the page is read, and the registered V1.1 check,
    govcheck.checks.wording, judges them there; this is the same judgement for one page."""
    judged = page_hits(text, lexicon, at=at, page_date=page_date, date_source=date_source)
    hits = [h for h, ok in judged if ok]
    manual = [ManualItem(code, unstated_note(h, page_date, date_source), [page_url]) for h, ok in judged if not ok]
    if not hits:
        return [], manual
    ev = [Evidence(path=path, url=page_url, title=title, date=page_date, archive=archive, note=hit_note(h))
          for h in hits[:max_evidence]]
    h0 = hits[0]
    return [Finding(unit=unit, target=site, target_type="site", code=code, points=0.0,
                    params={"wrong": h0.wrong, "right": h0.right, "snippet": h0.snippet, "category": h0.category,
                            "hits": len(hits)}, evidence=ev)], manual


def _day(iso: str | None) -> date | None:
    try:
        return date.fromisoformat(iso[:10]) if iso else None
    except ValueError:
        return None


def _cited(entry: RegistryEntry, note: str) -> Evidence:
    """Evidence citing the registry row a finding was judged against (file name, sheet, row)."""
    return Evidence(note=note, file=Path(entry.file).name if entry.file else None, sheet=entry.sheet, row=entry.row)


def _searched(note: str, files: list[tuple[str, str | None]]) -> list[Evidence]:
    """Evidence for an account not found: the registry files (and sheets) it was looked for in."""
    return [Evidence(note=note, file=name, sheet=sheet) for name, sheet in files] or [Evidence(note=note)]
