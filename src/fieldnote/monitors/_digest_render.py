"""The weekly digest as Markdown and as a self-contained HTML page (email body and
export); ``DIGEST_FORMATS`` maps each ``--format`` to its renderer."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from fieldnote.monitors._digest import Digest

__all__ = ["DIGEST_FORMATS", "digest_html", "digest_markdown"]

Section = tuple[str, list[str], str]
"""(title, items, what to say when there are none)."""


def _sections(d: Digest) -> list[Section]:
    return [
        (
            "Metric anomalies",
            [f"{s.monitor}: {s.reason}" + (f" (question #{s.question_id})" if s.question_id else "")
             for s in d.signals],
            "No monitor fired this week.",
        ),
        (
            "Open questions",
            [f"#{q.id} ({q.age_days:.0f} days open, {q.signals} signal(s)): {q.text}"
             for q in d.open_questions],
            "No open question.",
        ),
        (
            f"Interviews done: {len(d.interviews)}",
            list(d.interviews[:20]) + ([f"... and {len(d.interviews) - 20} more"]
                                       if len(d.interviews) > 20 else []),
            "No interview this week.",
        ),
        (
            "New themes",
            [f"{t.label} ({t.notes} notes, book {t.book!r})" for t in d.new_themes],
            "No new theme.",
        ),
        (
            "Decisions",
            [f"Hypothesis #{h.hypothesis_id} {h.from_status} → {h.to_status}: {h.text}"
             + (f" ({h.reason})" if h.reason else "") for h in d.hypotheses]
            + [f"Release {r.release}: {r.verdict}, {r.reason}" for r in d.releases],
            "No decision recorded.",
        ),
    ]  # fmt: skip


def _title(d: Digest) -> str:
    last = (d.week.end.date()).isoformat()
    return f"{d.project}: weekly digest {d.week} ({d.week.start.date()} to {last})"


def digest_markdown(d: Digest) -> str:
    lines = [f"# {_title(d)}", ""]
    for title, items, none in _sections(d):
        lines += [f"## {title}", ""]
        lines += [f"- {i}" for i in items] if items else [none]
        lines.append("")
    lines += [f"> {n}" for n in d.notes]
    return "\n".join(lines).rstrip() + "\n"


def digest_html(d: Digest) -> str:
    body = [f"<h1>{escape(_title(d))}</h1>"]
    for title, items, none in _sections(d):
        body.append(f"<h2>{escape(title)}</h2>")
        if items:
            body.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
        else:
            body.append(f"<p>{escape(none)}</p>")
    body += [f'<p class="note">{escape(n)}</p>' for n in d.notes]
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(_title(d))}</title>"
        "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:48rem;margin:1rem auto;"
        "padding:0 1rem}h2{font-size:1.1rem;margin-top:1.5rem}.note{color:#8b1c1c}</style>"
        "</head><body>" + "\n".join(body) + "</body></html>\n"
    )


DIGEST_FORMATS: dict[str, Callable[[Digest], str]] = {
    "md": digest_markdown,
    "html": digest_html,
}
