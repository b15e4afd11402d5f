"""Page kind (home / list / article / other) from structure and text, not from the URL alone."""
from __future__ import annotations

from urllib.parse import urlparse

from .article import ArticleFacts
from .lists import ListResult

# Thresholds are structural constants of the heuristic, not rule values.
ARTICLE_BODY_MIN = 150
ARTICLE_BODY_STRONG = 300  # list pages carry at most a short intro paragraph
LIST_ROWS_MIN = 3


def _root_url(url: str | None) -> bool:
    if not url:
        return False
    try:
        path = urlparse(url).path or "/"
    except ValueError:
        return False
    return path in ("/", "") or path.rsplit("/", 1)[-1].lower() in ("index.html", "index.htm", "index.shtml",
                                                                     "index.jsp", "index.php", "default.html",
                                                                     "default.htm", "index.aspx") and path.count("/") <= 1


def classify(art: ArticleFacts, lst: ListResult, breadcrumb: list[str], url: str | None,
             column_page: bool = False) -> str:
    """`column_page`: the page names a column (meta ColumnName or a "栏目_网站" title)."""
    rows = len(lst.items)
    body = art.body_chars
    # A headline with a shown date over a body of running text outweighs any sidebar list.
    if art.publish_date and art.date_source != "url" and (body >= ARTICLE_BODY_STRONG
                                                          or body >= max(ARTICLE_BODY_MIN, rows * 25)):
        if art.labelled_date or art.title:
            return "article"
    # 信息公开 detail pages: a metadata table (索引号/发布机构) and a labelled date, the body often an attachment.
    if art.labelled_date and rows == 0 and (art.info.get("index_no") or art.info.get("publisher")):
        return "article"
    if not breadcrumb and lst.dated_groups >= 3 and body < 1500:
        return "home"
    if not breadcrumb and not column_page and lst.dated_blocks >= 3 and body < 1500:
        return "home"
    if _root_url(url) and not breadcrumb and (rows or lst.groups >= 2):
        return "home"
    if rows >= LIST_ROWS_MIN or (lst.dynamic and body < 600) or (lst.blank_marker and body < 300):
        return "list"
    if rows >= 1 and (not art.labelled_date or body < ARTICLE_BODY_MIN):
        return "list"  # a short column: its first row's date is not a page date
    if body >= ARTICLE_BODY_MIN or (art.publish_date and body >= 60):
        return "article"
    if rows >= 1:
        return "list"
    return "other"
