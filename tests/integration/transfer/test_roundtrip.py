"""Export -> import is lossless: every Deal field survives, for every kind of deal the demo makes
(notes log, team, solutions, invitations, stages marked, registration, Microsoft's side...)."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from data.demo import populate
from factories import NOW, TEAM, make_draft, make_inbound
from model import services as svc
from model.domain.enums import Tab
from model.partner_center.rows import deal_from_referral, referral_from_deal
from model.partner_center.shape import Referral
from model.domain.schemas import Note, Person
from model.services import transfer
from model.services.import_records import batch_lookups
from transfer_support import all_deals, copy_catalogue, export_doc, factory_catalogue, export_text, fresh_ctx
from transfer_support import known_catalogue  # noqa: F401  (autouse: the catalogue the factories name)


@pytest.fixture
def demo_ctx(tmp_path):
    ctx = fresh_ctx(tmp_path, "demo")
    populate(ctx.store, deals=80, accounts=400, seed=7, now=NOW)
    yield ctx
    ctx.store.dispose()


def test_export_then_import_gives_back_every_deal_unchanged(demo_ctx, tmp_path):
    text = export_text(demo_ctx)
    target = fresh_ctx(tmp_path, "target")
    copy_catalogue(demo_ctx.store, target.store)  # catalogue facts are looked up, never read from the file
    report = transfer.import_referrals(target, text)
    assert report.created == 80 and report.updated == report.unchanged == 0
    before, after = all_deals(demo_ctx), all_deals(target)
    assert list(after) == list(before)
    for deal_id, deal in before.items():
        assert after[deal_id] == deal, deal_id  # full Deal values, field by field


def test_a_second_export_is_byte_for_byte_the_first(demo_ctx, tmp_path):
    text = export_text(demo_ctx)
    target = fresh_ctx(tmp_path, "target")
    copy_catalogue(demo_ctx.store, target.store)
    transfer.import_referrals(target, text)
    assert export_text(target) == text


def test_referral_and_deal_convert_both_ways_without_the_database(demo_ctx):
    # The catalogue's facts are looked up once, for the batch (the trust model); then no database.
    deals = list(all_deals(demo_ctx).values())
    referrals = [Referral.model_validate(json.loads(json.dumps(referral_from_deal(d)))) for d in deals]
    with demo_ctx.store.read() as session:
        found = batch_lookups(session, referrals)
    for deal, referral in zip(deals, referrals):
        assert deal_from_referral(referral, lookups=found) == deal


def test_awkward_values_survive(ctx, tmp_path):
    # Names without a last name or with several spaces, P2P people of another company,
    # control characters and markup in notes, odd amounts: nothing is lost or "cleaned".
    team = [Person(name="Cher", phone="+46 70 1", email="cher@contoso-partner.com"),
            Person(name="Anna  van der Berg", phone="+31 20 5", email="anna@fabrikam.example", company="Fabrikam")]
    deal = svc.create_deal(ctx, make_draft(name='Ünïcødé "quoted" [bold]x[/] \x1b[31mred', team=team,
                                           value=Decimal("12345.67"), currency="SEK", crm_id="CRM,1;2"))
    svc.add_note(ctx, deal.id, "line one\nline two\ttab \x9b31m c1")
    inbound = svc.receive_inbound(ctx, make_inbound(team=list(TEAM), notes=[Note(at=NOW, author="m", text="hi")]))
    target = fresh_ctx(tmp_path, "target")
    factory_catalogue(target.store)  # the catalogue's facts about the deals' customer and solutions
    transfer.import_referrals(target, export_text(ctx))
    for original in (svc.get_deal(ctx, deal.id), svc.get_deal(ctx, inbound.id)):
        assert svc.get_deal(target, original.id) == original


def test_export_is_the_partner_center_list_shape(demo_ctx):
    doc = export_doc(demo_ctx)
    assert doc["@odata.count"] == len(doc["value"]) == 80
    first = doc["value"][0]
    for key in ("id", "name", "status", "substatus", "direction", "salesStage", "customerProfile", "details",
                "createdDateTime", "cosell"):
        assert key in first
    assert first["details"]["currency"] in {"USD", "EUR", "SEK", "NOK", "GBP"}
    assert first["salesStage"].isdigit()  # spec §5: the percentage, as a string
    assert all(r["createdDateTime"].endswith("Z") for r in doc["value"])


def test_export_of_one_tab(demo_ctx):
    closed = export_doc(demo_ctx, tab=Tab.CLOSED)["value"]
    favorites = export_doc(demo_ctx, tab=Tab.FAVORITES)["value"]
    assert closed and all(r["status"] == "Closed" for r in closed)
    assert favorites and all(r["favorite"] for r in favorites)
    inbound = export_doc(demo_ctx, tab=Tab.INBOUND)["value"]
    assert inbound and all(r["direction"] == "Incoming" and r["status"] != "Closed" for r in inbound)
