"""A replica region served from its own process (the demo serves xianning-2022q2 this way)."""
from __future__ import annotations

import csv

import httpx
import pytest

from govcheck.sim.testing import region_in_process


def test_region_served_from_a_child_process(tmp_path):
    roster = tmp_path / "sites.csv"
    with region_in_process("styles-demo", roster=roster) as reg:
        assert reg.roster == roster and len(reg.sites) == 4
        with roster.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        assert [r["首页网址"] for r in rows] == [s["url"] for s in reg.sites]
        r = httpx.get(reg.sites[0]["url"], timeout=10)
        assert r.status_code == 200 and "<html" in r.text.lower()
        url = reg.sites[0]["url"]
    with pytest.raises(httpx.HTTPError):  # stopped with the block
        httpx.get(url, timeout=3)


def test_a_bad_scenario_is_reported(tmp_path):
    with pytest.raises(RuntimeError, match="启动失败"):
        with region_in_process(tmp_path / "no-such-scenario"):
            pass
