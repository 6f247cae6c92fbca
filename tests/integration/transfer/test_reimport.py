"""Importing ids that are already stored: updates, never duplicates; unchanged records (closed
ones too) change nothing; a closed deal only takes registration progress (R9.1, R10.4)."""
from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from factories import NOW, make_draft
from model import services as svc
from model.domain.enums import AccountMatch, DealKind, HelpType, MicrosoftStatus, SaleType, Substatus
from model.domain.errors import ImportRejected
from model.domain.stages import Stage
from model.services import transfer
from model.store.tables import AccountRecord, OutboxRecord
from transfer_support import PLAIN_PC_RECORD, counts, export_doc, fresh_ctx
from transfer_support import known_catalogue  # noqa: F401  (autouse: the catalogue the factories name)


def records_of(ctx) -> dict[str, dict]:
    return {r["name"]: r for r in export_doc(ctx)["value"]}


def import_records(ctx, *records, **kw):
    return transfer.import_referrals(ctx, json.dumps({"value": list(records)}), **kw)


@pytest.fixture
def deals(ctx):
    open_ = svc.create_deal(ctx, make_draft(name="Open deal"))
    won = svc.create_deal(ctx, make_draft(name="Won deal"))
    for _ in range(4):
        svc.mark_stage(ctx, won.id)
    ctx.clock.advance(hours=80)
    svc.won(ctx, won.id)
    svc.register(ctx, won.id, contract_confirmed=True)  # R10.5
    lost = svc.create_deal(ctx, make_draft(name="Lost deal"))
    svc.lost(ctx, lost.id, "Price")
    return {"open": open_.id, "won": won.id, "lost": lost.id}


def test_importing_the_same_file_twice_changes_nothing(ctx, deals, tmp_path):
    records = list(records_of(ctx).values())
    before = counts(ctx.store)
    report = import_records(ctx, *records)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert counts(ctx.store) == before  # no duplicate, no event, no message
    fresh = fresh_ctx(tmp_path, "again")
    assert import_records(fresh, *records).created == 3
    once = counts(fresh.store)
    assert import_records(fresh, *records).unchanged == 3 and counts(fresh.store) == once


def test_a_changed_open_deal_is_updated_in_place(ctx, deals):
    record = records_of(ctx)["Open deal"]
    record["name"] = "Open deal, renamed"
    record["details"]["dealValue"] = 75000
    record["cosell"]["notes"].append({"at": "2026-11-21T10:00:00Z", "author": "crm", "text": "From the CRM"})
    before = svc.get_deal(ctx, deals["open"])
    report = import_records(ctx, record)
    assert (report.created, report.updated) == (0, 1)
    after = svc.get_deal(ctx, deals["open"])
    assert after.name == "Open deal, renamed" and after.value == 75000
    assert after.version == before.version + 1
    assert [n.text for n in after.notes] == [n.text for n in before.notes] + ["From the CRM"]  # appended (R5)
    # An import is the operations a user runs: the edit is in the history as an edit, from the file.
    event = [e for e in svc.history(ctx, deals["open"]) if "name" in e.changes][-1]
    assert event.changes["name"] == ["Open deal", "Open deal, renamed"] and event.reason == "imported from file"


def test_notes_are_never_dropped_by_an_import(ctx, deals):
    record = records_of(ctx)["Open deal"]
    record["cosell"]["notes"] = []  # a file that lost the log
    record["name"] = "Open deal v2"
    import_records(ctx, record)
    assert svc.get_deal(ctx, deals["open"]).notes  # R5: what is on the record stays


def test_an_unchanged_closed_deal_is_a_no_op(ctx, deals):
    records = records_of(ctx)
    before = counts(ctx.store)
    report = import_records(ctx, records["Won deal"], records["Lost deal"])
    assert report.unchanged == 2 and counts(ctx.store) == before


