"""Partner Center's own files import as they are, on a fresh database, with no flags: the API's
list envelope, Microsoft's create-a-referral example, page labels for vocabularies, unknown
solutions and locations learned from the file, and every key back on export (lossless)."""
from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import select

from deal_support import dump
from model import services as svc
from model.domain.enums import AccountMatch, AccountTab, DealKind, Direction, RegistrationStatus, Substatus, Tab
from model.domain.errors import ImportRejected
from model.domain.stages import Stage
from model.services import transfer
from model.store.tables import LocationRecord, SolutionRecord
from transfer_support import (
    MANAGED_ACCOUNT, PC_MPN, add_account, all_deals, export_doc, fresh_ctx, key_paths, pc_create_request,
    pc_list_file,
)

RECEIVED, ACCEPTED, OUTBOUND, WON = (f"{d * 8}-{d * 4}-4{d * 3}-8{d * 3}-{d * 12}" for d in "1234")


@pytest.fixture
def pc(tmp_path):
    """A fresh database: no deals, no locations, no solutions; only Microsoft's account catalogue."""
    ctx = fresh_ctx(tmp_path, "pc", catalogue=False)
    add_account(ctx.store, *MANAGED_ACCOUNT, "managed")
    yield ctx
    ctx.store.dispose()


def _import(ctx, doc, **kw):
    return transfer.import_referrals(ctx, json.dumps(doc), source="referrals.json", **kw)


def test_the_api_list_file_imports_with_no_flags_and_lands_in_the_right_tabs(pc):
    report = _import(pc, pc_list_file())
    assert (report.created, report.updated) == (4, 0)
    deals = all_deals(pc)
    assert [deals[i].tab for i in (RECEIVED, ACCEPTED, OUTBOUND, WON)] == [Tab.INBOUND, Tab.INBOUND, Tab.OUTBOUND,
                                                                           Tab.CLOSED]  # R3, R8.14
    services = deals[RECEIVED]
    assert services.kind is DealKind.SERVICES_COSELL and services.partner_role.value == "DeploymentServices"  # R5.2
    assert (services.solution_area, services.solution_play) == ("Cloud & AI Platforms", "Migrate and modernize your estate")
    assert deals[ACCEPTED].marketplace_intent.value == "HaveNotDecided"  # "Undecided" (R5.1)
    assert deals[ACCEPTED].stage is Stage.DEVELOPED and deals[OUTBOUND].stage is Stage.QUALIFIED  # R8.10
    for deal in deals.values():  # R4.11: the account catalogue's facts, found by customerProfile.ids
        assert deal.customer.source is AccountTab.MANAGED and deal.customer.match is AccountMatch.MANAGED
        assert deal.location == PC_MPN  # R1.2: a new mpnId is a location named after itself
    with pc.store.read() as session:
        assert [(r.mpn_id, r.name) for r in session.scalars(select(LocationRecord))] == [(PC_MPN, PC_MPN)]


def test_solutions_the_catalogue_does_not_know_are_learned_from_the_file(pc):
    _import(pc, pc_list_file())
    with pc.store.read() as session:
        learned = {r.solution_id: r for r in session.scalars(select(SolutionRecord))}
    assert learned["SOL-PC-VAULT"].registration_kind == "azure_ip_cosell" and learned["SOL-PC-VAULT"].incentivized
    assert learned["SOL-PC-FABRIC"].registration_kind is None and learned["SOL-PC-FABRIC"].source == "my_company"
    history = svc.history(pc, WON)
    event = next(e for e in history if e.action == "catalogue")
    assert event.actor == "Partner Center" and event.reason == "learned from referrals.json"
    assert event.changes["learned"] == ["solution SOL-PC-VAULT (Contoso Vault)"]


def test_a_won_azure_ip_cosell_deal_on_a_managed_account_can_then_be_registered(pc):
    _import(pc, pc_list_file())
    won = svc.get_deal(pc, WON)
    assert won.substatus is Substatus.WON and won.value >= 25_000  # R10.1
    registered = svc.register(pc, WON, contract_confirmed=True)  # R10.5
    assert registered.registration.status is not RegistrationStatus.NONE


