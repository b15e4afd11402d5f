"""Early warnings on two replica units: a column 3 days from its window gets its warning, worded from the data;
each unit's feed, spreadsheet, e-mail and webhook call hold its own items only; availability from the record."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from pathlib import Path

import openpyxl
import pytest
from aiohttp import web

from govcheck.collect.probe import ProbeResult, ProbeStore, Target
from govcheck.roster import read_sites
from govcheck.rules import load_ruleset
from govcheck.sim.testing import running_region
from monitor_support import china_today, write_scenario
from test_crawl_support import free_port

A, B = "示范市审计局", "示范市统计局"
COLUMN = "首页>新闻动态>工作动态"


class Inbox:
    """A local SMTP server (aiosmtpd) that keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        inbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                from email import message_from_bytes, policy

                inbox.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class Receiver:
    """A local webhook receiver (aiohttp in a thread) that keeps every JSON body POSTed to it."""

    def __init__(self):
        self.bodies = []
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()

    async def _start(self):
        async def hook(req):
            self.bodies.append(await req.json())
            return web.json_response({"ok": True})

        app = web.Application()
        app.router.add_post("/hook", hook)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/hook"

    def __enter__(self):
        def run():
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self._start())
            self.ready.set()
            self.loop.run_forever()
            self.loop.run_until_complete(self.runner.cleanup())

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        self.ready.wait(10)
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def warned(tmp_path_factory):
    from govcheck.monitor.warnings import load_config, run_warn

    tmp = tmp_path_factory.mktemp("warn")
    today = china_today()
    scen = write_scenario(tmp / "scenario", today, {
        "warn-a": (A, [{"plant": "stale", "path": COLUMN, "last": (today - dt.timedelta(days=12)).isoformat()}]),
        "warn-b": (B, [{"plant": "stale", "path": COLUMN, "last": (today - dt.timedelta(days=20)).isoformat()}]),
    }, name="warn-test")
    out = tmp / "mon"
    out.mkdir()
    with running_region(scen) as reg, Inbox() as inbox, Receiver() as hook:
        roster = reg.write_roster(tmp / "sites.csv")
        sites = read_sites(roster)
        site_a = next(s for s in sites if s.unit == A)
        # a monitoring record: site A failed 20 of 200 probes this week (V2 counts 672 at 15 minutes)
        store = ProbeStore(f"sqlite:///{out}/monitor.sqlite")
        store.register([Target(url=site_a.url, site=site_a.url, unit=A)])
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        store.write([ProbeResult(url=site_a.url, at=now - dt.timedelta(minutes=15 * i), latency=None if i % 10 == 0 else 0.2,
                                 status=None if i % 10 == 0 else 200, kind="timeout" if i % 10 == 0 else None)
                     for i in range(200)])
        store.close()
        conf = tmp / "warnings.toml"
        conf.write_text(f'''[warnings]
horizon_days = 7
max_pages = 120

[smtp]
host = "127.0.0.1"
port = {inbox.port}
sender = "jiance@shifan.gov.cn"

[webhook]
url = "{hook.url}"

[[unit]]
name = "{A}"
email = ["a@sjj.shifan.gov.cn"]

[[unit]]
name = "{B}"
email = ["b@tjj.shifan.gov.cn"]
''', encoding="utf-8")
        # two accounts, read from a posts export: A's last post 12 days ago, B's 30
        (tmp / "posts.csv").write_text("账号,发布时间,标题,正文,链接\n" + "".join(
            f"{name},{(today - dt.timedelta(days=d)).isoformat()} 09:00,{name}动态{d},正文,\n"
            for name, days in (("示范审计", (12, 20, 40)), ("示范统计", (30, 45))) for d in days), encoding="utf-8")
        (tmp / "accounts.csv").write_text(
            "区域,新媒体名称,主办单位,新媒体类型,账号ID,数据来源\n"
            f"市直,示范审计,{A},微信服务号,gh_a,posts.csv\n市直,示范统计,{B},新浪微博,wb_b,posts.csv\n", encoding="utf-8")
        rs = load_ruleset("gb2019")
        # the webhook receiver is on 127.0.0.1 too: allowed by its host:port, like the replica's sites
        allow = [*reg.allow, hook.url.split("/")[2]]
        res = run_warn(sites, out, load_config(conf), rs, today=today, probes=f"sqlite:///{out}/monitor.sqlite",
                       network={"allow_addresses": allow, "min_delay": 0}, accounts=tmp / "accounts.csv")
        again = run_warn(sites, out, load_config(conf), rs, today=today, probes=None,
                         network={"allow_addresses": allow, "min_delay": 0}, deliver=False)
    return {"res": res, "again": again, "out": out, "today": today, "mail": inbox.messages, "hooks": hook.bodies,
            "sites": sites}


