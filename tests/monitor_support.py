"""Small replica regions written by a test (scenario folder on disk), dated to a time point of the test's choosing."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from govcheck.sim.scenario import SCENARIOS_DIR

CHINA = dt.timezone(dt.timedelta(hours=8))
FOOTER = {"icp": "鄂ICP备05003241号-1", "police": "鄂公网安备 42120202000101号", "phone": "0715-8126000",
          "address": "示范市政务服务中心", "conac_id": "7C3C2D1E8B5A4F60E053022819AC0DEN"}


def china_today() -> dt.date:
    return dt.datetime.now(CHINA).date()


def write_scenario(d: Path, time_point: dt.date, sites: dict[str, tuple[str, list[dict[str, Any]]]],
                   name: str = "monitor-test", scale: float = 0.1, kind: str = "部门") -> Path:
    """A scenario folder: one small department site (styles-demo's templates) per key, `sites[key]` = (unit,
    defects); a defect without `code`/`notice`/`evidence` gets placeholders."""
    (d / "sites").mkdir(parents=True, exist_ok=True)
    (d / "scenario.yaml").write_text(yaml.safe_dump({
        "name": name, "title": "测试区域", "time_point": time_point.isoformat(), "seed": 12, "city": "示范市",
        "templates": str(SCENARIOS_DIR / "styles-demo" / "templates.yaml"), "footer_defaults": FOOTER},
        allow_unicode=True), encoding="utf-8")
    for i, (key, (unit, defects)) in enumerate(sites.items()):
        (d / "sites" / f"{key}.yaml").write_text(yaml.safe_dump({
            "key": key, "unit": unit, "name": unit, "short": unit.removeprefix("示范"), "region": "市直", "kind": kind,
            "style": "trs", "encoding": "utf-8", "site_id_code": f"42990000{i + 40}", "domain": f"{key}.shifan.gov.cn",
            "template": "dept", "scale": scale,
            "defects": [{"code": "X", "notice": "无", "evidence": "-", **x} for x in defects]},
            allow_unicode=True), encoding="utf-8")
    return d