def test_microsofts_create_a_referral_example_creates_an_outbound_deal(pc):
    report = _import(pc, [pc_create_request()])
    assert report.created == 1
    (deal,) = all_deals(pc).values()
    assert deal.direction is Direction.OUTBOUND and deal.tab is Tab.OUTBOUND  # R3.2
    assert (deal.substatus, deal.stage) == (Substatus.ACCEPTED, Stage.CREATED)  # R8.5
    assert deal.created_at == pc.now() and deal.accepted_at == pc.now()
    assert len(deal.id) == 36 and deal.id.count("-") == 4  # a new uuid4
    assert deal.customer.source is AccountTab.MANUAL  # ids: [] -> entered by hand (R4.9)
    assert deal.location == "Default location"  # nothing says where; an admin renames it (cosell locations)


def test_the_create_example_saved_as_it_is_one_object_not_a_list_imports_too(pc):
    # The example is a POST body: a user saves it to a file as it is, a single referral object.
    report = _import(pc, pc_create_request())
    assert report.created == 1
    (deal,) = all_deals(pc).values()
    assert deal.name == "Test Cosell Invite_20" and deal.tab is Tab.OUTBOUND
    # "type": "Shared" is the API's shared referral: Microsoft sellers see it (R7.2, spec §2.4).
    assert deal.share_with_microsoft and deal.sale_type.value == "partner_led"


def test_an_object_that_is_neither_a_referral_nor_an_envelope_is_refused(pc):
    before = dump(pc.store)
    with pytest.raises(ImportRejected, match="a JSON list, or an object"):
        _import(pc, {"hello": "world"})
    assert dump(pc.store) == before


def test_a_create_request_goes_to_the_files_one_location(pc):
    doc = pc_list_file()
    doc["value"].append(pc_create_request())
    _import(pc, doc)
    new = [d for d in all_deals(pc).values() if d.id not in (RECEIVED, ACCEPTED, OUTBOUND, WON)]
    assert [d.location for d in new] == [PC_MPN]


def test_a_partner_center_record_makes_a_lossless_round_trip(pc):
    doc = pc_list_file()
    _import(pc, doc)
    exported = {r["id"]: r for r in export_doc(pc)["value"]}
    for original in doc["value"]:
        back = exported[original["id"]]
        assert key_paths(original) <= key_paths(back), sorted(key_paths(original) - key_paths(back))
        for key in {"qualification", "trackingInfo", "tags", "quality", "organizationId", "links", "mpnId"} & set(original):
            assert back[key] == original[key]
        assert back["customerProfile"]["address"] == original["customerProfile"]["address"]
        assert back["customerProfile"]["team"][0]["contactPreference"] == {"locale": "en-us",
                                                                          "disableNotifications": False}
        assert back["team"][0]["title"] == "Seller"
    assert exported[OUTBOUND]["details"]["requirements"]["solutions"][0]["tags"] == ["Azure IP Co-sell"]


def test_the_round_trip_file_imports_back_unchanged(pc, tmp_path):
    _import(pc, pc_list_file())
    text = json.dumps(export_doc(pc))
    report = transfer.import_referrals(pc, text)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)


def test_an_envelope_with_both_value_and_items_is_refused_as_ambiguous(pc):
    doc = pc_list_file()
    doc["items"] = []
    before = dump(pc.store)
    with pytest.raises(ImportRejected, match="both a \"value\" and an \"items\" list"):
        _import(pc, doc)
    assert dump(pc.store) == before


def test_labels_are_read_case_and_space_insensitively(pc):
    doc = pc_list_file()
    record = doc["value"][0]
    record["details"]["requirements"]["additionalRequirements"]["attributes"][0]["id"] = "  deployment   SERVICES "
    record["inviteContext"]["assistanceRequestCode"] = "Proof of concept or demo"
    record["status"], record["direction"] = "new", "incoming"
    _import(pc, {"value": [record]})
    deal = svc.get_deal(pc, RECEIVED)
    assert deal.partner_role.value == "DeploymentServices" and deal.help_type.value == "ProofOfConceptOrDemo"


def test_an_unknown_label_is_refused_with_the_field_named(pc):
    doc = pc_list_file()
    doc["value"][0]["details"]["requirements"]["additionalRequirements"]["attributes"][0]["id"] = "Juggling"
    with pytest.raises(ImportRejected) as err:
        _import(pc, doc)
    assert "record 1 (id 11111111…, 'Services migration'): details.requirements.additionalRequirements." \
           "attributes[0]: PartnerRole 'Juggling' is not one of" in str(err.value)


def test_services_attributes_and_an_own_ip_solution_make_an_ip_and_services_deal(pc):
    doc = pc_list_file()
    record = copy.deepcopy(doc["value"][0])
    record["details"]["requirements"]["solutions"] = [{"id": "SOL-PC-OWN", "name": "Our IP", "type": "Name",
                                                       "publisherName": "Contoso Partner"}]
    _import(pc, {"value": [record]})
    assert svc.get_deal(pc, RECEIVED).kind is DealKind.IP_AND_SERVICES  # R2.7


