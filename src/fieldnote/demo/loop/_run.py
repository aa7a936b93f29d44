"""``fieldnote demo``'s whole loop on the planted problem, stage by stage.

monitor fires → Question → Study → invitations to the plan's segments → AI-moderated
interviews with simulated participants → themes → the top theme's funnel step and
behavioural effect → a hypothesis and its status → RICE-ranked opportunities → the fix
release recorded and judged. ``LoopResult.to_dict`` is what ``fieldnote demo --json``
prints under ``loop``: each value read back from what the stage computed or stored.

Running it again on the same home reuses what exists (the open Question, its Study,
the guide, the release) and adds no second invitation to anyone (contact policy).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fieldnote.analytics import DateRange, EventSource
from fieldnote.analytics.funnels import Funnel, FunnelStep
from fieldnote.analytics.segments import SegmentDefinition
from fieldnote.demo._scenario import Scenario
from fieldnote.demo.loop._evidence import (
    Effect,
    StepLink,
    confirms,
    hypothesis_status,
    link_step,
    opportunities,
    reach_at_scale,
    theme_effect,
    verdict_for,
)
from fieldnote.demo.loop._interviews import Conversation, interview_invited
from fieldnote.demo.loop._recruit import invite_study, study_members
from fieldnote.evidence import Comparison, Opportunity, theme_participants
from fieldnote.evidence._rice import Component
from fieldnote.monitors import run_demo_monitor
from fieldnote.monitors._demo import AS_OF
from fieldnote.repository import (
    HypothesisStore,
    InterviewStore,
    ReleaseError,
    ReleaseStore,
    Repository,
    ResearchStore,
    ThemeBook,
    ThemeBookError,
)
from fieldnote.repository._opportunities import OpportunityError, OpportunityStore
from fieldnote.synthesis import notes_from_interviews, synthesize

__all__ = ["BOOK", "LoopResult", "run_demo_loop"]

ACTOR = "demo"
BOOK = "demo"
EXPLAIN_BY = ("platform", "channel")
OFFER = {
    "title": "Help us fix connecting integrations",
    "why": "You tried to connect an integration on your phone recently.",
    "minutes": 15,
    "incentive": "USD 25 gift card",
}


@dataclass
class LoopResult:
    """What each stage found (plain data, ready for JSON)."""

    signal: dict[str, Any] | None = None
    question: dict[str, Any] | None = None
    study: dict[str, Any] | None = None
    invitations: dict[str, Any] | None = None
    interviews: dict[str, Any] | None = None
    top_theme: dict[str, Any] | None = None
    hypothesis: dict[str, Any] | None = None
    top_opportunity: dict[str, Any] | None = None
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    release_verdict: dict[str, Any] | None = None
    stopped: str | None = None
    """Why the loop stopped early (None: it ran to the end)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "signal": self.signal,
            "question": self.question,
            "study": self.study,
            "invitations": self.invitations,
            "interviews": self.interviews,
            "top_theme": self.top_theme,
            "hypothesis": self.hypothesis,
            "top_opportunity": self.top_opportunity,
            "opportunities": self.opportunities,
            "release_verdict": self.release_verdict,
            "stopped": self.stopped,
        }


def _interviews_summary(talks: list[Conversation], quota: int) -> dict[str, Any]:
    done = [c for c in talks if c.interview is not None]
    answers = [
        sum(u.role.value == "participant" for u in c.interview.utterances)
        for c in done
        if c.interview is not None
    ]
    return {
        "asked": len(talks),
        "declined": sum(not c.accepted for c in talks),
        "completed": len(done),
        "quota": quota,
        "answers": sum(answers),
        "ids": [c.interview.id for c in done if c.interview is not None],
    }


