"""Simulated sensor feeds: what a city's suppliers would publish, as (topic, payload) pairs.

Parking, the only pilot with feeds so far:

* **Garages** (format ``json``, the handbook's own term names) on
  ``stadspuls/parking/{source}/{garage}``: first one setup message per garage, the site
  (``{"entity": "site", "id", "name", "type": "carPark", "capacity", "lon", "lat"}``), then
  observations ``{"site", "observed_at", "vacant", "capacity"}``.
* **Bay sensors** (format ``ttn``) as The Things Stack v3 uplinks on
  ``v3/{application}@{tenant}/devices/{device}/up`` (see :mod:`core.simulate.ttn`); the registered
  location travels with the first uplink of each device only.
* **The bay register** (format ``json``, JSON Lines): the on-street zones (sites of type
  ``onStreetZone``) and the bays (``{"entity": "bay", "id": device_id, "zone", "device", "lon",
  "lat"}``). An uplink cannot say which zone its bay belongs to, so this file carries the link. It
  must be ingested **under the bay source's id** before the uplinks: the platform keys entities
  and resolves references per source (``{source}:{id}``), so a zone delivered by the garage source
  would be a different site the bays cannot refer to.

Timing: every sensor reports in turn (a fixed, seeded order), one message every ``1/rate`` seconds
of simulated time. Published at ``rate`` messages per second from ``start = now``, the stream's
times follow the wall clock; each sensor reports every ``sensors / rate`` seconds. Observations
are keyed per second, so keep that interval at one second or more for distinct rows, and under
the parking pilot's ``bay_stale_after`` (an hour by default) so bays do not turn unknown.

Another pilot plugs in with a class that follows :class:`Feed` and an entry in
:data:`core.simulate.FEEDS` (crowding counters, once that pilot exists, would be the next).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any, NamedTuple, Protocol

from core.geo import BELGIUM_BOUNDS
from core.simulate.curves import BayChain, garage_vacant, unit
from core.simulate.ttn import Device, rfc3339, uplink, uplink_payload, uplink_topic

#: Gent, Korenmarkt: (longitude, latitude).
GENT = (3.722, 51.054)
GARAGE_RADIUS_KM = 1.5
ZONE_RADIUS_KM = 2.0
BAY_SPACING_M = 6.0
MAX_DEFAULT_GARAGES = 40
_KM_PER_DEGREE = 111.32
_PLACES = (
    "Centrum", "Station", "Markt", "Kaai", "Zuid", "Noord", "Oost", "West", "Ziekenhuis",
    "Stadhuis", "Dokken", "Veemarkt", "Kouter", "Begijnhof", "Universiteit", "Schouwburg",
)  # fmt: skip


class Publication(NamedTuple):
    """One MQTT message to publish."""

    topic: str
    payload: bytes


@dataclass(frozen=True)
class RegisterFile:
    """A file to ingest before the messages (e.g. the bay register), under ``source``."""

    name: str
    content: bytes
    pilot: str
    source: str
    format_id: str


@dataclass(frozen=True)
class SimulatedSource:
    """A source the platform needs to accept a feed; ``topic`` None means the convention."""

    id: str
    pilot: str
    format: str
    topic: str | None = None


class Feed(Protocol):
    """What a pilot's simulator provides; :class:`core.simulate.Simulation` drives it."""

    def sources(self) -> list[SimulatedSource]: ...

    def register_files(self) -> list[RegisterFile]: ...

    def setup_messages(self) -> list[Publication]: ...

    def messages(self, start: datetime, rate: float) -> Iterator[Publication]: ...


@dataclass(frozen=True)
class Garage:
    id: str
    name: str
    capacity: int
    lon: float
    lat: float


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    lon: float
    lat: float
    bays: int


@dataclass(frozen=True)
class Bay:
    device: Device
    zone: str


@dataclass(frozen=True)
class CityLayout:
    garages: tuple[Garage, ...]
    zones: tuple[Zone, ...]
    bays: tuple[Bay, ...]


def _inside_belgium(lon: float, lat: float) -> tuple[float, float]:
    minx, miny, maxx, maxy = BELGIUM_BOUNDS
    margin = 0.01
    return (
        round(min(maxx - margin, max(minx + margin, lon)), 6),
        round(min(maxy - margin, max(miny + margin, lat)), 6),
    )


