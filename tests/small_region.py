"""A small replica region for the data-safety tests: a few sites built from the check-fixture base site
(tests/fixtures/sites) at a reduced scale, with some planted defects so a round has findings to keep.

`small_scenario` is module level so a spawned child can build it (sim.testing.region_in_process).
"""
from __future__ import annotations

import copy
import csv
import datetime as dt
from pathlib import Path

import yaml

from govcheck.sim.scenario import Scenario, build_site

SITES = Path(__file__).resolve().parent / "fixtures" / "sites"

# (unit, style, defects): one clean, the others with defects several checks report
SPECS = [
    ("示范市审计局", "trs", [{"plant": "column_missing", "path": "首页>政府信息公开>法定主动公开内容>单位简介",
                         "code": "D01.1"}]),
    ("示范市民政局", "hanweb", [{"plant": "footer_missing", "elements": ["police_record"]},
                           {"plant": "broken_link", "status": 404, "on": "home", "count": 2}]),
    ("示范市科技局", "xxgk", []),
]


def _yaml(name: str):
    return yaml.safe_load((SITES / name).read_text(encoding="utf-8"))


def small_scenario(root: str, n: int = 3, scale: float = 0.25) -> Scenario:
    raw, templates, base = _yaml("scenario.yaml"), _yaml("templates.yaml"), _yaml("base.yaml")
    t0 = raw["time_point"] if isinstance(raw["time_point"], dt.date) else dt.date.fromisoformat(raw["time_point"])
    sites = []
    for i, (unit, style, defects) in enumerate(SPECS[:n]):
        spec = {**copy.deepcopy(base), "name": unit, "full_unit": unit, "unit": unit, "style": style,
                "scale": scale, "defects": copy.deepcopy(defects), "domain": f"s{i}.shifan.gov.cn",
                "key": f"safety-{i}"}
        sites.append(build_site(spec, raw, templates, t0, SITES / "base.yaml", order=i))
    return Scenario(name="safety-small", title="数据安全测试区域", time_point=t0, seed=int(raw["seed"]),
                    city=str(raw.get("city", "")), sites=sites, root=Path(root), accounts_dir=None, raw=raw)


def time_point() -> dt.date:
    raw = _yaml("scenario.yaml")
    return raw["time_point"] if isinstance(raw["time_point"], dt.date) else dt.date.fromisoformat(raw["time_point"])


def roster_units(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [r[1] for r in list(csv.reader(f))[1:]]
