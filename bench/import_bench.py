"""Bulk import: ``fieldnote import`` against DuckDB's own ``INSERT ... SELECT`` of the file.

Same run, same machine, same files: 10,000,000 realistic events (uuid, distinct_id,
event, timestamp, properties JSON with platform/channel/plan/country) as Parquet and
as CSV in ``bench/data/`` (generated once, reused). For each format:

* the peer: a fresh DuckDB file with the events table's exact schema (``SCHEMA_SQL``:
  the same columns, types, NOT NULLs and ``inserted_at`` default; the table has no
  primary key or index, in the store or here) and ``INSERT INTO events SELECT ...
  FROM read_parquet(...)`` / ``read_csv(...)`` with DuckDB's defaults (the CSV
  sniffed and typed by DuckDB), ``memory_limit`` 2 GB as the store; plus the same
  statement with ``preserve_insertion_order = false``, printed for transparency;
* fieldnote: ``import_events`` (the library call behind ``fieldnote import``) into a
  fresh home, timed, and its peak RSS, each in its own subprocess (the child reports
  its ``ru_maxrss``); then the same file again (re-import: nothing new).

The peer only casts and stores; the import also validates every row (rejected rows
counted and listed), derives ids, marks rows for persons, removes copies of one
event within the file and folds persons in, all in one transaction.

Each child also reports its CPU seconds (user + system, all DuckDB threads) for the
timed part, per import stage too, and the run prints the load average: on a shared
machine the wall-clock ratio hides the import's extra CPU behind other load, the CPU
ratio does not.

Floors: import time <= 1.3x the plain statement in every interleaved pair (each
import against the peer run just before it), peak RSS <= 2 GiB.

Usage: ``python -m bench.import_bench [--rows N] [--formats parquet,csv] [--repeat N]`` or
``python -m bench import --rows=N``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RATIO_FLOOR = 1.3
RSS_FLOOR = 2 * 1024**3
DEFAULT_ROWS = 10_000_000

_EVENTS = [
    "$pageview",
    "$pageview",
    "$pageview",
    "$autocapture",
    "report_created",
    "dashboard_viewed",
    "$pageleave",
    "invite_sent",
    "connect_integration",
    "signup_completed",
]

_GENERATE_SQL = """
SELECT
    CAST(md5('fieldnote-bench-' || i) AS UUID)::VARCHAR AS uuid,
    'user-' || (hash(i // 25) % {users}) AS distinct_id,
    ({events})[1 + (hash(i * 7 + 1) % {n_events})::INTEGER] AS event,
    TIMESTAMPTZ '2026-08-01 00:00:00+00'
        + to_microseconds((i::DOUBLE * {span_us} / {rows})::BIGINT + (hash(i) % 60000000)::BIGINT)
        AS timestamp,
    json_object(
        'platform', (['web', 'web', 'ios', 'android'])[1 + (hash(i // 25) % 4)::INTEGER],
        'channel', (['organic', 'paid_search', 'newsletter', 'referral', 'social'])
                   [1 + (hash(i // 25 + 1) % 5)::INTEGER],
        'plan', (['free', 'free', 'pro', 'team', 'enterprise'])[1 + (hash(i // 25 + 2) % 5)::INTEGER],
        'country', (['US', 'DE', 'FR', 'GB', 'IN', 'BR', 'JP', 'CA'])
                   [1 + (hash(i // 25 + 3) % 8)::INTEGER],
        '$current_url', 'https://app.example.com/reports/' || (hash(i) % 997),
        '$lib', 'posthog-js'
    )::VARCHAR AS properties
FROM range({rows}) t(i)
"""


def _log(message: str) -> None:
    print(message, flush=True)


def _cpu() -> float:
    """CPU seconds of this process so far (user + system, every thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def generate(rows: int, data: Path = DATA) -> dict[str, Path]:
    """The benchmark files (Parquet, CSV) for ``rows`` events; made once, then reused.

    Written by DuckDB itself (a Python loop would take longer than the import), to a
    temporary name first so an interrupted run never leaves a half file to reuse.
    """
    import duckdb

    data.mkdir(parents=True, exist_ok=True)
    parquet = data / f"events_{rows}.parquet"
    csv = data / f"events_{rows}.csv"
    con = duckdb.connect(config={"memory_limit": "2GB"})
    try:
        if not parquet.exists():
            _log(f"generating {parquet.relative_to(ROOT)} ...")
            started = time.perf_counter()
            query = _GENERATE_SQL.format(
                rows=rows,
                users=max(rows // 40, 10),
                events="[" + ", ".join(f"'{e}'" for e in _EVENTS) + "]",
                n_events=len(_EVENTS),
                span_us=90 * 86_400 * 1_000_000,
            )
            tmp = parquet.with_suffix(".parquet.tmp")
            con.execute(f"COPY ({query}) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)")
            tmp.rename(parquet)
            _log(f"  {time.perf_counter() - started:.1f} s")
        if not csv.exists():
            _log(f"generating {csv.relative_to(ROOT)} ...")
            started = time.perf_counter()
            tmp = csv.with_suffix(".csv.tmp")
            con.execute(
                f"""
                COPY (SELECT uuid, distinct_id, event,
                             strftime(timestamp, '%Y-%m-%dT%H:%M:%S.%fZ') AS timestamp,
                             properties
                      FROM read_parquet('{parquet}'))
                TO '{tmp}' (FORMAT csv, HEADER)
                """
            )
            tmp.rename(csv)
            _log(f"  {time.perf_counter() - started:.1f} s")
    finally:
        con.close()
    return {"parquet": parquet, "csv": csv}


# -- what runs in each child process ---------------------------------------------------------


def _child_peer(path: Path, fmt: str, work: Path, unordered: bool) -> dict[str, Any]:
    """DuckDB's own statement into an identical fresh events table."""
    import duckdb

    from fieldnote.events._duckdb_store import SCHEMA_SQL

    con = duckdb.connect(str(work / "peer.duckdb"), config={"memory_limit": "2GB"})
    con.execute(SCHEMA_SQL)
    if unordered:
        con.execute("SET preserve_insertion_order = false")
    reader = f"read_parquet('{path}')" if fmt == "parquet" else f"read_csv('{path}')"
    started, cpu = time.perf_counter(), _cpu()
    row = con.execute(
        f"""
        INSERT INTO events (uuid, project, distinct_id, event, timestamp, properties)
        SELECT uuid, 'bench', distinct_id, event, timestamp, properties FROM {reader}
        """
    ).fetchone()
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    con.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": int(row[0]) if row else 0}


def _child_import(path: Path, home: Path) -> dict[str, Any]:
    """``fieldnote import``'s library call on a store opened as the CLI opens it."""
    from fieldnote._core import Fieldnote
    from fieldnote.config import Settings
    from fieldnote.events.importing import ImportRequest, import_events

    settings = Settings(home=home)
    fn = Fieldnote(settings)
    fn.projects.ensure_default()
    store = fn.open_event_store()
    stages: dict[str, list[float]] = {}  # stage -> [wall s, CPU s]
    last: list[Any] = [time.perf_counter(), _cpu(), ""]

    def on_stage(name: str) -> None:
        now, cpu = time.perf_counter(), _cpu()
        if last[2]:
            stages[str(last[2])] = [round(now - last[0], 2), round(cpu - last[1], 2)]
        last[:] = [now, cpu, name]

    request = ImportRequest(
        path=path,
        project="default",
        oldest_year=settings.oldest_timestamp_year,
    )
    started, cpu = time.perf_counter(), _cpu()
    result = import_events(store.connection, request, on_stage=on_stage)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    on_stage("")
    store.close()
    fn.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "result": result.to_dict(), "stages": stages}


def _run_child(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.import_bench", "--child", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child {args} failed:\n{proc.stdout}\n{proc.stderr}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def _child_main(argv: list[str]) -> None:
    kind, path, fmt, work = argv[0], Path(argv[1]), argv[2], Path(argv[3])
    if kind == "import":
        out = _child_import(path, work)
    else:
        out = _child_peer(path, fmt, work, unordered=kind == "peer-unordered")
    # ru_maxrss is KiB on Linux: the peak of this process, imports and all.
    out["max_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(out, default=str))


# -- the benchmark ------------------------------------------------------------------------------


def _fresh(parent: Path, name: str) -> Path:
    path = parent / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of repeated runs: the one least disturbed by other load."""
    return min(runs, key=lambda r: float(r["seconds"]))


def bench_format(
    fmt: str, path: Path, work: Path, *, peer_unordered: bool, repeat: int
) -> dict[str, Any]:
    _log(f"\n[{fmt}] {path.name} ({path.stat().st_size / 1e9:.2f} GB), {_load()}")
    peers: list[dict[str, Any]] = []
    tuned_runs: list[dict[str, Any]] = []
    firsts: list[dict[str, Any]] = []
    home = work / f"home-{fmt}"
    for attempt in range(repeat):  # interleaved, so a burst of other load hits both
        peers.append(_run_child(["peer", str(path), fmt, str(_fresh(work, "peer"))]))
        shutil.rmtree(work / "peer", ignore_errors=True)
        _log(
            f"  DuckDB INSERT ... SELECT FROM read_{fmt}: {peers[-1]['seconds']:.2f} s "
            f"(CPU {peers[-1]['cpu_seconds']:.2f} s)"
        )
        if peer_unordered:
            tuned_runs.append(
                _run_child(["peer-unordered", str(path), fmt, str(_fresh(work, "peer"))])
            )
            shutil.rmtree(work / "peer", ignore_errors=True)
            _log(
                f"  same, preserve_insertion_order=false: {tuned_runs[-1]['seconds']:.2f} s "
                f"(CPU {tuned_runs[-1]['cpu_seconds']:.2f} s)"
            )
        if attempt:
            shutil.rmtree(home, ignore_errors=True)
        firsts.append(_run_child(["import", str(path), fmt, str(_fresh(work, home.name))]))
        run = firsts[-1]
        _log(
            f"  fieldnote import: {run['seconds']:.2f} s (CPU {run['cpu_seconds']:.2f} s), "
            f"peak RSS {run['max_rss_bytes'] / 2**20:,.0f} MiB, {run['result']}\n"
            f"    stages [wall s, CPU s]: {run['stages']}; {_load()}\n"
            f"    pair {attempt + 1}: wall {run['seconds'] / peers[-1]['seconds']:.2f}x, "
            f"CPU {run['cpu_seconds'] / peers[-1]['cpu_seconds']:.2f}x the peer just before"
        )
    peer, first = _best(peers), _best(firsts)
    tuned = _best(tuned_runs) if tuned_runs else None
    again = _run_child(["import", str(path), fmt, str(home)])
    _log(
        f"  re-import: {again['seconds']:.2f} s (CPU {again['cpu_seconds']:.2f} s), peak RSS "
        f"{again['max_rss_bytes'] / 2**20:,.0f} MiB, {again['result']}"
    )
    shutil.rmtree(home, ignore_errors=True)
    ratio = first["seconds"] / peer["seconds"]
    # Each interleaved pair on its own: the floor must hold for every pair, not only
    # for the best of each side.
    pairs = [i["seconds"] / p["seconds"] for p, i in zip(peers, firsts, strict=True)]
    pair_cpus = [i["cpu_seconds"] / p["cpu_seconds"] for p, i in zip(peers, firsts, strict=True)]
    # CPU: the least of the repeats on each side (the least disturbed by other load).
    peer_cpu = min(float(r["cpu_seconds"]) for r in peers)
    import_cpu = min(float(r["cpu_seconds"]) for r in firsts)
    return {
        "format": fmt,
        "file_bytes": path.stat().st_size,
        "peer_seconds": round(peer["seconds"], 2),
        "peer_cpu_seconds": round(peer_cpu, 2),
        "peer_max_rss_bytes": peer["max_rss_bytes"],
        "peer_unordered_seconds": round(tuned["seconds"], 2) if tuned else None,
        "import_seconds": round(first["seconds"], 2),
        "import_cpu_seconds": round(import_cpu, 2),
        "cpu_ratio": round(import_cpu / peer_cpu, 2),
        "import_max_rss_bytes": max(r["max_rss_bytes"] for r in firsts),
        "import_stages": first["stages"],
        "import_result": first["result"],
        "reimport_seconds": round(again["seconds"], 2),
        "reimport_result": again["result"],
        "reimport_cpu_seconds": round(again["cpu_seconds"], 2),
        "load_average_after": os.getloadavg(),
        "reimport_max_rss_bytes": again["max_rss_bytes"],
        "ratio": round(ratio, 2),
        "ratio_vs_unordered_peer": round(first["seconds"] / tuned["seconds"], 2) if tuned else None,
        "pair_ratios": [round(x, 2) for x in pairs],
        "pair_cpu_ratios": [round(x, 2) for x in pair_cpus],
        "ratio_ok": max(pairs) <= RATIO_FLOOR,
        "rss_ok": max([again["max_rss_bytes"], *(r["max_rss_bytes"] for r in firsts)]) <= RSS_FLOOR,
        "repeat": repeat,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench import", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="events per file")
    parser.add_argument("--formats", default="parquet,csv", help="comma-separated: parquet,csv")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run peer and import N times each, interleaved, and keep the fastest",
    )
    parser.add_argument(
        "--no-unordered-peer",
        action="store_true",
        help="skip the peer run with preserve_insertion_order=false",
    )
    args = parser.parse_args(argv or [])
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    files = generate(args.rows)
    work = Path(tempfile.mkdtemp(prefix="fieldnote-import-bench-", dir=DATA))
    results = []
    try:
        for fmt in formats:
            results.append(
                bench_format(
                    fmt,
                    files[fmt],
                    work,
                    peer_unordered=not args.no_unordered_peer,
                    repeat=max(1, args.repeat),
                )
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    _log(
        f"\n{'format':8} {'rows':>11} {'DuckDB s':>9} {'import s':>9} {'ratio':>6} "
        f"{'DuckDB CPU':>10} {'import CPU':>10} {'CPU ratio':>9} "
        f"{'peak RSS':>9} {'re-import s':>11}"
    )
    for r in results:
        _log(
            f"{r['format']:8} {args.rows:>11,} {r['peer_seconds']:>9.2f} "
            f"{r['import_seconds']:>9.2f} {r['ratio']:>5.2f}x "
            f"{r['peer_cpu_seconds']:>10.2f} {r['import_cpu_seconds']:>10.2f} "
            f"{r['cpu_ratio']:>8.2f}x "
            f"{r['import_max_rss_bytes'] / 2**30:>7.2f}Gi {r['reimport_seconds']:>11.2f}"
        )
    _log(_load())
    for r in results:
        verdict = "ok" if r["ratio_ok"] and r["rss_ok"] else "ABOVE FLOOR"
        extra = (
            f"; {r['ratio_vs_unordered_peer']:.2f}x the unordered peer"
            if r["ratio_vs_unordered_peer"]
            else ""
        )
        _log(
            f"{r['format']}: {r['ratio']:.2f}x DuckDB's INSERT (floor {RATIO_FLOOR}x){extra}; "
            f"pairs {r['pair_ratios']} (CPU {r['pair_cpu_ratios']}), "
            f"peak RSS {r['import_max_rss_bytes'] / 2**30:.2f} GiB (floor 2 GiB): {verdict}"
        )
    return {"rows": args.rows, "cpus": os.cpu_count(), "results": results}


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child_main(sys.argv[2:])
    else:
        main(sys.argv[1:])
