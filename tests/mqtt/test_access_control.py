"""The generated password and ACL files, loaded by a real Mosquitto started for each test.

The broker gets exactly what ``stadspuls mqtt-access write`` produces: the ``passwords`` and
``acl`` files and the config lines, through ``include_dir``. Two suppliers, acme and brugo,
each deliver sources; the ingest account reads for the worker. A refused publication must not
reach the worker: the tests publish a marker on an allowed topic afterwards and check that the
marker arrived and the refused message did not (a broker delivers one publisher's messages in
order, so there is nothing left to wait for).
"""

from __future__ import annotations

import dataclasses
import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from core.cli.mqtt_access import mqtt_access_app
from core.ingest.mqtt import parse_broker_url
from core.mqtt_access.files import render_access_files, write_access_files
from core.mqtt_access.passwords import hash_password, new_password
from core.mqtt_access.rules import plan_access
from tests.mqtt.access import NOT_AUTHORIZED, Account, Binding, Probe
from tests.mqtt.broker import Mosquitto, Sink, new_client_id, wait_until
from tests.mqtt.conftest import ConsumerFactory

SOURCES = [
    Binding("gent-garages", "acme", "stadspuls/parking/gent-garages/#"),
    Binding("brugge-bays", "brugo", "stadspuls/parking/brugge-bays/#"),
    Binding("kortrijk-bays", "brugo", "v3/kortrijk@ttn/devices/+/up"),
    # acme's broad binding overlaps brugo's narrower one, which claims those topics
    Binding("acme-ttn", "acme", "v3/+/devices/+/up"),
    Binding("leuven-counters", None, "stadspuls/crowding/leuven-counters/#"),
]


class SecuredBroker:
    """A Mosquitto with generated access files, and the clear passwords the test may use."""

    def __init__(self, directory: Path) -> None:
        self.access_dir = directory / "access"
        self.passwords = {name: new_password() for name in ("ingest", "acme", "brugo")}
        self.roles = {"ingest": "ingest", "acme": "supplier", "brugo": "supplier"}
        self.hashes = {name: hash_password(pw) for name, pw in self.passwords.items()}
        self.sources = list(SOURCES)
        self.write_files()
        include = f"include_dir {self.access_dir}\n"
        self.mosquitto = Mosquitto(directory / "mosquitto", extra=include)
        self.probes: list[Probe] = []

    def write_files(self) -> None:
        accounts = [Account(n, self.roles[n], h) for n, h in self.hashes.items()]
        plan = plan_access(accounts, self.sources)
        files = render_access_files(plan, accounts, str(self.access_dir))
        write_access_files(files, self.access_dir)

    def probe(self, username: str | None, password: str | None = None, protocol: int = 5) -> Probe:
        if username is not None and password is None:
            password = self.passwords[username]
        probe = Probe(self.mosquitto.port, username, password, protocol)
        self.probes.append(probe)
        return probe

    def connected(self, username: str, protocol: int = 5) -> Probe:
        probe = self.probe(username, protocol=protocol)
        assert probe.connect() == 0, self.mosquitto.log()
        return probe

    def url(self, username: str) -> str:
        return f"mqtt://{username}:{self.passwords[username]}@127.0.0.1:{self.mosquitto.port}"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[SecuredBroker]:
    secured = SecuredBroker(tmp_path)
    secured.mosquitto.start()
    yield secured
    for probe in secured.probes:
        probe.close()
    secured.mosquitto.stop()


@pytest.fixture
def worker(broker: SecuredBroker) -> Probe:
    """The ingest account, subscribed to everything it might be sent."""
    probe = broker.connected("ingest")
    assert probe.subscribe("#") == [1]
    return probe


def unique(topic_filter: str) -> str:
    """A concrete topic under a source's filter, unique to this call."""
    return topic_filter.replace("#", uuid.uuid4().hex).replace("+", f"dev-{uuid.uuid4().hex[:8]}")


def test_a_supplier_publishes_to_its_own_source_and_the_worker_receives_it(
    broker: SecuredBroker, worker: Probe
) -> None:
    acme = broker.connected("acme")
    own = unique("stadspuls/parking/gent-garages/#")
    assert acme.publish(own, b'{"vacant": 12}') == 0
    assert worker.wait_for(own)
    assert worker.messages == [(own, b'{"vacant": 12}')]


def test_publishing_to_another_suppliers_source_is_refused_with_mqtt5_not_authorized(
    broker: SecuredBroker, worker: Probe
) -> None:
    acme = broker.connected("acme")
    foreign = unique("stadspuls/parking/brugge-bays/#")
    assert acme.publish(foreign, b"forged") == NOT_AUTHORIZED
    marker = unique("stadspuls/parking/gent-garages/#")
    assert acme.publish(marker, b"marker") == 0
    assert worker.wait_for(marker)
    assert foreign not in worker.topics


