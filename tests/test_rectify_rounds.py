"""整改复查 over two rounds of a replica region: some website defects fixed in between, some still there, some new,
one site unreadable in the second round and one column taken down. Every previous finding is classed 已整改 /
未整改 / 需人工核查 and every new one 新发现; the notice, 附件1's marks and 整改情况对比表 say the same."""
from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from docx import Document

from govcheck.model import Evidence, Finding
from govcheck.rectify import FIXED, NEW, NOT_FIXED, UNDECIDED, match_findings
from govcheck.sim.testing import running_region
from monitor_support import write_scenario
from test_crawl_support import free_port

AT = dt.date(2022, 5, 15)
COL = "首页>工作动态>部门动态"  # a 动态要闻 column of the dept template
STALE = {"plant": "stale", "path": COL, "last": "2022-04-01"}
A, B, C, D = "示范市审计局", "示范市统计局", "示范市水利局", "示范市林业局"


def footer(*elements: str) -> dict:
    return {"plant": "footer_missing", "elements": list(elements)}


BEFORE = {"r-a": (A, [STALE, footer("icp")]), "r-b": (B, [STALE, footer("police_record")]),
          "r-c": (C, [footer("icp")]), "r-d": (D, [STALE])}
AFTER = {"r-a": (A, [footer("icp")]), "r-b": (B, [STALE, footer("icp")]), "r-c": (C, [footer("icp")]),
         "r-d": (D, [{"plant": "column_missing", "path": COL}])}


def inspect_round(tmp, name: str, sites: dict, out, previous=None, down: str | None = None):
    from govcheck.inspect.run import run_inspect

    scen = write_scenario(tmp / f"scen-{name}", AT, sites, name=f"rectify-{name}")
    with running_region(scen) as reg:
        roster = reg.write_roster(tmp / f"sites-{name}.csv")
        if down:  # this unit's site does not answer in this round
            text = roster.read_text(encoding="utf-8-sig")
            url = next(s["url"] for s in reg.sites if s["unit"] == down)
            roster.write_text(text.replace(url, f"http://127.0.0.1:{free_port()}/"), encoding="utf-8-sig")
        return run_inspect(roster, out, at=AT, delay=0.0, progress=False, search=False, external=False,
                           allow=[*reg.allow, "127.0.0.1"], previous=previous)


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rectify")
    prev_dir = tmp / "4月份"  # the folder name is the label the notice uses (round.json may set another)
    first = inspect_round(tmp, "before", BEFORE, prev_dir)
    # the previous notice also named a problem a person found (V1.2 is always judged by a person)
    fj = json.loads((prev_dir / "findings.json").read_text(encoding="utf-8"))
    url_a = next(f["target"] for f in fj if f["unit"] == A)
    fj.append({"unit": A, "target": url_a, "target_type": "site", "code": "V1.2", "source": "manual",
               "text": "存在严重错误", "evidence": [{"url": url_a, "note": "人工检查发现"}]})
    (prev_dir / "findings.json").write_text(json.dumps(fj, ensure_ascii=False), encoding="utf-8")
    second = inspect_round(tmp, "after", AFTER, tmp / "now", previous=prev_dir, down=C)
    return {"first": first, "second": second, "now": tmp / "now"}


def _states(second) -> list[tuple[str, str, str, str | None]]:
    from govcheck.rectify import site_matches

    view = second.view
    return [(m.state, m.finding.unit, m.finding.code, m.finding.params.get("element"))
            for m in site_matches(view.meta, view.findings, view.rs)]


def test_every_finding_is_classed(rounds):
    first, second = rounds["first"], rounds["second"]
    states = _states(second)
    prev = [f for f in first.view.findings if f.target_type == "site" and first.view.rs.rule(f.code).scored]
    prev.append("V1.2 added by hand")
    cur = [f for f in second.view.findings if f.target_type == "site" and second.view.rs.rule(f.code).scored]
    # every previous finding once, every current finding matched or new
    assert len([s for s in states if s[0] != NEW]) == len(prev)
    assert len([s for s in states if s[0] in (NOT_FIXED, NEW)]) == len(cur)
    got = set(states)
    assert (FIXED, A, "D04.2", None) in got  # the column was updated
    assert (NOT_FIXED, A, "D21", "ICP备案编号") in got  # the ICP number still missing
    assert (NOT_FIXED, B, "D04.2", None) in got
    assert (FIXED, B, "D21", "公安机关备案标识") in got  # fixed, though another footer element now missing …
    assert (NEW, B, "D21", "ICP备案编号") in got  # … which is new, not the old problem
    # C could not be read this round: nothing of it is 已整改
    assert {s[0] for s in states if s[1] == C} == {UNDECIDED}
    # D took the stale column down: its page was not read this round, so a person decides
    assert (UNDECIDED, D, "D04.2", None) in got and (FIXED, D, "D04.2", None) not in got
    # a problem a person found: only a person can say it is fixed
    assert (UNDECIDED, A, "V1.2", None) in got
    # the previous findings nobody planted (the template's own) are found again, not counted as fixed
    planted = {(A, "D04.2"), (B, "D21"), (D, "D04.2"), (A, "D21"), (B, "D04.2"), (C, "D21"), (A, "V1.2")}
    assert all(s[0] != FIXED for s in states if (s[1], s[2]) not in planted and s[1] != C), states


