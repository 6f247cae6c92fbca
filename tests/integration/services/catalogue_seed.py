"""The factories' reference data as catalogue rows (accounts, solutions, co-sell partners).

Importable as ``from catalogue_seed import seed_catalogue`` by the tests of this folder (its
conftest puts every store through it).
"""
from __future__ import annotations

from factories import ASSESSMENT, AZURE_APP, PLAIN_APP
from model.store.tables import AccountRecord, PartnerRecord, SolutionRecord

#: (account_id, name, tab, macc, federal, duns)
ACCOUNTS = (
    ("ACC-1", "Northwind Traders AB", "managed", False, False, None),
    ("ACC-MACC", "Northwind MACC AB", "managed", True, False, None),
    ("ACC-UNM", "Loose Unmanaged AB", "unmanaged", False, False, None),
    ("ACC-FED-DUNS", "Federal Agency", "other", False, True, "999000111"),
    ("ACC-FED-MGD", "Federal Agency (managed record)", "managed", False, True, None),
)
PARTNERS = (("P-FAB", "Fabrikam Consulting", "6100007"), ("P-LIT", "Litware Nordic AS", "6100014"))


def solution_record(s) -> SolutionRecord:
    return SolutionRecord(solution_id=s.solution_id, name=s.name, source=s.source.value, publisher=s.publisher,
                          macc_eligible=s.macc_eligible, incentivized=s.incentivized,
                          registration_kind=s.registration_kind.value if s.registration_kind else None,
                          cosell_ready=s.cosell_ready)


def seed_catalogue(store) -> None:
    with store.write() as session:
        for s in (AZURE_APP, PLAIN_APP, ASSESSMENT):
            session.merge(solution_record(s))
        session.merge(SolutionRecord(solution_id="SOL-NOTREADY", name="Marketplace add-on", source="third_party",
                                     cosell_ready=False))
        for account_id, name, tab, macc, federal, duns in ACCOUNTS:
            session.merge(AccountRecord(account_id=account_id, name=name, norm_name=name.lower(), tab=tab,
                                        macc=macc, federal=federal, duns=duns))
        for partner_id, name, mpn in PARTNERS:
            session.merge(PartnerRecord(partner_id=partner_id, name=name, mpn_id=mpn, location="Sweden"))
