"""R1.3–R1.4 for every face: what a referral user can list, open, count, page,
search, expire-check and change. A deal they may not see does not exist for
them: reads leave it out, lookups by full id or prefix say "not found", and
every write action is refused with NotFound before anything is written.
"""
from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal

import pytest

from model import services as svc
from model.domain.enums import HelpType, RegistrationStatus, Role, SaleType, Tab
from model.domain.errors import AmbiguousId, NotFound, RuleViolation
from model.domain.reasons import DECLINE_REASONS, ERROR_REASONS, LOST_REASONS
from model.domain.schemas import CustomerContact, Invitation, Person, User
from model.domain.listing import DealQuery
from model.store.tables import DealRecord, EventRecord, SolutionRecord
from shared_support import ADMIN, NOW, SELLER_SE, ctx_as, make_draft, make_inbound

CAROL = User(login="carol", display_name="Carol Seller", email="carol@contoso-partner.com", role=Role.USER,
             location="Sweden")
OLA = User(login="ola", display_name="Ola Admin", email="ola@contoso-partner.com", role=Role.ADMIN,
           location="Norway")
BOB = Person(name="Bob Seller", phone="+46 70 123 45 67", email="bob@contoso-partner.com")
CAROL_P = Person(name="Carol Seller", phone="+46 70 765 43 21", email="carol@contoso-partner.com")
HIDDEN_P = Person(name="Dave Hidden", phone="+47 22 00 00 00", email="dave@hidden.example")


@pytest.fixture
def world(ctx):
    """Deals bob may see (Sweden, on the team) and may not (Sweden without him; Norway with him)."""
    d = {}
    d["se_bob"] = svc.create_deal(ctx, make_draft(name="Bob's Swedish deal", team=[BOB])).id
    d["se_carol"] = svc.create_deal(ctx, make_draft(name="Carol's Swedish deal", team=[CAROL_P, HIDDEN_P])).id
    d["no_bob"] = svc.create_deal(ctx, make_draft(name="Norway deal with Bob", location="Norway", team=[BOB])).id
    soon = NOW - timedelta(days=13)  # 14-day answer window: one day left (R8.2)
    d["in_se_bob"] = svc.receive_inbound(ctx, make_inbound(
        id="feed0001-0000-4000-8000-000000000001", name="Inbound Sweden", team=[BOB]), received_at=soon).id
    d["in_no_bob"] = svc.receive_inbound(ctx, make_inbound(
        id="feed0002-0000-4000-8000-000000000002", name="Inbound Norway", location="Norway", team=[BOB]),
        received_at=soon).id
    d["in_se_carol"] = svc.receive_inbound(ctx, make_inbound(
        id="feed0003-0000-4000-8000-000000000003", name="Inbound Sweden for Carol", team=[CAROL_P]),
        received_at=soon).id
    for key in ("se_bob", "se_carol", "no_bob"):
        svc.set_favorite(ctx, d[key], True)
    with ctx.store.write() as session:
        session.add(SolutionRecord(solution_id="SOL-AZ-2", name="Contoso Forecasting", source="my_company",
                                   macc_eligible=True, incentivized=True, registration_kind="azure_ip_cosell"))
    return d


BOB_SEES = {"se_bob", "in_se_bob"}
CAROL_SEES = {"se_carol", "in_se_carol"}


def _ids(rows) -> set[str]:
    return {r.id for r in rows}


def _names(world, keys) -> set[str]:
    return {world[k] for k in keys}


