"""Rule sets load, merge overlays, and reject broken files with a message naming file, rule and problem."""
from __future__ import annotations

from pathlib import Path

import pytest

from govcheck.rules import RuleSetError, load_ruleset


def test_gb2019_covers_the_catalogue():
    rs = load_ruleset("gb2019")
    deduction_caps = sum(i.cap for i in rs.indicators.values() if i.code.startswith("D") and i.cap)
    assert deduction_caps == 100  # the first-level totals 31/25/23/21
    bonus_caps = sum(i.cap for i in rs.indicators.values() if i.bonus)
    assert bonus_caps == 30
    for code in ["V1.1", "V1.5", "V2", "V3", "V4.1", "V4.3", "V5.1", "V5.2", "V6.1", "D09.1", "D09.2", "D21",
                 "D23.1", "D25.1", "D29", "B07.2", "M1", "M2.1", "M2.2", "M3"]:
        assert code in rs.rules
    assert rs.rule("V1.5").veto and rs.rule("D19.1").manual
    assert rs.rule("D04.2").params["window_days"] == 14
    assert rs.rule("D27.1").params["sample_size"] == 5
    assert rs.pass_line == 60 and rs.indicators["D02"].cap == 2


def test_overlay_changes_only_what_it_says():
    base, ov = load_ruleset("gb2019"), load_ruleset("xianning-2022")
    assert ov.indicators["D02"].cap == 4 and base.indicators["D02"].cap == 2
    assert ov.rule("D09.2").render() == "其他栏目存在应更新未更新的，每发现一处，扣1分。"
    assert base.rule("D09.2").render() == "其他栏目存在应更新未更新的，每发现一个，扣1分。"
    assert ov.rule("D09.2").points == base.rule("D09.2").points
    assert "X01" in ov.rules and "X01" not in base.rules
    assert ov.content_hash != base.content_hash and len(ov.files) == 2


def test_points_in_wording_follow_the_rule(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('[ruleset]\nname="mine"\nversion="1"\nextends="gb2019"\n\n[[rule]]\ncode="D21"\npoints=1\n\n'
                 '[[indicator]]\ncode="D21"\ncap=6\n', encoding="utf-8")
    rs = load_ruleset(f)
    assert rs.rule("D21").render({"element": "网站标识码"}) == "未在全站页面底部功能区清晰列明网站标识码，扣1分。"


BAD = {
    "unknown key": ('[[rule]]\ncode="D21"\npionts=1\n', "未知字段 pionts"),
    "no points": ('[[indicator]]\ncode="X9"\ncap=2\n\n[[rule]]\ncode="X9"\nindicator="X9"\nwording="某事，扣1分。"\n',
                  "缺少分值"),
    "no wording": ('[[indicator]]\ncode="X9"\ncap=2\n\n[[rule]]\ncode="X9"\nindicator="X9"\npoints=1\n', "缺少通报措辞"),
    "cap below item": ('[[indicator]]\ncode="D04"\ncap=3\n', "上限 3 分低于单项分值 5 分"),
    "duplicate": ('[[indicator]]\ncode="X9"\ncap=2\n\n[[rule]]\ncode="X9"\nindicator="X9"\npoints=1\nwording="a"\n\n'
                  '[[rule]]\ncode="X9"\nindicator="X9"\npoints=1\nwording="b"\n', "编码重复"),
    "bad number": ('[[rule]]\ncode="D21"\npoints="half"\n', "应为数字"),
    "unknown indicator": ('[[rule]]\ncode="X8"\nindicator="Q1"\npoints=1\nwording="a"\n', "所属指标 'Q1' 未定义"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_broken_overlay_is_rejected_with_file_rule_problem(tmp_path, case):
    body, expected = BAD[case]
    f = tmp_path / "bad.toml"
    f.write_text('[ruleset]\nname="bad"\nversion="1"\nextends="gb2019"\n\n' + body, encoding="utf-8")
    with pytest.raises(RuleSetError) as e:
        load_ruleset(f)
    msg = str(e.value)
    assert str(f) in msg and expected in msg


def test_unknown_builtin_name_lists_the_choices():
    with pytest.raises(RuleSetError, match="gb2019"):
        load_ruleset("nowhere-2030")


def test_every_builtin_wording_is_complete():
    """No stray placeholder other than those a finding fills."""
    for name in ("gb2019", "xianning-2022"):
        rs = load_ruleset(name)
        for r in rs.rules.values():
            assert "{points}" not in r.render(), r.code
