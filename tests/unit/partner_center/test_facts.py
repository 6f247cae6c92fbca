"""Catalogue facts are looked up, never believed (R4.11, R6.7); what a file introduces is learned."""
from __future__ import annotations

from model.partner_center.facts import Learned, LookupCatalogue, customer, solutions
from model.partner_center.shape import CustomerProfile, SolutionTag
from model.store.referral_lookups import Lookups

MANAGED = {"account_id": "A-1", "name": "Contoso", "tab": "managed", "linked_group": None, "duns": "111",
           "city": None, "country": None, "macc": True, "federal": False}
OTHER = {**MANAGED, "account_id": "D-9", "tab": "other", "duns": "999", "macc": False}
MANAGED_999 = {**MANAGED, "account_id": "A-2", "duns": "999"}


def _profile(*ids):
    return CustomerProfile(name="Contoso", ids=[{"profileType": t, "id": i} for t, i in ids])


def test_an_external_id_finds_the_account_and_its_facts():
    found = Lookups(accounts_by_id={"A-1": MANAGED})
    row = customer(_profile(("External", "A-1")), found, Learned(), "d")
    assert row == {"customer_account_id": "A-1", "customer_duns": "111", "customer_source": "managed",
                   "customer_match": "managed", "customer_macc": True, "customer_federal": False}  # R4.11


def test_a_duns_id_finds_the_other_account_matched_to_a_managed_one():
    found = Lookups(accounts_by_duns={"999": [MANAGED_999, OTHER]})
    row = customer(_profile(("Duns", "999")), found, Learned(), "d")
    assert (row["customer_source"], row["customer_match"], row["customer_account_id"]) == ("other", "managed", "D-9")  # R4.5


def test_an_unknown_customer_is_hand_entered_or_other_by_duns_and_catalogued():
    learned = Learned()
    row = customer(_profile(("External", "X")), Lookups(), learned, "d1")
    assert (row["customer_source"], row["customer_account_id"]) == ("manual", None)  # R4.11: no made-up id
    assert learned.accounts == {}
    row = customer(_profile(("Duns", "555")), Lookups(), learned, "d2")
    assert row["customer_source"] == "other" and row["customer_account_id"] == "DUNS-555"  # as catalogued
    assert learned.accounts["DUNS-555"]["tab"] == "other" and learned.by_deal["d2"]


def test_an_unknown_solution_is_learned_from_its_partner_center_tags():
    learned = Learned()
    tags = [SolutionTag(id="S-1", name="Vault", publisherName="Us", tags=["Azure IP Co-sell"]),
            SolutionTag(id="S-2", name="Apps", tags=[{"name": "business applications premium"}]),
            SolutionTag(id="S-3", name="3P", solutionType="3P"),
            SolutionTag(id="SA-1", name="Assess", type="Solution assessment")]
    rows = solutions(tags, {}, "Sweden", Lookups(), learned, "d")
    assert [(r["source"], r["registration_kind"], r["incentivized"]) for r in rows] == [
        ("my_company", "azure_ip_cosell", True), ("my_company", "bizapps_premium", True),
        ("third_party", None, False), ("assessment", None, False)]  # R10.2, R6.5
    assert rows[3]["assessment_location"] == "Sweden"  # R6.6
    assert set(learned.solutions) == {"S-1", "S-2", "S-3", "SA-1"}
    catalogue = LookupCatalogue(Lookups(), learned)
    assert catalogue.solution("S-1").registration_kind.value == "azure_ip_cosell"


def test_a_catalogued_solutions_flags_are_the_catalogues():
    known = {"name": "Cat", "publisher": "P", "source": "microsoft", "macc_eligible": True, "incentivized": False,
             "registration_kind": None, "cosell_ready": False}
    rows = solutions([SolutionTag(id="S-1", name="Cat", tags=["Azure IP Co-sell"])], {}, "Sweden",
                     Lookups(solutions={"S-1": known}), Learned(), "d")
    assert (rows[0]["source"], rows[0]["registration_kind"], rows[0]["cosell_ready"]) == ("microsoft", None, False)
