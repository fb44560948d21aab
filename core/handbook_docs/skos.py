"""A handbook as JSON-LD: a SKOS concept scheme of its entities, terms, codelists, codes, rules.

Choices (see also the module tests):

* The handbook is one ``skos:ConceptScheme`` (``@id``: ``base_uri`` without its ``#``).
  Entities and the pilot's rules are its top concepts; each term is a concept with
  ``skos:broader`` its entity. ``skos:notation`` carries the id a validation report prints
  (``site.capacity``, ``parking.counts-add-up``).
* Each **codelist is its own** ``skos:ConceptScheme`` (``{base_uri}codelist/{id}``), part of the
  handbook (``dcterms:isPartOf``), with its codes as top concepts. A codelist is a closed,
  separately versionable value domain, which is what a concept scheme is; a
  ``skos:Collection`` is only a labelled grouping inside a scheme (and, like a scheme, may not
  be a ``skos:Concept``). Codes are ``skos:inScheme`` both their codelist and the handbook, so
  one query on the handbook scheme finds every concept it defines.
* Mappings to DATEX II, Smart Data Models, OSLO, SOSA and schema.org are **skos:closeMatch**,
  never ``skos:exactMatch``: exactMatch is transitive, and two of our terms often map to the
  same outside term (``site.capacity`` and ``observation.capacity`` both to SDM
  ``totalSpotNumber``), which would wrongly make them exact matches of each other. The outside
  terms are also properties and classes with their own, slightly different constraints.
* The unit is ``stadspuls:unit``, a literal of datatype ``qudt:UCUMcs`` (the handbook's UCUM
  code, e.g. ``{spaces}``, ``%``), not ``qudt:unit``: that property expects a QUDT unit
  resource, and UCUM annotations such as ``{spaces}`` have none.
* Other constraints are ``stadspuls:`` properties named after the handbook fields; bounds are
  JSON numbers (``xsd:integer`` when whole, else ``xsd:double``).
* A rule has no label apart from its description, so its ``skos:prefLabel`` (nl, en) is that
  description, with ``skos:related`` to the terms it checks; it has no ``skos:definition``.
* The output holds both languages; it does not depend on a page language.
* Assessment criteria (when a handbook has them) are top concepts with their comparison,
  threshold or bands (``stadspuls:thresholdSteps``, an ordered list), unit and
  ``dcterms:source`` (a ``dcterms:BibliographicResource`` with its citation); profiles are top
  concepts listing each criterion with the level its failure leads to.
"""

from __future__ import annotations

import json
from typing import Any

from core.assessment import Assessment
from core.handbook import Code, Codelist, Entity, Handbook, Labels, References, Rule, Term
from core.handbook_docs.words import STANDARDS

#: Namespace of the handbook properties that SKOS has no word for (unit, bounds, datatype…).
VOCAB = "https://stadspuls.example/def/handbook#"

_ID = "@id"
_LANGUAGE_MAP = {"@container": "@language"}

CONTEXT: dict[str, Any] = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "qudt": "http://qudt.org/schema/qudt/",
    "stadspuls": VOCAB,
    "prefLabel": {_ID: "skos:prefLabel", **_LANGUAGE_MAP},
    "definition": {_ID: "skos:definition", **_LANGUAGE_MAP},
    "notation": "skos:notation",
    "inScheme": {_ID: "skos:inScheme", "@type": _ID},
    "topConceptOf": {_ID: "skos:topConceptOf", "@type": _ID},
    "hasTopConcept": {_ID: "skos:hasTopConcept", "@type": _ID},
    "broader": {_ID: "skos:broader", "@type": _ID},
    "related": {_ID: "skos:related", "@type": _ID},
    "closeMatch": {_ID: "skos:closeMatch", "@type": _ID},
    "title": {_ID: "dcterms:title", **_LANGUAGE_MAP},
    "description": {_ID: "dcterms:description", **_LANGUAGE_MAP},
    "hasPart": {_ID: "dcterms:hasPart", "@type": _ID},
    "isPartOf": {_ID: "dcterms:isPartOf", "@type": _ID},
    "versionInfo": "owl:versionInfo",
    "datatype": "stadspuls:datatype",
    "unit": {_ID: "stadspuls:unit", "@type": "qudt:UCUMcs"},
    "required": "stadspuls:required",
    "minimum": "stadspuls:minimum",
    "maximum": "stadspuls:maximum",
    "codelist": {_ID: "stadspuls:codelist", "@type": _ID},
    "refersTo": {_ID: "stadspuls:refersTo", "@type": _ID},
    "maxFutureSeconds": "stadspuls:maxFutureSeconds",
    "derivable": "stadspuls:derivable",
    "comparison": "stadspuls:comparison",
    "threshold": "stadspuls:threshold",
    "thresholdSteps": {_ID: "stadspuls:thresholdSteps", "@container": "@list"},
    "thresholdBy": {_ID: "stadspuls:thresholdBy", "@type": _ID},
    "upTo": "stadspuls:upTo",
    "below": "stadspuls:below",
    "appliesWhen": "stadspuls:appliesWhen",
    "source": {_ID: "dcterms:source", "@type": _ID},
    "reference": "stadspuls:reference",
    "bibliographicCitation": "dcterms:bibliographicCitation",
    "seeAlso": {_ID: "http://www.w3.org/2000/01/rdf-schema#seeAlso", "@type": _ID},
    "criterion": {_ID: "stadspuls:criterion", "@type": _ID},
    "onFail": {_ID: "stadspuls:onFail", "@type": _ID},
    "profileCriteria": "stadspuls:profileCriteria",
}


