"""Simulated participants answering the AI-moderated interview, as the chat page does.

Each invited person decides (seeded) whether to accept; one who accepts consents
(``InvitationStore.consent`` with the study's consent text), then talks to the
rule-based moderator through the functions the chat page's API calls
(``repository._chat_flow``: ``chat_consent``, then ``chat_answer`` per turn, each a
compare-and-set on the stored session), so the transcript is stored on the last answer
under the id derived from the link's token, exactly as a real participant's.

What a participant says comes from the demo interview generator
(``fieldnote.interviews.demo``); whether they talk about the admin problem is not
chosen here but read from their own events: a person whose events show the planted
failure remembers it. The analysis side never sees that flag, only the transcript.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from fieldnote.analytics import EventSource
from fieldnote.analytics._relations import events_from
from fieldnote.analytics.trends._common import fetch, params_for
from fieldnote.demo._scenario import Scenario
from fieldnote.demo.loop._recruit import Invited
from fieldnote.interviews import Interview
from fieldnote.interviews.demo import ADMIN
from fieldnote.interviews.demo._generate import _participant_reply
from fieldnote.interviews.demo._people import make_persona
from fieldnote.interviews.guides import Guide, GuideError, draft_guide
from fieldnote.interviews.moderation import Moderator, SessionState, get_moderator
from fieldnote.interviews.transcripts import interview_id
from fieldnote.repository import ChatSessions, GuideStore, InterviewStore, Repository
from fieldnote.repository._chat_flow import chat_answer, chat_consent
from fieldnote.repository._consent import ConsentStore
from fieldnote.repository._invitations import InvitationStore
from fieldnote.research import ConsentText

__all__ = ["GUIDE_NAME", "Conversation", "interview_invited"]

GUIDE_NAME = "Integration drop (mobile)"
ACCEPT_SHARE = 0.7
CONSENT = ConsentText(
    recording="Your typed answers are stored; nothing is recorded from your microphone.",
    data_use="The product team reads them for research only; names are masked.",
    contact="We may write once to thank you; nothing else.",
)


@dataclass(frozen=True)
class Conversation:
    invited: Invited
    accepted: bool
    interview: Interview | None
    remembered_failure: bool


def _guide(repository: Repository, project: str, question: str, step: str) -> Guide:
    store = GuideStore(repository)
    try:
        return store.get(project, GUIDE_NAME)
    except GuideError:
        draft = draft_guide(
            GUIDE_NAME,
            question=question,
            step=step,
            segment="dropped at the integration step on mobile, last 14 days",
            minutes=25,
        )
        return store.save(project, draft, created_by="demo")


def _failed_ids(source: EventSource, scenario: Scenario, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` hit the planted failure (what each participant experienced)."""
    if not ids:
        return set()
    params = params_for(source)
    planted = scenario.planted
    rel = events_from(params, source.tables, names=[planted.failure_event])
    listed = ", ".join(params.add(i) for i in sorted(set(ids)))
    reason = params.add(planted.failure_reason)
    sql = (
        f"SELECT DISTINCT e.distinct_id AS d {rel.from_where} AND e.distinct_id IN ({listed}) "
        f"AND json_extract_string(e.properties, '$.reason') = {reason}"
    )
    return {str(d) for d in fetch(source, sql, params)["d"]}


def _talk(
    repository: Repository,
    project: str,
    guide: Guide,
    person: str,
    study_id: int,
    rng: random.Random,
    *,
    admin_problem: bool,
) -> Interview:
    """One interview through the chat flow the chat page uses (``chat_consent``, then
    ``chat_answer`` per turn), timed like a person typing."""
    moderator = get_moderator("rule-based", None)
    state = SessionState(guide=guide, moderator=moderator.name)
    token = ChatSessions(repository).create(project, state.to_dict(), participant=person)
    persona = make_persona(rng, admin_problem=admin_problem)
    queue = ([ADMIN] if admin_problem else []) + list(persona.topics)

    def moderator_for(_name: str) -> Moderator:
        return moderator

    t = 0.0
    view = chat_consent(repository, token, True, moderator_for, t)
    while not view.state.done:
        question = view.state.turns[-1].text
        reply, pause = _participant_reply(question, persona, queue, rng)
        t += len(question.split()) / 2.6 + pause + len(reply.split()) / 2.4
        view = chat_answer(
            repository, token, reply, view.answers, moderator_for, t, study=str(study_id)
        )
    return InterviewStore(repository).get(project, interview_id(token.encode(), project=project))


def interview_invited(
    repository: Repository,
    source: EventSource,
    scenario: Scenario,
    project: str,
    question: str,
    invited: Sequence[Invited],
    *,
    quota: int,
    seed: int,
) -> list[Conversation]:
    """Walk each invitation: seen → accepted (or declined) → consented → interviewed →
    completed, until ``quota`` interviews are done (the rest stay seen)."""
    guide = _guide(repository, project, question, scenario.planted.step_from)
    invitations = InvitationStore(repository)
    consent = ConsentStore(repository)
    failed = _failed_ids(source, scenario, [i for inv in invited for i in inv.distinct_ids])
    out: list[Conversation] = []
    done = 0
    for inv in invited:
        rec = inv.invitation
        person = rec.distinct_id
        rng = random.Random(f"{seed}:{person}")
        if done >= quota:
            break
        invitations.act(project, rec.id, person, "seen")
        accepted = rng.random() < ACCEPT_SHARE
        remembered = bool(failed & set(inv.distinct_ids))
        if not accepted:
            invitations.act(project, rec.id, person, "decline")
            out.append(Conversation(inv, False, None, remembered))
            continue
        text = consent.current(project, study_id=rec.study_id) or consent.publish(
            project, CONSENT, study_id=rec.study_id
        )
        invitations.act(project, rec.id, person, "accept")
        invitations.consent(
            project, rec.id, person, text_id=text.id, parts=dict.fromkeys(CONSENT.to_dict(), True)
        )
        assert rec.study_id is not None
        interview = _talk(
            repository, project, guide, person, rec.study_id, rng, admin_problem=remembered
        )
        invitations.act(project, rec.id, person, "complete")
        done += 1
        out.append(Conversation(inv, True, interview, remembered))
    return out
