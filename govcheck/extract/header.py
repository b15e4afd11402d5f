"""Whether a page's header area shows the site's name (D20.3: 网站名称未在全站页面头部区域显著展示).

The header is read from the elements a CMS marks as such (header, *head*, *top*, *logo*, *banner*): their text
and the alt/title of their images and links. A name found there is shown. A header without the name but with
a picture may still show it drawn into the logo (most government sites do exactly that), so only a header
that has neither the name nor any picture is read as not showing it; otherwise the answer is unknown and a
person looks."""
from __future__ import annotations

import functools

from .dom import Page, lexicon, words
from .dom import squash as clean


@functools.lru_cache(maxsize=1)
def _config() -> tuple[str, frozenset[str], int]:
    hints = words("header_hints")
    selector = ", ".join(["header"] + [f'[{a}*="{h}"]' for h in hints for a in ("class", "id")])
    return selector, frozenset(words("header_tokens")), int(lexicon()["header_max_text"])


def _strong(node) -> bool:
    """The page's own header box (not a section title such as class="box_top"): <header>, or a class token /
    id that is exactly a header word."""
    if node.tag == "header":
        return True
    tokens = _config()[1]
    cls = (node.attributes.get("class") or "").lower().split()
    ident = (node.attributes.get("id") or "").lower()
    return bool(tokens & set(cls)) or ident in tokens


def _pictured(node) -> bool:
    """A picture, a CSS-drawn box (style url(), a logo class) or an empty box a script or stylesheet fills."""
    if node.css_first("img, svg, picture, canvas") is not None or "url(" in (node.attributes.get("style") or ""):
        return True
    if "logo" in ((node.attributes.get("class") or "") + (node.attributes.get("id") or "")).lower():
        return True
    return node.css_first('[class*="logo"], [id*="logo"]') is not None or not clean(node.text(separator=""))


def header_shows_name(page: Page, names: list[str]) -> bool | None:
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
    if strong and not any(_pictured(n) for n in boxes):
        return False  # a header box with words, no picture anywhere near the top, and not the name
    return None
