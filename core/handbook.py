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

from core.assessment import Assessment
from core.labels import Labels

__all__ = [
    "Assessment",
    "Code",
    "Codelist",
    "Datatype",
    "Entity",
    "Handbook",
    "Labels",
    "PrivacyScreen",
    "References",
    "Rule",
    "Term",
    "load_handbook",
]

Datatype = Literal[
    "string", "integer", "number", "boolean", "datetime", "geometry", "uri", "code", "reference"
]


class References(BaseModel):
    """URIs of the matching terms in the standards the handbook aligns with (DATEX II, Smart Data
    Models, OSLO, SOSA, schema.org, A11yJSON, OpenStreetMap keys)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    datex2: str | None = None
    sdm: str | None = None
    oslo: str | None = None
    sosa: str | None = None
    schema_org: str | None = Field(default=None, alias="schema")
    a11yjson: str | None = None
    osm: str | None = Field(default=None, description="the OpenStreetMap wiki page of a key")


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
    assessment: Assessment | None = None

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
        if self.assessment is not None:
            self._check_assessment(self.assessment)
        return self

    def _check_assessment(self, assessment: Assessment) -> None:
        """Criteria read terms that exist, and state thresholds in the term's own unit."""
        terms = {
            (entity.id, term.id): term for entity in self.entities for term in entity.terms
        }
        for entity, term in sorted(assessment.terms_used()):
            if (entity, term) not in terms:
                raise ValueError(f"assessment: unknown term {entity}.{term}")
        for criterion in assessment.criteria:
            for term_id in criterion.terms:
                unit = terms[(criterion.entity, term_id)].unit
                if criterion.unit != unit:
                    raise ValueError(
                        f"criterion {criterion.id}: unit {criterion.unit} is not the unit "
                        f"{unit} of {criterion.entity}.{term_id}"
                    )

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


def load_handbook(path: Path, assessment: Path | None = None) -> Handbook:
    """Read and check a handbook YAML file, with the pilot's assessment criteria if it has any.

    The criteria live in their own file (they cite regulations and change on their own rhythm)
    but are checked against the handbook's terms as one document.
    """
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if assessment is not None:
        with assessment.open(encoding="utf-8") as handle:
            data["assessment"] = yaml.safe_load(handle)
    return Handbook.model_validate(data)