def test_with_mqtt_311_a_refused_publication_is_dropped_silently(
    broker: SecuredBroker, worker: Probe
) -> None:
    acme = broker.connected("acme", protocol=3)
    foreign = unique("stadspuls/parking/brugge-bays/#")
    assert acme.publish(foreign, b"forged") == 0  # MQTT 3.1.1's PUBACK has no reason code
    marker = unique("stadspuls/parking/gent-garages/#")
    acme.publish(marker, b"marker")
    assert worker.wait_for(marker)
    assert foreign not in worker.topics


def test_a_broad_filter_does_not_reach_into_a_more_specific_source_of_another_supplier(
    broker: SecuredBroker, worker: Probe
) -> None:
    acme = broker.connected("acme")
    kortrijk = unique("v3/kortrijk@ttn/devices/+/up")  # brugo's kortrijk-bays claims it
    leuven = unique("v3/leuven@ttn/devices/+/up")  # only acme's acme-ttn matches
    assert acme.publish(kortrijk, b"forged") == NOT_AUTHORIZED
    assert acme.publish(leuven, b"own") == 0
    brugo = broker.connected("brugo")
    assert brugo.publish(kortrijk, b"own") == 0
    assert brugo.publish(leuven, b"forged") == NOT_AUTHORIZED
    assert worker.wait_for(leuven) and worker.wait_for(kortrijk)
    assert sorted(worker.messages) == sorted([(leuven, b"own"), (kortrijk, b"own")])


def test_nobody_publishes_to_a_source_without_a_supplier_nor_outside_any_source(
    broker: SecuredBroker, worker: Probe
) -> None:
    acme = broker.connected("acme")
    for topic in (unique("stadspuls/crowding/leuven-counters/#"), "stadspuls/parking/x/y", "x"):
        assert acme.publish(topic, b"forged") == NOT_AUTHORIZED


def test_a_supplier_reads_nothing_not_even_its_own_topics(
    broker: SecuredBroker, worker: Probe
) -> None:
    acme = broker.connected("acme")
    # Mosquitto 2.0's acl_file grants the SUBSCRIBE itself (SUBACK 1) and checks reading per
    # delivered message; later versions may refuse the SUBACK. Either way nothing may arrive.
    granted = acme.subscribe("#")
    assert granted in ([1], [NOT_AUTHORIZED], [0x80])
    brugo = broker.connected("brugo")
    theirs = unique("stadspuls/parking/brugge-bays/#")
    own = unique("stadspuls/parking/gent-garages/#")
    assert brugo.publish(theirs, b"1") == 0
    assert acme.publish(own, b"2") == 0
    assert worker.wait_for(theirs) and worker.wait_for(own)
    assert acme.messages == []


def test_the_ingest_account_writes_nothing(broker: SecuredBroker, worker: Probe) -> None:
    assert worker.publish(unique("stadspuls/parking/gent-garages/#"), b"x") == NOT_AUTHORIZED


@pytest.mark.parametrize("protocol", [5, 3])
def test_a_wrong_password_is_refused_at_connect(broker: SecuredBroker, protocol: int) -> None:
    intruder = broker.probe("acme", password=broker.passwords["brugo"], protocol=protocol)
    assert intruder.connect() in (0x86, NOT_AUTHORIZED)  # paho maps 3.1.1's 4/5 to these


@pytest.mark.parametrize("protocol", [5, 3])
def test_anonymous_clients_are_refused_at_connect(broker: SecuredBroker, protocol: int) -> None:
    assert broker.probe(None, protocol=protocol).connect() in (0x86, NOT_AUTHORIZED)


def test_an_unknown_user_is_refused_at_connect(broker: SecuredBroker) -> None:
    assert broker.probe("mallory", password="guess").connect() in (0x86, NOT_AUTHORIZED)


def test_the_worker_reads_through_a_shared_subscription_with_its_account(
    broker: SecuredBroker, make_consumer: ConsumerFactory
) -> None:
    config = dataclasses.replace(parse_broker_url(broker.url("ingest")), client_id=new_client_id())
    sink = Sink()
    consumer = make_consumer(
        config, ["stadspuls/#", "v3/kortrijk@ttn/devices/+/up"], sink, share_group="workers"
    )
    assert consumer.topics[0] == "$share/workers/stadspuls/#"
    consumer.start()
    assert consumer.wait_subscribed(10)
    topics = [unique("stadspuls/parking/gent-garages/#"), unique("v3/kortrijk@ttn/devices/+/up")]
    broker.connected("acme").publish(topics[0], b"{}")
    broker.connected("brugo").publish(topics[1], b"{}")
    assert wait_until(lambda: len(sink.messages) >= 2)
    assert sorted(message.topic for message in sink.messages) == sorted(topics)


