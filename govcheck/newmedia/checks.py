"""The new-media checks (M1 wording, M2 updates, M3 interaction, MH1–MH3 registration) and the
comparison with a previous round (R1 未整改 markers).

Findings carry code + params + evidence and leave `text` empty: the round core prints the rule
sentence from the rule set. Thresholds (time point, window) are arguments, wired by the caller from
the rule set.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

import yaml

from govcheck.model import Account, Evidence, Finding
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


def match_registry(account: Account, entries: Iterable[RegistryEntry]) -> RegistryMatch | None:
    """The entry that registers this account on its platform: same account ID, else the same
    normalised name (same unit preferred), else a name one edit away under the same unit — a
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
            and edit_distance(normalize_name(e.name), name) == 1]
    if near:
        return RegistryMatch(near[0], False)
    return None


def _is_closed(status: str) -> bool:
    return status.strip() in platform_spec()["closed_states"]


# ---------------------------------------------------------------- checks

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
) -> list[Finding]:
    """All new-media findings for the round. `registry_systems` lists the systems every account must
    be registered in (default: the systems present in `registries`); `scan_days` limits the wording
    scan to posts of that many days before `at` (None: every post up to `at`)."""
    registries = list(registries)
    if registry_systems is None:
        registry_systems = list(dict.fromkeys(e.system for e in registries))
    by_system: dict[str, list[RegistryEntry]] = defaultdict(list)
    for e in registries:
        by_system[e.system].append(e)
    interaction = interaction or {}
    out: list[Finding] = []
    for acc in accounts:
        key = (acc.name, acc.type)
        tl = timelines.get(key)

        def finding(code: str, params: dict | None = None, evidence: list[Evidence] | None = None) -> Finding:
            return Finding(unit=acc.unit, target=acc.name, target_type="account", code=code, points=0.0,
                           params=params or {}, evidence=evidence or [], account_type=acc.type)

        matches = {s: match_registry(acc, by_system.get(s, [])) for s in registry_systems}
        # M1 wording
        if lexicon is not None and tl is not None and tl.status == "ok":
            hits = [(p, h) for p, h in scan_posts(tl, lexicon, at, scan_days) if h.serious]
            if hits:
                ev = [Evidence(url=p.url, title=p.title or None, date=p.day.isoformat() if p.day else None,
                               note=hit_note(h)) for p, h in hits[:max_evidence]]
                p0, h0 = hits[0]
                out.append(finding("M1", {"wrong": h0.wrong, "right": h0.right, "snippet": h0.snippet,
                                          "category": h0.category, "hits": len(hits)}, ev))
        # M2 updates
        out.extend(_check_updates(acc, tl, at, window_days, finding))
        # M3 interaction
        if interaction.get(key) is False:
            out.append(finding("M3", {}, [Evidence(note=_w("m3_note"))]))
        # MH1 registration
        found = [s for s, m in matches.items() if m]
        joiner = wording()["systems_joiner"]
        if registry_systems and not found:
            out.append(finding("MH1.1", {"systems": registry_systems},
                               [Evidence(note=_w("mh1_note_none", systems=joiner.join(registry_systems)))]))
        elif found:
            for s in registry_systems:
                if not matches[s]:
                    out.append(finding("MH1.2", {"system": s},
                                       [Evidence(note=_w("mh1_note_system", found=joiner.join(found), system=s))]))
        # MH2 registered name
        wrong_names = [(s, m) for s, m in matches.items() if m and not m.name_matches]
        if wrong_names:
            s0, m0 = wrong_names[0]
            out.append(finding("MH2", {"registered_name": m0.entry.name, "system": s0},
                               [Evidence(note=_w("mh2_note", system=s, registered_name=m.entry.name, name=acc.name))
                                for s, m in wrong_names]))
        # MH3 registry state vs reality
        out.extend(_check_state(acc, tl, matches, at, window_days, finding))
    return out


def _check_updates(acc: Account, tl: Timeline | None, at: date, window_days: int, finding) -> list[Finding]:
    if tl is None or tl.status == "failed":
        err = tl.error if tl else "未读取该账号的数据来源"
        ev = Evidence(url=tl.source if tl and tl.source and "://" in tl.source else None,
                      note=_w("m2_3_note", error=err), status=tl.http_status if tl else None,
                      fetched_at=tl.fetched_at if tl else None)
        return [finding("M2.3", {"error": err}, [ev])]
    if tl.status == "manual" and tl.manual_closed:
        return []
    src_url = tl.source if tl.source and "://" in tl.source else None
    if tl.status == "manual" and tl.manual_never:
        return [finding("M2.2", {}, [Evidence(note=_w("m2_note_manual", note=tl.note or "从未更新"))])]
    last = tl.last_update(at)
    if last is None:
        return [finding("M2.2", {}, [Evidence(url=src_url, note=_w("m2_note_never"), fetched_at=tl.fetched_at)])]
    if last < at - timedelta(days=window_days):
        note = _w("m2_note_stale", last=last.isoformat(), at=at.isoformat(), window=window_days)
        if tl.status == "manual" and tl.note:
            note += "；" + _w("m2_note_manual", note=tl.note)
        newest = max((p for p in tl.posts if p.day == last), key=lambda p: p.published, default=None)
        ev = Evidence(url=(newest.url if newest and newest.url else src_url), title=newest.title if newest else None,
                      date=last.isoformat(), note=note, fetched_at=tl.fetched_at)
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
                out.append(finding("MH3", {"detail": detail, "system": system}, [Evidence(note=detail)]))
        elif st and not _is_closed(st) and tl is not None and tl.status == "manual" and tl.manual_closed:
            detail = _w("mh3_open_but_closed", system=system, status=st, note=tl.note or "人工录入")
            out.append(finding("MH3", {"detail": detail, "system": system}, [Evidence(note=detail)]))
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
                       max_evidence: int = 10, at: date | None = None) -> list[Finding]:
    """V1.1 严重表述错误 for one website page: a finding (target = the site) when the page text has a
    严重 lexicon hit, evidence per hit with the page URL, column path and archive record. Dated terms
    (leaders' titles, renamed organs) are judged on the page's own date where known, else on `at`
    (the round's 监测时间点)."""
    hits = [h for h in lexicon.scan(text, at=at, text_date=_day(page_date)) if h.serious]
    if not hits:
        return []
    ev = [Evidence(path=path, url=page_url, title=title, date=page_date, archive=archive, note=hit_note(h))
          for h in hits[:max_evidence]]
    h0 = hits[0]
    return [Finding(unit=unit, target=site, target_type="site", code=code, points=0.0,
                    params={"wrong": h0.wrong, "right": h0.right, "snippet": h0.snippet, "category": h0.category,
                            "hits": len(hits)}, evidence=ev)]


def _day(iso: str | None) -> date | None:
    try:
        return date.fromisoformat(iso[:10]) if iso else None
    except ValueError:
        return None
