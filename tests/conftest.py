"""Shared fixtures: a fresh home per test and a real ``fieldnote serve`` process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from hypothesis import settings as hypothesis_settings

from fieldnote._core import Fieldnote
from fieldnote.config import Settings

# No deadline per example: on a loaded machine (parallel workers, other jobs) an example's
# wall time says nothing about the code, and nothing is timed inside tests.
hypothesis_settings.register_profile("fieldnote", deadline=None)
hypothesis_settings.load_profile("fieldnote")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings(home=home)


@pytest.fixture
def fieldnote(settings: Settings) -> Iterator[Fieldnote]:
    fn = Fieldnote(settings)
    yield fn
    fn.close()


@dataclass
class LiveServer:
    """A real uvicorn process running ``fieldnote serve`` on a free loopback port."""

    home: Path
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_cli(self.home, *args, check=check)

    def write_key(self, project: str = "default") -> str:
        import json

        out = self.cli("projects", "list", "--json").stdout
        return next(p["write_key"] for p in json.loads(out)["projects"] if p["name"] == project)

    def stop(self, sig: int | None = None) -> None:
        if self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                self.process.send_signal(sig)
            self.process.wait(timeout=30)


def run_cli(
    home: Path,
    *args: str,
    check: bool = True,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real ``fieldnote`` console entry point in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "fieldnote", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"fieldnote {' '.join(args)} exited {proc.returncode}\n"
            f"stdout: {proc.stdout}\nstderr: {proc.stderr}"
        )
    return proc


def start_server(
    home: Path,
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
    log_path: Path | None = None,
) -> LiveServer:
    port = port or free_port()
    log_path = log_path or home.parent / f"server-{port}.log"
    home.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115 - the process owns it
    proc = subprocess.Popen(
        [sys.executable, "-m", "fieldnote", "--home", str(home), "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return LiveServer(home=home, port=port, process=proc, log_path=log_path)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"server did not answer within 60 s:\n{log_path.read_text()}")


@pytest.fixture
def live_server(home: Path) -> Iterator[LiveServer]:
    server = start_server(home)
    yield server
    server.stop()
