"""Writing checked batches in a background thread, one batch in flight at a time.

While PostgreSQL merges batch N (in its own process, on the other core), this process parses
and validates batch N+1: ingestion then costs roughly max(check, write) per batch instead of
their sum. Only one batch is in flight, so memory stays bounded and batches commit in order.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from types import TracebackType
from typing import TypeVar

Result = TypeVar("Result")


class BatchWriter:
    """Runs write jobs on one worker thread; ``submit`` waits for the previous job first."""

    def __init__(self, on_result: Callable[[object], None]) -> None:
        self._on_result = on_result
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stadspuls-writer")
        self._pending: Future[object] | None = None

    def submit(self, job: Callable[[], object]) -> None:
        self.drain()
        self._pending = self._executor.submit(job)

    def busy(self) -> bool:
        """Whether a job is still in flight."""
        return self._pending is not None and not self._pending.done()

    def drain(self) -> None:
        """Wait for the job in flight; its exception, if any, is raised here."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._on_result(pending.result())

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if kind is None:
                self.drain()
            elif self._pending is not None:
                self._pending.exception()  # let it finish; the first error wins
        finally:
            self._executor.shutdown(wait=True)


@contextmanager
def relaxed_gc(threshold: int = 50_000) -> Iterator[None]:
    """Collect cyclic garbage less often while ingesting.

    Ingestion allocates many short-lived, acyclic objects; the default threshold (700) makes
    the collector scan them again and again, which costs about a fifth of the run time.
    """
    previous = gc.get_threshold()
    gc.set_threshold(threshold, previous[1], previous[2])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
