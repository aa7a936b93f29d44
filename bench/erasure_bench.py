"""What an erasure costs on a large event store: the pseudonymising transaction, then
the rewrite of the whole file that removes the old row versions' bytes.

``python -m bench erasure [--events 1000000]``. Builds a store of N events (2,000
distinct ids, random uuids, varied properties as a web SDK sends them, one person
with an email, name and phone), erases that person as ``participants erase`` does,
and reports wall and process CPU seconds (all DuckDB threads) for each step, the file
size before and after, and whether the email is still in the file's bytes after each
step; then the same events as Parquet segments (one file per commit and day) and the
segments erasure.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from fieldnote.events import DuckDBEventStore
from fieldnote.events._erasure import pseudonymise_person
from fieldnote.events._model import ARROW_SCHEMA
from fieldnote.events.segments import ParquetSegmentSink, erase_in_segments

EMAIL = "hedda.rasmussen@polarlabs.example"
NAME = "Hedda Rasmussen"
PHONE = "+45 20 12 34 56"
CHUNK = 200_000


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _chunk(start: int, n: int, t0: datetime, rng: random.Random) -> pa.Table:
    ids = [EMAIL if (start + i) % 5_000 == 0 else f"user-{rng.randrange(2_000)}" for i in range(n)]
    props = [
        json.dumps(
            {"email": EMAIL, "$set": {"name": NAME, "phone": PHONE}}
            if who == EMAIL
            else {
                "$current_url": f"https://app.example/p/{rng.randrange(10_000)}",
                "$session_id": f"{rng.getrandbits(64):016x}",
                "plan": rng.choice(("free", "team", "business")),
                "duration_ms": rng.randrange(50, 90_000),
            }
        )
        for who in ids
    ]
    return pa.table(
        {
            "uuid": [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)],
            "project": ["default"] * n,
            "distinct_id": ids,
            "event": [("$pageview", "signup", "purchase")[(start + i) % 3] for i in range(n)],
            "timestamp": [t0 + timedelta(seconds=start + i) for i in range(n)],
            "properties": props,
        },
        schema=ARROW_SCHEMA,
    )


def main(argv: list[str]) -> dict[str, float | int | bool]:
    n = int(argv[argv.index("--events") + 1]) if "--events" in argv else 1_000_000
    with tempfile.TemporaryDirectory(prefix="fieldnote-erasure-bench-") as tmp:
        path = Path(tmp) / "events.duckdb"
        store = DuckDBEventStore(path)
        t0 = datetime(2026, 1, 1, tzinfo=UTC)
        rng = random.Random(7)
        for start in range(0, n, CHUNK):
            store.commit(_chunk(start, min(CHUNK, n - start), t0, rng))
        store.connection.execute("CHECKPOINT")
        size_before = path.stat().st_size

        wall, cpu = time.perf_counter(), _cpu()
        done = pseudonymise_person(
            store.connection, "default", [EMAIL], "erased-bench", [EMAIL, NAME, PHONE]
        )
        sql_wall, sql_cpu = time.perf_counter() - wall, _cpu() - cpu
        left_after_sql = EMAIL.encode() in path.read_bytes()

        wall, cpu = time.perf_counter(), _cpu()
        store.rewrite_file()
        rw_wall, rw_cpu = time.perf_counter() - wall, _cpu() - cpu
        left_after_rewrite = EMAIL.encode() in path.read_bytes()
        size_after = path.stat().st_size
        store.close()

        segments = Path(tmp) / "segments"
        sink = ParquetSegmentSink(segments)
        rng = random.Random(7)
        for start in range(0, n, CHUNK):
            sink.commit(_chunk(start, min(CHUNK, n - start), t0, rng))
        files = len(list(segments.rglob("*.parquet")))
        wall, cpu = time.perf_counter(), _cpu()
        seg = erase_in_segments(segments, "default", [EMAIL], "erased-bench", [EMAIL, NAME, PHONE])
        seg_wall, seg_cpu = time.perf_counter() - wall, _cpu() - cpu
    result: dict[str, float | int | bool] = {
        "events": n,
        "erased_events": done.events,
        "file_mb_before": round(size_before / 2**20, 1),
        "file_mb_after": round(size_after / 2**20, 1),
        "pseudonymise_wall_s": round(sql_wall, 2),
        "pseudonymise_cpu_s": round(sql_cpu, 2),
        "rewrite_wall_s": round(rw_wall, 2),
        "rewrite_cpu_s": round(rw_cpu, 2),
        "email_in_file_after_sql": left_after_sql,
        "email_in_file_after_rewrite": left_after_rewrite,
        "segment_files": files,
        "segment_files_rewritten": seg.files_rewritten,
        "segments_erase_wall_s": round(seg_wall, 2),
        "segments_erase_cpu_s": round(seg_cpu, 2),
        "load_average_1m": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
