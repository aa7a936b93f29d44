"""Bulk import of event exports (PostHog, Segment, Amplitude; CSV, JSON Lines, Parquet).

``import_into_store(store, ImportRequest(...))`` (``import_events`` on the store's
connection) is the one entry point: the CLI calls it on a store it opened itself, the
server on its writer thread, so both paths behave identically. See ``_importer`` for
how it stays set-based and cheap.

Modules, in the order a file goes through them: ``_files`` (which file, which format,
which columns), ``_source`` (the file as a relation, SQL per column), ``_shapes`` /
``_segment`` / ``_builder`` (which columns mean which Event field), ``_plan`` (the SQL
for the whole file), ``_importer`` (running it in one transaction), ``_settle`` (file
duplicates, persons, rejected rows after the insert).
"""

from fieldnote.events.importing._files import FORMATS, check_file, infer_format
from fieldnote.events.importing._importer import import_events, import_into_store
from fieldnote.events.importing._request import (
    STAGES,
    ImportFailedError,
    ImportInputError,
    ImportRequest,
    ImportResult,
)
from fieldnote.events.importing._shapes import FIELDS, SHAPES, parse_field_map

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
