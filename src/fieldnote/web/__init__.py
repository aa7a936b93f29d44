"""The web layer: FastAPI app (capture endpoints, JSON API, pages). Thin over the library."""

from fieldnote.web._app import create_app
from fieldnote.web._capture_asgi import CaptureFastPath

__all__ = ["CaptureFastPath", "create_app"]
