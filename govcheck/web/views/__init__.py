"""The console's routes: one small function per page (Datasette's views/)."""
from __future__ import annotations

from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from govcheck.web.app import HERE


def routes() -> list:
    from govcheck.web.views import admin, api, auth_views, office, rectify_views

    get, post = ["GET"], ["POST"]
    return [
        Route("/", auth_views.home, methods=get),
        Route("/login", auth_views.login_page, methods=get),
        Route("/login", auth_views.login_post, methods=post),
        Route("/logout", auth_views.logout, methods=post),
        Route("/tokens", auth_views.tokens_page, methods=get),
        Route("/tokens", auth_views.tokens_post, methods=post),
        Route("/admin/users", admin.users_page, methods=get),
        Route("/admin/users", admin.users_post, methods=post),
        Route("/admin/audit", admin.audit_page, methods=get),
        # the office
        Route("/r/{slug}/", office.overview_page, methods=get),
        Route("/r/{slug}/review", office.queue_page, methods=get),
        Route("/r/{slug}/review", office.queue_post, methods=post),
        Route("/r/{slug}/f/{fid}", office.finding_page, methods=get),
        Route("/r/{slug}/f/{fid}", office.finding_post, methods=post),
        Route("/r/{slug}/f/{fid}/ev/{i}/raw", office.evidence_raw, methods=get),
        Route("/r/{slug}/f/{fid}/ev/{i}/shot", office.evidence_shot, methods=get),
        Route("/r/{slug}/manual", office.worklist_page, methods=get),
        Route("/r/{slug}/manual/{item}", office.manual_page, methods=get),
        Route("/r/{slug}/manual/{item}", office.manual_post, methods=post),
        Route("/r/{slug}/publish", rectify_views.publish_page, methods=get),
        Route("/r/{slug}/publish", rectify_views.publish_post, methods=post),
        Route("/r/{slug}/pub/{version}/{name}", rectify_views.published_download, methods=get),
        Route("/r/{slug}/rectify", rectify_views.rectify_page, methods=get),
        Route("/r/{slug}/rectify/unit", rectify_views.rectify_unit_page, methods=get),
        Route("/r/{slug}/recheck", rectify_views.recheck_post, methods=post),
        Route("/r/{slug}/file/{file_id}", rectify_views.file_download, methods=get),
        # archived pages: their own path, their own CSP (see evidence.py)
        Route("/replay/{slug}/{fid}/{i}", office.replay, methods=get),
        # the units
        Route("/u/{slug}/", rectify_views.unit_round, methods=get),
        Route("/u/{slug}/read", rectify_views.unit_read, methods=post),
        Route("/u/{slug}/f/{fid}", rectify_views.unit_finding, methods=get),
        Route("/u/{slug}/f/{fid}/feedback", rectify_views.unit_feedback, methods=post),
        # JSON API
        Route("/api/v1/rounds", api.api_rounds, methods=get),
        Route("/api/v1/rounds/{slug}", api.api_round, methods=get),
        Route("/api/v1/rounds/{slug}/scores", api.api_scores, methods=get),
        Route("/api/v1/rounds/{slug}/findings", api.api_findings, methods=get),
        Route("/api/v1/rounds/{slug}/findings/{fid}", api.api_finding, methods=get),
        Route("/api/v1/rounds/{slug}/findings/{fid}/evidence", api.api_evidence, methods=get),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
