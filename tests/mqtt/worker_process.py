"""A consumer process for the crash test: ``python -m tests.mqtt.worker_process``.

It stores every message into SQLite the way the real storage must: one transaction per batch,
``INSERT OR IGNORE`` keyed on the id carried in the payload, committed before
``handle_batch`` returns (and so before the consumer acks). A ``deliveries`` table logs every
delivery, duplicates included, so the test can see redeliveries happen;
``--pause-after-commit`` holds the batch between commit and ack, where a crash is most
interesting. When subscribed it creates ``--ready``; SIGTERM stops it cleanly (exit 0).
"""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import time
from pathlib import Path

from core.ingest.mqtt import Message, MqttConsumer, parse_broker_url, run_until_signalled

SCHEMA = """
create table if not exists messages (id integer primary key, topic text, payload blob);
create table if not exists deliveries (n integer primary key autoincrement, id integer);
"""


class SqliteSink:
    """``handle_batch`` into SQLite; used by the writer thread only."""

    def __init__(self, path: Path, pause_after_commit: float = 0.0) -> None:
        self.pause_after_commit = pause_after_commit
        self.connection = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self.connection.execute("pragma journal_mode=wal")
        self.connection.executescript(SCHEMA)

    def __call__(self, batch: list[Message]) -> None:
        rows = [(json.loads(m.payload)["id"], m.topic, m.payload) for m in batch]
        with self.connection:  # one transaction, committed before we return
            self.connection.executemany(
                "insert or ignore into messages (id, topic, payload) values (?, ?, ?)", rows
            )
            self.connection.executemany(
                "insert into deliveries (id) values (?)", [(row[0],) for row in rows]
            )
        if self.pause_after_commit:  # widen the window "stored, not yet acked" for a kill
            time.sleep(self.pause_after_commit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--filter", required=True)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--ready", required=True, type=Path)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--pause-after-commit", type=float, default=0.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="worker %(levelname)s %(message)s")

    consumer = MqttConsumer(
        parse_broker_url(args.url),
        [args.filter],
        SqliteSink(args.db, args.pause_after_commit),
        batch_size=args.batch_size,
        session_expiry=600,
    )
    consumer.start()
    if not consumer.wait_subscribed(20):
        raise SystemExit("worker: not subscribed within 20 s")
    args.ready.touch()
    run_until_signalled(consumer)


if __name__ == "__main__":
    main()
