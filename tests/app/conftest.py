"""The app layer: every test here starts a Textual app (a pilot, often an SVG snapshot), about
half a second to several seconds each, so the layer as a whole is marked slow and left out of
the everyday loop (`pytest -m "not slow"`: unit and integration). Run it with `pytest tests/app`
when working on the dashboard; CI and the README's set-up command run everything."""
from __future__ import annotations

from pathlib import Path

import pytest

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)
