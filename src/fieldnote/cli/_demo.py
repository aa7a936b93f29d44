"""``fieldnote demo``: a synthetic SaaS product with a planted problem, then the server.

The demo lives in its own project (``demo``) of the chosen home. Generating writes
the event store, which only one process may do, so a running server on the same
home is reported instead of raced. Running it again reuses the stored demo (fast)
unless ``--force`` asks for a fresh one.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

import duckdb
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from fieldnote.cli._context import CliState, emit, err_console, fail, get_state, refusing
from fieldnote.cli._monitors import demo_monitor_lines, demo_monitor_step

__all__ = ["register"]

DEMO_ACCOUNT = "demo@fieldnote.example"


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    users: Annotated[
        int, typer.Option("--users", min=100, help="Users who sign up during the window.")
    ] = 50_000,
    days: Annotated[int, typer.Option("--days", min=21, max=730, help="Days of events.")] = 90,
    seed: Annotated[int, typer.Option("--seed", help="Same seed and start, same events.")] = 42,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="First day (YYYY-MM-DD, UTC). Default: the window ends today.",
            show_default=False,
        ),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=0, max=65535)] = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Generate and summarise, then exit.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Regenerate even if the demo is already there.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Generate a realistic SaaS product with a planted problem, then serve it."""
    from fieldnote.demo import (
        DEMO_PROJECT,
        DemoConfig,
        generate_demo,
        stored_scenario,
        summarize_demo,
    )
    from fieldnote.repository import ProjectError, RepositoryNotMigratedError

    st = get_state(ctx)
    fn = st.fieldnote
    running = fn.home.running_server()
    if running is not None:
        fail(
            f"a server (pid {running.pid}) already owns {fn.home.root} at {running.base_url}. "
            "The demo writes the event store, which only one process may do: stop that "
            "server and run `fieldnote demo` again (it then serves the demo itself), or use "
            "another --home",
            as_json=as_json,
        )
    try:
        first_day = date.fromisoformat(start) if start else _today() - timedelta(days=days)
        config = DemoConfig(users=users, days=days, seed=seed, start=first_day)
    except ValueError as exc:
        fail(f"invalid demo options: {exc}", as_json=as_json)
    with refusing(ProjectError, RepositoryNotMigratedError, as_json=as_json):
        project = fn.projects.get(DEMO_PROJECT)
        secret_key = None
        if project is None:
            creds = fn.projects.create(DEMO_PROJECT)
            secret_key = creds.secret_key
            project = fn.projects.require(DEMO_PROJECT)

    try:
        store = fn.open_event_store()
    except duckdb.IOException as exc:  # another process holds the file
        fail(f"cannot open the event store of {fn.home.root}: {exc}", as_json=as_json)
    try:
        existing = stored_scenario(store.connection, DEMO_PROJECT)
        foreign = store.count(DEMO_PROJECT) if existing is None else 0
        if foreign and not force:
            fail(
                f"project {DEMO_PROJECT!r} already holds {foreign:,} events that the demo did "
                "not generate; --force replaces them with the demo",
                as_json=as_json,
            )
        generated = existing is None or force
        seconds = None
        if generated:
            with _progress_bar() as report:
                result = generate_demo(store, config, progress=report)
            seconds = round(result.seconds, 2)
        elif existing is not None and not as_json:
            _explain_reuse(existing.config, config, start_given=start is not None)
        summary = summarize_demo(store.connection, DEMO_PROJECT)
        monitor = demo_monitor_step(fn, store, DEMO_PROJECT)
        loop = _loop(fn, store) if monitor is not None else None
    finally:
        store.close()

    account = _demo_account(st)
    url = (
        None if no_serve else f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    )
    data: dict[str, Any] = {
        "generated": generated,
        "seconds": seconds,
        "write_key": project.write_key,
        **dataclasses.asdict(summary),
        "url": url,
    }
    data["monitor"] = monitor
    data.update(loop or {})
    if secret_key is not None:
        data["secret_key"] = secret_key
    if account is not None:
        data["account"] = {"email": account[0], "password": account[1]}
    emit(data, as_json=as_json, text=_text(data))
    if not no_serve:
        from fieldnote.cli._serve import run_server

        run_server(st, host=host, port=port)


def _loop(fn: Any, store: Any) -> dict[str, Any] | None:
    """The whole loop on the planted problem (``fieldnote.demo.loop``), timed."""
    import time

    from fieldnote.analytics import store_source
    from fieldnote.demo import DEMO_PROJECT, stored_scenario
    from fieldnote.demo.loop import run_demo_loop

    began = time.perf_counter()
    with store.reader() as cur:
        scenario = stored_scenario(cur, DEMO_PROJECT)
    if scenario is None:
        return None
    with store.reader() as cur:
        result = run_demo_loop(fn.repository, store_source(cur, DEMO_PROJECT), scenario)
    return {**result.to_dict(), "loop_seconds": round(time.perf_counter() - began, 2)}


def _today() -> date:
    return datetime.now(UTC).date()


