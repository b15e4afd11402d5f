"""Registry findings cite the registry file, sheet and row they were judged against (or, for an account not
found, the files and sheets it was looked for in), read from a real XLSX export."""
from __future__ import annotations

from datetime import date, datetime

import openpyxl

from govcheck.model import Account, Evidence, Finding
from govcheck.newmedia.checks import check_accounts
from govcheck.newmedia.roster import read_registry
from govcheck.newmedia.timeline import Post, Timeline


def _registry(path, system, rows, sheet="备案账号"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([f"{system}政务新媒体备案信息导出"])  # a title row above the header, as real exports have
    ws.append(["账号名称", "平台", "主办单位", "备案状态"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_registry_findings_cite_file_sheet_and_row(tmp_path):
    nat = _registry(tmp_path / "全国备案.xlsx", "全国", [["甲局发布", "微信", "市甲局", "正常"],
                                                        ["乙局友布", "微信", "市乙局", "正常"]])
    hub = _registry(tmp_path / "湖北备案.xlsx", "湖北省", [["乙局友布", "微信", "市乙局", "正常"]], sheet="Sheet1")
    entries = read_registry(nat, default_system="全国") + read_registry(hub, default_system="湖北省")
    accounts = [Account(region="市直", name="甲局发布", unit="市甲局", type="微信订阅号"),
                Account(region="市直", name="乙局发布", unit="市乙局", type="微信订阅号"),
                Account(region="市直", name="丙局发布", unit="市丙局", type="微信订阅号")]
    at = date(2022, 5, 15)
    tls = {(a.name, a.type): Timeline((a.name, a.type), "ok", [Post(title="动态", published=datetime(2022, 5, 14, 9, 0))])
           for a in accounts}
    fs = check_accounts(accounts, entries, tls, at, 14, None)
    by = {(f.target, f.code): f for f in fs}
    # 甲: in 全国 (row 3: title row, header row, then the entry), missing in 湖北省 → MH1.2 names where it looked
    mh12 = by[("甲局发布", "MH1.2")]
    assert [(e.file, e.sheet, e.row) for e in mh12.evidence] == [("湖北备案.xlsx", "Sheet1", None)]
    # 乙: registered under another name → MH2 cites the row of each registry that has it
    mh2 = by[("乙局发布", "MH2")]
    assert {(e.file, e.sheet, e.row) for e in mh2.evidence} == {("全国备案.xlsx", "备案账号", 4),
                                                               ("湖北备案.xlsx", "Sheet1", 3)}
    # 丙: nowhere → MH1.1 names every file searched
    mh11 = by[("丙局发布", "MH1.1")]
    assert {(e.file, e.sheet) for e in mh11.evidence} == {("全国备案.xlsx", "备案账号"), ("湖北备案.xlsx", "Sheet1")}
    # the citation survives findings.json and the store (Evidence round-trips)
    d = Finding.from_dict(mh2.to_dict())
    assert {(e.file, e.row) for e in d.evidence} == {("全国备案.xlsx", 4), ("湖北备案.xlsx", 3)}
    assert all("/" not in (e.file or "") for f in fs for e in f.evidence)  # a name, not this machine's path
    assert Evidence.from_dict({"note": "x", "file": "a.csv", "row": 2}).row == 2


def test_every_evidence_time_carries_its_offset():
    """Website evidence times come from the crawl index (UTC without an offset); they are written with it,
    as account evidence is, so one convention holds across findings.json."""
    from govcheck.checks.build import ref_for

    ref = ref_for("http://x.example/", datetime(2022, 5, 10, 3, 4, 5), status=200)
    assert ref.fetched_at == "2022-05-10T03:04:05+00:00"
    assert datetime.fromisoformat(ref.evidence().fetched_at).utcoffset().total_seconds() == 0


def test_account_findings_cite_the_archived_feed(tmp_path):
    """Each account's feed is archived (WARC, the fetch layer's records with the true status line) and its
    findings cite the record; reading the record back gives the bytes the SHA-256 is of."""
    import hashlib

    from govcheck.collect.query import read_record
    from govcheck.newmedia.pipeline import run_replica

    res = run_replica(archive_dir=tmp_path)
    assert (tmp_path / "warc" / "accounts.warc.gz").is_file()
    account_fs = [f for f in res.findings if f.target_type == "account" and f.code in ("M1", "M2.1", "M2.2")]
    assert len(account_fs) >= 10
    for f in account_fs:
        ev = f.evidence[0]
        assert ev.archive is not None, (f.target, f.code)
        headers, status, body = read_record(tmp_path, ev.archive.warc, ev.archive.offset)
        assert headers["WARC-Record-ID"] == ev.archive.record_id and status == 200
        assert hashlib.sha256(body).hexdigest() == ev.archive.sha256
        assert b"<rss" in body or b"<feed" in body  # the feed itself
        assert datetime.fromisoformat(ev.fetched_at).utcoffset() is not None


def test_a_posts_export_is_archived_once_as_a_resource(tmp_path):
    import hashlib
    import shutil
    from pathlib import Path

    from govcheck.collect.query import read_record
    from govcheck.newmedia.archive import FeedArchive
    from govcheck.newmedia.timeline import load_timeline

    export = tmp_path / "posts.csv"
    shutil.copy(Path(__file__).parent / "fixtures" / "newmedia" / "posts.csv", export)
    arch = FeedArchive(tmp_path / "round")
    a1 = Account(region="市直", name="咸宁发布", unit="市政府", type="微信订阅号", source=str(export))
    a2 = Account(region="市直", name="咸宁教育", unit="市教育局", type="微信订阅号", source=str(export))
    t1, t2 = load_timeline(a1, archive=arch), load_timeline(a2, archive=arch)
    assert t1.archive is not None and t1.archive == t2.archive  # one record for the shared export
    headers, status, body = read_record(tmp_path / "round", t1.archive.warc, t1.archive.offset)
    assert headers["WARC-Type"] == "resource" and headers["WARC-Target-URI"] == "file:posts.csv"
    assert body == export.read_bytes() and hashlib.sha256(body).hexdigest() == t1.archive.sha256