def scheme_id(handbook: Handbook) -> str:
    return handbook.base_uri.removesuffix("#")


def entity_id(handbook: Handbook, entity: str) -> str:
    return f"{handbook.base_uri}{entity}"


def term_id(handbook: Handbook, entity: str, term: str) -> str:
    return f"{handbook.base_uri}{entity}.{term}"


def codelist_id(handbook: Handbook, codelist: str) -> str:
    return f"{handbook.base_uri}codelist/{codelist}"


def code_id(handbook: Handbook, codelist: str, code: str) -> str:
    return f"{handbook.base_uri}codelist/{codelist}/{code}"


def rule_id(handbook: Handbook, rule: str) -> str:
    return f"{handbook.base_uri}rule/{rule}"


def _texts(labels: Labels) -> dict[str, str]:
    return {"nl": labels.nl, "en": labels.en}


def _matches(references: References) -> dict[str, list[str]]:
    uris = [getattr(references, key) for key in STANDARDS]
    found = [uri for uri in uris if uri]
    return {"closeMatch": found} if found else {}


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _concept(node_id: str, notation: str, label: Labels, **more: Any) -> dict[str, Any]:
    return {
        "@id": node_id,
        "@type": "skos:Concept",
        "notation": notation,
        "prefLabel": _texts(label),
        **more,
    }


def _entity(handbook: Handbook, entity: Entity) -> dict[str, Any]:
    scheme = scheme_id(handbook)
    return _concept(
        entity_id(handbook, entity.id),
        entity.id,
        entity.label,
        definition=_texts(entity.definition),
        inScheme=scheme,
        topConceptOf=scheme,
        **_matches(entity.references),
    )


def _term(handbook: Handbook, entity: Entity, term: Term) -> dict[str, Any]:
    node = _concept(
        term_id(handbook, entity.id, term.id),
        f"{entity.id}.{term.id}",
        term.label,
        definition=_texts(term.definition),
        inScheme=scheme_id(handbook),
        broader=entity_id(handbook, entity.id),
        **_matches(term.references),
        datatype=term.datatype,
        required=term.required,
        derivable=term.derivable,
    )
    if term.unit is not None:
        node["unit"] = term.unit
    if term.minimum is not None:
        node["minimum"] = _number(term.minimum)
    if term.maximum is not None:
        node["maximum"] = _number(term.maximum)
    if term.codelist is not None:
        node["codelist"] = codelist_id(handbook, term.codelist)
    if term.refers_to is not None:
        node["refersTo"] = entity_id(handbook, term.refers_to)
    if term.max_future_seconds is not None:
        node["maxFutureSeconds"] = term.max_future_seconds
    return node


def _codelist(handbook: Handbook, codelist: Codelist) -> list[dict[str, Any]]:
    own = codelist_id(handbook, codelist.id)
    scheme = {
        "@id": own,
        "@type": "skos:ConceptScheme",
        "notation": codelist.id,
        "prefLabel": _texts(codelist.label),
        "isPartOf": scheme_id(handbook),
        "hasTopConcept": [code_id(handbook, codelist.id, code.id) for code in codelist.codes],
    }
    return [scheme, *(_code(handbook, codelist, code) for code in codelist.codes)]


def _code(handbook: Handbook, codelist: Codelist, code: Code) -> dict[str, Any]:
    own = codelist_id(handbook, codelist.id)
    definition = {"definition": _texts(code.definition)} if code.definition else {}
    return _concept(
        code_id(handbook, codelist.id, code.id),
        code.id,
        code.label,
        **definition,
        inScheme=[own, scheme_id(handbook)],
        topConceptOf=own,
        **_matches(code.references),
    )


def _rule(handbook: Handbook, rule: Rule) -> dict[str, Any]:
    scheme = scheme_id(handbook)
    return _concept(
        rule_id(handbook, rule.id),
        rule.id,
        rule.description,
        inScheme=scheme,
        topConceptOf=scheme,
        related=[term_id(handbook, rule.entity, term) for term in rule.terms],
    )


def _threshold(value: bool | float | str) -> bool | int | float | str:
    return _number(value) if isinstance(value, float) else value


