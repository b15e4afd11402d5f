"""问题截图: every finding that points at a page gets the page as Chromium renders it, whole, and a crop of the
element that matters (the list with its newest date, the blank area, the footer, the broken link's anchor)
outlined in red; both stored with their SHA-256 in the round folder and as WARC conversion records that
refer to the archived response, and linked from the finding's evidence (`Evidence.screenshot`).

What the finding cites decides the element, never the site's template: the anchor whose href is the broken
URL; the smallest block showing the cited date (and title), widened to its list; the footer for a footer
finding; the column's name for a blank or missing column. The crop's own text is read back from the
rendered DOM (every text node inside the box), so a test or a person can check that the picture shows
what the finding says.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from govcheck.browser.settings import settings
from govcheck.model import Finding

log = logging.getLogger(__name__)

SHOT_DIR = "screenshots"

_PATH_RE = re.compile(r"首页(?:\s*[>＞]\s*[^\s，。；、（）()>＞]+)+")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def date_variants(day: str) -> list[str]:
    """The ways a page may print a YYYY-MM-DD date."""
    m = _DATE_RE.match(day or "")
    if not m:
        return [day] if day else []
    y, mo, d = m.groups()
    mi, di = str(int(mo)), str(int(d))
    return [f"{y}-{mo}-{d}", f"{y}/{mo}/{d}", f"{y}.{mo}.{d}", f"{y}年{mo}月{d}日", f"{y}年{mi}月{di}日",
            f"{y}-{mi}-{di}", f"{y}/{mi}/{di}", f"[{mo}-{d}]", f"{mo}-{d}", f"{mo}/{d}", f"{mo}月{d}日",
            f"{mi}月{di}日"]


@dataclass
class Spec:
    """What to find on the page for one finding."""

    anchors: list[str] = field(default_factory=list)  # hrefs (absolute) of links the finding cites
    dates: list[str] = field(default_factory=list)  # variants of the one date it cites
    title: str | None = None
    words: list[str] = field(default_factory=list)  # column names, most specific first
    footer: bool = False

    def to_js(self) -> dict[str, Any]:
        cfg = settings()["shots"]
        return {"anchors": self.anchors, "dates": self.dates, "title": (self.title or "")[:24],
                "words": self.words, "footer": self.footer, "footerWords": cfg["footer_words"],
                "footerSelectors": cfg["footer_selectors"], "listSelectors": cfg["list_selectors"],
                "pad": cfg["crop_padding"], "maxCrop": cfg["max_crop_height"], "outline": cfg["outline"]}

    def cited(self) -> list[list[str]]:
        """Groups of alternatives, one of which the crop's text must show (the date first)."""
        out = []
        if self.dates:
            out.append(self.dates)
        elif self.title:
            out.append([self.title[:12]])
        elif self.words:
            out.append(list(self.words))
        if self.footer:
            out.append(list(settings()["shots"]["footer_words"]))
        return out


def page_evidence(f: Finding):
    """The evidence that is an archived page of the finding's site (the one a screenshot belongs to)."""
    for e in f.evidence:
        if e.url and e.url.startswith(("http://", "https://")) and e.archive is not None:
            return e
    return None


def spec_for(f: Finding) -> Spec | None:
    """What the finding cites, as things to find on its page; None when it points at no page."""
    ev = page_evidence(f)
    if ev is None:
        return None
    cfg = settings()["shots"]
    spec = Spec()
    for e in f.evidence:
        if e is not ev and e.url and e.archive is None and e.url != ev.url:
            spec.anchors.append(e.url)  # a link the page shows (broken, leading off-site …)
    day = ev.date or next((e.date for e in f.evidence if e.date), None)
    if day:
        spec.dates = date_variants(day)
    spec.title = ev.title or next((e.title for e in f.evidence if e.title), None)
    path = ev.path or next((e.path for e in f.evidence if e.path), None)
    if not path:
        m = _PATH_RE.search(f.text or "")
        path = m.group(0) if m else None
    if path:
        segs = [s.strip() for s in re.split(r"[>＞]", path) if s.strip() and s.strip() != "首页"]
        spec.words = list(reversed(segs))
    blob = f"{f.text} {' '.join(str(v) for v in (f.params or {}).values())}"
    spec.footer = any(w in blob for w in cfg["footer_finding_words"]) and not spec.anchors and not spec.dates
    return spec


