"""Footer facts the indicators ask for: 党政机关标识, 网站标识码, ICP备案, 公安备案, 主办单位, 联系方式, 找错 entry."""
from __future__ import annotations

import functools
import re

from .dom import Page, clean, is_hidden, squash, words

_SITE_ID = re.compile(r"(?:网站标识码|网站识别码|标识码)\s*[:：]?\s*([A-Za-z]{0,2}\d{8,10})")
_ICP = re.compile(r"([\u4e00-\u9fa5]{1,2})\s*ICP\s*备\s*(?:案\s*号?)?\s*[:：]?\s*(\d{6,12})\s*(号)?\s*(?:[-－—]\s*(\d{1,3}))?", re.I)
_ICP_ZHENG = re.compile(r"([\u4e00-\u9fa5]{1,2})\s*ICP\s*证\s*(\d{6,12})\s*(号)?", re.I)
_POLICE = re.compile(r"([\u4e00-\u9fa5])\s*公\s*网\s*安\s*备\s*(?:号)?\s*[:：]?\s*(\d{10,16})\s*(号)?")
_POLICE_PLAIN = re.compile(r"公安(?:机关)?备案(?:号|编号)?\s*[:：]\s*(\d[\d\-]{8,20}\d)\s*(号)?")


def _footer_region_text(page: Page) -> str:
    """Footer facts can sit anywhere in saved copies, but the last part of the page is searched first."""
    return page.text


_ANCHORS = {
    "site_id": re.compile(r"标识码|识别码"),
    "icp": re.compile(r"ICP|icp|Icp"),
    "police": re.compile(r"公\s*网\s*安\s*备|公安(?:机关)?备案"),
}


def _last(rx: re.Pattern, text: str, anchor: str | None = None):
    """Last match of rx; with an anchor, only windows around the anchor's literal are searched (fast)."""
    found = None
    if anchor is None:
        for m in rx.finditer(text):
            found = m
        return found
    for a in _ANCHORS[anchor].finditer(text):
        lo = max(0, a.start() - 4)
        for m in rx.finditer(text, lo, min(len(text), a.end() + 48)):
            if m.start() <= a.start() <= m.end():
                found = m
    return found


_SHORT_SCRIPT = 300  # script src URLs and one-line snippets: cheap to look at before any selector


def _conac(page: Page) -> bool:
    """党政机关 mark: a conac.cn link, the red mark image, an _ideConac holder or a conac script."""
    live = page.present(words("conac_markers"))
    if not live:
        return False  # neither the word nor the host appears anywhere in the source
    # any one sign is enough: short scripts, then the selectors, then the long scripts
    if any("conac" in s.lower() for s in page.scripts if len(s) <= _SHORT_SCRIPT):
        return True
    # the link is the usual sign: its selector alone first (a selector list costs one pass per selector)
    if page.tree.css_first(", ".join(f'a[href*="{m}" i]' for m in live)) is not None:
        return True
    sel = ", ".join(
        [f'img[{a}*="{m}" i]' for m in live for a in ("src", "alt", "title", "id")]
        + [f'[id*="{m}" i]' for m in live]
    )
    if page.tree.css_first(sel) is not None:
        return True
    for s in page.scripts:
        if len(s) > _SHORT_SCRIPT and "conac" in (s[:4000] if len(s) > 4000 else s).lower():
            return True
    return False


def _error_report(page: Page) -> bool:
    # any one sign is enough: the entry's words in the text and the national 找错 script (jiucuo.js, usually a
    # short src) are the cheapest to see
    if "我为政府网站找错" in page.text:
        return True
    all_marks = _lower_words("error_report_markers")
    for s in page.scripts:
        if len(s) <= _SHORT_SCRIPT:
            low = s.lower()
            if any(m in low for m in all_marks):
                return True
    marks = page.present(words("error_report_markers"))
    if marks:
        sel = ", ".join(f'[{a}*="{m}" i]' for m in marks
                        for a in ("href", "src", "id", "class", "title", "onclick", "alt"))
        for n in page.tree.css(sel):
            if not is_hidden(n):
                return True
    for s in page.scripts:
        if len(s) > _SHORT_SCRIPT:
            low = s.lower()
            if any(m in low for m in all_marks):
                return True
    return False


@functools.lru_cache(maxsize=None)
def _lower_words(key: str) -> tuple[str, ...]:
    return tuple(m.lower() for m in words(key))