@pytest.mark.parametrize("tab", [Tab.INBOUND, Tab.OUTBOUND, Tab.FAVORITES])
def test_list_count_and_summary_show_a_referral_user_only_their_location_and_team(ctx, world, tab):  # R1.3
    every = {Tab.INBOUND: {"in_se_bob", "in_no_bob", "in_se_carol"}, Tab.OUTBOUND: {"se_bob", "se_carol", "no_bob"},
             Tab.FAVORITES: {"se_bob", "se_carol", "no_bob"}}[tab]
    for user, sees in ((SELLER_SE, BOB_SEES), (CAROL, CAROL_SEES)):
        uctx = ctx_as(ctx, user)
        q = DealQuery(tab=tab, limit=100)
        assert _ids(svc.list_deals(uctx, q)) == _names(world, every & sees)
        assert svc.count_deals(uctx, q) == len(every & sees)
        assert svc.tab_summary(uctx, q).count == len(every & sees)
    # R1.4: admins see every deal, whatever their own location
    for admin in (ADMIN, OLA):
        assert _ids(svc.list_deals(ctx_as(ctx, admin), DealQuery(tab=tab, limit=100))) == _names(world, every)


def test_text_search_and_id_filters_do_not_reach_hidden_deals(ctx, world):  # R1.3
    bob = ctx_as(ctx, SELLER_SE)
    assert _ids(svc.list_deals(bob, DealQuery(tab=Tab.OUTBOUND, text="deal"))) == {world["se_bob"]}
    assert svc.list_deals(bob, DealQuery(tab=Tab.OUTBOUND, ids=[world["se_carol"], world["no_bob"]])) == []
    assert svc.list_deals(bob, DealQuery(tab=Tab.OUTBOUND, text="norway")) == []


def test_closed_tab_is_filtered_too(ctx, world):  # R1.3, R8.4
    svc.decline(ctx, world["in_se_carol"], DECLINE_REASONS[0])
    svc.decline(ctx, world["in_se_bob"], DECLINE_REASONS[1])
    q = DealQuery(tab=Tab.CLOSED)
    assert _ids(svc.list_deals(ctx_as(ctx, SELLER_SE), q)) == {world["in_se_bob"]}
    assert _ids(svc.list_deals(ctx_as(ctx, CAROL), q)) == {world["in_se_carol"]}
    assert svc.count_deals(ctx, q) == 2


@pytest.mark.parametrize("key", ["se_carol", "no_bob", "in_no_bob", "in_se_carol"])
def test_get_deal_and_history_say_not_found_by_full_id_and_by_prefix(ctx, world, key):  # R1.3
    bob = ctx_as(ctx, SELLER_SE)
    deal_id = world[key]
    for ref in (deal_id, deal_id[:8], deal_id.upper()):
        with pytest.raises(NotFound):
            svc.get_deal(bob, ref)
        with pytest.raises(NotFound):
            svc.history(bob, ref)
    assert svc.get_deal(ctx, deal_id[:8]).id == deal_id  # the admin reaches it (R1.4)


def test_a_prefix_shared_with_a_hidden_deal_is_neither_ambiguous_nor_revealing(ctx, world):  # R1.3
    # "feed000" starts three inbound ids; bob sees one of them
    with pytest.raises(AmbiguousId):
        svc.get_deal(ctx, "feed000")
    assert svc.get_deal(ctx_as(ctx, SELLER_SE), "feed000").id == world["in_se_bob"]
    with pytest.raises(NotFound):
        svc.get_deal(ctx_as(ctx, OLA.model_copy(update={"role": Role.USER})), "feed000")


def test_visible_deals_open_for_the_team_member(ctx, world):  # R1.3
    bob = ctx_as(ctx, SELLER_SE)
    assert svc.get_deal(bob, world["se_bob"][:8]).name == "Bob's Swedish deal"
    assert [e.action for e in svc.history(bob, world["se_bob"])][0] == "create"


def test_expiring_deals_lists_only_visible_ones(ctx, world):  # R1.3, R8.2
    within = timedelta(hours=48)
    assert {d.id for d in svc.expiring_deals(ctx_as(ctx, SELLER_SE), within)} == {world["in_se_bob"]}
    assert {d.id for d in svc.expiring_deals(ctx_as(ctx, CAROL), within)} == {world["in_se_carol"]}
    assert {d.id for d in svc.expiring_deals(ctx, within)} == _names(world, {"in_se_bob", "in_no_bob", "in_se_carol"})


