"""Export formats by name (the CLI's ``--format``): each turns a guide into file bytes."""

from __future__ import annotations

from collections.abc import Callable

from fieldnote.interviews.guides._markdown import to_markdown
from fieldnote.interviews.guides._model import Guide
from fieldnote.interviews.guides._pdf import to_pdf

__all__ = ["EXPORT_FORMATS"]


def _markdown_bytes(guide: Guide) -> bytes:
    return to_markdown(guide).encode("utf-8")


EXPORT_FORMATS: dict[str, Callable[[Guide], bytes]] = {"markdown": _markdown_bytes, "pdf": to_pdf}
