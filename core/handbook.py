"""The definitions handbook as typed data: entities, terms, codelists and rules.

Each pilot ships its handbook as a YAML file. The validator, the generated documentation and
the JSON-LD context are all derived from these models, so what is documented is what is
enforced. Terms point to the matching DATEX II / Smart Data Models / OSLO / SOSA URIs.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

Datatype = Literal[
    "string", "integer", "number", "boolean", "datetime", "geometry", "uri", "code", "reference"
]


class Labels(BaseModel):
    """A text in Dutch and English; Dutch is the handbook's authoritative language.

    Unknown keys are an error: an unquoted YAML flow mapping splits a text at its commas, and
    the rest must not vanish silently from the definitions suppliers read.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    nl: str
    en: str


class References(BaseModel):
    """URIs of the matching terms in the standards the handbook aligns with."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    datex2: str | None = None
    sdm: str | None = None
    oslo: str | None = None
    sosa: str | None = None
    schema_org: str | None = Field(default=None, alias="schema")


class Term(BaseModel):
    """One attribute of an entity, with the constraints the validator enforces."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    label: Labels
    definition: Labels
    datatype: Datatype
    unit: str | None = Field(default=None, description="UCUM unit code")
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    codelist: str | None = None
    refers_to: str | None = Field(default=None, description="entity id, for references")
    max_future_seconds: int | None = None
    derivable: bool = Field(default=False, description="the pilot may compute it when absent")
    references: References = References()


class Code(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    label: Labels
    definition: Labels | None = None
    references: References = References()


class Codelist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    label: Labels
    codes: tuple[Code, ...]

    @cached_property
    def ids(self) -> frozenset[str]:
        return frozenset(code.id for code in self.codes)


class Rule(BaseModel):
    """A cross-term rule implemented by the pilot; the handbook gives its id and meaning."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    entity: str
    terms: tuple[str, ...]
    description: Labels


class Entity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    label: Labels
    definition: Labels
    terms: tuple[Term, ...]
    references: References = References()
    inferred: bool = Field(
        default=True,
        description="canonical files yield this entity without naming it in an 'entity' column",
    )

    @cached_property
    def terms_by_id(self) -> dict[str, Term]:
        return {term.id: term for term in self.terms}


class PrivacyScreen(BaseModel):
    """Personal data a pilot refuses: keys and value patterns that mark it in raw input.

    A record that carries any is rejected naming the field, and quarantine keeps only the
    reason and a digest of the content, never the content.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    description: Labels
    forbidden_keys: tuple[str, ...] = ()
    forbidden_values: tuple[str, ...] = Field(default=(), description="regular expressions")


class Handbook(BaseModel):
    """A pilot's definitions: the contract between suppliers and the platform."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    pilot: str
    title: Labels
    version: str
    description: Labels
    base_uri: str
    entities: tuple[Entity, ...]
    codelists: tuple[Codelist, ...] = ()
    rules: tuple[Rule, ...] = ()
    privacy: PrivacyScreen | None = None

    @model_validator(mode="after")
    def _check_links(self) -> Handbook:
        codelists = {codelist.id for codelist in self.codelists}
        entities = {entity.id for entity in self.entities}
        for entity in self.entities:
            for term in entity.terms:
                if term.datatype == "code" and term.codelist not in codelists:
                    raise ValueError(
                        f"term {entity.id}.{term.id}: unknown codelist {term.codelist}"
                    )
                if term.datatype == "reference" and term.refers_to not in entities:
                    raise ValueError(f"term {entity.id}.{term.id}: unknown entity {term.refers_to}")
        for rule in self.rules:
            if rule.entity not in entities:
                raise ValueError(f"rule {rule.id}: unknown entity {rule.entity}")
        return self

    @cached_property
    def entities_by_id(self) -> dict[str, Entity]:
        return {entity.id: entity for entity in self.entities}

    @cached_property
    def codelists_by_id(self) -> dict[str, Codelist]:
        return {codelist.id: codelist for codelist in self.codelists}

    @cached_property
    def rules_by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def term(self, entity: str, term: str) -> Term:
        return self.entities_by_id[entity].terms_by_id[term]


def load_handbook(path: Path) -> Handbook:
    """Read and check a handbook YAML file."""
    with path.open(encoding="utf-8") as handle:
        return Handbook.model_validate(yaml.safe_load(handle))
