"""POST /validate: the same report as ``stadspuls validate`` as JSON, HTML and JUnit XML.

Valid and invalid sample files of every pilot with fixtures, sent as a multipart upload and as
the raw body, on SQLite and PostGIS; nothing is ever written to the data or the quarantine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from core.cli.main import app as cli
from core.pilot import Registry
from tests.api.validation import (
    CROWDING,
    PARKING,
    failed_rules,
    junit,
    report_json,
    row_counts,
    validation_client,
)

#: (pilot, file, format, valid records, invalid records, a rule the invalid records break)
SAMPLES = [
    ("parking", PARKING / "gent-export.json", "gent-json", 2, 0, None),
    ("parking", PARKING / "gent-nonnumeric-capacity.json", "gent-json", 0, 1, "core.datatype"),
    ("parking", PARKING / "sites-wkt.csv", "csv", 1, 1, "core.outside-belgium"),
    ("crowding", CROWDING / "cityflows.json", "cityflows", 4, 0, None),
    ("crowding", CROWDING / "cityflows-edge.json", "cityflows", 1, 8, "crowding.mapping"),
]
SAMPLE_IDS = [f"{pilot}-{path.name}" for pilot, path, *_ in SAMPLES]


@pytest.fixture(scope="module")
def client(seeded_database_url: str, registry: Registry) -> Iterator[TestClient]:
    yield from validation_client(seeded_database_url, registry)


def upload(
    client: TestClient, pilot: str, path: Path, query: str = "", **headers: str
) -> httpx.Response:
    with path.open("rb") as handle:
        return client.post(
            f"/validate?pilot={pilot}{query}", files={"file": (path.name, handle)}, headers=headers
        )


def cli_report(pilot: str, path: Path) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["validate", str(path), "-p", pilot, "-o", "json"])
    assert result.exit_code in (0, 1), result.output
    report: dict[str, object] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize(("pilot", "path", "fmt", "valid", "invalid", "rule"), SAMPLES,
                         ids=SAMPLE_IDS)
def test_json_report_is_the_cli_report(
    client: TestClient, pilot: str, path: Path, fmt: str, valid: int, invalid: int,
    rule: str | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    report = report_json(upload(client, pilot, path))
    assert (report["file"], report["pilot"], report["format"]) == (path.name, pilot, fmt)
    assert (report["records"], report["valid"], report["invalid"]) == (
        valid + invalid, valid, invalid)
    monkeypatch.setenv("STADSPULS_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    assert report == cli_report(pilot, path)  # the CLI finds no database: no references here
    if rule is None:
        assert report["problems"] == [] and report["rules"] == []
    else:
        groups = {group["rule"]: group for group in report["rules"]}
        assert groups[rule]["records"] >= 1
        assert groups[rule]["examples"][0]["rule"] == rule
        assert sum(group["problems"] for group in report["rules"]) == len(report["problems"])


@pytest.mark.parametrize(("pilot", "path", "fmt", "valid", "invalid", "rule"), SAMPLES,
                         ids=SAMPLE_IDS)
def test_raw_body_gives_the_same_report_as_the_upload(
    client: TestClient, pilot: str, path: Path, fmt: str, valid: int, invalid: int,
    rule: str | None,
) -> None:
    raw = client.post(
        f"/validate?pilot={pilot}&filename={path.name}", content=path.read_bytes(),
        headers={"content-type": "application/octet-stream"},
    )
    assert report_json(raw) == report_json(upload(client, pilot, path))


def test_curl_data_binary_content_type_is_a_raw_file_too(client: TestClient) -> None:
    path = PARKING / "gent-nonnumeric-capacity.json"
    response = client.post(
        "/validate?pilot=parking&format=gent-json", content=path.read_bytes(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    report = report_json(response)
    assert (report["file"], report["invalid"]) == ("upload", 1)


@pytest.mark.parametrize(("pilot", "path", "fmt", "valid", "invalid", "rule"), SAMPLES,
                         ids=SAMPLE_IDS)
def test_html_report_groups_problems_by_rule(
    client: TestClient, pilot: str, path: Path, fmt: str, valid: int, invalid: int,
    rule: str | None,
) -> None:
    response = upload(client, pilot, path, "&f=html")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = response.text
    assert page.startswith("<!DOCTYPE html>")
    if rule is None:
        assert "<strong>Valid</strong>" in page and "<section" not in page
    else:
        report = report_json(upload(client, pilot, path))
        assert "<strong>Invalid</strong>" in page
        assert page.count("<section") == len(report["rules"])
        for group in report["rules"]:
            assert f'<h2 id="rule-{group["rule"]}"><code>{group["rule"]}</code>' in page
            for term in group["terms"]:
                assert f"<code>{term['id']}</code>" in page
    assert f"{valid + invalid} record" in page
    assert '<form method="post" action="validate?f=html" enctype="multipart/form-data">' in page


def test_html_is_chosen_by_the_accept_header_of_a_browser(client: TestClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = upload(client, "parking", PARKING / "gent-export.json", accept=accept)
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Accept" in [part.strip() for part in response.headers["vary"].split(",")]


@pytest.mark.parametrize(("pilot", "path", "fmt", "valid", "invalid", "rule"), SAMPLES,
                         ids=SAMPLE_IDS)
def test_junit_report_has_one_testcase_per_rule(
    client: TestClient, pilot: str, path: Path, fmt: str, valid: int, invalid: int,
    rule: str | None,
) -> None:
    root = junit(upload(client, pilot, path, "&f=junit"))
    (suite,) = root.findall("testsuite")
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties == {"file": path.name, "pilot": pilot, "format": fmt,
                          "records": str(valid + invalid), "valid": str(valid),
                          "invalid": str(invalid)}
    cases = suite.findall("testcase")
    names = [case.get("name") for case in cases]
    assert len(names) == len(set(names)) == int(suite.get("tests", "-1"))
    assert {case.get("classname") for case in cases} == {f"{pilot}.{fmt}"}
    assert "core.datatype" in names and "core.invalid-json" not in names  # files: no MQTT rules
    failures = failed_rules(suite)
    assert int(suite.get("failures", "-1")) == len(failures) == int(root.get("failures", "-1"))
    report = report_json(upload(client, pilot, path))
    assert set(failures) == {group["rule"] for group in report["rules"]}
    if rule is not None:
        failure = failures[rule]
        assert failure.get("type") == rule
        group = next(group for group in report["rules"] if group["rule"] == rule)
        assert failure.get("message", "").startswith(f"{group['records']} record")
        listed = (failure.text or "").splitlines()
        assert len(listed) == group["problems"]
        assert group["examples"][0]["message"] in listed[0]


def test_junit_is_chosen_by_accept_application_xml(client: TestClient) -> None:
    response = upload(client, "parking", PARKING / "gent-export.json", accept="application/xml")
    root = junit(response)
    assert root.get("failures") == "0"


def test_references_are_looked_up_in_the_database_without_writing(
    client: TestClient, seeded_database_url: str, registry: Registry
) -> None:
    """A DATEX status of a seeded site is valid under its source, unknown under another."""
    path = PARKING / "datex2-v3-status.xml"
    before = row_counts(seeded_database_url, registry)
    known = report_json(upload(client, "parking", path, "&source=mechelen"))
    unknown = report_json(upload(client, "parking", path, "&source=elsewhere"))
    assert (known["invalid"], unknown["valid"]) == (0, 0)
    assert {group["rule"] for group in unknown["rules"]} == {"core.reference"}
    assert row_counts(seeded_database_url, registry) == before


def test_nothing_is_written_by_any_report(
    client: TestClient, seeded_database_url: str, registry: Registry
) -> None:
    before = row_counts(seeded_database_url, registry)
    assert before["parking_site"] > 0  # the seeded data is there to be left alone
    for pilot, path, *_ in SAMPLES:
        for query in ("", "&f=html", "&f=junit"):
            assert upload(client, pilot, path, query).status_code == 200
    truncated = PARKING / "gent-truncated.json"
    assert upload(client, "parking", truncated).status_code == 200
    assert row_counts(seeded_database_url, registry) == before