def _offset(lon: float, lat: float, east_km: float, north_km: float) -> tuple[float, float]:
    dlat = north_km / _KM_PER_DEGREE
    dlon = east_km / (_KM_PER_DEGREE * math.cos(math.radians(lat)))
    return _inside_belgium(lon + dlon, lat + dlat)


def _scatter(
    centre: tuple[float, float], radius_km: float, seed: int, key: str
) -> tuple[float, float]:
    """A point uniformly spread over a disc around ``centre``, kept inside Belgium."""
    distance = radius_km * math.sqrt(unit(seed, key, "distance"))
    angle = 2.0 * math.pi * unit(seed, key, "angle")
    return _offset(*centre, distance * math.cos(angle), distance * math.sin(angle))


def _place(index: int, prefix: str) -> str:
    place = _PLACES[index % len(_PLACES)]
    lap = index // len(_PLACES)
    return f"{prefix} {place}" + (f" {lap + 1}" if lap else "")


def _garage(n: int, seed: int, centre: tuple[float, float]) -> Garage:
    """Garage number ``n``: 150 to 900 spaces, somewhere within 1.5 km of the centre."""
    lon, lat = _scatter(centre, GARAGE_RADIUS_KM, seed, f"garage-{n}")
    capacity = 150 + 10 * int(76 * unit(seed, "garage", n, "capacity"))
    return Garage(f"sim-garage-{n:02d}", _place(n - 1, "Parking"), capacity, lon, lat)


