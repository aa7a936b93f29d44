"""The sustained-shift test of the seasonal detector: a two-sided CUSUM on the
standardised residuals against the seasonal baseline.

A release that cuts signups by 20 % is, day by day, only two or three spreads below
the baseline: no single day passes the point threshold, and the rolling baseline
absorbs the new level within a week. A CUSUM adds up each day's excess over an
allowance ``k`` (in spreads) and alarms when the sum passes ``h``: a run of moderate
deviations in one direction adds up, noise that changes sign does not.

Two guards keep it honest on real data:

* residuals of consecutive points are correlated (minute data especially; a shared
  baseline does it on daily data too), and a CUSUM that assumes independent points
  then alarms far too often. Each point's standardised residual is divided by
  ``sqrt((1 + rho) / (1 - rho))``, the factor by which lag-1 autocorrelation ``rho``
  inflates the spread of a sum of AR(1) points; ``rho`` is measured on the series'
  own history before the point (no setting per series);
* after an alarm the sums restart from zero and stay there for ``refractory`` points
  (a season), while the baseline takes in the new level: one shift is one alarm.

Both functions are vectorised; ``tests/monitors/test_sustained.py`` checks them
against plain loops.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["autocorrelation_inflation", "cusum_alarms", "lag1_autocorrelation"]

Array = npt.NDArray[np.float64]
#: Points scanned per step of the CUSUM; the scan restarts after each alarm.
BLOCK = 2048
#: Autocorrelation above this is treated as this (the inflation factor stays finite).
MAX_RHO = 0.95


def lag1_autocorrelation(z: Array, min_pairs: int) -> Array:
    """Per point ``t``, the Pearson correlation of the pairs ``(z[i-1], z[i])`` with
    ``i < t`` and both known; NaN with fewer than ``min_pairs`` pairs or no spread."""
    n = z.shape[0]
    out = np.full(n, np.nan)
    if n < 2:
        return out
    a, b = z[:-1], z[1:]
    ok = ~(np.isnan(a) | np.isnan(b))
    a0, b0 = np.where(ok, a, 0.0), np.where(ok, b, 0.0)
    count = np.cumsum(ok)
    sa, sb = np.cumsum(a0), np.cumsum(b0)
    sab, saa, sbb = np.cumsum(a0 * b0), np.cumsum(a0 * a0), np.cumsum(b0 * b0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = count * sab - sa * sb
        var = (count * saa - sa * sa) * (count * sbb - sb * sb)
        rho = np.where((count >= min_pairs) & (var > 1e-12), cov / np.sqrt(var), np.nan)
    # The pair ending at i is known at i + 1: point t sees the pairs up to t - 1.
    out[2:] = rho[: n - 2]
    return out


def autocorrelation_inflation(rho: Array) -> Array:
    """``sqrt((1 + rho) / (1 - rho))`` with ``rho`` clipped to [0, MAX_RHO] (NaN: 0):
    how much wider a sum of correlated points spreads than independent ones'."""
    r = np.clip(np.nan_to_num(rho), 0.0, MAX_RHO)
    return np.asarray(np.sqrt((1 + r) / (1 - r)), dtype=np.float64)


def _cusum(increments: Array, start: float) -> Array:
    """``S_t = max(0, S_{t-1} + x_t)`` from ``S_{-1} = start``, without a loop:
    ``S_t = C_t - min(-start, min_{j<=t} C_j)`` with ``C`` the running sum."""
    c = np.cumsum(increments)
    return np.asarray(c - np.minimum(np.minimum.accumulate(c), -start), dtype=np.float64)


def cusum_alarms(z: Array, k: float, h: float, refractory: int) -> npt.NDArray[np.bool_]:
    """Two-sided CUSUM with allowance ``k`` and decision interval ``h``: True where
    either sum passes ``h``. A NaN point changes neither sum; after an alarm both
    restart at zero and the next ``refractory`` points are skipped."""
    n = z.shape[0]
    alarms = np.zeros(n, dtype=np.bool_)
    known = ~np.isnan(z)
    up = np.where(known, z - k, 0.0)
    down = np.where(known, -z - k, 0.0)
    pos, s_up, s_down = 0, 0.0, 0.0
    while pos < n:
        end = min(pos + BLOCK, n)
        a = _cusum(up[pos:end], s_up)
        b = _cusum(down[pos:end], s_down)
        hit = np.flatnonzero((a > h) | (b > h))
        if hit.size == 0:
            s_up, s_down, pos = float(a[-1]), float(b[-1]), end
            continue
        at = pos + int(hit[0])
        alarms[at] = True
        s_up = s_down = 0.0
        pos = at + refractory + 1
    return alarms
