"""The intercept widget's server side, and intercept rules / consent over HTTP.

The widget's endpoints (``/intercept/v1/...``) take the project's public write key,
like capture, so they must be safe to expose: a caller names one ``distinct_id`` and
hears only about that person's own pending invitation, never anyone else's (an
invitation id of another person is "unknown", exactly like a made-up one). Requests
come cross-origin from the product's pages, so answers carry
``Access-Control-Allow-Origin: *`` and the widget posts ``text/plain`` JSON (a simple
request: no preflight). Rules, consent texts, invitations and withdrawals are research
work behind the usual guards (docs/api.md, "Intercepts").
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.responses import Response

from fieldnote.repository import Permission
from fieldnote.repository._consent import ConsentStore
from fieldnote.repository._invitations import InvitationError
from fieldnote.research import ConsentError, ConsentText, InterceptRule, RuleError
from fieldnote.web._auth import state
from fieldnote.web._guards import Access, Guard
from fieldnote.web._intercept_service import InterceptService
from fieldnote.web._jsmin import minify

__all__ = ["router", "start_intercepts"]

router = APIRouter(tags=["intercepts"])

CanRead = Annotated[Access, Depends(Guard(Permission.READ_PERSONAL_DATA))]
CanWrite = Annotated[Access, Depends(Guard(Permission.WRITE_RESEARCH))]
_CORS = {"Access-Control-Allow-Origin": "*", "Vary": "Origin"}
_WIDGET_ACTIONS = ("seen", "accept", "consent", "complete", "decline", "dismiss")


def start_intercepts(app_state: Any) -> InterceptService:
    """Start matching: called from the app's lifespan with its ``AppState``."""
    service = InterceptService(app_state.fieldnote.repository, separate_process=True)
    app_state.writer.add_commit_listener(service.on_commit)
    return service


def _service(request: Request) -> InterceptService:
    found: InterceptService = request.app.state.intercepts
    return found


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json", headers=_CORS)


def _widget_project(request: Request, key: object) -> str:
    if not isinstance(key, str) or not key:
        raise HTTPException(401, "token: the project's write key is required", headers=_CORS)
    info = state(request).keys.project_for_write_key(key)
    if info is None:
        raise HTTPException(401, "token: unknown write key", headers=_CORS)
    return info.name


