"""Structured log lines: one JSON object per event, with the event's fields."""

from __future__ import annotations

import json
import logging

from core.logs import JsonFormatter


def test_a_record_becomes_one_json_line_with_its_extra_fields() -> None:
    record = logging.makeLogRecord({
        "name": "stadspuls.mqtt", "levelname": "INFO", "msg": "mqtt batch of %d stored",
        "args": (12,), "event": "batch_stored", "size": 12, "created": 1_795_953_600.25,
    })
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line) == {
        "time": "2026-11-29T12:00:00.250+00:00", "level": "info", "logger": "stadspuls.mqtt",
        "message": "mqtt batch of 12 stored", "event": "batch_stored", "size": 12,
    }
