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


class Conflict(StadspulsError):
    """The request clashes with what exists (an id taken, a delivery the source refuses)."""


class NotAuthenticated(StadspulsError):
    """A write without a valid API key."""


class Forbidden(StadspulsError):
    """A valid API key that may not do this (another city's or supplier's source)."""


class TooLarge(StadspulsError):
    """An upload or pushed body larger than the configured limit."""


class UnsupportedMediaType(StadspulsError):
    """A body in a media type the endpoint does not take."""
