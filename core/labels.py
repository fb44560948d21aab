"""Texts in the handbook's two languages (its own module so that every model can share it)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Labels(BaseModel):
    """A text in Dutch and English; Dutch is the handbook's authoritative language.

    Unknown keys are an error: an unquoted YAML flow mapping splits a text at its commas, and
    the rest must not vanish silently from the definitions suppliers read.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    nl: str
    en: str
