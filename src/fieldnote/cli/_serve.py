"""``fieldnote serve``: the capture server, JSON API and web app."""

from __future__ import annotations

from typing import Annotated

import typer

from fieldnote.cli._context import CliState, fail, get_state


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        ctx: typer.Context,
        host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port.", min=0, max=65535)] = 8000,
        log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
    ) -> None:
        """Run the server. It becomes the single writer of this home's event store."""
        run_server(get_state(ctx), host=host, port=port, log_level=log_level)


def run_server(st: CliState, *, host: str, port: int, log_level: str = "warning") -> None:
    """Serve this home until stopped (``serve`` and ``demo`` share it); refuse a second server."""
    import uvicorn

    from fieldnote.repository import RepositoryNotMigratedError
    from fieldnote.web import CaptureFastPath, create_app

    running = st.fieldnote.home.running_server()
    if running is not None and st.settings.segments_dir is None:
        fail(
            f"a server (pid {running.pid}) already owns {st.fieldnote.home.root} at "
            f"{running.base_url}; stop it or use another --home"
        )
    try:
        st.fieldnote.projects.ensure_default()
    except RepositoryNotMigratedError as exc:
        fail(str(exc))
    app = create_app(st.settings, publish=(host, port), tune_gc=True)
    uvicorn.run(
        CaptureFastPath(app, owner=app),  # capture requests skip even FastAPI.__call__
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
