"""Every dashboard and detail test's store holds the catalogue rows the factories' deals name:
creating a deal looks its customer, solutions and invited partners up there (R4.11, R6.5, R7.4)."""
from __future__ import annotations

import pytest

from detail_support import seed_catalogue


@pytest.fixture(autouse=True)
def seeded_catalogue(store):
    seed_catalogue(store)
    return store
