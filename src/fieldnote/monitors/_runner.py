"""Running monitors: evaluate, and when one fires, record a Signal with its evidence,
open (or update) the Question, propose a Study, and notify.

Deduplication: a monitor that keeps firing on the same move (same direction, same
first day) while its Question is open adds no Signal and sends nothing; the open
Question is updated with the newest evidence. A new first day (the move grew, or a
new one started) is a new Signal on the same open Question.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import orjson

from fieldnote.analytics import EventSource
from fieldnote.analytics.trends._common import latest_event
from fieldnote.monitors._attribution import Attribution, attribute
from fieldnote.monitors._definition import MonitorDefinition
from fieldnote.monitors._evaluation_result import Evaluation
from fieldnote.monitors._experiments import evaluate_experiment
from fieldnote.monitors._metrics import MetricSeries, MetricSpec, compute_metric
from fieldnote.monitors._notify import Notification, Notifier
from fieldnote.repository import (
    MonitorRecord,
    MonitorStore,
    QuestionRecord,
    Repository,
    ResearchStore,
    SavedSegments,
    SegmentError,
    SignalRecord,
    StudyRecord,
)
from fieldnote.research import anomaly_key, plan_study, question_text, with_tier_mix

__all__ = ["MonitorRunner", "RunOutcome"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    monitor: str
    evaluation: Evaluation
    signal: SignalRecord | None = None
    question: QuestionRecord | None = None
    new_question: bool = False
    study: StudyRecord | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "monitor": self.monitor,
            "fired": self.evaluation.fired,
            "reason": self.evaluation.reason,
            "evaluation": self.evaluation.to_dict(),
            "signal": self.signal.to_dict() if self.signal else None,
            "question": self.question.to_dict() if self.question else None,
            "new_question": self.new_question,
            "study": self.study.to_dict() if self.study else None,
            "error": self.error,
        }


def _periods(ev: Evaluation) -> tuple[tuple[date, date], tuple[date, date]] | None:
    if ev.baseline_days and ev.recent_days:
        return ev.baseline_days, ev.recent_days
    if ev.since is None:
        return None
    end = max(ev.since, ev.recent_days[1] if ev.recent_days else ev.since)
    return (ev.since - timedelta(days=28), ev.since - timedelta(days=1)), (ev.since, end)


@dataclass
class _Batch:
    """What one run shares between its monitors."""

    metrics: dict[bytes, MetricSeries] = field(default_factory=dict)
    runs: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


class MonitorRunner:
    def __init__(self, repository: Repository, notifiers: Sequence[Notifier] = ()) -> None:
        self.monitors = MonitorStore(repository)
        self.research = ResearchStore(repository)
        self.segments = SavedSegments(repository)
        self.notifiers = tuple(notifiers)

    def run(
        self,
        source: EventSource,
        project: str,
        *,
        names: Sequence[str] | None = None,
        until: datetime | None = None,
    ) -> list[RunOutcome]:
        """Run the project's enabled monitors (or those named) on ``source``.

        One run reads the latest event once and computes each distinct metric once
        (monitors often share a metric with different rules), and records every
        monitor's result in one transaction at the end.
        """
        records = (
            [self.monitors.get(project, n) for n in names]
            if names
            else self.monitors.list(project, enabled_only=True)
        )
        at = until or latest_event(source)
        batch = _Batch()
        out = []
        for record in records:
            try:
                out.append(self.run_one(source, record, until=at, batch=batch))
            except Exception as exc:  # one broken monitor must not stop the others
                log.exception("monitor %s failed", record.name)
                failed = Evaluation(fired=False, reason=f"the monitor failed: {exc}")
                batch.runs.append((record.id, failed.to_dict()))
                out.append(RunOutcome(record.name, failed, error=str(exc)))
        self.monitors.record_runs(batch.runs)
        return out

    def run_one(
        self,
        source: EventSource,
        record: MonitorRecord,
        *,
        until: datetime | None = None,
        batch: _Batch | None = None,
    ) -> RunOutcome:
        """Run one monitor. With a ``batch``, share metrics and defer the run record."""
        own = batch is None
        batch = batch or _Batch()
        try:
            definition = MonitorDefinition.from_dict(record.definition)
            evaluation, evidence, series = self._evaluate(source, definition, until, batch)
        except ValueError as exc:
            failed = Evaluation(fired=False, reason=f"the monitor could not run: {exc}")
            batch.runs.append((record.id, failed.to_dict()))
            if own:
                self.monitors.record_runs(batch.runs)
            return RunOutcome(record.name, failed, error=str(exc))
        batch.runs.append((record.id, evaluation.to_dict()))
        if own:
            self.monitors.record_runs(batch.runs)
        if not evaluation.fired:
            return RunOutcome(record.name, evaluation)
        attribution = self._attribute(source, definition, evaluation)
        if attribution.explained is not None:
            evidence["decomposition"] = attribution.explained.to_dict()
        if attribution.driver is not None:
            evidence["drivers"] = attribution.driver.to_dict()
        if attribution.step is not None:
            evidence["step"] = attribution.step.to_dict()
        label = series.label if series else definition.describe()
        text = question_text(
            label,
            direction=evaluation.direction,
            change=evaluation.change,
            since=evaluation.since,
            drivers=[attribution.driver] if attribution.driver else [],
            step=attribution.step,
        )
        key = anomaly_key(record.id, evaluation.direction)
        repeated = self._repeats(record, evaluation)
        question, created = self.research.open_or_update(
            record.project,
            anomaly_key=key,
            text=text,
            evidence=evidence,
            monitor_id=None if repeated else record.id,
        )
        if repeated:
            return RunOutcome(record.name, evaluation, question=question)
        signal = self.monitors.add_signal(
            record,
            reason=evaluation.reason,
            direction=evaluation.direction,
            since=evaluation.since,
            evidence=evidence,
            question_id=question.id,
        )
        study = self._propose(source, record, definition, evaluation, question, attribution)
        if study is not None and not question.studies:
            question = self.research.get(record.project, question.id)  # with its study
        self._notify(record, signal, question)
        return RunOutcome(record.name, evaluation, signal, question, created, study)

    def _evaluate(
        self,
        source: EventSource,
        definition: MonitorDefinition,
        until: datetime | None,
        batch: _Batch,
    ) -> tuple[Evaluation, dict[str, Any], MetricSeries | None]:
        if definition.experiment is not None:
            result = evaluate_experiment(source, definition.experiment, until=until)
            return result.evaluation, {"experiment": result.to_dict()}, None
        assert definition.metric is not None and definition.rule is not None
        key = orjson.dumps(definition.metric.to_dict(), option=orjson.OPT_SORT_KEYS)
        series = batch.metrics.get(key)
        if series is None:
            series = compute_metric(source, definition.metric, until=until)
            batch.metrics[key] = series
        evaluation = definition.rule.evaluate(series)
        evidence = {
            "monitor": definition.to_dict(),
            "series": series.to_dict(),
            "evaluation": evaluation.to_dict(),
        }
        return evaluation, evidence, series

    def _attribute(
        self, source: EventSource, definition: MonitorDefinition, ev: Evaluation
    ) -> Attribution:
        periods = _periods(ev)
        if definition.metric is None or periods is None:
            return Attribution(None, None, None)
        try:
            return attribute(
                source,
                definition.metric,
                periods[0],
                periods[1],
                definition.explain_by,
                falling=ev.direction == "down",
            )
        except ValueError as exc:  # e.g. nobody entered in one period
            log.info("no decomposition: %s", exc)
            return Attribution(None, None, None)

    def _repeats(self, record: MonitorRecord, ev: Evaluation) -> bool:
        last = self.monitors.signals(record.project, monitor=record.name, limit=1)
        if not last or last[0].question_id is None:
            return False
        same = last[0].direction == ev.direction and last[0].since == ev.since
        if not same:
            return False
        question = self.research.get(record.project, last[0].question_id)
        return question.status == "open"

    def _propose(
        self,
        source: EventSource,
        record: MonitorRecord,
        definition: MonitorDefinition,
        ev: Evaluation,
        question: QuestionRecord,
        attribution: Attribution,
    ) -> StudyRecord | None:
        if question.studies:
            return question.studies[0]
        metric: MetricSpec | None = definition.metric
        steps = metric.funnel_steps() if metric else ()
        if metric is None or len(steps) < 2:
            return None
        step = attribution.step
        dropped_at = step.index if step else 1
        driver = attribution.driver
        recent = (ev.recent_days[1] - ev.since).days + 1 if ev.recent_days and ev.since else 14
        plan = plan_study(
            question.id,
            question.text,
            steps=steps,
            dropped_at=dropped_at,
            dimension=driver.dimension if driver else None,
            values=driver.values if driver else (),
            last_days=max(recent, 7),
            window=metric.within if metric.kind == "activation" else metric.window,
        )
        plan = with_tier_mix(source, plan)
        for segment in plan.segments:
            try:
                self.segments.create(
                    record.project,
                    segment.name,
                    segment.definition.to_dict(),
                    created_by=f"monitor:{record.name}",
                )
            except SegmentError as exc:
                if "already has" not in str(exc):
                    raise
        return self.research.propose_study(
            record.project,
            question.id,
            plan=plan.to_dict(),
            quota=plan.quota,
            deadline=plan.deadline,
        )

    def _notify(
        self, record: MonitorRecord, signal: SignalRecord, question: QuestionRecord
    ) -> None:
        if not self.notifiers:
            return
        note = Notification(
            project=record.project,
            monitor=record.name,
            reason=signal.reason,
            question=question.text,
            question_id=question.id,
            signal_id=signal.id,
        )
        outcome = {n.channel: n.send(note).to_dict() for n in self.notifiers}
        self.monitors.mark_notified(signal.id, outcome)
