"""The objects every stage passes to the next: targets, findings with evidence, scores.

They are plain dataclasses so that a stage's output can be written to JSON (the contract's
findings.json / scores.json) and read back without the database.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

TargetType = Literal["site", "account"]
Review = Literal["pending", "confirmed", "dismissed"]
Source = Literal["auto", "manual"]


@dataclass
class Archive:
    """Where the bytes a finding was judged on are kept."""

    warc: str
    record_id: str
    sha256: str
    offset: int | None = None


@dataclass
class Evidence:
    path: str | None = None  # column path as a notice prints it: 首页>…>栏目
    url: str | None = None
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD seen on the page
    note: str | None = None  # short reason, printed in parentheses
    archive: Archive | None = None
    fetched_at: str | None = None  # ISO time of the fetch
    status: int | None = None  # HTTP status of the fetch
    # a row of a file the finding was judged against (a registry export): its name, sheet and row number
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    screenshot: dict[str, Any] | None = None  # 问题截图: {"path": relative to the round folder, "sha256": …}

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Evidence":
        d = dict(d)
        arc = d.pop("archive", None)
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        ev = cls(**known)
        if arc:
            ev.archive = Archive(**{k: arc.get(k) for k in ("warc", "record_id", "sha256", "offset")})
        return ev


@dataclass
class Finding:
    unit: str  # 单位名称
    target: str  # site URL or account name
    target_type: TargetType
    code: str  # rule code, e.g. D09.1, V1.5, MH1
    text: str = ""  # the rule sentence as the notice prints it (filled from the rule set)
    points: float = 0.0  # deducted; 0 for vetoes and new media
    veto: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    review: Review = "pending"
    source: Source = "auto"
    id: str | None = None
    params: dict[str, Any] = field(default_factory=dict)  # values for wording placeholders
    account_type: str | None = None  # 新媒体类型, for accounts: (name, type) identifies one
    # set by scoring (govcheck.score.mark_displaced), never stored: the finding that already penalises this
    # column, so this one does not count (no double deduction); None when it counts
    displaced_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["evidence"] = [e.to_dict() for e in self.evidence]
        if not d["params"]:
            d.pop("params")
        if d["account_type"] is None:
            d.pop("account_type")
        if d["displaced_by"] is None:
            d.pop("displaced_by")
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Finding":
        d = dict(d)
        ev = [Evidence.from_dict(e) for e in d.pop("evidence", []) or []]
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d and k != "evidence"}
        return cls(evidence=ev, **known)


@dataclass
class Site:
    region: str  # 区域
    unit: str  # 单位名称
    name: str  # 网站名称
    url: str  # 首页网址
    kind: str = "部门"  # 网站类型: 门户 / 部门
    public_service: bool = True  # 对外服务
    site_id_code: str | None = None  # 网站标识码
    extra_hosts: list[str] = field(default_factory=list)  # hosts in scope besides the home page's


@dataclass
class Account:
    region: str
    name: str  # 新媒体名称
    unit: str  # 主办单位
    type: str  # 新媒体类型
    account_id: str | None = None
    source: str | None = None  # feed URL or posts export file


@dataclass
class Score:
    unit: str
    target: str
    target_type: TargetType
    score: float | None
    verdict: str  # 合格 / 不合格 / 一票否决
    part2: float | None = None
    bonus: float = 0.0
    access: dict[str, Any] | None = None  # verdict 需人工核查: why the target could not be assessed

    def to_dict(self) -> dict[str, Any]:
        d = {
            "unit": self.unit,
            "target": self.target,
            "target_type": self.target_type,
            "score": self.score,
            "verdict": self.verdict,
            "part2": self.part2,
            "bonus": self.bonus,
        }
        if self.access is not None:
            d["access"] = {k: self.access.get(k) for k in ("kind", "label", "detail", "url", "at")}
        return d


@dataclass
class ManualItem:
    """需人工核查: a rule (or an undecided fact) a person must look at. `held`: the finding a check made that
    fell short of its rule's evidence standard (checks.evidence), kept so a person can confirm it by hand."""

    code: str
    what: str
    urls: list[str] = field(default_factory=list)
    held: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if d["held"] is None:
            d.pop("held")
        return d