def test_recent_people_come_only_from_visible_deals(ctx, world):  # R1.3, R6.2
    emails = {p.email for p in svc.recent_people(ctx_as(ctx, SELLER_SE))}
    assert "dave@hidden.example" not in emails and "bob@contoso-partner.com" in emails
    assert "dave@hidden.example" in {p.email for p in svc.recent_people(ctx)}


def test_email_matching_ignores_case_and_a_user_without_email_sees_nothing(ctx, world):  # R1.3
    shouting = SELLER_SE.model_copy(update={"email": "  BOB@Contoso-Partner.COM "})
    assert _ids(svc.list_deals(ctx_as(ctx, shouting), DealQuery(tab=Tab.OUTBOUND))) == {world["se_bob"]}
    nobody = SELLER_SE.model_copy(update={"email": ""})
    assert svc.list_deals(ctx_as(ctx, nobody), DealQuery(tab=Tab.OUTBOUND)) == []
    with pytest.raises(NotFound):
        svc.get_deal(ctx_as(ctx, nobody), world["se_bob"])


CONTACT = CustomerContact(name="Nina Buyer", phone="+46 8 555 01", email="nina@northwind.example")
PARTNER = Invitation(invitation_id="", partner_name="Fabrikam", value=Decimal("1000"), currency="USD",
                     notes="help", solutions=["SOL-AZ-1"], team=[BOB])

# Every deal-changing service, with arguments it would accept on a deal it may see.
WRITES = {
    "accept": lambda c, i: svc.accept(c, i),
    "decline": lambda c, i: svc.decline(c, i, DECLINE_REASONS[0]),
    "mark_stage": lambda c, i: svc.mark_stage(c, i),
    "won": lambda c, i: svc.won(c, i, confirm_early=True),
    "lost": lambda c, i: svc.lost(c, i, LOST_REASONS[0]),
    "close_as_error": lambda c, i: svc.close_as_error(c, i, ERROR_REASONS[0]),
    "register": lambda c, i: svc.register(c, i),
    "review_registration": lambda c, i: svc.review_registration(c, i, RegistrationStatus.REVIEW_PENDING),
    "add_note": lambda c, i: svc.add_note(c, i, "peeking"),
    "edit": lambda c, i: svc.edit(c, i, {"name": "Renamed"}),
    "add_team_member": lambda c, i: svc.add_team_member(c, i, CAROL_P),
    "remove_team_member": lambda c, i: svc.remove_team_member(c, i, "bob@contoso-partner.com"),
    "add_solution": lambda c, i: svc.add_solution(c, i, "SOL-AZ-2"),
    "remove_solution": lambda c, i: svc.remove_solution(c, i, "SOL-AZ-1"),
    "set_favorite": lambda c, i: svc.set_favorite(c, i),
    "invite_microsoft": lambda c, i: svc.invite_microsoft(c, i, HelpType.GENERAL, notes="help", contact=CONTACT,
                                                         consent=True),
    "invite_partner": lambda c, i: svc.invite_partner(c, i, PARTNER),
    "edit_invitation": lambda c, i: svc.edit_invitation(c, i, "x", {"notes": "n"}),
    "upgrade": lambda c, i: svc.upgrade(c, i, SaleType.PARTNER_LED),
    "microsoft_respond": lambda c, i: svc.microsoft_respond(c, i, True),
}


def _fingerprint(store, deal_id):
    with store.read() as session:
        rec = session.get(DealRecord, deal_id)
        events = session.query(EventRecord).filter(EventRecord.deal_id == deal_id).count()
        return rec.version, rec.favorite, rec.name, events


