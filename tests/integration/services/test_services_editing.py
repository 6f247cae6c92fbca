"""Editing services (R8.6, R1.2, R4.9, R6, R3.3) and what every write shares: the optimistic
version check, the audit event, visibility (R1.3) and "a refused action writes nothing"."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from factories import ASSESSMENT, NOW, SELLER_SE, TEAM, ctx_as, managed_customer
from deal_support import accepted, create, dump, events, received, refused
from model import services as svc
from model.domain.enums import AccountMatch, AccountTab, DealKind, MarketplaceIntent, PartnerRole, Role
from model.domain.errors import ConflictError, NotFound
from model.domain.schemas import Customer, Person, User
from model.store.tables import AccountRecord, SolutionRecord

CAROL = Person(name="Carol Closer", phone="+46 70 222 33 44", email="carol@contoso-partner.com")
DAVE = User(login="dave", display_name="Dave", email="dave@contoso-partner.com", role=Role.ADMIN)


@pytest.fixture
def solutions(store):
    """A few catalogue solutions for add/remove (R6.5)."""
    with store.write() as session:  # merged: conftest's catalogue already holds SOL-3P-9
        for rec in (SolutionRecord(solution_id="SOL-MS-1", name="Microsoft Fabric", source="microsoft",
                                   macc_eligible=True, incentivized=True, registration_kind=None),
                    SolutionRecord(solution_id="SOL-3P-9", name="Fabrikam Helper", source="third_party"),
                    SolutionRecord(solution_id="SA-SEC", name="Security assessment", source="assessment")):
            session.merge(rec)
    return store


# -- R8.6 edit ------------------------------------------------------------------------

def test_r8_6_edit_details_typed_as_text_with_audit(ctx):  # R8.6
    deal = create(ctx)
    out = svc.edit(ctx, deal.id, {"name": " Northwind lakehouse ", "value": "75000.50", "close_date": "2027-06-30",
                                  "crm_id": "CRM-42", "marketplace_intent": "Undecided"}, version=1)
    assert (out.name, out.value, out.close_date, out.crm_id, out.marketplace_intent, out.version) == (
        "Northwind lakehouse", Decimal("75000.50"), date(2027, 6, 30), "CRM-42", MarketplaceIntent.UNDECIDED, 2)
    assert svc.get_deal(ctx, deal.id).model_dump() == out.model_dump()
    event = events(ctx, deal.id)[-1]
    assert (event.actor, event.action, event.at, event.reason) == ("alice", "edit", NOW, None)
    assert event.changes["value"] == ["60000.00", "75000.50"]
    assert event.changes["close_date"] == ["2027-03-31", "2027-06-30"]


def test_r8_6_empty_text_clears_an_optional_field(ctx):  # R8.6, R5
    deal = create(ctx, crm_id="CRM-1")
    assert svc.edit(ctx, deal.id, {"crm_id": "  "}).crm_id is None


def test_edit_that_changes_nothing_writes_nothing(ctx):  # R8.6
    deal = create(ctx)
    before = dump(ctx.store)
    out = svc.edit(ctx, deal.id, {"name": "Northwind analytics"})
    assert out.version == 1 and dump(ctx.store) == before


@pytest.mark.parametrize("changes, field", [({"value": "lots"}, "value"), ({"close_date": "next spring"}, "close_date"),
                                            ({"value": ""}, "value"), ({"partner_role": "Juggler"}, "partner_role")])
def test_r5_unreadable_or_blank_values_are_refused(ctx, changes, field):  # R5
    deal = create(ctx, kind=DealKind.SERVICES_COSELL, partner_role=PartnerRole.DEPLOYMENT, solution_area="Azure",
                  solution_play="Migrate", solutions=[])
    err = refused(ctx.store, "R5", svc.edit, ctx, deal.id, changes)
    assert [v.field for v in err.violations] == [field]


def test_r1_2_location_edit_refused(ctx):  # R1.2
    deal = create(ctx)
    err = refused(ctx.store, "R1.2", svc.edit, ctx, deal.id, {"location": "Norway", "name": "Moved"})
    assert "location cannot be changed" in str(err)


def test_r8_6_non_editable_fields_are_named(ctx):  # R8.6
    deal = create(ctx)
    refused(ctx.store, "R8.6", svc.edit, ctx, deal.id, {"substatus": "Won"})


def test_r8_6_received_deal_is_accepted_before_it_is_edited(ctx):  # R8.6, R8.2
    deal = received(ctx)
    refused(ctx.store, "R8.2", svc.edit, ctx, deal.id, {"name": "Mine now"})


def test_r6_7_marketplace_yes_needs_an_incentivized_solution(ctx):  # R6.7, R5.1
    from factories import PLAIN_APP

    deal = create(ctx, solutions=[PLAIN_APP])
    refused(ctx.store, "R6.7", svc.edit, ctx, deal.id, {"marketplace_intent": "Yes"})


# -- R4.9 customer ----------------------------------------------------------------------

@pytest.mark.parametrize("tab", [AccountTab.OTHER, AccountTab.MANUAL])
def test_r4_9_customer_change_refused_for_other_and_manual(ctx, tab):  # R4.9
    deal = create(ctx, customer=Customer(name="Typed AB", source=tab))
    refused(ctx.store, "R4.9", svc.edit, ctx, deal.id, {"customer": managed_customer(name="Fixed AB")})


def test_r4_9_managed_customer_can_be_replaced_and_is_matched(ctx, store):  # R4.9, R4.5
    with store.write() as session:
        session.add(AccountRecord(account_id="ACC-U", name="Loose AB", norm_name="loose", tab="unmanaged"))
    deal = create(ctx)
    out = svc.edit(ctx, deal.id, {"customer": {"name": "Loose AB", "account_id": "ACC-U", "source": "other"}})
    assert (out.customer.name, out.customer.match) == ("Loose AB", AccountMatch.UNMANAGED)
    assert events(ctx, deal.id)[-1].changes["customer"]["name"] == ["Northwind Traders AB", "Loose AB"]


# -- R6.1 team -------------------------------------------------------------------------------

def test_r6_1_add_team_member_with_audit(ctx):  # R6.1, R6.2
    deal = create(ctx)
    out = svc.add_team_member(ctx, deal.id, CAROL, version=1)
    assert [p.email for p in out.team] == ["bob@contoso-partner.com", "carol@contoso-partner.com"]
    assert out.version == 2  # a team change is a new version even at the same instant
    event = events(ctx, deal.id)[-1]
    assert event.action == "team_add"
    assert event.changes["team"] == [["bob@contoso-partner.com"], ["bob@contoso-partner.com",
                                                                   "carol@contoso-partner.com"]]
    assert "carol@contoso-partner.com" in [p.email for p in svc.recent_people(ctx)]


def test_r6_1_new_member_needs_all_details_and_must_be_new(ctx):  # R6.1
    deal = create(ctx)
    err = refused(ctx.store, "R6.1", svc.add_team_member, ctx, deal.id, Person(name="", phone="", email="x"))
    assert len(err.violations) == 3
    refused(ctx.store, "R6.1", svc.add_team_member, ctx, deal.id, TEAM[0].model_copy(update={"name": "Bob again"}))


def test_r6_1_cannot_remove_the_last_team_member(ctx):  # R6.1
    deal = create(ctx)
    err = refused(ctx.store, "R6.1", svc.remove_team_member, ctx, deal.id, "BOB@contoso-partner.com")
    assert "at least one team member" in str(err)


def test_r6_1_remove_a_member_while_others_remain(ctx):  # R6.1
    deal = create(ctx, team=TEAM + [CAROL])
    out = svc.remove_team_member(ctx, deal.id, "bob@contoso-partner.com")
    assert [p.email for p in out.team] == ["carol@contoso-partner.com"]
    refused(ctx.store, "R6.1", svc.remove_team_member, ctx, deal.id, "nobody@x.example")


def test_r6_3_invited_partners_people_join_the_team(ctx):  # R6.3
    deal = accepted(ctx, sale_type="p2p", sender_is_microsoft=False, sender_name="Fabrikam")
    guest = Person(name="Fay", phone="+45 33 00 00", email="fay@fabrikam.example", company="Fabrikam")
    assert svc.add_team_member(ctx, deal.id, guest).team[-1].company == "Fabrikam"


# -- R6.4–R6.7 solutions ------------------------------------------------------------------

def test_r6_4_add_and_remove_solutions_from_the_catalogue(ctx, solutions):  # R6.4, R6.5
    deal = create(ctx)
    out = svc.add_solution(ctx, deal.id, "SOL-MS-1")
    assert [s.solution_id for s in out.solutions] == ["SOL-AZ-1", "SOL-MS-1"]
    assert events(ctx, deal.id)[-1].changes["solutions"] == [["SOL-AZ-1"], ["SOL-AZ-1", "SOL-MS-1"]]
    out = svc.remove_solution(ctx, deal.id, "SOL-AZ-1")
    assert [s.solution_id for s in out.solutions] == ["SOL-MS-1"]


def test_r6_4_ip_cosell_keeps_at_least_one_solution(ctx):  # R6.4
    deal = create(ctx)
    refused(ctx.store, "R6.4", svc.remove_solution, ctx, deal.id, "SOL-AZ-1")


def test_r6_4_services_cosell_may_drop_every_solution(ctx):  # R6.4
    from factories import PLAIN_APP

    deal = create(ctx, kind=DealKind.SERVICES_COSELL, partner_role=PartnerRole.DEPLOYMENT, solution_area="Azure",
                  solution_play="Migrate", solutions=[PLAIN_APP])
    assert svc.remove_solution(ctx, deal.id, "SOL-3P-9").solutions == []


def test_r6_4_unknown_or_duplicate_solution_refused(ctx, solutions):  # R6.4, R6.5
    deal = create(ctx)
    refused(ctx.store, "R6.5", svc.add_solution, ctx, deal.id, "SOL-NOPE")
    svc.add_solution(ctx, deal.id, "SOL-3P-9")
    refused(ctx.store, "R6.4", svc.add_solution, ctx, deal.id, "SOL-3P-9")


def test_r6_6_assessment_deal_takes_no_second_solution(ctx, solutions):  # R6.6
    deal = create(ctx, kind=DealKind.SOLUTION_ASSESSMENT, solutions=[ASSESSMENT])
    refused(ctx.store, "R6.6", svc.add_solution, ctx, deal.id, "SA-SEC", assessment_location="Sweden")
    refused(ctx.store, "R6.6", svc.remove_solution, ctx, deal.id, "SA-DATA")


# R6.7 (rules page corrected): for a MACC customer, keeping a MACC-eligible solution is a warning
# to confirm, not a refusal. MACC is the account catalogue's fact (ACC-MACC), never the draft's.
def test_r6_7_macc_customer_is_warned_before_losing_its_macc_eligible_solution(ctx, solutions):  # R6.7, R4.11
    deal = create(ctx, customer=managed_customer(account_id="ACC-MACC", macc=True))
    assert deal.customer.macc
    svc.add_solution(ctx, deal.id, "SOL-3P-9")
    err = refused(ctx.store, "R6.7", svc.remove_solution, ctx, deal.id, "SOL-AZ-1")
    assert err.needs_confirmation and all(v.warning for v in err.violations)
    out = svc.remove_solution(ctx, deal.id, "SOL-AZ-1", confirm_warnings=True)
    assert [s.solution_id for s in out.solutions] == ["SOL-3P-9"]


# -- notes, favorites ----------------------------------------------------------------------

def test_r5_notes_are_appended_to_the_record(ctx):  # R5
    deal = create(ctx)
    out = svc.add_note(ctx, deal.id, " Demo booked for Friday ")
    assert [(n.author, n.text) for n in out.notes][-1] == ("alice", "Demo booked for Friday")
    assert events(ctx, deal.id)[-1].changes == {"note": "Demo booked for Friday"}
    refused(ctx.store, "R5", svc.add_note, ctx, deal.id, "   ")


def test_r3_3_favorite_toggles_without_bumping_the_version(ctx):  # R3.3
    deal = create(ctx)
    assert svc.set_favorite(ctx, deal.id).favorite
    assert svc.get_deal(ctx, deal.id).version == 1
    assert events(ctx, deal.id)[-1].changes == {"favorite": [False, True]}
    assert not svc.set_favorite(ctx, deal.id).favorite
    assert svc.edit(ctx, deal.id, {"name": "Still version 1"}, version=1).version == 2


def test_r3_3_favorite_on_a_received_deal(ctx):  # R3.3
    deal = received(ctx)
    assert svc.set_favorite(ctx, deal.id, True).favorite
    assert svc.set_favorite(ctx, deal.id, True).favorite  # idempotent
    assert [e.action for e in events(ctx, deal.id)] == ["received", "favorite"]


# -- the optimistic version check ------------------------------------------------------------

def test_stale_version_names_who_changed_the_deal(ctx):  # concurrency
    deal = create(ctx)
    bob = ctx_as(ctx, SELLER_SE)
    svc.edit(ctx, deal.id, {"name": "Alice's name"}, version=1)
    before = dump(ctx.store)
    with pytest.raises(ConflictError) as info:
        svc.edit(bob, deal.id, {"crm_id": "BOB-1"}, version=1)
    assert (info.value.changed_by, info.value.expected, info.value.found) == ("alice", 1, 2)
    assert "by alice (edit: name)" in str(info.value) and info.value.exit_code == 5
    assert dump(ctx.store) == before


def test_conflict_names_the_editor_not_who_touched_the_heart(ctx):  # concurrency, R3.3
    deal = create(ctx)
    svc.add_note(ctx, deal.id, "Alice was here", version=1)
    svc.set_favorite(ctx_as(ctx, DAVE), deal.id)
    with pytest.raises(ConflictError) as info:
        svc.lost(ctx_as(ctx, SELLER_SE), deal.id, "Price", version=1)
    assert info.value.changed_by == "alice"


def test_two_stores_on_one_database_see_each_others_versions(ctx):  # concurrency (two sessions)
    from model.services.context import Ctx
    from model.store import open_store

    deal = create(ctx)
    other = open_store(ctx.store.url, create=False)  # a second process's engine on the same database
    try:
        bob = Ctx(store=other, clock=ctx.clock, user=SELLER_SE)
        seen = svc.get_deal(bob, deal.id)
        svc.add_team_member(ctx, deal.id, CAROL, version=1)
        with pytest.raises(ConflictError) as info:
            svc.edit(bob, deal.id, {"name": "Bob's"}, version=seen.version)
        assert info.value.changed_by == "alice" and "team_add" in str(info.value)
    finally:
        other.dispose()


# -- R1.3 visibility in every service ------------------------------------------------------

def test_r1_3_deal_outside_the_users_scope_does_not_exist_for_them(ctx):  # R1.3
    deal = create(ctx, location="Norway")
    bob = ctx_as(ctx, SELLER_SE)
    before = dump(ctx.store)
    for call in (lambda: svc.get_deal(bob, deal.id), lambda: svc.edit(bob, deal.id, {"name": "x"}),
                 lambda: svc.set_favorite(bob, deal.id), lambda: svc.close_as_error(bob, deal.id, "Duplicate deal")):
        with pytest.raises(NotFound):
            call()
    assert dump(ctx.store) == before


def test_r1_3_lists_apply_the_same_rule_in_sql(ctx):  # R1.3, R1.4
    from model.domain.enums import Tab
    from model.domain.listing import DealQuery

    mine = create(ctx)
    create(ctx, location="Norway")
    create(ctx, team=[CAROL])
    bob = ctx_as(ctx, SELLER_SE)
    assert [r.id for r in svc.list_deals(bob, DealQuery(tab=Tab.OUTBOUND))] == [mine.id]
    assert svc.count_deals(ctx, DealQuery(tab=Tab.OUTBOUND)) == 3
