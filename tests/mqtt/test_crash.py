"""kill -9 in the middle of a stream: after a restart every message is stored exactly once.

The broker is a test-owned Mosquitto with ``max_queued_messages 100000``. With the default
(1000 queued per client beyond those in flight) a publisher that keeps going while the worker
is dead could overflow the queue, and Mosquitto *drops* the overflow: that would test the
broker's configuration, not the consumer. The production broker must be sized the same way
for the outages it should absorb.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

from tests.mqtt.broker import Mosquitto, free_port, new_client_id, publish, wait_until

TOTAL = 2000
ROOT = Path(__file__).resolve().parents[2]
Worker = subprocess.Popen[bytes]


def _stored(db: Path, table: str = "messages") -> int:
    if not db.exists():
        return 0
    try:
        with closing(sqlite3.connect(db, timeout=5)) as connection:
            return int(connection.execute(f"select count(*) from {table}").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _start_worker(url: str, topic: str, db: Path, ready: Path, *options: str) -> Worker:
    ready.unlink(missing_ok=True)
    command = [sys.executable, "-m", "tests.mqtt.worker_process", "--url", url]
    command += ["--filter", f"{topic}/#", "--db", str(db), "--ready", str(ready), *options]
    worker = subprocess.Popen(command, cwd=ROOT)
    deadline = time.monotonic() + 20
    while not ready.exists():
        assert worker.poll() is None, f"worker exited with {worker.returncode}"
        assert time.monotonic() < deadline, "worker did not subscribe within 20 s"
        time.sleep(0.02)
    return worker


def test_kill_9_mid_stream_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    broker = Mosquitto(tmp_path, free_port(), extra="max_queued_messages 100000\n")
    broker.start()
    topic = f"stadspuls-test/crash-{new_client_id()}"
    url = f"{broker.url}?client_id={new_client_id('worker')}"
    db, ready = tmp_path / "store.db", tmp_path / "ready"
    # The first worker pauses 0.2 s between commit and ack, and the kill follows within ~10 ms
    # of a commit: it lands in that window, so a stored batch is redelivered and de-duplicated.
    worker = _start_worker(url, topic, db, ready, "--pause-after-commit", "0.2")
    publisher = threading.Thread(
        target=publish,
        args=("127.0.0.1", broker.port, f"{topic}/s", range(TOTAL)),
        kwargs={"pace": 0.025},  # 50 messages per 25 ms: the stream lasts a second or two
        daemon=True,
    )
    try:
        publisher.start()
        assert wait_until(lambda: _stored(db) >= 300, 20), "the worker stored nothing"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        at_kill = _stored(db)
        assert 0 < at_kill < TOTAL  # the kill landed mid-stream
        time.sleep(0.3)  # the stream goes on while the worker is dead

        worker = _start_worker(url, topic, db, ready)
        publisher.join(timeout=30)
        assert wait_until(lambda: _stored(db) == TOTAL, 30), f"stored {_stored(db)} of {TOTAL}"

        with closing(sqlite3.connect(db)) as connection:
            stored = {row[0] for row in connection.execute("select id from messages")}
        assert stored == set(range(TOTAL))  # every message, and (primary key) once
        twice = _stored(db, "deliveries") - TOTAL
        print(f"killed with {at_kill} stored; {twice} redelivered after being stored")
        assert twice > 0  # stored-but-unacked messages came back, and were stored only once
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0  # run_until_signalled stops cleanly
    finally:
        if worker.poll() is None:
            worker.kill()
        broker.stop()