def test_location_override_and_no_location_at_all(pc):
    doc = pc_list_file()
    _import(pc, {"value": doc["value"][:1]}, location="Sweden")  # --location stays an override
    assert svc.get_deal(pc, RECEIVED).location == "Sweden"
    record = copy.deepcopy(doc["value"][1])
    del record["mpnId"]
    before = dump(pc.store)
    with pytest.raises(ImportRejected, match=r"record 1 \(id 22222222…, 'Fabric rollout'\): mpnId: a deal needs "
                                             r"a location \(R1.2\)"):
        _import(pc, {"value": [record]})
    assert dump(pc.store) == before


def test_partner_center_saying_won_marks_the_stages_it_implies(pc):
    # A plain record's sales stage implies the earlier stages (R8.10): Partner Center marks them, then Won (R8.9).
    doc = pc_list_file()
    _import(pc, doc)
    record = copy.deepcopy(doc["value"][1])
    record.update(status="Closed", substatus="Won", salesStage="100", closedDateTime="2026-11-20T08:00:00Z")
    report = _import(pc, {"value": [record]})
    assert report.updated == 1
    deal = svc.get_deal(pc, ACCEPTED)
    assert deal.substatus is Substatus.WON and deal.stage is Stage.WON
    assert deal.stages_marked == [Stage.QUALIFIED, Stage.DEVELOPED, Stage.PROPOSED, Stage.NEGOTIATED]
    steps = [e for e in svc.history(pc, ACCEPTED) if e.reason == "imported from referrals.json" and e.action != "import"]
    assert [e.action for e in steps][-1] == "won" and {e.actor for e in steps} == {"Partner Center"}


def test_partner_center_saying_declined_needs_a_reason_and_then_tells_the_sender(pc):
    from deal_support import outbox

    doc = pc_list_file()
    _import(pc, doc)
    record = copy.deepcopy(doc["value"][0])
    record.update(status="Closed", substatus="Declined", closedDateTime="2026-11-20T08:00:00Z")
    before = dump(pc.store)
    with pytest.raises(ImportRejected, match=r"record 1 \(id 11111111…, 'Services migration'\): reason: .*\(R8.4\)"):
        _import(pc, {"value": [record]})
    assert dump(pc.store) == before and outbox(pc.store, "declined") == []
    record["statusReason"] = "Customer Not Interested"
    _import(pc, {"value": [record]})
    assert svc.get_deal(pc, RECEIVED).status_reason == "Customer not interested"  # R8.4's pick-list entry
    assert outbox(pc.store, "declined") == [("declined", "microsoft-seller", RECEIVED)]  # R12.2


def test_an_unknown_customer_is_entered_by_hand_and_keeps_its_partner_center_ids(pc):
    # A create request naming an account id the catalogue lacks: a hand-entered customer (R4.9, R4.11),
    # its External id kept for the export; a DUNS id makes it an Other customer, catalogued from the file.
    request = pc_create_request()
    request["customerProfile"]["ids"] = [{"profileType": "External", "id": "1-UNKNOWN"}]
    other = pc_create_request()
    other["customerProfile"].update(name="Fabrikam Oy", ids=[{"profileType": "Duns", "id": "123456789"}])
    _import(pc, [request, other])
    deals = sorted(all_deals(pc).values(), key=lambda d: d.customer.name)
    assert [(d.customer.source, d.customer.account_id) for d in deals] == [
        (AccountTab.MANUAL, None), (AccountTab.OTHER, "DUNS-123456789")]
    exported = {r["customerProfile"]["name"]: r for r in export_doc(pc)["value"]}
    assert exported["Contoso Customer Inc"]["customerProfile"]["ids"] == [{"profileType": "External", "id": "1-UNKNOWN"}]
    assert {"profileType": "Duns", "id": "123456789"} in exported["Fabrikam Oy"]["customerProfile"]["ids"]
    learned = {d.customer.name: [e.changes["learned"] for e in svc.history(pc, d.id) if e.action == "catalogue"]
               for d in deals}
    assert learned == {"Contoso Customer Inc": [["solution Dynamics365forFieldService (Dynamics 365 for Field Service)"]],
                       "Fabrikam Oy": [["account DUNS-123456789 (Other, DUNS 123456789)"]]}
