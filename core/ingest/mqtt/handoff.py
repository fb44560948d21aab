"""The bounded hand-off from paho's network thread to the writer thread.

``queue.Queue`` takes a lock and notifies a condition (in Python) on every put and every get:
at tens of thousands of messages a second, under one GIL, that is a noticeable share of a
worker's time. Here items go through a ``collections.deque``, whose ``append`` and
``popleft`` are atomic, and the lock and condition are only used when a side has to wait:
the writer for an empty queue, the network thread for a full one (back-pressure).

Why no wake-up is lost: a waiting side first registers itself (under the lock), then
re-checks the deque before it sleeps; the other side changes the deque first, then looks for
registered waiters. Either the waiter's re-check sees the change, or the changer sees the
waiter and notifies it (taking the lock, so the notification cannot slip in between the
re-check and the sleep). Waits are bounded by their timeouts in any case.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class HandOff(Generic[T]):
    """A bounded FIFO for one producer and one consumer thread, with ``queue.Queue``'s
    ``put_nowait``/``put``/``get``/``get_nowait`` (raising ``queue.Full``/``queue.Empty``)."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._items: deque[T] = deque()
        self._lock = threading.Lock()
        self._not_empty = threading.Condition(self._lock)
        self._not_full = threading.Condition(self._lock)
        self._getters = 0  # threads waiting in get (registered under the lock)
        self._putters = 0  # threads waiting in put

    def qsize(self) -> int:
        return len(self._items)

    def put_nowait(self, item: T) -> None:
        if len(self._items) >= self.maxsize:
            raise queue.Full
        self._items.append(item)
        if self._getters:
            with self._lock:
                self._not_empty.notify()

    def put(self, item: T, timeout: float) -> None:
        """Put, waiting up to ``timeout`` seconds for room; ``queue.Full`` if there is none."""
        try:
            self.put_nowait(item)
            return
        except queue.Full:
            pass
        with self._lock:
            self._putters += 1
            try:
                if len(self._items) >= self.maxsize:
                    self._not_full.wait(timeout)
            finally:
                self._putters -= 1
        self.put_nowait(item)  # still full after the wait: queue.Full

    def get_nowait(self) -> T:
        try:
            item = self._items.popleft()
        except IndexError:
            raise queue.Empty from None
        if self._putters:
            with self._lock:
                self._not_full.notify()
        return item

    def get(self, timeout: float) -> T:
        """Get, waiting up to ``timeout`` seconds for an item; ``queue.Empty`` if none came."""
        try:
            return self.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            self._getters += 1
            try:
                if not self._items:
                    self._not_empty.wait(timeout)
            finally:
                self._getters -= 1
        return self.get_nowait()
