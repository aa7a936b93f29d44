"""Participant pages for email and link invitations, and the study's research funnel.

* ``/r/{token}``: a personal invitation link. The token is the only credential, so an
  unknown one is a plain 404 page, and no page names the person, the study's question
  or anyone else: only the offer they were sent. Expired, declined, used and closed
  links each get a page that says so (410 where the link no longer works). Consent
  starts the interview and redirects to its chat page (``/i/{token}``), which opens on
  the first question; reopening the link later continues the same interview.
* ``/s/{token}``: a study's shareable link. Anyone who has it may start as a new
  participant, within a per-link and per-address hourly limit (429 beyond), until a
  researcher closes it.
* ``/projects/{project}/studies/{id}/funnel`` (page) and ``/api/...`` (JSON): the
  research funnel, per channel, with Wilson intervals, for any member of the project.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from fieldnote.interviews.guides import GuideError
from fieldnote.repository._delivery import DeliveryError
from fieldnote.research import ConsentError
from fieldnote.research._research_funnel import ResearchFunnel
from fieldnote.research.delivery import (
    DeliveryService,
    LinkState,
    SlidingLimit,
    chat_token,
    config_from_settings,
    shown_invitations,
)
from fieldnote.web._auth import state
from fieldnote.web._project_access import CanView, PageViewer, ProjectAccess
from fieldnote.web.pages._funnel_view import step_views
from fieldnote.web.pages._projects import visible_projects
from fieldnote.web.pages._render import page, render

__all__ = ["router"]

router = APIRouter(tags=["delivery"])

#: state → (status code, title, message) of the page a personal link shows.
_LINK_PAGES: dict[LinkState, tuple[int, str, str]] = {
    LinkState.EXPIRED: (
        410,
        "This invitation has expired",
        "Personal invitation links work for a limited time, and this one has run out. "
        "Nothing was recorded. If you would still like to take part, reply to the email "
        "you received.",
    ),
    LinkState.USED: (
        200,
        "Thank you",
        "This interview is complete; the link cannot be used again.",
    ),
    LinkState.DECLINED: (
        200,
        "No problem",
        "You said no to this invitation. We will not ask you about it again.",
    ),
    LinkState.CLOSED: (410, "This invitation is closed", "This invitation is no longer open."),
    LinkState.UNKNOWN: (
        404,
        "This link is not valid",
        "Check that you opened the whole link from your email.",
    ),
}


def _service(request: Request) -> DeliveryService:
    fn = state(request).fieldnote
    return DeliveryService(fn.repository, config_from_settings(fn.settings))


def _message(request: Request, link: LinkState) -> Response:
    status, title, message = _LINK_PAGES[link]
    return render(
        request,
        "participant.html",
        {"title": title, "message": message, "offer": None},
        status=status,
    )


def _offer_page(
    request: Request,
    *,
    offer: dict[str, Any],
    consent: Any,
    action: str,
    decline: bool,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "title": offer["title"],
        "message": None,
        "offer": offer,
        "consent": consent,
        "action": action,
        "can_decline": decline,
        "error": error,
    }
    return render(request, "participant.html", context, status=status)


def _parts(form: Any) -> dict[str, bool]:
    return {k: form.get(k) == "yes" for k in ("data_use", "recording", "contact")}


def _text_id(form: Any) -> int | None:
    raw = form.get("consent_text_id")
    return int(raw) if isinstance(raw, str) and raw.isdigit() else None


@router.get("/r/{token}", include_in_schema=False)
async def invitation_page(request: Request, token: str) -> Response:
    found = await run_in_threadpool(_service(request).page, token)
    if found.state is LinkState.RESUME:
        return RedirectResponse(f"/i/{chat_token(token)}", status_code=303)
    if found.state is not LinkState.OFFER or found.view is None:
        return _message(request, found.state)
    return _offer_page(
        request,
        offer=found.view.invitation.offer,
        consent=found.consent,
        action=f"/r/{token}",
        decline=True,
    )


@router.post("/r/{token}", include_in_schema=False)
async def invitation_answer(request: Request, token: str) -> Response:
    svc = _service(request)
    found = await run_in_threadpool(svc.page, token, open_it=False)
    if found.state is LinkState.RESUME:
        return RedirectResponse(f"/i/{chat_token(token)}", status_code=303)
    if found.state is not LinkState.OFFER or found.view is None:
        return _message(request, found.state)  # unknown: 404 before reading any body
    form = await request.form()
    if form.get("action") == "decline":
        await run_in_threadpool(svc.decline, token)
        return _message(request, LinkState.DECLINED)
    parts, text_id = _parts(form), _text_id(form)
    if not parts["data_use"] or text_id is None:
        return _offer_page(
            request,
            offer=found.view.invitation.offer,
            consent=found.consent,
            action=f"/r/{token}",
            decline=True,
            error="To take part, please agree to the use of your answers.",
            status=422,
        )
    try:
        chat = await run_in_threadpool(
            lambda: svc.consent(token, consent_text_id=text_id, parts=parts)
        )
    except (ConsentError, DeliveryError, GuideError) as exc:
        return _offer_page(
            request,
            offer=found.view.invitation.offer,
            consent=found.consent,
            action=f"/r/{token}",
            decline=True,
            error=str(exc),
            status=409,
        )
    return RedirectResponse(f"/i/{chat}", status_code=303)


def _limits(request: Request) -> tuple[SlidingLimit, SlidingLimit]:
    app_state = request.app.state
    found: tuple[SlidingLimit, SlidingLimit] | None = getattr(app_state, "share_limits", None)
    if found is None:
        settings = state(request).fieldnote.settings
        found = (
            SlidingLimit(settings.share_link_per_hour),
            SlidingLimit(settings.share_link_per_ip_per_hour),
        )
        app_state.share_limits = found
    return found


@router.get("/s/{token}", include_in_schema=False)
async def share_page(request: Request, token: str) -> Response:
    svc = _service(request)
    found = await run_in_threadpool(lambda: svc.share(token, view=True))
    if found is None:
        return _message(request, LinkState.UNKNOWN)
    if not found.open:
        return render(
            request,
            "participant.html",
            {
                "title": "This study is closed",
                "message": "This study is not taking new "
                "participants any more. Thank you for your interest.",
                "offer": None,
            },
            status=410,
        )
    consent = await run_in_threadpool(
        lambda: svc.consent_text(found.setup.project, found.setup.study_id)
    )
    return _offer_page(
        request, offer=found.setup.offer, consent=consent, action=f"/s/{token}", decline=False
    )


@router.post("/s/{token}", include_in_schema=False)
async def share_join(request: Request, token: str) -> Response:
    svc = _service(request)
    found = await run_in_threadpool(svc.share, token)
    if found is None:
        return _message(request, LinkState.UNKNOWN)
    if not found.open:
        return await share_page(request, token)
    per_link, per_ip = _limits(request)
    ip = request.client.host if request.client else ""
    wait = max(per_link.retry_after(token), per_ip.retry_after(ip))
    if wait:
        return render(
            request,
            "participant.html",
            {
                "title": "Please try again later",
                "message": "Many people started this study "
                f"in the last hour. Please try again in {max(1, wait // 60)} minutes.",
                "offer": None,
            },
            status=429,
        )
    form = await request.form()
    parts, text_id = _parts(form), _text_id(form)
    consent = await run_in_threadpool(
        lambda: svc.consent_text(found.setup.project, found.setup.study_id)
    )
    if not parts["data_use"] or text_id is None:
        return _offer_page(
            request,
            offer=found.setup.offer,
            consent=consent,
            action=f"/s/{token}",
            decline=False,
            error="To take part, please agree to the use of your answers.",
            status=422,
        )
    per_link.take(token)
    per_ip.take(ip)

    def start() -> str:
        personal = svc.join(token)
        return svc.consent(personal, consent_text_id=text_id, parts=parts)

    try:
        chat = await run_in_threadpool(start)
    except (ConsentError, DeliveryError, GuideError) as exc:
        return _offer_page(
            request,
            offer=found.setup.offer,
            consent=consent,
            action=f"/s/{token}",
            decline=False,
            error=str(exc),
            status=409,
        )
    return RedirectResponse(f"/i/{chat}", status_code=303)


# -- the research funnel (staff) ----------------------------------------------------------


def _funnel(request: Request, project: str, study_id: int) -> ResearchFunnel:
    store = state(request).store
    shown: set[int] = set()
    if store is not None:
        with store.reader() as cursor:
            shown = shown_invitations(cursor, project, study_id)
    return _service(request).funnel(project, study_id, shown=shown)


async def _computed(ctx: ProjectAccess, study_id: int) -> ResearchFunnel:
    """An unknown study is a JSON 404, on the page too (as it always was)."""
    try:
        return await ctx.run(lambda: _funnel(ctx.request, ctx.project, study_id))
    except DeliveryError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/api/projects/{project}/studies/{study_id}/funnel")
async def funnel_api(ctx: CanView, study_id: int) -> dict[str, Any]:
    """invited → seen → accepted → consented → completed, per channel (docs/api.md)."""
    return (await _computed(ctx, study_id)).to_dict()


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


@router.get("/projects/{project}/studies/{study_id}/funnel", include_in_schema=False)
async def funnel_page(ctx: PageViewer, study_id: int) -> Response:
    found = await _computed(ctx, study_id)
    sections: list[tuple[str, list[Any]]] = [("all channels", step_views(found.total.steps))]
    sections += [(c, step_views(f.steps)) for c, f in found.channels.items()]
    ci = found.completion_ci
    projects = await visible_projects(ctx.request, ctx.principal)
    return page(
        ctx.request,
        "study_funnel.html",
        ctx.principal,
        projects=projects,
        project=ctx.project,
        active="monitors",
        study_id=study_id,
        funnel=found,
        sections=sections,
        completion=_pct(found.completion_rate),
        completion_ci=f"{ci.low * 100:.1f} to {ci.high * 100:.1f} %" if ci else "",
    )
