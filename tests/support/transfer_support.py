"""Helpers for the import/export tests: a populated store, files, and row counts."""
from __future__ import annotations

import io
import json

import pytest

from sqlalchemy import func, select

from factories import ADMIN, NOW
from model.clock import FixedClock
from model.services import transfer
from model.services.context import Ctx
from model.store import open_store
from model.store.tables import DealRecord, EventRecord, NoteRecord, OutboxRecord, TeamRecord


def fresh_ctx(tmp_path, name: str, user=ADMIN, *, catalogue: bool = True) -> Ctx:
    """A new store; with ``catalogue``, knowing the accounts and solutions the factories' deals name."""
    ctx = Ctx(store=open_store(tmp_path / f"{name}.db"), clock=FixedClock(NOW), user=user)
    if catalogue:
        factory_catalogue(ctx.store)
    return ctx


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


def copy_catalogue(source, target) -> None:
    """The account, solution, partner and location catalogues of one store into another: an
    import looks catalogue facts up (the trust model), so a target store needs the same ones."""
    from model.store.tables import AccountRecord, LocationRecord, PartnerRecord, SolutionRecord

    tables = (AccountRecord, SolutionRecord, PartnerRecord, LocationRecord)
    with source.read() as session:
        rows = {t: [{c.key: getattr(r, c.key) for c in t.__table__.columns} for r in session.scalars(select(t))]
                for t in tables}
    with target.write() as session:
        for t, values in rows.items():
            for v in values:
                session.merge(t(**v))
        session.info["wrote"] = True


def add_account(store, account_id: str, name: str, tab: str = "managed", *, duns: str | None = None,
                federal: bool = False, macc: bool = False) -> None:
    """One account in the catalogue (the facts an import looks up for its customer)."""
    from model.accounts.normalize import normalize_name
    from model.store.tables import AccountRecord

    with store.write() as session:
        if session.get(AccountRecord, account_id) is None:
            session.add(AccountRecord(account_id=account_id, name=name, norm_name=normalize_name(name), tab=tab,
                                      duns=duns, federal=federal, macc=macc))


def add_solution(store, solution_id: str, name: str, source: str = "my_company", *, kind: str | None = None,
                 incentivized: bool = False, macc: bool = False, ready: bool = True) -> None:
    from model.store.tables import SolutionRecord

    with store.write() as session:
        if session.get(SolutionRecord, solution_id) is None:
            session.add(SolutionRecord(solution_id=solution_id, name=name, source=source, publisher="",
                                       macc_eligible=macc, incentivized=incentivized, registration_kind=kind,
                                       cosell_ready=ready))


def factory_catalogue(store) -> None:
    """The catalogue entries ``factories`` deals name (ACC-1, SOL-AZ-1, SOL-3P-9, SA-DATA), as facts."""
    from factories import ASSESSMENT, AZURE_APP, PLAIN_APP

    add_account(store, "ACC-1", "Northwind Traders AB", "managed")
    for s in (AZURE_APP, PLAIN_APP, ASSESSMENT):
        add_solution(store, s.solution_id, s.name, s.source.value, incentivized=s.incentivized, macc=s.macc_eligible,
                     kind=s.registration_kind.value if s.registration_kind else None, ready=s.cosell_ready)


@pytest.fixture(autouse=True)
def known_catalogue(request):
    """Imported by a test module (``from transfer_support import known_catalogue``): the test's
    ``store`` knows the catalogue entries the factories' deals name, as creating them requires."""
    if "store" in request.fixturenames:
        factory_catalogue(request.getfixturevalue("store"))
    yield


# -- Partner Center's own files ----------------------------------------------------------------

MANAGED_ACCOUNT = ("1-15NFGVZ", "Contoso Customer Inc")   # External id -> a Microsoft-managed account
PC_MPN = "6115379"


def _pc_member(first, last, phone, email, **extra) -> dict:
    return {"firstName": first, "lastName": last, "phoneNumber": phone, "email": email, **extra}


