"""The rules the shell must not let slip: catalogue facts are looked up, not believed (R4.11, R6.5,
R6.7, R7.4); warnings and the contract check need the user's word (R6.7, R10.5); the error reason
is optional (R8.13); IP and services co-sell is a kind like the others (R2.7); `show` lists what
the deal may do now."""
from __future__ import annotations

import json

import pytest

from cli_harness import (  # noqa: F401  (fixtures are used by name)
    ADMIN, AZURE_APP, NOW, PLAIN_APP, cosell, db, make_draft, managed_customer, sctx,
)
from model import services as svc
from model.domain.enums import DealKind, MarketplaceIntent, PartnerRole, RegistrationKind, Tab
from model.domain.listing import DealQuery
from model.domain.rules.lifecycle import Action, available_actions
from model.domain.schemas import DealSolution


def _show(cosell, deal_id):
    result = cosell("show", deal_id, "--json")
    assert result.code == 0, result.err
    return result.json()


def _draft_file(tmp_path, **kw):
    path = tmp_path / "draft.json"
    path.write_text(make_draft(**kw).model_dump_json(), encoding="utf-8")
    return str(path)


def _outbound(sctx) -> list[str]:
    return [r.id for r in svc.list_deals(sctx, DealQuery(tab=Tab.OUTBOUND))]


def _created_id(sctx, result) -> str:
    assert result.code == 0, result.err
    (deal_id,) = _outbound(sctx)
    assert result.out.startswith(f"created {deal_id}")
    return deal_id


def _win(sctx, deal_id) -> None:
    """Every stage marked, then won (the 72-hour warning confirmed: R8.12 is not under test here)."""
    for _ in range(4):
        svc.mark_stage(sctx, deal_id)
    svc.won(sctx, deal_id, confirm_early=True)


def _won_deal(sctx):
    deal = svc.create_deal(sctx, make_draft())
    _win(sctx, deal.id)
    return deal


# -- catalogue facts: looked up, never taken from the file -----------------------------------------

def test_a_truthful_draft_can_be_created_won_and_registered(cosell, sctx, tmp_path):  # R10.1, the baseline
    deal_id = _created_id(sctx, cosell("create", "--from", _draft_file(tmp_path)))
    _win(sctx, deal_id)
    result = cosell("register", deal_id, "--confirm-contract")
    assert result.code == 0, result.err
    assert _show(cosell, deal_id)["registration"]["status"] == "ReviewPending"


def test_an_unmanaged_account_sent_as_managed_is_corrected_and_cannot_be_registered(cosell, sctx, tmp_path):
    # R4.11, R4.5, R10.1: the file says "managed" (tab and match); the catalogue says unmanaged
    claim = managed_customer(name="Loose Unmanaged AB", account_id="ACC-UNM")
    deal_id = _created_id(sctx, cosell("create", "--from", _draft_file(tmp_path, customer=claim)))
    customer = _show(cosell, deal_id)["customer"]
    assert (customer["source"], customer["match"]) == ("unmanaged", "unmanaged")
    _win(sctx, deal_id)
    before = _show(cosell, deal_id)
    result = cosell("register", deal_id, "--confirm-contract")
    assert result.code == 4
    assert "the customer account must be Microsoft-managed (it is microsoft-unmanaged) (R10.1)" in result.err
    assert _show(cosell, deal_id) == before


def test_claimed_solution_and_macc_flags_are_the_catalogues_and_cannot_be_registered(cosell, sctx, tmp_path):
    # R6.5, R6.7, R10.2: a plain third-party app claiming a registration kind, MACC and incentive,
    # for a customer claiming a MACC contract the catalogue does not know of
    boasting = PLAIN_APP.model_copy(update={"registration_kind": RegistrationKind.AZURE_IP_COSELL,
                                            "macc_eligible": True, "incentivized": True})
    path = _draft_file(tmp_path, customer=managed_customer(macc=True), solutions=[boasting])
    deal_id = _created_id(sctx, cosell("create", "--from", path))
    doc = _show(cosell, deal_id)
    (solution,) = doc["solutions"]
    assert (solution["solution_id"], solution["registration_kind"], solution["macc_eligible"],
            solution["incentivized"]) == ("SOL-3P-9", None, False, False)
    assert doc["customer"]["macc"] is False
    assert doc["registration_eligibility"]["eligible"] is False
    _win(sctx, deal_id)
    result = cosell("register", deal_id, "--confirm-contract")
    assert result.code == 4 and "(R10.2)" in result.err
    assert _show(cosell, deal_id)["registration"]["status"] == "None"