@functools.lru_cache(maxsize=None)
def _sponsor_rx() -> tuple[list[str], re.Pattern]:
    labels = sorted(words("sponsor_labels"), key=len, reverse=True)
    return words("sponsor_stop"), re.compile(r"(?:" + "|".join(re.escape(lb) for lb in labels) + r")\s*[:：]\s*")


def _sponsor(text: str) -> str | None:
    stops, rx = _sponsor_rx()
    found = None
    for m in rx.finditer(text):
        found = m
    if not found:
        return _sponsor_postfix(text)
    rest = text[found.end(): found.end() + 120]
    # Cut at the next label or separator.
    cut = len(rest)
    for st in stops:
        i = rest.find(st)
        if 0 < i < cut:
            cut = i
    m2 = re.search(r"\s{2,}|[|｜,，;；。]|\s(?=[A-Za-z])|\s(?=\S+[:：])", rest[:cut])
    if m2 and m2.start() > 0:
        cut = m2.start()
    val = clean(rest[:cut]).strip(" :：·|")
    # "中共青岛市委 、青岛市人民政府": re-join pieces split by markup whitespace
    val = re.sub(r"\s*([、])\s*", r"\1", val)
    if " " in val:
        first = val.split(" ")[0]
        val = first if len(first) >= 4 else val
    if len(val) < 3 or len(val) > 60:
        return None
    return val


_POSTFIX = re.compile(r"(?:^|[\s|｜:：])([\u4e00-\u9fa5、（）()]{4,40}?)\s*主办(?![单方])")


def _sponsor_postfix(text: str) -> str | None:
    """"中共青岛市委、青岛市人民政府主办": the name precedes the word."""
    found = None
    for m in _POSTFIX.finditer(footer_windows(text, 200)):
        if "由" in m.group(1) or "联合" in m.group(1):
            continue  # "本次活动由…主办": body prose, not a footer
        found = m
    if not found:
        return None
    return found.group(1).strip("、")


_HALLMARK = re.compile(r"ICP|网站标识码|公网安备|版权所有|主办")


def footer_windows(text: str, span: int = 600) -> str:
    """Text around the footer hallmarks (ICP, 标识码, 公网安备, 版权所有, 主办)."""
    parts = []
    last_end = -1
    for m in _HALLMARK.finditer(text):
        a, b = max(0, m.start() - span), m.end() + span
        if a < last_end:
            a = last_end
        if a < b:
            parts.append(text[a:b])
            last_end = b
    return " ".join(parts)


def _contact(page: Page, text: str) -> bool:
    region = footer_windows(text) or text[-3000:]
    for m in words("contact_markers"):
        if m in region:
            return True
    live = [w for w in ("联系我们", "联系方式") if w in text]  # a link's own text is part of the page text
    if not live:
        return False
    for a in page.tree.css(", ".join(f'a:lexbor-contains("{w}")' for w in live)):
        if clean(a.text()) in ("联系我们", "联系方式"):
            return True
    return False


def extract_footer(page: Page) -> dict:
    text = _footer_region_text(page)
    sq = squash(text)
    out: dict = {
        "conac": _conac(page),
        "site_id_code": None,
        "icp": None,
        "police_record": None,
        "sponsor": None,
        "contact": False,
        "error_report_entry": _error_report(page),
    }
    m = _last(_SITE_ID, sq, "site_id")
    if m:
        out["site_id_code"] = m.group(1)
    m = _last(_ICP, sq, "icp") or _last(_ICP_ZHENG, sq, "icp")
    if m:
        kind = "ICP证" if m.re is _ICP_ZHENG else "ICP备"
        s = f"{m.group(1)[-1]}{kind}{m.group(2)}{m.group(3) or ''}"
        if m.re is _ICP and m.group(4):
            s += f"-{m.group(4)}"
        out["icp"] = s
    m = _last(_POLICE, sq, "police")
    if m:
        out["police_record"] = f"{m.group(1)}公网安备{m.group(2)}{m.group(3) or ''}"
    else:
        m = _last(_POLICE_PLAIN, sq, "police")
        if m:
            out["police_record"] = m.group(1) + (m.group(2) or "")
    out["sponsor"] = _sponsor(text)
    out["contact"] = _contact(page, text)
    # The footer is "present" when any of its hallmark facts is in the static HTML.
    out["present"] = any(out[k] for k in ("site_id_code", "icp", "police_record", "sponsor"))
    return out
