"""Broker accounts in the database and ``stadspuls mqtt-access`` on a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from core.cli.mqtt_access import mqtt_access_app
from core.mqtt_access.accounts import (
    create_account,
    list_accounts,
    remove_account,
    rotate_password,
)
from core.mqtt_access.passwords import verify_password
from core.mqtt_access.rules import BrokerAccessError
from core.pilot import load_registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from core.sources import Source, add_source


def test_accounts_keep_a_hash_and_rotation_replaces_it(engine: Engine) -> None:
    issued = create_account(engine, "acme", "supplier")
    [stored] = list_accounts(engine)
    assert (stored.username, stored.role) == ("acme", "supplier")
    assert stored.password_hash != issued.password
    assert verify_password(issued.password, stored.password_hash)
    rotated = rotate_password(engine, "acme")
    [after] = list_accounts(engine)
    assert verify_password(rotated.password, after.password_hash)
    assert not verify_password(issued.password, after.password_hash)
    assert after.created_at == stored.created_at
    assert after.password_set_at >= stored.password_set_at
    remove_account(engine, "acme")
    assert list_accounts(engine) == []


def test_account_errors_name_the_problem(engine: Engine) -> None:
    create_account(engine, "ingest", "ingest")
    with pytest.raises(BrokerAccessError, match="exists already"):
        create_account(engine, "ingest", "supplier")
    with pytest.raises(BrokerAccessError, match="role 'admin'"):
        create_account(engine, "root", "admin")
    with pytest.raises(BrokerAccessError, match="no broker account 'ghost'"):
        rotate_password(engine, "ghost")
    with pytest.raises(BrokerAccessError, match="no broker account 'ghost'"):
        remove_account(engine, "ghost")


# --- the CLI ----------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STADSPULS_DATABASE_URL", f"sqlite:///{path}")
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(mqtt_access_app, [str(arg) for arg in args])


def clean(result: Result, code: int = 0) -> Result:
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_create_prints_the_password_once_on_stdout_and_stores_no_clear_text(
    database: Path,
) -> None:
    result = clean(run("account", "create", "acme"))
    password = result.stdout.strip()
    assert len(password) >= 43 and "\n" not in password
    assert "shown only this once" in result.stderr
    assert password.encode() not in database.read_bytes()
    listed = clean(run("account", "list")).stdout
    assert listed.startswith("acme\tsupplier\tpassword set ")
    assert password not in listed


def test_rotate_prints_a_new_password(database: Path) -> None:
    first = clean(run("account", "create", "ingest", "--role", "ingest")).stdout.strip()
    result = clean(run("account", "rotate", "ingest"))
    assert result.stdout.strip() != first
    assert "STADSPULS_MQTT_URL=mqtt://ingest:<password>@" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("account", "create", "acme corp"), "broker account name 'acme corp' must be"),
        (("account", "create", "x", "--role", "admin"), "broker account role 'admin' must be"),
        (("account", "rotate", "ghost"), "there is no broker account 'ghost'"),
        (("account", "remove", "ghost"), "there is no broker account 'ghost'"),
    ],
)
def test_mistakes_exit_2_with_one_line(database: Path, args: tuple[str, ...], message: str) -> None:
    result = clean(run(*args), 2)
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {message}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_write_produces_the_three_files_and_warns_about_gaps(
    database: Path, tmp_path: Path
) -> None:
    clean(run("account", "create", "ingest", "--role", "ingest"))
    clean(run("account", "create", "acme"))
    target = tmp_path / "generated"
    result = clean(run("write", "--dir", target, "--broker-dir", "/mosquitto/access"))
    assert "wrote passwords, acl, stadspuls-access.conf" in result.stdout
    assert "supplier account 'acme' delivers no source" in result.stderr
    assert (target / "stadspuls-access.conf").read_text().endswith(
        "allow_anonymous false\npassword_file /mosquitto/access/passwords\n"
        "acl_file /mosquitto/access/acl\n"
    )
    assert [line.partition(":")[0] for line in (target / "passwords").read_text().splitlines()] \
        == ["acme", "ingest"]
    assert "user ingest\n" in (target / "acl").read_text()
    again = clean(run("write", "--dir", target, "--broker-dir", "/mosquitto/access"))
    assert "wrote nothing (the files are up to date)" in again.stdout


def test_write_defaults_the_broker_directory_to_the_written_one(
    database: Path, tmp_path: Path
) -> None:
    clean(run("write", "--dir", "out"))
    conf = (tmp_path / "out" / "stadspuls-access.conf").read_text()
    assert f"password_file {tmp_path / 'out' / 'passwords'}\n" in conf


def test_write_into_a_file_exits_2_with_one_line(database: Path, tmp_path: Path) -> None:
    (tmp_path / "occupied").write_text("a file, not a directory")
    result = clean(run("write", "--dir", tmp_path / "occupied"), 2)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: cannot write to {tmp_path / 'occupied'}: File exists"]


def test_write_lets_a_supplier_publish_only_to_its_own_sources(
    database: Path, tmp_path: Path
) -> None:
    registry = load_registry()
    engine = open_database(DatabaseSettings(), registry)
    try:
        add_source(engine, registry, Source(id="garages", pilot="parking", format="json",
                                            supplier="acme", city="gent"))
        add_source(engine, registry, Source(id="bays", pilot="parking", format="ttn",
                                            topic="v3/bays@ttn/devices/+/up", supplier="other"))
    finally:
        engine.dispose()
    clean(run("account", "create", "ingest", "--role", "ingest"))
    clean(run("account", "create", "acme"))
    result = clean(run("write", "--dir", tmp_path / "generated"))
    assert "acme" not in result.stderr  # it delivers a source now
    assert "'other'" in result.stderr  # a source whose supplier has no account is named
    acl = (tmp_path / "generated" / "acl").read_text()
    acme = acl.split("user acme\n", 1)[1].split("\nuser ", 1)[0]
    assert "topic write stadspuls/parking/garages/#" in acme
    assert "v3/bays" not in acme
