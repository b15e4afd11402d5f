"""Early warnings (预警): what is about to fail, per column and per account, before the window runs out.

A light re-check reads each site's home page and dated columns (a crawl a few links deep, the round's own
crawl → extract → facts code) and each account's feed. The rule set's own checks then decide, for each of the
next `horizon_days` days, what they would find on that day: a finding that appears on day k is a warning with
k days left ("要闻动态 已12天未更新，2天后将超期"); one already there today is overdue, marked new when the last
run did not have it. No window is computed here: the checks decide, so a warning can never disagree with the
round. Only rules whose params make them date-dependent are looked at (warnings.toml dated_params). V2 is
warned of from the monitoring record: outages in the rolling window against the veto threshold.

Outputs (OUT/warnings/): warnings.xlsx and feed.json (every unit, for the office), units/<unit>/warnings.xlsx
and warnings.json (that unit's only), state.json (what was overdue, for "new"), deliveries.json. Delivery by
e-mail (SMTP) and webhook sends each unit its own items only.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import math
import os
import re
import shutil
import tomllib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from govcheck.model import Finding, Site
from govcheck.rules import RuleSet, fmt_points

DATA_FILE = Path(__file__).resolve().parent / "data" / "warnings.toml"
CHINA = dt.timezone(dt.timedelta(hours=8))


class WarningsError(ValueError):
    """A warnings configuration that cannot be used; the message names the file and the key."""


@lru_cache(maxsize=None)
def data() -> dict[str, Any]:
    with DATA_FILE.open("rb") as f:
        return tomllib.load(f)


def words(key: str, **kw: Any) -> str:
    return data()["wording"][key].format(**kw)


# ---------------------------------------------------------------------------------------------- config
@dataclass
class UnitRoute:
    email: list[str] = field(default_factory=list)
    webhook: str | None = None


@dataclass
class WarnConfig:
    interval: float  # seconds between two light re-checks (in the monitor)
    first_delay: float
    horizon_days: int
    max_pages: int
    max_depth: int
    keep_runs: int
    availability_share: float
    dated_params: list[str]
    skip_codes: list[str]
    smtp: dict[str, Any] | None = None
    webhook: dict[str, Any] | None = None
    units: dict[str, UnitRoute] = field(default_factory=dict)
    path: str | None = None
    delay: float | None = None  # seconds between two requests to one host (None: the crawl's politeness)


_WARN_KEYS = {"interval_hours", "interval_seconds", "first_delay_seconds", "horizon_days", "max_pages", "max_depth",
              "keep_runs", "availability_share", "dated_params", "skip_codes", "delay"}
_SMTP_KEYS = {"host", "port", "ssl", "starttls", "user", "password_env", "sender", "timeout"}
_HOOK_KEYS = {"url", "headers", "timeout"}


def load_config(path: str | Path | None) -> WarnConfig:
    """Defaults (data/warnings.toml) overridden by an office's file; a bad key or value names the file."""
    base = dict(data()["warnings"])
    doc: dict[str, Any] = {}
    where = str(path) if path else str(DATA_FILE)
    if path is not None:
        try:
            with Path(path).open("rb") as f:
                doc = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise WarningsError(f"{path}: 无法读取预警配置：{e}") from None
        unknown = set(doc) - {"warnings", "smtp", "webhook", "unit"}
        if unknown:
            raise WarningsError(f"{path}: 未知的配置表：{'、'.join(sorted(unknown))}")
    w = doc.get("warnings", {})
    for key in w:
        if key not in _WARN_KEYS:
            raise WarningsError(f"{where}: [warnings] 未知的键 {key}")
    base.update(w)
    for key in ("horizon_days", "max_pages", "max_depth", "keep_runs"):
        v = base[key]
        if isinstance(v, bool) or not isinstance(v, int) or v < (0 if key == "horizon_days" else 1):
            raise WarningsError(f"{where}: [warnings] {key} 应为正整数，实为 {v!r}")
    interval = base.get("interval_seconds")
    if interval is None:
        interval = float(base["interval_hours"]) * 3600
    if not isinstance(interval, (int, float)) or interval <= 0:
        raise WarningsError(f"{where}: [warnings] interval_hours / interval_seconds 应为正数")
    smtp = doc.get("smtp")
    if smtp is not None:
        bad = set(smtp) - _SMTP_KEYS
        if bad or not smtp.get("host") or not smtp.get("sender"):
            raise WarningsError(f"{where}: [smtp] 需要 host 与 sender" + (f"；未知的键 {'、'.join(sorted(bad))}" if bad else ""))
    hook = doc.get("webhook")
    if hook is not None and (set(hook) - _HOOK_KEYS or not hook.get("url")):
        raise WarningsError(f"{where}: [webhook] 需要 url（可选 headers、timeout）")
    units: dict[str, UnitRoute] = {}
    for i, u in enumerate(doc.get("unit", []), start=1):
        if not isinstance(u, dict) or not isinstance(u.get("name"), str) or not u["name"].strip():
            raise WarningsError(f"{where}: 第{i}个 [[unit]] 缺少 name（单位名称，与名单一致）")
        email = u.get("email", [])
        email = [email] if isinstance(email, str) else list(email)
        if not all(isinstance(e, str) and "@" in e for e in email):
            raise WarningsError(f"{where}: [[unit]] {u['name']}: email 应为邮箱地址（或其列表）")
        units[u["name"].strip()] = UnitRoute(email=email, webhook=u.get("webhook"))
    return WarnConfig(interval=float(interval), first_delay=float(base["first_delay_seconds"]),
                      horizon_days=int(base["horizon_days"]), max_pages=int(base["max_pages"]),
                      max_depth=int(base["max_depth"]), keep_runs=int(base["keep_runs"]),
                      availability_share=float(base["availability_share"]), dated_params=list(base["dated_params"]),
                      skip_codes=list(base["skip_codes"]), smtp=smtp, webhook=hook, units=units,
                      path=str(path) if path else None,
                      delay=float(base["delay"]) if base.get("delay") is not None else None)