def run_demo_loop(repository: Repository, source: EventSource, scenario: Scenario) -> LoopResult:
    """Run every stage on the stored demo of ``scenario.config.project``."""
    project = scenario.config.project
    out = LoopResult()
    outcome = run_demo_monitor(repository, source, scenario)
    as_of = scenario.release.at + AS_OF
    if outcome.question is None:
        out.stopped = f"the monitor did not fire: {outcome.evaluation.reason}"
        return out
    question = outcome.question
    signal = outcome.signal
    if signal is None:  # a re-run: the Signal was recorded the first time
        from fieldnote.repository import MonitorStore

        found = MonitorStore(repository).signals(project, monitor=outcome.monitor, limit=1)
        signal = found[0] if found else None
    out.signal = (
        {"id": signal.id, "reason": signal.reason, "since": str(signal.since)} if signal else None
    )
    out.question = {"id": question.id, "text": question.text, "status": question.status}
    if not question.studies:
        out.stopped = "the question has no study plan"
        return out
    study = question.studies[0]
    if study.status == "proposed":
        study = ResearchStore(repository).start_study(project, study.id)
    out.study = {
        "id": study.id,
        "status": study.status,
        "quota": {"min": study.quota_min, "max": study.quota_max},
        "segments": [s["name"] for s in study.plan["segments"]],
    }

    # -- recruit: the plan's segments as of the monitor run -----------------------------
    members = study_members(source, study, as_of)
    invited = invite_study(repository, project, study, members, offer=OFFER)
    furthest = {i.invitation.distinct_id: i.furthest_step for i in invited}
    out.invitations = {
        "segments": {name: m.size for name, m in members.items()},
        "sent": len(invited),
        "to": [
            {
                "distinct_id": i.invitation.distinct_id,
                "segment": i.segment,
                "furthest_step": i.furthest_step,
            }
            for i in invited
        ],
    }
    if not invited:
        out.stopped = "nobody could be invited (all contacted before: run with --force)"
        return out

    # -- interviews, then themes ----------------------------------------------------------
    talks = interview_invited(
        repository,
        source,
        scenario,
        project,
        question.text,
        invited,
        quota=study.quota_max,
        seed=scenario.config.seed,
    )
    out.interviews = _interviews_summary(talks, study.quota_max)
    # Themes from every interview of the study (a re-run adds to the earlier ones),
    # keeping the theme book's ids, names and a researcher's pins across runs.
    interviews = InterviewStore(repository)
    ids = [iv.id for iv in interviews.list(project) if iv.study == str(study.id)]
    stored = [interviews.get(project, i) for i in ids]
    if not stored:
        out.stopped = "no interview was completed"
        return out
    out.interviews["study_total"] = len(stored)
    book = ThemeBook(repository, project, BOOK)
    try:
        prior, pins = book.prior(), book.pins()
    except ThemeBookError:  # the first run
        prior, pins = [], {}
    synthesis = synthesize(notes_from_interviews(stored), prior=prior, pins=pins)
    book.save_run(synthesis)
    if not synthesis.themes:
        out.stopped = "synthesis found no theme"
        return out
    people = theme_participants(synthesis)
    participants = sorted({n.participant for n in synthesis.notes if n.participant})
    funnel = SegmentDefinition.from_dict(study.plan["segments"][0]["definition"]).funnel
    dates = DateRange(as_of - timedelta(days=14), as_of)
    full = Funnel(steps=tuple(FunnelStep.parse(e) for e in scenario.funnel), window=funnel.window)
    validations: dict[str, Comparison | None] = {}
    effects: dict[str, Effect] = {}
    links: dict[str, StepLink | None] = {}
    reaches: dict[str, Component] = {}
    for theme in synthesis.themes[:5]:
        who = sorted(people[theme.id])
        links[theme.id] = step = link_step(who, furthest, funnel)
        if not who:
            continue
        # no reach when none of its people entered the funnel in the range
        with contextlib.suppress(ValueError):
            reaches[theme.id], _ = reach_at_scale(source, theme, who, full, dates)
        if step is None:
            validations[theme.id] = None
            continue
        effect = theme_effect(source, theme, who, participants, step, dates)
        effects[theme.id] = effect
        validations[theme.id] = effect.vs_reached_step
    top = synthesis.themes[0]
    step = links.get(top.id)
    top_effect = effects.get(top.id)
    out.top_theme = {
        "id": top.id,
        "label": top.label,
        "kind": top.kind,
        "participants": top.participants,
        "of": len(participants),
        "intensity": top.intensity,
        "quotes": [q.text for q in top.quotes[:3]],
        "funnel_step": step.to_dict() if step else None,
        "behavioural_effect": top_effect.to_dict() if top_effect else None,
    }

    # -- hypothesis ------------------------------------------------------------------------
    if step is not None and top_effect is not None:
        out.hypothesis = _hypothesis(
            repository,
            project,
            question.id,
            top.label,
            step,
            top.participants,
            len(participants),
            top_effect.vs_reached_step,
        )

    # -- opportunities -------------------------------------------------------------------
    ranked = opportunities(synthesis, reaches, validations)
    theme_of = {f"Fix: {t.label}": t.id for t in synthesis.themes}
    _store_opportunities(repository, project, question.id, ranked, theme_of)
    out.opportunities = [o.to_dict() for o in ranked]
    out.top_opportunity = out.opportunities[0] if out.opportunities else None

    # -- the fix release and its verdict -------------------------------------------------
    out.release_verdict = _release(repository, source, scenario, funnel)
    return out


