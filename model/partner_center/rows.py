"""A referral (``model.partner_center.shape``) to the rows a deal is stored in, and back.

This is the one mapping between Partner Center's shape and ours; ``Deal`` conversions are
composed from it (``deal_rows`` / ``deal_from_rows`` of ``model.store.bulk``), so what an
import stores and what ``deal_from_referral`` returns cannot drift apart. It works on rows
rather than ``Deal`` values because imports and exports move 100,000 deals at a time and
building a validated ``Deal`` for each would cost more than everything else together.

Where the fields go: see the module docstring of ``model.partner_center.shape``. The export omits
what is empty or what import derives to the same value anyway (a field left out of
``"cosell"`` is derived as for a plain Partner Center record), which keeps files small.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from model.domain import stages as stage_table
from model.domain.enums import (
    AccountMatch, AccountTab, DealKind, Direction, HelpType, MicrosoftStatus, SaleType,
    SolutionSource, Substatus,
)
from model.partner_center.shape import (
    EXTENSION, MICROSOFT_ORG, CosellExtension, Consent, Contract, CustomerExt, MappingProblem, Member,
    Referral,
)
from model.domain.rules.lifecycle import RESPONSE_WINDOW, sale_type_for
from model.domain.schemas import Deal
from model.domain.stages import Stage, intermediate_for, map_crm_stage
from model.store.bulk import DealRows, deal_from_rows, deal_rows, derive

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
    out[EXTENSION] = ext
    return out


# -- referral -> rows -------------------------------------------------------------------------

def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _name(member: Member, raw: bool) -> str:
    first = member.first_name or ""
    name = first if member.last_name is None else f"{first} {member.last_name}"
    return name.strip() if raw else name


def _attributes(ref: Referral) -> dict[str, str]:
    req = ref.details.requirements
    if req is None or req.additional_requirements is None:
        return {}
    out: dict[str, str] = {}
    for attr in req.additional_requirements.attributes:
        out.setdefault(attr.type, attr.id)
    return out


def _map_stage(value, kind: DealKind, inbound: bool) -> Stage:
    """R8.10 for ``salesStage``; a percentage on an assessment deal maps onto the assessment stages."""
    stage = map_crm_stage(value, inbound=inbound)
    if kind is DealKind.SOLUTION_ASSESSMENT and stage in stage_table.SALES_INTERMEDIATE + (Stage.ACCEPTED,):
        text = str(value).strip().rstrip("%").strip()
        try:
            pct = float(text)
        except ValueError:
            pct = stage_table.percent(stage)
        best = Stage.CREATED
        for info in stage_table.ASSESSMENT_STAGES:
            if info.stage is not Stage.WON and info.percent <= pct:
                best = info.stage
        return best
    return stage


def _stages(ref: Referral, ext: CosellExtension, kind: DealKind) -> tuple[Stage, list[Stage]]:
    inbound = ref.direction is Direction.INBOUND
    is_sa = kind is DealKind.SOLUTION_ASSESSMENT
    entry = Stage.ACCEPTED if inbound and not is_sa else Stage.CREATED
    given = ref.sales_stage is not None and str(ref.sales_stage).strip() != ""
    if given:
        try:
            stage = _map_stage(ref.sales_stage, kind, inbound)  # R8.10
        except ValueError as exc:
            raise MappingProblem("salesStage", str(exc)) from None
        # A percentage alone cannot tell Created from Accepted, or Proposed from Assessing.
        if ext.stage is not None and stage_table.percent(ext.stage) == stage_table.percent(stage):
            stage = ext.stage
    else:
        stage = ext.stage or (Stage.WON if ref.substatus is Substatus.WON else entry)
    track = stage_table.stages_for(is_sa)
    if all(info.stage is not stage for info in track):
        names = ", ".join(info.stage.value for info in track)
        raise MappingProblem("salesStage", f"{stage.value} is not a stage of a {kind.label.lower()} deal ({names})")
    intermediate = intermediate_for(is_sa)
    if ext.stages_marked is not None:
        marked = list(ext.stages_marked)
        stray = [s.value for s in marked if s not in intermediate]
        if stray:
            raise MappingProblem("cosell.stages_marked",
                                 f"{', '.join(stray)} cannot be marked on a {kind.label.lower()} deal "
                                 f"(its stages: {', '.join(s.value for s in intermediate)})")
    else:  # a plain Partner Center record: the stage reached implies the ones before it
        marked = [s for s in intermediate if _ORDER[s] <= _ORDER[stage]]
    if stage is Stage.WON:
        missing = [s.value for s in intermediate if s not in marked]
        if missing:
            raise MappingProblem("cosell.stages_marked",
                                 f"a won deal has every earlier stage marked (R8.9); not marked: {', '.join(missing)}")
    return stage, marked


def _deal_solutions(ref: Referral, ext: CosellExtension, flags: dict[str, dict] | None) -> list[dict]:
    tags = ref.details.requirements.solutions if ref.details.requirements else []
    by_id = {s.id: s for s in ext.solutions} if ext.solutions else {}
    out = []
    for tag in tags:
        e = by_id.get(tag.id)
        if e is not None:
            row = {"source": (e.source or SolutionSource.MY_COMPANY).value, "macc_eligible": e.macc_eligible,
                   "incentivized": e.incentivized,
                   "registration_kind": e.registration_kind.value if e.registration_kind else None,
                   "cosell_ready": e.cosell_ready, "assessment_location": e.assessment_location}
        elif flags and tag.id in flags:  # a catalogued solution: its flags come from the catalogue
            row = dict(flags[tag.id])
        else:
            row = {"source": "third_party" if tag.solution_type == "3P" else "my_company", "macc_eligible": False,
                   "incentivized": False, "registration_kind": None, "cosell_ready": True,
                   "assessment_location": None}
        out.append({"solution_id": tag.id, "name": tag.name, "publisher": tag.publisher_name or "", **row})
    return out


def _kind(ext: CosellExtension, solutions: list[dict], attributes: dict) -> DealKind:
    if ext.kind is not None:
        return ext.kind
    if solutions and all(s["source"] == "assessment" for s in solutions):
        return DealKind.SOLUTION_ASSESSMENT
    if "PartnerRole" in attributes:
        return DealKind.SERVICES_COSELL  # R5: partner role is a services co-sell field
    return DealKind.IP_COSELL


def _registration(ref: Referral) -> dict:
    status = ref.registration_status.value if ref.registration_status else "None"
    out = {"status": status, "submitted_at": None, "updated_at": None, "message": None,
           "contract_value": None, "currency": None}
    if ref.registrations:
        reg = ref.registrations[0]
        status = ref.registration_status.value if ref.registration_status else (
            reg.status.value if reg.status else "None")
        key = _HISTORY_KEY.get(status)
        contract = reg.contract or Contract()
        updated = reg.status_history.get(key) if key else None
        out.update(status=status, submitted_at=iso(_utc(reg.registration_date_time)), updated_at=iso(_utc(updated)),
                   message=reg.status_reason, currency=contract.currency,
                   contract_value=None if contract.value is None else str(contract.value))
    return out


def referral_to_rows(ref: Referral, *, location: str | None = None,
                     solution_flags: dict[str, dict] | None = None, actor: str | None = None) -> DealRows:
    """The rows of the deal a referral describes; ``MappingProblem`` names the field if it cannot be one."""
    ext = ref.cosell or CosellExtension()
    raw = ref.cosell is None
    fields = ext.model_fields_set
    inbound = ref.direction is Direction.INBOUND
    attributes = _attributes(ref)
    solutions = _deal_solutions(ref, ext, solution_flags)
    kind = _kind(ext, solutions, attributes)
    stage, marked = _stages(ref, ext, kind)
    where = ext.location or location
    if not where:
        raise MappingProblem("cosell.location", "a deal needs a location (R1.2) and this record has none "
                                                "(give one for the whole file with --location)")
    code = ref.invite_context.assistance_request_code if ref.invite_context else None
    help_type = HelpType(code) if code and code != "Unknown" else HelpType.NONE
    consent = ref.consent or Consent()
    share = consent.consent_to_share_referral_with_microsoft_sellers
    share = (help_type is not HelpType.NONE or inbound) if share is None else share
    invitations = [i.model_dump(mode="json") for i in ext.invitations] if ext.invitations else []
    if "sale_type" in fields or kind is DealKind.SOLUTION_ASSESSMENT:
        sale_type = ext.sale_type
    else:
        partners = any(not i["is_microsoft"] for i in invitations)
        sale_type = sale_type_for(help_type, share, partners, kind)
    invited_by = ref.invite_context.invited_by if ref.invite_context else None
    from_microsoft = bool(invited_by and (invited_by.organization_id or "").lower() == MICROSOFT_ORG)
    if ext.microsoft_status is not None:
        ms_status = ext.microsoft_status
    elif from_microsoft:
        ms_status = MicrosoftStatus.ACCEPTED  # a Microsoft seller sent it: Microsoft is on the deal
    elif help_type is not HelpType.NONE:
        ms_status = MicrosoftStatus.INVITED
    else:
        ms_status = MicrosoftStatus.NOT_INVITED
    created = _utc(ref.created_date_time)
    received = _utc(ext.received_at) if "received_at" in fields else (created if inbound else None)
    expires = _utc(ref.expiration_date_time)
    if expires is None and inbound and ref.substatus in (Substatus.RECEIVED, Substatus.PENDING):
        expires = (received or created) + RESPONSE_WINDOW  # R8.2
    cext = ext.customer or CustomerExt()
    profile = ref.customer_profile
    external = [i.id for i in profile.ids if i.profile_type == "External"]
    duns = [i.id for i in profile.ids if i.profile_type == "Duns"]
    address = profile.address
    closing = _utc(ref.details.closing_date_time)
    role = attributes.get("PartnerRole")
    values = {
        "id": ref.id, "version": ext.version or 1, "name": ref.name, "direction": ref.direction.value,
        "kind": kind.value, "sale_type": sale_type.value if sale_type else None, "status": ref.status.value,
        "substatus": ref.substatus.value, "stage": stage.value, "stages_marked": [s.value for s in marked],
        "location": where, "customer_name": profile.name,
        "customer_account_id": external[0] if external else None, "customer_duns": duns[0] if duns else None,
        "customer_source": (cext.source or (AccountTab.OTHER if duns else AccountTab.MANUAL)).value,
        "customer_match": (cext.match or AccountMatch.NOT_MATCHED).value,
        "customer_city": address.city if address else None, "customer_country": address.country if address else None,
        "customer_macc": cext.macc, "customer_federal": cext.federal,
        "customer_contacts": [{"name": _name(m, raw), "phone": m.phone_number or "", "email": m.email or ""}
                              for m in profile.team],
        "customer_consent": bool(consent.consent_to_to_share_info_with_others),
        "value": ref.details.deal_value, "currency": ref.details.currency,
        "close_date": closing.date() if closing else None, "crm_id": ref.external_reference_id,
        "campaign_id": ref.campaign_id, "partner_role": role, "partner_program": ext.partner_program,
        "solution_area": attributes.get("SolutionArea"), "solution_play": attributes.get("SolutionPlay"),
        "marketplace_intent": attributes.get("CustomerMarketplaceIntent"), "help_type": help_type.value,
        "share_with_microsoft": share, "microsoft_status": ms_status.value,
        "microsoft_invited_at": _utc(ext.microsoft_invited_at),
        "microsoft_responded_at": _utc(ext.microsoft_responded_at),
        "sender_name": invited_by.organization_name if invited_by else None, "sender_email": ext.sender_email,
        "sender_is_microsoft": from_microsoft,
        "owns_customer_contract": True if ext.owns_customer_contract is None else ext.owns_customer_contract,
        "created_at": created, "updated_at": _utc(ref.updated_date_time) or created, "received_at": received,
        "expires_at": expires, "accepted_at": _utc(ref.accepted_date_time), "closed_at": _utc(ref.closed_date_time),
        "status_reason": ref.status_reason, "favorite": ref.favorite, "solutions": solutions,
        "invitations": invitations, "registration": _registration(ref), "engagement_id": ref.engagement_id,
        "updated_by": actor,
    }
    companies = ext.team_company or ()
    team = [{"deal_id": ref.id, "position": i, "name": _name(m, raw), "phone": m.phone_number or "",
             "email": m.email or "", "email_lc": (m.email or "").strip().lower(),
             "company": companies[i] if i < len(companies) else None} for i, m in enumerate(ref.team)]
    if ext.notes is not None:
        notes = [{"deal_id": ref.id, "at": _utc(n.at), "author": n.author, "text": n.text} for n in ext.notes]
    else:
        author = (invited_by.organization_name if invited_by else None) or "Partner Center"
        texts = [t for t in ((ref.invite_context.notes if ref.invite_context else None), ref.details.notes) if t]
        notes = [{"deal_id": ref.id, "at": created, "author": author, "text": t} for t in texts]
    derive(values, (n["text"] for n in notes))
    return DealRows(values, team, notes)


# -- Deal <-> referral, composed from the two ------------------------------------------------

def referral_from_deal(deal: Deal) -> dict:
    return rows_to_referral(deal_rows(deal))


def deal_from_referral(ref: Referral, *, location: str | None = None,
                       solution_flags: dict[str, dict] | None = None) -> Deal:
    return deal_from_rows(referral_to_rows(ref, location=location, solution_flags=solution_flags))