# ---------------------------------------------------------------------------------------------- warnings
@dataclass
class Warning:
    unit: str
    target: str  # site URL or account name
    target_type: str  # site / account
    kind: str  # due / over / availability
    code: str
    text: str
    left: int | None = None  # days (due), or outages (availability) left
    since: int | None = None  # days since the last update seen
    path: str | None = None
    url: str | None = None
    last: str | None = None  # the last update seen (YYYY-MM-DD)
    new: bool = False  # overdue now, not at the last run
    account_type: str | None = None
    id: str = ""

    def __post_init__(self):
        if not self.id:
            raw = json.dumps([self.unit, self.target, self.target_type, self.account_type, self.kind, self.code,
                              self.path, self.url], ensure_ascii=False)
            self.id = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def dated_codes(rs: RuleSet, cfg: WarnConfig, target: str) -> set[str]:
    """Rules whose params make them date-dependent (a window, a deadline): what can start failing as days pass."""
    from govcheck.checks.registry import entries

    reg = entries()
    out = set()
    for code, rule in rs.rules.items():
        if code in cfg.skip_codes or rule.target not in (target, "any") or not rule.scored:
            continue
        params = set(rule.params) | set((reg[code].params if code in reg else {}) or {})
        if params & set(cfg.dated_params):
            out.add(code)
    return out


def _ident(f: Finding) -> tuple:
    e = f.evidence[0] if f.evidence else None
    return (f.unit, f.target, f.target_type, f.account_type, f.code,
            (e.path or e.url or e.title) if e else None)


def _name(f: Finding) -> str | None:
    """What the unit calls the thing that goes stale: the column (last part of its path) or the account."""
    if f.target_type == "account":
        return f"“{f.target}”{f.account_type or ''}"
    e = f.evidence[0] if f.evidence else None
    if e and e.path:
        return re.split(r"\s*[>＞›»]\s*", e.path)[-1].strip() or None
    return None


