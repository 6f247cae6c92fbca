"""What this week's rules page added to the services: catalogue facts looked up, never believed
(R4.11, R6.5, R6.7), catalogue partners only (R7.4), co-sell-ready solutions (R2.8), the MACC
warning to confirm (R6.7), IP and services at once (R2.7). The catalogue is conftest's
(``catalogue_seed``)."""
from __future__ import annotations

from factories import AZURE_APP, PLAIN_APP, make_draft, managed_customer
from deal_support import all_stages, create, dump, events, partner_invitation, refused
from model import services as svc
from model.domain.enums import (
    AccountMatch, AccountTab, DealKind, MarketplaceIntent, PartnerRole, RegistrationKind, RegistrationStatus,
)
from model.domain.errors import RuleViolation
from model.domain.schemas import Customer, DealSolution

import pytest

SERVICES = dict(partner_role=PartnerRole.DEPLOYMENT, solution_area="Security", solution_play="Data security")


def won_deal(ctx, clock, **draft):
    deal = all_stages(ctx, create(ctx, **draft))
    clock.advance(hours=73)
    return svc.won(ctx, deal.id)


# -- R4.11: the account's facts are the catalogue's --------------------------------------------

def test_r4_11_unmanaged_account_sent_as_managed_is_corrected_and_not_registrable(ctx, clock):  # R4.11, R4.4
    deal = won_deal(ctx, clock, customer=managed_customer(account_id="ACC-UNM", source=AccountTab.MANAGED,
                                                          match=AccountMatch.MANAGED))
    assert (deal.customer.source, deal.customer.match) == (AccountTab.UNMANAGED, AccountMatch.UNMANAGED)
    err = refused(ctx.store, "R10.1", svc.register, ctx, deal.id, contract_confirmed=True)
    assert "customer" in {v.field for v in err.violations}


def test_r4_11_made_up_account_id_refused(ctx):  # R4.11
    refused(ctx.store, "R4.11", svc.create_deal, ctx, make_draft(customer=managed_customer(account_id="ACC-MADE-UP")))


def test_r4_11_federal_account_sent_as_not_federal(ctx):  # R4.11, R4.6
    refused(ctx.store, "R4.6", svc.create_deal, ctx,
            make_draft(customer=managed_customer(account_id="ACC-FED-MGD", federal=False)))
    deal = create(ctx, customer=Customer(name="Federal Agency", account_id="ACC-FED-DUNS", source=AccountTab.OTHER))
    assert deal.customer.federal and deal.customer.duns == "999000111"


# -- R6.5/R6.7: the solution's facts are the catalogue's ---------------------------------------

def test_r6_5_solution_not_in_the_catalogue_claiming_a_registration_kind(ctx):  # R6.5, R10.2
    fake = DealSolution(solution_id="SOL-INVENTED", name="Invented", source="my_company", macc_eligible=True,
                        incentivized=True, registration_kind=RegistrationKind.AZURE_IP_COSELL)
    refused(ctx.store, "R6.5", svc.create_deal, ctx, make_draft(solutions=[fake]))


def test_r6_7_flags_the_catalogue_does_not_give_are_dropped_then_not_registrable(ctx, clock):  # R6.7, R10.2
    claimed = PLAIN_APP.model_copy(update={"macc_eligible": True, "incentivized": True,
                                           "registration_kind": RegistrationKind.AZURE_IP_COSELL})
    refused(ctx.store, "R6.7", svc.create_deal, ctx,
            make_draft(solutions=[claimed], marketplace_intent=MarketplaceIntent.YES))  # not incentivized after all
    deal = won_deal(ctx, clock, solutions=[claimed])
    [solution] = deal.solutions
    assert (solution.macc_eligible, solution.incentivized, solution.registration_kind) == (False, False, None)
    refused(ctx.store, "R10.2", svc.register, ctx, deal.id, contract_confirmed=True)


def test_r2_8_creating_needs_a_cosell_ready_solution(ctx):  # R2.8
    not_ready = DealSolution(solution_id="SOL-NOTREADY", name="Marketplace add-on", source="third_party")
    refused(ctx.store, "R2.8", svc.create_deal, ctx, make_draft(solutions=[not_ready]))
    deal = create(ctx, solutions=[AZURE_APP, not_ready])  # "once it has one, marketplace solutions may be added"
    assert [s.cosell_ready for s in deal.solutions] == [True, False]


# -- R6.7: MACC is a warning to confirm -----------------------------------------------------------

