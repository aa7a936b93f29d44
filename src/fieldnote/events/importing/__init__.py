"""Bulk import of event exports (PostHog, Segment, Amplitude; CSV, JSON Lines, Parquet).

``import_into_store(store, ImportRequest(...))`` (``import_events`` on the store's
connection) is the one entry point: the CLI calls it on a store it opened itself, the
server on its writer thread, so both paths behave identically. See ``_importer`` for how it stays set-based and cheap.
"""

from fieldnote.events.importing._importer import (
    STAGES,
    ImportFailedError,
    ImportRequest,
    ImportResult,
    import_events,
    import_into_store,
)
from fieldnote.events.importing._shapes import FIELDS, SHAPES, parse_field_map
from fieldnote.events.importing._source import (
    FORMATS,
    ImportInputError,
    check_file,
    infer_format,
)

__all__ = [
    "FIELDS",
    "FORMATS",
    "SHAPES",
    "STAGES",
    "ImportFailedError",
    "ImportInputError",
    "ImportRequest",
    "ImportResult",
    "check_file",
    "import_events",
    "import_into_store",
    "infer_format",
    "parse_field_map",
]