def test_a_changed_closed_deal_is_refused(ctx, deals):
    # R9.1
    record = records_of(ctx)["Lost deal"]
    record["details"]["dealValue"] = 1
    before = counts(ctx.store)
    with pytest.raises(ImportRejected) as err:
        import_records(ctx, record)
    assert ("'Lost deal'): the deal is lost: won, lost, declined, expired and error-closed deals cannot be changed "
            "(R9.1)") in str(err.value)
    assert counts(ctx.store) == before


def test_registration_progress_of_a_won_deal_arrives_by_import(ctx, deals):
    # R10.4: Microsoft's validation outcome comes in the file; nothing else may change.
    record = records_of(ctx)["Won deal"]
    assert record["registrationStatus"] == "ReviewPending"
    record["registrationStatus"] = "Approved"
    record["registrations"][0]["status"] = "Approved"
    record["registrations"][0]["statusHistory"] = {"approvedDateTime": "2026-12-01T12:00:00Z"}
    record["registrations"][0]["statusReason"] = "Approved by Microsoft"
    before = svc.get_deal(ctx, deals["won"])
    report = import_records(ctx, record)
    assert report.registrations == 1 and report.updated == 0
    after = svc.get_deal(ctx, deals["won"])
    assert after.registration.status.value == "Approved" and after.registration.message == "Approved by Microsoft"
    assert after.version == before.version + 1 and after.substatus is Substatus.WON
    assert svc.history(ctx, deals["won"])[-1].changes["registration"]["status"] == ["ReviewPending", "Approved"]


def test_a_stale_file_is_refused(ctx, deals):
    record = records_of(ctx)["Open deal"]
    svc.edit(ctx, deals["open"], {"name": "Changed meanwhile"})
    record["details"]["dealValue"] = 99
    with pytest.raises(ImportRejected, match=r"cosell.version: the deal changed since this file was exported "
                                             r"\(file: version 1, now: version 2\)"):
        import_records(ctx, record)


def test_the_location_cannot_change(ctx, deals):
    # R1.2
    record = records_of(ctx)["Open deal"]
    record["cosell"]["location"] = "Norway"
    with pytest.raises(ImportRejected, match=r"location: the location of a deal never changes \(R1.2\)"):
        import_records(ctx, record)


# -- a plain Partner Center record (no "cosell" extension) ------------------------------------

def test_a_plain_partner_center_record_imports_with_derived_fields(ctx):
    with ctx.store.write() as session:
        session.add(AccountRecord(account_id="1-15NFGVZ", name="Contoso Customer Inc", norm_name="contoso customer",
                                  tab="managed"))
    report = import_records(ctx, PLAIN_PC_RECORD, location="United States")
    assert report.created == 1 and report.notified == 1
    deal = svc.get_deal(ctx, PLAIN_PC_RECORD["id"])
    received = deal.created_at
    assert deal.location == "United States" and deal.kind is DealKind.IP_COSELL
    assert deal.substatus is Substatus.RECEIVED and deal.stage is Stage.ACCEPTED  # R8.5
    assert deal.expires_at == received + timedelta(days=14)  # R8.2
    assert deal.sender_is_microsoft and deal.microsoft_status is MicrosoftStatus.ACCEPTED
    assert deal.help_type is HelpType.GENERAL and deal.sale_type is SaleType.CO_SELL  # R7.3
    assert deal.customer.match is AccountMatch.MANAGED  # R4.5: its External id is a managed account
    assert [c.name for c in deal.customer.contacts] == ["Sue Smith"] and deal.team[0].name == "John Doe"
    assert [n.text for n in deal.notes] == ["Hi ABC Partner, please help this customer",
                                            "Customer wants a field service solution"]
    with ctx.store.read() as session:
        message = session.scalars(select(OutboxRecord)).one()  # R12.1
    assert message.kind == "new_inbound" and message.recipient == "john.doe@contoso-partner.com"
    assert "Test Cosell Invite_20" in message.subject


