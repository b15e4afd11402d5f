"""立即复查: re-crawl and re-check one site now, and say per published finding whether it is fixed.

The re-check is the real `govcheck inspect` (crawl → extract → checks) over a one-site roster, run as a child
process into `rechecks/<id>/` of the round folder, with the round's rule set and seed. Its findings are then
matched against the findings the unit was sent (`match_findings`, kept small so a shared previous-vs-current
matcher can replace it).
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from govcheck.store import now, sites
from govcheck.web.db import web_recheck
from govcheck.web.rounds import ConsoleError, RoundHandle

FIXED, NOT_FIXED, UNDECIDED = "已整改", "未整改", "需人工核查"
_running: dict[tuple[str, str], threading.Thread] = {}  # (round key, site URL)
_gate = threading.Semaphore(1)  # one re-check at a time: the machine's cores belong to everyone


def _identity(f: dict[str, Any]) -> dict[str, str]:
    """What a finding is about: its first evidence's column path, title and URL (the fields present). Later
    evidence items are context (the page a dead link is on), shared by many findings, so they do not count."""
    evs = f.get("evidence") or []
    first = evs[0] if evs and isinstance(evs[0], dict) else {}
    return {k: v.strip() for k in ("path", "title", "url") if isinstance(v := first.get(k), str) and v.strip()}


def match_findings(old: list[dict[str, Any]], new: list[dict[str, Any]], manual: list[dict[str, Any]],
                   site_error: str | None) -> dict[str, dict[str, Any]]:
    """Per old finding id: 未整改 when the re-check finds the same rule about the same thing (the same column
    path, title and URL of its first evidence); 已整改 when it does not; 需人工核查 when the re-check could not
    judge (site unreadable, or the rule became a manual item). Replaceable by a shared matcher."""
    manual_codes = {m.get("code") for m in manual}
    out: dict[str, dict[str, Any]] = {}
    for f in old:
        if site_error:
            out[f["id"]] = {"result": UNDECIDED, "note": f"复查时网站读取出错：{site_error}"[:300]}
            continue
        want = _identity(f)
        same_rule = [n for n in new if n.get("code") == f["code"]]
        hit = next((n for n in same_rule if all(_identity(n).get(k) == v for k, v in want.items())), None)
        if hit is not None:
            out[f["id"]] = {"result": NOT_FIXED, "note": "复查仍发现该问题", "new_id": hit.get("id")}
        elif f["code"] in manual_codes:
            out[f["id"]] = {"result": UNDECIDED, "note": "复查无法自动判定，需人工核查"}
        else:
            note = "复查未再发现该问题" + ("（同一规则在其他位置另有问题）" if same_rule else "")
            out[f["id"]] = {"result": FIXED, "note": note}
    return out


def _roster(h: RoundHandle, url: str, dest: Path) -> dict[str, Any]:
    with h.engine.connect() as c:
        r = c.execute(select(sites).where(sites.c.round_id == h.id, sites.c.url == url)).mappings().first()
    if r is None:
        raise ConsoleError("该网站不在本轮名单中")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["区域", "单位名称", "网站名称", "首页网址", "网站类型", "对外服务", "网站标识码", "其他域名"])
        w.writerow([r["region"], r["unit"], r["name"], r["url"], r["kind"], "是" if r["public_service"] else "否",
                    r["site_id_code"] or "", "；".join(r["extra_hosts"] or [])])
    return dict(r)


def start(h: RoundHandle, url: str, by: str, at: date, conf: dict[str, Any],
          old_findings: list[dict[str, Any]]) -> int:
    key = (h.info.key, url)
    t = _running.get(key)
    if t is not None and t.is_alive():
        raise ConsoleError("该网站的复查正在进行中")
    with h.engine.begin() as c:
        rid = c.execute(insert(web_recheck).values(round_id=h.id, target=url, unit="", state="running", at_date=at,
                                                   by=by, requested_at=now(), dir="")).inserted_primary_key[0]
    rel = f"rechecks/{rid:04d}"
    out = h.dir / rel
    try:
        site = _roster(h, url, out / "sites.csv")
    except ConsoleError:
        with h.engine.begin() as c:
            c.execute(update(web_recheck).where(web_recheck.c.id == rid).values(state="failed", error="不在名单中"))
        raise
    with h.engine.begin() as c:
        c.execute(update(web_recheck).where(web_recheck.c.id == rid).values(unit=site["unit"], dir=rel))
    rules = h.info.rules_files[-1] if h.info.rules_files and Path(h.info.rules_files[-1]).exists() else h.info.rules_name
    cmd = [sys.executable, "-m", "govcheck.cli", "inspect", "--sites", str(out / "sites.csv"), "--out", str(out / "round"),
           "--at", at.isoformat(), "--rules", str(rules), "--seed", str(h.info.seed), "--no-progress",
           "--max-pages", str(conf.get("max_pages", 3000)), "--concurrency", str(conf.get("concurrency", 4))]
    if conf.get("no_external", True):
        cmd.append("--no-external")
    if conf.get("delay") is not None:
        cmd += ["--delay", str(conf["delay"])]
    for addr in allow_list(h, conf):
        cmd += ["--allow", addr]
    timeout = float(conf.get("timeout_minutes", 30)) * 60
    thread = threading.Thread(target=_run, args=(h, rid, cmd, out, timeout, old_findings), daemon=True,
                              name=f"recheck-{rid}")
    _running[key] = thread
    thread.start()
    return rid


def allow_list(h: RoundHandle, conf: dict[str, Any]) -> list[str]:
    """Addresses the re-check may reach although private (an intranet site, a replica): the round's
    [network] allow plus the console's; only when the fetch layer takes an allow-list (`inspect --allow`)."""
    import inspect as pyinspect

    from govcheck.inspect.run import run_inspect

    if "allow" not in pyinspect.signature(run_inspect).parameters:
        return []
    net = h.info.meta.get("network") or {}
    return [str(a) for a in list(net.get("allow") or []) + list(conf.get("allow") or [])]


