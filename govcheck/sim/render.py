"""HTML for the replica sites, in three CMS styles modelled on real government pages.

- `trs`: TRS WCM sites — folder columns (`/zwgk/tzgg/`), `index_1.html` pagination, articles at
  `./202205/t20220512_123456.html`, `<li><a>…</a><span>2022-05-12</span></li>` lists.
- `hanweb`: 大汉 (Hanweb) JCMS — `/col/col123/index.html?uid=…&pageNum=2` columns, `/art/2022/5/12/art_123_456.html`
  articles, table-row lists with `[2022-05-12]`-style dates and table breadcrumbs.
- `xxgk`: a 政府信息公开 platform — `.shtml` pages, an info table (索引号/发布机构/成文日期/发布日期) on every
  article, `2022年05月12日` dates and a left column tree.

Pages are rendered on request from the site model; every random choice is seeded by the item or column id.
"""
from __future__ import annotations

import datetime as dt
import html
import random
from typing import Any

from .scenario import Column, Item, SimSite, Text, derive_seed, load_data


def esc(s: Any) -> str:
    return html.escape(str(s), quote=True)


def L(key: str) -> str:  # noqa: N802 - short accessor for page labels
    return load_data("page.yaml")["labels"][key]


# ---------------------------------------------------------------------------------------------- URLs


def _chain(col: Column) -> list[str]:
    out = []
    c: Column | None = col
    while c is not None:
        out.append(c.slug)
        c = c.parent
    return out[::-1]


def assign_urls(site: SimSite) -> None:
    """Give every column and item its URL and fill `site.routes` (path -> target)."""
    r: dict[str, tuple] = {}
    style = site.style
    used: set[str] = set()
    for col in site.all_columns():
        if style == "hanweb":
            base = f"/col/col{col.id}/"
            col.url = base + "index.html"
            r[col.url] = ("column", col, 1)
            r[base] = ("column", col, 1)
        else:
            base = "/" + "/".join(_chain(col)) + "/"
            if base in used:
                base = base[:-1] + f"_{col.id}/"
            used.add(base)
            index = "index.shtml" if style == "xxgk" else "index.html"
            ext = index.split(".")[1]
            col.url = base if style == "trs" else base + index
            r[base] = ("column", col, 1)
            r[base + index] = ("column", col, 1)
            for p in range(2, col.pages() + 1):
                r[f"{base}index_{p - 1}.{ext}"] = ("column", col, p)
        col.content["dir"] = base
        for it in col.items:
            d = it.date
            if style == "hanweb":
                it.url = f"/art/{d.year}/{d.month}/{d.day}/art_{col.id}_{it.id}.html"
            else:
                ext = "shtml" if style == "xxgk" else "html"
                it.url = f"{base}{d.year}{d.month:02d}/t{d:%Y%m%d}_{it.id}.{ext}"
            r[it.url] = ("item", it)
            att = it.extra.get("attachment")
            if att:
                it.extra["attachment_url"] = f"/uploads/{d:%Y%m}/P0{it.id}{d:%d}.{att}"
                r[it.extra["attachment_url"]] = ("attachment", it)
    ext = {"trs": "html", "hanweb": "html", "xxgk": "shtml"}[style]
    site.special["sitemap_url"] = f"/wzdt/index.{ext}"
    site.special["contact_url"] = f"/lxwm/index.{ext}"
    r["/"] = ("home",)
    r[f"/index.{ext}"] = ("home",)
    r[site.special["sitemap_url"]] = ("sitemap",)
    r["/wzdt/"] = ("sitemap",)
    r[site.special["contact_url"]] = ("contact",)
    r["/lxwm/"] = ("contact",)
    r["/robots.txt"] = ("robots",)
    site.special["search_url"] = "/search/"
    r["/search/"] = ("search",)
    r[f"/search/index.{ext}"] = ("search",)
    site.special["write_url"] = f"/interact/write.{ext}"
    r[site.special["write_url"]] = ("write",)
    for b in site.special["broken"]:
        if b["status"] == 404:
            b["url"] = f"/uploads/202203/P0{derive_seed(site.key, b['name']) % 10**9}.pdf"
        elif b["status"] == 500:
            b["url"] = f"/module/err/{b['name']}.html"
            r[b["url"]] = ("error500",)
        else:
            b["url"] = f"/module/slow/{b['name']}.html"
            r[b["url"]] = ("timeout", b["timeout"])
    for s in site.special["slow"]:
        s["url"] = f"/zt/{s['name']}.{ext}"
        r[s["url"]] = ("slow", s["delay"])
    if site.special.get("trap"):
        r[site.special["trap"]["path"]] = ("trap",)
    site.routes = r
    # which host serves a path: "main", or "platform" for the subtree a site moves to its own host
    roles: dict[str, str] = {}
    plat = site.special.get("platform_column")
    if plat:
        top = next(c for c in site.columns if c.name == plat)
        for col in top.walk():
            for path, tgt in r.items():
                if (tgt[0] == "column" and tgt[1] is col) or (tgt[0] in ("item", "attachment") and tgt[1].column is col):
                    roles[path] = "platform"
    site.special["roles"] = roles


