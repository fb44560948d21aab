"""Occupancy curves: deterministic per seed, bounded, shaped like a Flemish city's day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from core.simulate import curves
from core.simulate.curves import BRUSSELS, BayChain, bay_occupied, day_curve, garage_occupied

TUESDAY = datetime(2026, 3, 10, tzinfo=BRUSSELS)  # winter time, UTC+1
SUMMER_TUESDAY = datetime(2026, 7, 7, tzinfo=BRUSSELS)  # summer time, UTC+2
SATURDAY = datetime(2026, 3, 14, tzinfo=BRUSSELS)
SUNDAY = datetime(2026, 3, 15, tzinfo=BRUSSELS)
GARAGES = [f"sim-garage-{n:02d}" for n in range(1, 21)]


def at(day: datetime, hour: float) -> datetime:
    return (day + timedelta(hours=hour)).astimezone(UTC)


def test_the_same_seed_gives_the_same_values_and_another_seed_others() -> None:
    times = [at(TUESDAY, hour / 4) for hour in range(96)]
    first = [garage_occupied(t, 500, 7, "g") for t in times]
    assert first == [garage_occupied(t, 500, 7, "g") for t in times]
    assert first != [garage_occupied(t, 500, 8, "g") for t in times]
    bays = [bay_occupied(t, 7, "bay-1", "zone-1") for t in times[::8]]
    assert bays == [bay_occupied(t, 7, "bay-1", "zone-1") for t in times[::8]]


@pytest.mark.parametrize("capacity", [0, 1, 37, 600, 2500])
def test_occupancy_stays_within_zero_and_the_capacity(capacity: int) -> None:
    for garage in GARAGES[:5]:
        for step in range(0, 7 * 24 * 60, 23):  # a week, every 23 minutes
            moment = at(TUESDAY, step / 60)
            occupied = garage_occupied(moment, capacity, 3, garage)
            assert 0 <= occupied <= capacity
            assert curves.garage_vacant(moment, capacity, 3, garage) == capacity - occupied


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_a_weekday_night_is_emptier_than_a_weekday_morning(seed: int) -> None:
    for garage in GARAGES:
        assert garage_occupied(at(TUESDAY, 3), 500, seed, garage) < garage_occupied(
            at(TUESDAY, 11), 500, seed, garage
        )


def test_the_day_curve_follows_brussels_local_time_across_daylight_saving() -> None:
    for hour in (3, 8.5, 11, 17, 21):
        assert day_curve(at(TUESDAY, hour)) == pytest.approx(day_curve(at(SUMMER_TUESDAY, hour)))
    assert day_curve(at(TUESDAY, 3)) < 0.15 < 0.8 < day_curve(at(TUESDAY, 11))
    assert day_curve(at(TUESDAY, 7)) < day_curve(at(TUESDAY, 9)) < day_curve(at(TUESDAY, 10))
    assert day_curve(at(TUESDAY, 19)) < day_curve(at(TUESDAY, 16))


def test_weekends_peak_in_shopping_hours_and_sundays_stay_lower() -> None:
    assert day_curve(at(SATURDAY, 9)) < day_curve(at(TUESDAY, 9))
    assert day_curve(at(SATURDAY, 9)) < day_curve(at(SATURDAY, 15))
    assert day_curve(at(SUNDAY, 15)) < day_curve(at(SATURDAY, 15))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        day_curve(datetime(2026, 3, 10, 11))


def test_garages_move_smoothly_between_consecutive_reports() -> None:
    moments = [at(TUESDAY, 11) + timedelta(seconds=30 * n) for n in range(120)]
    values = [garage_occupied(t, 1000, 5, "g") for t in moments]
    assert max(abs(b - a) for a, b in pairwise(values)) <= 20
    assert len(set(values)) > 5  # but they do move


def test_bays_fill_up_during_the_day_and_flip_now_and_then() -> None:
    bays = [(f"bay-{n}", f"zone-{n % 5}") for n in range(200)]
    night = sum(bay_occupied(at(TUESDAY, 3), 1, bay, zone) for bay, zone in bays)
    morning = sum(bay_occupied(at(TUESDAY, 11), 1, bay, zone) for bay, zone in bays)
    assert night < 0.5 * len(bays) < morning
    chain = BayChain(at(TUESDAY, 8), 1, "bay-1", "zone-1")
    states = [chain.at(at(TUESDAY, 8) + timedelta(minutes=m)) for m in range(0, 12 * 60, 5)]
    flips = sum(a != b for a, b in pairwise(states))
    assert 2 <= flips <= 60


def test_walking_a_bay_forward_agrees_with_asking_at_each_time() -> None:
    start = at(TUESDAY, 6)
    for n in range(10):
        chain = BayChain(start, 9, f"bay-{n}", "zone")
        for minutes in range(0, 16 * 60, 37):
            moment = start + timedelta(minutes=minutes)
            assert chain.at(moment) == bay_occupied(moment, 9, f"bay-{n}", "zone")
    with pytest.raises(ValueError, match="forward"):
        chain.at(start)