# Runs in the page: find the element for a spec, outline it, and return its box and the text inside the box.
LOCATE_JS = r"""
(spec) => {
  const norm = s => (s || '').replace(/\s+/g, '');
  document.querySelectorAll('[data-govcheck-mark]').forEach(e => { e.style.outline = e.dataset.govcheckMark === '-' ? '' : e.dataset.govcheckMark; e.removeAttribute('data-govcheck-mark'); });
  const shown = el => { const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none'; };
  const abs = el => { const r = el.getBoundingClientRect();
    return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}; };
  const textOf = el => norm(el.innerText || el.textContent);
  const has = (el, alts) => { const t = textOf(el); return alts.some(a => t.includes(norm(a))); };
  const all = Array.from(document.body ? document.body.querySelectorAll('*') : []).filter(e => !['SCRIPT','STYLE','NOSCRIPT','HEAD'].includes(e.tagName));
  const smallest = groups => {
    let best = null, area = Infinity;
    for (const el of all) {
      if (!groups.every(g => has(el, g)) || !shown(el)) continue;
      const r = el.getBoundingClientRect(); const a = r.width * r.height;
      if (a <= area) { best = el; area = a; }
    }
    return best;
  };
  const inNav = el => !!el.closest('nav, header, [class*=nav], [id*=nav], [class*=menu], [id*=menu]');
  let target = null, inner = null, how = null;
  if (spec.anchors.length) {
    for (const a of document.querySelectorAll('a[href]')) {
      if (spec.anchors.includes(a.href) && shown(a)) { inner = a; target = a; how = 'anchor'; break; }
    }
    // the anchor among its neighbours: the row or list it stands in, within the crop's height
    for (let up = inner && inner.parentElement, i = 0; up && up !== document.body && i < 3; up = up.parentElement, i++) {
      if (abs(up).height > spec.maxCrop / 3 || abs(up).width > innerWidth * 0.95) break;
      target = up;
    }
  }
  if (!target && spec.dates.length) {
    const groups = [spec.dates]; if (spec.title) groups.push([spec.title]);
    inner = smallest(groups) || smallest([spec.dates]);
    if (inner) {
      how = 'list';
      target = inner.closest(spec.listSelectors) || inner.parentElement || inner;
      let up = target;
      for (let i = 0; i < 3 && up && up.parentElement && up.parentElement !== document.body; i++) {
        if (abs(up.parentElement).height > spec.maxCrop) break;
        if (up.parentElement.matches(spec.listSelectors)) { target = up.parentElement; }
        up = up.parentElement;
      }
      if (abs(target).height > spec.maxCrop) target = inner;
    }
  }
  if (!target && spec.footer) {
    for (const sel of spec.footerSelectors) {
      const c = Array.from(document.querySelectorAll(sel)).filter(shown).pop();
      if (c) { target = c; how = 'footer'; break; }
    }
    if (!target) {
      let best = null;
      for (const el of all) { if (shown(el) && has(el, spec.footerWords) && abs(el).height < spec.maxCrop) best = el; }
      if (best) { target = best; how = 'footer'; }
    }
  }
  if (!target && spec.words.length) {
    for (const w of spec.words) {
      const cands = all.filter(el => shown(el) && has(el, [w]));
      let hit = null, area = Infinity;
      for (const el of cands) { const r = el.getBoundingClientRect(); const a = r.width * r.height;
        if (a <= area && !(inNav(el) && cands.some(c => !inNav(c)))) { hit = el; area = a; } }
      if (hit) {
        how = 'words';
        inner = hit;
        target = hit;
        // the block the name heads (a blank list's area), within the crop's height
        for (let up = hit.parentElement, i = 0; up && up !== document.body && i < 4; up = up.parentElement, i++) {
          if (abs(up).height > spec.maxCrop || abs(up).width > innerWidth * 0.95) break;
          target = up;
        }
        break;
      }
    }
  }
  if (!target) {
    how = 'top';
    const b = {x: 0, y: 0, width: innerWidth, height: Math.min(innerHeight, document.documentElement.scrollHeight)};
    return {how, box: b, text: textIn(b)};
  }
  function textIn(b) {
    const out = []; const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      if (!n.textContent.trim()) continue;
      const p = n.parentElement; if (p && ['SCRIPT','STYLE','NOSCRIPT'].includes(p.tagName)) continue;
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) {
        const x = r.left + scrollX, y = r.top + scrollY;
        if (r.width > 0 && x < b.x + b.width && x + r.width > b.x && y < b.y + b.height && y + r.height > b.y) { out.push(n.textContent.trim()); break; }
      }
    }
    return out.join(' ');
  }
  const mark = (el, style) => { el.dataset.govcheckMark = el.style.outline || '-'; el.style.outline = style; el.style.outlineOffset = '2px'; };
  if (inner && inner !== target) mark(inner, spec.outline.inner);
  mark(target, spec.outline.element);
  target.scrollIntoView({block: 'center'});
  const box = abs(target);
  const p = spec.pad;
  const b = {x: Math.max(0, box.x - p), y: Math.max(0, box.y - p), width: box.width + 2 * p, height: Math.min(box.height + 2 * p, spec.maxCrop)};
  b.width = Math.min(b.width, document.documentElement.scrollWidth - b.x);
  const pageH = Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0);
  b.height = Math.max(1, Math.min(b.height, pageH - b.y));
  return {how, box: b, text: textIn(b)};
}
"""