# ---------------------------------------------------------------------------------------------- pieces


def fmt_date(d: dt.date, how: str) -> str:
    if how == "iso":
        return d.isoformat()
    if how == "cn":
        return L("date_cn").format(y=d.year, m=d.month, d=d.day)
    if how == "md":
        return f"{d.month:02d}-{d.day:02d}"
    if how == "bracket":
        return f"[{d.isoformat()}]"
    if how == "bracket_md":
        return f"[{d.month:02d}-{d.day:02d}]"
    raise ValueError(how)


class Renderer:
    """Shared page skeleton; the style subclasses change markup, URLs and date formats."""

    list_date = "iso"
    side_date = "bracket_md"
    article_date = "iso"

    def __init__(self, site: SimSite, time_point: dt.date):
        self.site = site
        self.t0 = time_point

    # -- helpers
    def rng(self, *parts: Any) -> random.Random:
        return random.Random(derive_seed(self.site.seed, *parts))

    def text(self, *parts: Any) -> Text:
        return Text(self.rng(*parts), self.site, self.site.unit, self.site.short, self.site.city)

    def head(self, title: str, meta: dict[str, str], ptype: str | None = None) -> str:
        s = self.site
        cs = s.meta_charset
        charset = (f'<meta http-equiv="Content-Type" content="text/html; charset={cs}">' if s.style != "trs"
                   else f'<meta charset="{cs}">')
        site_meta = {"SiteName": s.name, "SiteDomain": s.domain, "SiteIDCode": s.site_id_code}
        for pages, tags in s.special.get("meta_missing") or ():
            if ptype is not None and pages in ("all", ptype):  # this page template has no such <meta> block
                if tags in ("site", "all"):
                    site_meta = {}
                if tags in ("page", "all"):
                    meta = {}
        metas = {**site_meta, **meta}
        m = "\n".join(f'<meta name="{k}" content="{esc(v)}">' for k, v in metas.items() if v is not None)
        return (f"<!DOCTYPE html>\n<html>\n<head>\n{charset}\n"
                f'<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
                f"<title>{esc(title)}</title>\n{m}\n"
                f'<link rel="stylesheet" type="text/css" href="/css/{s.style}_base.css">\n'
                f'<script type="text/javascript" src="/js/jquery.min.js"></script>\n</head>\n')

    def today(self) -> str:
        d = self.t0
        w = L("weekdays")[d.weekday()]
        return L("today").format(y=d.year, m=d.month, d=d.day, w=w)

    def header(self) -> str:
        s = self.site
        form = (f'<form class="search" action="/search/" method="get"><input type="text" name="q" '
                f'placeholder="{L("search_placeholder")}"><button type="submit">{L("search_button")}</button></form>'
                if s.special.get("search_broken") != "missing" else "")
        return (f'<div class="top-bar"><div class="w1200"><span class="date">{self.today()}</span>'
                f'<span class="links"><a href="{s.special["sitemap_url"]}">{L("sitemap")}</a> | '
                f'<a href="{s.special["contact_url"]}">{L("contact_us")}</a></span></div></div>\n'
                f'<div class="header"><div class="w1200">{self.logo()}{form}</div></div>\n')

    def logo(self) -> str:
        s = self.site
        mode = s.special.get("header_no_name")
        if mode == "logo":
            return '<a href="/" class="logo"><img src="/images/logo.png" alt=""></a>'
        if mode == "slogan":
            return f'<a href="/" class="home-link"><span class="slogan">{esc(L("header_slogan"))}</span></a>'
        return (f'<a href="/" class="logo"><img src="/images/logo.png" alt="{esc(s.name)}">'
                f'<span class="site-name">{esc(s.name)}</span></a>')

    def nav(self, active: Column | None = None) -> str:
        top = active
        while top is not None and top.parent is not None:
            top = top.parent
        lis = [f'<li><a href="/">{L("home")}</a></li>']
        for c in self.site.columns:
            cls = ' class="on"' if c is top else ""
            lis.append(f'<li{cls}><a href="{c.url}">{esc(c.name)}</a></li>')
        return f'<div class="nav"><ul class="w1200 clearfix">{"".join(lis)}</ul></div>\n'

    def crumbs(self, col: Column | None, extra: str | None = None) -> list[tuple[str, str | None]]:
        out: list[tuple[str, str | None]] = [(L("home"), "/")]
        chain = []
        c = col
        while c is not None:
            chain.append(c)
            c = c.parent
        out += [(x.name, x.url) for x in reversed(chain)]
        if extra:
            out.append((extra, None))
        return out

    def breadcrumb(self, col: Column | None, extra: str | None = None) -> str:
        parts = []
        for name, url in self.crumbs(col, extra):
            parts.append(f'<a href="{url}">{esc(name)}</a>' if url else f"<span>{esc(name)}</span>")
        return f'<div class="breadcrumb">{L("location")}{" &gt; ".join(parts)}</div>\n'

    def footer(self, home: bool = False) -> str:
        s = self.site
        f = s.footer
        P = load_data("page.yaml")["footer"]
        pr = f["present"]
        if f.get("absent_on"):
            pr = {**pr, **{e: False for e in f["absent_on"].get("home" if home else "inner", ())}}
        rows = []
        links = [f'<a href="{s.special["sitemap_url"]}">{L("sitemap")}</a>']
        if pr["contact"]:
            links.append(f'<a href="{s.special["contact_url"]}">{L("contact_us")}</a>')
        rows.append(f'<p class="foot-links">{" | ".join(links)}</p>')
        line = []
        if pr["sponsor"]:
            line.append(f"<span>{esc(P['sponsor'].format(sponsor=f['sponsor']))}</span>")
        if f.get("undertaker"):
            line.append(f"<span>{esc(P['undertaker'].format(undertaker=f['undertaker']))}</span>")
        if pr["site_id_code"]:
            line.append(f"<span>{esc(P['site_id'].format(code=s.site_id_code))}</span>")
        rows.append(f"<p>{' '.join(line)}</p>")
        line = []
        if pr["icp"]:
            line.append(f'<a href="{P["icp_href"]}" target="_blank">{esc(P["icp"].format(icp=f["icp"]))}</a>')
        if pr["police_record"]:
            digits = "".join(ch for ch in f["police"] if ch.isdigit())
            line.append(f'<a href="{esc(P["police_href"].format(police_digits=digits))}" target="_blank">'
                        f'<img src="/images/gaba.png" alt="">{esc(P["police"].format(police=f["police"]))}</a>')
        if line:
            rows.append(f"<p>{' '.join(line)}</p>")
        line = []
        if pr["contact"]:
            line.append(f"<span>{esc(P['contact'].format(phone=f['phone']))}</span>")
        if f.get("address"):
            line.append(f"<span>{esc(P['address'].format(address=f['address']))}</span>")
        if line:
            rows.append(f"<p>{' '.join(line)}</p>")
        rows.append(f"<p>{esc(P['browsers'])}</p>")
        marks = []
        if pr["conac"]:
            marks.append(f'<span id="_ideConac"><a href="{esc(P["conac_href"].format(conac_id=f["conac_id"]))}" '
                         f'target="_blank"><img id="imgConac" src="/images/red.png" alt="{P["conac_alt"]}"></a></span>')
        if pr["error_report_entry"]:
            marks.append(f'<span id="_span_jiucuo"><a href="{esc(P["jiucuo_script"].format(code=s.site_id_code, url=s.domain))}" '
                         f'target="_blank"><img src="/images/jiucuo.png" alt="{P["jiucuo_text"]}"></a></span>')
        return self.wrap_footer("\n".join(rows), "\n".join(marks))

    def wrap_footer(self, rows: str, marks: str) -> str:
        return f'<div class="footer"><div class="w1200 clearfix"><div class="foot-info">{rows}</div>' \
               f'<div class="foot-marks">{marks}</div></div></div>\n'

    def page(self, title: str, meta: dict[str, str], body: str, active: Column | None,
             ptype: str | None = None, home: bool = False) -> str:
        return (self.head(title, meta, ptype) + "<body>\n" + self.header() + self.nav(active) +
                f'<div class="main w1200 clearfix">\n{body}\n</div>\n' + self.footer(home) + "</body>\n</html>\n")

    def col_meta(self, col: Column) -> dict[str, str]:
        return {"ColumnName": col.name, "ColumnType": col.kind, "ColumnDescription": col.name,
                "ColumnKeywords": f"{self.site.short},{col.name}"}

    # -- lists
    def col_href(self, col: Column, page: int) -> str:
        if page <= 1:
            return col.url
        if self.site.style == "hanweb":
            return f"{col.url}?uid=col{col.id}&pageNum={page}"
        ext = "shtml" if self.site.style == "xxgk" else "html"
        return f"{col.content['dir']}index_{page - 1}.{ext}"

    def item_href(self, it: Item, col: Column) -> str:
        return it.url

    def list_rows(self, items: list[Item], col: Column) -> str:
        rows = []
        for it in items:
            rows.append(f'<li><a href="{self.item_href(it, col)}" target="_blank" title="{esc(it.title)}">'
                        f'{esc(it.title)}</a><span>{fmt_date(it.date, self.list_date)}</span></li>')
        return f'<ul class="list">\n' + "\n".join(rows) + "\n</ul>"

    def empty_list(self) -> str:
        return f'<div class="no-data">{L("empty")}</div>'

    def pager(self, col: Column, page: int) -> str:
        n = col.pages()
        if n <= 1:
            return ""
        parts = [f'<span>{L("pages").format(pages=n, total=len(col.items))}</span>']
        parts.append(f'<a href="{self.col_href(col, 1)}">{L("first")}</a>')
        if page > 1:
            parts.append(f'<a href="{self.col_href(col, page - 1)}">{L("prev")}</a>')
        for p in range(max(1, page - 3), min(n, page + 3) + 1):
            parts.append(f"<b>{p}</b>" if p == page else f'<a href="{self.col_href(col, p)}">{p}</a>')
        if page < n:
            parts.append(f'<a href="{self.col_href(col, page + 1)}">{L("next")}</a>')
        parts.append(f'<a href="{self.col_href(col, n)}">{L("last")}</a>')
        return f'<div class="page">{" ".join(parts)}</div>'

    def side(self, col: Column | None) -> str:
        """A sidebar: the sibling columns and the site's latest news with short dates."""
        sibs = (col.parent.children if col is not None and col.parent is not None else self.site.columns)
        lis = "".join(f'<li><a href="{c.url}">{esc(c.name)}</a></li>' for c in sibs)
        latest = self.latest_items(5)
        news = "".join(f'<li><a href="{it.url}">{esc(it.title)}</a><span>{fmt_date(it.date, self.side_date)}</span></li>'
                       for it in latest)
        return (f'<div class="side"><div class="side-box"><h3>{L("nav_children")}</h3><ul>{lis}</ul></div>'
                f'<div class="side-box side-news"><h3>{L("latest")}</h3><ul>{news}</ul></div></div>')

    def latest_items(self, n: int) -> list[Item]:
        kinds = tuple(load_data("page.yaml")["side_kinds"])
        key = ("latest", n, kinds)
        cache = self.site.special.setdefault("_cache", {})
        if key not in cache:
            its = [it for c in self.site.all_columns() if c.kind in kinds for it in c.items]
            its.sort(key=lambda i: (i.date, i.seq), reverse=True)
            cache[key] = its[:n]
        return cache[key]

    def column_body(self, col: Column, page: int) -> str:
        if col.ctype == "nav":
            blocks = []
            for ch in col.children:
                its = ch.items[:5]
                # rows are rendered for this (parent) page, so relative hrefs resolve against its URL
                lis = self.list_rows(its, col) if its else (self.empty_list() if ch.blank else "")
                blocks.append(f'<div class="sub-col"><h3><a href="{ch.url}">{esc(ch.name)}</a>'
                              f'<a class="more" href="{ch.url}">{L("more")}&gt;&gt;</a></h3>{lis}</div>')
            return "\n".join(blocks)
        if col.ctype == "org":
            return self.org_body(col)
        if col.ctype == "leaders":
            return self.leaders_body(col)
        if col.ctype == "page":
            return "".join(f"<p>{esc(p)}</p>" for p in col.content.get("paragraphs", []))
        if col.blank or not col.items:
            return self.empty_list()
        if col.render == "json_api":
            api = f"/api/column/{col.id}/list?page=1&size={col.page_size}"
            return (f'<ul class="list" id="list-{col.id}"><li>{L("json_loading")}</li></ul>\n'
                    f'<script type="text/javascript">\nvar apiUrl = "{api}";\n'
                    f'$.getJSON(apiUrl, function (res) {{ var h = ""; $.each(res.data, function (i, d) {{'
                    f' h += "<li><a href=\\"" + d.url + "\\">" + d.title + "</a><span>" + d.date + "</span></li>"; }});'
                    f' $("#list-{col.id}").html(h); }});\n</script>')
        start = (page - 1) * col.page_size
        items = col.items[start:start + col.page_size]
        return self.list_table(items, col) + self.pager(col, page)

    def list_table(self, items: list[Item], col: Column) -> str:
        if col.ctype == "messages":
            rows = [f'<tr><th>{L("msg_title")}</th><th>{L("asked")}</th><th>{L("answered")}</th><th>{L("msg_status")}</th></tr>']
            for it in items:
                ans = it.extra["answered"]
                rows.append(f'<tr><td><a href="{it.url}">{esc(it.title)}</a></td><td>{it.date.isoformat()}</td>'
                            f'<td>{ans.isoformat() if ans else ""}</td>'
                            f'<td>{L("status_answered") if ans else L("status_pending")}</td></tr>')
            stats = L("msg_stats").format(year=self.t0.year - 1, total=len(col.items))
            write = self.site.special["write_url"]
            stats = f'<p class="msg-stats">{esc(stats)}</p>' if self.site.special.get("message_stats", True) else ""
            return (f'<div class="msg-tools"><a class="write" href="{write}">{L("write_letter")}</a></div>'
                    f'<table class="msg-list">{"".join(rows)}</table>{stats}')
        return self.list_rows(items, col)

    def render_column(self, col: Column, page: int) -> str:
        body = (f'<div class="left">{self.side(col)}</div><div class="right">{self.breadcrumb(col)}'
                f'<div class="col-title"><h2>{esc(col.name)}</h2></div>'
                f'<div class="col-body">{self.column_body(col, page)}</div></div>')
        title = f"{col.name}_{self.site.name}"
        return self.page(title, self.col_meta(col), body, col, ptype="column")

    def org_body(self, col: Column) -> str:
        c = col.content
        out = [f"<h3>{L('org_duty')}</h3>"] + [f"<p>{esc(p)}</p>" for p in c["duties"]]
        out.append(f"<h3>{L('org_intro')}</h3>")
        for sec in c["sections"]:
            lines = [f"<h4>{esc(sec['name'])}</h4>", f"<p>{L('org_duty')}：{esc(sec['duty'])}</p>"]
            if sec["head"]:
                lines.append(f"<p>{L('org_head')}：{esc(sec['head'])}</p>")
            if sec["hours"]:
                lines.append(f"<p>{L('org_hours')}：{esc(sec['hours'])}</p>")
            lines.append(f"<p>{L('org_phone')}：{esc(sec['phone'])}</p>")
            out.append(f'<div class="org-section">{"".join(lines)}</div>')
        return f'<div class="org">{"".join(out)}</div>'

    def leaders_body(self, col: Column) -> str:
        out = []
        for ld in col.content["leaders"]:
            resume = f'<p>{L("leaders_resume")}：{esc(ld["resume"])}</p>' if ld["resume"] else ""
            out.append(f'<div class="leader"><img src="/images/leader.jpg" alt=""><h4>{esc(ld["name"])}</h4>'
                       f'<p>{esc(ld["title"])}</p>{resume}</div>')
        return "".join(out)

    # -- articles
    def article_body(self, it: Item) -> str:
        t = self.text("item", it.id)
        k = it.kind
        ps: list[str] = []
        if k == "message":
            x = it.extra
            rows = [(L("asker"), x["asker"]), (L("asked"), it.date.isoformat()), (L("question"), x["question"]),
                    (L("answer_unit"), x["answer_unit"]), (L("answered"), x["answered"].isoformat() if x["answered"] else None),
                    (L("answer"), x["answer"])]
            hidden = x.get("hidden") or ()  # fields this site's message template does not show
            rows = [(a, b) for a, b in rows if b is not None and a not in hidden]
            return '<table class="msg-detail">' + "".join(
                f"<tr><th>{a}</th><td>{esc(b)}</td></tr>" for a, b in rows) + "</table>"
        if k == "report":
            return self.report_body(it)
        if k == "guide":
            x = it.extra
            els = load_data("text.yaml")["guide_elements"]
            vals = {"service": x["service"], "unit": self.site.unit, "city": self.site.city, "window": x["window"],
                    "tel": x["tel"]}
            rows = "".join(f"<tr><th>{esc(k2)}</th><td>{esc(v.format(**vals))}</td></tr>" for k2, v in els.items())
            att = x.get("attachment_url")
            link = f'<p>{L("download_form")}：<a href="{att}">{esc(x["service"])}{L("form_suffix")}.{x["attachment"]}</a></p>' if att else ""
            return f'<table class="guide">{rows}</table>{link}'

        if k == "consult":
            x = it.extra
            T = load_data("page.yaml")["texts"]
            ps = [T["consult_intro"].format(doc=x["doc"]), x["period_text"],
                  T["consult_contact"].format(tel=self.rng("tel", it.id).randint(100000, 999999),
                                              domain=self.site.domain.split(".", 1)[-1])]
            ps += t.paragraphs(2)
        elif k == "feedback":
            c = it.extra["consult"]
            n = self.rng("fb", it.id).randint(3, 30)
            T = load_data("page.yaml")["texts"]
            st = c.extra["start"]
            ps = [T["feedback"].format(y=st.year, m=st.month, d=st.day, doc=c.extra["doc"], n=n, k=n // 2),
                  T["feedback_rest"]]
        else:
            ps = t.paragraphs(4)
        if it.extra.get("wording"):  # plant wording_error: a slip in an official term (V1.1)
            ps.insert(1, it.extra["wording"])
        body = "".join(f"<p>{esc(p)}</p>" for p in ps)
        if k == "feedback":
            c = it.extra["consult"]
            body += f'<p>{L("original_consult")}：<a href="{c.url}">{esc(c.title)}</a></p>'
        if k == "policy":
            att = it.extra.get("attachment_url")
            if att:
                body += f'<p>{L("attachments")}：<a href="{att}">{esc(it.title)}.{it.extra["attachment"]}</a></p>'
            ip = it.extra.get("interp")
            if ip is not None and it.extra.get("links_interp", True):
                body += f'<div class="related">{L("related_interp")}：<a href="{ip.url}">{esc(ip.title)}</a></div>'
        if k == "interp" and it.extra.get("links_policy", True):
            p = it.extra["policy"]
            body += f'<div class="related">{L("related_policy")}：<a href="{p.url}">{esc(p.title)}</a></div>'
        for b in self.site.special["broken"]:
            if b["on"] == "article" and self.rng("broken", it.id).random() < 0.05:
                body += f'<p>{L("related_links")}：<a href="{b["url"]}">{L("attachment_link")}</a></p>'
        return body

    def report_body(self, it: Item) -> str:
        secs = load_data("text.yaml")["report_sections"]
        x = it.extra
        f = x["figures"]
        T = load_data("page.yaml")["texts"]
        out = [f"<p>{esc(T['report_intro'].format(year=x['year']))}</p>"]
        out.append(f"<h3>{secs[0]}</h3><p>{esc(T['report_overall'].format(year=x['year'], unit=self.site.unit, n=f[0]))}</p>")
        head = "".join(f"<th>{esc(h)}</th>" for h in T["report_table_head"])
        r0, r1 = T["report_rows"]
        out.append(f"<h3>{secs[1]}</h3><table class='report'><tr>{head}</tr><tr><td>{r0}</td><td>0</td><td>0</td><td>0</td></tr>"
                   f"<tr><td>{r1}</td><td>{f[1] % 20}</td><td>{f[2] % 5}</td><td>{f[3] % 60}</td></tr></table>")
        out.append(f"<h3>{secs[2]}</h3><p>{esc(T['report_requests'].format(n=f[4] % 50))}</p>")
        out.append(f"<h3>{secs[3]}</h3><p>{esc(T['report_review'])}</p>")
        out.append(f"<h3>{secs[4]}</h3>" + "".join(f"<p>{esc(s)}</p>" for s in x["section5"]))
        out.append(f"<h3>{secs[5]}</h3><p>{esc(T['report_other'])}</p>")
        return "".join(out)

    def article_meta(self, it: Item) -> dict[str, str]:
        return {**self.col_meta(it.column), "ArticleTitle": it.title,
                "PubDate": f"{it.date.isoformat()} {9 + it.id % 8:02d}:{it.id % 60:02d}",
                "ContentSource": self.site.unit}

    def article_info(self, it: Item) -> str:
        return (f'<div class="info"><span>{L("published")}：{fmt_date(it.date, self.article_date)}</span>'
                f'<span>{L("source")}：{esc(self.site.unit)}</span></div>')

    def render_item(self, it: Item) -> str:
        col = it.column
        body = (f'<div class="left">{self.side(col)}</div><div class="right">{self.breadcrumb(col)}'
                f'<div class="article"><h1 class="title">{esc(it.title)}</h1>{self.article_info(it)}'
                f'<div class="TRS_Editor" id="zoom">{self.article_body(it)}</div>'
                f'<div class="tools"><a href="javascript:window.print()">{L("print")}</a> '
                f'<a href="javascript:window.close()">{L("close")}</a></div></div></div>')
        return self.page(f"{it.title}_{self.site.name}", self.article_meta(it), body, col, ptype="content")

    # -- other pages
    def home_blocks(self) -> list[Column]:
        want = load_data("page.yaml")["home_kinds"]
        cols = []
        for k in want:
            for c in self.site.all_columns():
                if c.kind == k and c.items and c not in cols:
                    cols.append(c)
                    break
        return cols

    def render_home(self) -> str:
        s = self.site
        blocks = []
        frozen = s.special.get("home_last")  # a home page not regenerated since that day shows what it had then
        for c in self.home_blocks():
            shown = c.items if frozen is None else [it for it in c.items if it.date <= frozen]
            rows = "".join(f'<li><a href="{it.url}" title="{esc(it.title)}">{esc(it.title)}</a>'
                           f'<span>{fmt_date(it.date, self.home_date)}</span></li>' for it in shown[:7])
            blocks.append(f'<div class="home-block"><div class="hd"><h3><a href="{c.url}">{esc(c.name)}</a></h3>'
                          f'<a class="more" href="{c.url}">{L("more")}</a></div><ul>{rows}</ul></div>')
        extra = []
        if s.special.get("trap"):
            extra.append(f'<a href="{s.special["trap"]["path"]}?date={self.t0:%Y-%m}">{L("calendar")}</a>')
        for b in s.special["broken"]:
            if b["on"] == "home":
                extra.append(f'<a href="{b["url"]}">{L("home_link_404") if b["status"] == 404 else L("home_link_error")}</a>')
        for sl in s.special["slow"]:
            extra.append(f'<a href="{sl["url"]}">{L("home_link_slow")}</a>')
        for p in (s.special.get("waf") or {}).get("links", []):
            extra.append(f'<a href="{p}">{L("home_link_waf")}</a>')
        links = f'<div class="home-links"><h3>{L("related_links")}</h3>{" ".join(extra)}</div>' if extra else ""
        body = f'<div class="home">{"".join(blocks)}{links}</div>'
        meta = {"ColumnName": L("home"), "ColumnType": L("home")}
        return self.page(s.name, meta, body, None, home=True)

    home_date = "md"

    def render_sitemap(self) -> str:
        def tree(cols: list[Column]) -> str:
            return "<ul>" + "".join(f'<li><a href="{c.url}">{esc(c.name)}</a>{tree(c.children) if c.children else ""}</li>'
                                    for c in cols) + "</ul>"
        body = f'<div class="right full">{self.breadcrumb(None, L("sitemap"))}<div class="sitemap">{tree(self.site.columns)}</div></div>'
        return self.page(f"{L('sitemap')}_{self.site.name}", {"ColumnName": L("sitemap"), "ColumnType": L("sitemap")}, body, None)

    def render_contact(self) -> str:
        f = self.site.footer
        body = (f'<div class="right full">{self.breadcrumb(None, L("contact_us"))}<div class="contact">'
                f"<p>{esc(load_data('page.yaml')['footer']['sponsor'].format(sponsor=f['sponsor']))}</p>"
                f"<p>{esc(load_data('page.yaml')['footer']['contact'].format(phone=f['phone']))}</p>"
                f"<p>{esc(load_data('page.yaml')['footer']['address'].format(address=f.get('address', '')))}</p></div></div>")
        return self.page(f"{L('contact_us')}_{self.site.name}", {"ColumnName": L("contact_us"), "ColumnType": L("contact_us")}, body, None)

    def render_trap(self, query: dict[str, str]) -> str:
        """A calendar with previous/next links that never end: a crawler must stop on its own."""
        raw = query.get("date") or f"{self.t0:%Y-%m}"
        try:
            y, m = (int(x) for x in raw.split("-")[:2])
        except ValueError:
            y, m = self.t0.year, self.t0.month
        prev_m = (y, m - 1) if m > 1 else (y - 1, 12)
        next_m = (y, m + 1) if m < 12 else (y + 1, 1)
        path = self.site.special["trap"]["path"]
        days = "".join(f'<a href="{path}?date={y}-{m:02d}-{d:02d}">{d}</a> ' for d in range(1, 29))
        body = (f'<div class="right full">{self.breadcrumb(None, L("calendar"))}<div class="calendar"><h3>{L("month").format(y=y, m=m)}</h3>'
                f'<a href="{path}?date={prev_m[0]}-{prev_m[1]:02d}">{esc(L("prev_month"))}</a> '
                f'<a href="{path}?date={next_m[0]}-{next_m[1]:02d}">{esc(L("next_month"))}</a><div class="days">{days}</div></div></div>')
        return self.page(f"{L('calendar')}_{self.site.name}", {"ColumnName": L("calendar")}, body, None)

    def render_search(self, q: str) -> str:
        """Site search over titles, newest first: 20 results on the first page."""
        q = q.strip()
        hits = []
        if q:
            until = self.site.special.get("search_indexed_until")  # an index not rebuilt since that day
            hits = [it for it in self.site.items_by_id.values() if q in it.title and (until is None or it.date <= until)]
            hits.sort(key=lambda i: (i.date, i.seq), reverse=True)
        head = L("search_found").format(n=len(hits), q=q) if hits else L("search_none").format(q=q)
        rows = "".join(f'<li><a href="{it.url}">{esc(it.title)}</a><span>{fmt_date(it.date, self.list_date)}</span>'
                       f'<em>{esc(it.column.name)}</em></li>' for it in hits[:20])
        body = (f'<div class="right full">{self.breadcrumb(None, L("search_title"))}<p class="search-count">{esc(head)}</p>'
                f'<ul class="search-list">{rows}</ul></div>')
        return self.page(f"{L('search_title')}_{self.site.name}", {"ColumnName": L("search_title")}, body, None)

    def render_write(self, message: str | None = None) -> str:
        fields = "".join(f'<p><label>{esc(f)}：</label><input type="text" name="f{i}"></p>' if i != 1 else
                         f'<p><label>{esc(f)}：</label><textarea name="f{i}"></textarea></p>'
                         for i, f in enumerate(L("write_fields")))
        form = (f'<form method="post" action="{self.site.special["write_url"]}">{fields}'
                f'<button type="submit">{L("write_submit")}</button></form>')
        if self.site.special.get("channel_broken") == "closed" and not message:
            form = f'<p class="notice">{esc(L("write_closed"))}</p>'  # the letter box is "under maintenance"
        body = (f'<div class="right full">{self.breadcrumb(None, L("write_title"))}'
                + (f'<p class="result">{esc(message)}</p>' if message else form) + "</div>")
        return self.page(f"{L('write_title')}_{self.site.name}", {"ColumnName": L("write_title")}, body, None)

    def render_slow(self) -> str:
        name = L("special_page")
        body = f'<div class="right full">{self.breadcrumb(None, name)}<p>{L("special_body")}</p></div>'
        return self.page(f"{name}_{self.site.name}", {"ColumnName": name}, body, None)


class TRSRenderer(Renderer):
    list_date = "iso"
    home_date = "md"

    def item_href(self, it: Item, col: Column) -> str:
        # TRS lists link relative to the column folder: ./202205/t20220512_123.html
        d = col.content["dir"]
        if it.column is col and it.url.startswith(d):
            return "./" + it.url[len(d):]
        return it.url

    def pager(self, col: Column, page: int) -> str:
        n = col.pages()
        if n <= 1:
            return ""
        js = f'<script type="text/javascript">createPageHTML({n}, {page - 1}, "index", "html");</script>'
        return js + super().pager(col, page)


class HanwebRenderer(Renderer):
    list_date = "iso"
    home_date = "bracket"
    side_date = "bracket_md"

    def breadcrumb(self, col: Column | None, extra: str | None = None) -> str:
        tds = []
        for i, (name, url) in enumerate(self.crumbs(col, extra)):
            link = f'<a href="{"/index.html" if url == "/" else url}">{esc(name)}</a>' if url else esc(name)
            tds.append(f"<td>{L('location') if i == 0 else ' &gt; '}{link}</td>")
        return f'<div class="current-position"><table cellspacing="0" cellpadding="0" border="0"><tr>{"".join(tds)}</tr></table></div>\n'

    def list_rows(self, items: list[Item], col: Column) -> str:
        rows = [f'<tr><td class="bt_title"><a href="{it.url}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a></td>'
                f'<td class="bt_time" width="100">{fmt_date(it.date, "bracket")}</td></tr>' for it in items]
        return f'<table width="100%" border="0" cellspacing="0" cellpadding="0" class="list">{"".join(rows)}</table>'

    def article_info(self, it: Item) -> str:
        return (f'<table border="0" width="90%" class="info"><tr><td width="30%">{L("published")}：{it.date.isoformat()}</td>'
                f'<td width="30%">{L("source")}：{esc(self.site.unit)}</td><td>{L("views")}：<span id="hits"></span></td>'
                f'<td>{L("font")}</td></tr></table>')

    def wrap_footer(self, rows: str, marks: str) -> str:
        return (f'<table class="footer" width="100%" cellspacing="0" cellpadding="0"><tr><td class="foot-marks" width="160">'
                f'{marks}</td><td class="foot-info">{rows}</td></tr></table>\n')


class XxgkRenderer(Renderer):
    list_date = "cn"
    home_date = "iso"
    article_date = "cn"
    side_date = "bracket_md"

    def index_no(self, it: Item) -> str:
        code = self.site.footer.get("org_code") or f"{derive_seed(self.site.key, 'org') % 10**9:09d}"
        return f"{code}/{it.date.year}-{it.id % 100000:05d}"

    def list_rows(self, items: list[Item], col: Column) -> str:
        h = L("xxgk_head")
        rows = [f'<tr class="head"><th width="8%">{h[0]}</th><th width="22%">{h[1]}</th><th>{h[2]}</th><th width="16%">{h[3]}</th></tr>']
        for n, it in enumerate(items, 1):
            rows.append(f'<tr><td>{n}</td><td>{self.index_no(it)}</td><td class="name"><a href="{it.url}" target="_blank" '
                        f'title="{esc(it.title)}">{esc(it.title)}</a></td><td>{fmt_date(it.date, "cn")}</td></tr>')
        return f'<table class="xxgk-list" width="100%">{"".join(rows)}</table>'

    def article_info(self, it: Item) -> str:
        written = it.date - dt.timedelta(days=self.rng("written", it.id).randint(0, 6))
        doc_no = it.extra.get("doc_no", "")
        return (f'<table class="xxgk-info" width="100%"><tr><th>{L("index_no")}：</th><td>{self.index_no(it)}</td>'
                f'<th>{L("category")}：</th><td>{esc(it.column.kind)}</td></tr>'
                f'<tr><th>{L("publisher")}：</th><td>{esc(self.site.unit)}</td><th>{L("written")}：</th>'
                f'<td>{fmt_date(written, "cn")}</td></tr>'
                f'<tr><th>{L("doc_no")}：</th><td>{esc(doc_no)}</td><th>{L("published")}：</th>'
                f'<td>{fmt_date(it.date, "cn")}</td></tr></table>')

    def side(self, col: Column | None) -> str:
        def tree(cols: list[Column], depth: int) -> str:
            lis = []
            for c in cols:
                sub = tree(c.children, depth + 1) if c.children and depth < 2 else ""
                lis.append(f'<li><a href="{c.url}">{esc(c.name)}</a>{sub}</li>')
            return f'<ul class="tree-{depth}">{"".join(lis)}</ul>'
        if not hasattr(self, "_tree"):  # the same on every page of the site
            self._tree = f'<div class="side xxgk-tree"><h3>{L("nav_children")}</h3>{tree(self.site.columns, 0)}</div>'
        return self._tree


RENDERERS = {"trs": TRSRenderer, "hanweb": HanwebRenderer, "xxgk": XxgkRenderer}


def renderer_for(site: SimSite, time_point: dt.date) -> Renderer:
    return RENDERERS[site.style](site, time_point)
