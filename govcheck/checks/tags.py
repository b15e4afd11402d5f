"""D27 页面标签: of a random sample of content pages (D27.1) and column pages (D27.2), each without a site
tag or without its content/column tag (<meta name="SiteName"> …, names from checks.yaml)."""
from __future__ import annotations

import datetime as dt
import random

from govcheck.rules import RuleSet

from .base import Sample, check, ev, finding, has_rule, note, param
from .facts import SiteFacts


@check("D27.1", "D27.2")
def page_tags(facts: SiteFacts, rs: RuleSet, at: dt.date, rng: random.Random):
    """Sampled pages lacking site or content/column tags."""
    for code, ptype in (("D27.1", "content"), ("D27.2", "column")):
        if not has_rule(rs, code):
            continue
        pool = sorted((p for p in facts.pages if p.page_type == ptype), key=lambda p: p.url)
        if not pool:
            continue
        chosen = rng.sample(pool, min(int(param(rs, code, "sample_size")), len(pool)))
        yield Sample(code, len(pool), [p.url for p in chosen], 0)
        site_tags = param(rs, code, "site_tags")
        page_tags_ = param(rs, code, "page_tags")
        for p in chosen:
            names = {k.lower() for k, v in p.meta.items() if v and str(v).strip()}
            lacking = []
            if not any(t.lower() in names for t in site_tags):
                lacking.append(site_tags[0])
            if not any(t.lower() in names for t in page_tags_):
                lacking.append(page_tags_[0])
            if lacking:
                yield finding(facts, code, [ev(p.ref, p.url, note=note("tags_missing", tags="、".join(lacking)))])
