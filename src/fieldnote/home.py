"""The home folder: where every piece of fieldnote's state lives.

One folder (``--home``, ``FIELDNOTE_HOME``, default ``./.fieldnote``) holds the event
store (DuckDB), the research repository (SQLite unless a URL is configured) and, while
a server runs, ``server.json`` saying where it listens. Copying the folder copies
everything.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Home", "ServerInfo"]


@dataclass(frozen=True, kw_only=True)
class ServerInfo:
    """What a running ``fieldnote serve`` publishes so the CLI can reach it."""

    pid: int
    host: str
    port: int
    admin_token: str

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def at(cls, path: Path) -> Home:
        root = path.expanduser().resolve()
        root.mkdir(parents=True, exist_ok=True)
        return cls(root)

    @property
    def events_path(self) -> Path:
        return self.root / "events.duckdb"

    @property
    def repository_path(self) -> Path:
        return self.root / "repository.sqlite"

    @property
    def server_info_path(self) -> Path:
        return self.root / "server.json"

    def repository_url(self, configured: str | None) -> str:
        return configured or f"sqlite:///{self.repository_path}"

    def publish_server(self, *, host: str, port: int) -> ServerInfo:
        """Write server.json (mode 0600: the admin token lets the local CLI act as admin)."""
        info = ServerInfo(
            pid=os.getpid(), host=host, port=port, admin_token=secrets.token_urlsafe(32)
        )
        tmp = self.server_info_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(
                {"pid": info.pid, "host": host, "port": port, "admin_token": info.admin_token}, fh
            )
        os.replace(tmp, self.server_info_path)
        return info

    def withdraw_server(self, info: ServerInfo) -> None:
        current = self.running_server()
        if current is not None and current.pid == info.pid:
            with contextlib.suppress(FileNotFoundError):
                self.server_info_path.unlink()

    def running_server(self) -> ServerInfo | None:
        """The server that owns this home's event store, if one is alive."""
        try:
            raw = json.loads(self.server_info_path.read_text())
            info = ServerInfo(
                pid=int(raw["pid"]),
                host=str(raw["host"]),
                port=int(raw["port"]),
                admin_token=str(raw["admin_token"]),
            )
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None
        try:
            os.kill(info.pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return info
        return info