def _run(h: RoundHandle, rid: int, cmd: list[str], out: Path, timeout: float, old: list[dict[str, Any]]) -> None:
    state, error, results = "failed", None, None
    with _gate:
        try:
            with (out / "inspect.log").open("wb") as log:
                proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, timeout=timeout,
                                      env=dict(os.environ), cwd=str(out))
            if proc.returncode != 0:
                error = f"复查进程退出码 {proc.returncode}，见 {out / 'inspect.log'}"
            else:
                new = json.loads((out / "round" / "findings.json").read_text(encoding="utf-8"))
                manual_path = out / "round" / "manual.json"
                manual = json.loads(manual_path.read_text(encoding="utf-8")) if manual_path.exists() else []
                site_error = next((m["what"] for m in manual if m.get("code") == "*"), None)
                results = match_findings(old, [n for n in new if n.get("target_type") == "site"], manual, site_error)
                state = "done"
        except subprocess.TimeoutExpired:
            error = "复查超时"
        except Exception as e:  # noqa: BLE001 - recorded on the re-check, never kills the console
            error = f"{type(e).__name__}: {e}"[:500]
    with h.engine.begin() as c:
        c.execute(update(web_recheck).where(web_recheck.c.id == rid).values(
            state=state, error=error, results=results, finished_at=now()))


def wait(h: RoundHandle, url: str, timeout: float | None = None) -> None:
    t = _running.get((h.info.key, url))
    if t is not None:
        t.join(timeout)


def history(h: RoundHandle, url: str | None = None) -> list[dict[str, Any]]:
    q = select(web_recheck).where(web_recheck.c.round_id == h.id)
    if url:
        q = q.where(web_recheck.c.target == url)
    with h.engine.connect() as c:
        return [dict(r) for r in c.execute(q.order_by(web_recheck.c.id.desc())).mappings()]
