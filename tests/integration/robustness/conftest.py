"""Every store these tests open through the root ``store`` fixture holds the reference catalogues.

Since R4.11/R6.5/R7.4 a new deal's customer account, solutions and invited partners are looked
up in the catalogues, never taken from the draft, so the factories' deals need them there.
"""
from __future__ import annotations

import pytest

from shared_support import seed_catalogue


@pytest.fixture(autouse=True)
def _reference_catalogues(request):
    if "store" in request.fixturenames:
        seed_catalogue(request.getfixturevalue("store"))
