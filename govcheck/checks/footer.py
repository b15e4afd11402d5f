"""功能设计 read from headers and footers: D20 域名名称, D21 网站标识 (one finding per missing element),
D23 “我为政府网站找错” entry on the home page and on other pages."""
from __future__ import annotations

import datetime as dt
import fnmatch
import random
from urllib.parse import urlsplit

from govcheck.rules import RuleSet

from .base import ManualItem, check, data, ev, finding, has_rule, note, param
from .facts import FooterFacts, SiteFacts


@check("D20.1", "D20.2", "D20.3")
def domain_and_name(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Domain outside the allowed patterns; site not named after its unit; name not in the page header."""
    home_ref = facts.home.ref if facts.home else None
    host = (urlsplit(facts.url).hostname or "").lower()
    if has_rule(rs, "D20.1") and host:
        pats = param(rs, "D20.1", "domain_patterns")
        if not any(fnmatch.fnmatch(host, p) or host == p.lstrip("*.") for p in pats):
            yield finding(facts, "D20.1", [ev(home_ref, facts.url, note=note("domain", host=host))])
    if has_rule(rs, "D20.2") and facts.name and name_overlap(facts.unit, facts.name) < float(
            param(rs, "D20.2", "min_name_overlap")):
        yield finding(facts, "D20.2", [ev(home_ref, facts.url, note=note("site_name", name=facts.name))])
    if has_rule(rs, "D20.3"):
        bad = [(p.ref, p.url) for p in facts.pages if p.site_name_in_header is False]
        if facts.home is not None and facts.home.name_in_header is False:
            bad.insert(0, (facts.home.ref, facts.home.url))
        if bad:
            yield finding(facts, "D20.3", [ev(ref, url, note=note("header")) for ref, url in bad[:1]])
        elif facts.home is not None and facts.home.ref is not None and facts.home.name_in_header is None:
            # the header shows a picture but no name in text: the name may be drawn into the logo
            yield ManualItem("D20.3", data()["undecided"]["header_name_unknown"], [facts.home.url])


def name_overlap(unit: str, site_name: str) -> float:
    """Share of the unit's name characters (without its level prefix such as 市) found in the site name.
    Short unit names (市科技局) and full site names (咸宁市科学技术局) share most characters; a site
    named after something else (咸宁之窗) shares few."""
    core = unit
    for pre in data()["unit_prefixes"]:
        if core.startswith(pre) and len(core) > len(pre) + 1:
            core = core[len(pre):]
            break
    chars = [c for c in core if not c.isspace()]
    return sum(c in site_name for c in chars) / len(chars) if chars else 1.0


@check("D21")
def footer_elements(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Each footer element (党政机关网站标识, 网站标识码 …) missing on the home page or another page."""
    if not has_rule(rs, "D21"):
        return
    keys = data()["footer_elements"]
    readable = [f for f in facts.footers if f.present]
    drawn = [f.url for f in facts.footers if not f.present]
    if drawn:  # one site-wide include: one item for a person, citing every page it hides the footer of
        yield ManualItem("D21", data()["undecided"]["footer_dynamic"].format(n=len(drawn)), drawn)
    for element in param(rs, "D21", "elements"):
        key = keys.get(element)
        if key is None:
            continue
        lacking = [f for f in readable if _missing(f, key)]
        if lacking:
            f = lacking[0]
            yield finding(facts, "D21", [ev(f.ref, f.url)], element=element)


def _missing(f: FooterFacts, key: str) -> bool:
    """A flag (conac, contact) is missing only when False (None: not looked at); a text when empty."""
    val = getattr(f, key)
    if key in _FLAGS:
        return val is False
    return not val


_FLAGS = {"conac", "contact", "error_report_entry"}


@check("D23.1", "D23.2")
def error_entry(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """No “我为政府网站找错” entry in the home page footer (D23.1) or on another page (D23.2, each)."""
    home_done = False
    for f in facts.footers:
        if not f.present or f.error_report_entry is not False:
            continue
        code = "D23.1" if f.is_home else "D23.2"
        if f.is_home:
            if home_done:
                continue  # the home page read a second time (/index.html): one finding
            home_done = True
        if has_rule(rs, code):
            yield finding(facts, code, [ev(f.ref, f.url, note=note("missing_entry"))])