def _assessment(handbook: Handbook, assessment: Assessment) -> list[dict[str, Any]]:
    """Criteria and profiles as concepts of the scheme, sources as bibliographic resources.

    A criterion carries its comparison, threshold (or bands by another term), unit, the terms
    it reads (``skos:related``) and its source with the place in it (``stadspuls:reference``).
    """
    scheme = scheme_id(handbook)
    nodes: list[dict[str, Any]] = []
    for source in assessment.sources:
        node: dict[str, Any] = {
            "@id": source_id(handbook, source.id),
            "@type": "dcterms:BibliographicResource",
            "notation": source.id,
            "title": _texts(source.title),
            "bibliographicCitation": source.citation,
        }
        if source.url:
            node["seeAlso"] = source.url
        nodes.append(node)
    for criterion in assessment.criteria:
        node = _concept(
            criterion_id(handbook, criterion.id),
            criterion.id,
            criterion.label,
            inScheme=scheme,
            topConceptOf=scheme,
            related=[term_id(handbook, criterion.entity, term) for term in criterion.terms],
            comparison=criterion.comparison,
            source=source_id(handbook, criterion.source),
            reference=criterion.reference,
        )
        if criterion.threshold is not None:
            node["threshold"] = _threshold(criterion.threshold)
        if criterion.threshold_by is not None:
            node["thresholdBy"] = term_id(handbook, criterion.entity, criterion.threshold_by.term)
            node["thresholdSteps"] = [
                {"threshold": _threshold(step.threshold)}
                | ({"upTo": _number(step.up_to)} if step.up_to is not None else {})
                | ({"below": _number(step.below)} if step.below is not None else {})
                for step in criterion.threshold_by.steps
            ]
        if criterion.unit is not None:
            node["unit"] = criterion.unit
        if criterion.applies_when:
            node["appliesWhen"] = [
                f"{c.term} {c.comparison} {str(c.value).lower()}" for c in criterion.applies_when
            ]
        if criterion.note is not None:
            node["definition"] = _texts(criterion.note)
        nodes.append(node)
    for level in assessment.levels:
        nodes.append(
            _concept(
                level_id(handbook, level.id),
                level.id,
                level.label,
                definition=_texts(level.definition),
                inScheme=scheme,
            )
        )
    for profile in assessment.profiles:
        nodes.append(
            _concept(
                profile_id(handbook, profile.id),
                profile.id,
                profile.label,
                definition=_texts(profile.definition),
                inScheme=scheme,
                topConceptOf=scheme,
                related=[criterion_id(handbook, i.criterion) for i in profile.criteria],
                profileCriteria=[
                    {
                        "criterion": criterion_id(handbook, i.criterion),
                        "onFail": level_id(handbook, i.on_fail),
                    }
                    for i in profile.criteria
                ],
            )
        )
    return nodes


def criterion_id(handbook: Handbook, criterion: str) -> str:
    return f"{handbook.base_uri}criterion/{criterion}"


def source_id(handbook: Handbook, source: str) -> str:
    return f"{handbook.base_uri}source/{source}"


def level_id(handbook: Handbook, level: str) -> str:
    return f"{handbook.base_uri}level/{level}"


def profile_id(handbook: Handbook, profile: str) -> str:
    return f"{handbook.base_uri}profile/{profile}"


def document(handbook: Handbook) -> dict[str, Any]:
    """The handbook's concept scheme as a JSON-LD document (``@context`` and ``@graph``)."""
    top = [entity_id(handbook, entity.id) for entity in handbook.entities]
    top += [rule_id(handbook, rule.id) for rule in handbook.rules]
    assessment = handbook.assessment
    if assessment is not None:
        top += [criterion_id(handbook, criterion.id) for criterion in assessment.criteria]
        top += [profile_id(handbook, profile.id) for profile in assessment.profiles]
    scheme: dict[str, Any] = {
        "@id": scheme_id(handbook),
        "@type": "skos:ConceptScheme",
        "notation": handbook.pilot,
        "prefLabel": _texts(handbook.title),
        "title": _texts(handbook.title),
        "description": _texts(handbook.description),
        "versionInfo": handbook.version,
        "hasTopConcept": top,
        "hasPart": [codelist_id(handbook, codelist.id) for codelist in handbook.codelists],
    }
    graph: list[dict[str, Any]] = [scheme]
    for entity in handbook.entities:
        graph.append(_entity(handbook, entity))
        graph += [_term(handbook, entity, term) for term in entity.terms]
    for codelist in handbook.codelists:
        graph += _codelist(handbook, codelist)
    graph += [_rule(handbook, rule) for rule in handbook.rules]
    if assessment is not None:
        graph += _assessment(handbook, assessment)
    return {"@context": CONTEXT, "@graph": graph}


def render(handbook: Handbook) -> str:
    return json.dumps(document(handbook), indent=2, ensure_ascii=False) + "\n"
