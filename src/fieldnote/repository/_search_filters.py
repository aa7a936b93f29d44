"""Search filters: what a search may be narrowed by, and the one place they are built
from what a person typed (CLI options, API or page query parameters).

Kept apart from the store so the CLI, the API and the search page share the parsing
and its field-named errors, and the SQL each filter adds sits beside its definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["MAX_LIMIT", "SEARCH_KINDS", "SearchError", "SearchFilters", "search_filters"]

SEARCH_KINDS = ("utterance", "note", "theme", "question", "hypothesis")
MAX_LIMIT = 200


class SearchError(ValueError):
    """A search that cannot run (bad filter, unsupported database); says why."""


@dataclass(frozen=True, kw_only=True)
class SearchFilters:
    kinds: tuple[str, ...] = ()
    study: int | None = None
    tag: str | None = None
    step: str | None = None
    """A funnel step's event: notes a researcher tagged ``step:EVENT`` (the journey
    map's tag rule)."""
    participants: frozenset[str] | None = None
    """Only what these participants said (a segment's people); None: no filter."""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 20

    def check(self) -> None:
        bad = [k for k in self.kinds if k not in SEARCH_KINDS]
        if bad:
            raise SearchError(f"kind {bad[0]!r} is not one of {', '.join(SEARCH_KINDS)}")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise SearchError(f"limit must be 1 to {MAX_LIMIT}")
        for name in ("tag", "step"):
            value = getattr(self, name)
            if value is not None and "|" in value:
                raise SearchError(f"a {name} cannot contain '|'")

    def where(self) -> tuple[str, dict[str, Any]]:
        clauses: list[str] = []
        params: dict[str, Any] = {}
        if self.kinds:
            names = [f"k{i}" for i in range(len(self.kinds))]
            clauses.append(f"d.kind IN ({', '.join(':' + n for n in names)})")
            params |= dict(zip(names, self.kinds, strict=True))
        if self.study is not None:
            clauses.append("d.study_id = :study")
            params["study"] = self.study
        if self.tag is not None:
            clauses.append("d.tags LIKE :tag")
            params["tag"] = f"%|{self.tag}|%"
        if self.step is not None:
            clauses.append("d.tags LIKE :step")
            params["step"] = f"%|step:{self.step}|%"
        if self.participants is not None:
            people = sorted(self.participants)
            names = [f"p{i}" for i in range(len(people))]
            clauses.append(
                f"d.participant IN ({', '.join(':' + n for n in names)})" if people else "1 = 0"
            )
            params |= dict(zip(names, people, strict=True))
        if self.since is not None:
            clauses.append("d.at >= :since")
            params["since"] = self.since.astimezone(UTC)
        if self.until is not None:
            clauses.append("d.at < :until")
            params["until"] = self.until.astimezone(UTC)
        return "".join(f" AND {c}" for c in clauses), params


def search_filters(
    *,
    kinds: Sequence[str] = (),
    study: int | str | None = None,
    tag: str | None = None,
    step: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | str = 20,
    participants: frozenset[str] | None = None,
) -> SearchFilters:
    """Filters from what a person typed (CLI options, API or page query parameters):
    blanks mean "no filter", dates are UTC dates or ISO times (``until`` inclusive of
    its day), and every bad value raises ``SearchError`` naming its field. The one
    place the CLI, the API and the search page build filters."""
    from fieldnote.analytics._time import parse_date

    def blank(value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    def number(name: str, value: int | str | None) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return int(value)
        except ValueError:
            raise SearchError(f"{name}: {value!r} is not a whole number") from None

    def when(name: str, value: str | None, *, end: bool) -> datetime | None:
        text = blank(value)
        if text is None:
            return None
        try:
            return parse_date(text, end=end)
        except ValueError:
            raise SearchError(f"{name}: {text!r} is not a date (2026-03-31) or ISO time") from None

    filters = SearchFilters(
        kinds=tuple(k for k in kinds if k.strip()),
        study=number("study", study),
        tag=blank(tag),
        step=blank(step),
        participants=participants,
        since=when("since", since, end=False),
        until=when("until", until, end=True),
        limit=number("limit", limit) or 0,
    )
    filters.check()
    return filters
