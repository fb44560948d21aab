"""The live parts of the demo and of ``stadspuls simulate``: sources, broker, simulator, worker.

``prepare_simulation`` makes the platform ready to accept a simulated city (its sources and the
bay register); ``LiveDemo`` runs an embedded broker when none is configured, the simulator and
an ingest worker in background threads, so ``stadspuls demo`` shows data changing live.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from core.ingest.files import FileJob, process_file
from core.ingest.mqtt import MqttConsumer
from core.pilot import Pilot, Registry
from core.settings import MqttSettings
from core.simulate import EmbeddedBroker, RegisterFile, Simulation, publish
from core.sources import Source, add_source, list_sources

#: The city and supplier the demo's simulated sources are registered under, so the city
#: dashboard has a city to show.
DEMO_CITY = "gent"
DEMO_SUPPLIER = "stadspuls-simulator"


def prepare_simulation(simulation: Simulation, registry: Registry, engine: Engine) -> None:
    """Register the simulation's sources (once) and ingest its register files."""
    known = {source.id for source in list_sources(engine)}
    for simulated in simulation.sources():
        if simulated.id not in known:
            add_source(
                engine,
                registry,
                Source(
                    id=simulated.id,
                    pilot=simulated.pilot,
                    format=simulated.format,
                    topic=simulated.topic,
                    city=DEMO_CITY,
                    supplier=DEMO_SUPPLIER,
                ),
            )
    for register in simulation.register_files():
        _ingest_register(registry.get(register.pilot), engine, register)


def _ingest_register(pilot: Pilot, engine: Engine, register: RegisterFile) -> None:
    """Ingest a simulation's register file through the ordinary file path."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / register.name
        path.write_bytes(register.content)
        process_file(
            pilot,
            pilot.adapter(register.format_id),
            FileJob(path, register.source),
            engine,
            dry_run=False,
        )


@dataclass
class LiveDemo:
    """Broker (embedded unless configured), simulators and ingest worker for the demo.

    Garages and bay sensors publish at ``rate`` messages a second; ``counters`` pedestrian
    counters publish their count of every minute, so the crowding collections fill too.
    """

    registry: Registry
    engine: Engine
    sensors: int = 60
    rate: float = 20.0
    counters: int = 12
    broker: EmbeddedBroker | None = None
    consumer: MqttConsumer | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def start(self) -> str:
        """Start everything; returns the broker URL in use."""
        from core.cli.mqtt import build_consumer

        settings = MqttSettings()
        if settings.mqtt_url:
            self.url = settings.mqtt_url
        else:
            self.broker = EmbeddedBroker()
            self.url = self.broker.start()
        simulation = Simulation("parking", sensors=self.sensors, rate=self.rate)
        counters = Simulation("crowding", sensors=self.counters, rate=self.counters / 60)
        for prepared in (simulation, counters):
            prepare_simulation(prepared, self.registry, self.engine)
        self.consumer, _router = build_consumer(settings, self.registry, self.engine, self.url)
        self.consumer.start()
        self.consumer.wait_subscribed(10)
        for name, simulated in (("simulator", simulation), ("counters", counters)):
            threading.Thread(
                target=self._simulate, args=(simulated,), daemon=True, name=f"stadspuls-{name}"
            ).start()
        return self.url

    def _simulate(self, simulation: Simulation) -> None:
        publish(self.url, simulation.setup_messages(), rate_per_second=self.rate * 5)
        publish(
            self.url, simulation.messages(datetime.now(UTC)), simulation.rate, stop=self.stop_event
        )

    def stop(self) -> None:
        self.stop_event.set()
        if self.consumer is not None:
            self.consumer.stop()
        if self.broker is not None:
            self.broker.stop()


__all__ = ["LiveDemo", "prepare_simulation"]
