"""``stadspuls keys``: make the first city-admin key, list keys, revoke one.

A key is printed once, when it is made; the platform keeps only a digest of its secret.
"""

from __future__ import annotations

from typing import Annotated

import typer

from core.cli.main import with_database
from core.keys import create_key, list_keys, revoke_key

keys_app = typer.Typer(no_args_is_help=True, help="API keys for cities and suppliers.")


@keys_app.command("create")
def create(
    city: Annotated[str, typer.Option(help="the city the key acts for, e.g. gent")],
    role: Annotated[str, typer.Option(help="city-admin or supplier")] = "city-admin",
    source: Annotated[
        list[str] | None, typer.Option(help="a source a supplier key writes to (repeatable)")
    ] = None,
    label: Annotated[str | None, typer.Option(help="whose key this is")] = None,
) -> None:
    """Make a key and print it once (keep it: it cannot be shown again)."""
    issued = with_database(
        lambda engine, _registry: create_key(engine, role, city, list(source or []), label)
    )
    typer.echo(issued.secret)
    typer.echo(
        f"{issued.key.role} key {issued.key.id} for {issued.key.city} made; this is the only "
        "time it is shown",
        err=True,
    )


@keys_app.command("list")
def list_command(
    city: Annotated[str | None, typer.Option(help="only this city's keys")] = None,
) -> None:
    """List keys (ids, roles, scopes; never secrets)."""
    keys = with_database(lambda engine, _registry: list_keys(engine, city))
    if not keys:
        typer.echo("no keys")
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        scope = ",".join(key.sources) or "*"
        typer.echo(f"{key.id}\t{key.role}\t{key.city}\t{scope}\t{state}\t{key.label or ''}")


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="the key's id (see keys list)")]) -> None:
    """Revoke a key from now on."""
    key = with_database(lambda engine, _registry: revoke_key(engine, key_id))
    typer.echo(f"key {key.id} revoked")
