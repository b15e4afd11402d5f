"""The page's <meta> tags and <title>."""
from __future__ import annotations

from .dom import Page, clean


def extract_meta(page: Page) -> dict[str, str]:
    """name/property/http-equiv -> content; the first non-empty value of a repeated name wins."""
    out: dict[str, str] = {}
    for m in page.tree.css("meta"):
        a = m.attributes
        name = a.get("name") or a.get("property") or a.get("http-equiv") or a.get("itemprop")
        if not name:
            continue
        content = a.get("content")
        if content is None:
            continue
        content = content.strip()
        if name not in out or (not out[name] and content):
            out[name] = content
    return out


def meta_get(meta: dict[str, str], names: list[str]) -> str | None:
    """Case-insensitive lookup of the first present, non-empty name."""
    low = {k.lower(): v for k, v in meta.items()}
    for n in names:
        v = low.get(n.lower())
        if v:
            return v
    return None


def page_title(page: Page) -> str:
    t = page.tree.css_first("title")
    return clean(t.text()) if t is not None else ""
