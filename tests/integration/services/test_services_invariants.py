"""The services end by checking the stored-deal invariants (model.domain.rules.invariants): a change
the action's own rules let through but that would leave a deal breaking one is refused, and
nothing is written."""
from __future__ import annotations

from factories import ASSESSMENT, make_inbound
from deal_support import all_stages, create, refused
from model import services as svc
from model.domain.enums import DealKind, HelpType, MarketplaceIntent, MicrosoftStatus, RegistrationStatus
from model.domain.rules.invariants import invariant_violations


def test_microsoft_turning_down_a_registered_cosell_deal_is_refused(ctx, clock):  # R10.1, R10.3
    deal = create(ctx, help_type=HelpType.POC)
    all_stages(ctx, deal)
    clock.advance(days=4)
    svc.won(ctx, deal.id)
    svc.microsoft_respond(ctx, deal.id, True)
    assert svc.register(ctx, deal.id, contract_confirmed=True).registration.status is RegistrationStatus.REVIEW_PENDING
    err = refused(ctx.store, "R10.1", svc.microsoft_respond, ctx, deal.id, False)
    assert "registration" in {v.field for v in err.violations}
    stored = svc.get_deal(ctx, deal.id)
    assert stored.microsoft_status is MicrosoftStatus.ACCEPTED and invariant_violations(stored) == []


def test_an_inbound_deal_is_answered_as_its_sender_made_it(ctx):  # R5, R6.4, R8.2-R8.4
    # What a deal must carry is asked of the partner that creates it; a deal sent to us without a
    # solution, or a services deal without partner role, area and play, is still accepted or declined.
    bare = svc.receive_inbound(ctx, make_inbound(solutions=[]))
    assert svc.accept(ctx, bare.id).substatus.value == "Accepted"
    services = svc.receive_inbound(ctx, make_inbound(kind=DealKind.SERVICES_COSELL, solutions=[]))
    assert svc.decline(ctx, services.id, "Not a fit for our solutions").substatus.value == "Declined"


def test_an_inbound_deal_breaking_an_invariant_is_not_received(ctx):  # R4.6, R6.6
    federal = make_inbound(customer=make_inbound().customer.model_copy(update={"federal": True}))
    refused(ctx.store, "R4.6", svc.receive_inbound, ctx, federal)  # federal, yet from Managed
    assessment = make_inbound(solutions=[ASSESSMENT.model_copy(update={"assessment_location": "Sweden"})])
    refused(ctx.store, "R6.6", svc.receive_inbound, ctx, assessment)  # an assessment on a co-sell deal


def test_every_stored_deal_of_the_service_tests_meets_the_invariants(ctx, clock):
    deals = [create(ctx), create(ctx, share_with_microsoft=False), svc.receive_inbound(ctx, make_inbound())]
    svc.accept(ctx, deals[2].id)
    svc.close_as_error(ctx, deals[1].id)
    for deal in deals:
        assert invariant_violations(svc.get_deal(ctx, deal.id)) == []