class _Bar:
    """Adapts the library's ``progress(stage, done, total)`` to a Rich progress bar."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        task = self._tasks.get(stage)
        if task is None:
            task = self._tasks[stage] = self._progress.add_task(stage, total=total)
        self._progress.update(task, completed=done, total=total)


@contextmanager
def _progress_bar() -> Iterator[_Bar]:
    """A progress bar on stderr, so ``--json`` output on stdout stays clean."""
    columns = (
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console) as progress:
        yield _Bar(progress)


def _explain_reuse(stored: Any, wanted: Any, *, start_given: bool) -> None:
    differs = [
        f"{name} {getattr(stored, name)}"
        for name in ("users", "days", "seed")
        if getattr(stored, name) != getattr(wanted, name)
    ]
    if start_given and stored.start != wanted.start:
        differs.append(f"start {stored.start}")
    note = "Using the demo already in this home"
    if differs:
        note += f" (generated with {', '.join(differs)})"
    err_console.print(f"{note}; --force regenerates it.", highlight=False)


def _demo_account(st: CliState) -> tuple[str, str] | None:
    """On a home with no accounts yet, create one to sign in with (password shown once)."""
    from fieldnote.repository import AccountError

    fn = st.fieldnote
    if fn.accounts.list():
        return None
    password = secrets.token_urlsafe(12)
    try:
        fn.accounts.create(DEMO_ACCOUNT, "admin", password=password)
    except AccountError:
        return None
    fn.audit.record(actor="cli:demo", action="user.create", target=DEMO_ACCOUNT)
    return DEMO_ACCOUNT, password


def _pct(rate: float | None) -> str:
    return "  n/a" if rate is None else f"{rate * 100:4.1f}%"


def _text(d: dict[str, Any]) -> str:
    release = next(r for r in d["releases"] if r["planted_problem"])
    first = d["first_event"].date() if d["first_event"] else "?"
    last = d["last_event"].date() if d["last_event"] else "?"
    how = f"generated in {d['seconds']:.1f} s" if d["generated"] else "already there"
    lines = [
        f"[bold]Demo ready[/] ({how}): {d['signups']:,} signups, {d['users']:,} users, "
        f"{d['events']:,} events, {first} → {last}",
        f"  project     [bold]{d['project']}[/]   write key {d['write_key']}",
    ]
    if "secret_key" in d:
        lines.append(f"  secret key  {d['secret_key']}   (reads the API; shown once)")
    if d["url"]:
        lines.append(f"  web app     [bold]{d['url']}[/]")
    if "account" in d:
        lines.append(
            f"  sign in     {d['account']['email']} / {d['account']['password']}   (shown once)"
        )
    lines += [
        f"  release     {release['version']} \u201c{release['title']}\u201d on "
        f"{release['at'].date()} (day {release['day']})",
        "",
        "[bold]What to look at[/]",
        "  1. The onboarding funnel signup → onboarding_started → workspace_created → "
        "integration_step_viewed → connect_integration → activated, before vs after "
        f"{release['version']}.",
        f"  2. {d['step_from']} → {d['step_to']} by platform (before → after):",
    ]
    for c in d["conversion"]:
        lines.append(
            f"       {c['platform']:<8} {_pct(c['before']['rate'])} → {_pct(c['after']['rate'])}"
            f"   ({c['before']['reached']:,} → {c['after']['reached']:,} users reached the step)"
        )
    lines += [
        f"  3. The {d['campaign']} campaign ({d['campaign_starts_at'].date()} to "
        f"{d['campaign_ends_at'].date()}, paid_social, mostly mobile) shifts the channel mix "
        "at the same time: a naive before/after blames the wrong cause.",
        "  4. integration_failed events: reason, error_code; persons: plan, role, company_size.",
        f"  `fieldnote events tail --project {d['project']}` shows the raw events.",
    ]
    lines += demo_monitor_lines(d)
    lines += _loop_lines(d)
    return "\n".join(lines)


def _loop_lines(d: dict[str, Any]) -> list[str]:
    """The rest of the loop, one line per stage (``fieldnote.demo.loop``)."""
    if d.get("interviews") is None:
        return [f"  The loop stopped: {d['stopped']}"] if d.get("stopped") else []
    inv, iv = d["invitations"], d["interviews"]
    lines = [
        f"  6. Study #{d['study']['id']} invited {inv['sent']} mobile users who dropped at the "
        f"integration step; {iv['completed']} AI-moderated interviews done "
        f"({iv['declined']} declined).",
    ]
    top = d.get("top_theme")
    if top:
        step = top["funnel_step"]["label"] if top["funnel_step"] else "no funnel step"
        effect = (top.get("behavioural_effect") or {}).get("summary", "")
        lines.append(
            f"  7. Top theme “{top['label']}” ({top['participants']} of {top['of']}"
            f" participants) at {step}. {effect}"
        )
    if d.get("hypothesis"):
        h = d["hypothesis"]
        lines.append(f"  8. Hypothesis #{h['id']} {h['status']}: {h['reason']}")
    if d.get("top_opportunity"):
        o = d["top_opportunity"]
        lines.append(f"  9. Top opportunity (RICE {o['score']:,.0f}): {o['name']}")
    if d.get("release_verdict"):
        r = d["release_verdict"]
        lines.append(f" 10. Release {r['release']} “{r['title']}”: {r['verdict']}, {r['reason']}")
    lines.append(f"  (the loop took {d['loop_seconds']:.1f} s)")
    return lines