@pytest.mark.parametrize("claims, expected", [
    ({"customer": managed_customer(account_id="ACC-MADE-UP")},
     "no customer account 'ACC-MADE-UP' in the account catalogue"),  # R4.11
    ({"customer": managed_customer(name="Federal Agency (managed record)", account_id="ACC-FED-M", federal=False)},
     "a federal customer must be chosen from the Other (DUNS) list (R4.6)"),  # R4.11 corrects, then R4.6
    ({"solutions": [DealSolution(solution_id="SOL-FAKE", name="Our Azure thing", source="my_company",
                                 registration_kind=RegistrationKind.AZURE_IP_COSELL, macc_eligible=True)]},
     "no solution 'SOL-FAKE' in the solution catalogue (R6.5)"),
    ({"solutions": [PLAIN_APP.model_copy(update={"incentivized": True})], "marketplace_intent": MarketplaceIntent.YES},
     "marketplace intent is Yes: choose at least one incentivized solution (R6.7)"),
])
def test_a_draft_whose_claims_the_catalogue_contradicts_is_refused(cosell, sctx, tmp_path, claims, expected):
    path = _draft_file(tmp_path, **claims)
    result = cosell("create", "--from", path)
    assert result.code == 4
    assert result.err.startswith("cosell: the deal was not created:")
    assert expected in result.err
    assert _outbound(sctx) == []
    checked = cosell("create", "--from", path, "--check")  # the check says what creating would
    assert checked.code == 4 and expected in checked.out
    assert _outbound(sctx) == []


# -- warnings and confirmations ----------------------------------------------------------------------

def test_a_macc_customer_without_a_macc_eligible_solution_needs_confirm(cosell, sctx, tmp_path):  # R6.7
    path = _draft_file(tmp_path, customer=managed_customer(name="Northwind MACC AB", account_id="ACC-MACC"),
                       solutions=[PLAIN_APP])
    refused = cosell("create", "--from", path)
    assert refused.code == 4
    assert "warning: solutions: the customer has a MACC contract" in refused.err and "(R6.7)" in refused.err
    assert "run again with --confirm" in refused.err
    assert _outbound(sctx) == []
    deal_id = _created_id(sctx, cosell("create", "--from", path, "--confirm"))
    created = _show(cosell, deal_id)["history"][0]
    assert created["action"] == "create" and "confirmed warning" in created["reason"] and "R6.7" in created["reason"]


def test_removing_the_macc_eligible_solution_needs_confirm(cosell, sctx):  # R6.7
    deal = svc.create_deal(sctx, make_draft(customer=managed_customer(account_id="ACC-MACC"),
                                            solutions=[AZURE_APP, PLAIN_APP]))
    before = _show(cosell, deal.id)
    refused = cosell("solution", deal.id, "remove", AZURE_APP.solution_id)
    assert refused.code == 4 and "(R6.7)" in refused.err and "run again with --confirm" in refused.err
    assert _show(cosell, deal.id) == before
    done = cosell("solution", deal.id, "remove", AZURE_APP.solution_id, "--confirm")
    assert done.code == 0, done.err
    assert [s["solution_id"] for s in _show(cosell, deal.id)["solutions"]] == [PLAIN_APP.solution_id]


def test_register_asks_to_confirm_what_the_contract_names(cosell, sctx):  # R10.5
    deal = _won_deal(sctx)
    before = _show(cosell, deal.id)
    refused = cosell("register", deal.id)
    assert refused.code == 4
    assert "confirm that the contract with the customer clearly names your company and the eligible solution" \
           in refused.err and "(R10.5)" in refused.err
    assert refused.err.rstrip().endswith("run again with --confirm-contract")
    assert _show(cosell, deal.id) == before
    confirmed = cosell("register", deal.id, "--contract-value", "61000", "--currency", "USD", "--confirm-contract")
    assert confirmed.code == 0, confirmed.err
    assert confirmed.out.startswith("registered ")
    assert _show(cosell, deal.id)["registration"]["status"] == "ReviewPending"


