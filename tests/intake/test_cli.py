"""``stadspuls keys`` and the supplier/city options of ``stadspuls sources`` on a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from core.cli.keys import keys_app
from core.cli.sources import sources_app
from core.keys import authenticate
from core.pilot import load_registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from core.sources import get_source


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STADSPULS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    app = typer.Typer()
    app.add_typer(keys_app, name="keys")
    app.add_typer(sources_app, name="sources")
    return app


def run(app: typer.Typer, *args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_keys_create_list_revoke(cli: typer.Typer) -> None:
    made = run(cli, "keys", "create", "--city", "gent", "--label", "ops")
    assert made.exit_code == 0, made.output
    secret = made.stdout.splitlines()[0]
    engine = open_database(DatabaseSettings(), load_registry())
    try:
        principal = authenticate(engine, secret)
        assert (principal.role, principal.city) == ("city-admin", "gent")
        listed = run(cli, "keys", "list").stdout
        assert principal.key_id in listed and "active" in listed and secret not in listed
        assert run(cli, "keys", "revoke", principal.key_id).exit_code == 0
        assert "revoked" in run(cli, "keys", "list", "--city", "gent").stdout
    finally:
        engine.dispose()


def test_bad_key_requests_are_one_sentence(cli: typer.Typer) -> None:
    no_scope = run(cli, "keys", "create", "--city", "gent", "--role", "supplier")
    assert no_scope.exit_code == 2 and "at least one source" in no_scope.output
    bad_city = run(cli, "keys", "create", "--city", "Gent Centrum")
    assert bad_city.exit_code == 2 and "lower-case" in bad_city.output
    unknown = run(cli, "keys", "revoke", "abc")
    assert unknown.exit_code == 2 and "no key 'abc'" in unknown.output


def test_sources_carry_supplier_city_licence_and_deliveries(cli: typer.Typer) -> None:
    added = run(
        cli,
        "sources",
        "add",
        "--id",
        "bays",
        "--pilot",
        "parking",
        "--format",
        "ttn",
        "--city",
        "kortrijk",
        "--supplier",
        "acme",
        "--delivery",
        "mqtt",
    )
    assert added.exit_code == 0, added.output
    listed = run(cli, "sources", "list").stdout
    assert "kortrijk/acme" in listed and "\tmqtt" in listed
    wrong = run(
        cli,
        "sources",
        "add",
        "--id",
        "x",
        "--pilot",
        "parking",
        "--format",
        "json",
        "--delivery",
        "fax",
    )
    assert wrong.exit_code == 2 and "fax" in wrong.output


def test_sources_update_changes_only_what_is_named(cli: typer.Typer) -> None:
    run(cli, "sources", "add", "--id", "g", "--pilot", "parking", "--format", "json",
        "--city", "gent")
    changed = run(cli, "sources", "update", "g", "--timezone", "Europe/Brussels",
                  "--delivery", "file", "--delivery", "push")
    assert changed.exit_code == 0, changed.output
    assert "delivery, timezone" in changed.stdout
    engine = open_database(DatabaseSettings(), load_registry())
    try:
        source = get_source(engine, "g")
    finally:
        engine.dispose()
    assert (source.timezone, source.deliveries, source.city) == (
        "Europe/Brussels", ("file", "push"), "gent")
    nothing = run(cli, "sources", "update", "g")
    assert nothing.exit_code == 2 and "at least one thing" in nothing.output
    unknown = run(cli, "sources", "update", "nope", "--crs", "EPSG:31370")
    assert unknown.exit_code == 2 and "no source 'nope'" in unknown.output
