"""Deterministic, seedable occupancy: pure functions of (time, seed, key).

The shape is one daily curve in Brussels local time (:func:`day_curve`): on weekdays a morning
rise between about 8 and 10 h, a plateau through the working day and an evening fall; on
Saturdays the peak moves to shopping hours; Sundays stay low. Public holidays are not modelled.

* A garage's occupancy (:func:`garage_occupied`) is that curve, scaled and shifted by a per-garage
  character, plus smooth value noise (random values at fixed knots, cosine-interpolated), so
  consecutive observations move like a real counter instead of jumping.
* An on-street bay (:func:`bay_occupied`) is a two-state Markov chain in one-minute slots: cars
  arrive at a rate that follows the zone's curve and stay :data:`MEAN_STAY_MINUTES` on average.
  Every slot draws one uniform number from ``(seed, bay, slot)`` and the step is monotone
  (coupled), so chains started in any state agree after the first arrival or departure. The
  state at a time is therefore the chain run from a fixed anchor :data:`WARMUP_SLOTS` before it,
  and a walk forward (:class:`BayChain`) gives the same states as asking at each time.

Randomness comes from BLAKE2b over the seed and keys, never from ``hash()`` (salted per process)
or a shared ``random`` state, so the same seed gives the same city on every machine.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from hashlib import blake2b
from itertools import pairwise
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")

#: Occupancy of a typical city-centre garage by local hour, as (hour, fraction) knots.
WEEKDAY: tuple[tuple[float, float], ...] = (
    (0, 0.08),
    (6, 0.08),
    (7.5, 0.22),
    (9, 0.70),
    (10, 0.86),
    (12, 0.88),
    (13.5, 0.84),
    (15, 0.86),
    (16.5, 0.78),
    (18, 0.46),
    (20, 0.28),
    (22, 0.15),
    (24, 0.08),
)
SATURDAY: tuple[tuple[float, float], ...] = (
    (0, 0.10),
    (8, 0.08),
    (10, 0.30),
    (12, 0.74),
    (14, 0.86),
    (16, 0.90),
    (17.5, 0.72),
    (19, 0.42),
    (21, 0.26),
    (24, 0.10),
)
SUNDAY: tuple[tuple[float, float], ...] = (
    (0, 0.10),
    (9, 0.07),
    (11, 0.20),
    (13, 0.45),
    (15, 0.55),
    (17, 0.45),
    (19, 0.25),
    (24, 0.10),
)

#: Seconds between the knots of the slow and the fast garage noise, and their amplitudes.
SLOW_NOISE = (900.0, 0.05)
FAST_NOISE = (120.0, 0.015)

#: On-street bays: residents keep a floor of parked cars; the day adds the rest.
STREET_FLOOR = 0.30
STREET_SPAN = 0.65
MEAN_STAY_MINUTES = 40.0
SLOT_SECONDS = 60
#: Slots simulated before the asked time; six hours leaves a chance below 1e-3 that the coupled
#: chains have not met yet (a departure alone comes every 40 minutes on average).
WARMUP_SLOTS = 360
#: Occupancy kept away from 0 and 1, so both transitions stay possible.
_LEVEL_BOUNDS = (0.02, 0.97)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"time {at.isoformat()} has no time zone; pass an aware datetime")
    return at


def unit(seed: int, *parts: object) -> float:
    """A uniform number in [0, 1) determined by ``seed`` and ``parts`` (stable everywhere)."""
    text = "\x1f".join([str(seed), *(str(part) for part in parts)])
    digest = blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def _cosine(a: float, b: float, t: float) -> float:
    weight = (1.0 - math.cos(math.pi * t)) / 2.0
    return a + (b - a) * weight


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(high, max(low, value))


def day_curve(at: datetime) -> float:
    """The shared daily shape in [0, 1] at ``at`` (Brussels local time, DST included)."""
    local = _aware(at).astimezone(BRUSSELS)
    hour = local.hour + local.minute / 60.0 + local.second / 3600.0
    knots = SUNDAY if local.weekday() == 6 else SATURDAY if local.weekday() == 5 else WEEKDAY
    for (h0, v0), (h1, v1) in pairwise(knots):
        if h0 <= hour <= h1:
            return _cosine(v0, v1, (hour - h0) / (h1 - h0))
    return knots[-1][1]


def value_noise(seconds: float, period: float, seed: int, key: str) -> float:
    """Smooth noise in [-1, 1]: random values every ``period`` seconds, cosine-interpolated."""
    knot = math.floor(seconds / period)
    fraction = seconds / period - knot
    a = 2.0 * unit(seed, key, period, knot) - 1.0
    b = 2.0 * unit(seed, key, period, knot + 1) - 1.0
    return _cosine(a, b, fraction)


def character(seed: int, key: str) -> tuple[float, float]:
    """A site's own (peak scale, shift in minutes): some garages fill up, some open later."""
    scale = 0.70 + 0.40 * unit(seed, key, "scale")
    shift = -40.0 + 80.0 * unit(seed, key, "shift")
    return scale, shift