def to_warning(f: Finding, rs: RuleSet, today: dt.date, left: int, new: bool = False) -> Warning:
    e = f.evidence[0] if f.evidence else None
    last = None
    since = None
    if e and e.date:
        try:
            last = dt.date.fromisoformat(e.date[:10])
            since = (today - last).days
        except ValueError:
            last = None
    name = _name(f)
    kind = "due" if left > 0 else "over"
    if since is not None and name:
        text = words(f"{kind}_stale", name=name, since=since, left=left)
    else:
        what = (e.path or e.title or e.url or "") if e else ""
        text = words(kind, short=rs.rule(f.code).render_short(f.params), what=what or f.target, left=left)
    return Warning(unit=f.unit, target=f.target, target_type=f.target_type, kind=kind, code=f.code, text=text,
                   left=left if left > 0 else None, since=since, path=e.path if e else None,
                   url=e.url if e else None, last=last.isoformat() if last else None, new=new,
                   account_type=f.account_type)


def scan_days(check, today: dt.date, horizon: int) -> dict[tuple, tuple[int, Finding]]:
    """Run `check(day) -> findings` for today and each of the next `horizon` days; each finding's identity →
    (the first day offset it appears on, the finding as first found)."""
    first: dict[tuple, tuple[int, Finding]] = {}
    for k in range(horizon + 1):
        for f in check(today + dt.timedelta(days=k)):
            first.setdefault(_ident(f), (k, f))
    return first


def site_warnings(facts, rs: RuleSet, today: dt.date, seed: int, cfg: WarnConfig) -> list[Warning]:
    from govcheck.checks import run_checks

    codes = dated_codes(rs, cfg, "site")
    first = scan_days(lambda day: run_checks(facts, rs, day, seed, codes=codes).findings, today, cfg.horizon_days)
    return [to_warning(f, rs, today, k) for k, f in first.values()]


def account_warnings(nm, rs: RuleSet, today: dt.date, cfg: WarnConfig) -> list[Warning]:
    """`nm`: newmedia.pipeline.NewMediaResult read today (feeds fetched once, judged on each day)."""
    from govcheck.checks.base import param
    from govcheck.newmedia.checks import check_accounts

    codes = dated_codes(rs, cfg, "account")
    if not codes:
        return []
    window = int(param(rs, "M2.1", "window_days")) if "M2.1" in rs.rules else 14
    systems = None

    def check(day: dt.date) -> list[Finding]:
        return check_accounts(nm.accounts, nm.registry, nm.timelines, day, window, None, systems, codes=codes)

    first = scan_days(check, today, cfg.horizon_days)
    return [to_warning(f, rs, today, k) for k, f in first.values()]


def availability_warnings(store, sites: list[Site], rs: RuleSet, now: dt.datetime, cfg: WarnConfig) -> list[Warning]:
    """Sites whose outages in V2's rolling window reach `availability_share` of the veto threshold, counted
    against the probes a full window will hold at the monitor's interval; and key columns (monitor --columns)
    whose outages reach that share of V2's ratio (a column's outage is no veto: V2 is the home page's)."""
    from govcheck.checks.base import param
    from govcheck.collect.probe import NOT_VISITS, OUTAGE_KINDS

    days = int(param(rs, "V2", "window_days"))
    ratio = float(param(rs, "V2", "threshold_ratio"))
    since = now - dt.timedelta(days=days)

    def counted(url: str):
        rows = [r for r in store.rows(url, since, now) if r.kind not in NOT_VISITS]
        return rows, [r for r in rows if r.kind in OUTAGE_KINDS]

    def share_of(down, rows) -> str:
        return fmt_points(round(100 * len(down) / len(rows), 1)) + "%"

    out = []
    for s in sites:
        rows, down = counted(s.url)
        if not rows or not down:
            continue
        interval = float(param(rs, "V2", "probe_interval_portal_seconds" if s.kind == "门户" else "probe_interval_seconds"))
        expected = max(len(rows), days * 86400 / interval)
        limit = math.ceil(ratio * expected)
        if len(down) < cfg.availability_share * limit and len(down) / len(rows) < cfg.availability_share * ratio:
            continue
        left = max(0, limit - len(down))
        over = len(down) / len(rows) >= ratio and len(down) >= limit
        text = words("availability_over" if over else "availability_due", days=days, visits=len(rows),
                     failures=len(down), share=share_of(down, rows), left=left)
        out.append(Warning(unit=s.unit, target=s.url, target_type="site", kind="availability", code="V2", text=text,
                           left=None if over else left, url=s.url,
                           last=max(r.at for r in down).astimezone(CHINA).date().isoformat()))
    roster = {s.url: s for s in sites}
    for t in store.targets(role="column"):
        s = roster.get(t.site)
        if s is None:
            continue  # a column of a site no longer on the roster
        rows, down = counted(t.url)
        if not rows or len(down) / len(rows) < cfg.availability_share * ratio:
            continue
        text = words("column_availability", name=t.name or t.url, days=days, visits=len(rows), failures=len(down),
                     share=share_of(down, rows))
        out.append(Warning(unit=s.unit, target=s.url, target_type="site", kind="availability", code="", text=text,
                           url=t.url, path=t.name, last=max(r.at for r in down).astimezone(CHINA).date().isoformat()))
    return out