def _store_opportunities(
    repository: Repository,
    project: str,
    question_id: int,
    ranked: list[Opportunity],
    theme_of: dict[str, str],
) -> None:
    """Keep the ranked items in the backlog (``OpportunityStore``), linked to the theme
    book and the Question, with the scores just computed, so the opportunities page
    shows them; an item already there gets the new score."""
    store = OpportunityStore(repository)
    for o in ranked:
        try:
            store.get(project, o.name)
        except OpportunityError:
            store.create(
                project,
                o.name,
                effort=o.effort.value,
                description="Proposed by the demo loop from the study's themes.",
                book=BOOK,
                theme=theme_of.get(o.name),
                question_id=question_id,
                created_by=ACTOR,
            )
        store.save_score(project, o.name, o.score, o.to_dict())


def _hypothesis(
    repository: Repository,
    project: str,
    question_id: int,
    label: str,
    step: StepLink,
    citing: int,
    participants: int,
    effect: Comparison,
) -> dict[str, Any]:
    store = HypothesisStore(repository)
    text = f"{label!r} (what participants told us) explains the drop at {step.label()}"
    existing = [h for h in store.list(project, question_id=question_id) if h.text == text]
    record = existing[0] if existing else store.add(project, question_id, text, actor=ACTOR)
    status, reason = hypothesis_status(citing, participants, effect)
    if not existing:
        store.link(
            project,
            record.id,
            kind="theme",
            ref=f"{BOOK}:{label}"[:200],
            excerpt=f"{citing} of {participants} participants",
            actor=ACTOR,
        )
        store.link(
            project,
            record.id,
            kind="metric",
            ref=effect.metric[:200],
            stance="supports" if confirms(effect) else "context",
            excerpt=reason[:500],
            actor=ACTOR,
        )
    # The Question stays open: marking it diagnosed is the team's call, and a re-run of
    # the demo then updates the same Question instead of opening another.
    record = store.set_status(project, record.id, status, actor=ACTOR, reason=reason)
    return {"id": record.id, "text": record.text, "status": record.status, "reason": reason}


def _release(
    repository: Repository, source: EventSource, scenario: Scenario, funnel: Any
) -> dict[str, Any] | None:
    fix = scenario.fix
    if fix is None:
        return None
    planted = scenario.planted
    window = min(timedelta(days=14), scenario.config.end_at - fix.at)
    days = max(1, window.days)
    store = ReleaseStore(repository)
    project = scenario.config.project
    try:
        release = store.get(project, fix.version)
    except ReleaseError:
        release = store.create(
            project,
            fix.version,
            released_at=fix.at,
            description=fix.title,
            metric="conversion",
            options={"steps": [planted.step_from, planted.step_to], "window": "7d"},
            dimensions=EXPLAIN_BY,
            window=f"{days}d",
            created_by=ACTOR,
        )
    verdict = verdict_for(
        source,
        release.released_at,
        release.options["steps"],
        release.dimensions,
        timedelta(days=days),
        str(release.options["window"]),
    )
    full = verdict.to_dict()
    return {
        "release": release.name,
        "title": fix.title,
        "released_at": release.released_at.isoformat(),
        "verdict": full["verdict"],
        "reason": full["reason"],
        "notes": full["notes"],
        "before": full.get("before"),
        "after": full.get("after"),
        "by_platform": _segments(full, "event.platform"),
    }


def _segments(full: dict[str, Any], dimension: str) -> list[dict[str, Any]]:
    for dim in full.get("dimensions", []):
        if dim.get("dimension") == dimension:
            return [
                {k: s.get(k) for k in ("value", "rate_before", "rate_after", "significant")}
                for s in dim.get("segments", [])
            ]
    return []
