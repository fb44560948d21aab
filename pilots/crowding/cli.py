"""``stadspuls crowding ...``: roll-ups and calibration from the command line."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from core.cli.main import fail
from core.coerce import CoercionError, to_datetime
from core.errors import StadspulsError
from core.pilot import load_registry
from core.runtime import open_database
from core.settings import DatabaseSettings

TimeOption = Annotated[str, typer.Option(help="RFC 3339 time with a zone, e.g. 2026-11-20T00:00Z")]


def _time(text: str, name: str) -> datetime:
    try:
        return to_datetime(text, None)
    except CoercionError as error:
        raise fail(f"--{name}: {error}") from None


def register(app: typer.Typer) -> None:
    @app.command("rollup")
    def rollup_command(
        start: Annotated[str, typer.Option("--from", help="window start (aligned)")],
        end: Annotated[str, typer.Option("--to", help="window end (aligned)")],
        interval: Annotated[int, typer.Option(help="15 or 60 minutes")] = 60,
    ) -> None:
        """Roll counts up into clock-aligned buckets with coverage, and assign levels."""
        from pilots.crowding.levels import assign_levels
        from pilots.crowding.rollup import rollup

        window = (_time(start, "from"), _time(end, "to"))
        engine = open_database(DatabaseSettings(), load_registry())
        try:
            with engine.begin() as conn:
                changed = rollup(conn, interval, *window)
                levelled = assign_levels(conn, interval, *window)
        except ValueError as error:
            raise fail(str(error)) from None
        typer.echo(f"{changed} buckets written, {levelled} with a crowding level")

    @app.command("calibrate")
    def calibrate_command(
        old: Annotated[str, typer.Option(help="id of the location being replaced")],
        new: Annotated[str, typer.Option(help="id of the new location")],
        start: Annotated[str, typer.Option("--from", help="overlap start")],
        end: Annotated[str, typer.Option("--to", help="overlap end")],
    ) -> None:
        """Estimate the factor that puts NEW's counts on OLD's scale from their overlap."""
        from pilots.crowding.calibration import calibrate

        engine = open_database(DatabaseSettings(), load_registry())
        try:
            with engine.begin() as conn:
                factor = calibrate(conn, old, new, _time(start, "from"), _time(end, "to"))
        except StadspulsError as error:
            raise fail(str(error)) from None
        typer.echo(
            f"{new}: factor {factor.factor:.3f} (95 % interval {factor.low:.3f} to "
            f"{factor.high:.3f}) from {factor.pairs} hours against {old}"
        )
