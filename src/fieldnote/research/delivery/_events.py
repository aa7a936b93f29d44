"""The widget's own events as funnel evidence: which of a study's invitations the
widget showed (``survey shown`` carrying ``$survey_id`` = ``study-<id>`` and the
``$invitation_id``). Read from the event store, so an invitation counts as seen even
when the widget's report to the server was lost."""

from __future__ import annotations

from typing import Any

__all__ = ["shown_invitations"]

_SQL = """
SELECT DISTINCT json_extract_string(properties, '$."$invitation_id"') AS inv
FROM events
WHERE project = ? AND event = 'survey shown'
  AND json_extract_string(properties, '$."$survey_id"') = ?
"""


def shown_invitations(cursor: Any, project: str, study_id: int) -> set[int]:
    """Invitation ids the widget showed for this study (a DuckDB cursor on the store)."""
    rows = cursor.execute(_SQL, [project, f"study-{study_id}"]).fetchall()
    out = set()
    for (value,) in rows:
        if value is not None and str(value).isdigit():
            out.add(int(value))
    return out
