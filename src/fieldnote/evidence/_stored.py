"""The evidence computations over what the research repository stores.

The CLI, the JSON API and the pages all call these (each layer only parses and
renders): a theme book's notes become journey-map notes, personas and theme
evidence; a stored opportunity is scored from its linked theme, segment and behaviour
check and the score is kept; a release proposes its validation study.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from fieldnote.analytics import DateRange, EventSource, parse_date, parse_duration
from fieldnote.analytics.funnels import Funnel, FunnelResult, FunnelStep, compute_funnel
from fieldnote.analytics.segments import SegmentDefinition, members, segment_from_dict
from fieldnote.evidence._journey import JourneyMap, JourneyNote, furthest_steps, journey_map
from fieldnote.evidence._metrics import PersonMetric, person_metric
from fieldnote.evidence._opportunity import score_opportunity, theme_evidence
from fieldnote.evidence._personas import (
    Persona,
    PersonaNote,
    build_personas,
    participant_attributes,
)
from fieldnote.evidence._reach import ThemeReach, theme_reach
from fieldnote.evidence._themes import ThemeBehaviour, theme_behaviour
from fieldnote.repository import (
    BookNote,
    QuestionRecord,
    ReleaseStore,
    Repository,
    ResearchStore,
    SavedSegments,
    SearchStore,
    SegmentError,
    StudyRecord,
    ThemeBook,
    ThemeBookError,
)
from fieldnote.repository._opportunities import (
    OpportunityError,
    OpportunityRecord,
    OpportunityStore,
)

__all__ = [
    "BookContents",
    "Validation",
    "book_contents",
    "book_names",
    "journey_for_book",
    "journey_for_result",
    "personas_for_book",
    "propose_validation",
    "reach_for_theme",
    "score_stored",
    "segment_participants",
    "themes_behaviour",
]


@dataclass(frozen=True)
class BookContents:
    notes: tuple[BookNote, ...]
    labels: dict[str, str]


def book_contents(repository: Repository, project: str, book: str) -> BookContents:
    tb = ThemeBook(repository, project, book)
    return BookContents(tuple(tb.notes()), {t.id: t.label for t in tb.themes()})


def book_names(repository: Repository, project: str) -> list[str]:
    """The project's theme books, newest first (for pickers)."""
    from sqlalchemy import select

    from fieldnote.repository._monitors import project_id
    from fieldnote.repository._themebook import ThemeBookRow

    with repository.session() as session:
        pid = project_id(session, project, ThemeBookError)
        return list(
            session.scalars(
                select(ThemeBookRow.name)
                .where(ThemeBookRow.project_id == pid)
                .order_by(ThemeBookRow.created_at.desc(), ThemeBookRow.id.desc())
            )
        )


def _journey_notes(notes: Sequence[BookNote]) -> list[JourneyNote]:
    from fieldnote.synthesis._sentiment import sentiments

    scores: list[float] = sentiments([n.text for n in notes]).tolist() if notes else []
    return [
        JourneyNote(
            id=n.id,
            text=n.text,
            participant=n.participant,
            source=n.source,
            theme=n.theme,
            tags=n.tags,
            sentiment=float(s),
        )
        for n, s in zip(notes, scores, strict=True)
    ]


def journey_for_book(source: EventSource, contents: BookContents, funnel: Funnel) -> JourneyMap:
    """The funnel's journey map with the book's notes placed on its steps."""
    return journey_for_result(source, contents, funnel, compute_funnel(source, funnel))


def journey_for_result(
    source: EventSource, contents: BookContents, funnel: Funnel, result: FunnelResult
) -> JourneyMap:
    """The same for a funnel already computed (the funnel page's own result)."""
    people = {n.participant for n in contents.notes if n.participant}
    furthest = furthest_steps(source, funnel, people)
    return journey_map(result, _journey_notes(contents.notes), contents.labels, furthest)


def personas_for_book(
    source: EventSource,
    contents: BookContents,
    by: str,
    keys: Sequence[str] = (),
    dates: DateRange | None = None,
) -> list[Persona]:
    notes = [
        PersonaNote(id=n.id, text=n.text, participant=n.participant, theme=n.theme)
        for n in contents.notes
        if n.participant
    ]
    people = {n.participant for n in notes}
    attrs = participant_attributes(source, people, [by, *[k for k in keys if k != by]], dates)
    return build_personas(by, attrs, notes, contents.labels)


def _segment(repository: Repository, project: str, name: str) -> SegmentDefinition:
    """A saved *funnel-position* segment (the kind that places people on steps)."""
    found = segment_from_dict(SavedSegments(repository).get(project, name).definition)
    if not isinstance(found, SegmentDefinition):
        raise SegmentError(f"segment {name!r} is not a funnel-position segment")
    return found


def themes_behaviour(
    source: EventSource,
    repository: Repository,
    project: str,
    book: str,
    metric: PersonMetric,
    dates: DateRange,
    *,
    test: str = "mann-whitney",
) -> dict[str, ThemeBehaviour]:
    """Theme id → its participants vs the others and everyone else, for every theme."""
    contents = book_contents(repository, project, book)
    people = {n.participant for n in contents.notes if n.participant}
    out = {}
    for theme, label in contents.labels.items():
        mine = {n.participant for n in contents.notes if n.theme == theme and n.participant}
        out[theme] = theme_behaviour(source, metric, dates, label, mine, people, test=test)
    return out


