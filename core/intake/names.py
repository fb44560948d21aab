"""File names that come from senders: safe on disk, still recognisable in reports."""

from __future__ import annotations

import re
from pathlib import PurePosixPath, PureWindowsPath

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]+")


def safe_filename(name: str | None, default: str = "upload") -> str:
    """The last path segment of a sender's file name, without control characters.

    The name appears in reports and becomes a file name on disk, so it must not climb out of
    its folder (``../../x``) or carry line breaks.
    """
    if not name:
        return default
    base = PureWindowsPath(PurePosixPath(name).name).name
    cleaned = _UNSAFE_NAME.sub("", base).strip().lstrip(".")[:200]
    return cleaned or default
