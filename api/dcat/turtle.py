"""Turtle from the JSON-LD catalogue, by a real RDF processor (rdflib).

Deriving Turtle from the one JSON-LD document keeps the two serialisations the same graph by
construction; the tests still parse both back with independent processors and compare them.
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import Graph

from api.dcat.context import CONTEXT


def to_graph(document: dict[str, Any]) -> Graph:
    """The RDF graph of a JSON-LD document whose context is embedded (no network access)."""
    graph = Graph()
    graph.parse(data=json.dumps(document), format="json-ld")
    return graph


def to_turtle(document: dict[str, Any]) -> str:
    graph = to_graph(document)
    for prefix, namespace in CONTEXT.items():
        if isinstance(namespace, str) and namespace.endswith(("#", "/")):
            graph.bind(prefix, namespace, override=True)
    return graph.serialize(format="turtle")