def test_r6_7_macc_customer_without_macc_solution_needs_confirmation(ctx):  # R6.7
    draft = make_draft(customer=managed_customer(account_id="ACC-MACC"), solutions=[PLAIN_APP])
    err = refused(ctx.store, "R6.7", svc.create_deal, ctx, draft)
    assert err.needs_confirmation and [v.warning for v in err.violations] == [True]
    deal = svc.create_deal(ctx, draft, confirm_warnings=True)
    assert deal.customer.macc
    [event] = events(ctx, deal.id)
    assert "R6.7" in event.reason


def test_r6_7_warning_with_a_refusal_is_a_refusal(ctx):  # R6.7, R5
    draft = make_draft(customer=managed_customer(account_id="ACC-MACC"), solutions=[PLAIN_APP], name="")
    before = dump(ctx.store)
    with pytest.raises(RuleViolation) as info:
        svc.create_deal(ctx, draft, confirm_warnings=True)
    assert not info.value.needs_confirmation and dump(ctx.store) == before


def test_r6_7_editing_to_a_macc_customer_warns(ctx):  # R6.7, R8.6
    deal = create(ctx, solutions=[PLAIN_APP])
    new = managed_customer(name="Northwind MACC AB", account_id="ACC-MACC", macc=True)
    err = refused(ctx.store, "R6.7", svc.edit, ctx, deal.id, {"customer": new})
    assert err.needs_confirmation
    assert svc.edit(ctx, deal.id, {"customer": new}, confirm_warnings=True).customer.name == "Northwind MACC AB"


# -- R7.4: only catalogue partners ----------------------------------------------------------------

def test_r7_4_fake_partner_refused(ctx):  # R7.4
    fake = partner_invitation(partner_id=None, partner_name="Totally Fake Partner LLC")
    err = refused(ctx.store, "R7.4", svc.create_deal, ctx, make_draft(invitations=[fake]))
    assert "Totally Fake Partner LLC" in str(err)
    deal = create(ctx)
    refused(ctx.store, "R7.4", svc.invite_partner, ctx, deal.id, fake)


def test_r7_4_partner_named_case_insensitively_takes_the_catalogues_facts(ctx):  # R7.4
    deal = create(ctx)
    out = svc.invite_partner(ctx, deal.id, partner_invitation(partner_id=None, partner_name="litware NORDIC as"))
    [inv] = out.partner_invitations
    assert (inv.partner_id, inv.partner_name, inv.mpn_id) == ("P-LIT", "Litware Nordic AS", "6100014")


# -- R2.7: IP and services co-sell at once ---------------------------------------------------------

def test_r2_7_ip_and_services_deal_needs_both_and_registers_like_ip(ctx, clock):  # R2.7, R5, R10
    refused(ctx.store, "R5", svc.create_deal, ctx, make_draft(kind=DealKind.IP_AND_SERVICES))
    refused(ctx.store, "R6.4", svc.create_deal, ctx, make_draft(kind=DealKind.IP_AND_SERVICES, solutions=[], **SERVICES))
    deal = won_deal(ctx, clock, kind=DealKind.IP_AND_SERVICES, marketplace_intent=MarketplaceIntent.YES, **SERVICES)
    assert deal.is_ip_cosell and deal.is_services_cosell and deal.marketplace_intent is MarketplaceIntent.YES
    out = svc.register(ctx, deal.id, contract_confirmed=True)
    assert out.registration.status is RegistrationStatus.REVIEW_PENDING


def test_r2_7_ip_and_services_keeps_services_fields_on_edit(ctx):  # R2.7, R5
    deal = create(ctx, kind=DealKind.IP_AND_SERVICES, **SERVICES)
    refused(ctx.store, "R5", svc.edit, ctx, deal.id, {"solution_play": ""})
    assert svc.edit(ctx, deal.id, {"marketplace_intent": "No"}).marketplace_intent is MarketplaceIntent.NO


def test_r4_11_edit_to_a_made_up_account_refused(ctx):  # R4.11
    deal = create(ctx)
    refused(ctx.store, "R4.11", svc.edit, ctx, deal.id, {"customer": managed_customer(account_id="ACC-MADE-UP")})
    unmanaged = svc.edit(ctx, deal.id, {"customer": managed_customer(name="Loose", account_id="ACC-UNM")}).customer
    assert (unmanaged.source, unmanaged.match) == (AccountTab.UNMANAGED, AccountMatch.UNMANAGED)
