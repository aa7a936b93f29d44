"""``fieldnote participants erase`` end to end, proved on the bytes: events captured
through a live server for people with a recognisable email, name and phone (in
properties, ``$set`` and distinct_id), one erased while the server runs and captures
for others, one erased after it stopped, and then no file under the home (the DuckDB
store and its WAL, the repository and its WAL, Parquet segments) holds any of their
identifying strings. Funnels and counts still add up, and every event acknowledged
during the erasure is stored exactly once."""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pyarrow.parquet as pq

from fieldnote.cli._server_client import ServerClient
from fieldnote.home import Home
from tests.conftest import LiveServer, run_cli, start_server

PEOPLE = {
    "ana": ("ana.lindqvist@harbourworks.example", "Ana Lindqvist", "+46 70 123 45 67"),
    "tomas": ("tomas.okonkwo@riverbend.example", "Tomas Okonkwo", "+1 312 555 0199"),
}
SECRETS = [s for person in PEOPLE.values() for s in person]
_HITS = re.compile("|".join(re.escape(s) for s in SECRETS), re.IGNORECASE)
FUNNEL = ("--step", "signup", "--step", "report_created", "--step", "purchase")
T0 = (datetime.now(UTC) - timedelta(days=3)).replace(microsecond=0)


def _e(event: str, who: str, minute: int, props: dict[str, Any]) -> dict[str, Any]:
    ts = T0 + timedelta(minutes=minute)
    return {
        "event": event,
        "distinct_id": who,
        "uuid": str(uuid.uuid4()),
        "timestamp": ts.isoformat().replace("+00:00", "Z"),
        "properties": props,
    }


def _journey(key: str, offset: int) -> list[dict[str, Any]]:
    """An anonymous visit, the identify ($set), then the funnel with personal data in
    properties; and a colleague's event that mentions them."""
    email, name, phone = PEOPLE[key]
    anon = f"anon-{key}"
    return [
        _e("$pageview", anon, offset, {"$current_url": "https://app.example/"}),
        _e("signup", anon, offset + 1, {"$email": email}),
        _e(
            "$identify",
            email,
            offset + 2,
            {"$anon_distinct_id": anon, "$set": {"email": email, "name": name, "phone": phone}},
        ),
        _e("report_created", email, offset + 3, {"title": f"Q3 for {name}", "phone": phone}),
        _e("purchase", email, offset + 4, {"note": f"call {phone} before shipping"}),
        _e("$pageview", f"colleague-{key}", offset + 5, {"shared_with": email}),
    ]


def _crowd(n: int, offset: int) -> list[dict[str, Any]]:
    steps = ("signup", "report_created", "purchase")
    return [
        _e(steps[min(i % 5, 2)], f"user-{i // 5}", offset + i % 5, {"plan": "team"})
        for i in range(n)
    ]


def _capture(server: LiveServer, key: str, batch: list[dict[str, Any]]) -> None:
    r = httpx.post(f"{server.url}/batch/", json={"api_key": key, "batch": batch}, timeout=30)
    assert r.status_code == 200, r.text


def _panel(home: Path) -> None:
    csv = home.parent / "panel.csv"
    rows = [f"{e},{n},{p}" for e, n, p in PEOPLE.values()]
    csv.write_text("email,name,phone\n" + "\n".join(rows) + "\n")
    run_cli(home, "participants", "import", str(csv), "--json")


def _file_hits(home: Path, *, whole: bool = True) -> list[str]:
    """The secrets in the bytes of any file under ``home`` (and in Parquet files'
    decoded values: a compressed page could hide them from the byte scan); with
    ``whole=False`` only the secrets found, not where."""
    found = []
    for path in home.rglob("*"):
        if not path.is_file():
            continue
        texts = [path.read_bytes().decode("latin-1")]
        if path.suffix == ".parquet" and not path.name.startswith("."):
            texts.append(str(pq.read_table(path).to_pylist()))
        where = f"{path.relative_to(home)}: " if whole else ""
        found += [f"{where}{m}" for t in texts for m in _HITS.findall(t)]
    return found


def _funnel(home: Path) -> list[int]:
    """Through the CLI (the server's, when one runs)."""
    out = json.loads(run_cli(home, "funnel", *FUNNEL, "--json").stdout)
    return [s["count"] for s in out["steps"]]


