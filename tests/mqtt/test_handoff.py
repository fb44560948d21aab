"""The bounded hand-off between paho's network thread and the writer: order, bounds, no loss."""

from __future__ import annotations

import queue
import threading

import pytest

from core.ingest.mqtt.handoff import HandOff


def test_items_come_out_in_order_and_a_full_or_empty_queue_says_so() -> None:
    handoff: HandOff[int] = HandOff(2)
    handoff.put_nowait(1)
    handoff.put(2, timeout=0.01)
    with pytest.raises(queue.Full):
        handoff.put_nowait(3)
    with pytest.raises(queue.Full):
        handoff.put(3, timeout=0.01)
    assert handoff.qsize() == 2
    assert [handoff.get_nowait(), handoff.get(timeout=0.01)] == [1, 2]
    with pytest.raises(queue.Empty):
        handoff.get_nowait()
    with pytest.raises(queue.Empty):
        handoff.get(timeout=0.01)
    with pytest.raises(ValueError):
        HandOff(0)


def test_a_producer_and_a_consumer_thread_pass_every_item_once_in_order() -> None:
    """A tiny queue makes both sides wait again and again; nothing is lost or duplicated."""
    handoff: HandOff[int] = HandOff(3)
    count = 20_000
    received: list[int] = []

    def produce() -> None:
        for number in range(count):
            while True:
                try:
                    handoff.put(number, timeout=1.0)
                    break
                except queue.Full:
                    continue

    def consume() -> None:
        while len(received) < count:
            try:
                received.append(handoff.get(timeout=1.0))
            except queue.Empty:
                continue

    threads = [threading.Thread(target=produce), threading.Thread(target=consume)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert received == list(range(count))