def test_column_three_days_from_its_window(warned):
    res = warned["res"]
    mine = [w for w in res.warnings if w.unit == A and w.code == "D04.2"]
    assert len(mine) == 1, [w.text for w in res.warnings]
    w = mine[0]
    # 动态要闻: "监测时间点前2周内未更新" — last update 12 days ago, overdue once 14 full days have passed
    assert (w.kind, w.left, w.since, w.path) == ("due", 3, 12, COLUMN)
    assert w.text == "工作动态 已12天未更新，3天后将超期"
    over = [w for w in res.warnings if w.unit == B and w.code == "D04.2"]
    assert len(over) == 1 and over[0].kind == "over" and over[0].text == "工作动态 已20天未更新，已超期" and over[0].new
    # the second pass the same day: the overdue column is no longer new
    assert not [w for w in warned["again"].warnings if w.new]


def test_accounts_too(warned):
    """Per account: the same days-left reading of the rule set's own M2.1 (no post within its window)."""
    acc = {w.unit: w for w in warned["res"].warnings if w.target_type == "account"}
    assert set(acc) == {A, B}, [w.text for w in warned["res"].warnings]
    assert acc[A].text == "“示范审计”微信服务号 已12天未更新，3天后将超期" and acc[A].left == 3
    assert acc[B].kind == "over" and acc[B].text == "“示范统计”新浪微博 已30天未更新，已超期"


def test_availability_warning_from_the_record(warned):
    av = [w for w in warned["res"].warnings if w.kind == "availability"]
    assert [w.unit for w in av] == [A]
    # 20 outages; a full week at 15 minutes is 672 probes, 5% of it 34: 14 more reach the veto
    assert "无法访问20次" in av[0].text and av[0].left == 14


def test_each_unit_sees_only_its_own(warned):
    out, res = warned["out"] / "warnings", warned["again"]  # the files of the last pass
    for unit in (A, B):
        feed = json.loads((out / "units" / unit / "warnings.json").read_text(encoding="utf-8"))
        assert feed["version"].startswith("https://jsonfeed.org/") and feed["items"]
        assert all(i["_govcheck"]["unit"] == unit for i in feed["items"])
        assert len(feed["items"]) == sum(1 for w in res.warnings if w.unit == unit)
        ws = openpyxl.load_workbook(out / "units" / unit / "warnings.xlsx").active
        assert {r[0] for r in ws.iter_rows(min_row=3, values_only=True)} == {unit}
    # the office's files hold both
    ws = openpyxl.load_workbook(out / "warnings.xlsx").active
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert {r[0] for r in rows} == {A, B} and len(rows) == len(res.warnings)
    assert any(r[4] == "工作动态 已12天未更新，3天后将超期" and r[5] == 3 for r in rows)
    all_feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    assert len(all_feed["items"]) == len(res.warnings)


def test_mail_and_webhook_per_unit(warned):
    res = warned["res"]
    mail = {tuple(to): msg for to, msg in warned["mail"]}
    assert set(mail) == {("a@sjj.shifan.gov.cn",), ("b@tjj.shifan.gov.cn",)}
    body_a = mail[("a@sjj.shifan.gov.cn",)].get_body(preferencelist=("plain",)).get_content()
    assert "工作动态 已12天未更新，3天后将超期" in body_a and "已20天" not in body_a
    body_b = mail[("b@tjj.shifan.gov.cn",)].get_body(preferencelist=("plain",)).get_content()
    assert "已20天未更新" in body_b and "已12天" not in body_b
    assert any(p.get_filename() and p.get_filename().endswith(".xlsx")
               for p in mail[("a@sjj.shifan.gov.cn",)].iter_attachments())
    hooks = {b["unit"]: b for b in warned["hooks"]}
    assert set(hooks) == {A, B} and len(warned["hooks"]) == 2
    for unit, body in hooks.items():
        assert {i["unit"] for i in body["items"]} == {unit}
        assert len(body["items"]) == sum(1 for w in res.warnings if w.unit == unit)
    log = json.loads((warned["out"] / "warnings" / "deliveries.json").read_text(encoding="utf-8"))
    assert len(log) == 4 and all(d["ok"] for d in log)


def test_bad_config_names_file_and_key(tmp_path):
    from govcheck.monitor.warnings import WarningsError, load_config

    p = tmp_path / "w.toml"
    p.write_text("[warnings]\nhorizon_dayz = 3\n", encoding="utf-8")
    with pytest.raises(WarningsError, match="horizon_dayz"):
        load_config(p)
    p.write_text('[[unit]]\nname = "甲局"\nemail = "not-an-address"\n', encoding="utf-8")
    with pytest.raises(WarningsError, match="甲局"):
        load_config(p)
    assert load_config(None).horizon_days == 7