def _server_reads(home: Path) -> tuple[list[int], int]:
    """The funnel and the event count, straight from the running server's API."""
    info = Home.at(home).running_server()
    assert info is not None
    client = ServerClient(info, timeout=60)
    try:
        funnel = client.get("/api/projects/default/analytics/funnel", step=list(FUNNEL[1::2]))
        count = client.get("/api/projects/default/events/count")
    finally:
        client.close()
    return [s["count"] for s in funnel["steps"]], int(count["count"])


class _Background:
    """A client capturing small batches until stopped; records what was acknowledged."""

    def __init__(self, server: LiveServer, key: str) -> None:
        self.acked: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(server, key))

    def _run(self, server: LiveServer, key: str) -> None:
        with httpx.Client(timeout=60) as http:
            n = 0
            while not self._stop.is_set():
                batch = [_e("$pageview", f"live-{n % 9}", n % 500, {"n": n}) for _ in range(5)]
                r = http.post(f"{server.url}/batch/", json={"api_key": key, "batch": batch})
                assert r.status_code == 200, r.text
                self.acked += [e["uuid"] for e in batch]
                n += 1

    def __enter__(self) -> _Background:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(60)


def _erase(home: Path, email: str) -> dict[str, Any]:
    done: dict[str, Any] = json.loads(
        run_cli(home, "participants", "erase", email, "--json").stdout
    )
    return done


def test_erase_with_and_without_a_server_leaves_no_identifying_bytes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server = start_server(home)
    try:
        key = server.write_key()
        _capture(server, key, _journey("ana", 0) + _journey("tomas", 30) + _crowd(60, 100))
        _panel(home)
        funnel, total = _server_reads(home)  # readers before the swap
        assert funnel == [14, 14, 14] and total == 72
        assert len(_file_hits(home)) >= 12  # the scan sees what capture wrote

        with _Background(server, key) as live:
            first = _erase(home, PEOPLE["ana"][0])
            during = len(live.acked)
        assert first["events"]["events"] == 6 and first["events"]["file_rewritten"] == 1
        assert during > 0, "capture ran while the erasure did"
        # already now, with the server holding the new file and its WAL open
        left = [m.lower() for m in _file_hits(home, whole=False)]
        assert not {s.lower() for s in PEOPLE["ana"]} & set(left)
        assert len(left) >= 6  # Tomas is still there
        assert _server_reads(home) == (funnel, total + len(live.acked))  # the new file
    finally:
        server.stop()

    second = _erase(home, PEOPLE["tomas"][0])  # no server: the CLI owns the store
    assert second["events"]["events"] == 6 and second["events"]["file_rewritten"] == 1
    assert _file_hits(home) == []
    assert _funnel(home) == funnel
    con = duckdb.connect(str(home / "events.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT CAST(uuid AS VARCHAR), count(*) FROM events WHERE distinct_id LIKE 'live-%' "
            "GROUP BY ALL"
        ).fetchall()
        pseudonyms = con.execute(
            "SELECT count(DISTINCT distinct_id) FROM events WHERE distinct_id LIKE 'erased-%'"
        ).fetchone()
    finally:
        con.close()
    assert dict(rows) == dict.fromkeys(live.acked, 1)
    assert pseudonyms == (2,)


def test_erase_in_scale_out_mode_rewrites_the_segments(tmp_path: Path) -> None:
    home = tmp_path / "home"
    segments = home / "segments"
    env = {"FIELDNOTE_SEGMENTS_DIR": str(segments)}
    server = start_server(home, env=env)
    try:
        key = server.write_key()
        _capture(server, key, _journey("ana", 0) + _crowd(20, 100))
        run_cli(home, "compact", str(segments), "--json", env=env)  # persons generation
        _capture(server, key, _journey("tomas", 30))
        _panel(home)
        assert len(_file_hits(home)) >= 8
        done = json.loads(
            run_cli(home, "participants", "erase", PEOPLE["ana"][0], "--json", env=env).stdout
        )
        assert done["events"]["segment_files_rewritten"] >= 2
    finally:
        server.stop()
    done = json.loads(
        run_cli(home, "participants", "erase", PEOPLE["tomas"][0], "--json", env=env).stdout
    )
    assert done["events"]["segment_rows"] >= 4
    assert _file_hits(home) == []
    con = duckdb.connect()
    try:
        files = [str(p) for p in segments.glob("project=default/date=*/*.parquet")]
        (events,) = con.execute(
            "SELECT count(DISTINCT uuid) FROM read_parquet(?)", [files]
        ).fetchone() or (0,)
    finally:
        con.close()
    assert events == 32  # every event kept
