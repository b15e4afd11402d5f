"""`govcheck crawl` as a command: roster in, WARC + index out, robots override recorded, progress on stderr."""
from __future__ import annotations

import asyncio
import json
import sqlite3

import typer
from typer.testing import CliRunner

from govcheck.collect.crawler import run_site_job
from govcheck.collect.config import CrawlOptions
from test_crawl_support import LOCAL, make_site, serve, write_roster


def _app():
    from govcheck.collect.commands import register
    from govcheck.monitor.commands import register as register_monitor  # probe lives with the monitor

    app = typer.Typer()
    register(app)
    register_monitor(app)
    return app


async def test_crawl_command_with_robots_override(tmp_path):
    async with serve(make_site(None)) as base:
        roster = tmp_path / "sites.csv"
        write_roster(roster, [{"unit": "命令测试局", "url": base + "/"}])
        out = tmp_path / "round"
        r = await asyncio.to_thread(CliRunner().invoke, _app(), [
            "crawl", "--sites", str(roster), "--out", str(out), "--concurrency", "3", "--delay", "0",
            "--ignore-robots", "--max-pages", "30", "--timeout", "5", "--retries", "0", "--allow", "127.0.0.1"])
        assert r.exit_code == 0, r.output
    assert "抓取完成" in r.output
    assert any((out / "warc").glob("*.warc.gz"))
    results = json.loads((out / "crawl_results.json").read_text(encoding="utf-8"))
    assert results[0]["status"] == "done" and results[0]["robots_skipped"] == 0
    con = sqlite3.connect(out / "round.sqlite")
    obey, options = con.execute("select obey_robots, options from crawl_run").fetchone()
    urls = {u for (u,) in con.execute("select url from crawl_fetch")}
    n = con.execute("select count(*) from crawl_fetch where kind != 'robots'").fetchone()[0]
    con.close()
    assert obey == 0 and json.loads(options)["per_host_concurrency"] == 3
    assert base + "/private/secret.html" in urls  # robots.txt overridden, and that is on record
    assert n <= 30


async def test_site_job_runs_alone(tmp_path):
    """What a distributed executor does: a JSON job in, a JSON result out."""
    async with serve(make_site(None, n_articles=5)) as base:
        opts = CrawlOptions.defaults(allow_addresses=LOCAL, min_delay=0, retries=0, timeout=5)
        job = {"site": {"region": "r", "unit": "单站", "name": "n", "url": base + "/"}, "out_dir": str(tmp_path),
               "db_url": f"sqlite:///{tmp_path}/job.sqlite", "run_id": 7, "options": opts.to_dict()}
        result = await asyncio.to_thread(run_site_job, json.loads(json.dumps(job)))
    assert json.loads(json.dumps(result))["status"] == "done"
    assert result["pages"] >= 5 and result["warc_files"][0].startswith("warc/")


def test_bad_network_settings_are_messages(tmp_path):
    """An allow-list entry or a CA bundle that cannot be used: a message and exit 2, not a traceback."""
    roster = tmp_path / "sites.csv"
    write_roster(roster, [{"unit": "甲局", "url": "http://www.example.gov.cn/"}])
    (tmp_path / "not-a-cert.pem").write_text("hello", encoding="utf-8")
    for extra, words in [(["--allow", "10.0.0.1:http"], "允许访问的地址无效"),
                         (["--ca-bundle", str(tmp_path / "missing.pem")], "证书文件不存在"),
                         (["--ca-bundle", str(tmp_path / "not-a-cert.pem")], "不是可用的 PEM")]:
        for cmd in (["crawl"], ["probe", "--count", "1"]):
            r = CliRunner().invoke(_app(), [*cmd, "--sites", str(roster), "--out", str(tmp_path / "o"), *extra])
            assert r.exit_code == 2 and words in r.output, (cmd, extra, r.output)
            assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