# ---------------------------------------------------------------------------------------------- a pass
@dataclass
class WarnResult:
    out: Path
    warnings: list[Warning]
    files: list[Path]
    deliveries: list[dict[str, Any]]
    errors: list[str]


def light_options(cfg: WarnConfig, network: dict[str, Any]):
    from govcheck.collect.config import CrawlOptions

    over = {"min_delay": cfg.delay, **network}
    return CrawlOptions.defaults(max_pages=cfg.max_pages, max_depth=cfg.max_depth, check_external=False,
                                 fetch_assets=False, **over)


def run_warn(sites: list[Site], out: Path, cfg: WarnConfig, rs: RuleSet, *, today: dt.date | None = None,
             seed: int = 0, probes: str | None = None, network: dict[str, Any] | None = None,
             accounts: Path | None = None, registries: list[Path] = (), variables: dict[str, str] | None = None,
             deliver: bool = True, workers: int = 1) -> WarnResult:
    """One early-warning pass over the roster: light re-check, warnings, files, delivery."""
    from govcheck.collect.probe import ProbeStore
    from govcheck.db import db_url_for
    from govcheck.inspect.run import crawl_and_build

    now = dt.datetime.now(CHINA)
    today = today or now.date()
    wdir = Path(out) / "warnings"
    run_dir = wdir / "runs" / now.strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    opts = light_options(cfg, network or {})
    errors: list[str] = []
    builds = asyncio.run(crawl_and_build(sites, run_dir, db_url_for(run_dir), opts, today, rs, workers=workers))
    found: list[Warning] = []
    for s in sites:
        b = builds.get(s.url)
        if isinstance(b, Exception) or b is None or not b.pages:
            errors.append(f"{s.unit} {s.url}：未能读取首页，本次无栏目预警")
            continue
        found += site_warnings(b.facts, rs, today, seed, cfg)
    if accounts is not None:
        from govcheck.checks.base import param
        from govcheck.newmedia.pipeline import run_newmedia

        window = int(param(rs, "M2.1", "window_days")) if "M2.1" in rs.rules else 14
        nm = run_newmedia(accounts, list(registries), today, window, variables=variables,
                          codes=dated_codes(rs, cfg, "account"), fetch=opts, lexicon=None)
        found += account_warnings(nm, rs, today, cfg)
    if probes:
        store = ProbeStore(probes)
        try:
            found += availability_warnings(store, sites, rs, now.astimezone(dt.timezone.utc), cfg)
        finally:
            store.close()
    state_path = wdir / "state.json"
    before = set(_read_json(state_path, {}).get("over", []))
    for w in found:
        w.new = w.kind == "over" and w.id not in before
    found.sort(key=_order(sites))
    files = write_files(wdir, found, today)
    from govcheck.round import atomic_write_text

    atomic_write_text(state_path, json.dumps({"at": now.isoformat(), "over": sorted(w.id for w in found if w.kind == "over")},
                                             ensure_ascii=False))
    _prune_runs(wdir / "runs", cfg.keep_runs)
    sent = send(cfg, found, today, wdir, network or {}) if deliver else []
    return WarnResult(out=wdir, warnings=found, files=files, deliveries=sent, errors=errors)


def _order(sites: list[Site]):
    rank = {s.unit: i for i, s in enumerate(sites)}
    kinds = {"availability": 0, "over": 1, "due": 2}
    return lambda w: (rank.get(w.unit, len(rank)), w.unit, kinds[w.kind], w.left or 0, w.target, w.text)


def _read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def _prune_runs(runs: Path, keep: int) -> None:
    folders = sorted(p for p in runs.iterdir() if p.is_dir())
    for p in folders[:-keep]:
        shutil.rmtree(p, ignore_errors=True)


