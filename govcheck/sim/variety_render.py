"""Page styles of the `variety` scenario, each modelled on real chrome in shared/corpus/real — not on the
replica's trs/hanweb/xxgk templates:

- `powereasy`: an old ASP CMS (动易-like): query-string URLs (`/Article/ShowClass.asp?ClassID=12&page=2`,
  `ShowArticle.asp?ArticleID=…`), table layout, `您现在的位置：<站名> >> 栏目 >> 正文` breadcrumbs without 首页,
  年月日 dates, 更新时间 on articles; often GBK (zcom_gov is GB2312 table chrome of the same era).
- `dede`: a PHP CMS (DedeCMS-like): `/a/<dir>/list_<tid>_<n>.html`, `主页 > … >` breadcrumbs, lists that may
  print only MM-DD (and some articles that print no date at all), GBK often.
- `avalon`: the TRS "动静结合" chrome of the pingtan 政务公开 pages: `<div class="breadcrumb">` with `<ul><li>`,
  `ms-controller` lists whose first pages are static and the rest (or all) come from a search API by script,
  or from a JSON file named in the script.
- `jcms`: 大汉 JCMS (GeneralNewsExtractor's gzggw page): `/col/colN/index.html`, table breadcrumbs, lists held as
  records inside a script element (`<script type="text/xml"><datastore><recordset><record><![CDATA[…]]>`) with
  further records from `dataproxy.jsp`.
- `zfxxgk`: the 邯郸 信息公开 platform (renmin): `首页->政府文件->…` breadcrumbs without a location word, a
  名称/索引号/发布机构/发布日期 table, info-box articles with no breadcrumb, document.write pagers, lists from
  a JSON endpoint on some columns.

Pages are rendered on request from the site model; every choice is seeded by the site and the page.
"""
from __future__ import annotations

import datetime as dt
import html
import random
from typing import Any
from urllib.parse import quote

from .scenario import Column, Item, SimSite, Text, derive_seed, load_data

# the list scripts call jQuery; the app serves its stand-in (data/jquery-lite.js) at this path
JQUERY_TAG = '<script type="text/javascript" src="/js/jquery.min.js"></script>'


def esc(s: Any) -> str:
    return html.escape(str(s), quote=True)



def V() -> dict[str, Any]:
    return load_data("variety.yaml")


def fmt(d: dt.date, how: str) -> str:
    return {
        "iso": d.isoformat(), "cn": f"{d.year}年{d.month}月{d.day}日", "cn_pad": f"{d.year}年{d.month:02d}月{d.day:02d}日",
        "dash_nopad": f"{d.year}-{d.month}-{d.day}", "bracket": f"[{d.isoformat()}]", "md": f"{d.month:02d}-{d.day:02d}",
        "md_bracket": f"[{d.month:02d}-{d.day:02d}]", "dot": f"{d.year}.{d.month:02d}.{d.day:02d}",
        "slash": f"{d.year}/{d.month:02d}/{d.day:02d}",
    }[how]


def cv(col: Column) -> dict[str, Any]:
    return col.spec.get("v") or {}


def is_list(col: Column) -> bool:
    return col.ctype in ("list", "interps", "messages", "consultations", "reports")


# ---------------------------------------------------------------------------------------------- base


