"""The panel as researchers see it: each participant with their usage tier (from the
events), kind (user / customer / both) and consent — and a study's recruitment.

These join the two stores: the repository (who, consent, invitations) and a DuckDB
event-store cursor (what they did). The cursor is optional: without events everyone
is ``potential`` and behaviour criteria count zero, which the output says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from fieldnote.analytics import store_source
from fieldnote.analytics.segments import members, segment_from_dict
from fieldnote.repository._consent import ConsentRecordRow
from fieldnote.repository._contact_history import contact_histories
from fieldnote.repository._db import Repository
from fieldnote.repository._monitors import project_id
from fieldnote.repository._panel import (
    PanelError,
    ParticipantRecord,
    ParticipantStore,
    PersonContact,
)
from fieldnote.repository._personas import PersonaStore
from fieldnote.research import (
    Candidate,
    ContactPolicy,
    Recruitment,
    Standing,
    decide,
    event_counts,
    kind_of,
    recruit,
    usage_tiers,
)

__all__ = [
    "ParticipantView",
    "StudyRecruitment",
    "identified_persons",
    "panel",
    "persona_members",
    "recruit_study",
]


#: Most members read from one target segment (a study talks to a handful of people).
SEGMENT_LIMIT = 100_000


@dataclass(frozen=True, kw_only=True)
class ParticipantView:
    participant: ParticipantRecord
    tier: str
    kind: str
    days_active_14: int
    last_seen: date | None
    consent: str  # granted | withdrawn | none
    contact_consent: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.participant.to_dict(),
            "tier": self.tier,
            "kind": self.kind,
            "days_active_14": self.days_active_14,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "consent": self.consent,
            "contact_consent": self.contact_consent,
        }


def identified_persons(cursor: Any, project: str) -> list[PersonContact]:
    """Persons whose properties carry an email: the product's identified users. Their
    distinct_id is the one on their latest event."""
    rows = cursor.execute(
        """
        WITH known AS (
            SELECT p.person_id,
                   coalesce(json_extract_string(p.properties, '$.email'),
                            json_extract_string(p.properties, '$."$email"')) AS email,
                   coalesce(json_extract_string(p.properties, '$.name'),
                            json_extract_string(p.properties, '$."$name"')) AS name
            FROM persons p WHERE p.project = ?
        )
        SELECT arg_max(d.distinct_id, e.timestamp), lower(k.email), any_value(k.name)
        FROM known k
        JOIN person_distinct_ids d ON d.person_id = k.person_id AND d.project = ?
        JOIN events e ON e.project = ? AND e.distinct_id = d.distinct_id
        WHERE k.email IS NOT NULL AND k.email LIKE '%@%'
        GROUP BY k.person_id, lower(k.email)
        ORDER BY 2
        """,
        [project, project, project],
    ).fetchall()
    return [PersonContact(distinct_id=str(d), email=e, name=n) for d, e, n in rows if d]


def _consents(repo: Repository, project: str) -> dict[str, tuple[str, bool]]:
    """person key → (latest action, consented to contact and not withdrawn)."""
    out: dict[str, tuple[str, bool]] = {}
    with repo.session() as session:
        pid = project_id(session, project, PanelError)
        for r in session.scalars(
            select(ConsentRecordRow)
            .where(ConsentRecordRow.project_id == pid)
            .order_by(ConsentRecordRow.at, ConsentRecordRow.id)
        ):
            contact = r.action == "granted" and r.contact
            prev = out.get(r.distinct_id, ("none", False))
            out[r.distinct_id] = (
                r.action,
                False if r.action == "withdrawn" else prev[1] or contact,
            )
    return out


def panel(repo: Repository, project: str, cursor: Any | None, today: date) -> list[ParticipantView]:
    people = ParticipantStore(repo).list(project)
    ids = [p.distinct_id for p in people if p.distinct_id]
    tiers = {a.distinct_id: a for a in usage_tiers(cursor, project, ids, today)} if cursor else {}
    consents = _consents(repo, project)
    out = []
    for p in people:
        act = tiers.get(p.distinct_id or "")
        action, contact = consents.get(p.person_key, ("none", False))
        out.append(
            ParticipantView(
                participant=p,
                tier=act.tier if act else "potential",
                kind=kind_of(
                    has_events=act is not None and act.last_seen is not None, customer=p.customer
                ),
                days_active_14=act.days_last_14 if act else 0,
                last_seen=act.last_seen if act else None,
                consent=action,
                contact_consent=contact,
            )
        )
    return out


@dataclass(frozen=True, kw_only=True)
class StudyRecruitment:
    study_id: int
    recruitment: Recruitment
    people: dict[int, ParticipantView]
    events_read: bool
    segment_applied: bool

    def to_dict(self) -> dict[str, Any]:
        data = self.recruitment.to_dict()
        for c in data["candidates"]:
            v = self.people[c["participant_id"]]
            c.update(
                email=v.participant.email,
                name=v.participant.name,
                tier=v.tier,
                kind=v.kind,
            )
        return {
            "study_id": self.study_id,
            "events_read": self.events_read,
            "segment_applied": self.segment_applied,
            **data,
        }


def by_person(
    counts: dict[tuple[str, str, int], int],
) -> dict[str, dict[tuple[str, int], int]]:
    """(distinct_id, event, days) → n, regrouped per person for ``candidate_of``."""
    out: dict[str, dict[tuple[str, int], int]] = {}
    for (who, event, days), n in counts.items():
        out.setdefault(who, {})[(event, days)] = n
    return out


def candidate_of(view: ParticipantView, counts: dict[str, dict[tuple[str, int], int]]) -> Candidate:
    p = view.participant
    attributes: dict[str, Any] = {
        "role": p.role,
        "company": p.company,
        "company_size": p.company_size,
        "email": p.email,
        "name": p.name,
        "tier": view.tier,
        "kind": view.kind,
        **{f"custom.{k}": v for k, v in p.custom.items()},
    }
    key = p.distinct_id or ""
    return Candidate(
        participant_id=p.id,
        attributes=attributes,
        event_counts=counts.get(key, {}),
    )


def persona_members(
    repo: Repository, project: str, name: str, cursor: Any | None, today: date
) -> tuple[list[ParticipantView], dict[int, list[str]]]:
    """Everyone in the panel who matches the persona; misses for the others."""
    persona = PersonaStore(repo).get(project, name)
    views = panel(repo, project, cursor, today)
    counts = by_person(_counts(cursor, project, views, persona.criteria.windows(), today))
    members, misses = [], {}
    for v in views:
        m = persona.criteria.misses(candidate_of(v, counts))
        if m:
            misses[v.participant.id] = m
        else:
            members.append(v)
    return members, misses


def _counts(
    cursor: Any | None,
    project: str,
    views: list[ParticipantView],
    windows: set[tuple[str, int]],
    today: date,
) -> dict[tuple[str, str, int], int]:
    if cursor is None or not windows:
        return {}
    ids = [v.participant.distinct_id for v in views if v.participant.distinct_id]
    return event_counts(cursor, project, ids, windows, today)


def segment_people(cursor: Any | None, project: str, plan: dict[str, Any]) -> set[str] | None:
    """Distinct ids of the study plan's target segments, evaluated now (None: the plan
    names no segment, or there are no events to evaluate it on)."""
    segments = [s for s in plan.get("segments") or [] if isinstance(s, dict)]
    if cursor is None or not segments:
        return None
    source = store_source(cursor, project)
    people: set[str] = set()
    for seg in segments:
        found = members(source, segment_from_dict(seg["definition"]), limit=SEGMENT_LIMIT)
        for m in found.members:
            people.update(m.distinct_ids)
    return people


def recruit_study(
    repo: Repository,
    project: str,
    study_id: int,
    cursor: Any | None,
    *,
    now: datetime | None = None,
    policy: ContactPolicy | None = None,
) -> StudyRecruitment:
    """Screen, exclude (contact-fatigue policy), rank and fill the study's quotas."""
    now = now or datetime.now(UTC)
    personas = PersonaStore(repo)
    study = personas.study(project, study_id)
    found = {p.name: p.criteria for p in personas.list(project)}
    windows = set(study.screener.criteria.windows())
    for c in found.values():
        windows |= c.windows()
    views = panel(repo, project, cursor, now.date())
    counts = by_person(_counts(cursor, project, views, windows, now.date()))
    pool = segment_people(cursor, project, study.plan) if study.screener.from_segment else None
    policy = policy or ContactPolicy()
    standings: dict[int, Standing] = {}
    with repo.session() as session:
        pid = project_id(session, project, PanelError)
        keys = [v.participant.person_key for v in views]
        histories = contact_histories(session, pid, keys, now=now, study_id=study_id)
    for v in views:
        hist = histories[v.participant.person_key]
        decision = decide(hist, policy, now=now)
        outside = pool is not None and v.participant.distinct_id not in pool
        why, code = (decision.reason, decision.code) if not decision.invite else (None, None)
        if outside:
            why, code = "not in the study's target segment now", "segment"
        standings[v.participant.id] = Standing(
            excluded=why,
            excluded_code=code,
            interviewed_before=hist.last_interviewed_at is not None,
            contact_consent=v.contact_consent,
            days_active_14=v.days_active_14,
        )
    result = recruit(
        [candidate_of(v, counts) for v in views],
        standings,
        study.screener,
        found,
        default_target=study.quota_max,
    )
    return StudyRecruitment(
        study_id=study_id,
        recruitment=result,
        people={v.participant.id: v for v in views},
        events_read=cursor is not None,
        segment_applied=pool is not None,
    )
