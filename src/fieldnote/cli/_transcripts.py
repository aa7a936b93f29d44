"""``fieldnote transcripts``: bring recorded interviews into the research repository.

Import parses every file first (a bad file becomes an error entry naming file, line and
reason; the others still import), then stores all parsed interviews in one transaction.
The exit status is 1 when any file failed, so scripts notice, but the JSON still lists
what was imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from fieldnote.cli._context import emit, err_console, fail, get_state, refusing
from fieldnote.interviews import Interview
from fieldnote.interviews.demo import demo_interviews, write_demo_files
from fieldnote.interviews.moderation import SessionState, consistency_report
from fieldnote.interviews.redaction import redact_interview
from fieldnote.interviews.transcripts import (
    AsrError,
    FasterWhisperTranscriber,
    ImportOutcome,
    TranscriptError,
    read_rttm,
    read_transcripts,
    transcribe_file,
)
from fieldnote.repository import (
    DEFAULT_PROJECT,
    ChatSessionError,
    ChatSessions,
    InterviewError,
    InterviewStore,
)

__all__ = ["app"]

app = typer.Typer(help="Interview transcripts: import, list, show.", no_args_is_help=True)

ProjectOpt = Annotated[str, typer.Option("--project", help="Project name.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _store(ctx: typer.Context) -> InterviewStore:
    fieldnote = get_state(ctx).fieldnote
    _ = fieldnote.projects  # a new home gets its default project
    return InterviewStore(fieldnote.repository)


def _parse_all(
    paths: list[Path],
    *,
    project: str,
    study: str | None,
    participant: str | None,
    interviewers: list[str],
    show_progress: bool,
) -> ImportOutcome:
    with Progress(
        TextColumn("reading transcripts"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        disable=not show_progress,
        transient=True,
    ) as progress:
        task = progress.add_task("read", total=len(paths))
        return read_transcripts(
            paths,
            project=project,
            study=study,
            participant=participant,
            interviewers=interviewers,
            on_file=lambda _path: progress.advance(task),
        )


def _transcribe_all(
    paths: list[Path],
    model: Path,
    *,
    language: str | None,
    diarisation: Path | None,
    project: str,
    study: str | None,
    participant: str | None,
    interviewers: list[str],
    as_json: bool,
) -> ImportOutcome:
    """Recordings → interviews through faster-whisper; a bad file is one error entry."""
    with refusing(AsrError, as_json=as_json):
        transcriber = FasterWhisperTranscriber(model, language=language)
    spans = None
    if diarisation is not None:
        if len(paths) != 1:
            fail(
                "--diarisation describes one recording: give exactly one audio file",
                as_json=as_json,
            )
        try:
            spans = read_rttm(diarisation.read_text(), source=str(diarisation))
        except OSError as exc:
            fail(f"{diarisation}: cannot read ({exc.strerror})", as_json=as_json)
        except TranscriptError as exc:
            fail(str(exc), as_json=as_json)
    outcome = ImportOutcome()
    for path in paths:
        try:
            outcome.interviews.append(
                transcribe_file(
                    transcriber,
                    path,
                    project=project,
                    study=study,
                    participant=participant,
                    interviewers=interviewers,
                    diarisation=spans,
                )
            )
        except AsrError as exc:  # the package or the model: every file would fail
            fail(str(exc), as_json=as_json)
        except TranscriptError as exc:
            outcome.errors.append(exc)
    return outcome


@app.command("import")
def import_(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help="Transcript files (vtt, srt, txt, docx, json).")
    ],
    study: Annotated[
        str | None, typer.Option("--study", help="Study id the interviews belong to.")
    ] = None,
    participant: Annotated[
        str | None,
        typer.Option("--participant", help="The participant's name as in the transcript."),
    ] = None,
    interviewer: Annotated[
        list[str] | None, typer.Option("--interviewer", help="An interviewer's name (repeat).")
    ] = None,
    asr_model: Annotated[
        Path | None,
        typer.Option(
            "--asr-model",
            help="Local faster-whisper (CTranslate2) model folder: PATHs are audio files.",
        ),
    ] = None,
    language: Annotated[
        str | None, typer.Option("--language", help="Spoken language for --asr-model (e.g. en).")
    ] = None,
    diarisation: Annotated[
        Path | None,
        typer.Option("--diarisation", help="RTTM file saying who speaks when (one audio file)."),
    ] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Import Zoom/Teams/Meet WebVTT, SRT, Otter TXT, DOCX, ``Name: text`` or JSON
    transcripts; speakers are mapped to interviewer / participant. With
    ``--asr-model`` the files are recordings, transcribed locally (never downloads)."""
    store = _store(ctx)
    with refusing(InterviewError, as_json=as_json):
        store.check_study(project, study)
    if asr_model is not None:
        outcome = _transcribe_all(
            paths,
            asr_model,
            language=language,
            diarisation=diarisation,
            project=project,
            study=study,
            participant=participant,
            interviewers=interviewer or [],
            as_json=as_json,
        )
    elif diarisation is not None or language is not None:
        fail("--diarisation and --language go with --asr-model (audio files)", as_json=as_json)
    else:
        outcome = _parse_all(
            paths,
            project=project,
            study=study,
            participant=participant,
            interviewers=interviewer or [],
            show_progress=not as_json and len(paths) > 20,
        )
    with refusing(InterviewError, as_json=as_json):
        saved = store.save_many(project, outcome.interviews)
    data = {
        "interviews": [{**s.interview.summary(), "created": s.created} for s in saved],
        "errors": [e.to_dict() for e in outcome.errors],
    }
    lines = [
        f"{'imported' if s.created else 'already there'}  {s.interview.id}  "
        f"{escape(s.interview.source)}  ({len(s.interview.utterances)} utterances, "
        f"{len(s.interview.participant_utterances)} by the participant)"
        for s in saved
    ]
    lines += [f"[red]error[/]  {escape(str(e))}" for e in outcome.errors]
    emit(data, as_json=as_json, text="\n".join(lines) or "nothing to import")
    if outcome.errors:
        raise typer.Exit(1)


