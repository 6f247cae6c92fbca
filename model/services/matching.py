"""R4.5: Microsoft's account matching, done offline against the catalogue.

A customer chosen from Managed/Unmanaged is what it says. One from Other (DUNS),
typed by hand or imported is matched by its ids: an External id equal to an
``account_id`` or a DUNS number equal to a catalogued ``duns``. Only a match
to a Managed account makes the deal's customer Microsoft-managed (R10.1).
"""
from __future__ import annotations

from model.domain.enums import AccountMatch, AccountTab
from model.domain.schemas import Customer
from model.store.catalogue import account_tabs


def match_customer(session, customer: Customer, external_ids: list[str] = ()) -> AccountMatch:
    if customer.source is AccountTab.MANAGED:
        return AccountMatch.MANAGED
    if customer.source is AccountTab.UNMANAGED:
        return AccountMatch.UNMANAGED
    ids = [i for i in [customer.account_id, *external_ids] if i]
    duns = [customer.duns] if customer.duns else []
    if not ids and not duns:
        return AccountMatch.NOT_MATCHED
    tabs = account_tabs(session, ids, duns)
    if "managed" in tabs:
        return AccountMatch.MANAGED
    if "unmanaged" in tabs:
        return AccountMatch.UNMANAGED
    return AccountMatch.NOT_MATCHED