def pc_list_file() -> dict:
    """A GET /v1.0/engagements/referrals response (spec §1, §4 WIRE): the list envelope, four
    referrals (inbound Received, inbound Accepted, outbound, closed Won), ``mpnId``,
    ``customerProfile.ids``, page labels for the partner role, and no ``cosell`` key."""
    common = {
        "mpnId": PC_MPN, "organizationId": "a1b2c3d4-0000-4000-8000-00000000beef", "organizationName": "Contoso Partner",
        "quality": "Unknown", "isSpam": False, "dealSensitivity": "None", "tags": [], "referralProgram": None,
        "trackingInfo": {"microsoftMsxId": "7-XYZ", "microsoftUSFedOpportunityId": None, "microsoftUSFedLeadId": None,
                         "migratedPSCDealId": None, "migratedPSCPartnerDealId": None},
        "links": {"self": {"uri": "https://api.partner.microsoft.com/v1.0/engagements/referrals/x", "method": "GET"}},
    }
    customer = {"name": MANAGED_ACCOUNT[1], "size": "10to50employees",
                "address": {"addressLine1": "One Microsoft Way", "city": "Redmond", "state": "WA",
                            "postalCode": "98052", "country": "US"},
                "team": [_pc_member("Sue", "Smith", "1234567890", "sue.smith@contoso.example",
                                    contactPreference={"locale": "en-us", "disableNotifications": False})],
                "ids": [{"profileType": "External", "id": MANAGED_ACCOUNT[0]}], "isMatchingComplete": True}
    team = [_pc_member("John", "Doe", "1231231234", "john.doe@contoso-partner.com", title="Seller")]
    from_msft = {"organizationId": "msft", "organizationName": "Microsoft"}
    received = {
        **common, "id": "11111111-1111-4111-8111-111111111111", "engagementId": "e1", "name": "Services migration",
        "createdDateTime": "2026-11-18T08:30:00.810144Z", "updatedDateTime": "2026-11-18T08:30:00.810144Z",
        "status": "New", "substatus": "Received", "type": "Shared", "qualification": "SalesQualified",
        "direction": "Incoming", "salesStage": None, "favorite": False, "customerProfile": customer,
        "consent": {"consentToToShareInfoWithOthers": True, "consentToContact": True},
        "details": {"notes": "Customer moves 40 VMs", "dealValue": 90000, "currency": "USD",
                    "closingDateTime": "2027-03-14T00:00:00Z",
                    "requirements": {"industries": [{"id": "Manufacturing"}], "solutions": [],
                                     "additionalRequirements": {"iot": {}, "attributes": [
                                         {"type": "PartnerRole", "id": "Deployment services"},
                                         {"type": "SolutionArea", "id": "cloud & ai platforms"},
                                         {"type": "SolutionPlay", "id": "Migrate and modernize your estate"}]}}},
        "team": team, "inviteContext": {"notes": "Please help", "invitedBy": from_msft,
                                        "assistanceRequestCode": "Unknown", "invitedMpnId": PC_MPN},
        "registrationStatus": "None", "registrations": [], "eTag": "\"1\"",
    }
    accepted = {
        **received, "id": "22222222-2222-4222-8222-222222222222", "engagementId": "e2", "name": "Fabric rollout",
        "status": "Active", "substatus": "Accepted", "acceptedDateTime": "2026-11-19T10:00:00Z",
        "salesStage": "Develop",
        "details": {"notes": "Data platform", "dealValue": 40000, "currency": "EUR",
                    "closingDateTime": "2027-02-28T00:00:00Z",
                    "requirements": {"solutions": [{"id": "SOL-PC-FABRIC", "name": "Contoso Fabric Kit",
                                                    "type": "Name", "publisherName": "Contoso Partner"}],
                                     "additionalRequirements": {"attributes": [
                                         {"type": "CustomerMarketplaceIntent", "id": "Undecided"}]}}},
    }
    outbound = {
        **common, "id": "33333333-3333-4333-8333-333333333333", "name": "Insights for Contoso",
        "createdDateTime": "2026-11-10T08:00:00Z", "updatedDateTime": "2026-11-10T08:00:00Z",
        "acceptedDateTime": "2026-11-10T08:00:00Z", "status": "Active", "substatus": "Accepted",
        "type": "Independent", "direction": "Outgoing", "salesStage": "Qualify", "customerProfile": customer,
        "consent": {"consentToToShareInfoWithOthers": True, "consentToShareReferralWithMicrosoftSellers": True},
        "details": {"notes": "Analytics on Azure", "dealValue": 30000, "currency": "USD",
                    "closingDateTime": "2027-01-31T00:00:00Z",
                    "requirements": {"solutions": [{"id": "SOL-PC-INSIGHTS", "name": "Contoso Insights",
                                                    "type": "Name", "publisherName": "Contoso Partner",
                                                    "tags": ["Azure IP Co-sell"]}]}},
        "team": team, "inviteContext": {"assistanceRequestCode": "Unknown"},
        "registrationStatus": "None", "registrations": [],
    }
    won = {
        **received, "id": "44444444-4444-4444-8444-444444444444", "engagementId": "e4", "name": "Won analytics",
        "createdDateTime": "2026-10-01T08:00:00Z", "updatedDateTime": "2026-11-15T08:00:00Z",
        "acceptedDateTime": "2026-10-02T08:00:00Z", "closedDateTime": "2026-11-15T08:00:00Z",
        "status": "Closed", "substatus": "Won", "salesStage": "100",
        "details": {"notes": "Signed", "dealValue": 60000, "currency": "USD", "closingDateTime": "2026-11-15T00:00:00Z",
                    "requirements": {"solutions": [{"id": "SOL-PC-VAULT", "name": "Contoso Vault",
                                                    "type": "Name", "publisherName": "Contoso Partner",
                                                    "tags": [{"name": "Azure IP Co-sell"}]}]}},
    }
    doc = {"@odata.context": "https://api.partner.microsoft.com/v1.0/$metadata#referrals", "@odata.count": 4,
           "value": [received, accepted, outbound, won]}
    return json.loads(json.dumps(doc))  # no nested object shared between records


