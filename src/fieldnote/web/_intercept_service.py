"""Intercept matching inside the server: fed by the writer's commit listener.

It also remembers who has an open intercept invitation, refreshed from the repository
with every sweep, so the widget's eligibility check for everybody else is a set lookup.

Capture never waits for it: the writer hands each committed batch to its listener
thread after the acknowledgements went out. The matcher takes the batch column-wise
(``InterceptMatcher.feed_table``): Arrow narrows it to the events some rule names (most
traffic stops there, unparsed), and a row's properties are decoded only where a rule's
filter or a match needs them. In the server (``separate_process=True``) the matcher
runs in a child process (``MatcherProcess``) so its Python loop does not take the GIL
from request handling; matches come back on a receiver thread. A sweep thread checks
delayed rules and re-reads the rules every few seconds, so a rule made by the CLI
while the server runs is picked up without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa

from fieldnote.repository import Repository
from fieldnote.repository._invitations import InvitationStore
from fieldnote.research import InterceptRule, Match, RuleError
from fieldnote.research._matcher_process import InProcessMatcher, MatcherProcess

__all__ = ["InterceptService"]

log = logging.getLogger(__name__)

#: A person this server invited is muted in the matcher for the policy's cooldown less
#: this margin, so the matcher never leaves out a match the cooldown shortcut below (or
#: the repository's policy) would not refuse, however far its matches lag behind.
MUTE_MARGIN = timedelta(days=1)
#: The same for a project at its daily cap: muted until this long before midnight UTC.
CAP_MUTE_MARGIN = timedelta(hours=1)


class InterceptService:
    def __init__(
        self,
        repository: Repository,
        *,
        sweep_seconds: float = 5.0,
        separate_process: bool = False,
    ) -> None:
        self.store = InvitationStore(repository)
        #: Where matching runs; both kinds have set_rules/submit/sweep/mute/flush/close.
        self.matcher: MatcherProcess | InProcessMatcher = (
            MatcherProcess(self._queue_all)
            if separate_process
            else InProcessMatcher(self._queue_all)
        )
        self.queued = 0
        self.queue_seconds = 0.0  # time spent in the repository (bench/intercept_bench.py)
        self._sweep_seconds = sweep_seconds
        self._stop = threading.Event()
        # Shortcuts past the repository for matches the policy must refuse anyway:
        # people this server invited within the cooldown, projects capped for the day.
        self._invited: dict[tuple[str, str], datetime] = {}
        self._capped: dict[str, date] = {}
        self._open: set[tuple[str, str]] = set()
        self.reload()
        self._thread = threading.Thread(target=self._run, name="fieldnote-intercepts", daemon=True)
        self._thread.start()

    def reload(self) -> None:
        rules: list[InterceptRule] = []
        for rec in self.store.rules():
            try:
                rules.append(
                    InterceptRule.from_dict(
                        rec.definition, id=rec.id, project=rec.project, name=rec.name
                    )
                )
            except RuleError as exc:  # stored before a validation change: skip, say so
                log.warning("intercept rule %s/%s is not usable: %s", rec.project, rec.name, exc)
        self._open = self.store.open_intercepts()
        self.matcher.set_rules(rules)

    def may_be_pending(self, project: str, person: str) -> bool:
        """False when this person had no open intercept invitation at the last refresh
        (every sweep, 5 s) and this server queued none for them since: the widget's
        most common question is answered from memory. One made by another process
        (the CLI) shows within a refresh."""
        return (project, person) in self._open

    def on_commit(self, batch: pa.Table) -> None:
        """The commit listener: match the committed rows, queue invitations."""
        self.matcher.submit(batch)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every batch handed over so far has been matched and queued (only
        the separate process can be behind)."""
        return self.matcher.flush(timeout)

    def _queue_all(self, matches: list[Match]) -> None:
        for match in matches:
            self._queue(match)

    def _queue(self, match: Match) -> None:
        rule = match.rule
        now = datetime.now(UTC)
        who = (rule.project, match.distinct_id)
        invited = self._invited.get(who)
        if invited is not None and now - invited < self.store.policy.cooldown:
            return
        if self._capped.get(rule.project) == now.date():
            return
        started = time.perf_counter()
        decision, made = self.store.queue(
            rule.project,
            match.distinct_id,
            offer=rule.offer.to_dict(),
            channel=rule.channel,
            rule_id=rule.id,
            study_id=rule.study_id,
            session_id=match.session_id,
            sampling_rate=rule.sampling_rate,
            now=now,
        )
        self.queue_seconds += time.perf_counter() - started
        if made is not None:
            self.queued += 1
            if len(self._invited) > 100_000:
                self._invited.clear()
            self._invited[who] = now
            cooldown = self.store.policy.cooldown
            if cooldown > MUTE_MARGIN:  # matches for them would be refused here anyway
                self.matcher.mute(rule.project, match.distinct_id, now + cooldown - MUTE_MARGIN)
            if made.channel == "intercept":
                self._open.add(who)
        elif decision.code == "cap":
            self._capped[rule.project] = now.date()
            midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
            self.matcher.mute(rule.project, None, midnight - CAP_MUTE_MARGIN)
        log.info("intercept %s for %s: %s", rule.name, match.distinct_id, decision.reason)

    def sweep(self, now: datetime | None = None) -> None:
        self.matcher.sweep(now or datetime.now(UTC))

    def _run(self) -> None:
        while not self._stop.wait(self._sweep_seconds):
            try:
                self.reload()
                self.sweep()
            except Exception:
                log.exception("intercept sweep failed")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.matcher.close()
