"""The console's ASGI application: the request machinery (govcheck.web.app) with its pages (govcheck.web.views).

Kept apart from app.py because the views import app's Ctx and decorators: building the app here keeps the
package free of import cycles (tests/test_core_imports.py).
"""
from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette

from govcheck.web.app import Console, SecurityHeaders, load_config
from govcheck.web.rounds import Rounds
from govcheck.web.views import routes


def create_app(round_dirs: list[Path], *, db_url: str | None = None, home: Path | None = None,
               config: Path | None = None, secure_cookies: bool = False) -> Starlette:
    conf = load_config(config)
    if db_url:
        home_url = db_url
    else:
        home = Path(home or "govcheck-console")
        home.mkdir(parents=True, exist_ok=True)
        home_url = f"sqlite:///{home.resolve() / 'console.sqlite'}"
    console = Console(Rounds(round_dirs, db_url), home_url, conf, secure_cookies=secure_cookies)
    app = Starlette(routes=routes())
    app.state.console = console
    app.add_middleware(SecurityHeaders, max_body=console.max_body)
    return app
