"""``create_app(settings)``: the one FastAPI application (capture, JSON API, pages).

The app owns the event store for as long as it runs: it is the single DuckDB writer,
and it publishes ``server.json`` in the home folder so the CLI sends its reads and
imports here instead of opening the file (which DuckDB would refuse).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from fieldnote import __version__
from fieldnote._core import Fieldnote
from fieldnote.analytics.overview import OverviewService
from fieldnote.config import Settings
from fieldnote.events import DuckDBEventStore, EventSink, GroupCommitWriter
from fieldnote.web._analytics_api import router as analytics_router
from fieldnote.web._api import router as api_router
from fieldnote.web._api_accounts import router as accounts_api_router
from fieldnote.web._capture import router as capture_router
from fieldnote.web._capture_asgi import CaptureFastPath
from fieldnote.web._delivery_api import router as delivery_api_router
from fieldnote.web._delivery_pages import router as delivery_router
from fieldnote.web._diaries_api import router as diaries_router
from fieldnote.web._diaries_api import start_diary_scheduler
from fieldnote.web._diaries_write_api import router as diaries_write_router
from fieldnote.web._digest_api import router as digest_api_router
from fieldnote.web._evidence_api import router as evidence_router
from fieldnote.web._export_api import router as export_router
from fieldnote.web._gc import tune_gc_for_serving
from fieldnote.web._guards import anonymous_refusal
from fieldnote.web._import_api import router as import_router
from fieldnote.web._intercept_api import router as intercept_router
from fieldnote.web._intercept_api import start_intercepts
from fieldnote.web._interviews_api import router as interviews_router
from fieldnote.web._invitation_scheduler import start_invitation_scheduler
from fieldnote.web._monitors_api import router as monitors_router
from fieldnote.web._monitors_api import start_scheduler
from fieldnote.web._panel_api import router as panel_router
from fieldnote.web._ratelimit import LoginLimiter
from fieldnote.web._research_api import router as research_router
from fieldnote.web._responses import FastJSONResponse
from fieldnote.web._state import AppState, KeyCache
from fieldnote.web.pages import install as install_pages
from fieldnote.web.pages._analytics import router as analytics_pages_router
from fieldnote.web.pages._panel_pages import router as panel_pages_router

__all__ = ["create_app"]


def _open_sink(fn: Fieldnote) -> tuple[EventSink, object | None]:
    if fn.settings.segments_dir is not None:
        from fieldnote.events.segments import ParquetSegmentSink

        return ParquetSegmentSink(fn.settings.segments_dir), None
    store = fn.open_event_store()
    return store, store


def create_app(
    settings: Settings, *, publish: tuple[str, int] | None = None, tune_gc: bool = False
) -> FastAPI:
    """Build the app. ``publish=(host, port)`` writes server.json while it runs;
    ``tune_gc`` sets the garbage collector for serving once started (``web/_gc.py``),
    for when the app owns its process (``fieldnote serve``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        fn = Fieldnote(settings, auto_create=True)
        fn.projects.ensure_default()  # refuses to start on an unmigrated repository
        sink, store = _open_sink(fn)
        writer = GroupCommitWriter(sink, max_rows=settings.commit_max_rows)
        info = fn.home.publish_server(host=publish[0], port=publish[1]) if publish else None
        app.state.fieldnote = AppState(
            fieldnote=fn,
            sink=sink,
            writer=writer,
            store=store,  # type: ignore[arg-type]
            keys=KeyCache(fn),
            admin_token=info.admin_token if info else None,
            overview=OverviewService(store) if isinstance(store, DuckDBEventStore) else None,
            login_limiter=LoginLimiter(
                per_account=settings.login_max_failures_per_account,
                per_ip=settings.login_max_failures_per_ip,
                window_seconds=settings.login_failure_window_seconds,
            ),
        )
        scheduler = start_scheduler(app.state.fieldnote)
        diary_scheduler = start_diary_scheduler(app.state.fieldnote)
        invitation_scheduler = start_invitation_scheduler(app.state.fieldnote)
        app.state.intercepts = start_intercepts(app.state.fieldnote)
        restore_gc = tune_gc_for_serving() if tune_gc else None
        try:
            yield
        finally:
            if restore_gc is not None:
                restore_gc()
            await scheduler.stop()
            await diary_scheduler.stop()
            await invitation_scheduler.stop()
            app.state.intercepts.stop()
            writer.close()
            if info is not None:
                fn.home.withdraw_server(info)
            close = getattr(sink, "close", None)
            if close is not None:
                close()
            fn.close()

    app = FastAPI(
        title="fieldnote",
        version=__version__,
        default_response_class=FastJSONResponse,
        lifespan=lifespan,
        # The spec is served at /api/openapi.json to signed-in callers; the Swagger
        # and ReDoc pages would load their assets from a CDN, so they are off.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> FastJSONResponse:
        detail = exc.detail
        body = detail if isinstance(detail, dict) else {"error": str(detail)}
        return FastJSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> FastJSONResponse:
        refusal = await anonymous_refusal(request)  # credentials before body shapes
        if refusal is not None:
            return await http_error(request, refusal)
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid request"}
        return FastJSONResponse(
            {"error": f"{first['field']}: {first['message']}", "errors": errors}, status_code=422
        )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(capture_router)
    app.add_middleware(CaptureFastPath)  # capture POSTs skip FastAPI routing
    app.include_router(api_router)
    app.include_router(analytics_router)
    app.include_router(export_router)
    app.include_router(import_router)
    app.include_router(accounts_api_router)
    app.include_router(monitors_router)
    app.include_router(research_router)
    app.include_router(evidence_router)
    app.include_router(interviews_router)
    app.include_router(diaries_router)
    app.include_router(diaries_write_router)
    app.include_router(digest_api_router)
    app.include_router(intercept_router)
    app.include_router(delivery_router)
    app.include_router(delivery_api_router)
    install_pages(app)
    app.include_router(analytics_pages_router)
    app.include_router(panel_router)
    app.include_router(panel_pages_router)
    return app
