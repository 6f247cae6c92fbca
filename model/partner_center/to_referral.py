"""A stored deal's rows (``model.store.bulk.DealRows``) as a Partner Center referral: the export side.

Where the fields go: see ``model.partner_center.shape``. The export omits what is empty or
what import derives to the same value anyway, which keeps files small; the referral keys cosell
does not model, kept at import in ``deals.pc_extra``, are merged back in
(``model.partner_center.extras``), so a Partner Center record comes back with every key it had.
``mpnId`` is the deal's location identity when it came from Partner Center (R1.2).
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from model.domain import stages as stage_table
from model.domain.enums import SaleType
from model.domain.stages import Stage
from model.partner_center.extras import merge
from model.partner_center.names import EXTENSION, MICROSOFT_ORG
from model.store.bulk import DealRows

_HISTORY_KEY = {"ReviewPending": "reviewPendingDateTime", "ActionRequired": "actionRequiredDateTime",
                "Approved": "approvedDateTime", "Rejected": "failedDateTime"}
_PERCENT = {s.value: stage_table.percent(s) for s in Stage}
_SHARED = {SaleType.CO_SELL.value, SaleType.P2P.value}
_ORDER = {s: i for i, s in enumerate(Stage)}


def iso(value: datetime | str | None) -> str | None:
    """UTC instants as the API writes them: ``2026-11-20T09:00:00Z`` (microseconds only if any).

    Also takes SQLite's stored text, ``2026-11-20 09:00:00.000000`` (always UTC; see
    ``bulk.stream(text_times=True)``), and gives what the ``datetime`` would.
    """
    if value is None:
        return None
    if isinstance(value, str):
        micro = value[20:26]
        return f"{value[:10]}T{value[11:19]}{'.' + micro if micro.strip('0') else ''}Z"
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC) if value.tzinfo is not None else value
    return value.replace(tzinfo=None).isoformat() + "Z"


def _number(value) -> int | float | None:
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _member(name: str, phone: str, email: str) -> dict:
    first, sep, last = name.partition(" ")
    out = {"firstName": first, "phoneNumber": phone, "email": email}
    if sep:
        out["lastName"] = last
    return out


# -- rows -> referral -------------------------------------------------------------------------

def _solutions(stored: list[dict]) -> tuple[list[dict], list[dict]]:
    tags, flags = [], []
    for s in stored:
        tag = {"id": s["solution_id"], "name": s["name"], "type": "Name", "publisherName": s["publisher"]}
        if s["source"] == "third_party":
            tag["solutionType"] = "3P"
        tags.append(tag)
        flag = {"id": s["solution_id"], "source": s["source"]}
        if s["macc_eligible"]:
            flag["macc_eligible"] = True
        if s["incentivized"]:
            flag["incentivized"] = True
        if s["registration_kind"]:
            flag["registration_kind"] = s["registration_kind"]
        if not s["cosell_ready"]:
            flag["cosell_ready"] = False
        if s["assessment_location"]:
            flag["assessment_location"] = s["assessment_location"]
        flags.append(flag)
    return tags, flags


def _registrations(reg: dict | None) -> list[dict]:
    if not reg or not any(v is not None for k, v in reg.items() if k != "status") and reg["status"] == "None":
        return []
    item = {"status": reg["status"], "type": "AzureIPCoSell"}
    if reg.get("submitted_at"):
        item["registrationDateTime"] = reg["submitted_at"]
    if reg.get("message") is not None:
        item["statusReason"] = reg["message"]
    contract = {k: v for k, v in (("value", _number(reg.get("contract_value"))), ("currency", reg.get("currency")))
                if v is not None}
    if contract:
        item["contract"] = contract
    key = _HISTORY_KEY.get(reg["status"])
    if key and reg.get("updated_at"):
        item["statusHistory"] = {key: reg["updated_at"]}
    return [item]


def rows_to_referral(rows: DealRows) -> dict:
    """The referral dict (JSON-ready) of a stored deal."""
    r = rows.deal
    inbound = r["direction"] == "Incoming"
    ids = []
    if r["customer_account_id"]:
        ids.append({"profileType": "External", "id": r["customer_account_id"]})
    if r["customer_duns"]:
        ids.append({"profileType": "Duns", "id": r["customer_duns"]})
    profile = {"name": r["customer_name"], "isMatchingComplete": r["customer_match"] != "not_matched"}
    if r["customer_city"] is not None or r["customer_country"] is not None:
        profile["address"] = {k: v for k, v in (("city", r["customer_city"]), ("country", r["customer_country"]))
                              if v is not None}
    if ids:
        profile["ids"] = ids
    if r["customer_contacts"]:
        profile["team"] = [_member(c["name"], c["phone"], c["email"]) for c in r["customer_contacts"]]
    attributes = [{"type": t, "id": r[k]} for t, k in (
        ("CustomerMarketplaceIntent", "marketplace_intent"), ("PartnerRole", "partner_role"),
        ("SolutionArea", "solution_area"), ("SolutionPlay", "solution_play")) if r[k] is not None]
    tags, flags = _solutions(r["solutions"] or [])
    details = {"dealValue": _number(r["value"]), "currency": r["currency"]}
    if r["close_date"] is not None:
        day = r["close_date"]
        details["closingDateTime"] = (day if isinstance(day, str) else day.isoformat()) + "T00:00:00Z"
    if rows.notes:
        details["notes"] = rows.notes[-1]["text"]
    requirements = {}
    if tags:
        requirements["solutions"] = tags
    if attributes:
        requirements["additionalRequirements"] = {"attributes": attributes}
    if requirements:
        details["requirements"] = requirements
    invite = {"assistanceRequestCode": "Unknown" if r["help_type"] == "None" else r["help_type"]}
    if r["sender_name"] is not None or r["sender_is_microsoft"]:
        invite["invitedBy"] = {"organizationId": MICROSOFT_ORG if r["sender_is_microsoft"] else None,
                               "organizationName": r["sender_name"]}
    customer_ext = {"source": r["customer_source"]}
    if r["customer_match"] != "not_matched":
        customer_ext["match"] = r["customer_match"]
    if r["customer_macc"]:
        customer_ext["macc"] = True
    if r["customer_federal"]:
        customer_ext["federal"] = True
    ext = {"version": r["version"], "kind": r["kind"], "stage": r["stage"], "stages_marked": r["stages_marked"] or [],
           "location": r["location"], "customer": customer_ext, "microsoft_status": r["microsoft_status"]}
    if r["sale_type"] is not None:
        ext["sale_type"] = r["sale_type"]
    for key in ("partner_program", "sender_email"):
        if r[key] is not None:
            ext[key] = r[key]
    for key in ("microsoft_invited_at", "microsoft_responded_at"):
        if r[key] is not None:
            ext[key] = iso(r[key])
    if not r["owns_customer_contract"]:
        ext["owns_customer_contract"] = False
    if r["received_at"] != (r["created_at"] if inbound else None):  # (text or datetimes alike)
        ext["received_at"] = iso(r["received_at"])
    if any(t["company"] is not None for t in rows.team):
        ext["team_company"] = [t["company"] for t in rows.team]
    if flags:
        ext["solutions"] = flags
    if r["invitations"]:
        ext["invitations"] = r["invitations"]
    ext["notes"] = [{"at": iso(n["at"]), "author": n["author"], "text": n["text"]} for n in rows.notes]
    out = {"id": r["id"], "name": r["name"], "createdDateTime": iso(r["created_at"]),
           "updatedDateTime": iso(r["updated_at"]), "status": r["status"], "substatus": r["substatus"],
           "direction": r["direction"], "type": "Shared" if r["sale_type"] in _SHARED else "Independent",
           "salesStage": str(_PERCENT[r["stage"]]), "favorite": bool(r["favorite"]), "eTag": f'"{r["version"]}"'}
    for key, column in (("engagementId", "engagement_id"), ("externalReferenceId", "crm_id"),
                        ("campaignId", "campaign_id"), ("statusReason", "status_reason")):
        if r[column] is not None:
            out[key] = r[column]
    for key, column in (("expirationDateTime", "expires_at"), ("acceptedDateTime", "accepted_at"),
                        ("closedDateTime", "closed_at")):
        if r[column] is not None:
            out[key] = iso(r[column])
    out["customerProfile"] = profile
    out["consent"] = {"consentToToShareInfoWithOthers": bool(r["customer_consent"]),
                      "consentToShareReferralWithMicrosoftSellers": bool(r["share_with_microsoft"])}
    out["details"] = details
    out["team"] = [_member(t["name"], t["phone"], t["email"]) for t in rows.team]
    out["inviteContext"] = invite
    out["registrationStatus"] = (r["registration"] or {}).get("status", "None")
    registrations = _registrations(r["registration"])
    if registrations:
        out["registrations"] = registrations
    if r.get("mpn_id"):
        out["mpnId"] = r["mpn_id"]
    out[EXTENSION] = ext
    return merge(out, r.get("pc_extra"))


