"""Simulated cities: realistic, reproducible sensor feeds for demos, tests and benchmarks.

``Simulation(pilot="parking", sensors=50, rate=10, seed=1)`` describes one simulated city:

* :meth:`Simulation.sources` — the sources the platform must know (id, format, topic filter);
* :meth:`Simulation.register_files` — files to ingest first (the bay register: zones and bays);
* :meth:`Simulation.setup_messages` — messages to publish before the stream (the garages);
* :meth:`Simulation.messages` — the endless stream from a start time, ``rate`` per simulated
  second, so publishing it at ``rate`` per second from ``start = now`` follows the wall clock.

Everything is a pure function of the seed and the times asked: the same seed gives the same
city and the same stream on every machine. :func:`publish` sends a stream to a broker;
:class:`EmbeddedBroker` provides one in-process when none is configured.

A pilot gets a simulator by adding a factory to :data:`FEEDS` (a class following
:class:`core.simulate.feeds.Feed`): parking (garages, TTN bay sensors) and crowding (counting
lines reporting 1-minute passages).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from core.errors import StadspulsError
from core.simulate.crowding_feed import CrowdingFeed
from core.simulate.embedded_broker import EmbeddedBroker, EmbeddedBrokerError
from core.simulate.feeds import (
    Feed,
    ParkingFeed,
    Publication,
    RegisterFile,
    SimulatedSource,
)
from core.simulate.publisher import PublishError, PublishReport, publish

#: Simulator factories by pilot id: ``factory(sensors=..., seed=..., **options)``.
FEEDS: dict[str, Callable[..., Feed]] = {
    "parking": ParkingFeed,
    "crowding": CrowdingFeed,
}


class SimulationError(StadspulsError):
    """A simulation that cannot be set up (unknown pilot, impossible parameters)."""


class Simulation:
    """One simulated city of a pilot: ``sensors`` sensors reporting ``rate`` messages a second."""

    def __init__(
        self,
        pilot: str = "parking",
        sensors: int = 50,
        rate: float = 10.0,
        seed: int = 0,
        **options: Any,
    ) -> None:
        factory = FEEDS.get(pilot)
        if factory is None:
            known = ", ".join(sorted(FEEDS))
            raise SimulationError(
                f"no simulator for pilot '{pilot}'; simulators exist for: {known}"
            )
        if not (math.isfinite(rate) and rate > 0):
            raise SimulationError(
                f"rate must be a positive number of messages per second, not {rate}"
            )
        try:
            self.feed = factory(sensors=sensors, seed=seed, **options)
        except (TypeError, ValueError) as error:
            raise SimulationError(f"cannot simulate {pilot}: {error}") from None
        self.pilot, self.sensors, self.rate, self.seed = pilot, sensors, rate, seed

    def __repr__(self) -> str:
        return (
            f"Simulation(pilot={self.pilot!r}, sensors={self.sensors}, rate={self.rate:g}, "
            f"seed={self.seed})"
        )

    def sources(self) -> list[SimulatedSource]:
        return self.feed.sources()

    def register_files(self) -> list[RegisterFile]:
        return self.feed.register_files()

    def setup_messages(self) -> list[Publication]:
        return self.feed.setup_messages()

    def messages(self, start: datetime) -> Iterator[Publication]:
        """The endless stream from ``start`` (an aware datetime); bound it with ``islice``."""
        return self.feed.messages(start, self.rate)


__all__ = [
    "FEEDS",
    "CrowdingFeed",
    "EmbeddedBroker",
    "EmbeddedBrokerError",
    "Feed",
    "ParkingFeed",
    "Publication",
    "PublishError",
    "PublishReport",
    "RegisterFile",
    "SimulatedSource",
    "Simulation",
    "SimulationError",
    "publish",
]
