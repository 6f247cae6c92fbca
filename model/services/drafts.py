"""Checking a new deal's draft without saving it: what `cosell create --check` and a form ask.

The same two steps ``create_deal`` takes before it writes: the catalogue's facts replace the
draft's claims (R4.11, R6.5, R6.7, R7.4), then every rule of R4–R7 is applied, so a check
says exactly what creating would.
"""
from __future__ import annotations

from model.domain.creation import draft_violations, draft_with_facts
from model.domain.errors import Violation
from model.domain.schemas import DealDraft
from model.store.catalogue import StoreCatalogue


def check_draft(store, draft: DealDraft) -> list[Violation]:
    """Every violation creating ``draft`` in ``store`` would meet (warnings included), all at once.

    Only reads: a check needs no acting user and writes nothing, not even a first admin."""
    with store.read() as session:
        fixed, unknown = draft_with_facts(draft, StoreCatalogue(session))
    return unknown + draft_violations(fixed)