def _person(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise HTTPException(422, "distinct_id: expected a non-empty id (≤ 200 characters)")
    return value


@cache
def _widget_source() -> bytes:
    """The widget as served: minified once per process (comments and whitespace out,
    nothing renamed; tests/web/test_jsmin.py holds it under the 15 KB budget)."""
    return minify((files("fieldnote.web") / "static" / "intercept.js").read_text()).encode()


@router.get("/intercept.js", include_in_schema=False)
async def intercept_js() -> Response:
    """The embeddable widget (no dependencies; docs/research.md)."""
    headers = {"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"}
    return Response(_widget_source(), media_type="text/javascript; charset=utf-8", headers=headers)


@router.get("/intercept/v1/pending")
async def pending(
    request: Request,
    token: Annotated[str, Query(max_length=200)] = "",
    distinct_id: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """This person's pending invitation (or null), with the consent text to show."""
    project = _widget_project(request, token)
    person = _person(distinct_id)
    if not _service(request).may_be_pending(project, person):
        return _json({"invitation": None})
    repo = state(request).fieldnote.repository

    def look() -> dict[str, Any] | None:
        found = _service(request).store.pending(project, person)
        if found is None:
            return None
        consent = ConsentStore(repo).current(project, study_id=found.study_id)
        return {
            "id": found.id,
            "survey_id": found.survey_id,
            "status": found.status,
            "offer": found.offer,
            "consent": consent.to_dict() if consent else None,
        }

    return _json({"invitation": await run_in_threadpool(look)})


@router.options("/intercept/v1/{path:path}", include_in_schema=False)
async def preflight(path: str) -> Response:
    headers = {
        **_CORS,
        "Access-Control-Allow-Methods": "GET, POST",
        "Access-Control-Max-Age": "600",
    }
    headers["Access-Control-Allow-Headers"] = "Content-Type"
    return Response(status_code=204, headers=headers)


@router.post("/intercept/v1/respond")
async def respond(request: Request) -> Response:
    """The widget reports what the person did: ``seen``, ``accept``, ``consent`` (with
    ``consent_text_id`` and ``parts``), ``complete`` (with ``answers``), ``decline``,
    ``dismiss``. Body: JSON (sent as text/plain)."""
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise HTTPException(400, f"body: not JSON ({exc})", headers=_CORS) from exc
    if not isinstance(body, dict):
        raise HTTPException(400, "body: expected a JSON object", headers=_CORS)
    project = _widget_project(request, body.get("token"))
    person = _person(body.get("distinct_id"))
    action = body.get("action")
    if action not in _WIDGET_ACTIONS:
        raise HTTPException(422, f"action: one of {', '.join(_WIDGET_ACTIONS)}", headers=_CORS)
    inv_id = body.get("invitation_id")
    if not isinstance(inv_id, int) or isinstance(inv_id, bool):
        raise HTTPException(422, "invitation_id: expected an integer", headers=_CORS)
    answers = body.get("answers")
    if action == "complete" and (
        not isinstance(answers, list)
        or not 1 <= len(answers) <= 2
        or not all(isinstance(a, str) and 0 < len(a) <= 5000 for a in answers)
    ):
        raise HTTPException(422, "answers: one or two non-empty texts", headers=_CORS)
    store = _service(request).store

    def apply() -> dict[str, Any]:
        if action == "consent":
            parts = body.get("parts")
            text_id = body.get("consent_text_id")
            if not isinstance(parts, dict) or not isinstance(text_id, int):
                raise ConsentError("consent_text_id and parts: required to consent")
            mine, record = store.consent(project, inv_id, person, text_id=text_id, parts=parts)
            return {"status": mine.status, "consent_version": record.version}
        done = store.act(project, inv_id, person, action, answers=answers)
        return {"status": done.status}

    try:
        result = await run_in_threadpool(apply)
    except InvitationError as exc:
        raise HTTPException(404 if "no invitation" in str(exc) else 409, str(exc), _CORS) from exc
    except ConsentError as exc:
        raise HTTPException(422, str(exc), headers=_CORS) from exc
    return _json(result)


# -- research API (signed in) ------------------------------------------------------------


class RuleIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    definition: dict[str, Any]


class ConsentIn(BaseModel):
    study_id: int | None = None
    recording: str
    data_use: str
    contact: str


@router.post("/api/projects/{project}/intercepts", status_code=201)
async def create_rule(request: Request, access: CanWrite, body: RuleIn) -> dict[str, Any]:
    try:
        rule = InterceptRule.from_dict(body.definition)
        made = await run_in_threadpool(
            _service(request).store.create_rule, access.project_name, body.name, rule.to_dict()
        )
    except (RuleError, InvitationError) as exc:
        raise HTTPException(422, str(exc)) from exc
    await run_in_threadpool(_service(request).reload)
    return made.to_dict()


@router.get("/api/projects/{project}/intercepts")
async def list_rules(request: Request, access: CanWrite) -> dict[str, Any]:
    found = await run_in_threadpool(_service(request).store.rules, access.project_name)
    return {"rules": [r.to_dict() for r in found]}


@router.get("/api/projects/{project}/invitations")
async def list_invitations(
    request: Request, access: CanRead, status: str | None = None
) -> dict[str, Any]:
    store = _service(request).store
    found = await run_in_threadpool(lambda: store.list(access.project_name, status=status))
    funnel = await run_in_threadpool(store.funnel, access.project_name)
    return {"invitations": [i.to_dict() for i in found], "funnel": funnel}


@router.post("/api/projects/{project}/consent-texts", status_code=201)
async def publish_consent(request: Request, access: CanWrite, body: ConsentIn) -> dict[str, Any]:
    repo = state(request).fieldnote.repository
    try:
        text = ConsentText.from_dict(body.model_dump())
        made = await run_in_threadpool(
            lambda: ConsentStore(repo).publish(access.project_name, text, study_id=body.study_id)
        )
    except ConsentError as exc:
        raise HTTPException(422, str(exc)) from exc
    return made.to_dict()


@router.get("/api/projects/{project}/participants/{distinct_id}/consent")
async def consent_records(request: Request, access: CanRead, distinct_id: str) -> dict[str, Any]:
    repo = state(request).fieldnote.repository
    found = await run_in_threadpool(ConsentStore(repo).records, access.project_name, distinct_id)
    return {"records": [r.to_dict() for r in found]}


@router.post("/api/projects/{project}/participants/{distinct_id}/withdraw")
async def withdraw(request: Request, access: CanWrite, distinct_id: str) -> dict[str, Any]:
    """Withdraw consent for this person: nothing more from then on."""
    repo = state(request).fieldnote.repository
    made = await run_in_threadpool(ConsentStore(repo).withdraw, access.project_name, distinct_id)
    return made.to_dict()
