"""What an import is asked to do, what it answers, and how it fails."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

__all__ = ["STAGES", "ImportFailedError", "ImportInputError", "ImportRequest", "ImportResult"]

#: The stages ``on_stage`` reports, in order (some are skipped when not needed).
STAGES = ("scanning", "importing", "deduplicating", "persons", "reporting")


class ImportInputError(ValueError):
    """The request cannot be carried out as given (file, format, mapping, project).

    Raised before anything is written, with a message meant for the person who typed
    the command.
    """


class ImportFailedError(RuntimeError):
    """The import stopped part-way (e.g. a malformed CSV line); nothing was written."""


@dataclass(frozen=True, kw_only=True)
class ImportRequest:
    """What to import, where, and how to judge timestamps.

    The timestamp bounds come from ``Settings`` (``oldest_timestamp_year``,
    ``future_tolerance_seconds``) so import and capture reject the same events.
    """

    path: Path
    project: str
    format: str | None = None
    field_map: Mapping[str, str] | str | None = None
    oldest_year: int = 2000
    future_tolerance: timedelta = timedelta(hours=23)
    max_errors: int = 20


@dataclass(frozen=True, kw_only=True)
class ImportResult:
    """What an import did. ``imported + duplicates + rejected`` is the file's row count."""

    imported: int
    duplicates: int
    rejected: int
    errors: list[str] = field(default_factory=list)
    format: str = ""
    shape: str = ""
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.imported + self.duplicates + self.rejected

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` / API answer."""
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "errors": list(self.errors),
        }
