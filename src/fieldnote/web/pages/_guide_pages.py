"""The guide editor: list a project's interview guides, create one from a template or
draft it from a research question, edit sections (title, time budget %), questions
and probes with every question linted live, save a new version, download Markdown.

Linting is an HTMX round trip to the same ``lint_question`` the CLI and the moderator
use, so the editor never disagrees with them; "use rewrite" swaps the question's block
for one holding the rewrite (no page script). Reading needs ``project.view``; every
write needs ``research.write`` (and the session's CSRF token, checked by the guard).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from fieldnote.interviews.guides import (
    TEMPLATES,
    Guide,
    GuideError,
    GuideQuestion,
    Section,
    draft_guide,
    new_guide,
    to_markdown,
)
from fieldnote.interviews.linting import lint_question
from fieldnote.repository import GuideStore
from fieldnote.web._auth import state
from fieldnote.web._guards import PageForbiddenError
from fieldnote.web._project_access import PageViewer, PageWriter, ProjectAccess
from fieldnote.web.pages._projects import project_page
from fieldnote.web.pages._render import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

MAX_FIELD = 2000


def _store(request: Request) -> GuideStore:
    return GuideStore(state(request).fieldnote.repository)


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip()[:MAX_FIELD] if isinstance(value, str) else ""


async def _list_page(ctx: ProjectAccess, *, error: str = "", status: int = 200) -> Response:
    guides = await run_in_threadpool(_store(ctx.request).list, ctx.project)
    return await project_page(
        ctx,
        "guides.html",
        status=status,
        active="guides",
        guides=guides,
        templates=list(TEMPLATES),
        error=error,
    )


@router.get("/projects/{project}/guides")
async def guides_page(ctx: PageViewer) -> Response:
    return await _list_page(ctx)


def _guide_url(project: str, name: str) -> str:
    return f"/projects/{quote(project)}/guides/{quote(name, safe='')}"


@router.post("/projects/{project}/guides")
async def create_guide(ctx: PageWriter) -> Response:
    """A new guide from a template, or drafted from a research question (``question``)."""
    request = ctx.request
    form = await request.form()
    name = _field(form, "name")
    try:
        if not name:
            raise GuideError("name: give the guide a name")
        minutes = int(_field(form, "minutes") or "30")
        template = _field(form, "template") or "discovery"
        if _field(form, "question"):
            guide = draft_guide(
                name,
                question=_field(form, "question"),
                step=_field(form, "step") or "the step",
                segment=_field(form, "segment"),
                template=template,
                minutes=minutes,
            )
        else:
            guide = new_guide(name, template=template, minutes=minutes)
        store = _store(request)
        if await run_in_threadpool(_exists, store, ctx.project, name):
            raise GuideError(f"a guide named {name!r} exists: open it to make a new version")
        await run_in_threadpool(store.save, ctx.project, guide, created_by=ctx.actor)
    except ValueError as exc:  # GuideError, an unknown template, minutes not a number
        return await _list_page(ctx, error=str(exc), status=422)
    return RedirectResponse(_guide_url(ctx.project, name), status_code=303)


def _exists(store: GuideStore, project: str, name: str) -> bool:
    return any(g.guide.name == name for g in store.list(project))


def _question_block(field: str, text: str, *, solutions_allowed: bool) -> dict[str, Any]:
    return {
        "field": field,
        "text": text,
        "lint": lint_question(text, solutions_allowed=solutions_allowed) if text else None,
        "solutions": solutions_allowed,
    }


def _sections(guide: Guide) -> list[dict[str, Any]]:
    """What the editor shows per section: its fields and one block per question (plus
    an empty one to add a question)."""
    out = []
    for i, s in enumerate(guide.sections):
        questions = [*s.questions, GuideQuestion(text="")]
        out.append(
            {
                "index": i,
                "section": s,
                "percent": round(s.share * 100, 2),
                "questions": [
                    {
                        **_question_block(
                            f"s{i}_q{j}", q.text, solutions_allowed=s.solutions_allowed
                        ),
                        "probes": "\n".join(q.probes),
                    }
                    for j, q in enumerate(questions)
                ],
            }
        )
    return out


async def _editor(
    ctx: ProjectAccess, guide: Guide, *, error: str = "", status: int = 200
) -> Response:
    request, project = ctx.request, ctx.project
    versions = await run_in_threadpool(_store(request).versions, project, guide.name)
    return await project_page(
        ctx,
        "guide_editor.html",
        status=status,
        active="guides",
        guide=guide,
        sections=_sections(guide),
        versions=versions,
        url=_guide_url(project, guide.name),
        error=error,
        saved=request.query_params.get("saved", ""),
    )


async def _get(request: Request, project: str, name: str, version: int | None = None) -> Guide:
    try:
        return await run_in_threadpool(_store(request).get, project, name, version)
    except GuideError as exc:
        raise PageForbiddenError(404, str(exc)) from None


@router.get("/projects/{project}/guides/{name}")
async def guide_page(ctx: PageViewer, name: str) -> Response:
    request = ctx.request
    raw = request.query_params.get("version", "")
    version = int(raw) if raw.isdigit() else None
    return await _editor(ctx, await _get(request, ctx.project, name, version))


@router.get("/projects/{project}/guides/{name}/export.md")
async def export_markdown(ctx: PageViewer, name: str) -> Response:
    request = ctx.request
    guide = await _get(request, ctx.project, name)
    filename = "".join(c if c.isalnum() or c in "-_" else "-" for c in name) or "guide"
    return PlainTextResponse(
        to_markdown(guide),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}-v{guide.version}.md"'},
    )


def guide_from_form(base: Guide, form: FormData) -> Guide:
    """The edited guide: the stored version's section keys and rules, with the form's
    titles, budgets (percent), questions and probes. Errors name the field."""
    sections = []
    for i, s in enumerate(base.sections):
        raw = _field(form, f"s{i}_share")
        try:
            share = float(raw) / 100
        except ValueError:
            raise GuideError(
                f"section {i + 1} ({s.title}): time budget {raw!r} is not a number"
            ) from None
        questions = []
        j = 0
        while f"s{i}_q{j}" in form:
            text = _field(form, f"s{i}_q{j}")
            probes = tuple(
                p.strip() for p in _field(form, f"s{i}_q{j}_probes").splitlines() if p.strip()
            )
            if text:
                questions.append(GuideQuestion(text=text, probes=probes))
            j += 1
        title = _field(form, f"s{i}_title") or s.title
        sections.append(
            Section(
                key=s.key,
                title=title,
                share=share,
                questions=tuple(questions),
                solutions_allowed=s.solutions_allowed,
            )
        )
    minutes_raw = _field(form, "minutes")
    if not minutes_raw.isdigit():
        raise GuideError(f"planned length {minutes_raw!r}: whole minutes, 5 to 240")
    return Guide(
        name=base.name,
        template=base.template,
        planned_minutes=int(minutes_raw),
        sections=tuple(sections),
        goal=_field(form, "goal"),
        meta=dict(base.meta),
    )


@router.post("/projects/{project}/guides/{name}")
async def save_guide(ctx: PageWriter, name: str) -> Response:
    """Save the edited guide as the next version (the stored ones are never changed)."""
    request = ctx.request
    base = await _get(request, ctx.project, name)
    form = await request.form()
    try:
        edited = guide_from_form(base, form)
    except GuideError as exc:
        return await _editor(ctx, base, error=str(exc), status=422)
    saved = await run_in_threadpool(_store(request).save, ctx.project, edited, created_by=ctx.actor)
    url = f"{_guide_url(ctx.project, name)}?saved={saved.version}"
    return RedirectResponse(url, status_code=303)


@router.post("/projects/{project}/guides/{name}/lint")
async def lint_fragment(ctx: PageViewer, name: str) -> Response:
    """One question's block (or only its findings), linted. ``field`` names the form
    field; ``use`` (the "use rewrite" button) replaces the text with the rewrite."""
    request = ctx.request
    form = await request.form()
    field = _field(form, "field")
    if not field.startswith("s") or "_q" not in field:
        return PlainTextResponse("field: expected a question field like s0_q1", status_code=422)
    text = _field(form, "use") or _field(form, field)
    solutions = _field(form, "solutions") == "1"
    block = _question_block(field, text, solutions_allowed=solutions)
    block["probes"] = _field(form, f"{field}_probes")
    template = "_guide_question.html" if _field(form, "use") else "_guide_lint.html"
    return render(request, template, {"q": block, "url": _guide_url(ctx.project, name)})
