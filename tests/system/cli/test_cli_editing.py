"""Editing commands: edit, team, solution, note, favorite, upgrade, invite."""
from __future__ import annotations

from cli_harness import (  # noqa: F401  (fixtures are used by name)
    NOW, cosell, db, make_draft, make_inbound, managed_customer, sctx,
)
from model import services as svc
from model.store.tables import SolutionRecord


def _show(cosell, deal_id):
    result = cosell("show", deal_id, "--json")
    assert result.code == 0, result.err
    return result.json()


def _catalogue(sctx):
    """One more catalogue solution beside the seeded ones (``cli_harness.seed_catalogue``)."""
    with sctx.store.write() as session:
        session.add(SolutionRecord(solution_id="SOL-BIZ-2", name="Contoso Field Service", source="my_company",
                                   publisher="Contoso", registration_kind="bizapps_premium"))


def test_edit_changes_the_details(cosell, sctx):  # R8.6, R5.1
    deal = svc.create_deal(sctx, make_draft())
    result = cosell("edit", deal.id, "--name", "Northwind lakehouse", "--value", "75,000", "--currency", "SEK",
                    "--close-date", "2027-06-30", "--crm-id", "CRM-42", "--campaign-id", "Q3",
                    "--marketplace-intent", "undecided", "--version", "1")
    assert result.code == 0, result.err
    doc = _show(cosell, deal.id)
    assert (doc["name"], doc["value"], doc["currency"], doc["close_date"]) == (
        "Northwind lakehouse", 75000, "SEK", "2027-06-30")
    assert (doc["crm_id"], doc["campaign_id"], doc["marketplace_intent"], doc["version"]) == (
        "CRM-42", "Q3", "HaveNotDecided", 2)
    assert cosell("edit", deal.id, "--crm-id", "").code == 0
    assert _show(cosell, deal.id)["crm_id"] is None


def test_edit_location_is_refused_and_nothing_changes(cosell, sctx):  # R1.2
    deal = svc.create_deal(sctx, make_draft())
    before = _show(cosell, deal.id)
    result = cosell("edit", deal.id, "--location", "Norway", "--name", "Renamed", "--partner-role", "transaction")
    assert result.code == 4
    assert "location: the location cannot be changed after the deal is created (R1.2)" in result.err
    assert "partner role is not used for IP co-sell deals" in result.err  # every unmet rule, not just the first
    assert _show(cosell, deal.id) == before
    assert cosell("edit", deal.id).code == 2  # nothing to change


def test_team_add_and_remove(cosell, sctx):  # R6.1
    deal = svc.create_deal(sctx, make_draft())
    added = cosell("team", deal.id, "add", "--name", "Cara Consultant", "--phone", "+46 70 999 99 99",
                   "--email", "cara@contoso-partner.com", "--version", "1")
    assert added.code == 0, added.err
    assert [p["email"] for p in _show(cosell, deal.id)["team"]] == ["bob@contoso-partner.com",
                                                                     "cara@contoso-partner.com"]
    bad = cosell("team", deal.id, "add", "--name", "X", "--phone", "nope", "--email", "not-an-email")
    assert bad.code == 4 and "is not a phone number" in bad.err and "is not an email address" in bad.err
    assert cosell("team", deal.id, "remove", "BOB@contoso-partner.com").code == 0
    last = cosell("team", deal.id, "remove", "cara@contoso-partner.com")
    assert last.code == 4 and "(R6.1)" in last.err  # a deal keeps at least one member
    assert [p["email"] for p in _show(cosell, deal.id)["team"]] == ["cara@contoso-partner.com"]
    assert cosell("team", deal.id, "add", "--name", "No phone").code == 2


def test_solution_add_and_remove(cosell, sctx):  # R6.4
    _catalogue(sctx)
    deal = svc.create_deal(sctx, make_draft())
    assert cosell("solution", deal.id, "add", "SOL-BIZ-2").code == 0
    assert [s["solution_id"] for s in _show(cosell, deal.id)["solutions"]] == ["SOL-AZ-1", "SOL-BIZ-2"]
    unknown = cosell("solution", deal.id, "add", "SOL-NOPE")
    assert unknown.code == 4 and "no solution 'SOL-NOPE' in the catalogue" in unknown.err
    assert cosell("solution", deal.id, "remove", "SOL-AZ-1").code == 0
    last = cosell("solution", deal.id, "remove", "SOL-BIZ-2")
    assert last.code == 4 and "(R6.4)" in last.err  # an IP co-sell deal keeps one solution
    shown = cosell("show", deal.id).out
    assert "SOL-BIZ-2  Contoso Field Service (My company's solutions, Biz apps premium)" in shown


