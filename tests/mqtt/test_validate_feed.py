"""``stadspuls validate-feed`` against the real Mosquitto: reports, exit codes, no theft.

The command runs as a real process; the test publishes on a unique topic once the command
says it is listening, then reads the report it prints when its window closes. These tests
fail, never skip, when the broker is unreachable (the ``broker`` fixture).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
import sqlalchemy as sa
from lxml import etree
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import Engine

from core.ingest.feed import listener_config
from core.ingest.mqtt import BrokerConfig
from core.pilot import Registry
from tests.conftest import FIXTURES
from tests.mqtt.broker import Sink, free_port, new_client_id, purge_session, wait_until
from tests.mqtt.conftest import ConsumerFactory

UPLINK = (FIXTURES / "parking" / "messages" / "ttn-uplink.json").read_bytes()
BAD = {
    "not JSON": (b"{oops", "core.invalid-json"),
    "not UTF-8": (b"\xff\xfe{}", "core.invalid-utf8"),
    "too large": (b'{"a": "' + b"x" * 300_000 + b'"}', "core.oversized"),
    "no uplink": (b'{"x": 1}', "parking.mapping"),
}
WINDOW = 3.0


def send(config: BrokerConfig, topic: str, payloads: list[bytes]) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(config.host, config.port)
    client.loop_start()
    try:
        infos = [client.publish(topic, payload, qos=1) for payload in payloads]
        for info in infos:
            info.wait_for_publish(timeout=10)
            assert info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()


@dataclass
class Run:
    """The running command and the first line it wrote on stderr."""

    process: subprocess.Popen[str]
    first_line: str

    def finish(self) -> tuple[int, str, str]:
        """Exit code, stdout, all of stderr."""
        stdout, stderr = self.process.communicate(timeout=WINDOW + 30)
        return self.process.returncode, stdout, self.first_line + stderr


@contextmanager
def validate_feed(database: Path | str, *args: str, seconds: float = WINDOW) -> Iterator[Run]:
    """Start the command; yields once it listens (or has already failed)."""
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    command = [sys.executable, "-c", "from core.cli import main; main()", "validate-feed",
               *args, "--seconds", str(seconds)]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STADSPULS_")}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**environment, "STADSPULS_DATABASE_URL": url},
    )
    try:
        assert process.stderr is not None
        yield Run(process, process.stderr.readline())
    finally:
        if process.poll() is None:
            process.wait(timeout=WINDOW + 30)


def feed_args(broker: BrokerConfig, topic: str, *more: str) -> list[str]:
    return ["--topic", f"{topic}/#", "--pilot", "parking", "--format", "ttn",
            "--url", f"mqtt://{broker.host}:{broker.port}", *more]


def test_good_and_bad_messages_are_reported_by_rule_and_exit_1(
    broker: BrokerConfig, topic: str, tmp_path: Path
) -> None:
    payloads = [UPLINK, *(payload for payload, _ in BAD.values()), UPLINK]
    with validate_feed(tmp_path / "none.db", *feed_args(broker, topic, "-o", "json")) as run:
        assert "listening to" in run.first_line
        send(broker, f"{topic}/v3/app@ttn/devices/bay-1/up", payloads)
        code, stdout, stderr = run.finish()
    assert code == 1, stderr
    report: dict[str, Any] = json.loads(stdout)
    assert (report["topic"], report["pilot"], report["format"]) == (f"{topic}/#", "parking", "ttn")
    assert (report["records"], report["valid"], report["invalid"]) == (6, 2, 4)
    by_rule = {group["rule"]: group for group in report["rules"]}
    assert set(by_rule) == {rule for _, rule in BAD.values()}
    for position, (_, rule) in enumerate(BAD.values(), start=2):  # in the order published
        (example,) = by_rule[rule]["examples"]
        assert example["position"] == position
        assert example["origin"] == f"{topic}/v3/app@ttn/devices/bay-1/up"
    assert not (tmp_path / "none.db").exists()  # nothing was created, let alone written


def test_a_valid_feed_exits_0_with_a_text_report(
    broker: BrokerConfig, topic: str, tmp_path: Path
) -> None:
    with validate_feed(tmp_path / "none.db", *feed_args(broker, topic)) as run:
        send(broker, f"{topic}/v3/app@ttn/devices/bay-7/up", [UPLINK, UPLINK, UPLINK])
        code, stdout, stderr = run.finish()
    assert code == 0, stderr
    assert stdout == f"topic {topic}/# (parking, ttn): valid - 3 messages, 3 valid, 0 invalid\n"


def test_junit_output_of_a_feed(broker: BrokerConfig, topic: str, tmp_path: Path) -> None:
    with validate_feed(tmp_path / "none.db",
                       *feed_args(broker, topic, "--output", "junit")) as run:
        send(broker, f"{topic}/v3/app@ttn/devices/bay-1/up", [UPLINK, b"{oops"])
        code, stdout, _ = run.finish()
    assert code == 1
    root = etree.fromstring(stdout.encode())
    (suite,) = root.findall("testsuite")
    failures = {case.get("name"): case.find("failure") for case in suite.iter("testcase")
                if case.find("failure") is not None}
    assert list(failures) == ["core.invalid-json"]
    assert "core.invalid-json" in [case.get("name") for case in suite.iter("testcase")]
    assert (failures["core.invalid-json"].get("message") or "").startswith("1 message breaks")


def test_nothing_is_stored_on_either_backend(
    broker: BrokerConfig, topic: str, engine: Engine, database_url: str, registry: Registry
) -> None:
    """With a migrated database the feed is still only checked: no rows, no quarantine."""
    tables = ["quarantine", *(store.table.name for pilot in registry for store in pilot.stores)]

    def counts() -> dict[str, int]:
        with engine.connect() as conn:
            return {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                    for t in tables}

    before = counts()
    with validate_feed(database_url, *feed_args(broker, topic)) as run:
        send(broker, f"{topic}/v3/app@ttn/devices/bay-1/up",
             [UPLINK, *(payload for payload, _ in BAD.values())])
        code, stdout, stderr = run.finish()
    assert code == 1, stderr
    assert "5 messages, 1 valid, 4 invalid" in stdout
    assert counts() == before


def test_the_ingest_workers_still_get_every_message(
    broker: BrokerConfig, topic: str, tmp_path: Path, make_consumer: ConsumerFactory
) -> None:
    """A worker in a share group with a persistent session loses nothing to the validator."""
    sink = Sink()
    worker = make_consumer(replace_id(broker), [f"{topic}/#"], sink, share_group="ingest")
    worker.start()
    assert worker.wait_subscribed(10)
    payloads = [UPLINK] * 20
    try:
        with validate_feed(tmp_path / "none.db", *feed_args(broker, topic)) as run:
            send(broker, f"{topic}/v3/app@ttn/devices/bay-1/up", payloads)
            code, stdout, _ = run.finish()
        assert code == 0
        assert "20 messages, 20 valid" in stdout
        assert len(sink.wait_for(20)) == 20
    finally:
        worker.stop()
        purge_session(broker.host, broker.port, worker.config.client_id, broker.protocol)


def replace_id(config: BrokerConfig) -> BrokerConfig:
    return replace(config, client_id=new_client_id("worker"))


def test_the_listener_never_uses_the_client_id_of_the_url(broker: BrokerConfig) -> None:
    worker = replace(broker, client_id="ingest-1")
    first, second = listener_config(worker), listener_config(worker)
    assert first.client_id != "ingest-1" and first.client_id != second.client_id
    assert first.client_id.startswith("stadspuls-validate-feed-")


@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
def test_the_listener_session_ends_with_its_connection(
    broker: BrokerConfig, topic: str, protocol: str, make_consumer: ConsumerFactory
) -> None:
    """After a clean-session consumer leaves, the broker keeps no session for its id."""
    config = replace(broker, client_id=new_client_id("feed"), protocol=5 if protocol == "5" else 3)
    listener = make_consumer(config, [f"{topic}/#"], Sink(), clean_session=True)
    listener.start()
    assert listener.wait_subscribed(10)
    listener.stop()
    present: list[bool] = []
    if config.protocol == 5:
        client = mqtt.Client(CallbackAPIVersion.VERSION2, config.client_id, protocol=mqtt.MQTTv5)
    else:
        client = mqtt.Client(CallbackAPIVersion.VERSION2, config.client_id, clean_session=False,
                             protocol=mqtt.MQTTv311)
    client.on_connect = lambda c, u, flags, rc, p: present.append(flags.session_present)
    client.connect(config.host, config.port, **({"clean_start": False} if protocol == "5" else {}))
    client.loop_start()
    try:
        assert wait_until(lambda: bool(present), 10)
        assert present == [False]
    finally:
        client.disconnect()
        client.loop_stop()
        purge_session(config.host, config.port, config.client_id, config.protocol)


def test_an_unreachable_broker_exits_2_with_one_sentence(tmp_path: Path) -> None:
    port = free_port()
    with validate_feed(tmp_path / "none.db", "--topic", "a/#", "--pilot", "parking",
                       "--format", "ttn", "--url", f"mqtt://127.0.0.1:{port}") as run:
        code, stdout, stderr = run.finish()
    assert code == 2 and stdout == ""
    assert stderr == f"error: the MQTT broker at mqtt://127.0.0.1:{port} is unreachable: " \
                     "Connection refused\n"


def test_a_silent_feed_exits_2_after_its_report(
    broker: BrokerConfig, topic: str, tmp_path: Path
) -> None:
    with validate_feed(tmp_path / "none.db", *feed_args(broker, topic), seconds=0.5) as run:
        code, stdout, stderr = run.finish()
    assert code == 2
    assert "0 messages, 0 valid, 0 invalid" in stdout
    assert f"no message arrived on '{topic}/#' in 0.5 s" in stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--pilot", "noise", "--format", "ttn"], "unknown pilot 'noise'"),
     (["--pilot", "parking", "--format", "xlsx"], "pilot 'parking' has no format 'xlsx'"),
     (["--pilot", "parking", "--format", "ttn", "--output", "xml"], "--output must be")],
)
def test_bad_options_exit_2(
    broker: BrokerConfig, tmp_path: Path, args: list[str], words: str
) -> None:
    with validate_feed(tmp_path / "none.db", "--topic", "a/#", "--url",
                       f"mqtt://{broker.host}:{broker.port}", *args) as run:
        code, stdout, stderr = run.finish()
    assert code == 2 and stdout == ""
    assert stderr.startswith("error: ") and words in stderr and stderr.count("\n") == 1
