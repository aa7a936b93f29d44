"""CPU time from Linux ``/proc``: one parser for the benches that bill server CPU.

Throughput follows the machine's load; CPU seconds per request do not (much), so the
ingest benches read the server's CPU (and its threads' and children's) from
``/proc/PID/stat`` and ``/proc/PID/task/TID/stat``. Where ``/proc`` is missing (not
Linux) or a process or thread is gone, its reading is 0 or left out.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["children", "stat_cpu_seconds", "threads_cpu", "tree_cpu_seconds"]


def stat_cpu_seconds(stat: Path) -> float | None:
    """User + system CPU seconds in a ``stat`` file (fields 14 and 15, ``utime`` and
    ``stime``); None when it cannot be read. The command name (field 2) may hold
    spaces and parentheses, so fields are counted after its last ``)``."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (every thread's ``children`` list)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in task.read_text().split()]
        except OSError:
            continue
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds so far of ``pid`` and every live descendant (a server's child
    process, e.g. the intercept matcher, is the server's bill too); 0 without /proc."""
    own = stat_cpu_seconds(Path(f"/proc/{pid}/stat"))
    if own is None:
        return 0.0
    return own + sum(tree_cpu_seconds(child) for child in children(pid))


def threads_cpu(pid: int) -> dict[int, float]:
    """CPU seconds so far of each live thread of ``pid``, by thread id."""
    out: dict[int, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        seconds = stat_cpu_seconds(task / "stat")
        if seconds is not None:
            out[int(task.name)] = seconds
    return out
