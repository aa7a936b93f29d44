"""``fieldnote diaries``: diary studies (docs/interviews.md, "Diary studies").

create (a definition file: prompts, schedule), enrol (a participant, with their
consent recorded), run-due (send the prompts that are due now; ``fieldnote serve``
does the same every ``FIELDNOTE_DIARY_INTERVAL_SECONDS``) and show (progress per
participant). The repository is read and written directly, like monitors: a running
server and this command can both send, and a prompt is still mailed only once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from fieldnote.cli._context import emit, fail, get_state, refusing
from fieldnote.cli._participants import _json_file, _repository
from fieldnote.interviews.diaries import (
    DiaryDefinition,
    DiaryError,
    check_prompts,
    mailer_from,
    send_due,
)
from fieldnote.repository import DEFAULT_PROJECT
from fieldnote.repository._diaries import DiaryStore
from fieldnote.repository._diary_enrol import enrol_participant
from fieldnote.repository._diary_entries import DiaryOutbox
from fieldnote.research import CONSENT_PARTS

__all__ = ["app"]

app = typer.Typer(help="Diary studies: prompts by email on a schedule.", no_args_is_help=True)

ProjectOpt = Annotated[str, typer.Option("--project", help="Project name.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _when(value: str | None, as_json: bool) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(
            f"--now: expected an ISO date-time such as 2026-03-02T19:00Z, not {value!r}",
            as_json=as_json,
        )
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The diary's name (unique in the project).")],
    definition: Annotated[
        Path, typer.Option("--definition", help="JSON: prompts, schedule, answer_within_hours.")
    ],
    study: Annotated[
        int | None, typer.Option("--study", help="Study id the entries belong to (synthesis).")
    ] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Create a diary study; prompts are checked by the question linter."""
    repo = _repository(ctx, project, as_json)
    data = _json_file(definition, as_json)
    try:
        parsed = DiaryDefinition.from_dict(data)
    except DiaryError as exc:
        fail(f"{definition}: {exc}", as_json=as_json)
    with refusing(DiaryError, as_json=as_json):
        made = DiaryStore(repo).create(project, name, parsed, study_id=study, created_by="cli")
    warnings = check_prompts(parsed.prompts)
    lines = [f"diary {escape(made.name)} created ({len(parsed.prompts)} prompt(s))"]
    lines += [
        f"[yellow]prompt {w['prompt'] + 1}: {w['kind']}[/] {escape(w['message'])}" for w in warnings
    ]
    emit({**made.to_dict(), "prompt_issues": warnings}, as_json=as_json, text="\n".join(lines))


@app.command("enrol")
def enrol(
    ctx: typer.Context,
    diary: Annotated[str, typer.Argument(help="The diary's name.")],
    participant: Annotated[str, typer.Argument(help="The participant's distinct id.")],
    email: Annotated[str, typer.Option("--email", help="Where the prompts go.")],
    timezone: Annotated[
        str, typer.Option("--timezone", help="IANA zone for daily times, e.g. Europe/Berlin.")
    ] = "UTC",
    name: Annotated[
        str | None, typer.Option("--name", help="The participant's name (masked in views).")
    ] = None,
    consent_text: Annotated[
        int | None,
        typer.Option("--consent-text", help="Consent text id they agreed to (default: current)."),
    ] = None,
    agree: Annotated[
        str, typer.Option("--agree", help="Consent parts agreed to, comma-separated.")
    ] = "data_use,contact",
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Enrol a participant: records their consent and schedules every prompt."""
    repo = _repository(ctx, project, as_json)
    parts = {p.strip() for p in agree.split(",") if p.strip()}
    unknown = parts - set(CONSENT_PARTS)
    if unknown:
        fail(
            f"--agree: unknown part(s) {', '.join(sorted(unknown))}; parts are {', '.join(CONSENT_PARTS)}",
            as_json=as_json,
        )
    with refusing(DiaryError, as_json=as_json):
        made = enrol_participant(
            repo,
            project,
            diary,
            participant,
            email=email,
            timezone=timezone,
            name=name,
            consent_text_id=consent_text,
            agree=parts,
        )
    first = made.prompts[0].isoformat() if made.prompts else "never"
    emit(
        made.to_dict(),
        as_json=as_json,
        text=f"{escape(participant)} enrolled in {escape(diary)}: {len(made.prompts)} prompt(s), first {first}",
    )


@app.command("run-due")
def run_due(
    ctx: typer.Context,
    now: Annotated[
        str | None, typer.Option("--now", help="Send what is due at this time (default: now).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Send every diary prompt that is due (each at most once), in every project."""
    st = get_state(ctx)
    when = _when(now, as_json)
    public_url = st.settings.public_url
    if not public_url:
        info = st.fieldnote.home.running_server()
        if info is None:
            fail(
                "set FIELDNOTE_PUBLIC_URL: diary links need the address participants reach",
                as_json=as_json,
            )
        public_url = info.base_url
    with refusing(DiaryError, as_json=as_json):
        mailer = mailer_from(st.settings)
    _ = st.fieldnote.projects  # a new home gets its default project
    report = send_due(DiaryOutbox(st.fieldnote.repository), mailer, now=when, public_url=public_url)
    lines = [f"sent {len(report.sent)}, failed {len(report.failed)}, skipped {len(report.skipped)}"]
    lines += [
        f"[red]failed[/] {escape(f['participant'])} #{f['seq'] + 1}: {escape(f['error'])}"
        for f in report.failed
    ]
    lines += [
        f"skipped {escape(s['participant'])} #{s['seq'] + 1}: {s['reason']}" for s in report.skipped
    ]
    emit(report.to_dict(), as_json=as_json, text="\n".join(lines))
    if report.failed:
        raise typer.Exit(1)


@app.command("show")
def show(
    ctx: typer.Context,
    diary: Annotated[str | None, typer.Argument(help="A diary's name (none: list them).")] = None,
    now: Annotated[str | None, typer.Option("--now", help="Progress as of this time.")] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """The project's diaries, or one diary's progress per participant (missed prompts:
    sent and left without an entry within the answer window)."""
    store = DiaryStore(_repository(ctx, project, as_json))
    with refusing(DiaryError, as_json=as_json):
        if diary is None:
            diaries = store.list(project)
            emit(
                {"diaries": [d.to_dict() for d in diaries]},
                as_json=as_json,
                text="\n".join(escape(d.name) for d in diaries) or "no diaries",
            )
            return
        record = store.get(project, diary)
        people = store.progress(project, diary, now=_when(now, as_json))
    lines = [f"{escape(record.name)}: {len(people)} participant(s)"]
    for p in people:
        c = p.counts
        state = (
            "withdrawn"
            if p.withdrawn_at
            else f"next {p.next_due:%Y-%m-%d %H:%M}Z"
            if p.next_due
            else "finished"
        )
        lines.append(
            f"  {escape(p.distinct_id)}: {c['answered']} answered, {c['missed']} missed, "
            f"{c['sent']} open, {c['upcoming'] + c['due']} to come ({state})"
        )
    emit(
        {"diary": record.to_dict(), "participants": [p.to_dict() for p in people]},
        as_json=as_json,
        text="\n".join(lines),
    )
