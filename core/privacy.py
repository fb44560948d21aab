"""The privacy screen: refuse raw input that carries personal data, and never keep it.

A pilot's handbook may declare personal-data markers (keys such as ``mac_address`` and value
patterns such as a MAC address). Raw input is screened before any adapter reads it: a hit
rejects the record naming the field — never the value — and quarantine then stores only the
reasons and a digest, so the personal data does not persist anywhere on the platform.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from core.handbook import PrivacyScreen
from core.ingest.envelope import Problem
from core.ingest.quarantine import PERSONAL_DATA_RULE

_SEPARATORS = re.compile(r"[\s\-.]+")
_MAX_DEPTH = 32


def _normal(key: str) -> str:
    return _SEPARATORS.sub("_", key.strip().lower())


@dataclass(frozen=True)
class Screen:
    """A compiled :class:`PrivacyScreen`."""

    keys: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]

    @classmethod
    def from_handbook(cls, screen: PrivacyScreen) -> Screen:
        return cls(
            keys=frozenset(_normal(key) for key in screen.forbidden_keys),
            patterns=tuple(re.compile(pattern) for pattern in screen.forbidden_values),
        )

    def problems(self, content: Any) -> list[Problem]:
        """One problem per field that carries personal data, naming the field only."""
        return [
            Problem(
                PERSONAL_DATA_RULE,
                f"field '{path}' carries personal data ({why}); only aggregated counts are "
                "accepted, and the record is not kept",
                None,
                None,
                "aggregated counts without personal data",
            )
            for path, why in self._hits(content, "$", 0)
        ]

    def _hits(self, value: Any, path: str, depth: int) -> Iterator[tuple[str, str]]:
        if depth > _MAX_DEPTH:
            return
        if isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}"
                if isinstance(key, str) and _normal(key) in self.keys:
                    yield child, "a personal identifier field"
                else:
                    yield from self._hits(item, child, depth + 1)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from self._hits(item, f"{path}[{index}]", depth + 1)
        elif isinstance(value, str) and any(p.search(value.strip()) for p in self.patterns):
            yield path, "a value shaped like a device address"