def test_a_rotated_password_takes_effect_when_the_broker_reloads(
    broker: SecuredBroker, worker: Probe
) -> None:
    before = broker.connected("acme")
    old = broker.passwords["acme"]
    broker.passwords["acme"] = new_password()
    broker.hashes["acme"] = hash_password(broker.passwords["acme"])
    broker.write_files()
    reload(broker)
    # Mosquitto re-checks connected clients on reload: the old password's session ends
    assert wait_until(lambda: not before.client.is_connected())
    assert broker.probe("acme", password=old).connect() in (0x86, NOT_AUTHORIZED)
    acme = broker.connected("acme")
    own = unique("stadspuls/parking/gent-garages/#")
    assert acme.publish(own, b"after rotation") == 0
    assert worker.wait_for(own)


def test_a_new_source_may_be_published_to_once_the_files_are_regenerated_and_reloaded(
    broker: SecuredBroker, worker: Probe
) -> None:
    acme = broker.connected("acme")
    new = unique("stadspuls/parking/gent-bays/#")
    assert acme.publish(new, b"too early") == NOT_AUTHORIZED
    broker.sources.append(Binding("gent-bays", "acme", "stadspuls/parking/gent-bays/#"))
    broker.write_files()
    reload(broker)
    assert acme.client.is_connected()  # an ACL change keeps existing sessions
    assert acme.publish(new, b"registered") == 0
    assert worker.wait_for(new)
    assert worker.messages == [(new, b"registered")]


def reload(broker: SecuredBroker) -> None:
    """SIGHUP, then wait until the broker logs that it reloaded."""
    process = broker.mosquitto.process
    assert process is not None
    log = broker.mosquitto.directory / "mosquitto.log"

    def log_reloads() -> int:
        return log.read_text().count("Reloading config")

    before = log_reloads()
    os.kill(process.pid, signal.SIGHUP)
    assert wait_until(lambda: log_reloads() > before, 10), broker.mosquitto.log()


def test_the_files_the_cli_writes_load_in_mosquitto_and_admit_the_printed_passwords(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end: accounts in the database, ``mqtt-access write``, a broker on those files."""
    monkeypatch.setenv("STADSPULS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    cli = CliRunner()
    printed = {}
    for name, role in (("ingest", "ingest"), ("acme", "supplier")):
        result = cli.invoke(mqtt_access_app, ["account", "create", name, "--role", role])
        assert result.exit_code == 0, result.output
        printed[name] = result.stdout.strip()
    access = tmp_path / "access"
    result = cli.invoke(mqtt_access_app, ["write", "--dir", str(access)])
    assert result.exit_code == 0, result.output
    mosquitto = Mosquitto(tmp_path / "mosquitto", extra=f"include_dir {access}\n")
    mosquitto.start()
    probes = [
        Probe(mosquitto.port, "ingest", printed["ingest"]),
        Probe(mosquitto.port, "acme", printed["acme"]),
        Probe(mosquitto.port, None, None),
    ]
    try:
        worker, acme, anonymous = probes
        assert worker.connect() == 0 and acme.connect() == 0, mosquitto.log()
        assert anonymous.connect() == NOT_AUTHORIZED
        # no source names acme as its supplier (yet), so it may publish nowhere
        assert acme.publish("stadspuls/parking/gent/g1", b"{}") == NOT_AUTHORIZED
        assert worker.publish("stadspuls/parking/gent/g1", b"{}") == NOT_AUTHORIZED
    finally:
        for probe in probes:
            probe.close()
        mosquitto.stop()


def test_the_production_broker_config_admits_accounts_and_refuses_anonymous_clients(
    tmp_path: Path,
) -> None:
    """deploy/mosquitto-access.conf as docker-compose.access.yml mounts it, on a real broker."""
    root = Path(__file__).parents[2]
    compose = yaml.safe_load((root / "docker-compose.access.yml").read_text())
    assert "./deploy/access:/mosquitto/access:ro" in compose["services"]["mqtt"]["volumes"]
    conf = (root / "deploy" / "mosquitto-access.conf").read_text()
    assert "include_dir /mosquitto/access\n" in conf
    password = new_password()
    accounts = [Account("ingest", "ingest", hash_password(password))]
    files = render_access_files(plan_access(accounts, SOURCES), accounts, f"{tmp_path}/access")
    write_access_files(files, tmp_path / "access")
    (tmp_path / "data").mkdir()
    mosquitto = Mosquitto(tmp_path / "mosquitto")
    mosquitto.config.write_text(
        conf.replace("/mosquitto/", f"{tmp_path}/").replace(
            "listener 1883\n", f"listener {mosquitto.port} 127.0.0.1\n"
        )
        + f"log_dest file {mosquitto.directory}/mosquitto.log\nuser root\n"
    )
    mosquitto.start()
    probes = [Probe(mosquitto.port, "ingest", password), Probe(mosquitto.port, None, None)]
    try:
        assert probes[0].connect() == 0, mosquitto.log()
        assert probes[1].connect() == NOT_AUTHORIZED
    finally:
        for probe in probes:
            probe.close()
        mosquitto.stop()
