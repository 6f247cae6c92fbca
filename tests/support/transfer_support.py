"""Helpers for the import/export tests: a populated store, files, and row counts."""
from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from factories import ADMIN, NOW
from model.clock import FixedClock
from model.services import transfer
from model.services.context import Ctx
from model.store import open_store
from model.store.tables import DealRecord, EventRecord, NoteRecord, OutboxRecord, TeamRecord


def fresh_ctx(tmp_path, name: str, user=ADMIN) -> Ctx:
    return Ctx(store=open_store(tmp_path / f"{name}.db"), clock=FixedClock(NOW), user=user)


def export_text(ctx, **kw) -> str:
    buf = io.StringIO()
    transfer.export_referrals(ctx, buf, **kw)
    return buf.getvalue()


def export_doc(ctx, **kw) -> dict:
    return json.loads(export_text(ctx, **kw))


def counts(store) -> dict[str, int]:
    """Rows in every table an import writes: equal before and after means nothing was written."""
    with store.read() as session:
        return {t.__tablename__: session.scalar(select(func.count()).select_from(t))
                for t in (DealRecord, TeamRecord, NoteRecord, EventRecord, OutboxRecord)}


def all_deals(ctx) -> dict:
    from model import services as svc

    with ctx.store.read() as session:
        ids = session.scalars(select(DealRecord.id).order_by(DealRecord.id)).all()
    return {i: svc.get_deal(ctx, i) for i in ids}


def dumps(records) -> str:
    return json.dumps({"value": records})


PLAIN_PC_RECORD = {
    # The shape of Partner Center's own example (CR-2019), plus the fields a GET returns.
    "id": "5b1f0c2e-9a44-4c1e-8d1f-4a1e5c0d9b77",
    "name": "Test Cosell Invite_20",
    "status": "New", "substatus": "Received",
    "type": "Shared", "qualification": "SalesQualified",
    "direction": "Incoming",
    "createdDateTime": "2026-11-18T08:30:00.810144Z",
    "updatedDateTime": "2026-11-18T08:30:00.810144Z",
    "target": [{"type": "SolutionProfile", "id": "SOL-34104-EBB"}],
    "customerProfile": {
        "name": "Contoso Customer Inc",
        "address": {"addressLine1": "One Microsoft Way", "city": "Redmond", "state": "WA",
                    "postalCode": "98052", "country": "US"},
        "size": "10to50employees",
        "team": [{"contactPreference": {"locale": "en-us", "disableNotifications": False},
                  "firstName": "Sue", "lastName": "Smith", "phoneNumber": "1234567890",
                  "email": "sue.smith@contoso.example"}],
        "ids": [{"profileType": "External", "id": "1-15NFGVZ"}],
        "isMatchingComplete": False,
    },
    "consent": {"consentToToShareInfoWithOthers": True, "consentToContact": True},
    "details": {
        "notes": "Customer wants a field service solution",
        "dealValue": 50000, "currency": "USD", "closingDateTime": "2027-03-14T00:00:00Z",
        "requirements": {
            "industries": [{"id": "Manufacturing"}], "products": [{"id": "Dynamics365Enterprise"}],
            "solutions": [{"name": "Dynamics 365 for Field Service", "type": "Category",
                           "id": "Dynamics365forFieldService"}],
            "additionalRequirements": {"iot": {}, "attributes": [{"id": "HaveNotDecided",
                                                                  "type": "CustomerMarketplaceIntent"}]},
        },
    },
    "team": [{"firstName": "John", "lastName": "Doe", "phoneNumber": "1231231234",
              "email": "john.doe@contoso-partner.com"}],
    "inviteContext": {"notes": "Hi ABC Partner, please help this customer",
                      "invitedBy": {"organizationId": "msft", "organizationName": "Microsoft"},
                      "assistanceRequestCode": "GeneralOrOther"},
    "salesStage": None, "registrationStatus": "None", "registrations": [],
    "links": {"self": {"uri": "https://api.partner.microsoft.com/v1.0/engagements/referrals/x", "method": "GET"}},
    "eTag": "\"1ac1\"",
}
