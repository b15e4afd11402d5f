"""Chinese forms a notice and a finding print: one date formatter for all of them."""
from __future__ import annotations

from datetime import date, datetime


def cn_date(d: date | datetime | str | None) -> str:
    """2022年6月22日 (no leading zeros, as 公文 and the sample notice print dates); '' for None; an ISO
    string is read first."""
    if d is None or d == "":
        return ""
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return f"{d.year}年{d.month}月{d.day}日"