def garage_occupancy(at: datetime, seed: int, garage: str) -> float:
    """The occupied fraction in [0, 1] of garage ``garage`` at ``at``."""
    at = _aware(at)
    scale, shift = character(seed, garage)
    level = day_curve(at - timedelta(minutes=shift)) * scale
    seconds = at.timestamp()
    for period, amplitude in (SLOW_NOISE, FAST_NOISE):
        level += amplitude * value_noise(seconds, period, seed, garage)
    return _clamp(level)


def garage_occupied(at: datetime, capacity: int, seed: int, garage: str) -> int:
    """Occupied spaces in [0, ``capacity``] of garage ``garage`` at ``at``."""
    if capacity < 0:
        raise ValueError(f"capacity {capacity} is negative")
    return min(capacity, max(0, round(capacity * garage_occupancy(at, seed, garage))))


def garage_vacant(at: datetime, capacity: int, seed: int, garage: str) -> int:
    """Vacant spaces in [0, ``capacity``]: the capacity minus :func:`garage_occupied`."""
    return capacity - garage_occupied(at, capacity, seed, garage)


def street_occupancy(at: datetime, seed: int, zone: str) -> float:
    """The expected occupied fraction of an on-street zone at ``at``."""
    scale, shift = character(seed, zone)
    level = STREET_FLOOR + STREET_SPAN * scale * day_curve(_aware(at) - timedelta(minutes=shift))
    return _clamp(level, *_LEVEL_BOUNDS)


def slot_of(at: datetime) -> int:
    """The index of the one-minute slot holding ``at`` (slots are anchored at the Unix epoch)."""
    return math.floor(_aware(at).timestamp() / SLOT_SECONDS)


def slot_start(slot: int) -> datetime:
    """The UTC start of slot ``slot``."""
    return datetime.fromtimestamp(slot * SLOT_SECONDS, UTC)


@lru_cache(maxsize=65536)
def _transition_probabilities(seed: int, zone: str, slot: int) -> tuple[float, float]:
    """(arrival, departure) probabilities in one slot, from the zone's level at its middle."""
    level = street_occupancy(slot_start(slot) + timedelta(seconds=SLOT_SECONDS / 2), seed, zone)
    departure_rate = SLOT_SECONDS / 60.0 / MEAN_STAY_MINUTES
    arrival_rate = departure_rate * level / (1.0 - level)  # stationary share == level
    return 1.0 - math.exp(-arrival_rate), 1.0 - math.exp(-departure_rate)


def bay_step(occupied: bool, slot: int, seed: int, bay: str, zone: str) -> bool:
    """The bay's state after ``slot``, given its state before (a monotone coupled step)."""
    arrive, depart = _transition_probabilities(seed, zone, slot)
    draw = unit(seed, bay, slot)
    if draw < arrive:
        return True
    if draw >= 1.0 - depart:
        return False
    return occupied


def bay_occupied(at: datetime, seed: int, bay: str, zone: str | None = None) -> bool:
    """Whether bay ``bay`` (in ``zone``, by default its own curve) is occupied at ``at``."""
    zone = zone or bay
    end = slot_of(at)
    occupied = False
    for slot in range(end - WARMUP_SLOTS, end):
        occupied = bay_step(occupied, slot, seed, bay, zone)
    return occupied


class BayChain:
    """One bay walked forward in time; agrees with :func:`bay_occupied` at every time asked."""

    def __init__(self, start: datetime, seed: int, bay: str, zone: str | None = None) -> None:
        self.seed, self.bay, self.zone = seed, bay, zone or bay
        self.slot = slot_of(start)
        self.occupied = bay_occupied(start, seed, bay, self.zone)

    def at(self, when: datetime) -> bool:
        """The state at ``when``; times must not go backwards."""
        end = slot_of(when)
        if end < self.slot:
            raise ValueError("a bay chain only walks forward in time")
        for slot in range(self.slot, end):
            self.occupied = bay_step(self.occupied, slot, self.seed, self.bay, self.zone)
        self.slot = end
        return self.occupied
