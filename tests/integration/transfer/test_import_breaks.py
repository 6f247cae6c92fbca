"""Each way a file could break the rules, refused or applied exactly as the trust model says:
an import is the operations a user runs, so a record may do no more than they may. Every
refusal names record, field and rule, and leaves every table as it was."""
from __future__ import annotations

import copy
import pytest

from deal_support import accepted, create, dump, outbox, partner_invitation, received
from factories import ASSESSMENT, AZURE_APP, TEAM
from model import services as svc
from model.domain.enums import AccountMatch, AccountTab, DealKind
from model.domain.errors import ImportRejected
from model.domain.schemas import Customer
from model.domain.stages import Stage
from transfer_support import add_account, add_partner, import_one, record_of
from transfer_support import known_catalogue  # noqa: F401  (autouse: the catalogue the factories name)


def refused(ctx, *records, rule: str) -> str:
    before = dump(ctx.store)
    with pytest.raises(ImportRejected) as err:
        import_one(ctx, *records)
    assert f"({rule})" in str(err.value), str(err.value)
    assert "record 1 (id " in str(err.value)
    assert dump(ctx.store) == before  # nothing written, on any table
    return str(err.value)


def test_won_in_one_jump_with_every_stage_skipped_is_refused(ctx):
    deal = accepted(ctx)
    record = record_of(ctx, deal.id)
    record.update(status="Closed", substatus="Won", salesStage="100", closedDateTime="2026-11-20T09:00:00Z")
    record["cosell"].update(stage="Won", stages_marked=[])
    message = refused(ctx, record, rule="R8.9")
    assert "stages_marked" in message


def test_a_registration_approved_on_a_deal_never_registered_is_refused(ctx):
    deal = accepted(ctx)  # open, not won: not eligible (R10.1)
    record = record_of(ctx, deal.id)
    record["registrationStatus"] = "Approved"
    record["registrations"] = [{"status": "Approved", "type": "AzureIPCoSell"}]
    message = refused(ctx, record, rule="R10.1")
    assert "registration" in message


def test_an_other_customer_replaced_and_declared_managed_is_refused(ctx):
    # R4.9: chosen from Other (DUNS), it stays; the file's "managed" is not the catalogue's word either.
    add_account(ctx.store, "DUNS-ACC-7", "Fabrikam Oy", "other", duns="123456789")
    other = Customer(name="Fabrikam Oy", account_id="DUNS-ACC-7", duns="123456789", source=AccountTab.OTHER)
    deal = create(ctx, customer=other)
    record = record_of(ctx, deal.id)
    record["customerProfile"]["name"] = "Northwind Traders AB"
    record["customerProfile"]["ids"] = [{"profileType": "External", "id": "ACC-1"}]
    record["cosell"]["customer"] = {"source": "managed", "match": "managed"}
    refused(ctx, record, rule="R4.9")


def test_an_accepted_deal_sent_back_to_received_with_a_new_expiry_is_refused(ctx):
    deal = accepted(ctx)
    record = record_of(ctx, deal.id)
    record.update(status="New", substatus="Received", expirationDateTime="2026-12-24T09:00:00Z")
    refused(ctx, record, rule="R8.2")


def test_declined_without_a_reason_is_refused_and_nobody_is_told(ctx):
    deal = received(ctx)
    record = record_of(ctx, deal.id)
    record.update(status="Closed", substatus="Declined", closedDateTime="2026-11-20T09:00:00Z")
    record.pop("statusReason", None)
    refused(ctx, record, rule="R8.4")
    assert outbox(ctx.store, "declined") == []  # R12.2: no decline, no notification


def test_declined_with_a_reason_queues_the_senders_notification(ctx):
    deal = received(ctx)
    record = record_of(ctx, deal.id)
    record.update(status="Closed", substatus="Declined", closedDateTime="2026-11-20T09:00:00Z",
                  statusReason="customer NOT interested")  # the pick-list entry, under the one normalisation
    import_one(ctx, record)
    after = svc.get_deal(ctx, deal.id)
    assert after.substatus.value == "Declined" and after.status_reason == "Customer not interested"  # R8.4
    assert outbox(ctx.store, "declined") == [("declined", "maria@microsoft.example", deal.id)]  # R12.2
    assert any(e.action != "import" and e.reason == "imported from file" for e in svc.history(ctx, deal.id))


def test_the_inviter_cannot_change_the_invitees_share(ctx):
    # R7.4: close date, value, team and solutions of a sent invitation are the invitee's to change.
    add_partner(ctx.store, "P-FAB", "Fabrikam Consulting")
    deal = create(ctx, invitations=[partner_invitation(team=list(TEAM))])
    record = record_of(ctx, deal.id)
    inv = record["cosell"]["invitations"][0]
    inv.update(close_date="2027-09-30", value="99999", team=[], solutions=["SOL-AZ-1"])
    message = refused(ctx, record, rule="R7.4")
    for key in ("close_date", "value", "solutions", "team"):
        assert key in message


