"""Domain exceptions, in one place, so the CLI and the API can map each to one clear message.

The API maps them to ``application/problem+json`` responses in :mod:`api.errors`; the CLI turns
them into one sentence and a non-zero exit code.
"""

from __future__ import annotations


class StadspulsError(Exception):
    """Base class: every expected failure the user can act on."""


class UnreadableInput(StadspulsError):
    """A file or payload cannot be read at all (empty, truncated, wrong format)."""


class UnknownFormat(StadspulsError):
    """The requested format id is not one the pilot offers, or none could be detected."""


class UnknownPilot(StadspulsError):
    """No registered pilot has this id."""


class DuplicatePilot(StadspulsError):
    """Two installed pilots claim the same id; the registry refuses to guess."""


class InvalidParameter(StadspulsError):
    """A request parameter is malformed; ``parameter`` names it for the problem response."""

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(f"invalid parameter '{parameter}': {detail}")
        self.parameter = parameter
        self.detail = detail


class NotFound(StadspulsError):
    """A collection or feature that does not exist."""


class InvalidCrs(StadspulsError):
    """A CRS string that is not one of the supported ones."""