# -- the other wiring ---------------------------------------------------------------------------------

def test_error_needs_no_reason_but_a_given_one_is_from_the_list(cosell, sctx):  # R8.13
    deal = svc.create_deal(sctx, make_draft())
    before = _show(cosell, deal.id)
    unknown = cosell("error", deal.id, "--reason", "felt like it")
    assert unknown.code == 4 and "(R8.13)" in unknown.err
    assert _show(cosell, deal.id) == before
    result = cosell("error", deal.id)
    assert result.code == 0, result.err
    doc = _show(cosell, deal.id)
    assert (doc["substatus"], doc["tab"], doc["status_reason"]) == ("Error", "closed", None)


def test_only_catalogue_partners_can_be_invited(cosell, sctx):  # R7.4
    deal = svc.create_deal(sctx, make_draft())
    before = _show(cosell, deal.id)
    share = ("--close-date", "2027-03-01", "--value", "10000", "--currency", "USD", "--solution", "SOL-3P-9")
    fake = cosell("invite", deal.id, "partner", "--partner", "Totally Fake Partner LLC", *share)
    assert fake.code == 4
    head, *reasons = fake.err.splitlines()
    assert head.startswith("cosell: cannot ")
    assert reasons == ["  - partner: 'Totally Fake Partner LLC' is not in the co-sell partner catalogue: only "
                       "partners that transact in Partner Center can be invited (R7.4)"]
    assert _show(cosell, deal.id) == before
    by_id = cosell("invite", deal.id, "partner", "--partner", "P-FAB", *share)
    assert by_id.code == 0, by_id.err
    (invited,) = _show(cosell, deal.id)["invitations"]
    assert (invited["partner_id"], invited["partner_name"], invited["mpn_id"]) == (
        "P-FAB", "Fabrikam Consulting", "6100007")


def test_show_lists_the_actions_the_rules_allow_now(cosell, sctx):  # R8, R9
    deal = svc.create_deal(sctx, make_draft())
    expected = available_actions(svc.get_deal(sctx, deal.id), ADMIN, NOW)
    doc = _show(cosell, deal.id)
    assert [a["action"] for a in doc["actions"]] == [a.value for a in expected]
    assert {a["action"]: a["allowed"] for a in doc["actions"]} == {a.value: not v for a, v in expected.items()}
    text = cosell("show", deal.id).out
    actions = text.split("\nActions\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(actions) == len(Action)
    assert sum(line.startswith("  ✓ ") for line in actions) == sum(not v for v in expected.values())
    assert any(line.startswith("  ✗ Mark won: ") and "(R8.9)" in line for line in actions)


def test_ip_and_services_cosell_is_a_kind_like_the_others(cosell, sctx, tmp_path):  # R2.7
    both = dict(kind=DealKind.IP_AND_SERVICES, partner_role=PartnerRole.TRANSACTION, solution_area="Data & AI",
                solution_play="Analytics")
    deal_id = _created_id(sctx, cosell("create", "--from", _draft_file(tmp_path, **both)))
    svc.create_deal(sctx, make_draft(name="Only IP"))
    listed = cosell("list", "--tab", "outbound", "--kind", "ip_services_cosell", "--json")
    assert listed.code == 0, listed.err
    assert [d["id"] for d in listed.json()["deals"]] == [deal_id]
    assert listed.json()["deals"][0]["kind"] == "ip_services_cosell"
    assert "IP and services co-sell" in cosell("show", deal_id).out
    assert cosell("list", "--kind", "ip-and-services").code == 0  # its name, as typed in a shell
    assert cosell("list", "--kind", "ip+services").code == 2  # not a kind: a usage error


def test_an_id_prefix_that_matches_nothing_is_refused(cosell, sctx):
    svc.create_deal(sctx, make_draft())
    for argv in (("show", "zzzz"), ("note", "zzzz", "hello"), ("error", "zzzz")):
        result = cosell(*argv)
        assert result.code == 2, argv  # a bad id is usage (2); 4 is kept for a rule's refusal
        assert "no deal" in result.err and "zzzz" in result.err
    assert json.loads(cosell("list", "--tab", "outbound", "--json").out)["total"] == 1