@app.command("list")
def list_(
    ctx: typer.Context, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """The project's interviews (summaries)."""
    with refusing(InterviewError, as_json=as_json):
        interviews = _store(ctx).list(project)
    rows = [{**i.summary(), "utterances": None} for i in interviews]
    emit(
        {"interviews": rows},
        as_json=as_json,
        text="\n".join(f"{i.id}  {i.format:6}  {escape(i.source)}" for i in interviews)
        or "no interviews",
    )


def _transcript_text(interview: Interview) -> str:
    out = []
    for u in interview.utterances:
        stamp = f"{int(u.start // 60)}:{u.start % 60:04.1f} " if u.start is not None else ""
        marks = f"  [dim]({', '.join(m.kind.value for m in u.marks)})[/]" if u.marks else ""
        out.append(f"{stamp}[bold]{escape(u.speaker)}[/] ({u.role.value}): {escape(u.text)}{marks}")
    return "\n".join(out)


@app.command("show")
def show(
    ctx: typer.Context,
    interview_id: Annotated[str, typer.Argument(help="Interview id (from import or list).")],
    raw: Annotated[
        bool, typer.Option("--raw", help="The researcher's raw view: no redaction.")
    ] = False,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """One interview's transcript, personal data masked unless ``--raw``."""
    with refusing(InterviewError, as_json=as_json):
        interview = _store(ctx).get(project, interview_id)
    if not raw:
        interview = redact_interview(interview)
    emit(interview.to_dict(), as_json=as_json, text=_transcript_text(interview))


@app.command("demo")
def demo(
    folder: Annotated[Path, typer.Argument(help="Folder to write the transcript files to.")],
    n: Annotated[int, typer.Option("--n", help="How many interviews.")] = 24,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files).")] = 7,
    as_json: JsonOpt = False,
) -> None:
    """Write demo interviews with Pulseboard mobile users, in every supported format
    (import them with ``fieldnote transcripts import FOLDER/*``)."""
    if not 1 <= n <= 10_000:
        fail("--n must be 1 to 10000", as_json=as_json)
    try:
        paths = write_demo_files(folder, demo_interviews(n, seed=seed))
    except OSError as exc:
        fail(f"{folder}: cannot write ({exc.strerror})", as_json=as_json)
    emit(
        {"files": [str(p) for p in paths]},
        as_json=as_json,
        text=f"wrote {len(paths)} transcripts to {folder}",
    )


@app.command("report")
def report(
    ctx: typer.Context,
    guide: Annotated[
        str | None, typer.Option("--guide", help="Only sessions of this guide.")
    ] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Consistency across the project's completed AI-moderated interviews: questions
    asked, probes used, mean minutes per section."""
    fieldnote = get_state(ctx).fieldnote
    _ = fieldnote.projects
    with refusing(ChatSessionError, as_json=as_json):
        raw = ChatSessions(fieldnote.repository).states(project)
    states = [SessionState.from_dict(r) for r in raw]
    if guide is not None:
        states = [s for s in states if s.guide.name == guide]
    result = consistency_report(states).to_dict()
    lines = [f"{result['interviews']} completed interview(s)"]
    lines += [f"  asked in {n}: {escape(q)}" for q, n in result["questions_asked"].items()]
    lines += [f"  probe {reason}: {n}" for reason, n in result["probes"].items()]
    lines += [f"  {key}: {m} min" for key, m in result["section_minutes"].items()]
    emit(result, as_json=as_json, text="\n".join(lines))
