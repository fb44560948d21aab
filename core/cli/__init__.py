"""The ``stadspuls`` command line (typer). Errors are one sentence and a non-zero exit code."""

from core.cli.main import main

__all__ = ["main"]
