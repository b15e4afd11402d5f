"""Whether a page's header area shows the site's name (D20.3: 网站名称未在全站页面头部区域显著展示).

The header is read from the elements a CMS marks as such (header, *head*, *top*, *logo*, *banner*): their text
and the alt/title of their images and links. A name found there is shown. A header without the name but with
a picture may still show it drawn into the logo (most government sites do exactly that), so only a header
that has neither the name nor any picture is read as not showing it; otherwise the answer is unknown and a
person looks."""
from __future__ import annotations

import functools
import re

from .dom import Page, lexicon, words
from .dom import squash as clean


@functools.lru_cache(maxsize=1)
def _config() -> tuple[str, frozenset[str], int]:
    hints = words("header_hints")
    selector = ", ".join(["header"] + [f'[{a}*="{h}"]' for h in hints for a in ("class", "id")])
    return selector, frozenset(words("header_tokens")), int(lexicon()["header_max_text"])


def _strong(node) -> bool:
    """The page's own header box (not a section title such as class="box_top"): <header>, or a class token /
    id that is exactly a header word, or starts with header (header_szf, header-top)."""
    if node.tag == "header":
        return True
    tokens = _config()[1]
    cls = (node.attributes.get("class") or "").lower().split()
    ident = (node.attributes.get("id") or "").lower()
    return bool(tokens & set(cls)) or ident in tokens or any(c.startswith("header") for c in cls + [ident])


_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def _css_drawn(css: str) -> set[str]:
    """Class and id names a stylesheet gives a background picture (.logo{background:url(…)})."""
    out: set[str] = set()
    for sel, body in _CSS_RULE.findall(css):
        if "url(" not in body or "background" not in body:
            continue
        out.update(m.lower() for m in re.findall(r"[.#]([A-Za-z0-9_-]+)", sel))
    return out


def _pictured(node, drawn: set[str] | None) -> bool:
    """A picture, a CSS-drawn box (style url(), a logo class) or an empty box a script or stylesheet fills.
    With the page's stylesheets at hand (`drawn`: the classes/ids they give a picture), a logo-classed box
    holding words is drawn only when a stylesheet says so."""
    if node.css_first("img, svg, picture, canvas") is not None or "url(" in (node.attributes.get("style") or ""):
        return True
    if not clean(node.text(separator="")) and node.css_first("input, select, button, form") is None:
        return True  # an empty box a script or stylesheet fills (a search form's box is not one)
    boxes = [node] + node.css('[class*="logo"], [id*="logo"]')
    names = {t.lower() for b in boxes for t in ((b.attributes.get("class") or "").split()
                                                + [(b.attributes.get("id") or "")]) if t}
    if drawn is not None:
        return bool(names & drawn)
    return any("logo" in n for n in names)


def header_shows_name(page: Page, names: list[str], css: str | None = None) -> bool | None:
    """`css`: the text of every stylesheet the page uses (None when one of them is not at hand): lets a logo
    box holding only a slogan be read as not showing the name."""
    names = [clean(n) for n in names if n and clean(n)]
    if not names:
        return None
    texts: list[str] = []
    strong, boxes = [], []
    selector, _, max_text = _config()
    for node in page.tree.css(selector):
        if node.tag in ("thead", "th", "body", "html"):
            continue
        text = clean(node.text(separator=""))
        if len(text) > max_text:
            continue
        texts.append(text)
        boxes.append(node)
        for sub in node.css("img, a, [title]"):
            for attr in ("alt", "title"):
                v = sub.attributes.get(attr)
                if v:
                    texts.append(clean(v))
        if _strong(node):
            strong.append(node)
    blob = "".join(texts)
    if any(n in blob for n in names):
        return True
    drawn = _css_drawn(css) if css is not None else None
    if strong and not any(_pictured(n, drawn) for n in boxes):
        return False  # a header box with words, no picture anywhere near the top, and not the name
    return None
