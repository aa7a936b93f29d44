"""A home with the demo product's events (the funnel, platforms, plans) and one user
per role, for the analytics page tests (in-process and in the browser)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fieldnote.demo import DemoConfig, generate_demo
from fieldnote.events import DuckDBEventStore
from tests.web.accounts_support import add_project, add_user

DEMO = DemoConfig(users=800, days=42, seed=11, start=date(2026, 1, 5), project="demo")
STEPS = ("signup", "onboarding_started", "workspace_created", "integration_step_viewed")


def demo_home(home: Path) -> Path:
    """Events first (the store file is free), then the project and the users."""
    home.mkdir(parents=True, exist_ok=True)
    store = DuckDBEventStore(home / "events.duckdb")
    try:
        generate_demo(store, DEMO)
    finally:
        store.close()
    add_project(home, "demo")
    add_project(home, "other")
    add_user(home, "admin@example.com", "admin")
    add_user(home, "researcher@example.com", "researcher", project="demo")
    add_user(home, "viewer@example.com", "viewer", project="demo")
    add_user(home, "outsider@example.com", "researcher", project="other")
    return home
