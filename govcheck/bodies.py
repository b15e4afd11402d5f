"""The subordinate-bodies roster: which departments and townships each county-level 政府信息公开 platform must
carry a sub-platform for (issue 18). Read with the one table reader and the sites roster's row-numbered errors.

Columns: 区域, 上级平台网址 (the county site's home page, as in the sites roster), 单位名称, 类型 (部门 / 乡镇街道),
optional 平台栏目网址 (the sub-platform's own page, when the office knows it). Real offices take the list from the
机构编制 records; the demo ships Xianning's (govcheck/demo/xianning-2022q2/bodies.csv, sources beside it).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from govcheck.collect.roster import RosterError, _url_parts, roster_rows, roster_url
from govcheck.model import Site

HEADERS = {
    "区域": "region", "region": "region",
    "上级平台网址": "platform", "上级平台": "platform", "平台网址": "platform", "platform": "platform",
    "单位名称": "name", "unit": "name", "name": "name",
    "类型": "type", "单位类型": "type", "type": "type",
    "平台栏目网址": "url", "子平台网址": "url", "栏目网址": "url", "url": "url",
}
REQUIRED = ["platform", "name", "type"]
FIELD_LABEL = {"region": "区域", "platform": "上级平台网址", "name": "单位名称", "type": "类型", "url": "平台栏目网址"}
DEPT, TOWN = "部门", "乡镇街道"
TYPES = {"部门": DEPT, "县直部门": DEPT, "单位": DEPT,
         "乡镇街道": TOWN, "乡镇（街道）": TOWN, "乡镇(街道)": TOWN, "乡镇": TOWN, "街道": TOWN, "镇": TOWN, "乡": TOWN,
         "镇街": TOWN, "乡镇、街道": TOWN}


@dataclass
class BodyRow:
    region: str
    platform: str  # the 上级平台网址, normalised like the sites roster's 首页网址
    name: str
    type: str  # 部门 | 乡镇街道
    url: str | None
    file: str
    row: int


def read_bodies(path: str | Path) -> list[BodyRow]:
    """Bodies from a roster file; raises RosterError (file, row, column) on the first bad cell."""
    path = Path(path)
    out: list[BodyRow] = []
    seen: dict[tuple[str, str], int] = {}
    for rn, cell in roster_rows(path, HEADERS, REQUIRED, FIELD_LABEL):
        platform, name, typ = cell("platform"), cell("name"), cell("type")
        if not platform:
            raise RosterError(path, rn, "上级平台网址", "不能为空")
        platform = roster_url(path, rn, "上级平台网址", platform)
        if not name:
            raise RosterError(path, rn, "单位名称", "不能为空")
        if not typ:
            raise RosterError(path, rn, "类型", "不能为空（应为“部门”或“乡镇街道”）")
        if typ not in TYPES:
            raise RosterError(path, rn, "类型", f"应为“部门”或“乡镇街道”，实际为“{typ}”")
        url = cell("url")
        url = roster_url(path, rn, "平台栏目网址", url) if url else None
        key = (platform, name)
        if key in seen:
            raise RosterError(path, rn, "单位名称", f"与第{seen[key]}行重复：{name}（上级平台 {platform}）")
        seen[key] = rn
        out.append(BodyRow(region=cell("region"), platform=platform, name=name, type=TYPES[typ], url=url,
                           file=path.name, row=rn))
    if not out:
        raise RosterError(path, None, None, "名单中没有单位（只有表头）")
    return out


def check_platforms(rows: list[BodyRow], sites: list[Site], path: str | Path) -> None:
    """Every 上级平台网址 names a site of the round's sites roster (by its home page or one of its hosts)."""
    for r in rows:
        if site_for(r.platform, sites) is None:
            raise RosterError(path, r.row, "上级平台网址", f"网站名单中没有这个网站：{r.platform}")


def _host(url: str) -> str:
    p = _url_parts(url)
    return (p.netloc or "").lower() if p is not None else ""


def site_for(platform: str, sites: list[Site]) -> Site | None:
    for s in sites:
        if s.url.rstrip("/") == platform.rstrip("/"):
            return s
    host = _host(platform)
    for s in sites:
        if host and (host == _host(s.url) or host in (h.lower() for h in s.extra_hosts)):
            return s
    return None


def platform_facts(site: Site, rows: list[BodyRow]):
    """The PlatformFacts of one site: the bodies whose 上级平台 it is (None when it is no one's)."""
    from govcheck.checks.facts import Body, PlatformFacts

    mine = [r for r in rows if site_for(r.platform, [site]) is site]
    if not mine:
        return None
    return PlatformFacts(bodies=[Body(name=r.name, type=r.type, url=r.url, file=r.file, row=r.row) for r in mine],
                         region=mine[0].region or site.region or None, source=mine[0].file)
