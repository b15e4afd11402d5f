"""The browser pass's settings (govcheck/browser/data/browser.yaml): limits, flags, words users read."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data"


@functools.lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    return yaml.safe_load((DATA / "browser.yaml").read_text(encoding="utf-8"))
