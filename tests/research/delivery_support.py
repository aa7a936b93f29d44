"""A study ready for delivery: question, study, guide and consent text in a repository."""

from __future__ import annotations

from datetime import timedelta

from fieldnote.interviews.guides import new_guide
from fieldnote.repository import GuideStore, Projects, Repository, ResearchStore
from fieldnote.repository._consent import ConsentStore
from fieldnote.research import ConsentText

OFFER = {
    "title": "Help us fix bank connections",
    "why": "You tried to connect your bank on mobile last week; tell us how it went.",
    "minutes": 20,
    "incentive": "€25 voucher",
}
CONSENT = ConsentText(
    recording="We keep the typed conversation; nothing is recorded on audio.",
    data_use="Your answers are used by the product team to improve onboarding.",
    contact="We may email you once about this study.",
)


def make_study(repo: Repository, project: str = "default") -> int:
    """A proposed study (its question opened by hand), a guide and a consent text."""
    repo.upgrade()
    Projects(repo).ensure_default()
    research = ResearchStore(repo)
    question, _ = research.open_or_update(
        project, anomaly_key=None, text="Why do mobile users drop at the bank step?", evidence={}
    )
    study = research.propose_study(
        project, question.id, plan={"goal": question.text}, quota=(5, 8), deadline=timedelta(days=2)
    )
    GuideStore(repo).save(project, new_guide("bank-step", goal="Understand the bank step"))
    ConsentStore(repo).publish(project, CONSENT, study_id=study.id)
    return study.id