@dataclass
class Shot:
    """One finding's screenshot on one render of its page."""

    finding: Finding
    spec: Spec
    how: str | None = None
    box: dict[str, float] | None = None
    crop_text: str | None = None
    crop: bytes | None = None
    png: bytes | None = None


def shots_action(shots: list[Shot], max_height: int):
    """A BrowserPool page action: each finding's element outlined in turn, cropped, and the page taken whole."""
    from govcheck.browser.pool import full_page_png

    async def act(page, res) -> None:
        for s in shots:
            try:
                got = await page.evaluate(LOCATE_JS, s.spec.to_js())
                s.how, s.box, s.crop_text = got["how"], got["box"], got["text"]
                clip = {k: float(s.box[k]) for k in ("x", "y", "width", "height")}
                if clip["width"] < 1 or clip["height"] < 1:
                    continue
                s.crop = await page.screenshot(full_page=True, clip=clip)
                s.png = await full_page_png(page, max_height)
            except Exception as e:  # noqa: BLE001 - one finding without a picture; the others go on
                log.info("screenshot for %s on %s: %s", s.finding.code, res.url, e)
    return act


def _store(out: Path, png: bytes) -> tuple[str, str]:
    sha = hashlib.sha256(png).hexdigest()
    rel = f"{SHOT_DIR}/{sha[:24]}.png"
    p = out / rel
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(".tmp")
        tmp.write_bytes(png)
        tmp.replace(p)
    return rel, sha


def attach(out: Path, shot: Shot, archive=None) -> dict[str, Any] | None:
    """Store a shot's pictures and link them from the finding's page evidence; returns the screenshot dict."""
    if shot.crop is None:
        return None
    ev = page_evidence(shot.finding)
    crop_rel, crop_sha = _store(out, shot.crop)
    d: dict[str, Any] = {"path": crop_rel, "sha256": crop_sha, "element": shot.how,
                         "box": {k: round(float(v), 1) for k, v in (shot.box or {}).items()},
                         "text": (shot.crop_text or "")[:2000],  # what the crop shows, read from the rendered DOM
                         "taken_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    if shot.png is not None:
        d["page"], d["page_sha256"] = _store(out, shot.png)
    if archive is not None:
        refers = ev.archive.record_id if ev is not None and ev.archive else None
        offset, rid = archive.add_png(ev.url, shot.crop, refers)
        d.update(warc=archive.warc, record_id=rid, offset=offset)
    ev.screenshot = d
    return d


def _site_of(f: Finding, sites: dict[str, Any]):
    return sites.get(f.target)


async def screenshot_findings(out: Path, findings: list[Finding], pool, sites: dict[str, Any],
                              archive_for=None, document_for=None, on_fail=None) -> dict[str, int]:
    """Render every page a finding points at once, and give each such finding its screenshot. `sites`:
    target URL → Site (its hosts confine the render); `archive_for(url)`: the RenderArchive for a page;
    `document_for(Archive)`: the archived page to render (else it is fetched); `on_fail(site, url, res)`."""
    from govcheck.browser.pool import site_hosts

    by_page: dict[str, list[Shot]] = {}
    for f in findings:
        if f.target_type != "site":
            continue
        spec = spec_for(f)
        if spec is None:
            continue
        by_page.setdefault(page_evidence(f).url, []).append(Shot(f, spec))
    counts = {"findings": sum(len(v) for v in by_page.values()), "pages": len(by_page), "shots": 0, "failed": 0}

    async def one(url: str, shots: list[Shot]) -> None:
        site = _site_of(shots[0].finding, sites)
        hosts = site_hosts(site.url if site else url, list(getattr(site, "extra_hosts", []) or []))
        ev = page_evidence(shots[0].finding)
        doc = await asyncio.to_thread(document_for, ev.archive) if document_for else None
        res = await pool.render(url, hosts=hosts, action=shots_action(shots, pool.max_height),
                                document=doc[:2] if doc else None, javascript=not (doc and doc[2]))
        arc = archive_for(url) if archive_for else None
        if res.error_kind:
            counts["failed"] += len(shots)
            log.info("screenshot page %s: %s", url, res.error)
            if on_fail:
                on_fail(site.url if site else url, url, res)
            return
        if arc is not None and res.html:
            arc.add_dom(url, res.html, ev.archive.record_id if ev and ev.archive else None)
        for s in shots:
            if attach(out, s, arc) is not None:
                counts["shots"] += 1
            else:
                counts["failed"] += 1

    async def guarded(url: str, shots: list[Shot]) -> None:
        try:
            await one(url, shots)
        except Exception as e:  # noqa: BLE001 - one page without pictures; the round goes on
            log.warning("screenshots of %s: %s", url, e)
            counts["failed"] += len(shots)

    await asyncio.gather(*(guarded(u, s) for u, s in by_page.items()))
    return counts


def site_of_url(url: str) -> str:
    return urlsplit(url).netloc
