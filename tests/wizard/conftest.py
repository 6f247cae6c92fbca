"""Fixtures for the wizard's pilot tests (the shared ones live in tests/conftest.py)."""
from __future__ import annotations

import pytest

from wizard_support import seed_reference


@pytest.fixture
def wctx(ctx):
    """The admin context on a store holding the reference catalogues."""
    seed_reference(ctx.store)
    return ctx
