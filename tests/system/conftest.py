"""Everything here runs real processes (the CLI, writers racing on one file, the benchmark
harness): slow by nature, so it is left out of the everyday loop (`pytest -m "not slow"`)."""
from __future__ import annotations

from pathlib import Path

import pytest

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)