def test_note_is_appended_to_the_log(cosell, sctx):  # R5
    deal = svc.create_deal(sctx, make_draft())
    assert cosell("note", deal.id, "Met the CIO").code == 0
    notes = _show(cosell, deal.id)["notes"]
    assert [n["text"] for n in notes] == ["Customer wants a data platform", "Met the CIO"]
    assert cosell("note", deal.id, "   ").code == 4


def test_favorite_toggles_without_bumping_the_version(cosell, sctx):  # R3.3
    deal = svc.receive_inbound(sctx, make_inbound())
    on = cosell("favorite", deal.id)
    assert on.code == 0 and on.out.rstrip().endswith("♥ · version 1")
    assert [d["id"] for d in cosell("list", "--tab", "favorites", "--json").json()["deals"]] == [deal.id]
    assert cosell("favorite", deal.id, "--off").code == 0
    assert cosell("list", "--tab", "favorites", "--json").json()["deals"] == []
    assert _show(cosell, deal.id)["version"] == 1


def test_upgrade_private_deal(cosell, sctx):  # R7.5
    to_led = svc.create_deal(sctx, make_draft(share_with_microsoft=False))
    assert _show(cosell, to_led.id)["sale_type"] == "private"
    assert cosell("upgrade", to_led.id, "--to", "partner-led").code == 0
    assert _show(cosell, to_led.id)["sale_type"] == "partner_led"
    again = cosell("upgrade", to_led.id, "--to", "co-sell", "--help-type", "poc", "--notes", "PoC please")
    assert again.code == 4 and "(R7.5)" in again.err

    to_cosell = svc.create_deal(sctx, make_draft(share_with_microsoft=False,
                                                 customer=managed_customer(contacts=[], consent_to_share=False)))
    missing = cosell("upgrade", to_cosell.id, "--to", "co-sell")
    assert missing.code == 4
    for expected in ("choose the kind of help", "customer contact", "consent", "what help you want"):
        assert expected in missing.err  # every unmet rule at once (R7.3, R4.10)
    done = cosell("upgrade", to_cosell.id, "--to", "co-sell", "--help-type", "poc", "--notes", "PoC please",
                  "--contact-name", "Nina Buyer", "--contact-phone", "+46 8 555 01",
                  "--contact-email", "nina@northwind.example", "--consent")
    assert done.code == 0, done.err
    doc = _show(cosell, to_cosell.id)
    assert (doc["sale_type"], doc["microsoft_status"], doc["help_type"]) == ("co_sell", "invited", "ProofOfConceptOrDemo")
    assert doc["microsoft_window"]["lapsed"] is False  # R7.3: Microsoft has 14 days


def test_invite_microsoft_and_a_partner(cosell, sctx):  # R2.3, R7.3, R7.4
    deal = svc.create_deal(sctx, make_draft())
    ms = cosell("invite", deal.id, "microsoft", "--help-type", "architecture", "--notes", "Need an architect")
    assert ms.code == 0, ms.err
    twice = cosell("invite", deal.id, "microsoft", "--help-type", "general", "--notes", "again")
    assert twice.code == 4 and "already invited" in twice.err.lower()
    partner = cosell("invite", deal.id, "partner", "--partner", "Fabrikam Consulting", "--close-date", "2027-03-01",
                     "--value", "10000", "--currency", "USD", "--solution", "SOL-3P-9", "--solution", "SOL-X",
                     "--help-type", "quotes", "--notes", "Licensing part")
    assert partner.code == 0, partner.err
    invitations = _show(cosell, deal.id)["invitations"]
    assert [i["partner_name"] for i in invitations] == ["Microsoft", "Fabrikam Consulting"]
    fab = invitations[1]
    assert (fab["close_date"], fab["value"], fab["currency"], fab["solutions"], fab["help_type"]) == (
        "2027-03-01", 10000, "USD", ["SOL-3P-9", "SOL-X"], "QuotesOrLicensing")
    incomplete = cosell("invite", deal.id, "partner", "--partner", "Litware")
    assert incomplete.code == 4
    for expected in ("close date", "estimated value", "at least one solution"):
        assert expected in incomplete.err
    text = cosell("show", deal.id).out
    assert "Microsoft: Invited; help: Customer technical architecture" in text
    assert "Fabrikam Consulting (partner): Invited; help: Quotes or licensing" in text


def test_inbound_deal_cannot_invite_partners(cosell, sctx):  # R2.3
    deal = svc.receive_inbound(sctx, make_inbound())
    svc.accept(sctx, deal.id)
    result = cosell("invite", deal.id, "partner", "--partner", "Fabrikam", "--close-date", "2027-03-01",
                    "--value", "1", "--currency", "USD", "--solution", "S")
    assert result.code == 4 and "only the partner that created the deal can invite" in result.err
