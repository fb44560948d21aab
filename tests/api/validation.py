"""Helpers of the validation-service tests: a client with a small upload limit, row counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient
from lxml import etree

from api.app import create_app
from core.pilot import Registry
from core.settings import DatabaseSettings
from tests.api.conftest import api_settings
from tests.conftest import FIXTURES

PARKING = FIXTURES / "parking"
CROWDING = FIXTURES / "crowding"
#: The limit of the test app: large enough for every fixture, small enough to exceed cheaply.
UPLOAD_LIMIT = 64 * 1024


def validation_client(database_url: str, registry: Registry) -> Iterator[TestClient]:
    settings = api_settings().model_copy(update={"api_max_upload_bytes": UPLOAD_LIMIT})
    app = create_app(settings, DatabaseSettings(database_url=database_url), registry)
    with TestClient(app) as client:
        yield client


def row_counts(database_url: str, registry: Registry) -> dict[str, int]:
    """Rows of every pilot table, the quarantine and the source registry."""
    tables = ["quarantine", "source"]
    tables += [store.table.name for pilot in registry for store in pilot.stores]
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return {
                table: conn.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                for table in tables
            }
    finally:
        engine.dispose()


def report_json(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def junit(response: httpx.Response) -> etree._Element:
    """The JUnit document, parsed back; fails unless it is well-formed XML."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    root = etree.fromstring(response.content)
    assert root.tag == "testsuites"
    return root


def failed_rules(suite: etree._Element) -> dict[str, etree._Element]:
    """The failing test cases of a suite, by rule (test case name) → their <failure>."""
    failures = {}
    for case in suite.iter("testcase"):
        failure = case.find("failure")
        if failure is not None:
            failures[case.get("name", "")] = failure
    return failures