def segment_participants(
    source: EventSource, repository: Repository, project: str, segment: str
) -> frozenset[str]:
    """The indexed participants who are in the saved ``segment`` now (their furthest
    funnel step meets its condition): the search page's segment filter."""
    from fieldnote.analytics.trends._common import latest_event

    definition = _segment(repository, project, segment)
    people = SearchStore(repository).participants(project)
    dates = definition.dates(latest_event(source) if definition.last else None)
    furthest = furthest_steps(source, replace(definition.funnel, dates=dates), people)
    return frozenset(
        p
        for p, level in furthest.items()
        if (level == definition.step if definition.dropped else level >= definition.step)
    )


def reach_for_theme(
    source: EventSource,
    repository: Repository,
    project: str,
    book: str,
    theme: str,
    dates: DateRange,
    *,
    steps: Sequence[str] = (),
    segment: str | None = None,
    attributes: Sequence[str] = (),
) -> ThemeReach:
    """The theme's proxy segment on the funnel ``steps`` (or the saved ``segment``)
    and how many users it reaches in ``dates``."""
    contents = book_contents(repository, project, book)
    if theme not in contents.labels:
        raise ValueError(f"theme book {book!r} has no theme {theme!r}")
    people = {n.participant for n in contents.notes if n.theme == theme and n.participant}
    chosen = _segment(repository, project, segment) if segment else None
    funnel = None
    if chosen is None:
        if len(steps) < 2:
            raise ValueError("give the funnel's steps (at least two) or a saved segment")
        funnel = Funnel(steps=tuple(FunnelStep.parse(s) for s in steps))
    return theme_reach(
        source,
        contents.labels[theme],
        dates,
        funnel=funnel,
        theme_people=people,
        chosen=chosen,
        attributes=attributes,
    )


def score_stored(
    source: EventSource, repository: Repository, project: str, name: str
) -> OpportunityRecord:
    """Compute the opportunity's RICE from its links now, keep and return it."""
    store = OpportunityStore(repository)
    record = store.get(project, name)
    if record.book is None or record.theme is None:
        raise OpportunityError(f"opportunity {name!r} has no theme: Impact needs one")
    if record.segment is None:
        raise OpportunityError(f"opportunity {name!r} has no segment: Reach needs one")
    try:
        spec = segment_from_dict(SavedSegments(repository).get(project, record.segment).definition)
    except SegmentError as exc:
        raise OpportunityError(str(exc)) from None
    reach = members(source, spec, limit=1)
    contents = book_contents(repository, project, record.book)
    triples = [(n.participant, n.text, n.theme) for n in contents.notes]
    evidence = theme_evidence(
        record.theme, contents.labels.get(record.theme, record.theme), triples
    )
    validation = None
    check = record.validation
    if check.get("metric"):
        dates = DateRange(parse_date(check["from"]), parse_date(check["to"], end=True))
        metric = person_metric(str(check["metric"]), {"event": check.get("event")})
        people = {n.participant for n in contents.notes if n.participant}
        mine = {n.participant for n in contents.notes if n.participant and n.theme == record.theme}
        validation = theme_behaviour(
            source, metric, dates, evidence.label, mine, people
        ).vs_participants
    opportunity = score_opportunity(
        record.name,
        segment=record.segment,
        reach=reach,
        evidence=evidence,
        validation=validation,
        effort=record.effort,
        effort_by=record.effort_by or "the team",
    )
    components: dict[str, Any] = opportunity.to_dict()
    return store.save_score(project, name, opportunity.score, components)


@dataclass(frozen=True)
class Validation:
    question: QuestionRecord
    study: StudyRecord
    segment: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question.to_dict(),
            "study": self.study.to_dict(),
            "segment": self.segment,
        }


def propose_validation(
    repository: Repository, project: str, release: str, *, created_by: str | None = None
) -> Validation:
    """A Question and a proposed Study with the users the release targeted: those who
    reached the first affected step in the window after it shipped. The segment is
    saved (``release NAME: exposed``) so recruiting re-runs it; calling again returns
    the same open question and study."""
    from fieldnote.research import SegmentPlan, StudyPlan

    record = ReleaseStore(repository).get(project, release)
    if record.metric == "activation":
        steps = [str(record.options["start"]), str(record.options["target"])]
        within = parse_duration(str(record.options.get("within", "7d")))
    else:
        steps = [str(s) for s in record.options.get("steps", [])]
        within = parse_duration(str(record.options.get("window", "14d")))
    if len(steps) < 2:
        raise ValueError(f"release {release!r} names no affected steps to target")
    window = parse_duration(record.window)
    dates = DateRange(record.released_at, record.released_at + window)
    definition = SegmentDefinition(
        funnel=Funnel(steps=tuple(FunnelStep.parse(s) for s in steps), window=within, dates=dates),
        step=1,
    )
    name = f"release {record.name}: exposed"[:100]
    segments = SavedSegments(repository)
    try:
        segments.get(project, name)
    except SegmentError:
        segments.create(project, name, definition.to_dict(), created_by=created_by)
    goal = (
        f"Validate release {record.name}: did it fix {' → '.join(steps)} for the users "
        f"exposed to it after {record.released_at.date().isoformat()}?"
    )
    plan = StudyPlan(
        goal=goal,
        segments=(
            SegmentPlan(name=name, description=definition.describe(), definition=definition),
        ),
        deadline=timedelta(days=14),
    )
    research = ResearchStore(repository)
    question, _ = research.open_or_update(
        project,
        anomaly_key=f"release:{record.name}:validation",
        text=goal,
        evidence={"release": record.to_dict(), "kind": "validation"},
    )
    study = research.propose_study(
        project, question.id, plan=plan.to_dict(), quota=plan.quota, deadline=plan.deadline
    )
    return Validation(question=research.get(project, question.id), study=study, segment=name)
