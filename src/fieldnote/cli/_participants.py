"""``fieldnote intercepts`` (rules, invitations) and ``fieldnote participants`` (consent).

Rules, invitations and consent live in the research repository, read and written
directly (like monitors): a running server re-reads the rules within seconds, so a
rule made here starts matching without a restart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer

from fieldnote.cli._analytics import JsonOpt, ProjectOpt
from fieldnote.cli._context import emit, fail, get_state, refusing
from fieldnote.repository import DEFAULT_PROJECT, ProjectError, Repository
from fieldnote.repository._consent import ConsentStore
from fieldnote.repository._invitations import InvitationError, InvitationStore
from fieldnote.research import ConsentError, ConsentText, InterceptRule, RuleError

__all__ = ["intercepts_app", "participants_app"]

intercepts_app = typer.Typer(
    help="Intercept rules: event patterns that invite a person.", no_args_is_help=True
)
participants_app = typer.Typer(help="Research participants: consent.", no_args_is_help=True)


def _repository(ctx: typer.Context, project: str, as_json: bool) -> Repository:
    fn = get_state(ctx).fieldnote
    with refusing(ProjectError, as_json=as_json):
        fn.projects.require(project)
    return fn.repository


def _json_file(path: Path, as_json: bool) -> dict[str, object]:
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        fail(f"{path}: cannot read ({exc.strerror})", as_json=as_json)
    except orjson.JSONDecodeError as exc:
        fail(f"{path}: not JSON ({exc})", as_json=as_json)
    if not isinstance(data, dict):
        fail(f"{path}: expected a JSON object", as_json=as_json)
    return data


@intercepts_app.command("create")
def create(
    ctx: typer.Context,
    name: str,
    definition: Annotated[Path, typer.Option(help="The rule as JSON (docs/research.md).")],
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Create an intercept rule from a JSON file."""
    data = _json_file(definition, as_json)
    try:
        rule = InterceptRule.from_dict(data)
        made = InvitationStore(_repository(ctx, project, as_json)).create_rule(
            project, name, rule.to_dict()
        )
    except (RuleError, InvitationError) as exc:
        fail(f"{definition}: {exc}", as_json=as_json)
    emit(made.to_dict(), as_json=as_json, text=f"rule {made.name} created (id {made.id})")


@intercepts_app.command("list")
def list_rules(
    ctx: typer.Context, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """The project's enabled intercept rules."""
    found = InvitationStore(_repository(ctx, project, as_json)).rules(project)
    text = "\n".join(f"{r.id}\t{r.name}\t{r.definition['event']}" for r in found) or "no rules"
    emit({"rules": [r.to_dict() for r in found]}, as_json=as_json, text=text)


@intercepts_app.command("invitations")
def invitations(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Invitations (with answers) and the research funnel."""
    store = InvitationStore(_repository(ctx, project, as_json))
    found = store.list(project, status=status)
    funnel = store.funnel(project)
    lines = [f"{i.id}\t{i.distinct_id}\t{i.status}\t{i.survey_id}" for i in found]
    lines.append(" → ".join(f"{k} {v}" for k, v in funnel.items()))
    emit(
        {"invitations": [i.to_dict() for i in found], "funnel": funnel},
        as_json=as_json,
        text="\n".join(lines),
    )


@participants_app.command("consent-text")
def consent_text(
    ctx: typer.Context,
    text: Annotated[Path, typer.Argument(help="JSON: recording, data_use, contact.")],
    study: Annotated[int | None, typer.Option(help="The study's id (else project-wide).")] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Publish a new version of a consent text."""
    data = _json_file(text, as_json)
    try:
        made = ConsentStore(_repository(ctx, project, as_json)).publish(
            project, ConsentText.from_dict(data), study_id=study
        )
    except ConsentError as exc:
        fail(f"{text}: {exc}", as_json=as_json)
    emit(made.to_dict(), as_json=as_json, text=f"consent text version {made.version}")


@participants_app.command("consent")
def consent(
    ctx: typer.Context,
    distinct_id: str,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """A person's consent records (with the text version each was given for)."""
    found = ConsentStore(_repository(ctx, project, as_json)).records(project, distinct_id)
    text = "\n".join(f"{r.at:%Y-%m-%d %H:%M}\t{r.action}\tv{r.version}" for r in found)
    emit({"records": [r.to_dict() for r in found]}, as_json=as_json, text=text or "no records")


@participants_app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    distinct_id: str,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Withdraw a person's consent: no invitation, widget or contact from now on."""
    made = ConsentStore(_repository(ctx, project, as_json)).withdraw(project, distinct_id)
    emit(made.to_dict(), as_json=as_json, text=f"{distinct_id}: consent withdrawn")