def city_layout(
    garages: int,
    bays: int,
    seed: int = 0,
    *,
    centre: tuple[float, float] = GENT,
    bays_per_zone: int = 20,
) -> CityLayout:
    """Garages around ``centre`` (lon, lat) and bays in rows along streets, grouped in zones."""
    minx, miny, maxx, maxy = BELGIUM_BOUNDS
    if not (minx <= centre[0] <= maxx and miny <= centre[1] <= maxy):
        raise ValueError(f"centre {centre} (lon, lat) lies outside Belgium")
    if garages < 0 or bays < 0 or bays_per_zone < 1:
        raise ValueError("garages and bays must be zero or more, bays_per_zone one or more")
    garage_list = tuple(_garage(n, seed, centre) for n in range(1, garages + 1))
    zones: list[Zone] = []
    bay_list: list[Bay] = []
    for z in range(1, math.ceil(bays / bays_per_zone) + 1):
        size = min(bays_per_zone, bays - len(bay_list))
        lon, lat = _scatter(centre, ZONE_RADIUS_KM, seed, f"zone-{z}")
        zone = Zone(f"sim-zone-{z:02d}", _place(z - 1, "Zone"), lon, lat, size)
        zones.append(zone)
        heading = math.pi * unit(seed, "zone", z, "heading")  # the street's direction
        for i in range(size):
            along = (i - (size - 1) / 2) * BAY_SPACING_M / 1000.0
            bay_lon, bay_lat = _offset(
                lon, lat, along * math.cos(heading), along * math.sin(heading)
            )
            n = len(bay_list) + 1
            device = Device(
                device_id=f"sim-bay-{n:04d}",
                dev_eui=f"70B3D57ED0{(int(unit(seed, 'eui') * 2**24) + n) % 2**24:06X}",
                dev_addr=f"{int(unit(seed, 'addr', n) * 2**32):08X}",
                lon=bay_lon,
                lat=bay_lat,
            )
            bay_list.append(Bay(device, zone.id))
    return CityLayout(garage_list, tuple(zones), tuple(bay_list))


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class ParkingFeed:
    """Garages (json) and TTN bay sensors of one simulated city; ``sensors`` counts both.

    By default a tenth of the sensors are garages (at least one, at most
    :data:`MAX_DEFAULT_GARAGES`), the rest bays.
    """

    sensors: int = 50
    seed: int = 0
    garages: int | None = None
    centre: tuple[float, float] = GENT
    bays_per_zone: int = 20
    garage_source: str = "sim-garages"
    bay_source: str = "sim-bays"
    application: str = "stadspuls-sim"
    tenant: str = "ttn"
    layout: CityLayout = field(init=False)

    def __post_init__(self) -> None:
        if self.sensors < 1:
            raise ValueError(f"a simulation needs one sensor or more, not {self.sensors}")
        garages = self.garages
        if garages is None:
            garages = min(MAX_DEFAULT_GARAGES, max(1, self.sensors // 10))
        if not 0 <= garages <= self.sensors:
            raise ValueError(f"garages ({garages}) must lie between 0 and sensors ({self.sensors})")
        self.layout = city_layout(
            garages,
            self.sensors - garages,
            self.seed,
            centre=self.centre,
            bays_per_zone=self.bays_per_zone,
        )

    def garage_topic(self, garage: str) -> str:
        return f"stadspuls/parking/{self.garage_source}/{garage}"

    @property
    def uplink_filter(self) -> str:
        """The topic filter of the bay source: all uplinks of the TTS application."""
        return uplink_topic(self.application, self.tenant, "+")

    def sources(self) -> list[SimulatedSource]:
        return [
            SimulatedSource(self.garage_source, "parking", "json"),
            SimulatedSource(self.bay_source, "parking", "ttn", self.uplink_filter),
        ]

    def register_files(self) -> list[RegisterFile]:
        if not self.layout.bays:
            return []
        return [
            RegisterFile(
                f"{self.bay_source}-register.jsonl",
                self.bay_register(),
                "parking",
                self.bay_source,
                "json",
            )
        ]

    def bay_register(self) -> bytes:
        """JSON Lines: every zone (an on-street site), then every bay with its zone."""
        lines = [
            {
                "entity": "site",
                "id": zone.id,
                "name": zone.name,
                "type": "onStreetZone",
                "capacity": zone.bays,
                "lon": zone.lon,
                "lat": zone.lat,
                "description": "Simulated on-street zone (stadspuls simulate)",
            }
            for zone in self.layout.zones
        ] + [
            {
                "entity": "bay",
                "id": bay.device.device_id,
                "zone": bay.zone,
                "device": bay.device.dev_eui,
                "lon": bay.device.lon,
                "lat": bay.device.lat,
            }
            for bay in self.layout.bays
        ]
        return b"".join(_json(line) + b"\n" for line in lines)

    def setup_messages(self) -> list[Publication]:
        """One site message per garage, to publish before any observation."""
        return [
            Publication(
                self.garage_topic(garage.id),
                _json(
                    {
                        "entity": "site",
                        "id": garage.id,
                        "name": garage.name,
                        "type": "carPark",
                        "capacity": garage.capacity,
                        "lon": garage.lon,
                        "lat": garage.lat,
                        "description": "Simulated garage (stadspuls simulate)",
                    }
                ),
            )
            for garage in self.layout.garages
        ]

    def garage_observation(self, garage: Garage, at: datetime) -> Publication:
        vacant = garage_vacant(at, garage.capacity, self.seed, garage.id)
        document = {
            "site": garage.id,
            "observed_at": rfc3339(at),
            "vacant": vacant,
            "capacity": garage.capacity,
        }
        return Publication(self.garage_topic(garage.id), _json(document))

    def messages(self, start: datetime, rate: float) -> Iterator[Publication]:
        """Observations and uplinks from ``start`` on, ``rate`` per simulated second, forever."""
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("start has no time zone; pass an aware datetime")
        if not math.isfinite(rate) or rate <= 0:
            raise ValueError(f"rate must be a positive number of messages per second, not {rate}")
        start = start.astimezone(UTC)
        sensors: list[Garage | Bay] = [*self.layout.garages, *self.layout.bays]
        random.Random(self.seed).shuffle(sensors)
        chains: dict[str, BayChain] = {}
        frames: dict[str, int] = {}
        for tick in count():
            at = start + timedelta(seconds=tick / rate)
            sensor = sensors[tick % len(sensors)]
            if isinstance(sensor, Garage):
                yield self.garage_observation(sensor, at)
                continue
            device = sensor.device
            name = device.device_id
            chain = chains.get(name)
            if chain is None:
                chain = chains[name] = BayChain(at, self.seed, name, sensor.zone)
                frames[name] = int(5000 * unit(self.seed, name, "f_cnt"))
            frames[name] += 1
            message = uplink(
                device,
                at,
                chain.at(at),
                frames[name],
                application=self.application,
                tenant=self.tenant,
                seed=self.seed,
                with_location=tick < len(sensors),
            )
            topic = uplink_topic(self.application, self.tenant, name)
            yield Publication(topic, uplink_payload(message))
