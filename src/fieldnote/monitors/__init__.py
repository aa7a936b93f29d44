"""Monitors: anomaly detection on metric series, rules, experiments, signals, the
scheduler and notifications (docs/monitors.md).

Domain code: never imports the web or CLI layers (import-linter checks). Entry points
build a ``MonitorRunner`` (repository + notifiers) and hand it an ``EventSource``.
"""

from fieldnote.monitors._anomalies import Anomaly, alarm_indices, cooldown_for, detect, reason
from fieldnote.monitors._definition import MonitorDefinition
from fieldnote.monitors._demo import DEMO_MONITOR, demo_monitor_definition, run_demo_monitor
from fieldnote.monitors._detectors import (
    DETECTORS,
    Detector,
    MadDetector,
    Scores,
    SeasonalDetector,
    ZScoreDetector,
    detector,
)
from fieldnote.monitors._digest import Digest, Week, build_digest
from fieldnote.monitors._digest_render import DIGEST_FORMATS, digest_html, digest_markdown
from fieldnote.monitors._digest_send import DigestMailer, SentOutcome, send_digest, send_due_digests
from fieldnote.monitors._evaluation_result import Evaluation
from fieldnote.monitors._experiments import (
    Arm,
    ExperimentResult,
    ExperimentSpec,
    evaluate_experiment,
)
from fieldnote.monitors._metrics import (
    METRICS,
    MetricPoint,
    MetricSeries,
    MetricSpec,
    compute_metric,
)
from fieldnote.monitors._notify import (
    NOTIFIERS,
    Delivery,
    EmailNotifier,
    Notification,
    Notifier,
    WebhookNotifier,
    build_notifiers,
    sign,
)
from fieldnote.monitors._rules import RULES, AnomalyRule, Rule, SwingRule, ThresholdRule, parse_rule
from fieldnote.monitors._runner import MonitorRunner, RunOutcome
from fieldnote.monitors._scheduler import (
    MonitorScheduler,
    digest_mailer_from,
    notifiers_from,
    run_all_projects,
    scheduled_digests,
)
from fieldnote.monitors._series import SeriesError, TimeSeries, read_csv, season_for

__all__ = [
    "DEMO_MONITOR",
    "DETECTORS",
    "DIGEST_FORMATS",
    "METRICS",
    "NOTIFIERS",
    "RULES",
    "Anomaly",
    "AnomalyRule",
    "Arm",
    "Delivery",
    "Detector",
    "Digest",
    "DigestMailer",
    "EmailNotifier",
    "Evaluation",
    "ExperimentResult",
    "ExperimentSpec",
    "MadDetector",
    "MetricPoint",
    "MetricSeries",
    "MetricSpec",
    "MonitorDefinition",
    "MonitorRunner",
    "MonitorScheduler",
    "Notification",
    "Notifier",
    "Rule",
    "RunOutcome",
    "Scores",
    "SeasonalDetector",
    "SentOutcome",
    "SeriesError",
    "SwingRule",
    "ThresholdRule",
    "TimeSeries",
    "WebhookNotifier",
    "Week",
    "ZScoreDetector",
    "alarm_indices",
    "build_digest",
    "build_notifiers",
    "compute_metric",
    "cooldown_for",
    "demo_monitor_definition",
    "detect",
    "detector",
    "digest_html",
    "digest_mailer_from",
    "digest_markdown",
    "evaluate_experiment",
    "notifiers_from",
    "parse_rule",
    "read_csv",
    "reason",
    "run_all_projects",
    "run_demo_monitor",
    "scheduled_digests",
    "season_for",
    "send_digest",
    "send_due_digests",
    "sign",
]
