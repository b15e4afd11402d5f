"""`govcheck sim` commands."""
from __future__ import annotations

from typer.testing import CliRunner

from govcheck.cli import app


def test_sim_list_and_defects():
    r = CliRunner().invoke(app, ["sim", "list"])
    assert r.exit_code == 0 and "xianning-2022q2" in r.output and "styles-demo" in r.output
    r = CliRunner().invoke(app, ["sim", "defects", "xianning-2022q2"])
    assert r.exit_code == 0
    assert "市政府（咸宁市人民政府" in r.output and "：无" in r.output
    assert "《官桥八组北湖片区国土空间规划(2021-2035)》草案公示公告" in r.output


def test_sim_commands_reject_unknown_scenario():
    for cmd in (["sim", "defects", "nowhere"], ["sim", "serve", "nowhere"]):
        r = CliRunner().invoke(app, cmd)
        assert r.exit_code == 2 and "场景加载失败" in r.output