class VRenderer:
    """What every variety style shares: the model walk, seeded choices, content bodies. Styles own markup and URLs."""

    style = "base"
    static_ext = "html"
    # whether the template marks its whole header area as such (<header>, class="header"/"head", header_*): when
    # it only marks the logo box (div.logo inside div.nav_logo, a table of class "top"), a name could stand beside
    # that box, so a box showing only a slogan does not prove the header lacks the name (the oracle's D20.3)
    header_box = True

    def __init__(self, site: SimSite, time_point: dt.date):
        self.site = site
        self.t0 = time_point
        self.v = site.special.get("v") or {}
        self.V = V()
        self.labels = self.V["message_labels"][self.v.get("msg_labels", 0)]
        self.words = {k: self.pick_word(k) for k in ("more", "empty", "source", "views", "print", "close",
                                                     "related_interp", "related_policy", "attachments",
                                                     "search_button", "search_placeholder", "loading",
                                                     "sitemap_word", "contact_word")}

    # -- helpers
    def rng(self, *parts: Any) -> random.Random:
        return random.Random(derive_seed(self.site.seed, self.style, *parts))

    def pick_word(self, key: str) -> str:
        return self.rng("word", key).choice(self.V["chrome"][key])

    def text(self, *parts: Any) -> Text:
        return Text(self.rng(*parts), self.site, self.site.unit, self.site.short, self.site.city)

    def time_of(self, it: Item) -> str:
        return f"{8 + it.id % 9:02d}:{(it.id * 7) % 60:02d}"

    def home_url(self) -> str:
        return "/"

    def blind(self, col: Column) -> bool:
        return cv(col).get("mode") == "blind"

    def site_name(self) -> str:
        return self.site.name

    # -- URLs (styles fill these)
    def assign(self) -> None:
        raise NotImplementedError

    def col_page_url(self, col: Column, page: int) -> str:
        raise NotImplementedError

    def resolve(self, path: str, query: dict[str, str]) -> tuple | None:
        """Route a request: path + query -> target."""
        t = self.site.routes.get(path)
        return t

    def add_common_routes(self, r: dict[str, tuple]) -> None:
        s = self.site
        r["/robots.txt"] = ("robots",)
        for b in s.special["broken"]:
            if b["status"] == 500:
                r[b["url"]] = ("error500",)
        if self.v.get("footer_script"):
            r[s.special["footer_include"]] = ("footer_include",)

    def broken_urls(self) -> None:
        """Dead links: a missing upload (404) or a module that errors (500); article ones land on chosen articles."""
        s = self.site
        items = [it for it in s.items_by_id.values() if it.kind in ("article", "policy")
                 and not cv(it.column).get("sub_platform")]
        items.sort(key=lambda it: it.id)
        for k, b in enumerate(s.special["broken"]):
            h = derive_seed(s.key, "broken", k)
            if b["status"] == 500:
                b["url"] = f"/module/dl/down_{h % 10**6}.{'asp' if self.style == 'powereasy' else 'jsp'}"
            else:
                b["url"] = f"/uploadfile/{self.t0.year - 1}/{h % 12 + 1:02d}{h % 27 + 1:02d}/{h % 10**10}.pdf"
            if b["on"] == "article" and items:
                rng = self.rng("broken-items", k)
                b["items"] = sorted(it.id for it in rng.sample(items, min(len(items), rng.randint(1, 3))))
            else:
                b["items"] = []

    # -- chrome pieces (styles override)
    def meta_tags(self, meta: dict[str, str], ptype: str | None) -> str:
        s = self.site
        site_meta = {"SiteName": self.site_name(), "SiteDomain": s.domain, "SiteIDCode": s.site_id_code}
        for pages, tags in s.special.get("meta_missing") or ():
            if ptype is not None and pages in ("all", ptype):
                if tags in ("site", "all"):
                    site_meta = {}
                if tags in ("page", "all"):
                    meta = {}
        return "\n".join(f'<meta name="{k}" content="{esc(x)}">' for k, x in {**site_meta, **meta}.items() if x)

    def charset_meta(self) -> str:
        if not self.v.get("meta_charset", True):
            return ""
        return f'<meta http-equiv="Content-Type" content="text/html; charset={self.site.meta_charset}">'

    def col_meta(self, col: Column) -> dict[str, str]:
        return {"ColumnName": col.name, "ColumnDescription": f"{self.site.name}{col.name}栏目",
                "ColumnKeywords": f"{col.name}", "ColumnType": col.name}

    def item_meta(self, it: Item) -> dict[str, str]:
        m = {"ArticleTitle": it.title, "ContentSource": self.site.unit}
        if not self.blind(it.column):
            m["PubDate"] = f"{it.date.isoformat()} {self.time_of(it)}"
        return {**self.col_meta(it.column), **m}

    def search_form(self) -> str:
        if self.site.special.get("search_broken") == "missing":
            return ""
        p = self.v.get("search_param", "q")
        hidden = self.search_hidden()
        return (f'<form name="search" action="{self.search_path()}" method="get" target="_blank">{hidden}'
                f'<input type="text" name="{p}" placeholder="{esc(self.words["search_placeholder"])}">'
                f'<input type="submit" value="{esc(self.words["search_button"])}"></form>')

    def search_path(self) -> str:
        return "/search/"

    def search_hidden(self) -> str:
        return ""

    def logo(self) -> str:
        mode = self.site.special.get("header_no_name")
        form = self.v.get("header_form", "logo_text")
        if mode == "logo":
            return f'<a href="/"><img src="/images/logo_{self.style}.png" alt=""></a>'
        if mode == "slogan":
            return f'<a href="/"><span class="slogan">{esc(self.rng("slogan").choice(["为民服务 务实高效", "依法行政 执政为民", "阳光政务 便民利民"]))}</span></a>'
        if form == "img_alt":
            return f'<a href="/"><img src="/images/logo_{self.style}.png" alt="{esc(self.site_name())}"></a>'
        if form == "h1":
            return f'<h1 class="site-name"><a href="/">{esc(self.site_name())}</a></h1>'
        return (f'<a href="/" class="logo"><img src="/images/logo_{self.style}.png" alt="">'
                f'<span>{esc(self.site_name())}</span></a>')

    def nav_links(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        out = []
        for c in self.site.columns:
            subs = [(ch.name, ch.url) for ch in c.children]
            out.append((c.name, c.url, subs))
        return out

    def crumbs(self, col: Column | None) -> list[tuple[str, str | None]]:
        chain = []
        c = col
        while c is not None:
            chain.append(c)
            c = c.parent
        return [(x.name, x.url) for x in reversed(chain)]

    # footer: the elements present on this page (home or inner)
    def footer_present(self, home: bool) -> dict[str, bool]:
        f = self.site.footer
        pr = dict(f["present"])
        if f.get("absent_on"):
            pr.update({e: False for e in f["absent_on"].get("home" if home else "inner", ())})
        return pr

    def conac(self) -> str:
        f = self.site.footer
        return (f'<span id="_ideConac"><a href="https://bszs.conac.cn/sitename?method=show&amp;id={esc(f["conac_id"])}" '
                f'target="_blank"><img id="imgConac" src="/images/red.png" alt="党政机关"></a></span>')

    def jiucuo(self) -> str:
        s = self.site
        return (f'<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={s.site_id_code}&amp;url={quote(s.domain)}" '
                f'target="_blank"><img src="/images/jiucuo.png" alt="我为政府网站找错"></a>')

    def police(self) -> str:
        f = self.site.footer
        digits = "".join(ch for ch in f["police"] if ch.isdigit())
        return (f'<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode={digits}" target="_blank">'
                f'<img src="/images/gaba.png" alt="">{esc(f["police"])}</a>')

    def icp(self) -> str:
        return f'<a href="https://beian.miit.gov.cn/" target="_blank">{esc(self.site.footer["icp"])}</a>'

    def footer(self, home: bool) -> str:
        if self.v.get("footer_script"):
            return ('<div id="footer"></div>\n<script type="text/javascript">'
                    f'$("#footer").load("{self.site.special["footer_include"]}");</script>\n')
        return self.footer_html(home)

    def footer_html(self, home: bool) -> str:
        raise NotImplementedError

    def footer_parts(self, home: bool) -> dict[str, str]:
        """The footer's pieces for this page ('' when the element is absent)."""
        s, f, pr = self.site, self.site.footer, self.footer_present(home)
        return {
            "sponsor": f"主办单位：{esc(f['sponsor'])}" if pr["sponsor"] else "",
            "site_id": f"网站标识码：{s.site_id_code}" if pr["site_id_code"] else "",
            "icp": self.icp() if pr["icp"] else "",
            "police": self.police() if pr["police_record"] else "",
            "contact": f"联系电话：{esc(f['phone'])}" if pr["contact"] else "",
            # an address is contact information too: a footer without 联系方式 shows neither
            "address": f"地址：{esc(f.get('address', ''))}" if pr["contact"] else "",
            "conac": self.conac() if pr["conac"] else "",
            "jiucuo": self.jiucuo() if pr["error_report_entry"] else "",
            "contact_link": (f'<a href="{s.special["contact_url"]}">{esc(self.words["contact_word"])}</a>'
                             if pr["contact"] else ""),
            "sitemap_link": f'<a href="{s.special["sitemap_url"]}">{esc(self.words["sitemap_word"])}</a>',
        }

    # -- pages
    def wrap(self, title: str, meta: dict[str, str], ptype: str | None, body: str, active: Column | None,
             home: bool = False) -> str:
        raise NotImplementedError

    def render(self, target: tuple, query: dict[str, str]) -> tuple[int, str] | None:
        kind = target[0]
        if kind == "home":
            return 200, self.render_home()
        if kind == "column":
            col, page = target[1], target[2]
            if page < 1 or page > self.static_pages(col):
                return None
            return 200, self.render_column(col, page)
        if kind == "item":
            return 200, self.render_item(target[1])
        if kind == "leader":
            return 200, self.render_leader(target[1], target[2])
        if kind == "sitemap":
            return 200, self.render_sitemap()
        if kind == "contact":
            return 200, self.render_contact()
        if kind == "stats":
            return 200, self.render_stats_page(target[1])
        if kind == "footer_include":
            return 200, self.footer_html(False)
        return None

    def static_pages(self, col: Column) -> int:
        """How many list pages exist as HTML for this column."""
        if not is_list(col) or col.blank or not col.items:
            return 1
        mode = cv(col).get("mode", "static")
        n = col.pages()
        if mode in ("json", "opaque", "datastore"):
            return 1
        if mode == "partial":
            return min(n, int(cv(col).get("static_pages", 1)))
        return n

    # column pages
    def render_column(self, col: Column, page: int) -> str:
        body = self.column_body(col, page)
        return self.wrap(f"{col.name}_{self.site_name()}", self.col_meta(col), "column", self.column_frame(col, body), col)

    def column_frame(self, col: Column, inner: str) -> str:
        raise NotImplementedError

    def column_body(self, col: Column, page: int) -> str:
        if col.ctype == "nav":
            return self.menu_body(col)
        if col.ctype == "org":
            return self.org_body(col)
        if col.ctype == "leaders":
            return self.leaders_body(col)
        if col.ctype == "page":
            return "".join(f"<p>{esc(p)}</p>" for p in col.content.get("paragraphs", []))
        mode = cv(col).get("mode", "static")
        if mode in ("json", "opaque") and col.ctype == "list":
            # a script-drawn list looks the same empty or full: only its data says (an empty list then)
            return self.json_list(col) if mode == "json" else self.opaque_list(col, page)
        if col.ctype == "messages":
            return self.messages_list(col, page)
        if col.blank or not col.items:
            return self.empty(col)
        if mode == "datastore":
            return self.datastore_list(col)
        if mode == "json":
            return self.json_list(col)
        if mode == "opaque":
            return self.opaque_list(col, page)
        if mode == "partial":
            return self.partial_list(col, page)
        items = col.items[(page - 1) * col.page_size: page * col.page_size]
        return self.list_rows(col, items) + self.pager(col, page)

    def empty(self, col: Column) -> str:
        return f'<div class="nodata">{esc(self.words["empty"])}</div>'

    def list_date(self, col: Column) -> str:
        mode = cv(col).get("mode", "static")
        if mode in ("md", "blind"):
            return "md_bracket" if self.style == "dede" and cv(col).get("date") == "bracket" else "md"
        return cv(col).get("date") or "iso"

    def menu_body(self, col: Column) -> str:
        how = cv(col).get("menu", "blocks")
        if how == "links":
            lis = "".join(f'<li><a href="{ch.url}">{esc(ch.name)}</a></li>' for ch in col.children)
            return f'<div class="sub-menu"><ul>{lis}</ul></div>'
        blocks = []
        for ch in col.children:
            rows = ""
            if is_list(ch) and ch.items and not ch.blank and cv(ch).get("mode") not in ("json", "opaque", "blind"):
                rows = self.list_rows(ch, ch.items[:5], compact=True)
            blocks.append(f'<div class="sub-block"><div class="sub-hd"><a href="{ch.url}">{esc(ch.name)}</a>'
                          f'<a class="more" href="{ch.url}">{esc(self.words["more"])}</a></div>{rows}</div>')
        return "".join(blocks)

    def list_rows(self, col: Column, items: list[Item], compact: bool = False) -> str:
        raise NotImplementedError

    def pager(self, col: Column, page: int) -> str:
        return ""

    # script-filled lists (styles override the markup they use)
    def datastore_list(self, col: Column) -> str:
        return self.list_rows(col, col.items[: col.page_size])

    def json_list(self, col: Column) -> str:
        api = self.json_url(col, 1)
        return (f'<ul class="list" id="list{col.id}"><li>{esc(self.words["loading"])}</li></ul>'
                f'{JQUERY_TAG}<script type="text/javascript">var listUrl = "{api}";\n$.getJSON(listUrl, function (res) {{ var h = "";'
                f' $.each(res.list, function (i, d) {{ h += "<li><a href=\\"" + d.url + "\\">" + d.title + "</a><span>" + d.time + "</span></li>"; }});'
                f' $("#list{col.id}").html(h); }});</script>')

    def json_url(self, col: Column, page: int) -> str:
        return f"/api/list/{col.id}_{page}.json"

    def json_data(self, col: Column, page: int) -> dict[str, Any]:
        size = col.page_size
        items = col.items[(page - 1) * size: page * size]
        return {"total": len(col.items), "page": page, "pageCount": col.pages(),
                "list": [{"title": it.title, "url": it.url, "time": it.date.isoformat()} for it in items]}

    def opaque_list(self, col: Column, page: int) -> str:
        return self.json_list(col)

    def partial_list(self, col: Column, page: int) -> str:
        items = col.items[(page - 1) * col.page_size: page * col.page_size]
        return self.list_rows(col, items) + self.pager(col, page)

    # messages
    def messages_list(self, col: Column, page: int) -> str:
        """The letter box: its 写信 entry and statistics whether or not any letter is published."""
        L = self.labels
        items = [] if col.blank else col.items[(page - 1) * col.page_size: page * col.page_size]
        st = self.V["message_status"]
        rows = [f"<tr><th>标题</th><th>{esc(L['asked'])}</th><th>状态</th></tr>"]
        for it in items:
            ans = it.extra.get("answered")
            hidden = it.extra.get("hidden") or ()
            asked = "" if "留言时间" in hidden else fmt(it.date, "iso")
            status = st["answered"][it.id % 3] if ans else st["pending"][it.id % 3]
            rows.append(f'<tr><td><a href="{it.url}" target="_blank">{esc(it.title)}</a></td><td>{asked}</td>'
                        f"<td>{status}</td></tr>")
        write = (f'<div class="write"><a href="{self.site.special["write_url"]}">{esc(self.v.get("write_entry", "我要写信"))}</a></div>')
        table = f'<table class="letters">{"".join(rows)}</table>' + self.pager(col, page) if items else self.empty(col)
        return write + table + self.stats_block(col)

    def stats_block(self, col: Column) -> str:
        if self.site.special.get("message_stats") is False:
            return ""
        if self.v.get("stats_where") == "page":
            return f'<p class="stats-link"><a href="{self.site.special["stats_url"]}">留言办理情况统计</a></p>'
        return f'<p class="stats">{esc(self.stats_line(col))}</p>'

    def stats_line(self, col: Column) -> str:
        tpl = self.V["chrome"]["stats_line"][self.v.get("stats_line", 0)]
        total = len(col.items) if col.items else 12 + self.site.seed % 30
        return tpl.format(year=self.t0.year - 1, total=total)

    def render_stats_page(self, col: Column) -> str:
        body = f'<div class="stats-page"><h3>留言办理情况统计</h3><p>{esc(self.stats_line(col))}</p></div>'
        return self.wrap(f"留言办理情况统计_{self.site_name()}", {"ColumnName": "留言办理情况统计"}, None,
                         self.column_frame(col, body), col)

    def message_body(self, it: Item) -> str:
        L, x = self.labels, it.extra
        hidden = x.get("hidden") or ()
        rows = [(L["asker"], x.get("asker")), (L["asked"], it.date.isoformat() if "留言时间" not in hidden else None),
                (L["question"], x.get("question")),
                (L["unit"], x.get("answer_unit") if "答复单位" not in hidden else None),
                (L["answered"], x["answered"].isoformat() if x.get("answered") and "答复时间" not in hidden else None),
                (L["answer"], x.get("answer") if "答复内容" not in hidden else None)]
        return '<table class="letter-detail">' + "".join(
            f"<tr><th>{esc(a)}：</th><td>{esc(b)}</td></tr>" for a, b in rows if b) + "</table>"

    # org / leaders
    def org_body(self, col: Column) -> str:
        c = col.content
        words = {k: self.rng("org", k).choice(v) for k, v in self.V["org_words"].items()}
        layout = cv(col).get("org_layout", "headings")
        out = [f"<h3>{esc(words['duties'])}</h3>"] + [f"<p>{esc(p)}</p>" for p in c["duties"]]
        if cv(col).get("unit_hours"):
            out.append(f"<p>{esc(words['hours'])}：{esc(c['sections'][0]['hours'] or '工作日 8:30-12:00，14:30-17:30')}</p>")
        out.append(f"<p>{esc(words['address'])}：{esc(self.site.footer.get('address', ''))}</p>")
        out.append(f"<h3>{esc(words['sections'])}</h3>")
        secs = c["sections"]
        if layout == "table":
            head = f"<tr><th>科室</th><th>{esc(words['head'])}</th><th>{esc(words['phone'])}</th><th>{esc(words['hours'])}</th><th>职责</th></tr>"
            rows = "".join(f"<tr><td>{esc(s['name'])}</td><td>{esc(s['head'] or '')}</td><td>{esc(s['phone'])}</td>"
                           f"<td>{esc(s['hours'] or '')}</td><td>{esc(s['duty'])}</td></tr>" for s in secs)
            out.append(f'<table class="org-table">{head}{rows}</table>')
        elif layout == "dl":
            for s in secs:
                dd = [f"<dd>{esc(words['head'])}：{esc(s['head'])}</dd>" if s["head"] else "",
                      f"<dd>{esc(words['hours'])}：{esc(s['hours'])}</dd>" if s["hours"] else "",
                      f"<dd>{esc(words['phone'])}：{esc(s['phone'])}</dd>", f"<dd>职责：{esc(s['duty'])}</dd>"]
                out.append(f"<dl><dt>{esc(s['name'])}</dt>{''.join(dd)}</dl>")
        else:
            for s in secs:
                lines = [f"<h4>{esc(s['name'])}</h4>", f"<p>职责：{esc(s['duty'])}</p>"]
                if s["head"]:
                    lines.append(f"<p>{esc(words['head'])}：{esc(s['head'])}</p>")
                if s["hours"]:
                    lines.append(f"<p>{esc(words['hours'])}：{esc(s['hours'])}</p>")
                lines.append(f"<p>{esc(words['phone'])}：{esc(s['phone'])}</p>")
                out.append(f'<div class="office">{"".join(lines)}</div>')
        return f'<div class="org">{"".join(out)}</div>'

    def leader_url(self, col: Column, k: int) -> str:
        return f"{col.content['leader_base']}{k + 1}.{self.static_ext}"

    def leaders_body(self, col: Column) -> str:
        words = {k: self.rng("leader", k).choice(v) for k, v in self.V["leader_words"].items()}
        out = []
        for k, ld in enumerate(col.content["leaders"]):
            if cv(col).get("leader_layout") == "detail":
                out.append(f'<li><a href="{self.leader_url(col, k)}">{esc(ld["name"])}</a><span>{esc(ld["title"])}</span></li>')
            else:
                resume = f'<p>{esc(words["resume"])}：{esc(ld["resume"])}</p>' if ld["resume"] else ""
                out.append(f'<div class="leader"><img src="/images/leader{k}.jpg" alt="{esc(ld["name"])}">'
                           f'<h4>{esc(ld["name"])}</h4><p>{esc(ld["title"])}</p>{resume}</div>')
        if cv(col).get("leader_layout") == "detail":
            return f'<ul class="leaders">{"".join(out)}</ul>'
        return "".join(out)

    def render_leader(self, col: Column, k: int) -> str:
        ld = col.content["leaders"][k]
        words = {kk: self.rng("leader", kk).choice(v) for kk, v in self.V["leader_words"].items()}
        resume = f'<p>{esc(words["resume"])}：{esc(ld["resume"])}</p>' if ld["resume"] else ""
        body = (f'<div class="leader-detail"><img src="/images/leader{k}.jpg" alt=""><h2>{esc(ld["name"])}</h2>'
                f'<p>职务：{esc(ld["title"])}</p>{resume}<p>{esc(words["duty"])}：负责单位全面工作。</p></div>')
        return self.wrap(f"{ld['name']}_{col.name}_{self.site_name()}", {**self.col_meta(col), "ArticleTitle": ld["name"]},
                         "content", self.column_frame(col, body), col)

    # articles
    def article_info(self, it: Item) -> str:
        raise NotImplementedError

    def article_body(self, it: Item) -> str:
        k, x = it.kind, it.extra
        T = load_data("page.yaml")["texts"]
        t = self.text("item", it.id)
        if k == "message":
            return self.message_body(it)
        if k == "report":
            return self.report_body(it)
        if k == "guide":
            els = load_data("text.yaml")["guide_elements"]
            vals = {"service": x["service"], "unit": self.site.unit, "city": self.site.city, "window": x["window"], "tel": x["tel"]}
            rows = "".join(f"<tr><td>{esc(a)}</td><td>{esc(b.format(**vals))}</td></tr>" for a, b in els.items())
            return f'<table class="guide">{rows}</table>'
        if k == "consult":
            ps = [T["consult_intro"].format(doc=x["doc"]), x["period_text"],
                  T["consult_contact"].format(tel=self.rng("tel", it.id).randint(100000, 999999),
                                              domain=self.site.domain.split(".", 1)[-1])] + t.paragraphs(2)
        elif k == "feedback":
            c = x["consult"]
            n = self.rng("fb", it.id).randint(3, 30)
            st = c.extra["start"]
            ps = [T["feedback"].format(y=st.year, m=st.month, d=st.day, doc=c.extra["doc"], n=n, k=n // 2), T["feedback_rest"]]
        else:
            ps = t.paragraphs(3)
        if x.get("wording"):  # a planted slip, in a sentence of the body
            ps.insert(1, f"会议强调，要深入学习领会{x['wording']}的有关精神，切实把思想和行动统一到上级决策部署上来。")
        body = "".join(f"<p>{esc(p)}</p>" for p in ps)
        if k == "feedback":
            c = x["consult"]
            body += f'<p>原征集公告：<a href="{c.url}">{esc(c.title)}</a></p>'
        if k == "policy":
            if x.get("doc_no"):
                body = f'<p style="text-align:center">{esc(x["doc_no"])}</p>' + body
            ip = x.get("interp")
            if ip is not None and x.get("links_interp", True):
                body += f'<div class="related">{esc(self.words["related_interp"])}<a href="{ip.url}">{esc(ip.title)}</a></div>'
        if k == "interp" and x.get("links_policy", True):
            p = x["policy"]
            body += f'<div class="related">{esc(self.words["related_policy"])}<a href="{p.url}">{esc(p.title)}</a></div>'
        for b in self.site.special["broken"]:
            if it.id in b.get("items", ()):
                body += f'<p>{esc(self.words["attachments"])}<a href="{b["url"]}">{esc(it.title[:12])}.pdf</a></p>'
        return body

    def report_body(self, it: Item) -> str:
        secs = load_data("text.yaml")["report_sections"]
        T = load_data("page.yaml")["texts"]
        x, f = it.extra, it.extra["figures"]
        out = [f"<p>{esc(T['report_intro'].format(year=x['year']))}</p>",
               f"<p><strong>{secs[0]}</strong></p><p>{esc(T['report_overall'].format(year=x['year'], unit=self.site.unit, n=f[0]))}</p>",
               f"<p><strong>{secs[1]}</strong></p><table border='1'><tr><td>规章</td><td>0</td></tr><tr><td>行政规范性文件</td><td>{f[1] % 20}</td></tr></table>",
               f"<p><strong>{secs[2]}</strong></p><p>{esc(T['report_requests'].format(n=f[4] % 50))}</p>",
               f"<p><strong>{secs[3]}</strong></p><p>{esc(T['report_review'])}</p>",
               f"<p><strong>{secs[4]}</strong></p>" + "".join(f"<p>{esc(s)}</p>" for s in x["section5"]),
               f"<p><strong>{secs[5]}</strong></p><p>{esc(T['report_other'])}</p>"]
        return "".join(out)

    def render_item(self, it: Item) -> str:
        col = it.column
        body = self.article_frame(it)
        return self.wrap(f"{it.title}_{self.site_name()}", self.item_meta(it), "content", body, col)

    def article_frame(self, it: Item) -> str:
        raise NotImplementedError

    # home and other pages
    def home_blocks(self) -> list[Column]:
        return [self.site.cols_by_id[i] for i in self.site.special.get("home_blocks", [])]

    def home_rows(self, col: Column) -> list[Item]:
        frozen = self.site.special.get("home_last")
        shown = col.items if frozen is None else [it for it in col.items if it.date <= frozen]
        return shown[: int(self.site.special.get("home_rows", 6))]

    def home_extra_links(self) -> str:
        s = self.site
        links = [f'<a href="{s.special["write_url"]}">{esc(self.v.get("write_entry", "我要写信"))}</a>']
        for b in s.special["broken"]:
            if b["on"] == "home":
                links.append(f'<a href="{b["url"]}">{"资料下载" if b["status"] == 404 else "专题链接"}</a>')
        return f'<div class="quick-links">{" ".join(links)}</div>'

    def render_home(self) -> str:
        raise NotImplementedError

    def render_sitemap(self) -> str:
        form = self.v.get("sitemap_form", "tree")

        def tree(cols: list[Column]) -> str:
            return "<ul>" + "".join(f'<li><a href="{c.url}">{esc(c.name)}</a>{tree(c.children) if c.children else ""}</li>'
                                    for c in cols) + "</ul>"
        if form == "table":
            rows = []
            for c in self.site.columns:
                subs = []
                for ch in c.children:
                    subs.append(f'<a href="{ch.url}">{esc(ch.name)}</a>')
                    subs += [f'<a href="{g.url}">{esc(g.name)}</a>' for g in ch.walk() if g is not ch]
                rows.append(f'<tr><th><a href="{c.url}">{esc(c.name)}</a></th><td>{" | ".join(subs)}</td></tr>')
            inner = f'<table class="map">{"".join(rows)}</table>'
        elif form == "columns":
            inner = "".join(f'<div class="map-col"><h3><a href="{c.url}">{esc(c.name)}</a></h3>{tree(c.children) if c.children else ""}</div>'
                            for c in self.site.columns)
        else:
            inner = tree(self.site.columns)
        word = self.words["sitemap_word"]
        return self.wrap(f"{word}_{self.site_name()}", {"ColumnName": word}, None,
                         self.plain_frame(word, f'<div class="sitemap">{inner}</div>'), None)

    def render_contact(self) -> str:
        f = self.site.footer
        body = (f"<p>主办单位：{esc(f['sponsor'])}</p><p>联系电话：{esc(f['phone'])}</p>"
                f"<p>通讯地址：{esc(f.get('address', ''))}</p>")
        word = self.words["contact_word"]
        return self.wrap(f"{word}_{self.site_name()}", {"ColumnName": word}, None, self.plain_frame(word, body), None)

    def plain_frame(self, title: str, inner: str) -> str:
        return f'<div class="plain"><h2>{esc(title)}</h2>{inner}</div>'

    def render_search(self, q: str, ok: bool = True) -> str:
        q = q.strip()
        if not ok:
            body = '<p class="error">参数错误，请从站内搜索框重新检索。</p>'
            return self.wrap(f"搜索结果_{self.site_name()}", {"ColumnName": "站内搜索"}, None, self.plain_frame("站内搜索", body), None)
        hits = []
        if q:
            until = self.site.special.get("search_indexed_until")
            hits = [it for it in self.site.items_by_id.values() if q in it.title and (until is None or it.date <= until)]
            hits.sort(key=lambda i: (i.date, i.seq), reverse=True)
        head = f"共检索到{len(hits)}条与“{q}”相关的信息" if hits else f"没有找到与“{q}”相关的信息"
        rows = "".join(f'<li><a href="{it.url}" target="_blank">{esc(it.title)}</a>'
                       + ("" if self.blind(it.column) else f'<span>{it.date.isoformat()}</span>') + "</li>"
                       for it in hits[:15])
        body = f'<p class="result-count">{esc(head)}</p><ul class="results">{rows}</ul>'
        return self.wrap(f"搜索结果_{self.site_name()}", {"ColumnName": "站内搜索"}, None, self.plain_frame("站内搜索", body), None)

    def render_write(self, message: str | None = None) -> str:
        if message:
            inner = f'<p class="result">{esc(message)}</p>'
        elif self.site.special.get("channel_broken") == "closed":
            inner = '<p class="notice">因系统升级维护，网上留言暂停受理，恢复时间另行通知。</p>'
        else:
            inner = (f'<form method="post" action="{self.site.special["write_url"]}">'
                     '<p>标题：<input type="text" name="f0"></p><p>内容：<textarea name="f1" rows="8"></textarea></p>'
                     '<p>姓名：<input type="text" name="f2"></p><p>电话：<input type="text" name="f3"></p>'
                     '<p><input type="submit" value="提交"></p></form>')
        word = self.v.get("write_entry", "我要写信")
        return self.wrap(f"{word}_{self.site_name()}", {"ColumnName": word}, None, self.plain_frame(word, inner), None)

    # the JSON / datastore data behind script lists
    def datastore_records(self, col: Column, start: int, end: int) -> str:
        recs = "".join(f"<record><![CDATA[\n{self.record_html(col, it)}\n]]></record>\n"
                       for it in col.items[start - 1: end])
        return f"<datastore>\n<recordset>\n{recs}</recordset>\n</datastore>"

    def record_html(self, col: Column, it: Item) -> str:
        return f'<li><a href="{it.url}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a><span>{fmt(it.date, self.list_date(col))}</span></li>'


# ---------------------------------------------------------------------------------------------- 动易-like ASP


class PowerEasy(VRenderer):
    """Old ASP portal chrome: tables, query-string URLs, 年月日 dates, `站名 >> 栏目 >> 正文` breadcrumbs."""

    style = "powereasy"
    static_ext = "asp"
    header_box = False  # <table class="top"> around the logo cell

    def assign(self) -> None:
        s, r = self.site, {}
        for col in s.all_columns():
            col.url = f"/Article/ShowClass.asp?ClassID={col.id}"
            r[f"/Article/ShowClass.asp?ClassID={col.id}"] = ("column", col, 1)
            if col.ctype == "leaders":
                col.content["leader_base"] = f"/Article/ShowLeader.asp?ClassID={col.id}&No="
                for k in range(len(col.content["leaders"])):
                    r[f"/Article/ShowLeader.asp?ClassID={col.id}&No={k + 1}"] = ("leader", col, k)
            for it in col.items:
                it.url = f"/Article/ShowArticle.asp?ArticleID={it.id}"
                r[it.url] = ("item", it)
        s.special.update(sitemap_url="/SiteMap.asp", contact_url="/Contact.asp", write_url="/GuestBook/WriteGuest.asp",
                         search_url="/Search.asp", stats_url="/GuestBook/Count.asp", footer_include="/Include/Footer.html")
        r.update({"/": ("home",), "/Index.asp": ("home",), "/SiteMap.asp": ("sitemap",), "/Contact.asp": ("contact",),
                  "/GuestBook/WriteGuest.asp": ("write",), "/Search.asp": ("search",)})
        msg = next((c for c in s.all_columns() if c.ctype == "messages"), None)
        if msg is not None:
            r["/GuestBook/Count.asp"] = ("stats", msg)
        s.routes = r
        self.broken_urls()
        self.add_common_routes(r)

    def leader_url(self, col: Column, k: int) -> str:
        return f"{col.content['leader_base']}{k + 1}"

    def resolve(self, path: str, query: dict[str, str]) -> tuple | None:
        r = self.site.routes
        if path == "/Article/ShowClass.asp" and "ClassID" in query:
            t = r.get(f"/Article/ShowClass.asp?ClassID={query['ClassID']}")
            if t is not None and "page" in query:
                try:
                    return ("column", t[1], int(query["page"]))
                except ValueError:
                    return None
            return t
        if path == "/Article/ShowArticle.asp" and "ArticleID" in query:
            return r.get(f"/Article/ShowArticle.asp?ArticleID={query['ArticleID']}")
        if path == "/Article/ShowLeader.asp":
            return r.get(f"/Article/ShowLeader.asp?ClassID={query.get('ClassID')}&No={query.get('No')}")
        return r.get(path)

    def col_page_url(self, col: Column, page: int) -> str:
        return col.url if page <= 1 else f"{col.url}&page={page}"

    def search_path(self) -> str:
        return "/Search.asp"

    def search_hidden(self) -> str:
        return '<input type="hidden" name="ModuleName" value="Article"><input type="hidden" name="Field" value="Title">'

    def wrap(self, title, meta, ptype, body, active, home=False) -> str:
        nav = "".join(f'<td class="nav"><a href="{u}">{esc(n)}</a></td>' for n, u, _ in self.nav_links())
        return (f'<html>\n<head>\n<title>{esc(title)}</title>\n{self.charset_meta()}\n{self.meta_tags(meta, ptype)}\n'
                f'<link href="/Skin/DefaultSkin.css" rel="stylesheet" type="text/css">\n'
                f'<script language="JavaScript" src="/js/checklogin.js"></script>\n</head>\n'
                f'<body leftmargin="0" topmargin="0">\n<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" class="top">'
                f'<tr><td width="600">{self.logo()}</td><td align="right">{self.search_form()}</td></tr></table>\n'
                f'<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" class="menu"><tr>'
                f'<td class="nav"><a href="/">网站首页</a></td>{nav}</tr></table>\n{body}\n{self.footer(home)}</body>\n</html>\n')

    def breadcrumb(self, col: Column | None, tail: str | None = None) -> str:
        parts = [f'<a href="/">{esc(self.site_name())}</a>']
        parts += [f'<a href="{u}">{esc(n)}</a>' for n, u in self.crumbs(col)]
        if tail:
            parts.append(esc(tail))
        return f'<td class="position">您现在的位置：&nbsp;{"&nbsp;&gt;&gt;&nbsp;".join(parts)}</td>'

    def side(self, col: Column | None) -> str:
        sibs = col.parent.children if col is not None and col.parent is not None else self.site.columns
        lis = "".join(f'<tr><td class="left_class"><a href="{c.url}">{esc(c.name)}</a></td></tr>' for c in sibs)
        return f'<table width="200" border="0" cellpadding="0" cellspacing="0" class="left">{lis}</table>'

    def column_frame(self, col: Column, inner: str) -> str:
        return (f'<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr>'
                f'<td width="210" valign="top">{self.side(col)}</td><td valign="top">'
                f'<table width="100%" border="0" cellpadding="0" cellspacing="0"><tr>{self.breadcrumb(col)}</tr></table>'
                f'<table width="100%" class="class_title"><tr><td>{esc(col.name)}</td></tr></table>{inner}</td></tr></table>')

    def list_rows(self, col: Column, items: list[Item], compact: bool = False) -> str:
        how = self.list_date(col)
        rows = "".join(f'<tr><td class="listbg"><img src="/Images/article_common.gif" alt="">&nbsp;<a href="{it.url}" '
                       f'title="文章标题：{esc(it.title)}" target="_blank">{esc(it.title)}</a></td>'
                       f'<td class="listbg" align="right" width="120">{fmt(it.date, how)}</td></tr>' for it in items)
        return f'<table width="100%" border="0" cellpadding="0" cellspacing="5" class="article_list">{rows}</table>'

    def pager(self, col: Column, page: int) -> str:
        n = col.pages()
        if n <= 1:
            return ""
        parts = [f"共 <b>{len(col.items)}</b> 篇文章&nbsp;&nbsp;"]
        parts.append(f'<a href="{self.col_page_url(col, 1)}">首页</a>' if page > 1 else "首页")
        parts.append(f'<a href="{self.col_page_url(col, page - 1)}">上一页</a>' if page > 1 else "上一页")
        parts.append(f'<a href="{self.col_page_url(col, page + 1)}">下一页</a>' if page < n else "下一页")
        parts.append(f'<a href="{self.col_page_url(col, n)}">尾页</a>' if page < n else "尾页")
        parts.append(f"&nbsp;页次：<strong><font color=red>{page}</font>/{n}</strong>页&nbsp;<b>{col.page_size}</b>篇文章/页")
        return f'<div class="showpage">{"&nbsp;".join(parts)}</div>'

    def article_info(self, it: Item) -> str:
        date = "" if self.blind(it.column) else f"更新时间：{fmt(it.date, 'dash_nopad')}"
        return f'<tr><td class="article_info">作者：佚名&nbsp;&nbsp;文章来源：{esc(self.site.unit)}&nbsp;&nbsp;点击数：{it.id % 900 + 12}&nbsp;&nbsp;{date}</td></tr>'

    def article_frame(self, it: Item) -> str:
        col = it.column
        return (f'<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr>{self.breadcrumb(col, "正文")}</tr></table>'
                f'<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" class="article">'
                f'<tr><td class="article_title"><font size="4"><b>{esc(it.title)}</b></font></td></tr>{self.article_info(it)}'
                f'<tr><td class="article_content" id="fontzoom">{self.article_body(it)}</td></tr>'
                f'<tr><td align="right"><a href="javascript:window.print()">{esc(self.words["print"])}</a> '
                f'<a href="javascript:window.close()">{esc(self.words["close"])}</a></td></tr></table>')

    def footer_html(self, home: bool) -> str:
        p = self.footer_parts(home)
        links = " | ".join(x for x in (p["sitemap_link"], p["contact_link"]) if x)
        line1 = "&nbsp;&nbsp;".join(x for x in (f"版权所有：{esc(self.site.unit)}", p["sponsor"], p["site_id"]) if x)
        line2 = "&nbsp;&nbsp;".join(x for x in (p["icp"], p["police"]) if x)
        line3 = "&nbsp;&nbsp;".join(x for x in (p["address"], p["contact"]) if x)
        marks = " ".join(x for x in (p["conac"], p["jiucuo"]) if x)
        return (f'<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" class="bottom">'
                f'<tr><td align="center">{links}</td></tr><tr><td align="center">{line1}</td></tr>'
                f'<tr><td align="center">{line2}</td></tr><tr><td align="center">{line3}</td></tr>'
                f'<tr><td align="center">技术支持：县信息中心&nbsp;&nbsp;{marks}</td></tr></table>\n')

    def render_home(self) -> str:
        blocks = []
        how = self.v.get("home_date", "md")
        for c in self.home_blocks():
            rows = "".join(f'<tr><td>·<a href="{it.url}" title="{esc(it.title)}" target="_blank">{esc(it.title)}</a></td>'
                           f'<td align="right">{fmt(it.date, "md" if how == "md" else "dash_nopad")}</td></tr>'
                           for it in self.home_rows(c))
            blocks.append(f'<table width="480" border="0" cellpadding="0" cellspacing="0" class="index_block">'
                          f'<tr><td class="index_title">{esc(c.name)}</td><td align="right"><a href="{c.url}">{esc(self.words["more"])}</a></td></tr>'
                          f'<tr><td colspan="2"><table width="100%">{rows}</table></td></tr></table>')
        body = (f'<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td valign="top">'
                f'{"".join(blocks)}</td></tr><tr><td>{self.home_extra_links()}</td></tr></table>')
        return self.wrap(self.site_name(), {"ColumnName": "首页"}, None, body, None, home=True)

    def plain_frame(self, title: str, inner: str) -> str:
        return (f'<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">'
                f'<tr>{self.breadcrumb(None, title)}</tr><tr><td>{inner}</td></tr></table>')


# ---------------------------------------------------------------------------------------------- DedeCMS-like PHP


class Dede(VRenderer):
    """PHP CMS chrome: `/a/<dir>/` columns, `list_<tid>_<n>.html` pages, `主页 > … >` breadcrumbs, MM-DD lists."""

    style = "dede"

    def assign(self) -> None:
        s, r = self.site, {}
        used: set[str] = set()
        for col in s.all_columns():
            chain = []
            c: Column | None = col
            while c is not None:
                chain.append(c.slug)
                c = c.parent
            base = "/a/" + "/".join(reversed(chain)) + "/"
            if base in used:
                base = base[:-1] + f"{col.id}/"
            used.add(base)
            col.content["dir"] = base
            if col.ctype in ("page", "org", "leaders"):
                col.url = f"/html/{col.slug}_{col.id}.html"
            else:
                col.url = base
                r[base + "index.html"] = ("column", col, 1)
                for p in range(2, col.pages() + 1):
                    r[f"{base}list_{col.id}_{p}.html"] = ("column", col, p)
            r[col.url] = ("column", col, 1)
            if col.ctype == "leaders":
                col.content["leader_base"] = f"/html/{col.slug}_{col.id}_ld"
                for k in range(len(col.content["leaders"])):
                    r[f"/html/{col.slug}_{col.id}_ld{k + 1}.html"] = ("leader", col, k)
            for it in col.items:
                if self.blind(col):
                    it.url = f"{base}{it.id}.html"
                else:
                    it.url = f"{base}{it.date.year}/{it.date.month:02d}{it.date.day:02d}/{it.id}.html"
                r[it.url] = ("item", it)
        s.special.update(sitemap_url="/data/sitemap.html", contact_url="/html/lxwm.html", write_url="/plus/guestbook.php",
                         search_url="/plus/search.php", stats_url="/plus/guestbook_count.php", footer_include="/templets/foot.htm")
        r.update({"/": ("home",), "/index.html": ("home",), "/data/sitemap.html": ("sitemap",), "/html/lxwm.html": ("contact",),
                  "/plus/guestbook.php": ("write",), "/plus/search.php": ("search",)})
        msg = next((c for c in s.all_columns() if c.ctype == "messages"), None)
        if msg is not None:
            r["/plus/guestbook_count.php"] = ("stats", msg)
        s.routes = r
        self.broken_urls()
        self.add_common_routes(r)

    def col_page_url(self, col: Column, page: int) -> str:
        return col.url if page <= 1 else f"{col.content['dir']}list_{col.id}_{page}.html"

    def search_path(self) -> str:
        return "/plus/search.php"

    def wrap(self, title, meta, ptype, body, active, home=False) -> str:
        lis = []
        for n, u, subs in self.nav_links():
            sub = "".join(f'<li><a href="{su}">{esc(sn)}</a></li>' for sn, su in subs)
            lis.append(f'<li><a href="{u}">{esc(n)}</a>' + (f'<ul class="sub">{sub}</ul>' if sub else "") + "</li>")
        return (f'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
                f'<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n{self.charset_meta()}\n<title>{esc(title)}</title>\n'
                f'{self.meta_tags(meta, ptype)}\n<link href="/templets/default/style/dedecms.css" rel="stylesheet" media="screen" type="text/css" />\n'
                f'</head>\n<body class="articlelist">\n<div class="header"><div class="top w960 center">'
                f'<div class="title">{self.logo()}</div><div class="toplogin">{self.search_form()}</div></div>'
                f'<div class="module blue mT10 wrapper w963"><div id="navMenu"><ul><li><a href="/"><span>主页</span></a></li>'
                f'{"".join(lis)}</ul></div></div></div>\n{body}\n{self.footer(home)}</body>\n</html>\n')

    def place(self, col: Column | None, tail: str | None = None) -> str:
        parts = [f"<a href='/'>{esc(self.v.get('crumb_home', '主页'))}</a>"] + [f"<a href='{u}'>{esc(n)}</a>" for n, u in self.crumbs(col)]
        text = " &gt; ".join(parts) + " &gt; " + (esc(tail) if tail else "")
        return f'<div class="place"><strong>当前位置:</strong> {text}</div>'

    def column_frame(self, col: Column, inner: str) -> str:
        sibs = col.parent.children if col.parent is not None else self.site.columns
        side = "".join(f'<li><a href="{c.url}">{esc(c.name)}</a></li>' for c in sibs)
        return (f'<div class="w960 center clear mt1"><div class="pleft">{self.place(col)}'
                f'<div class="listbox"><h2>{esc(col.name)}</h2>{inner}</div></div>'
                f'<div class="pright"><div class="commend"><dl class="tbox"><dt><strong>栏目列表</strong></dt><dd><ul class="d6">{side}</ul></dd></dl></div></div></div>')

    def list_rows(self, col: Column, items: list[Item], compact: bool = False) -> str:
        how = self.list_date(col)
        if how in ("md", "md_bracket"):
            rows = "".join(f'<li><span class="date">{fmt(it.date, how)}</span><a href="{it.url}" target="_blank">{esc(it.title)}</a></li>'
                           for it in items)
            return f'<ul class="d1 ico3">{rows}</ul>'
        rows = "".join(f'<li><a href="{it.url}" class="title">{esc(it.title)}</a><span class="info"><small>日期：</small>'
                       f'{fmt(it.date, how)} <small>点击：</small>{it.id % 700 + 3}</span></li>' for it in items)
        return f'<ul class="e2">{rows}</ul>'

    def pager(self, col: Column, page: int) -> str:
        n = col.pages()
        if n <= 1:
            return ""
        lis = [f'<li><a href="{self.col_page_url(col, 1)}">首页</a></li>']
        if page > 1:
            lis.append(f'<li><a href="{self.col_page_url(col, page - 1)}">上一页</a></li>')
        for p in range(1, n + 1):
            lis.append(f'<li class="thisclass">{p}</li>' if p == page else f'<li><a href="{self.col_page_url(col, p)}">{p}</a></li>')
        if page < n:
            lis.append(f'<li><a href="{self.col_page_url(col, page + 1)}">下一页</a></li>')
        lis.append(f'<li><a href="{self.col_page_url(col, n)}">末页</a></li>')
        lis.append(f'<li><span class="pageinfo">共 <strong>{n}</strong>页<strong>{len(col.items)}</strong>条</span></li>')
        return f'<div class="dede_pages"><ul class="pagelist">{"".join(lis)}</ul></div>'

    def article_info(self, it: Item) -> str:
        parts = []
        if not self.blind(it.column):
            parts.append(f"<small>时间:</small>{it.date.isoformat()} {self.time_of(it)}")
        parts.append(f"<small>来源:</small>{esc(self.site.unit)}")
        parts.append(f'<small>点击:</small><script src="/plus/count.php?view=yes&aid={it.id}&mid=1" type=\'text/javascript\' language="javascript"></script>次')
        return f'<div class="info">{" ".join(parts)}</div>'

    def article_frame(self, it: Item) -> str:
        return (f'<div class="w960 center clear mt1"><div class="pleft">{self.place(it.column)}'
                f'<div class="viewbox"><div class="title"><h2>{esc(it.title)}</h2></div>{self.article_info(it)}'
                f'<div class="content"><table width="100%"><tr><td>{self.article_body(it)}</td></tr></table></div>'
                f'<div class="boxoff"><strong>------分隔线----------------------------</strong></div></div></div></div>')

    def footer_html(self, home: bool) -> str:
        p = self.footer_parts(home)
        links = " | ".join(x for x in (p["sitemap_link"], p["contact_link"]) if x)
        lines = [x for x in (" ".join(y for y in (p["sponsor"], p["site_id"]) if y), " ".join(y for y in (p["icp"], p["police"]) if y),
                             " ".join(y for y in (p["address"], p["contact"]) if y)) if x]
        marks = " ".join(x for x in (p["conac"], p["jiucuo"]) if x)
        return (f'<div class="footer w960 center mt1 clear"><div class="footer_left"></div><div class="footer_body">'
                f'<p class="links">{links}</p>' + "".join(f'<p class="powered">{x}</p>' for x in lines)
                + f'<div class="copyright">{marks}</div></div><div class="footer_right"></div></div>\n')

    def render_home(self) -> str:
        blocks = []
        how = self.v.get("home_date", "md")
        for c in self.home_blocks():
            rows = "".join(f'<li><span>{fmt(it.date, "md" if how == "md" else "iso")}</span><a href="{it.url}">{esc(it.title)}</a></li>'
                           for it in self.home_rows(c))
            blocks.append(f'<dl class="tbox"><dt><strong><a href="{c.url}">{esc(c.name)}</a></strong>'
                          f'<span class="more"><a href="{c.url}">更多...</a></span></dt><dd><ul class="d1 ico3">{rows}</ul></dd></dl>')
        body = f'<div class="w960 center clear mt1"><div class="pleft">{"".join(blocks)}</div>{self.home_extra_links()}</div>'
        return self.wrap(self.site_name(), {"ColumnName": "首页"}, None, body, None, home=True)

    def plain_frame(self, title: str, inner: str) -> str:
        return f'<div class="w960 center clear mt1">{self.place(None, title)}<div class="viewbox">{inner}</div></div>'


# ---------------------------------------------------------------------------------------------- TRS avalon (pingtan)


class Avalon(VRenderer):
    """The pingtan TRS chrome: `ms-controller` lists, static first pages and an API for the rest."""

    style = "avalon"
    static_ext = "htm"

    def assign(self) -> None:
        s, r = self.site, {}
        used: set[str] = set()
        for col in s.all_columns():
            chain = []
            c: Column | None = col
            while c is not None:
                chain.append(c.slug)
                c = c.parent
            base = "/" + "/".join(reversed(chain)) + "/"
            if base in used:
                base = base[:-1] + f"_{col.id}/"
            used.add(base)
            col.content["dir"] = base
            col.url = base
            r[base] = ("column", col, 1)
            r[base + "index.htm"] = ("column", col, 1)
            cv(col).setdefault("static_pages", 1 + col.id % 2)
            for p in range(2, col.pages() + 1):
                r[f"{base}index_{p - 1}.htm"] = ("column", col, p)
            if cv(col).get("mode") == "json":
                for p in range(1, col.pages() + 2):  # one page past the end answers an empty list, as APIs do
                    r[f"{base}list_{p}.json"] = ("json", col, p)
            if col.ctype == "leaders":
                col.content["leader_base"] = f"{base}ld_"
                for k in range(len(col.content["leaders"])):
                    r[f"{base}ld_{k + 1}.htm"] = ("leader", col, k)
            for it in col.items:
                it.url = f"{base}{it.date:%Y%m}/t{it.date:%Y%m%d}_{it.id}.htm"
                r[it.url] = ("item", it)
        s.special.update(sitemap_url="/zwzdb/wzdt/", contact_url="/zwzdb/lxwm/", write_url="/hdjl/wyxx/",
                         search_url="/ssp/main/index.html", stats_url="/hdjl/lytj/", footer_include="/images/foot_include.htm")
        r.update({"/": ("home",), "/index.htm": ("home",), "/zwzdb/wzdt/": ("sitemap",), "/zwzdb/lxwm/": ("contact",),
                  "/hdjl/wyxx/": ("write",), "/ssp/main/index.html": ("search",)})
        msg = next((c for c in s.all_columns() if c.ctype == "messages"), None)
        if msg is not None:
            r["/hdjl/lytj/"] = ("stats", msg)
        s.routes = r
        self.broken_urls()
        self.add_common_routes(r)

    def col_page_url(self, col: Column, page: int) -> str:
        return col.url if page <= 1 else f"{col.content['dir']}index_{page - 1}.htm"

    def search_path(self) -> str:
        return "/ssp/main/index.html"

    def wrap(self, title, meta, ptype, body, active, home=False) -> str:
        lis = ['<li ms-class="on:RootPath==\'\'"><a href="/">首页</a></li>']
        subs = []
        for n, u, ss in self.nav_links():
            lis.append(f'<li class="parentNode"><a href="{u}">{esc(n)}</a></li>')
            subs.append('<div class="row"><div>' + "".join(f'<a href="{su}" target="_blank" title="{esc(sn)}">{esc(sn)}</a>' for sn, su in ss) + "</div></div>")
        charset = f'<meta charset="{self.site.meta_charset}">' if self.v.get("meta_charset", True) else ""
        return (f'<!DOCTYPE html>\n<html ms-controller="windowRoot">\n<head>\n{charset}\n'
                f'<meta http-equiv="x-UA-Compatible" content="IE=Edge,Chrome=1" />\n{self.meta_tags(meta, ptype)}\n'
                f'<title>{esc(title)}</title>\n<link rel="stylesheet" type="text/css" href="/images/trt_ui_v2.css">\n</head>\n'
                f'<body>\n<div class="wrap">\n<!--头部开始-->\n<div class="header menu_hov"><div class="row"><div class="logo trt-col-9">{self.logo()}</div>'
                f'<div class="header_line clearflx" role="serve" des="头部信息"><span>网站支持IPV6</span></div>'
                f'<div class="menu_base menu_right menu_hd"><ul class="clearflx" role="navigation" des="站点主目录">{"".join(lis)}</ul></div>'
                f'<div class="search_fixed">{self.search_form()}</div></div>'
                f'<div class="submenu menu_bd">{"".join(subs)}</div></div>\n<!--头部结束-->\n'
                f'<div class="main"><div class="content mar_t_large">{body}</div></div>\n{self.footer(home)}</div>\n'
                f'<script src="/images/model.min.js"></script>\n</body>\n</html>\n')

    def search_form(self) -> str:
        if self.site.special.get("search_broken") == "missing":
            return ""
        return (f'<form method="get" action="{self.search_path()}" target="_blank">'
                f'<input type="text" placeholder="请输入搜索内容" name="{self.v.get("search_param", "key")}" required="required" class="form-control" />'
                f'<button class="btn_base"><i class="trt-iconfont trt-icon-sousuo"></i></button></form>')

    def breadcrumb(self, col: Column | None, tail: str | None = None) -> str:
        lis = ['<li><a href="/" title="首页" class="active">首页</a></li>']
        lis += [f'<li><a href="{u}" title="{esc(n)}" class="active">{esc(n)}</a></li>' for n, u in self.crumbs(col)]
        if tail:
            lis.append(f"<li>{esc(tail)}</li>")
        return (f'<div class="breadcrumb" role=\'navigation\' des="当前位置"><span><i class="trt-iconfont trt-icon-weizhi"></i>当前位置：</span>'
                f'<ul>{"".join(lis)}</ul></div>')

    def column_frame(self, col: Column, inner: str) -> str:
        sibs = col.parent.children if col.parent is not None else self.site.columns
        on = ' class="on"'
        more = "".join(f'<li{on if c is col else ""}> <a href="{c.url}" title="{esc(c.name)}">{esc(c.name)}</a> </li>' for c in sibs)
        return (f'<div class="row content_bg_02 pad_large">{self.breadcrumb(col)}<div class="pad_l_base pingtgl">'
                f'<div class="title_extend clearflx"><div class="title_extend_left"><div class="title_base current_title clearflx">'
                f'<div class="title_name">{esc(col.name)}</div></div></div><div class="title_extend_right"><div class="title_more">'
                f'<button type="button" class="btn_base dropdown_toggle"><span>更多栏目</span></button>'
                f'<ul class="dropdown_menu dropdown_menu-right">{more}</ul></div></div></div>{inner}</div></div>')

    def list_rows(self, col: Column, items: list[Item], compact: bool = False) -> str:
        lis = "".join(f'<li> <a href="{it.url}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a> <em id="rel_{it.id}"></em>'
                      f' <span class="bf-pass">{fmt(it.date, self.list_date(col))}</span> </li>' for it in items)
        return f'<ul>{lis}</ul>'

    def list_shell(self, col: Column, static_html: str, record_count: int, max_static: int, api: str) -> str:
        return (f'<div class="list_base list_base_date_01 mar_t_base" ms-controller="list" role="viewlist" des=\'{esc(col.name)}\'>'
                f'<div ms-visible="showStatic"><div ms-visible="$showStatic(1)">{static_html}</div></div>'
                f'<div ms-visible="!showStatic" style="display:none;"><ul><li ms-repeat="list"><a ms-attr-href="el.url" ms-text="el.title" target="_blank"></a>'
                f'<span ms-text="el.time"></span></li></ul><div class="no_data" ms-if="error">暂无数据</div></div>'
                f'<div class="pagination" ms-controller="pagination"></div></div>'
                f'<script> var pageChnlInfo={{ quickMode:"动静结合", maxStaticIndex: {max_static}, classsql: "chnlid={col.id}", '
                f"recordCount:'{record_count}', sortfield:'-docorderpri,-docreltime', prepage:{col.page_size}, cache:true }} </script>"
                f'<script type="text/javascript"> require([\'list2.trsapi\'], function(listModel) {{ listModel({{ quickMode:pageChnlInfo.quickMode, '
                f'maxStaticIndex: pageChnlInfo.maxStaticIndex, listArgs: {{ channelid: 200210, classsql: pageChnlInfo.classsql, '
                f"sortfield: pageChnlInfo.sortfield }}, listApi: {{ url: \"{api}\" }}, pagebar: {{ recordCount: pageChnlInfo.recordCount, "
                f"prepage: pageChnlInfo.prepage }} }}) }}) </script>")

    def partial_list(self, col: Column, page: int) -> str:
        items = col.items[(page - 1) * col.page_size: page * col.page_size]
        static_pages = self.static_pages(col)
        pager = ""
        if static_pages > 1:
            pager = '<div class="static-pager">' + " ".join(
                f'<a href="{self.col_page_url(col, p)}">{p}</a>' for p in range(1, static_pages + 1)) + "</div>"
        return self.list_shell(col, self.list_rows(col, items) + pager, len(col.items), static_pages, "/fjdzapp/search")

    def opaque_list(self, col: Column, page: int) -> str:
        return self.list_shell(col, "", len(col.items), 0, "/fjdzapp/search")

    def json_list(self, col: Column) -> str:
        api = self.json_url(col, 1)
        return (f'<div class="list_base" id="list_{col.id}"><ul><li>{esc(self.words["loading"])}</li></ul></div>'
                f'{JQUERY_TAG}<script type="text/javascript"> var listUrl = "{api}"; $.ajax({{url: listUrl, type: "get", dataType: "json", '
                f'success: function (res) {{ var h = ""; for (var i = 0; i < res.list.length; i++) {{ var d = res.list[i]; '
                f'h += \'<li><a href="\' + d.url + \'" target="_blank">\' + d.title + \'</a><span class="bf-pass">\' + d.time + \'</span></li>\'; }} '
                f'$("#list_{col.id} ul").html(h); }} }}); </script>')

    def json_url(self, col: Column, page: int) -> str:
        return f"{col.content['dir']}list_{page}.json"

    def pager(self, col: Column, page: int) -> str:
        n = col.pages()
        if n <= 1:
            return ""
        act = ' class="active"'
        links = " ".join(f'<a href="{self.col_page_url(col, p)}"{act if p == page else ""}>{p}</a>' for p in range(1, n + 1))
        return f'<div class="pagination">{links}</div>'

    def article_info(self, it: Item) -> str:
        return (f'<div class="article_attr"><span>{esc(self.v.get("article_date_label", "发布时间："))}{it.date.isoformat()} {self.time_of(it)}</span>'
                f'<span>{esc(self.words["source"])}{esc(self.site.unit)}</span><span>浏览量：<em id="hits"></em></span></div>')

    def article_frame(self, it: Item) -> str:
        return (f'<div class="row content_bg_02 pad_large">{self.breadcrumb(it.column)}<div class="article_component">'
                f'<div class="article_title"><h1>{esc(it.title)}</h1></div>{self.article_info(it)}'
                f'<div class="article_area TRS_UEDITOR" id="zoom">{self.article_body(it)}</div>'
                f'<div class="article_tools"><a href="javascript:window.print();">{esc(self.words["print"])}</a></div></div></div>')

    def footer_html(self, home: bool) -> str:
        p = self.footer_parts(home)
        links = " <em>|</em> ".join(x for x in (p["sitemap_link"], p["contact_link"]) if x)
        spans = "".join(f"<span>{x}</span>" for x in (p["site_id"], p["police"], p["icp"]) if x)
        marks = "".join(x for x in (p["conac"], f'<span id="_span_jiucuo" title="政府网站找错">{p["jiucuo"]}</span>' if p["jiucuo"] else "") if x)
        spons = f'<p><span>{p["sponsor"]}</span></p>' if p["sponsor"] else ""
        cont = " ".join(x for x in (p["address"], p["contact"]) if x)
        return (f'<!--底部开始--><div class="footer"><div class="row mar_t_base" role="serve" des="网站信息"><div class="trt-row clearflx">'
                f'<div class="trt-col-11 website_info"><p>{links}</p><p>{spans}</p><p>{cont}</p></div>'
                f'<div class="trt-col-6 error_img">{marks}</div></div></div><div class="copyright_info"><div class="row">{spons}'
                f'<p>为确保最佳浏览效果，建议您使用以下浏览器版本：IE浏览器9.0版本及以上；Google Chrome浏览器 63版本及以上。</p></div></div></div><!--底部结束-->\n')

    def render_home(self) -> str:
        blocks = []
        how = self.v.get("home_date", "md")
        for c in self.home_blocks():
            rows = "".join(f'<li><a href="{it.url}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a>'
                           f'<span>{fmt(it.date, "md" if how == "md" else "iso")}</span></li>' for it in self.home_rows(c))
            blocks.append(f'<div class="trt-col-12"><div class="title_base"><div class="title_name"><a href="{c.url}">{esc(c.name)}</a></div>'
                          f'<a class="title_more" href="{c.url}">更多</a></div><div class="list_base list_base_date_01"><ul>{rows}</ul></div></div>')
        body = f'<div class="row trt-row">{"".join(blocks)}</div><div class="row">{self.home_extra_links()}</div>'
        return self.wrap(self.site_name(), {"ColumnName": "首页"}, None, body, None, home=True)

    def plain_frame(self, title: str, inner: str) -> str:
        return f'<div class="row content_bg_02 pad_large">{self.breadcrumb(None, title)}<div class="pad_l_base">{inner}</div></div>'


# ---------------------------------------------------------------------------------------------- 大汉 JCMS datastore


class Jcms(VRenderer):
    """Hanweb JCMS chrome: `/col/colN/index.html`, table breadcrumbs, lists as `<datastore>` records."""

    style = "jcms"
    header_box = False  # div.nav_logo > div.logo_search > div.logo

    def assign(self) -> None:
        s, r = self.site, {}
        webid = 3000 + derive_seed(s.key, "webid") % 900
        s.special["webid"] = webid
        for col in s.all_columns():
            base = f"/col/col{col.id}/"
            col.url = base + "index.html"
            col.content["dir"] = base
            r[col.url] = ("column", col, 1)
            r[base] = ("column", col, 1)
            if col.ctype == "leaders":
                col.content["leader_base"] = f"{base}ld_"
                for k in range(len(col.content["leaders"])):
                    r[f"{base}ld_{k + 1}.html"] = ("leader", col, k)
            for it in col.items:
                d = it.date
                it.url = f"/art/{d.year}/{d.month}/{d.day}/art_{col.id}_{it.id}.html"
                r[it.url] = ("item", it)
        s.special.update(sitemap_url="/col/col_wzdt/index.html", contact_url="/col/col_lxwm/index.html",
                         write_url="/module/xinxi/write.jsp", search_url="/jsearch/search.do",
                         stats_url="/module/xinxi/count.jsp", footer_include="/script/foot.html")
        r.update({"/": ("home",), "/index.html": ("home",), "/col/col_wzdt/index.html": ("sitemap",),
                  "/col/col_lxwm/index.html": ("contact",), "/module/xinxi/write.jsp": ("write",),
                  "/jsearch/search.do": ("search",), "/module/web/jpage/dataproxy.jsp": ("dataproxy",)})
        msg = next((c for c in s.all_columns() if c.ctype == "messages"), None)
        if msg is not None:
            r["/module/xinxi/count.jsp"] = ("stats", msg)
        s.routes = r
        self.broken_urls()
        self.add_common_routes(r)

    def col_page_url(self, col: Column, page: int) -> str:
        return col.url if page <= 1 else f"{col.url}?uid={col.id}&pageNum={page}"

    def resolve(self, path: str, query: dict[str, str]) -> tuple | None:
        t = self.site.routes.get(path)
        if t is not None and t[0] == "column" and "pageNum" in query:
            try:
                return ("column", t[1], int(query["pageNum"]))
            except ValueError:
                return None
        return t

    def static_pages(self, col: Column) -> int:
        if cv(col).get("mode") == "static" and is_list(col):
            return col.pages()
        return super().static_pages(col)

    def search_path(self) -> str:
        return "/jsearch/search.do"

    def search_hidden(self) -> str:
        return (f'<input type="hidden" name="appid" value="1"><input type="hidden" name="webid" value="{self.site.special["webid"]}">'
                '<input type="hidden" name="pos" value="title">')

    def wrap(self, title, meta, ptype, body, active, home=False) -> str:
        items = []
        for n, u, subs in self.nav_links():
            dd = "<dd>|</dd>".join(f'<dd><a href="{su}">{esc(sn)}</a></dd>' for sn, su in subs[:6])
            items.append(f'<div class="nav_item"><dl><dt><a href="{u}">{esc(n)}</a></dt>{dd}</dl><div class="clear"></div></div>')
        hidden = ""
        if active is not None:
            chain = [c for c in (active, active.parent, active.parent.parent if active.parent else None) if c is not None]
            hidden = ('<div id="hiddenLocation" style="display:none;">' + "".join(
                f'<span id="col{i + 1}_name">{esc(c.name)}</span><span id="col{i + 1}_url">{c.url}</span>' for i, c in enumerate(chain)) + "</div>")
        return (f'<html><head>\n{self.charset_meta()}\n<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">\n'
                f'<link rel="stylesheet" type="text/css" href="/images/{self.site.special["webid"]}/hanweb.css">\n<title>{esc(title)}</title>\n'
                f'{self.meta_tags(meta, ptype)}\n</head>\n<body>{hidden}<div id="barrierfree_container">\n'
                f'<div class="top_link"><p><span style="float:left"><a href="https://www.gov.cn/" target="_blank">中国政府网</a></span>'
                f'<span style="float:right;"><a href="javascript:zh_tran(\'s\');">简体</a>|<a href="javascript:zh_tran(\'t\');">繁体</a></span></p></div>\n'
                f'<div class="nav_logo"><div class="logo_search"><div class="logo">{self.logo()}</div><div class="search">{self.search_form()}</div></div>'
                f'<div class="nav"><div class="nav_item"><dl><dt><a href="/index.html">首页</a></dt></dl></div>{"".join(items)}</div></div>\n'
                f'{body}\n{self.footer(home)}</div>\n<a href="http://www.hanweb.com" style="display:none">Produced By 大汉网络 大汉版通发布系统</a>\n</body></html>\n')

    def position(self, col: Column | None, tail: str | None = None) -> str:
        tds = "".join(f'<td> &gt;<a href="{u}">{esc(n)}</a></td>' for n, u in self.crumbs(col))
        if tail:
            tds += f"<td> &gt;{esc(tail)}</td>"
        return (f'<!--当前位置--><div class="position"><div class="position-txt w"><table cellspacing="0" cellpadding="0" border="0"><tbody><tr>'
                f'<td style="width:30px; text-align:center;"><img src="/images/position.png"></td><td>当前位置：</td><td><a href="/index.html">首页</a></td>'
                f'<td><table width="100%" cellspacing="0" cellpadding="0" border="0"><tbody><tr>{tds}</tr></tbody></table></td>'
                f'</tr></tbody></table></div></div><!--当前位置结束-->')

    def column_frame(self, col: Column, inner: str) -> str:
        sibs = col.parent.children if col.parent is not None else self.site.columns
        side = "".join(f'<li><a href="{c.url}">{esc(c.name)}</a></li>' for c in sibs)
        return (f'{self.position(col)}<div class="bt-box-1200"><div class="bt-left"><div class="bt-left-con1"><ul>{side}</ul></div></div>'
                f'<div class="bt-right"><div class="bt-right-title">{esc(col.name)}</div><div class="bt-right-con">{inner}</div></div></div>')

    def list_rows(self, col: Column, items: list[Item], compact: bool = False) -> str:
        rows = "".join(f'<tr><td class="bt_link"><a href="{it.url}" title="{esc(it.title)}" target="_blank">{esc(it.title)}</a></td>'
                       f'<td class="bt_time" width="100">{fmt(it.date, self.list_date(col))}</td></tr>' for it in items)
        return f'<table width="100%" border="0" cellspacing="0" cellpadding="0">{rows}</table>'

    def record_html(self, col: Column, it: Item) -> str:
        return (f'<li><a href="{it.url}" title="{esc(it.title)}" target="_blank">{esc(it.title)}</a>'
                f'<span class="bt-data-time">{fmt(it.date, self.list_date(col))}</span></li>')

    def datastore_list(self, col: Column) -> str:
        group = col.page_size * 3
        recs = "".join(f"<record><![CDATA[\n{self.record_html(col, it)}\n]]></record>\n" for it in col.items[:group])
        nxt = (f'<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid={self.site.special["webid"]}'
               f'&path=/&columnid={col.id}&unitid={col.id + 1000}&webname={quote(self.site.name)}&permissiontype=0"></a>]]></nextgroup>')
        return (f'<div id="{col.id + 1000}"><script type="text/xml"><datastore>\n{nxt}\n<recordset>\n{recs}</recordset>\n</datastore>\n</script>'
                f'<script language="javascript" src="/module/web/jpage/jpage.js"></script>'
                f'<script>var jpage = new JPage({{pagesize: {col.page_size}, totalRecord: {len(col.items)}, columnid: {col.id}}});</script></div>')

    def pager(self, col: Column, page: int) -> str:
        n = col.pages()
        if n <= 1:
            return ""
        links = []
        if page > 1:
            links.append(f'<a href="{self.col_page_url(col, page - 1)}">上页</a>')
        if page < n:
            links.append(f'<a href="{self.col_page_url(col, page + 1)}">下页</a>')
        links.append(f'<a href="{self.col_page_url(col, n)}">尾页</a>')
        return f'<div class="default_pgContainer">共{len(col.items)}条 {page}/{n}页 {" ".join(links)}</div>'

    def article_info(self, it: Item) -> str:
        return (f'<div class="small-title clearfix"><span>发布日期：{it.date.isoformat()}</span><span>浏览次数：<script>_showDynClickBatch(["dynclicks_wz_{it.id}"]);</script></span>'
                f'<span>{esc(self.words["source"])}{esc(self.site.unit)}</span></div>')

    def article_frame(self, it: Item) -> str:
        return (f'{self.position(it.column)}<div class="wz-con bt-box-1200"><div class="con"><p class="con-title"><!--<$[标题]>begin-->'
                f'{esc(it.title)}<!--<$[标题]>end--></p><div style="height:3px; background-color:#dbdbdb;"></div>{self.article_info(it)}'
                f'<div class="main-txt" id="zoom"><!--<$[信息内容]>begin-->{self.article_body(it)}<!--<$[信息内容]>end--></div>'
                f'<div class="main-word"><span class="printer" onclick="javascript:window.print()">{esc(self.words["print"])}</span></div></div></div>')

    def footer_html(self, home: bool) -> str:
        p = self.footer_parts(home)
        links = " 丨 ".join(x for x in (p["sitemap_link"], p["contact_link"]) if x)
        lines = [x for x in (" ".join(y for y in (p["sponsor"], p["address"], p["contact"]) if y),
                             " ".join(y for y in (p["icp"], p["site_id"], p["police"]) if y)) if x]
        return (f'<div class="footer"><table border="0" cellpadding="0" cellspacing="0" width="1200" style=" margin:0 auto;"><tbody><tr>'
                f'<td align="center" valign="middle" width="170">{p["conac"]}<br>{p["jiucuo"]}</td>'
                f'<td align="center"><p>{links}</p>' + "".join(f"<p>{x}</p>" for x in lines)
                + '</td><td align="center" valign="middle" width="170"><img src="/images/ewm.jpg" height="115"></td></tr></tbody></table></div>\n')

    def render_home(self) -> str:
        blocks = []
        how = self.v.get("home_date", "md")
        for c in self.home_blocks():
            rows = "".join(f'<li><a href="{it.url}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a>'
                           f'<span>{fmt(it.date, "md_bracket" if how == "md" else "bracket")}</span></li>' for it in self.home_rows(c))
            blocks.append(f'<div class="index-box"><div class="index-box-title"><span><a href="{c.url}">{esc(c.name)}</a></span>'
                          f'<a class="more" href="{c.url}">更多&gt;&gt;</a></div><ul>{rows}</ul></div>')
        body = f'<div class="bt-box-1200">{"".join(blocks)}{self.home_extra_links()}</div>'
        return self.wrap(self.site_name(), {"ColumnName": "首页"}, None, body, None, home=True)

    def plain_frame(self, title: str, inner: str) -> str:
        return f'{self.position(None, title)}<div class="bt-box-1200">{inner}</div>'


# ---------------------------------------------------------------------------------------------- 邯郸 信息公开 platform


class Zfxxgk(VRenderer):
    """The renmin/邯郸 信息公开 chrome: `首页->…` crumbs, 名称/索引号/发布机构/发布日期 tables, info-box articles."""

    style = "zfxxgk"

    def assign(self) -> None:
        s, r = self.site, {}
        used: set[str] = set()
        for col in s.all_columns():
            chain = []
            c: Column | None = col
            while c is not None:
                chain.append(c.slug)
                c = c.parent
            base = "/" + "/".join(reversed(chain)) + "/"
            if base in used:
                base = base[:-1] + f"_{col.id}/"
            used.add(base)
            col.content["dir"] = base
            col.url = base
            r[base] = ("column", col, 1)
            r[base + "index.html"] = ("column", col, 1)
            for p in range(2, col.pages() + 1):
                r[f"{base}index_{p - 1}.html"] = ("column", col, p)
            if col.ctype == "leaders":
                col.content["leader_base"] = f"{base}ld_"
                for k in range(len(col.content["leaders"])):
                    r[f"{base}ld_{k + 1}.html"] = ("leader", col, k)
            for it in col.items:
                it.url = f"{base}{it.date:%Y%m}/t{it.date:%Y%m%d}_{it.id}.html"
                r[it.url] = ("item", it)
        s.special.update(sitemap_url="/wzdt/", contact_url="/lxwm/", write_url="/zmhd/wyly/", search_url="/govsearch/search.jsp",
                         stats_url="/zmhd/lytj/", footer_include="/include/footer.html")
        r.update({"/": ("home",), "/index.html": ("home",), "/wzdt/": ("sitemap",), "/lxwm/": ("contact",),
                  "/zmhd/wyly/": ("write",), "/govsearch/search.jsp": ("search",)})
        msg = next((c for c in s.all_columns() if c.ctype == "messages"), None)
        if msg is not None:
            r["/zmhd/lytj/"] = ("stats", msg)
        s.routes = r
        self.broken_urls()
        self.add_common_routes(r)

    def col_page_url(self, col: Column, page: int) -> str:
        return col.url if page <= 1 else f"{col.content['dir']}index_{page - 1}.html"

    def search_path(self) -> str:
        return "/govsearch/search.jsp"

    def resolve(self, path: str, query: dict[str, str]) -> tuple | None:
        if path == "/xxgk/api/list":
            try:
                col = self.site.cols_by_id[int(query.get("channelid", ""))]
                page = int(query.get("page", "1"))
            except (KeyError, ValueError):
                return None
            if cv(col).get("mode") != "json" or page < 1:
                return None
            return ("json", col, page)
        return self.site.routes.get(path)

    def index_no(self, it: Item) -> str:
        return f"{derive_seed(self.site.key, 'org') % 10**9:09d}/{it.date.year}-{it.id % 100000:05d}"

    def wrap(self, title, meta, ptype, body, active, home=False) -> str:
        nav = "".join(f'<li><a href="{u}">{esc(n)}</a></li>' for n, u, _ in self.nav_links())
        mega = []
        for n, u, subs in self.nav_links():
            mega.append(f'<ul><li class="first"><a href="{u}">{esc(n)}</a></li>'
                        + "".join(f'<li><a href="{su}" target="_blank">{esc(sn)}</a></li>' for sn, su in subs) + "</ul>")
        return (f'<html lang="zh"><head>{self.charset_meta()}\n{self.meta_tags(meta, ptype)}\n<title>{esc(title)}</title>\n'
                f'<link rel="stylesheet" href="/images/new_xxgkindex.css">\n</head>\n<body>\n<div class="f_w clearfix"><div class="w"><div class="header_szf">'
                f'<div class="logo">{self.logo()}</div><div class="lj"><a href="https://www.gov.cn/" target="_blank">中国政府网</a></div></div></div></div>\n'
                f'<!-- 导航 --><div class="sx-navs"><ul class="sx-list"><li><a href="/">首页</a></li>{nav}</ul></div>\n'
                f'<div class="sx-width"><div class="ss1">{self.search_form()}</div>{body}</div>\n'
                f'<div class="dhlm clearfix">{"".join(mega)}</div>\n{self.footer(home)}</body></html>\n')

    def crumb_line(self, col: Column | None, tail: str | None = None) -> str:
        parts = ['<a href="/" title="首页" class="CurrChnlCls">首页</a>']
        parts += [f'<a href="{u}" title="{esc(n)}" class="CurrChnlCls">{esc(n)}</a>' for n, u in self.crumbs(col)]
        if tail:
            parts.append(esc(tail))
        return f'<div class="sx-more1">{"-&gt;".join(parts)}</div>'

    def column_frame(self, col: Column, inner: str) -> str:
        return (f'<div class="sx-cot1 clearFix"><div class="sx-c2-right1"><div class="sx-c1-title clearFix"><img src="/images/sx-blue.jpg" alt="">'
                f'<h1>{esc(col.name)}</h1>{self.crumb_line(col)}</div><div class="sx-c1-list list1">{inner}</div></div></div>')

    def list_rows(self, col: Column, items: list[Item], compact: bool = False) -> str:
        if compact:
            return "<ul>" + "".join(f'<li><a href="{it.url}">{esc(it.title)}</a><span>{fmt(it.date, self.list_date(col))}</span></li>' for it in items) + "</ul>"
        head = '<tr><th width="47%" height="35">名称</th><th width="21%" height="35">索引号</th><th width="19%" height="35">发布机构</th><th width="12%" height="35">发布日期</th></tr>'
        rows = "".join(f'<tr><td height="35"><a href="{it.url}" title="{esc(it.title)}"> {esc(it.title)} </a></td><td height="35">{self.index_no(it)}</td>'
                       f'<td height="35">{esc(self.site.unit)}</td><td height="35">{fmt(it.date, self.list_date(col))}</td></tr>' for it in items)
        return f'<div class="szbmtclb fl clearfix" style="width:100%;"><table><tbody>{head}{rows}</tbody></table></div>'

    def json_list(self, col: Column) -> str:
        api = self.json_url(col, 1)
        return (f'<div class="szbmtclb"><table><tbody id="xxgk_{col.id}"><tr><th>名称</th><th>发布日期</th></tr></tbody></table></div>'
                f'{JQUERY_TAG}<script type="text/javascript">$.ajax({{ url: "{api}", dataType: "json", success: function (data) {{ '
                f'$.each(data.data.rows, function (i, r) {{ $("#xxgk_{col.id}").append("<tr><td><a href=\'" + r.link + "\'>" + r.name + "</a></td><td>" + r.pubDate + "</td></tr>"); }}); }} }});</script>')

    def json_url(self, col: Column, page: int) -> str:
        return f"/xxgk/api/list?channelid={col.id}&page={page}"

    def json_data(self, col: Column, page: int) -> dict[str, Any]:
        size = col.page_size
        items = col.items[(page - 1) * size: page * size]
        return {"code": 0, "data": {"total": len(col.items), "rows": [{"name": it.title, "link": it.url, "pubDate": it.date.isoformat()} for it in items]}}

    def pager(self, col: Column, page: int) -> str:
        n = col.pages()
        if n <= 1:
            return ""
        js = (f'<script language="javascript"> var countnum= {len(col.items)}; var currentPage={page - 1}; var countPage={n}; '
              f'document.write("<a href=\\"index.html\\" target=\\"_self\\" >首页</a>&nbsp;&nbsp;"); </script>')
        links = [f'<a href="{self.col_page_url(col, 1)}" target="_self">首页</a>']
        for p in range(1, n + 1):
            links.append(f'<span class="now">{p}</span>' if p == page else f'<a href="{self.col_page_url(col, p)}" target="_self" class="pnum">{p}</a>')
        if page < n:
            links.append(f'<a href="{self.col_page_url(col, page + 1)}" target="_self">下一页</a>')
        links.append(f'<a href="{self.col_page_url(col, n)}" target="_self">尾页</a>')
        return f'<div class="page_box"><div class="page">{js}{"&nbsp;&nbsp;".join(links)}</div></div>'

    def article_frame(self, it: Item) -> str:
        doc = it.extra.get("doc_no") or "无"
        return (f'<div class="container content"><div class="top cf"><div class="top-l fl">'
                f'<p><strong>索引号</strong>：{self.index_no(it)}</p><p><strong>发布机构</strong>：{esc(self.site.unit)}</p>'
                f'<p><strong>名称</strong>：{esc(it.title)}</p><p><strong>文号</strong>：{esc(doc)}</p></div>'
                f'<div class="top-r fr"><p><strong>主题分类</strong>：{esc(it.column.name)}</p>'
                f'<p><strong>发布日期</strong>：{fmt(it.date, "cn_pad")}</p></div><div style="clear: both;"></div></div>'
                f'<div class="xxgk-title"><h2>{esc(it.title)}</h2></div><div class="xxgk-content" id="zoom">{self.article_body(it)}</div></div>')

    def footer_html(self, home: bool) -> str:
        p = self.footer_parts(home)
        conac = ""
        if p["conac"]:
            conac = (f'<div class="img img1"><script type="text/javascript">document.write(unescape("%3Cspan id=\'_ideConac\' %3E%3C/span%3E'
                     f'%3Cscript src=\'https://dcs.conac.cn/js/17/000/0000/{self.site.footer["conac_id"]}.js\' type=\'text/javascript\'%3E%3C/script%3E"));</script>'
                     f'{p["conac"]}</div>')
        jiucuo = (f'<div class="img img2"><script id="_jiucuo_" sitecode="{self.site.site_id_code}" src="/images/jiucuo.js"></script></div>'
                  if p["jiucuo"] else "")
        lis = "".join(f"<li>{x}|</li>" for x in ('<a href="/">返回首页</a>', p["contact_link"], p["sitemap_link"]) if x)
        ps = "".join(f"<p>{x}</p>" for x in (f"{esc(self.site.unit)} {p['icp']}" if p["icp"] else esc(self.site.unit), p["police"],
                                                 p["site_id"].replace("：", " "), p["sponsor"], " ".join(y for y in (p["address"], p["contact"]) if y)) if x)
        return f'<div class="footer_bg"><div class="footer"><ul>{lis}</ul>{ps}{conac}{jiucuo}</div></div>\n'

    def render_home(self) -> str:
        blocks = []
        how = self.v.get("home_date", "md")
        for c in self.home_blocks():
            rows = "".join(f'<li><a href="{it.url}">{esc(it.title)}</a><span>{fmt(it.date, "md" if how == "md" else "iso")}</span></li>'
                           for it in self.home_rows(c))
            blocks.append(f'<div class="sx-c1-left1"><div class="sx-c1-title clearFix"><h1>{esc(c.name)}</h1>'
                          f'<a href="{c.url}" class="sx-more1">更多&gt;&gt;</a></div><ul class="sx-c1-list">{rows}</ul></div>')
        body = f'<div class="sx-cot1 clearFix">{"".join(blocks)}</div>{self.home_extra_links()}'
        return self.wrap(self.site_name(), {"ColumnName": "首页"}, None, body, None, home=True)

    def plain_frame(self, title: str, inner: str) -> str:
        return f'<div class="sx-cot1"><div class="sx-c1-title"><h1>{esc(title)}</h1>{self.crumb_line(None, title)}</div>{inner}</div>'


VRENDERERS = {"powereasy": PowerEasy, "dede": Dede, "avalon": Avalon, "jcms": Jcms, "zfxxgk": Zfxxgk}


def vrenderer_for(site: SimSite, time_point: dt.date) -> VRenderer:
    return VRENDERERS[site.style](site, time_point)