def test_notice_and_attachment_say_so(rounds):
    second, now = rounds["second"], rounds["now"]
    states = _states(second)
    n = {k: sum(1 for s in states if s[0] == k) for k in (FIXED, NOT_FIXED, NEW, UNDECIDED)}
    docx = next(now.glob("通报*.docx"))
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    para = next(line for line in text.split("\n") if "网站问题整改情况" in line)
    assert f"4月份通报的网站问题共{n[FIXED] + n[NOT_FIXED] + n[UNDECIDED]}个" in para
    assert f"已整改{n[FIXED]}个，仍未整改{n[NOT_FIXED]}个" in para and f"新发现问题{n[NEW]}个" in para
    assert f"另有{n[UNDECIDED]}个因网站或页面本轮无法访问" in para
    assert A in para and B in para  # units with problems still there
    # 附件1: the ICP line of A marked 未整改; B's ICP line (new) and police line (fixed) not
    wb = openpyxl.load_workbook(next(now.glob("附件1*.xlsx")))
    cells = {r[0]: r[1] for r in wb.active.iter_rows(values_only=True) if r and r[0] in (A, B, C, D)}
    a_icp = next(line for line in cells[A].split("\n") if "ICP" in line)
    assert a_icp.endswith("（4月份通报未整改）")
    b_icp = next(line for line in cells[B].split("\n") if "ICP" in line)
    assert "未整改" not in b_icp and "公安机关备案标识" not in cells[B]
    b_d042 = next(line for line in cells[B].split("\n") if "动态要闻" in line)
    assert b_d042.endswith("（4月份通报未整改）")


def test_comparison_table_covers_websites(rounds):
    now = rounds["now"]
    wb = openpyxl.load_workbook(now / "整改情况对比表.xlsx")
    ws = wb["网站"]
    assert wb.sheetnames[0] == "网站" and wb.properties.title == "4月份通报网站问题整改情况对比表"
    assert "4月份通报网站问题整改情况对比表" in [r[0] for r in ws.iter_rows(max_row=3, values_only=True)]
    every = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(every) if r and r[0] == "单位名称")  # below the title (and draft mark)
    assert every[head][:7] == ("单位名称", "网站", "规则编码", "问题", "栏目路径或页面", "整改情况", "说明")
    rows = [r for r in every[head + 1:] if r and r[0]]
    states = _states(rounds["second"])
    assert len(rows) == len(states)
    assert {(r[0], r[2], r[5]) for r in rows} == {(s[1], s[2], s[0]) for s in states}
    c_rows = [r for r in rows if r[0] == C]
    assert c_rows and all(r[5] == UNDECIDED and "未能读取" in r[6] for r in c_rows)
    d_row = next(r for r in rows if r[0] == D and r[2] == "D04.2" and r[5] == UNDECIDED)
    assert "未读取到该页面" in d_row[6]


def _f(unit, code, path=None, url=None, status=None, **params):
    return Finding(unit=unit, target="http://x.gov.cn/", target_type="site", code=code, params=params,
                   evidence=[Evidence(path=path, url=url, status=status)])


def test_matcher_rules():
    """The matcher on its own: path or page decide; the host does not (http → https); one current finding answers
    one previous finding; a page unreachable then (a dead link) is not a reason to withhold 已整改."""
    prev = [_f("甲局", "D04.2", path="首页 > 新闻 > 要闻"), _f("甲局", "D04.2", path="首页>新闻>通知"),
            _f("甲局", "D22.1", url="http://x.gov.cn/a/1.html", status=404),
            _f("甲局", "D09.1", url="http://x.gov.cn/col/5/index.html")]
    cur = [_f("甲局", "D04.2", path="首页＞新闻＞要闻"), _f("甲局", "D09.1", url="https://www.x.gov.cn/col/5/"),
           _f("乙局", "D04.2", path="首页>新闻>通知")]
    gone = {id(prev[1]): "页面已无法访问"}
    ms = match_findings(prev, cur, page_state=lambda p: gone.get(id(p)))
    assert [m.state for m in ms] == [NOT_FIXED, UNDECIDED, FIXED, NOT_FIXED, NEW]
    assert ms[0].current is cur[0] and ms[3].current is cur[1] and ms[4].current is cur[2]
    # one page, two titles (two 科室 of a 机构职能 page): another problem, not the same one unfixed
    p2 = [_f("甲局", "D02.2", url="http://x.gov.cn/jgzn/")]
    p2[0].evidence[0].title = "法规科"
    c2 = [_f("甲局", "D02.2", url="http://x.gov.cn/jgzn/"), _f("甲局", "D02.2", url="http://x.gov.cn/jgzn/")]
    c2[0].evidence[0].title, c2[1].evidence[0].title = "办公室", " 法规 科"
    assert [(m.state, m.current) for m in match_findings(p2, c2[:1])] == [(FIXED, None), (NEW, c2[0])]
    assert [m.state for m in match_findings(p2, c2)][0] == NOT_FIXED and match_findings(p2, c2)[0].current is c2[1]
    # dicts (findings.json rows) work the same, and a dismissed finding takes no part
    d = [f.to_dict() for f in prev]
    d[0]["review"] = "dismissed"
    assert [m.state for m in match_findings(d, [f.to_dict() for f in cur])] == [FIXED, FIXED, NOT_FIXED, NEW, NEW]
