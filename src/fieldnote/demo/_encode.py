"""From a ``Simulation`` (indexes) to Arrow batches in the event store's schema.

Properties JSON is assembled by gathering precomputed fragments and joining them
element-wise in Arrow (``{`` + person context + plan + app_version + event part + ``}``),
so encoding a million events costs a few Arrow kernels, not a million ``dumps``.
Distinct ids and event uuids (time-ordered UUIDv7, random bits from the seeded stream)
are hex-encoded straight from numpy bytes for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from fieldnote.demo._catalog import (
    CATALOG,
    COMPANY_SIZES,
    COUNTRIES,
    DESKTOP_BROWSERS,
    DESKTOP_OS,
    PLANS,
    ROLES,
    SIGNUP_METHODS,
    Ctx,
    fragment,
    utm_fragment,
    utm_table,
)
from fieldnote.demo._scenario import CHANNELS, PLATFORMS
from fieldnote.demo._simulate import DAY, S, Simulation
from fieldnote.events import ARROW_SCHEMA

__all__ = ["Encoder"]

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)

ADJECTIVES = (
    "amber", "arctic", "bold", "brisk", "cedar", "clear", "copper", "coral", "crisp", "daring",
    "eager", "east", "fern", "frank", "gentle", "golden", "granite", "green", "harbor", "hazel",
    "indigo", "iron", "jade", "keen", "lunar", "maple", "mellow", "north", "oak", "opal",
    "pine", "plain", "quiet", "rapid", "river", "rustic", "sage", "silver", "solar", "south",
    "steady", "stone", "swift", "tidal", "upland", "vivid", "west", "willow",
)  # fmt: skip
NOUNS = (
    "anchor", "arrow", "beacon", "bridge", "canyon", "compass", "crest", "delta", "falcon",
    "field", "forge", "frame", "garden", "gate", "grove", "harvest", "haven", "hill", "island",
    "kettle", "lantern", "ledger", "loom", "meadow", "mill", "orbit", "otter", "parcel", "peak",
    "pier", "pixel", "quarry", "ridge", "rocket", "sail", "signal", "spark", "spring", "summit",
    "thread", "tower", "trail", "vale", "vector", "wave", "wharf", "works", "yard",
)  # fmt: skip
SUFFIXES = ("", " Labs", " Inc", " Group", " Co", " Systems", " Studio", " Analytics")


def _devices() -> list[dict[str, str]]:
    """Index 0-15: desktop (os * 4 + browser); 16 iOS app; 17 Android app; 18-19 mobile web."""
    out = [
        {"$lib": "web", "$os": os_, "$browser": browser, "$device_type": "Desktop"}
        for os_ in DESKTOP_OS
        for browser in DESKTOP_BROWSERS
    ]
    out.append({"$lib": "posthog-ios", "$os": "iOS", "$device_type": "Mobile"})
    out.append({"$lib": "posthog-android", "$os": "Android", "$device_type": "Mobile"})
    out.append({"$lib": "web", "$os": "iOS", "$browser": "Mobile Safari", "$device_type": "Mobile"})
    out.append(
        {"$lib": "web", "$os": "Android", "$browser": "Chrome Mobile", "$device_type": "Mobile"}
    )
    return out


def hex_strings(raw: np.ndarray, *, dashes: tuple[int, ...] = ()) -> pa.Array:
    """Lowercase hex of each row of a uint8 matrix, with '-' before the given hex offsets."""
    n, k = raw.shape
    hexed = np.empty((n, 2 * k), np.uint8)
    hexed[:, 0::2] = _HEX[raw >> 4]
    hexed[:, 1::2] = _HEX[raw & 15]
    if dashes:
        hexed = np.insert(hexed, list(dashes), ord("-"), axis=1)
    width = hexed.shape[1]
    data = pa.py_buffer(np.ascontiguousarray(hexed).tobytes())
    offsets = pa.py_buffer((np.arange(n + 1, dtype=np.int32) * width).tobytes())
    return pa.Array.from_buffers(pa.string(), n, [None, offsets, data])


UUID_DASHES = (8, 12, 16, 20)


def uuid4_strings(raw: np.ndarray) -> pa.Array:
    """Random (version 4) UUID strings from 16 random bytes per row."""
    b = raw.copy()
    b[:, 6] = 0x40 | (b[:, 6] & 0x0F)
    b[:, 8] = 0x80 | (b[:, 8] & 0x3F)
    return hex_strings(b, dashes=UUID_DASHES)


def uuid7_strings(ts_us: np.ndarray, rand: np.ndarray) -> pa.Array:
    """Time-ordered UUIDv7 strings (as PostHog SDKs send): 48-bit ms time + 74 random bits."""
    ms = (ts_us // 1000).astype(np.uint64)
    b = np.empty((ts_us.shape[0], 16), np.uint8)
    for i in range(6):
        b[:, i] = ((ms >> np.uint64(8 * (5 - i))) & np.uint64(0xFF)).astype(np.uint8)
    b[:, 6:] = rand
    b[:, 6] = 0x70 | (b[:, 6] & 0x0F)
    b[:, 8] = 0x80 | (b[:, 8] & 0x3F)
    return hex_strings(b, dashes=UUID_DASHES)


def _take(values: pa.Array, idx: np.ndarray) -> pa.Array:
    return values.take(pa.array(np.asarray(idx, np.int64)))


def _join(*parts: pa.Array | str) -> pa.Array:
    out: pa.Array = pc.binary_join_element_wise(*parts, "")
    return out


@dataclass(frozen=True)
class Encoder:
    """Person-level tables computed once; ``batch(lo, hi)`` encodes an event slice."""

    sim: Simulation
    anon_ids: pa.Array  # per person
    user_ids: pa.Array  # per person ("" for visitors)
    ctx_fragments: pa.Array  # Ctx * persons + person → leading JSON members
    version_bounds: np.ndarray  # event timestamps where app_version changes

    @classmethod
    def build(cls, sim: Simulation) -> Encoder:
        n, p = sim.n_users, sim.n_persons
        anon_ids = uuid4_strings(sim.anon_raw)
        user_ids = pa.concat_arrays(
            [_join("usr_", hex_strings(sim.user_hex)), pa.array([""] * (p - n), pa.string())]
        )
        devices = pa.array([fragment(d)[1:] for d in _devices()], pa.string())
        head = _take(devices, sim.device)
        is_app_user = np.zeros(p, bool)
        is_app_user[:n] = sim.platform[:n] > 0
        platform_frags = pa.array([fragment({"platform": x}) for x in PLATFORMS], pa.string())
        channel_frags = pa.array([fragment({"channel": x}) for x in CHANNELS], pa.string())
        country_frags = pa.array([fragment({"country": x}) for x in COUNTRIES], pa.string())
        method_frags = pa.array([fragment({"signup_method": x}) for x in SIGNUP_METHODS])
        rows = utm_table()
        width = max(len(r) for r in rows)
        utm = ["" for _ in range(len(rows) * width)]
        landing = list(utm)
        for g, options in enumerate(rows):
            for i, (source, medium, campaign, referrer, _) in enumerate(options):
                utm[g * width + i] = utm_fragment(source, medium, campaign)
                landing[g * width + i] = utm[g * width + i] + fragment(
                    {"$referring_domain": referrer}
                )
        utm_idx = sim.group * width + sim.utm
        platform = _take(platform_frags, sim.platform)
        anon = pc.if_else(pa.array(is_app_user), _join(head, platform), head)
        app = _join(
            head, platform, _take(channel_frags, sim.channel), _take(country_frags, sim.country)
        )
        signup_methods = np.zeros(p, np.int64)
        signup_methods[:n] = sim.signup_method
        signup = _join(
            app,
            _take(pa.array(utm, pa.string()), utm_idx),
            pc.if_else(
                pa.array(np.arange(p) < n), _take(method_frags, signup_methods), pa.scalar("")
            ),
        )
        identify = _join(
            app,
            pa.concat_arrays(
                [_identify(sim, anon_ids, user_ids), pa.array([""] * (p - n), pa.string())]
            ),
        )
        ctx = pa.concat_arrays(
            [
                anon,
                _join(head, _take(pa.array(landing, pa.string()), utm_idx)),
                app,
                signup,
                identify,
            ]
        )
        bounds = np.array(
            [int(r.at.timestamp()) * S for r in sorted(sim.scenario.releases, key=lambda r: r.at)]
        )
        return cls(
            sim=sim, anon_ids=anon_ids, user_ids=user_ids, ctx_fragments=ctx, version_bounds=bounds
        )

    def batch(self, lo: int, hi: int) -> pa.Table:
        sim = self.sim
        ts = sim.ts[lo:hi]
        person = sim.person[lo:hi]
        ctx = sim.ctx[lo:hi]
        anonymous = ctx < Ctx.APP
        n = ts.shape[0]
        user = np.where(person < sim.n_users, person, 0)  # visitors: anonymous, no plan
        upgraded = ts >= sim.upgrade_ts[user]
        plan = np.where(upgraded, sim.plan_to[user], sim.plan0[user]) + 1
        plan = np.where(anonymous, 0, plan)
        version = np.where(anonymous, 0, 1 + np.searchsorted(self.version_bounds, ts, "right"))
        properties = _join(
            "{",
            _take(self.ctx_fragments, ctx.astype(np.int64) * sim.n_persons + person),
            _take(CATALOG.plan_fragments, plan),
            _take(CATALOG.version_fragments, version),
            _take(CATALOG.fragments, sim.row[lo:hi]),
            "}",
        )
        distinct_id = pc.if_else(
            pa.array(anonymous), _take(self.anon_ids, person), _take(self.user_ids, person)
        )
        return pa.Table.from_arrays(
            [
                uuid7_strings(ts, sim.uuid_raw[lo:hi]),
                _take(pa.array([sim.scenario.config.project], pa.string()), np.zeros(n, np.int64)),
                distinct_id,
                _take(CATALOG.names, sim.row[lo:hi]),
                pa.array(ts, pa.timestamp("us", tz="UTC")),
                properties,
            ],
            schema=ARROW_SCHEMA,
        )

    def batches(self, rows: int) -> Iterator[pa.Table]:
        for lo in range(0, self.sim.n_events, rows):
            yield self.batch(lo, min(lo + rows, self.sim.n_events))


def _plan_when_identified(sim: Simulation) -> np.ndarray:
    """Warm-up users identify at their first event in the window, maybe after an upgrade."""
    start_us = int(sim.scenario.config.start_at.timestamp()) * S
    at = np.maximum(sim.signup_ts, start_us)
    return np.where(sim.upgrade_ts < at, sim.plan_to, sim.plan0)


def _identify(sim: Simulation, anon_ids: pa.Array, user_ids: pa.Array) -> pa.Array:
    """``$anon_distinct_id``, ``$set`` and ``$set_once`` of each user's ``$identify``."""
    n = sim.n_users
    dates = (sim.signup_ts // DAY).astype("datetime64[D]").astype(str).tolist()
    rows = utm_table()
    companies = [
        f"{ADJECTIVES[a].title()} {NOUNS[b].title()}{SUFFIXES[c]}"
        for a, b, c in sim.company.tolist()
    ]
    out: list[str] = []
    for anon, uid, company, size, role, plan, platform, group, utm, channel, country, day in zip(
        anon_ids.slice(0, n).to_pylist(),
        user_ids.slice(0, n).to_pylist(),
        companies,
        sim.size.tolist(),
        sim.role.tolist(),
        _plan_when_identified(sim).tolist(),
        sim.platform[:n].tolist(),
        sim.group[:n].tolist(),
        sim.utm[:n].tolist(),
        sim.channel[:n].tolist(),
        sim.country[:n].tolist(),
        dates,
        strict=True,
    ):
        source, _, _, referrer, _ = rows[group][utm]
        set_once = {"initial_channel": CHANNELS[channel]}
        if source:
            set_once["initial_utm_source"] = source
        set_once["initial_referring_domain"] = referrer
        slug = company.lower().replace(" ", "-")
        person = {
            "email": f"{uid[4:12]}@{slug}.example",
            "company": company,
            "company_size": COMPANY_SIZES[size],
            "role": ROLES[role],
            "plan": PLANS[plan],
            "platform": PLATFORMS[platform],
            "channel": CHANNELS[channel],
            "country": COUNTRIES[country],
            "signup_date": day,
        }
        out.append(
            ","
            + orjson.dumps(
                {"$anon_distinct_id": anon, "$set": person, "$set_once": set_once}
            ).decode()[1:-1]
        )
    return pa.array(out, pa.string())
