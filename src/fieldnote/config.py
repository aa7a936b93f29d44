"""Settings, read from the environment (``FIELDNOTE_*``) in entry points only.

Nothing in the library reads the environment: the CLI and the server build one
``Settings`` object and pass it down, so tests can build as many as they like.
Every field is documented in docs/config.md (a test checks that).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """All of fieldnote's configuration. Field names map to ``FIELDNOTE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="FIELDNOTE_", extra="ignore", frozen=True)

    home: Path = Field(
        default=Path(".fieldnote"),
        description="Folder that holds all state: the event store, the repository, server info.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the research repository; default: SQLite inside home.",
    )
    max_body_bytes: int = Field(
        default=20 * 1024 * 1024,
        gt=0,
        description="Largest accepted capture request body, after gzip decompression.",
    )
    max_batch_events: int = Field(
        default=10_000, gt=0, description="Largest number of events in one capture batch."
    )
    commit_max_rows: int = Field(
        default=50_000,
        gt=0,
        description="Most events the group-commit writer puts in one DuckDB transaction.",
    )
    future_tolerance_seconds: int = Field(
        default=23 * 3600,
        ge=0,
        description="How far in the future an event timestamp may be before it is rejected.",
    )
    oldest_timestamp_year: int = Field(
        default=2000, description="Event timestamps before this year are rejected as absurd."
    )
    segments_dir: Path | None = Field(
        default=None,
        description=(
            "Scale-out mode: write committed capture batches as Parquet segments into this "
            "folder instead of the DuckDB file (see docs/scaling.md)."
        ),
    )
    duckdb_memory_limit: str = Field(
        default="2GB",
        description="DuckDB memory_limit for the event store (imports spill past it).",
    )
    duckdb_checkpoint_threshold: str = Field(
        default="256MB",
        description=(
            "Write-ahead log size at which a DuckDB commit checkpoints the event store "
            "(DuckDB's default is 16MB; larger means fewer capture stalls, longer replay "
            "after a crash)."
        ),
    )
    duckdb_threads: int | None = Field(
        default=None, description="DuckDB worker threads; default: one per core."
    )

    session_max_age_seconds: int = Field(
        default=14 * 24 * 3600,
        gt=0,
        description="How long a web sign-in lasts before the person signs in again.",
    )
    secure_cookies: Literal["auto", "always", "never"] = Field(
        default="auto",
        description=(
            "Mark session cookies Secure: 'auto' when the request came over https "
            "(directly or via a trusted proxy's X-Forwarded-Proto), or always / never."
        ),
    )
    login_max_failures_per_account: int = Field(
        default=5,
        gt=0,
        description="Failed sign-ins allowed per account within the login failure window.",
    )
    login_max_failures_per_ip: int = Field(
        default=20,
        gt=0,
        description="Failed sign-ins allowed per client address within the window.",
    )
    login_failure_window_seconds: int = Field(
        default=900, gt=0, description="The window over which failed sign-ins are counted."
    )
    server_url: str | None = Field(
        default=None,
        description="CLI: send event reads to this fieldnote server instead of the local home.",
    )
    token: str | None = Field(
        default=None,
        description="CLI: personal API token used with server_url (Authorization: Bearer).",
    )

    monitor_interval_seconds: int = Field(
        default=900,
        ge=0,
        description="How often `fieldnote serve` runs every project's monitors; 0: never.",
    )
    notify_webhook_url: str | None = Field(
        default=None, description="Signals are POSTed here (Slack-compatible JSON)."
    )
    notify_webhook_secret: str | None = Field(
        default=None, description="Key of the webhook's HMAC-SHA256 signature header."
    )
    smtp_host: str | None = Field(default=None, description="SMTP server for signal emails.")
    smtp_port: int = Field(default=25, gt=0, lt=65536, description="Port of the SMTP server.")
    notify_email_from: str | None = Field(default=None, description="Sender of signal emails.")
    notify_email_to: str | None = Field(
        default=None, description="Recipients of signal emails, comma-separated."
    )
    public_url: str | None = Field(
        default=None,
        description=(
            "Base URL participants reach this server at; invitation emails and links "
            "point here (default: the running server's own address)."
        ),
    )
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        default="none",
        description="SMTP transport security: plain, STARTTLS upgrade, or TLS from the start.",
    )
    smtp_username: str | None = Field(
        default=None, description="SMTP login, if the server needs one."
    )
    smtp_password: str | None = Field(default=None, description="SMTP password for smtp_username.")
    smtp_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Per-connection SMTP timeout."
    )
    invite_email_from: str | None = Field(
        default=None, description="Sender of invitation emails (default: notify_email_from)."
    )
    invite_send_attempts: int = Field(
        default=3, ge=1, le=10, description="Tries per invitation email before it is failed."
    )
    invite_link_days: int = Field(
        default=7, ge=1, le=365, description="How long a personal invitation link stays valid."
    )
    share_link_per_hour: int = Field(
        default=60,
        ge=1,
        description="New participants one study's shareable link accepts per hour.",
    )
    share_link_per_ip_per_hour: int = Field(
        default=5,
        ge=1,
        description="New participants one client address may start per hour via shareable links.",
    )
    diary_interval_seconds: int = Field(
        default=60,
        ge=0,
        description="How often `fieldnote serve` sends due diary prompts; 0: never.",
    )
    invitation_interval_seconds: int = Field(
        default=60,
        ge=0,
        description="How often `fieldnote serve` sends queued email invitations; 0: never.",
    )
    llm_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible endpoint for the llm interview moderator (.../v1).",
    )
    llm_model: str | None = Field(default=None, description="Model name for the llm moderator.")
    llm_api_key: str | None = Field(default=None, description="API key for the llm endpoint.")
    llm_timeout_seconds: float = Field(
        default=8.0, gt=0, description="Per-turn limit before the llm moderator falls back."
    )

    def resolved_home(self) -> Path:
        """The home folder as an absolute path (it may not exist yet)."""
        return self.home.expanduser().resolve()
