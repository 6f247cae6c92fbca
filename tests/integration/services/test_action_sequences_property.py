"""Property: whatever sequence of user actions is tried on a few deals, each call either is refused
(RuleViolation or ConflictError) with the database unchanged, or succeeds, and every stored deal
still meets every invariant (model.domain.rules.invariants)."""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from catalogue_seed import seed_catalogue
from deal_support import dump, make_inbound, partner_invitation
from factories import ADMIN, NOW, make_draft
from model import services as svc
from model.clock import FixedClock
from model.domain.enums import HelpType, MarketplaceIntent, RegistrationStatus, SaleType
from model.domain.errors import ConflictError, RuleViolation
from model.domain.rules.invariants import invariant_violations
from model.domain.schemas import CustomerContact, Person
from model.services.context import Ctx
from model.store import open_store, repo
from model.store.tables import DealRecord

CAROL = Person(name="Carol Closer", phone="+46 70 222 33 44", email="carol@contoso-partner.com")
CONTACT = CustomerContact(name="Nina Buyer", phone="+46 8 555 01", email="nina@northwind.example")

#: name -> (ctx, deal id, version or None, choice) -> service call; ``choice`` picks a variant.
ACTIONS = {
    "accept": lambda c, d, v, k: svc.accept(c, d, version=v, name=["", "Accepted deal", None][k % 3]),
    "decline": lambda c, d, v, k: svc.decline(c, d, ["not a fit", "", "Other"][k % 3], version=v),
    "stage": lambda c, d, v, k: svc.mark_stage(c, d, [None, "Qualified", "Negotiated", "Scoped", "won"][k % 5],
                                               version=v),
    "won": lambda c, d, v, k: svc.won(c, d, version=v, confirm_early=bool(k % 2)),
    "lost": lambda c, d, v, k: svc.lost(c, d, ["Price", "nonsense"][k % 2], version=v),
    "error": lambda c, d, v, k: svc.close_as_error(c, d, [None, "duplicate deal", "Other"][k % 3], version=v),
    "edit": lambda c, d, v, k: svc.edit(c, d, [{"name": "Renamed"}, {"value": "-5"}, {"location": "Norway"},
                                               {"marketplace_intent": "Yes"}, {"close_date": "2027-09-30"},
                                               {"kind": "services_cosell"}][k % 6], version=v),
    "note": lambda c, d, v, k: svc.add_note(c, d, ["Called the customer", " "][k % 2], version=v),
    "team_add": lambda c, d, v, k: svc.add_team_member(c, d, CAROL, version=v),
    "team_remove": lambda c, d, v, k: svc.remove_team_member(c, d, ["carol@contoso-partner.com",
                                                                    "bob@contoso-partner.com"][k % 2], version=v),
    "solution_add": lambda c, d, v, k: svc.add_solution(c, d, ["SOL-3P-9", "SOL-NOTREADY", "SA-DATA"][k % 3],
                                                        version=v, confirm_warnings=bool(k % 2)),
    "solution_remove": lambda c, d, v, k: svc.remove_solution(c, d, ["SOL-AZ-1", "SOL-3P-9"][k % 2], version=v),
    "favorite": lambda c, d, v, k: svc.set_favorite(c, d),
    "register": lambda c, d, v, k: svc.register(c, d, version=v, contract_confirmed=bool(k % 2)),
    "review": lambda c, d, v, k: svc.review_registration(c, d, [RegistrationStatus.APPROVED,
                                                                RegistrationStatus.ACTION_REQUIRED][k % 2], version=v),
    "invite_partner": lambda c, d, v, k: svc.invite_partner(c, d, partner_invitation(
        partner_id=None, partner_name=["Fabrikam Consulting", "Litware Nordic AS", "Totally Fake Partner LLC"][k % 3]),
        version=v),
    "invite_microsoft": lambda c, d, v, k: svc.invite_microsoft(c, d, HelpType.POC, notes="Need a PoC", contact=CONTACT,
                                                                consent=True, version=v),
    "microsoft_respond": lambda c, d, v, k: svc.microsoft_respond(c, d, bool(k % 2), won=k % 3 == 0, version=v),
    "upgrade": lambda c, d, v, k: svc.upgrade(c, d, [SaleType.PARTNER_LED, SaleType.CO_SELL][k % 2],
                                              help_type=HelpType.GENERAL, notes="Help please", contact=CONTACT,
                                              consent=True, version=v),
    "wait": None,  # the clock moves on (R8.2's 14 days, R8.12's 72 hours)
    "stage_all": None,  # the next stage, four times over: the way to Won (R8.9)
}

#: Moving a deal forward is likelier than closing it, so sequences reach won and registered deals.
WEIGHTS = {"stage": 3, "stage_all": 3, "accept": 3, "won": 4, "register": 4, "review": 2, "wait": 2,
           "microsoft_respond": 2}
NAMES = [name for name in sorted(ACTIONS) for _ in range(WEIGHTS.get(name, 1))]
step = st.tuples(st.sampled_from(NAMES), st.integers(0, 2), st.integers(0, 59), st.booleans())


def fresh_ctx(tmp_path) -> Ctx:
    store = open_store(tmp_path / f"{uuid.uuid4().hex}.db")
    seed_catalogue(store)
    return Ctx(store=store, clock=FixedClock(NOW), user=ADMIN)


def seed_deals(ctx) -> list[str]:
    partner_led = svc.create_deal(ctx, make_draft(marketplace_intent=MarketplaceIntent.UNDECIDED))
    private = svc.create_deal(ctx, make_draft(share_with_microsoft=False, value=Decimal("30000"),
                                              close_date=date(2027, 1, 31)))
    inbound = svc.receive_inbound(ctx, make_inbound())
    return [partner_led.id, private.id, inbound.id]


def stored_deals(ctx):
    with ctx.store.read() as session:
        return [repo.to_deal(r) for r in session.scalars(select(DealRecord))]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=20))
@example(steps=[("stage_all", 0, 1, False), ("won", 0, 1, False), ("register", 0, 1, False),
                ("review", 0, 0, False), ("favorite", 0, 1, False), ("edit", 0, 1, False)])
@example(steps=[("invite_partner", 1, 0, False), ("upgrade", 1, 1, False), ("accept", 2, 1, False),
                ("decline", 2, 0, False), ("wait", 0, 59, False), ("accept", 2, 0, True)])
def test_every_action_either_refused_unchanged_or_keeps_every_invariant(tmp_path, steps):
    ctx = fresh_ctx(tmp_path)
    try:
        ids = seed_deals(ctx)
        for name, which, choice, stale in steps:
            if name == "wait":
                ctx.clock.advance(hours=choice * 6)
                continue
            calls = [("stage", 0)] * 4 if name == "stage_all" else [(name, choice)]
            for call, variant in calls:
                deal_id = ids[which]
                version = svc.get_deal(ctx, deal_id).version - (1 if stale else 0) if variant % 4 == 0 else None
                before = dump(ctx.store)
                try:
                    ACTIONS[call](ctx, deal_id, version if name != "stage_all" else None, variant)
                except (RuleViolation, ConflictError):
                    assert dump(ctx.store) == before, f"{call} was refused but wrote"
                for deal in stored_deals(ctx):
                    assert invariant_violations(deal) == [], (call, deal.id)
    finally:
        ctx.store.dispose()
