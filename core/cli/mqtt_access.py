"""``stadspuls mqtt-access``: broker accounts, and Mosquitto's access files from the registry.

Passwords are printed once, on stdout alone (so ``$(stadspuls mqtt-access account create x)``
captures just the password); everything else goes to stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from core.cli.main import fail, with_database
from core.mqtt_access.accounts import (
    IssuedPassword,
    create_account,
    list_accounts,
    remove_account,
    rotate_password,
)
from core.mqtt_access.files import CONF_FILE, render_access_files, write_access_files
from core.mqtt_access.rules import ROLES, plan_access
from core.pilot import Registry
from core.sources import Source, list_sources

mqtt_access_app = typer.Typer(
    no_args_is_help=True, help="Broker accounts and Mosquitto's password and ACL files."
)
account_app = typer.Typer(no_args_is_help=True, help="Broker accounts of suppliers and workers.")
mqtt_access_app.add_typer(account_app, name="account")


def _show_once(issued: IssuedPassword, verb: str) -> None:
    typer.echo(
        f"broker account '{issued.username}' ({issued.role}) {verb}. Its password follows and "
        "is shown only this once; the platform keeps a hash, never the password.",
        err=True,
    )
    typer.echo(issued.password)
    if issued.role == "ingest":
        typer.echo(
            f"Give it to the ingest workers: STADSPULS_MQTT_URL=mqtt://{issued.username}:"
            "<password>@<broker>:1883",
            err=True,
        )
    else:
        typer.echo("Hand it to the supplier over a secure channel.", err=True)
    typer.echo(
        "The broker knows it after: stadspuls mqtt-access write --dir DIR, then SIGHUP to "
        "Mosquitto.",
        err=True,
    )


@account_app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="account name; a supplier's is its supplier id")],
    role: Annotated[
        str, typer.Option(help=f"{' or '.join(ROLES)}: publishes to its sources, or reads all")
    ] = "supplier",
) -> None:
    """Create a broker account with a random password, printed once."""
    _show_once(
        with_database(lambda engine, _registry: create_account(engine, username, role)), "created"
    )


@account_app.command("rotate")
def rotate(username: Annotated[str, typer.Argument(help="account name")]) -> None:
    """Give an account a new random password, printed once; the old one ends at reload."""
    _show_once(
        with_database(lambda engine, _registry: rotate_password(engine, username)), "rotated"
    )


@account_app.command("remove")
def remove(username: Annotated[str, typer.Argument(help="account name")]) -> None:
    """Remove a broker account (it is refused once the files are written and reloaded)."""
    with_database(lambda engine, _registry: remove_account(engine, username))
    typer.echo(f"broker account '{username}' removed; write the files and reload the broker")


@account_app.command("list")
def list_command() -> None:
    """List the broker accounts, and what each supplier may publish to."""

    def read(
        engine: Engine, _registry: Registry
    ) -> tuple[list[tuple[str, str, str]], list[Source]]:
        accounts = [
            (a.username, a.role, a.password_set_at.isoformat(timespec="seconds"))
            for a in list_accounts(engine)
        ]
        return accounts, list_sources(engine)

    accounts, bindings = with_database(read)
    if not accounts:
        typer.echo("no broker accounts")
    for username, role, password_set_at in accounts:
        owned = [b.id for b in bindings if b.supplier == username] if role == "supplier" else []
        sources = f"\tsources: {', '.join(owned)}" if owned else ""
        typer.echo(f"{username}\t{role}\tpassword set {password_set_at}{sources}")


@mqtt_access_app.command("write")
def write(
    directory: Annotated[
        Path, typer.Option("--dir", help="where to write passwords, acl and the config lines")
    ],
    broker_dir: Annotated[
        str | None,
        typer.Option(help="the same directory as the broker sees it, e.g. /mosquitto/access"),
    ] = None,
) -> None:
    """Write Mosquitto's password file, ACL file and config lines from the registry."""

    def generate(engine: Engine, _registry: Registry) -> list[Path]:
        accounts = list_accounts(engine)
        plan = plan_access(accounts, list_sources(engine))
        for warning in plan.warnings:
            typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
        where = broker_dir or str(directory.resolve())
        return write_access_files(render_access_files(plan, accounts, where), directory)

    try:
        changed = with_database(generate)
    except OSError as error:
        raise fail(f"cannot write to {directory}: {error.strerror or error}") from None
    names = ", ".join(path.name for path in changed) or "nothing (the files are up to date)"
    typer.echo(f"wrote {names} in {directory}")
    typer.echo(
        f"Mosquitto loads them through {directory / CONF_FILE} (include_dir, or copy its lines "
        "into mosquitto.conf); reload a running broker with SIGHUP."
    )
