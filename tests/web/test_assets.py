"""The vendored browser libraries: present, from the locked npm version, with their licence."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENDOR = REPO / "api" / "web" / "static" / "vendor"


def test_vendored_libraries_match_the_npm_lock_and_keep_their_licence() -> None:
    lock = json.loads((REPO / "web" / "package-lock.json").read_text(encoding="utf-8"))
    manifest = json.loads((VENDOR / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) == {"leaflet"}
    for name, entry in manifest.items():
        assert entry["version"] == lock["packages"][f"node_modules/{name}"]["version"]
        assert (VENDOR / name / "LICENSE").is_file()
    leaflet = (VENDOR / "leaflet" / "leaflet.js").read_text(encoding="utf-8")
    assert f'version="{manifest["leaflet"]["version"]}"' in leaflet.replace(" ", "")


def test_the_package_ships_the_web_assets() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"api.web" = ["templates/*.html", "static/**/*"]' in pyproject
    assert '"*.jsonl"' in pyproject  # the crowding demo sample
