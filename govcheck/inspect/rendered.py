"""Pages read as Chromium rendered them (the browser pass, govcheck/browser): which pages to render, and how a
rendered DOM replaces what the archived markup showed. The rendered DOM goes through the same extraction
(`adapter.extract_one`); its rows and its page say `rendered: true`, and the page's evidence becomes the
rendered copy (a WARC conversion record that refers to the archived response)."""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from govcheck.checks.facts import EvidenceRef

log = logging.getLogger(__name__)


def wants_render(d: dict[str, Any]) -> bool:
    """A page extraction could not fully read without a browser: its list is drawn by script, its rows are
    held in a script element, or its list area is empty (a script may fill it). Home pages are rendered too
    (their screenshot, and lists filled after load)."""
    kind = d.get("kind")
    if kind == "home":
        return True
    if kind != "list":
        return False
    return bool(d.get("dynamic_list") or d.get("loads_data") or (not d.get("items") and d.get("blank")))


def candidates(pages) -> list[dict[str, Any]]:
    """Pages (adapter.PageRec) to render, home pages first: url and the archived record they refer to."""
    out = [{"url": r.url, "record_id": r.ref.record_id, "warc": r.ref.warc, "offset": r.ref.offset,
            "home": r.d.get("kind") == "home", "status": r.ref.status} for r in pages if wants_render(r.d)]
    out.sort(key=lambda c: not c["home"])
    return out


def apply_rendered(pages, rendered: dict[str, dict[str, Any]], at: dt.date) -> int:
    """Read each rendered page with the same extraction and let its rows stand for the page's own where the
    archived markup showed none (script-drawn lists, rows held in script data, an empty list area). Returns
    how many pages changed."""
    from .adapter import extract_one

    changed = 0
    for rec in pages:
        r = rendered.get(rec.url)
        if r is None:
            continue
        try:
            html = Path(r["html"]).read_bytes()
            d2, _, _ = extract_one(html, rec.url, "text/html; charset=utf-8", at)
        except Exception as e:  # noqa: BLE001 - the archived reading stands
            log.warning("rendered %s: %s", rec.url, e)
            continue
        if rec.d.get("kind") != "list" or d2.get("kind") not in ("list", "home"):
            continue  # only lists are re-read; a home page is rendered for its picture
        static = [i for i in rec.d.get("items") or [] if not i.get("source")]
        if static:
            continue  # the markup's own rows were read already
        items = [i for i in d2.get("items") or [] if not i.get("source")]
        ref = EvidenceRef(**r["ref"])
        ref.page_role = rec.ref.page_role
        if items:
            rec.d["items"] = [{**i, "rendered": True} for i in items]
            rec.d["dynamic_list"] = False
            rec.d["blank"] = False
        elif d2.get("blank") and not d2.get("dynamic_list") and not rec.d.get("loads_data"):
            rec.d["items"] = []
            rec.d["blank"] = True
            rec.d["dynamic_list"] = False
        else:
            continue
        rec.d["rendered"] = True
        rec.ref = ref
        changed += 1
    return changed
