"""Run benchmarks: ``python -m bench`` (all) or ``python -m bench ingest import``.

Each benchmark is a module ``bench/<name>_bench.py`` (or ``bench/<name>.py``) with a
``main(argv) -> dict`` that prints its own figures and ratios against the peer named
in its issue, measured in the same run on the same data. Results are also written to
``bench/results/<name>.json``.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(HERE.glob("*.py")):
        if path.name.startswith("_"):
            continue
        name = path.stem.removesuffix("_bench")
        found[name] = f"bench.{path.stem}"
    return found


def main(argv: list[str]) -> int:
    benches = available()
    first_flag = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    wanted = argv[:first_flag] or list(benches)
    extra = argv[first_flag:]
    unknown = [w for w in wanted if w not in benches]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(benches)}")
        return 2
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    for name in wanted:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(benches[name])
        result = module.main(extra)
        result = {"benchmark": name, "seconds": round(time.perf_counter() - started, 1), **result}
        (results_dir / f"{name}.json").write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
