"""Statements kept by what shapes them, so a request only binds its values.

Building a SELECT over a collection's query and deriving SQLAlchemy's cache key for it cost
about as much as running a one-feature lookup; the statement for "the feature with this id"
differs between requests only in the id. Kept here with the id as a bound parameter, it is
built once per shape (collection query, properties, CRS, format), and SQLAlchemy memoises its
cache key on the object. Bounded, least recently used out: ``properties=`` makes the number of
shapes the clients' choice.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Generic, TypeVar

T = TypeVar("T")


class StatementCache(Generic[T]):
    """Statements (or their compiled SQL) by shape, least recently used out."""

    def __init__(self, size: int = 256) -> None:
        self._statements: OrderedDict[Hashable, T] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            statement = self._statements.get(key)
            if statement is not None:
                self._statements.move_to_end(key)
                return statement
        statement = build()  # outside the lock: two threads may build it, one is kept
        with self._lock:
            statement = self._statements.setdefault(key, statement)
            while len(self._statements) > self._size:
                self._statements.popitem(last=False)
        return statement

    def clear(self) -> None:
        with self._lock:
            self._statements.clear()

    def __len__(self) -> int:
        return len(self._statements)