def test_a_kind_change_that_unmarks_stages_is_refused(ctx):
    deal = svc.mark_stage(ctx, create(ctx).id, Stage.QUALIFIED)
    record = record_of(ctx, deal.id)
    record["cosell"].update(kind="services_cosell", stages_marked=[], stage="Created")
    message = refused(ctx, record, rule="R8.7")
    assert "(R2)" in message  # the kind of a deal never changes


# -- new records that break the creation rules (R5, R6, R4.6) ------------------------------------------

def _new_record(ctx, **draft) -> dict:
    """The exported record of an outbound deal made through the services, under a fresh id: a new
    record as cosell writes it, for a test to break one rule in."""
    deal = create(ctx, **draft)
    record = copy.deepcopy(record_of(ctx, deal.id))
    record["id"] = "99999999-9999-4999-8999-99999999999" + str(len(draft) % 10)
    return record


def test_a_new_assessment_deal_with_two_assessments_is_refused(ctx):
    from transfer_support import add_solution

    add_solution(ctx.store, "SA-SEC", "Security assessment", "assessment")
    record = _new_record(ctx, kind=DealKind.SOLUTION_ASSESSMENT, solutions=[ASSESSMENT])
    record["details"]["requirements"]["solutions"].append({"id": "SA-SEC", "name": "Security assessment", "type": "Name"})
    record["cosell"].pop("solutions", None)
    refused(ctx, record, rule="R6.6")


def test_a_new_ip_cosell_deal_without_a_solution_is_refused(ctx):
    record = _new_record(ctx)
    record["details"]["requirements"]["solutions"] = []
    record["cosell"].pop("solutions", None)
    refused(ctx, record, rule="R6.4")


def test_a_new_outbound_deal_with_an_empty_team_is_refused(ctx):
    record = _new_record(ctx)
    record["team"] = []
    record["cosell"].pop("team_company", None)
    refused(ctx, record, rule="R6.1")


def test_a_new_deal_for_a_federal_account_from_managed_is_refused(ctx):
    # R4.6: a federal account is chosen from the DUNS list only; the catalogue says ACC-FED is federal.
    add_account(ctx.store, "ACC-FED", "US Federal Agency", "managed", federal=True)
    record = _new_record(ctx)
    record["customerProfile"].update(name="US Federal Agency", ids=[{"profileType": "External", "id": "ACC-FED"}])
    refused(ctx, record, rule="R4.6")


def test_the_files_word_on_catalogue_facts_is_not_taken(ctx):
    # R4.11 / R6.7: cosell.customer and cosell.solutions flags are ignored; the catalogue's facts stand.
    deal = create(ctx)
    record = record_of(ctx, deal.id)
    record["id"] = "88888888-8888-4888-8888-888888888888"
    record["cosell"]["customer"] = {"source": "other", "federal": True, "macc": True}
    record["cosell"]["solutions"] = [{"id": "SOL-AZ-1", "source": "third_party", "incentivized": False,
                                      "registration_kind": None, "cosell_ready": False}]
    import_one(ctx, record)
    new = svc.get_deal(ctx, record["id"])
    assert new.customer.source is AccountTab.MANAGED and not new.customer.federal  # the catalogue's ACC-1
    assert new.customer.match is AccountMatch.MANAGED
    assert new.solutions[0].model_dump() == {**AZURE_APP.model_dump(), "assessment_location": None,
                                              "name": new.solutions[0].name, "publisher": new.solutions[0].publisher}


def test_an_imported_decline_notifies_the_sender_as_the_service_does(ctx, tmp_path):
    # R12.2: the same outbox row (recipient, subject, body) whether the user declines or the file says so.
    from sqlalchemy import text

    from transfer_support import fresh_ctx

    def rows(store):
        with store.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT kind, recipient, subject, body, dedupe_key FROM outbox WHERE kind = 'declined'"))]

    deal = received(ctx)
    record = record_of(ctx, deal.id)
    other = fresh_ctx(tmp_path, "by-service")
    svc.receive_inbound(other, deal.model_copy(update={"version": 1}))
    svc.decline(other, deal.id, "Customer not interested")
    record.update(status="Closed", substatus="Declined", closedDateTime="2026-11-20T09:00:00Z",
                  statusReason="Customer not interested")
    import_one(ctx, record)
    assert rows(ctx.store) == rows(other.store) != []
