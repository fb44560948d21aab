"""``python -m core.handbook_docs [FOLDER]``: regenerate the published handbook pages."""

from __future__ import annotations

import sys
from pathlib import Path

from core.handbook_docs import write_all
from core.pilot import load_registry


def main(arguments: list[str]) -> None:
    folder = Path(arguments[0]) if arguments else Path("docs/handbooks")
    for path in write_all(load_registry(), folder):
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
