"""Markdown export: what a human moderator prints or pastes into a doc."""

from __future__ import annotations

from fieldnote.interviews.guides._model import Guide

__all__ = ["to_markdown"]


def _minutes(value: float) -> str:
    return f"{value:g} min"


def to_markdown(guide: Guide) -> str:
    budgets = guide.budgets()
    version = f" (v{guide.version})" if guide.version is not None else ""
    lines = [f"# {guide.name}{version}", ""]
    if guide.goal:
        lines += [f"**Goal:** {guide.goal}", ""]
    lines += [f"*{guide.template} guide, {guide.planned_minutes} minutes planned.*", ""]
    elapsed = 0.0
    for section in guide.sections:
        minutes = budgets[section.key]
        lines.append(
            f"## {section.title} — {_minutes(minutes)} "
            f"({section.share * 100:g}%, from {_minutes(round(elapsed, 2))})"
        )
        elapsed += minutes
        lines.append("")
        for n, q in enumerate(section.questions, 1):
            lines.append(f"{n}. {q.text}")
            lines.extend(f"   - *Probe:* {p}" for p in q.probes)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
