"""The web layer: FastAPI app (capture endpoints, JSON API, pages). Thin over the library."""

from fieldnote.web._app import create_app

__all__ = ["create_app"]