# ---------------------------------------------------------------------------------------------- files
def unit_folder(unit: str) -> str:
    """A unit's folder name: its name, with characters no file system accepts replaced."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", unit).strip(" .") or "_"


def by_unit(found: Iterable[Warning]) -> dict[str, list[Warning]]:
    out: dict[str, list[Warning]] = {}
    for w in found:
        out.setdefault(w.unit, []).append(w)
    return out


def line(w: Warning) -> str:
    return w.text + (words("new_mark") if w.new else "")


def json_feed(found: list[Warning], title: str, today: dt.date) -> dict[str, Any]:
    """A JSON Feed (https://jsonfeed.org/version/1.1) of warnings: any feed reader shows it."""
    stamp = dt.datetime.combine(today, dt.time(), CHINA).isoformat()
    kinds = data()["wording"]["kinds"]
    return {
        "version": "https://jsonfeed.org/version/1.1", "title": title, "language": "zh-CN",
        "items": [{"id": f"{w.id}-{today.isoformat()}", "title": f"{w.unit}：{line(w)}", "content_text": line(w),
                   "url": w.url, "date_published": stamp, "tags": [kinds[w.kind], w.code],
                   "_govcheck": w.to_dict()} for w in found],
    }


def write_xlsx(path: Path, found: list[Warning], today: dt.date) -> Path:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    from govcheck.report.cells import append

    wd = data()["wording"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "预警"
    append(ws, [wd["xlsx_title"].format(date=today.isoformat())])
    ws["A1"].font = Font(bold=True, size=14)
    append(ws, wd["xlsx_header"])
    for c in ws[2]:
        c.font = Font(bold=True)
    for w in found:
        target = w.target if w.target_type == "site" else f"{w.target}（{w.account_type or ''}）"
        append(ws, [w.unit, target, wd["targets"][w.target_type], wd["kinds"][w.kind], line(w),
                    "" if w.left is None else w.left, w.path or "", w.url or "", w.last or "", w.code])
    for col, width in zip("ABCDEFGHIJ", (22, 30, 10, 10, 50, 8, 36, 40, 12, 8)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A3"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    os.replace(tmp, path)
    return path


def write_files(wdir: Path, found: list[Warning], today: dt.date) -> list[Path]:
    from govcheck.round import atomic_write_text

    files = [write_xlsx(wdir / "warnings.xlsx", found, today)]
    p = wdir / "feed.json"
    atomic_write_text(p, json.dumps(json_feed(found, words("all_title"), today), ensure_ascii=False, indent=1))
    files.append(p)
    units = wdir / "units"
    groups = by_unit(found)
    if units.exists():  # a unit with nothing to warn of today gets an empty feed, not yesterday's
        for d in units.iterdir():
            if d.is_dir() and d.name not in {unit_folder(u) for u in groups}:
                for name in ("warnings.json", "warnings.xlsx"):
                    (d / name).unlink(missing_ok=True)
    for unit, items in groups.items():
        d = units / unit_folder(unit)
        d.mkdir(parents=True, exist_ok=True)
        p = d / "warnings.json"
        atomic_write_text(p, json.dumps(json_feed(items, words("feed_title", unit=unit), today), ensure_ascii=False,
                                        indent=1))
        files += [p, write_xlsx(d / "warnings.xlsx", items, today)]
    return files


# ---------------------------------------------------------------------------------------------- delivery
def send(cfg: WarnConfig, found: list[Warning], today: dt.date, wdir: Path, network: dict[str, Any]) -> list[dict[str, Any]]:
    """E-mail and webhook delivery: each unit its own items only (a unit with none gets nothing). Every
    attempt is logged in deliveries.json, failures included; a failed delivery never stops the others."""
    log: list[dict[str, Any]] = []
    groups = by_unit(found)
    hooks: list[tuple[str, str, dict[str, Any]]] = []
    for unit, items in groups.items():
        route = cfg.units.get(unit, UnitRoute())
        if cfg.smtp and route.email:
            log.append(_mail(cfg.smtp, unit, route.email, items, today, wdir))
        url = route.webhook or (cfg.webhook or {}).get("url")
        if url:
            body = {"unit": unit, "date": today.isoformat(), "items": [w.to_dict() | {"line": line(w)} for w in items]}
            hooks.append((unit, url, body))
    if hooks:
        log += asyncio.run(_post_all(hooks, cfg.webhook or {}, network))
    if log:
        path = wdir / "deliveries.json"
        old = _read_json(path, [])
        from govcheck.round import atomic_write_text

        atomic_write_text(path, json.dumps(old + log, ensure_ascii=False, indent=1))
    return log


def _mail(smtp: dict[str, Any], unit: str, to: list[str], items: list[Warning], today: dt.date,
          wdir: Path) -> dict[str, Any]:
    import smtplib
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["Subject"] = words("mail_subject", unit=unit, n=len(items), date=today.isoformat())
    msg["From"] = smtp["sender"]
    msg["To"] = ", ".join(to)
    body = [words("mail_lead", unit=unit, date=today.isoformat()), ""]
    body += [f"{i}. {line(w)}" + (f"\n   {w.url}" if w.url else "") for i, w in enumerate(items, start=1)]
    body += ["", words("mail_tail")]
    msg.set_content("\n".join(body))
    xlsx = wdir / "units" / unit_folder(unit) / "warnings.xlsx"
    if xlsx.exists():
        msg.add_attachment(xlsx.read_bytes(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           filename=f"{unit_folder(unit)}-预警-{today.isoformat()}.xlsx")
    rec = {"unit": unit, "channel": "email", "to": to, "items": len(items),
           "at": dt.datetime.now(CHINA).isoformat(timespec="seconds")}
    try:
        timeout = float(smtp.get("timeout", 30))
        cls = smtplib.SMTP_SSL if smtp.get("ssl") else smtplib.SMTP
        with cls(smtp["host"], int(smtp.get("port", 465 if smtp.get("ssl") else 25)), timeout=timeout) as s:
            if smtp.get("starttls"):
                s.starttls()
            if smtp.get("user"):
                s.login(smtp["user"], os.environ.get(smtp.get("password_env") or "", ""))
            s.send_message(msg)
        rec["ok"] = True
    except (OSError, smtplib.SMTPException) as e:
        rec.update(ok=False, error=f"{type(e).__name__}: {e}"[:300])
    return rec


async def _post_all(hooks: list[tuple[str, str, dict[str, Any]]], conf: dict[str, Any],
                    network: dict[str, Any]) -> list[dict[str, Any]]:
    """Webhook POSTs through the fetch layer (its address policy holds: an intranet receiver must be allowed)."""
    from govcheck.collect.fetch import FetchClient, fetch_options

    opts = fetch_options(**network)
    headers = {"Content-Type": "application/json; charset=utf-8", **(conf.get("headers") or {})}
    timeout = float(conf.get("timeout", 30))
    out = []
    async with FetchClient(opts) as client:
        for unit, url, body in hooks:
            res = await client.fetch(url, "POST", purpose="webhook", robots=False, retries=0, headers=headers,
                                     data=json.dumps(body, ensure_ascii=False).encode("utf-8"), deadline=timeout,
                                     timeout=timeout, follow=False)
            ok = res.error is None and res.status is not None and 200 <= res.status < 300
            rec = {"unit": unit, "channel": "webhook", "url": url, "items": len(body["items"]), "ok": ok,
                   "status": res.status, "at": dt.datetime.now(CHINA).isoformat(timespec="seconds")}
            if not ok:
                rec["error"] = res.error or f"HTTP {res.status}"
            out.append(rec)
    return out


def warn_argv(sites: Path, out: Path, config: Path, rules: str | None, probes: str, allow: list[str],
              ca_bundle: Path | None) -> list[str]:
    """The `govcheck warn` command line the monitor runs on its interval."""
    argv = ["warn", "--sites", str(Path(sites).resolve()), "--out", str(Path(out).resolve()), "--config",
            str(Path(config).resolve()), "--probes", probes]
    if rules:
        argv += ["--rules", str(Path(rules).resolve()) if Path(rules).exists() else rules]
    for a in allow:
        argv += ["--allow", a]
    if ca_bundle:
        argv += ["--ca-bundle", str(Path(ca_bundle).resolve())]
    return argv