@pytest.mark.parametrize("action", sorted(WRITES))
def test_every_write_action_on_a_hidden_deal_is_not_found_and_writes_nothing(ctx, world, action):  # R1.3
    bob = ctx_as(ctx, SELLER_SE)
    for key in ("se_carol", "no_bob", "in_no_bob"):  # not on the team; on it but elsewhere
        deal_id = world[key]
        before, counter = _fingerprint(ctx.store, deal_id), ctx.store.change_counter()
        for ref in (deal_id, deal_id[:8]):
            with pytest.raises(NotFound):
                WRITES[action](bob, ref)
        assert _fingerprint(ctx.store, deal_id) == before
        assert ctx.store.change_counter() == counter


@pytest.mark.parametrize("action", sorted(WRITES))
def test_the_same_actions_reach_the_rules_for_an_admin(ctx, world, action):  # R1.4
    # Not found is about visibility: the admin's call gets past the lookup (done, or refused by a rule).
    try:
        WRITES[action](ctx, world["no_bob"])
    except RuleViolation:
        pass


def test_the_team_member_can_act_on_their_own_deal(ctx, world):  # R1.3
    bob = ctx_as(ctx, SELLER_SE)
    deal = svc.add_note(bob, world["se_bob"][:8], "called the customer")
    assert deal.notes[-1].author == "bob"
    assert svc.accept(bob, world["in_se_bob"]).substatus.value == "Accepted"


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_writes_only_the_deals_the_user_may_see(ctx, world, fmt):  # R1.3, R1.4
    import csv
    import io
    import json

    from model.services.transfer import export_referrals

    def exported(user, tab=None) -> set[str]:
        out = io.StringIO()
        n = export_referrals(ctx_as(ctx, user), out, tab=tab, fmt=fmt)
        text = out.getvalue()
        if fmt == "json":
            ids = {r["id"] for r in json.loads(text)["value"]}
        else:
            ids = {row["id"] for row in csv.DictReader(io.StringIO(text))}
        assert n == len(ids)
        hidden = set(world.values()) - ids
        assert not any(h in text for h in hidden)  # not even mentioned
        return ids

    assert exported(SELLER_SE) == _names(world, BOB_SEES)
    assert exported(SELLER_SE, Tab.INBOUND) == {world["in_se_bob"]}
    assert exported(CAROL) == _names(world, CAROL_SEES)
    assert exported(ADMIN) == set(world.values())


def test_the_cli_face_shows_the_os_user_only_their_deals(ctx, world, capsys, monkeypatch):  # R1.3
    """`cosell` run by an OS login that is a referral user in Sweden with bob's address."""
    import pwd

    from cli.main import main
    from model.services import users

    me = pwd.getpwuid(os.geteuid()).pw_name
    users.add_user(ctx, "alice", email=ADMIN.email, role=Role.ADMIN)
    users.add_user(ctx, me, display_name="Me", email=SELLER_SE.email, role=Role.USER, location="Sweden")
    monkeypatch.setenv("COSELL_NOW", NOW.isoformat())
    monkeypatch.setenv("USER", "alice")  # believed by nobody: the login comes from the uid

    def run(*argv):
        capsys.readouterr()
        try:
            code = main(["--db", ctx.store.url, *argv])
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    hidden = [world[k] for k in ("se_carol", "no_bob", "in_no_bob", "in_se_carol")]
    for tab, mine in (("outbound", "se_bob"), ("inbound", "in_se_bob"), ("favorites", "se_bob")):
        code, out, _ = run("list", "--tab", tab, "--json")
        assert code == 0 and world[mine] in out and not any(h in out for h in hidden)
    code, out, _ = run("expiring", "--within", "48h", "--json")
    assert world["in_se_bob"] in out and not any(h in out for h in hidden)
    for deal_id in hidden:
        for argv in (("show", deal_id[:8]), ("note", deal_id, "peek"), ("favorite", deal_id)):
            code, out, err = run(*argv)
            assert code == 2 and "no deal" in err and deal_id not in out, argv