def test_duns_matching_and_items_envelope(ctx):
    # R4.5: a Duns id equal to a managed account's DUNS makes the customer managed.
    with ctx.store.write() as session:
        session.add(AccountRecord(account_id="A9", name="Contoso", norm_name="contoso", tab="managed", duns="123456789"))
    record = copy.deepcopy(PLAIN_PC_RECORD)
    record["customerProfile"]["ids"] = [{"profileType": "Duns", "id": "123456789"}]
    transfer.import_referrals(ctx, json.dumps({"items": [record]}), location="Sweden")
    deal = svc.get_deal(ctx, record["id"])
    assert deal.customer.duns == "123456789" and deal.customer.match is AccountMatch.MANAGED
    record2 = copy.deepcopy(PLAIN_PC_RECORD)
    record2.update(id="c0ffee00-0000-4000-8000-000000000001")
    record2["customerProfile"]["ids"] = [{"profileType": "Duns", "id": "999"}]
    transfer.import_referrals(ctx, json.dumps([record2]), location="Sweden")
    assert svc.get_deal(ctx, record2["id"]).customer.match is AccountMatch.NOT_MATCHED


@pytest.mark.parametrize("stage, expected", [
    ("Qualify", Stage.QUALIFIED), ("Develop", Stage.DEVELOPED), ("Propose", Stage.PROPOSED),
    ("Close", Stage.NEGOTIATED), ("50", Stage.DEVELOPED), ("80%", Stage.NEGOTIATED), (10, Stage.ACCEPTED),
])
def test_sales_stage_words_and_percentages_map_onto_the_standard_stages(ctx, stage, expected):
    # R8.10
    record = copy.deepcopy(PLAIN_PC_RECORD)
    record.update(status="Active", substatus="Engaged", salesStage=stage)  # Engaged arrives as Accepted
    import_records(ctx, record, location="Sweden")
    deal = svc.get_deal(ctx, record["id"])
    assert deal.substatus is Substatus.ACCEPTED and deal.stage is expected
    assert Stage.WON not in deal.stages_marked


def test_a_won_plain_record_has_every_stage_marked(ctx):
    record = copy.deepcopy(PLAIN_PC_RECORD)
    record.update(status="Closed", substatus="Won", salesStage="100", closedDateTime="2026-11-19T10:00:00Z")
    import_records(ctx, record, location="Sweden")
    deal = svc.get_deal(ctx, record["id"])
    assert deal.stage is Stage.WON and deal.stages_marked == [Stage.QUALIFIED, Stage.DEVELOPED, Stage.PROPOSED,
                                                              Stage.NEGOTIATED]  # R8.9


def test_a_won_record_missing_marked_stages_is_refused(ctx):
    deal = svc.create_deal(ctx, make_draft(name="x"))
    record = records_of(ctx)["x"]
    record.update(id="c0ffee00-0000-4000-8000-000000000002", status="Closed", substatus="Won", salesStage="100")
    record["cosell"].update(stage="Won", stages_marked=["Qualified"])
    with pytest.raises(ImportRejected, match=r"cosell.stages_marked: a won deal has every earlier stage marked \(R8.9\)"):
        import_records(ctx, record)
    assert deal  # the store keeps its one deal


def test_expiry_from_the_file_wins(ctx):
    record = copy.deepcopy(PLAIN_PC_RECORD)
    record["expirationDateTime"] = "2026-11-25T00:00:00Z"
    import_records(ctx, record, location="Sweden")
    assert svc.get_deal(ctx, record["id"]).expires_at.isoformat() == "2026-11-25T00:00:00+00:00"


def test_imported_inbound_deal_expires_through_the_sweep(ctx):
    record = copy.deepcopy(PLAIN_PC_RECORD)
    import_records(ctx, record, location="Sweden")
    ctx.clock.set(NOW + timedelta(days=20))
    expired = svc.sweep(ctx)
    assert [d.id for d in expired] == [record["id"]]
