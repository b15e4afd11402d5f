"""Crawler settings: defaults from data/crawl.toml, overridden per run (CLI) or per job.

Kept as one flat, JSON-serialisable dataclass so a SiteJob can carry it to another machine.
"""
from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "crawl.toml"


@lru_cache(maxsize=4)
def load_data(path: str | None = None) -> dict[str, Any]:
    p = Path(path) if path else DATA_FILE
    try:
        with open(p, "rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ValueError(f"无法读取抓取配置文件 {p}：{e}") from e


@dataclass
class CrawlOptions:
    per_host_concurrency: int
    min_delay: float
    global_limit: int
    user_agent: str
    obey_robots: bool
    robots_agent: str
    max_pages: int
    max_depth: int
    max_body_bytes: int
    max_decoded_bytes: int
    max_redirects: int
    timeout: float
    connect_timeout: float
    retries: int
    backoff: float
    slow_seconds: float
    external_check_body_bytes: int
    api_max_per_page: int
    check_external: bool = True
    fetch_assets: bool = True
    traps: dict[str, Any] = field(default_factory=dict)
    archive: dict[str, Any] = field(default_factory=dict)
    # [network] (values come from data/crawl.toml; these defaults only fill in old stored jobs)
    deadline: float = 60.0
    allow_addresses: list[str] = field(default_factory=list)
    verify_tls: bool = True
    read_on_tls_failure: bool = True
    ca_bundle: str = ""
    # [parse]
    parse_workers: int = 2
    parse_cpu_seconds: float = 5.0
    parse_wall_seconds: float = 60.0
    max_nesting: int = 3000
    max_parse_bytes: int = 20_000_000

    @classmethod
    def defaults(cls, data_path: str | None = None, **overrides: Any) -> "CrawlOptions":
        d = load_data(data_path)
        kw: dict[str, Any] = {}
        kw.update(d["politeness"])
        kw.update(d["limits"])
        kw.update(d.get("network", {}))
        kw.update({k if k.startswith("max_") else f"parse_{k}": v for k, v in d.get("parse", {}).items()})
        kw["traps"] = dict(d["traps"])
        kw["archive"] = dict(d["archive"])
        names = {f.name for f in fields(cls)}
        unknown = set(kw) - names
        for k in unknown:
            kw.pop(k)
        for k, v in overrides.items():
            if v is None:
                continue
            if k not in names:
                raise ValueError(f"未知的抓取参数：{k}")
            kw[k] = v
        return cls(**kw)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "CrawlOptions":
        names = {f.name for f in fields(cls)}
        kw = cls.defaults().to_dict()  # a job stored by an older version lacks newer settings
        kw.update({k: v for k, v in d.items() if k in names})
        return cls(**kw)
