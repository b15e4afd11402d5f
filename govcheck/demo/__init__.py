"""The built-in demo round: the Xianning 2022 Q2 notice, transcribed finding by finding.

Later stages replace the transcription by an inspection of the replica region; the outputs stay the same.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from govcheck.model import Account, Evidence, Finding, Site

DEMO_DIR = Path(__file__).resolve().parent / "xianning-2022q2"


@dataclass
class Transcription:
    meta: dict[str, Any]
    sites: list[Site]
    accounts: list[Account]
    findings: list[Finding]


def _evidence(items: list[dict[str, Any]] | None) -> list[Evidence]:
    return [Evidence.from_dict({k: (str(v) if v is not None else None) for k, v in e.items()}) for e in items or []]


def expand_site_findings(entries: list[dict[str, Any]], sites: list[Site], source_name: str) -> list[Finding]:
    """Turn `{code, evidence, count}` entries into one Finding per deduction."""
    url_of = {s.unit: s.url for s in sites}
    out: list[Finding] = []
    for entry in entries:
        unit = entry["unit"]
        if unit not in url_of:
            raise ValueError(f"{source_name}: 单位“{unit}”不在网站名单中")
        for spec in entry.get("findings") or []:
            ev = _evidence(spec.get("evidence"))
            n = int(spec.get("count", len(ev) or 1))
            params = dict(spec.get("params") or {})
            if len(ev) > 1 and n == len(ev):
                per = [[e] for e in ev]  # one deduction per evidence item
            else:
                per = [list(ev) for _ in range(n)]  # n deductions sharing the evidence
            for evs in per:
                out.append(Finding(unit=unit, target=url_of[unit], target_type="site", code=spec["code"],
                                   evidence=evs, params=dict(params), source="manual", review="confirmed"))
    return out


def expand_account_findings(entries: list[dict[str, Any]]) -> list[Finding]:
    out = []
    for a in entries:
        for spec in a.get("findings") or []:
            out.append(Finding(unit=a["unit"], target=a["name"], target_type="account", code=spec["code"],
                               account_type=a["type"], params=dict(spec.get("params") or {}),
                               evidence=_evidence(spec.get("evidence")), source="manual", review="confirmed"))
    return out


def load_transcription(folder: Path = DEMO_DIR) -> Transcription:
    from govcheck.roster import read_accounts, read_sites

    with (folder / "round.toml").open("rb") as f:
        meta = tomllib.load(f)
    sites = read_sites(folder / "sites.csv")
    # one roster for the demo and the replica: the replica's accounts (its 数据来源 feeds are unused here)
    from govcheck.newmedia.replica import OUT_DIR

    accounts = list(read_accounts(OUT_DIR / "accounts.csv"))
    site_entries = yaml.safe_load((folder / "site_findings.yaml").read_text(encoding="utf-8"))
    acc_entries = yaml.safe_load((folder / "account_findings.yaml").read_text(encoding="utf-8"))
    findings = expand_site_findings(site_entries, sites, str(folder / "site_findings.yaml"))
    findings += expand_account_findings(acc_entries)
    return Transcription(meta=meta, sites=sites, accounts=accounts, findings=findings)
