"""The office's web console (`govcheck serve`): review, evidence, publication, the units' rectification, an API.

See README.md in this folder. `create_app(round_dirs, db_url=None, home=None)` builds the ASGI app.
"""
from govcheck.web.server import create_app

__all__ = ["create_app"]
