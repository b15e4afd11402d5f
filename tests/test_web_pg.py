"""The console over a round kept in PostgreSQL (`govcheck serve DIR --db URL`): accounts, review, rescore,
publication and the API in the same database."""
from __future__ import annotations

import os
import re
import uuid

import pytest
from sqlalchemy import delete, select

from govcheck.round import rescore
from govcheck.store import Store, rounds, scores
from web_harness import PASSWORD, csrf_of, login, serve, synthetic_round

PG = os.environ.get("GOVCHECK_TEST_PG_URL")


@pytest.mark.skipif(not PG, reason="GOVCHECK_TEST_PG_URL not set (.ci/run sets it)")
def test_console_over_postgresql(tmp_path):
    import httpx

    from govcheck.web.server import create_app
    from govcheck.web.auth import add_user
    from govcheck.web.db import users

    out = tmp_path / "pground"
    rid = synthetic_round(out, 12, 4, PG)
    tag = uuid.uuid4().hex[:8]
    app = create_app([out], db_url=PG)
    home = app.state.console.home
    names = [f"pg-insp-{tag}", f"pg-admin-{tag}", f"pg-unit-{tag}"]
    try:
        add_user(home, names[0], PASSWORD, "inspector")
        add_user(home, names[1], PASSWORD, "admin")
        add_user(home, names[2], PASSWORD, "unit", unit="单位0003")
        h = app.state.console.rounds.get("pground")
        with serve(app) as base:
            c = httpx.Client(base_url=base, timeout=60)
            assert login(c, names[0]).status_code == 303
            page = c.get("/r/pground/review", params={"unit": "单位0003"}).text
            ids = re.findall(r'name="ids" value="([0-9a-f]+)"', page)
            assert len(ids) == 4
            r = c.post("/r/pground/review", data={"csrf_token": csrf_of(page), "ids": ids[:2], "action": "dismiss",
                                                  "reason": "PostgreSQL 复核"})
            assert r.status_code == 303
            with h.engine.connect() as conn:
                inc = conn.execute(select(scores.c.target, scores.c.score).where(scores.c.round_id == rid)
                                   .order_by(scores.c.seq)).all()
            rescore(h.store, h.store.round(h.info.key), h.rs)
            with h.engine.connect() as conn:
                full = conn.execute(select(scores.c.target, scores.c.score).where(scores.c.round_id == rid)
                                    .order_by(scores.c.seq)).all()
            assert inc == full
            a = httpx.Client(base_url=base, timeout=60)
            assert login(a, names[1]).status_code == 303
            pub = a.get("/r/pground/publish").text
            r = a.post("/r/pground/publish", data={"csrf_token": csrf_of(pub), "action": "publish", "reason": "测试"})
            assert r.status_code == 303, r.text[:300]
            u = httpx.Client(base_url=base, timeout=60)
            assert login(u, names[2]).status_code == 303
            mine = re.findall(r'<tr data-id="([0-9a-f]+)"', u.get("/u/pground/").text)
            assert sorted(mine) == sorted(ids[2:])  # the dismissed two were not sent
            for x in (c, a, u):
                x.close()
    finally:
        with home.begin() as conn:
            conn.execute(delete(users).where(users.c.username.in_(names)))
        store = Store(PG)
        with store.engine.begin() as conn:
            conn.execute(delete(rounds).where(rounds.c.id == rid))
        store.engine.dispose()
