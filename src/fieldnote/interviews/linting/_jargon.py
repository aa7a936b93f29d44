"""Jargon: product, UX and industry terms participants do not use. They make people feel
tested, or answer a question they guessed at (Portigal: use the participant's words)."""

from __future__ import annotations

import re

from fieldnote.interviews.linting._text import sentence_case
from fieldnote.interviews.linting._types import IssueKind, LintIssue, QuestionContext

__all__ = ["JARGON", "JargonRule"]

#: term → plain words. Longer terms are matched first ("onboarding funnel" before "funnel").
JARGON: dict[str, str] = {
    "onboarding funnel": "sign-up steps",
    "onboarding wizard": "setup steps",
    "onboarding carousel": "welcome slides",
    "onboarding": "getting started",
    "funnel": "steps",
    "oauth flow": "sign-in with your other account",
    "oauth": "sign-in with your other account",
    "sso handshake": "company sign-in",
    "sso": "company sign-in",
    "ux": "experience",
    "ui": "screen",
    "user experience": "experience",
    "user interface": "screen",
    "pain point": "problem",
    "pain points": "problems",
    "activation": "getting started",
    "retention": "people sticking with it",
    "churn": "customers leaving",
    "kpi": "number you track",
    "kpis": "numbers you track",
    "mau": "monthly users",
    "dau": "daily users",
    "cohort analysis": "comparing groups of customers",
    "cohort": "group",
    "modal": "pop-up",
    "cta": "button",
    "call to action": "button",
    "touchpoint": "moment you deal with the product",
    "touchpoints": "moments you deal with the product",
    "value proposition": "what the page promised",
    "toggle": "switch",
    "hamburger menu": "menu",
    "user journey": "steps you went through",
    "customer journey": "steps you went through",
    "friction": "trouble",
    "webhook": "automatic notification",
    "dropdown": "list",
    "api integration": "connection",
    "api": "connection",
    "use case": "need",
    "information architecture": "the way things are organised",
    "tooltip": "hint",
    "carousel": "slides",
    "seamless": "smooth",
    "end-to-end": "whole",
    "frictionless": "smooth",
    "engagement": "use",
    "self-serve": "do-it-yourself",
    "nps": "recommendation score",
    "conversion rate": "share of people who signed up",
    "mvp": "first version",
    "roi": "what you got back",
    "saas": "online software",
    "stakeholders": "people involved",
    "stakeholder": "person involved",
    "leverage": "use",
    "synergy": "working together",
    "ecosystem": "other tools",
    "gamification": "points and badges",
    "persona": "type of user",
    "affordance": "cue",
    "deep link": "link",
    "sdk": "toolkit",
    "upsell": "offer to upgrade",
    "monetization": "charging",
    "jobs to be done": "what you need to get done",
}
_TERMS = re.compile(
    r"\b(?:" + "|".join(re.escape(t) for t in sorted(JARGON, key=len, reverse=True)) + r")\b"
)


class JargonRule:
    kind = IssueKind.JARGON

    def check(self, question: QuestionContext) -> LintIssue | None:
        found = _TERMS.findall(question.lower)
        if not found:
            return None
        rewrite = _TERMS.sub(lambda m: JARGON[m.group(0)], question.text.lower())
        listed = ", ".join(f'"{t}" → "{JARGON[t]}"' for t in dict.fromkeys(found))
        return LintIssue(
            kind=self.kind,
            message=(
                f"Uses terms participants rarely say ({listed}). Jargon makes people feel "
                "tested or answer a question they guessed at; use their everyday words."
            ),
            rewrite=sentence_case(rewrite),
        )
