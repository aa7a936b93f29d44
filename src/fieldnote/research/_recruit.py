"""Recruiting a study: screen, exclude, rank, fill quotas — and say why at each step.

A study's screener is saved criteria (``Criteria``) plus personas a candidate must
match (any of them) and quotas per cell (tier, persona or kind) for the diversity mix.
Exclusions come from the contact-fatigue policy (``decide``: withdrawn consent,
interviewed recently, invited lately...) so recruiting never proposes someone the
invitation step would refuse.

Ranking is a plain additive score whose parts are printed: recent activity (people
who use the product now remember the moment), never interviewed before (fresh eyes),
consented to be contacted, personas matched. Candidates are then taken in rank order
while their quota cells have room; the others wait, with the full cell named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fieldnote.research._criteria import Candidate, Criteria, CriteriaError

__all__ = [
    "QUOTA_DIMENSIONS",
    "Quota",
    "RankedCandidate",
    "Recruitment",
    "Screener",
    "Standing",
    "recruit",
]

QUOTA_DIMENSIONS = ("tier", "persona", "kind")


@dataclass(frozen=True)
class Quota:
    by: str
    cells: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by, "cells": self.cells}


@dataclass(frozen=True)
class Screener:
    criteria: Criteria = field(default_factory=Criteria)
    personas: tuple[str, ...] = ()
    quotas: tuple[Quota, ...] = ()
    target: int | None = None
    require_contact_consent: bool = False
    #: Recruit only from the study plan's target segments (when it names any).
    from_segment: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.criteria.to_dict(),
            "personas": list(self.personas),
            "quotas": [q.to_dict() for q in self.quotas],
            "target": self.target,
            "require_contact_consent": self.require_contact_consent,
            "from_segment": self.from_segment,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Screener:
        keys = {
            "where",
            "did",
            "personas",
            "quotas",
            "target",
            "require_contact_consent",
            "from_segment",
        }
        unknown = set(data) - keys
        if unknown:
            raise CriteriaError(f"{sorted(unknown)[0]}: unknown key (keys: {', '.join(keys)})")
        criteria = Criteria.from_dict({k: data[k] for k in ("where", "did") if k in data})
        personas = data.get("personas") or []
        if not isinstance(personas, list) or not all(isinstance(p, str) for p in personas):
            raise CriteriaError("personas: expected a list of persona names")
        quotas = []
        for i, q in enumerate(data.get("quotas") or []):
            if not isinstance(q, dict) or q.get("by") not in QUOTA_DIMENSIONS:
                dims = ", ".join(QUOTA_DIMENSIONS)
                raise CriteriaError(f"quotas[{i}].by: expected one of {dims}")
            cells = q.get("cells")
            if not isinstance(cells, dict) or not cells:
                raise CriteriaError(f"quotas[{i}].cells: expected {{value: count}}")
            for value, n in cells.items():
                if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                    raise CriteriaError(f"quotas[{i}].cells.{value}: expected a count ≥ 1")
            quotas.append(Quota(q["by"], {str(k): int(v) for k, v in cells.items()}))
        target = data.get("target")
        if target is not None and (
            isinstance(target, bool) or not isinstance(target, int) or target < 1
        ):
            raise CriteriaError("target: expected a whole number ≥ 1")
        return cls(
            criteria=criteria,
            personas=tuple(personas),
            quotas=tuple(quotas),
            target=target,
            require_contact_consent=bool(data.get("require_contact_consent", False)),
            from_segment=bool(data.get("from_segment", True)),
        )


@dataclass(frozen=True, kw_only=True)
class Standing:
    """What the repository knows about a candidate, beside their attributes."""

    excluded: str | None = None  # the fatigue policy's reason, when it refuses
    excluded_code: str | None = None
    interviewed_before: bool = False
    contact_consent: bool = False
    days_active_14: int = 0


@dataclass(frozen=True, kw_only=True)
class RankedCandidate:
    participant_id: int
    outcome: str  # chosen | waitlisted | excluded
    reasons: tuple[str, ...]
    score: float = 0.0
    score_parts: dict[str, float] = field(default_factory=dict)
    rank: int | None = None
    cells: dict[str, str] = field(default_factory=dict)
    personas: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "participant_id": self.participant_id,
            "outcome": self.outcome,
            "rank": self.rank,
            "score": round(self.score, 3),
            "score_parts": {k: round(v, 3) for k, v in self.score_parts.items()},
            "reasons": list(self.reasons),
            "cells": self.cells,
            "personas": list(self.personas),
        }


@dataclass(frozen=True, kw_only=True)
class Recruitment:
    target: int
    candidates: tuple[RankedCandidate, ...]
    fill: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...]

    @property
    def chosen(self) -> list[RankedCandidate]:
        return [c for c in self.candidates if c.outcome == "chosen"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "chosen": len(self.chosen),
            "ranking": "score = 2 * active days in the last 14 / 14 + 2 if never interviewed "
            "+ 1 if consented to contact + 1 per persona matched (max 2); ties by id",
            "quota_fill": list(self.fill),
            "warnings": list(self.warnings),
            "candidates": [c.to_dict() for c in self.candidates],
        }


def _score(standing: Standing, personas: Sequence[str]) -> dict[str, float]:
    return {
        "activity": 2.0 * min(standing.days_active_14, 14) / 14,
        "never_interviewed": 0.0 if standing.interviewed_before else 2.0,
        "contact_consent": 1.0 if standing.contact_consent else 0.0,
        "personas": float(min(len(personas), 2)),
    }


def recruit(
    candidates: Sequence[Candidate],
    standings: Mapping[int, Standing],
    screener: Screener,
    personas: Mapping[str, Criteria],
    *,
    default_target: int,
) -> Recruitment:
    """Screen, exclude, rank and fill quotas; every candidate comes back with reasons."""
    target = screener.target or default_target
    out: list[RankedCandidate] = []
    eligible: list[tuple[float, int, Candidate, dict[str, float], tuple[str, ...]]] = []
    for c in candidates:
        st = standings.get(c.participant_id, Standing())
        matched = tuple(n for n, crit in personas.items() if not crit.misses(c))
        why = _exclusion(c, st, screener, matched)
        if why:
            out.append(
                RankedCandidate(
                    participant_id=c.participant_id,
                    outcome="excluded",
                    reasons=tuple(why),
                    personas=matched,
                )
            )
            continue
        parts = _score(st, matched)
        eligible.append((sum(parts.values()), c.participant_id, c, parts, matched))
    eligible.sort(key=lambda e: (-e[0], e[1]))
    filled: dict[tuple[str, str], int] = {}
    pool: dict[tuple[str, str], int] = {}
    ranked: list[RankedCandidate] = []
    taken = 0
    for rank, (score, pid, c, parts, matched) in enumerate(eligible, start=1):
        cells, reason = _cells(c, matched, screener.quotas, filled, pool)
        if reason is None and taken >= target:
            reason = f"the study's target of {target} is reached"
        if reason is None:
            taken += 1
            for key in cells.items():
                filled[key] = filled.get(key, 0) + 1
            said = ("passes the screener", f"rank {rank} by score {score:.2f}")
        else:
            said = ("passes the screener", reason)
        ranked.append(
            RankedCandidate(
                participant_id=pid,
                outcome="chosen" if reason is None else "waitlisted",
                reasons=said,
                score=score,
                score_parts=parts,
                rank=rank,
                cells=cells,
                personas=matched,
            )
        )
    fill, warnings = _fill(screener.quotas, filled, pool)
    if taken < target:
        warnings.append(f"only {taken} of the target {target} could be chosen")
    return Recruitment(
        target=target,
        candidates=tuple(ranked + out),
        fill=tuple(fill),
        warnings=tuple(warnings),
    )


def _exclusion(
    c: Candidate, st: Standing, screener: Screener, matched: tuple[str, ...]
) -> list[str]:
    if st.excluded:
        return [f"{st.excluded_code}: {st.excluded}"]
    why = [f"screener: {m}" for m in screener.criteria.misses(c)]
    if screener.personas and not set(screener.personas) & set(matched):
        why.append(f"screener: matches none of the personas {', '.join(screener.personas)}")
    if screener.require_contact_consent and not st.contact_consent:
        why.append("consent: never consented to be contacted")
    return why


def _values(c: Candidate, matched: tuple[str, ...], by: str) -> list[str]:
    if by == "persona":
        return list(matched)
    value = c.attributes.get(by)
    return [str(value)] if value is not None else []


def _cells(
    c: Candidate,
    matched: tuple[str, ...],
    quotas: Sequence[Quota],
    filled: Mapping[tuple[str, str], int],
    pool: dict[tuple[str, str], int],
) -> tuple[dict[str, str], str | None]:
    """The quota cell this candidate takes in each dimension, or why none has room."""
    cells: dict[str, str] = {}
    reason: str | None = None
    for q in quotas:
        inside = [v for v in _values(c, matched, q.by) if v in q.cells]
        for v in inside:
            pool[(q.by, v)] = pool.get((q.by, v), 0) + 1
        if not inside:
            reason = reason or f"{q.by} is in no quota cell ({', '.join(q.cells)})"
            continue
        room = [v for v in inside if filled.get((q.by, v), 0) < q.cells[v]]
        if not room:
            v = inside[0]
            reason = reason or f"quota cell {q.by}={v} is full ({q.cells[v]}/{q.cells[v]})"
            continue
        cells[q.by] = room[0]
    return cells, reason


def _fill(
    quotas: Sequence[Quota],
    filled: Mapping[tuple[str, str], int],
    pool: Mapping[tuple[str, str], int],
) -> tuple[list[dict[str, Any]], list[str]]:
    rows: list[dict[str, Any]] = []
    warnings: list[str] = []
    for q in quotas:
        for value, wanted in q.cells.items():
            got = filled.get((q.by, value), 0)
            rows.append(
                {
                    "by": q.by,
                    "value": value,
                    "wanted": wanted,
                    "filled": got,
                    "eligible": pool.get((q.by, value), 0),
                }
            )
            if got < wanted:
                warnings.append(f"quota cell {q.by}={value}: {got} of {wanted} (too few eligible)")
    return rows, warnings
