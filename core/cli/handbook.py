"""``stadspuls handbook``: a pilot's handbook as Markdown, HTML or SKOS JSON-LD.

Importing this module registers the command on the ``stadspuls`` app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.cli.main import PilotOption, app, fail
from core.errors import StadspulsError
from core.handbook_docs import FORMATS, LANGS, Lang, render
from core.pilot import load_registry


@app.command("handbook")
def handbook(
    pilot: PilotOption,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="md, html or jsonld (SKOS)")
    ] = "md",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="file to write; standard output if omitted"),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="page language, nl or en (jsonld always has both)")
    ] = "en",
) -> None:
    """Print or write the pilot's handbook page, generated from the handbook the validator uses."""
    if output_format not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}, not '{output_format}'")
    if lang not in LANGS:
        raise fail(f"--lang must be nl or en, not '{lang}'")
    language: Lang = "nl" if lang == "nl" else "en"
    try:
        page = render(load_registry().get(pilot).handbook, output_format, language)
    except StadspulsError as error:
        raise fail(str(error)) from None
    if output is None:
        typer.echo(page, nl=False)
        return
    try:
        output.write_text(page, encoding="utf-8")
    except OSError as error:
        raise fail(f"cannot write {output}: {error.strerror or error}") from None
    typer.echo(f"{output}: {pilot} handbook ({output_format}, {language})", err=True)
