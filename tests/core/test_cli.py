"""The real CLI on a SQLite file: validate reports and exit codes, ingest summaries, db upgrade."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from core.cli.main import app
from core.pilot import load_registry
from tests.conftest import FIXTURES

PARKING = FIXTURES / "parking"
PARKING_FORMATS = ", ".join(sorted(load_registry().get("parking").adapters))


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A not yet existing SQLite file named by STADSPULS_DATABASE_URL; no .env is read."""
    path = tmp_path / "cli.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STADSPULS_DATABASE_URL", f"sqlite:///{path}")
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args])


def assert_clean_exit(result: Result, code: int) -> None:
    """The exit code, and no Python exception escaped (a traceback would be printed)."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("name", "options", "summary"),
    [("sites-wgs84.csv", [],
      "sites-wgs84.csv (parking, csv): valid - 2 records, 2 valid, 0 invalid"),
     ("gent-v2-records.json", [],
      "gent-v2-records.json (parking, gent-json): valid - 2 records, 2 valid, 0 invalid"),
     ("gent-closed.json", [], "gent-closed.json (parking, gent-json): valid - 1 records"),
     ("sites-lambert72.csv", ["--crs", "EPSG:31370"],
      "sites-lambert72.csv (parking, csv): valid - 1 records, 1 valid, 0 invalid"),
     ("gent-naive-lastupdate.json", ["--timezone", "Europe/Brussels"],
      "gent-naive-lastupdate.json (parking, gent-json): valid - 1 records, 1 valid")],
)
def test_validate_a_valid_file_exits_0(database: Path, name: str, options: list[str],
                                       summary: str) -> None:
    result = run("validate", PARKING / name, "--pilot", "parking", *options)
    assert_clean_exit(result, 0)
    assert result.stdout.startswith(summary)
    assert result.stdout.count("\n") == 1
    assert not database.exists()  # validate never creates a database


@pytest.mark.parametrize(
    ("name", "options", "lines"),
    [
        ("gent-available-over-capacity.json", [], [
            "gent-available-over-capacity.json (parking, gent-json): INVALID - 1 records, "
            "0 valid, 1 invalid",
            "  record 1: [parking.vacant-within-capacity] observation.vacant: vacant spaces (512) "
            "exceed the capacity (486)",
            "      found: vacant=512, capacity=486; expected: Vacant spaces lie between 0 and the "
            "capacity.",
        ]),
        ("sites-wkt.csv", [], [
            "sites-wkt.csv (parking, csv): INVALID - 2 records, 1 valid, 1 invalid",
            "  record 3: [core.outside-belgium] site.geometry: location (2.35000, 48.85000) lies "
            "outside Belgium",
            "      found: POINT(2.35 48.85); expected: a location in Belgium "
            "(lon 2.4..6.5, lat 49.5..51.5)",
        ]),
        ("sites-lambert72.csv", [], [
            "sites-lambert72.csv (parking, csv): INVALID - 1 records, 0 valid, 1 invalid",
        ]),
        ("gent-naive-lastupdate.json", [], [
            "      found: 2026-11-20 10:18:00; expected: a time with an offset",
        ]),
    ],
)
def test_validate_an_invalid_file_exits_1_and_lists_each_problem(
    database: Path, name: str, options: list[str], lines: list[str]
) -> None:
    result = run("validate", PARKING / name, "-p", "parking", *options)
    assert_clean_exit(result, 1)
    output = result.stdout.splitlines()
    for line in lines:
        assert line in output


def test_validate_json_report(database: Path) -> None:
    result = run("validate", PARKING / "gent-nonnumeric-capacity.json", "-p", "parking",
                 "--output", "json")
    assert_clean_exit(result, 1)
    report = json.loads(result.stdout)
    assert {key: report[key] for key in ("file", "pilot", "format", "records", "valid",
                                         "invalid")} == {
        "file": "gent-nonnumeric-capacity.json", "pilot": "parking", "format": "gent-json",
        "records": 1, "valid": 0, "invalid": 1}
    assert [(p["origin"], p["position"], p["rule"], p["term"], p["found"], p["expected"])
            for p in report["problems"]] == [
        ("gent-nonnumeric-capacity.json", 1, "core.datatype", "site.capacity", "onbekend",
         "an integer"),
        ("gent-nonnumeric-capacity.json", 1, "core.datatype", "observation.observed_at",
         "gisteren", "an ISO 8601 date-time"),
        ("gent-nonnumeric-capacity.json", 1, "core.datatype", "observation.capacity", "onbekend",
         "an integer"),
        ("gent-nonnumeric-capacity.json", 1, "core.datatype", "observation.occupancy", "n.v.t.",
         "a number"),
    ]
    assert report["problems"][0]["message"] == "'onbekend' is not an integer"


def test_validate_json_report_of_a_valid_file(database: Path) -> None:
    result = run("validate", PARKING / "sites-wgs84.csv", "-p", "parking", "-o", "json")
    assert_clean_exit(result, 0)
    report = json.loads(result.stdout)
    assert (report["records"], report["valid"], report["invalid"], report["problems"]) == (
        2, 2, 0, [])


@pytest.mark.parametrize(
    ("path", "options", "message"),
    [(PARKING / "gent-empty.json", [], "error: gent-empty.json: the file is empty"),
     (PARKING / "gent-truncated.json", [], "error: gent-truncated.json: The JSON ends inside a "
      "string opened at line 7, column 27; the file looks truncated."),
     (PARKING / "truncated.geojson", [], "error: truncated.geojson: invalid JSON at line 1"),
     (PARKING / "gent-wrong-shape.json", ["--format", "gent-json"], "error: gent-wrong-shape.json:"
      " The JSON is an object with keys 'type', 'features', which is none of the Opendatasoft"),
     (PARKING / "sites-wgs84.csv", ["--format", "xlsx"], "error: pilot 'parking' has no format "
      f"'xlsx'; known formats: {PARKING_FORMATS}"),
     (PARKING / "sites-wgs84.csv", ["--output", "xml"], "error: --output must be text, json or "
      "junit, not 'xml'"),
     (PARKING / "missing.csv", [], f"error: {PARKING / 'missing.csv'}: no such file"),
     (PARKING / "missing.csv", ["--format", "csv"],
      f"error: {PARKING / 'missing.csv'}: no such file"),
     (PARKING, [], f"error: {PARKING}: no such file")],
)
def test_validate_an_unreadable_file_exits_2_with_one_line(
    database: Path, path: Path, options: list[str], message: str
) -> None:
    result = run("validate", path, "-p", "parking", *options)
    assert_clean_exit(result, 2)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(message)


def test_validate_an_undetectable_file_exits_2(database: Path, tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_text("hello\n")
    result = run("validate", path, "-p", "parking")
    assert_clean_exit(result, 2)
    assert result.stderr == ("error: cannot tell the format of 'data.txt'; pass --format "
                             f"(one of: {PARKING_FORMATS})\n")


def test_an_unknown_pilot_exits_2(database: Path) -> None:
    result = run("validate", PARKING / "sites-wgs84.csv", "-p", "noise")
    assert_clean_exit(result, 2)
    assert result.stderr.startswith("error: unknown pilot 'noise'; known pilots: ")
    assert "parking" in result.stderr


def test_ingest_prints_a_summary_and_a_second_run_finds_duplicates(database: Path) -> None:
    files = [PARKING / "sites-wgs84.csv", PARKING / "observations.csv"]
    first = run("ingest", *files, "-p", "parking", "--source", "lab")
    assert_clean_exit(first, 0)
    assert first.stdout.splitlines() == [
        "sites-wgs84.csv (csv): 2 records read, 2 valid; 2 rows new, 0 updated, "
        "0 unchanged duplicates; 0 records quarantined",
        "observations.csv (csv): 7 records read, 3 valid; 3 rows new, 0 updated, "
        "0 unchanged duplicates; 4 records quarantined",
        "  1 x parking.vacant-within-capacity: vacant spaces (90) exceed the capacity (80)",
        "  1 x core.reference: site 'P-NOPE' is not known; deliver the site (e.g. its table or "
        "register file) before its observations",
        "  1 x core.timezone: time '2026-11-20 10:10:00' has no time zone; add an offset "
        "(e.g. +01:00 or Z) or declare the source's time zone",
        "  1 x core.minimum: vacant -3 is below 0 {spaces}",
    ]
    second = run("ingest", *files, "-p", "parking", "--source", "lab")
    assert_clean_exit(second, 0)
    assert second.stdout.splitlines()[:2] == [
        "sites-wgs84.csv (csv): 2 records read, 2 valid; 0 rows new, 0 updated, "
        "2 unchanged duplicates; 0 records quarantined",
        "observations.csv (csv): 7 records read, 3 valid; 0 rows new, 0 updated, "
        "3 unchanged duplicates; 4 records quarantined",
    ]
    assert query(database, "SELECT id FROM parking_site ORDER BY id") == [
        ("lab:P-GRAS",), ("lab:P-ZUID",)]
    assert query(database, "SELECT count(*) FROM parking_observation") == [(3,)]
    assert query(database, "SELECT count(*) FROM quarantine") == [(4,)]


def test_ingest_goes_on_after_an_unreadable_file_and_exits_2(database: Path) -> None:
    result = run("ingest", PARKING / "gent-truncated.json", PARKING / "missing.json",
                 PARKING / "gent-export.json", "-p", "parking")
    assert_clean_exit(result, 2)
    assert result.stdout.splitlines() == [
        "gent-export.json (gent-json): 2 records read, 2 valid; 4 rows new, 0 updated, "
        "0 unchanged duplicates; 0 records quarantined"]
    assert result.stderr.splitlines() == [
        "error: gent-truncated.json: The JSON ends inside a string opened at line 7, column 27; "
        "the file looks truncated.",
        f"error: {PARKING / 'missing.json'}: no such file",
    ]
    assert query(database, "SELECT count(*) FROM parking_site") == [(2,)]
    assert query(database, "SELECT origin, rules FROM quarantine") == [
        ("gent-truncated.json", "core.unreadable")]


def test_ingest_of_an_unknown_pilot_exits_2(database: Path) -> None:
    result = run("ingest", PARKING / "sites-wgs84.csv", "-p", "noise")
    assert_clean_exit(result, 2)
    assert result.stderr.startswith("error: unknown pilot 'noise'")


def test_db_upgrade_creates_the_schema_and_is_repeatable(database: Path) -> None:
    for _ in range(2):
        result = run("db", "upgrade")
        assert_clean_exit(result, 0)
        assert result.stdout == f"database schema is up to date (sqlite:///{database})\n"
    tables = set(sa.inspect(sa.create_engine(f"sqlite:///{database}")).get_table_names())
    assert {"alembic_version", "quarantine", "parking_site", "parking_observation",
            "parking_site_state"} <= tables


def test_db_upgrade_on_an_unreachable_server_exits_2(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STADSPULS_DATABASE_URL",
                       "postgresql://nobody@127.0.0.1:9/stadspuls?connect_timeout=2")
    result = run("db", "upgrade")
    assert_clean_exit(result, 2)
    assert result.stderr.startswith("error: the database is unreachable: ")
    assert "Connection refused" in result.stderr
