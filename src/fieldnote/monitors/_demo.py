"""The demo's monitor: the planted mobile drop after release 2.4.0 must fire it.

``fieldnote demo`` creates one monitor on the onboarding funnel (conversion from
signup to activated within 7 days, a >10 % swing of the last week against the four
before, explained by platform and channel) and runs it as of two weeks after the
release: what the scheduler would have said then, once a full week of post-release
cohorts had had their 7 days. The Signal's decomposition names mobile and the
integration step; its Question proposes a study of the mobile users who dropped there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fieldnote.analytics import EventSource
from fieldnote.demo import Scenario
from fieldnote.monitors._definition import MonitorDefinition
from fieldnote.monitors._runner import MonitorRunner, RunOutcome
from fieldnote.repository import MonitorError, Repository

__all__ = ["DEMO_MONITOR", "demo_monitor_definition", "run_demo_monitor"]

DEMO_MONITOR = "onboarding conversion"
#: Run as of this long after the planted release.
AS_OF = timedelta(days=14)


def demo_monitor_definition(scenario: Scenario) -> dict[str, Any]:
    data = {
        "metric": {"kind": "conversion", "steps": list(scenario.funnel), "window": "7d"},
        "rule": {"rule": "swing", "percent": 10, "recent_days": 7, "baseline_days": 28},
        "explain_by": ["platform", "channel"],
    }
    return MonitorDefinition.from_dict(data).to_dict()


def run_demo_monitor(repository: Repository, source: EventSource, scenario: Scenario) -> RunOutcome:
    runner = MonitorRunner(repository)
    project = scenario.config.project
    try:
        record = runner.monitors.get(project, DEMO_MONITOR)
    except MonitorError:
        record = runner.monitors.create(
            project, DEMO_MONITOR, demo_monitor_definition(scenario), created_by="demo"
        )
    return runner.run_one(source, record, until=scenario.release.at + AS_OF)
