"""``stadspuls crowding rollup|calibrate`` on the configured (here: a temporary) database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.cli.main import _register_pilot_commands, app
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def cli() -> CliRunner:
    _register_pilot_commands()
    return CliRunner()


def test_rollup_and_calibrate_from_the_command_line(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STADSPULS_DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    ingested = cli.invoke(app, ["ingest", str(FIXTURES / "crowding" / "canonical.jsonl"),
                                "--pilot", "crowding", "--format", "json", "--source", "gent"])
    assert ingested.exit_code == 0, ingested.output
    window = ["--from", "2026-11-20T13:00Z", "--to", "2026-11-20T15:00Z"]
    rolled = cli.invoke(app, ["crowding", "rollup", *window, "--interval", "60"])
    assert rolled.exit_code == 0
    assert rolled.output.strip() == "0 buckets written, 1 with a crowding level"
    misaligned = cli.invoke(app, ["crowding", "rollup", "--from", "2026-11-20T13:10Z",
                                  "--to", "2026-11-20T15:00Z"])
    assert misaligned.exit_code == 2 and "not on a 60-minute boundary" in misaligned.output
    short = cli.invoke(app, ["crowding", "calibrate", "--old", "gent:grote-markt",
                             "--new", "gent:veldstraat-line", *window])
    assert short.exit_code == 2
    assert "0 comparable hours overlap; at least 12 are needed" in short.output
