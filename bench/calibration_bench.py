"""Statistical calibration of ``fieldnote.evidence.compare_groups`` (issue 9).

On simulated studies with a known true effect, how often does the 95 % bootstrap
interval contain the truth (should be ≈ 95 %), and on studies with no effect, how
often is p < 0.05 (should be ≈ 5 %)? Each rate is printed with its own 95 % Wilson
interval over the seeds, per scenario (``fieldnote.evidence.SCENARIOS``: active days
out of 7, 30 vs 50 people; 0/1 conversion, 40 vs 60) and per test (Mann-Whitney,
permutation). Power (p < 0.05 when the effect is real) is printed for context. No
timing: these are statistical properties, the same on any machine.

Usage: ``python -m bench calibration [--seeds 1000] [--permutation-seeds 300]``.
"""

from __future__ import annotations

import argparse
from typing import Any

from fieldnote.evidence import SCENARIOS, calibrate


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench calibration")
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--permutation-seeds", type=int, default=300)
    args = parser.parse_args(argv)
    rows = []
    for name, scenario in SCENARIOS.items():
        for test, seeds in (("mann-whitney", args.seeds), ("permutation", args.permutation_seeds)):
            result = calibrate(scenario, seeds, test=test).to_dict()
            rows.append(result)
            cov, fpr, power = result["coverage_ci"], result["false_positive_ci"], result["power_ci"]
            print(
                f"{name:<11} {test:<13} seeds {seeds:>5}  "
                f"coverage {result['coverage']:.3f} [{cov[0]:.3f}, {cov[1]:.3f}]  "
                f"FPR {result['false_positive_rate']:.3f} [{fpr[0]:.3f}, {fpr[1]:.3f}]  "
                f"power {result['power']:.3f} [{power[0]:.3f}, {power[1]:.3f}]",
                flush=True,
            )
    return {"target_coverage": 0.95, "target_fpr": 0.05, "results": rows}
