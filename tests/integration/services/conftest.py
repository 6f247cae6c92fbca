"""The reference catalogues the factories' deals draw on, in every service test's store.

Since R4.11/R6.5/R7.4 the services look a new deal's customer account, solutions and invited
partners up in the catalogues instead of believing the draft, so the store of each test here
holds the factories' ACC-1, SOL-AZ-1, SOL-3P-9, SA-DATA and the co-sell partner P-FAB.
"""
from __future__ import annotations

import pytest

from catalogue_seed import seed_catalogue


@pytest.fixture(autouse=True)
def seeded_catalogue(store):
    seed_catalogue(store)
    return store
