"""Guides: sections with time budgets, questions with optional probes.

A guide is a plan, not a script (seed 000: a rigid script misses the unknown
unknowns): the moderator follows the sections and their budgets, and probes freely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fieldnote.interviews.linting import LintedQuestion, lint_question

__all__ = ["Guide", "GuideError", "GuideQuestion", "Section"]


class GuideError(ValueError):
    """A guide that cannot be built, parsed or stored; the message says what and where."""


@dataclass(frozen=True, kw_only=True)
class GuideQuestion:
    text: str
    probes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "probes": list(self.probes)}


@dataclass(frozen=True, kw_only=True)
class Section:
    """``share`` is the fraction of the planned length; ``solutions_allowed`` marks a
    concept test's concept section, the one place showing a solution is the point."""

    key: str
    title: str
    share: float
    questions: tuple[GuideQuestion, ...] = ()
    solutions_allowed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "share": self.share,
            "solutions_allowed": self.solutions_allowed,
            "questions": [q.to_dict() for q in self.questions],
        }


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise GuideError(f"{where}: expected a non-empty string")
    return value.strip()


@dataclass(frozen=True, kw_only=True)
class Guide:
    name: str
    template: str
    planned_minutes: int
    sections: tuple[Section, ...]
    goal: str = ""
    version: int | None = None  # set by the store
    meta: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 5 <= self.planned_minutes <= 240:
            raise GuideError("planned length must be 5 to 240 minutes")
        if not self.sections:
            raise GuideError("a guide needs at least one section")
        total = sum(s.share for s in self.sections)
        if any(s.share <= 0 for s in self.sections) or abs(total - 1.0) > 1e-6:
            raise GuideError(
                f"section shares must be positive and add up to 100% (they add up to "
                f"{total * 100:.1f}%)"
            )
        keys = [s.key for s in self.sections]
        if len(set(keys)) != len(keys):
            raise GuideError("section keys must be unique")

    def budgets(self) -> dict[str, float]:
        """Minutes per section key, from the shares (they add up to the planned length)."""
        return {s.key: round(self.planned_minutes * s.share, 2) for s in self.sections}

    def lint(self) -> list[tuple[Section, LintedQuestion]]:
        """Every question and probe, linted with its section's rules."""
        out = []
        for s in self.sections:
            for q in s.questions:
                for text in (q.text, *q.probes):
                    out.append((s, lint_question(text, solutions_allowed=s.solutions_allowed)))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "template": self.template,
            "version": self.version,
            "goal": self.goal,
            "planned_minutes": self.planned_minutes,
            "budgets": self.budgets(),
            "sections": [s.to_dict() for s in self.sections],
            "meta": dict(self.meta),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Guide:
        """Parse an edited guide (the JSON ``to_dict`` writes); errors name the field."""
        if not isinstance(data, dict):
            raise GuideError("a guide is a JSON object")
        sections = data.get("sections")
        if not isinstance(sections, list):
            raise GuideError("sections: expected a list")
        parsed = []
        for i, s in enumerate(sections):
            where = f"sections[{i}]"
            if not isinstance(s, dict):
                raise GuideError(f"{where}: expected an object")
            share = s.get("share")
            if not isinstance(share, int | float) or isinstance(share, bool):
                raise GuideError(f"{where}.share: expected a number (fraction of the length)")
            questions = s.get("questions", [])
            if not isinstance(questions, list):
                raise GuideError(f"{where}.questions: expected a list")
            qs = []
            for j, q in enumerate(questions):
                qwhere = f"{where}.questions[{j}]"
                if isinstance(q, str):
                    q = {"text": q}
                if not isinstance(q, dict):
                    raise GuideError(f"{qwhere}: expected an object or a string")
                probes = q.get("probes", [])
                if not isinstance(probes, list):
                    raise GuideError(f"{qwhere}.probes: expected a list")
                qs.append(
                    GuideQuestion(
                        text=_text(q.get("text"), f"{qwhere}.text"),
                        probes=tuple(
                            _text(p, f"{qwhere}.probes[{k}]") for k, p in enumerate(probes)
                        ),
                    )
                )
            parsed.append(
                Section(
                    key=_text(s.get("key"), f"{where}.key"),
                    title=_text(s.get("title"), f"{where}.title"),
                    share=float(share),
                    questions=tuple(qs),
                    solutions_allowed=bool(s.get("solutions_allowed", False)),
                )
            )
        minutes = data.get("planned_minutes")
        if not isinstance(minutes, int) or isinstance(minutes, bool):
            raise GuideError("planned_minutes: expected a whole number of minutes")
        meta = data.get("meta", {})
        return cls(
            name=_text(data.get("name"), "name"),
            template=_text(data.get("template", "custom"), "template"),
            planned_minutes=minutes,
            sections=tuple(parsed),
            goal=str(data.get("goal", "")),
            meta={str(k): str(v) for k, v in meta.items()} if isinstance(meta, dict) else {},
        )
