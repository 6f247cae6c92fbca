"""The dashboard's sync tests run against the Partner Center stand-in on 127.0.0.1 (``pc``).

``pc_settings`` points cosell at it the way cron does (``COSELL_PC_TOKEN``, ``COSELL_PC_API_URL``):
Partner Center settings exist, so the dashboard shows marks and pulls on a timer. Each test has
its own config dir (``dashboard_support.config_dir``) and the factories' catalogue in its store.
"""
from __future__ import annotations

import pytest

from dashboard_support import config_dir  # noqa: F401  (autouse fixture)
from pc_standin import TOKEN, pc  # noqa: F401  (fixture)
from transfer_support import known_catalogue, pc_list_file  # noqa: F401  (autouse fixture)


@pytest.fixture
def pc_settings(pc, monkeypatch):  # noqa: F811
    monkeypatch.setenv("COSELL_PC_TOKEN", TOKEN)
    monkeypatch.setenv("COSELL_PC_API_URL", pc.url)
    return pc


@pytest.fixture(autouse=True)
def no_pc_env(monkeypatch):
    """Never the developer's Partner Center: a test that wants one asks for ``pc_settings``."""
    monkeypatch.delenv("COSELL_PC_TOKEN", raising=False)
    monkeypatch.delenv("COSELL_PC_API_URL", raising=False)