def pc_create_request() -> dict:
    """Microsoft's "create a referral" example (spec §4, CR-2019): a POST body, no id."""
    return {
        "name": "Test Cosell Invite_20", "status": "New", "substatus": "Pending",
        "statusReason": "Customer engagement was a success!", "qualification": "SalesQualified", "type": "Shared",
        "target": [{"type": "SolutionProfile", "id": "SOL-34104-EBB"}],
        "customerProfile": {
            "name": "Contoso Customer Inc",
            "address": {"addressLine1": "One Microsoft Way", "addressLine2": "34", "city": "Redmond",
                        "state": "WA", "postalCode": "98052", "country": "US"},
            "size": "10to50employees",
            "team": [{"contactPreference": {"locale": "en-us", "disableNotifications": False},
                      "firstName": "Sue", "lastName": "Smith", "phoneNumber": "1234567890",
                      "email": "sue.smith@contoso.com"}],
            "ids": []},
        "consent": {"consentToToShareInfoWithOthers": True, "consentToContact": True},
        "details": {
            "notes": "Customer wants field service", "dealValue": 50000, "currency": "USD",
            "closingDateTime": "2018-11-14T00:00:00Z",
            "requirements": {"industries": [{"id": "Manufacturing"}], "products": [{"id": "Dynamics365Enterprise"}],
                             "services": [{"id": "DeploymentOrMigration"}],
                             "solutions": [{"name": "Dynamics 365 for Field Service", "type": "Category",
                                            "id": "Dynamics365forFieldService"}]}},
        "team": [{"contactPreference": {"locale": "en-us", "disableNotifications": False},
                  "firstName": "John", "lastName": "Doe", "phoneNumber": "1231231234",
                  "email": "john.doe@microsoft.com"}],
        "inviteContext": {"notes": "Hi ABC Partner, please help", "invitedBy": {"organizationId": "msft"}},
    }


def add_partner(store, partner_id: str, name: str, mpn_id: str | None = None) -> None:
    from model.store.tables import PartnerRecord

    with store.write() as session:
        if session.get(PartnerRecord, partner_id) is None:
            session.add(PartnerRecord(partner_id=partner_id, name=name, mpn_id=mpn_id))


def record_of(ctx, deal_id: str) -> dict:
    """The exported referral of one stored deal (to change and import back)."""
    return next(r for r in export_doc(ctx)["value"] if r["id"] == deal_id)


def import_one(ctx, *records, **kw):
    return transfer.import_referrals(ctx, dumps(list(records)), **kw)


def key_paths(value, prefix: str = "") -> set[str]:
    """Every key of a JSON value, nested too, as paths (``details.requirements.solutions[0].id``)."""
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            path = f"{prefix}.{k}" if prefix else k
            out.add(path)
            out |= key_paths(v, path)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out |= key_paths(v, f"{prefix}[{i}]")
    return out
