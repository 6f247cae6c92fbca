"""A Partner Center referral (``model.partner_center.shape``) as the rows a deal is stored in.

This is the one mapping from Partner Center's shape to ours (its reverse, for export, is
``model.partner_center.to_referral``); ``Deal`` conversions are composed from it, so what an
import stores and what ``deal_from_referral`` returns cannot drift apart. It works on rows
rather than ``Deal`` values because imports move 100,000 deals at a time and building a
validated ``Deal`` for each would cost more than everything else together.

Catalogue facts (customer tab, federal, MACC; solution flags) are looked up, never taken from
the file (``model.partner_center.facts``); vocabularies are read as API tokens or page labels
(``model.partner_center.labels``); keys cosell does not model are kept (``extras``).
"""
from __future__ import annotations

from datetime import UTC, datetime

from model.domain import stages as stage_table
from model.domain.enums import DealKind, Direction, HelpType, MicrosoftStatus, Status, Substatus
from model.domain.reasons import DECLINE_REASONS, ERROR_REASONS, LOST_REASONS
from model.domain.rules.lifecycle import RESPONSE_WINDOW, sale_type_for
from model.domain.schemas import Deal
from model.domain.stages import Stage, intermediate_for, map_crm_stage
from model.partner_center import facts, labels
from model.partner_center.extras import extract
from model.partner_center.facts import Learned
from model.partner_center.shape import (
    MICROSOFT_ORG, CosellExtension, Consent, Contract, MappingProblem, Member, Referral,
)
from model.partner_center.to_referral import _HISTORY_KEY, iso, rows_to_referral  # noqa: F401 (re-exported)
from model.store.bulk import DealRows, deal_from_rows, deal_rows, derive
from model.store.referral_lookups import Lookups

_ORDER = {s: i for i, s in enumerate(Stage)}


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


def _kind(ext: CosellExtension, solutions: list[dict], attributes: dict) -> DealKind:
    """R2: the extension's kind, else what the record's fields say. Partner role is the services
    marker (R5: required for services co-sell, not shown for IP co-sell); with a co-sell-ready
    solution of our own as well, the deal is both (R2.7)."""
    if ext.kind is not None:
        return ext.kind
    if solutions and all(s["source"] == "assessment" for s in solutions):
        return DealKind.SOLUTION_ASSESSMENT
    own_ip = any(s["source"] == "my_company" and s["cosell_ready"] for s in solutions)
    if "PartnerRole" in attributes:  # R5: partner role is a services co-sell field
        return DealKind.IP_AND_SERVICES if own_ip else DealKind.SERVICES_COSELL
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


_REASONS = {Substatus.DECLINED: DECLINE_REASONS, Substatus.LOST: LOST_REASONS, Substatus.ERROR: ERROR_REASONS}


def _reason(ref: Referral) -> str | None:
    """``statusReason`` in the pick-list's spelling when it names an entry (R8.4, R8.11, R8.13)."""
    allowed = _REASONS.get(ref.substatus)
    return labels.reason(ref.status_reason, allowed) if allowed else ref.status_reason


def _keep_unmapped_ids(values: dict, profile) -> None:
    """External ids the deal does not carry (a customer the catalogue does not know is entered by
    hand, without an account id) stay with the referral's unmapped keys, for the export."""
    lost = [{"profileType": i.profile_type, "id": i.id} for i in profile.ids
            if i.profile_type == "External" and i.id != values["customer_account_id"]]
    if lost:
        extra = values["pc_extra"] = dict(values["pc_extra"] or {})
        customer = extra["customerProfile"] = dict(extra.get("customerProfile") or {})
        customer["ids"] = {"__append__": lost}


def _location(ref: Referral, ext: CosellExtension, location: str | None, default: str | None,
              lookups: Lookups, learned: Learned, create: bool) -> tuple[str, str | None]:
    """(location name, mpnId) of a record: the extension's (an export of ours), ``--location``
    (an override), the location of the record's ``mpnId`` (a new mpnId becomes a location named
    after itself until an admin renames it), or for a create request ``default``."""
    if ext.location:
        return ext.location, None
    if location:
        return location, None
    if ref.mpn_id:
        name = lookups.locations.get(ref.mpn_id) or learned.locations.setdefault(ref.mpn_id, ref.mpn_id)
        return name, ref.mpn_id
    if create and default:
        return default, None
    raise MappingProblem("mpnId", "a deal needs a location (R1.2) and this record has none: no mpnId, no "
                                  "cosell.location (give one for the whole file with --location)")


def referral_to_rows(ref: Referral, *, location: str | None = None, lookups: Lookups | None = None,
                     learned: Learned | None = None, actor: str | None = None, now: datetime | None = None,
                     new_id: str | None = None, default_location: str | None = None,
                     raw: dict | None = None) -> DealRows:
    """The rows of the deal a referral describes; ``MappingProblem`` names the field if it cannot be one.

    Catalogue facts come from ``lookups`` (``model.partner_center.facts``); what the record
    introduces is added to ``learned``. A create request (no id, spec §4) becomes a new
    outbound deal: id ``new_id``, created ``now``, Active/Accepted in stage Created (R8.5).
    ``raw`` is the record as the file has it: its unmapped keys go to ``pc_extra``.
    """
    lookups = lookups if lookups is not None else Lookups()
    learned = learned if learned is not None else Learned()
    ext = ref.cosell or CosellExtension()
    raw_record = ref.cosell is None
    fields = ext.model_fields_set
    create = ref.is_create_request
    if create:
        if new_id is None or now is None:
            raise MappingProblem("id", "a create request needs the import's clock and a new id")
        ref = ref.model_copy(update={"id": new_id, "created_date_time": now, "direction": Direction.OUTBOUND,
                                     "status": Status.ACTIVE, "substatus": Substatus.ACCEPTED,
                                     "accepted_date_time": now, "updated_date_time": now, "sales_stage": None,
                                     "expiration_date_time": None, "closed_date_time": None})
        ext = ext.model_copy(update={"stage": Stage.CREATED, "stages_marked": []})
        fields = fields | {"stage", "stages_marked"}
    inbound = ref.direction is Direction.INBOUND
    attributes = _attributes(ref)
    where, mpn_id = _location(ref, ext, location, default_location, lookups, learned, create)
    tags = ref.details.requirements.solutions if ref.details.requirements else []
    places = {s.id: s.assessment_location for s in ext.solutions or ()}
    solutions = facts.solutions(tags, places, where, lookups, learned, ref.id)
    kind = _kind(ext, solutions, attributes)
    stage, marked = _stages(ref, ext, kind)
    code = ref.invite_context.assistance_request_code if ref.invite_context else None
    help_type = HelpType(code) if code and code != "Unknown" else HelpType.NONE
    consent = ref.consent or Consent()
    share = consent.consent_to_share_referral_with_microsoft_sellers
    if share is None:
        # No explicit answer: a "Shared" referral (spec §2.4, the shared-referral way of the API)
        # is seen by Microsoft sellers, as is one asking Microsoft for help or sent to us.
        share = help_type is not HelpType.NONE or inbound or ref.type == "Shared"
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
    profile = ref.customer_profile
    customer = facts.customer(profile, lookups, learned, ref.id)
    address = profile.address
    closing = _utc(ref.details.closing_date_time)
    role = attributes.get("PartnerRole")
    values = {
        "id": ref.id, "version": ext.version or 1, "name": ref.name, "direction": ref.direction.value,
        "kind": kind.value, "sale_type": sale_type.value if sale_type else None, "status": ref.status.value,
        "substatus": ref.substatus.value, "stage": stage.value, "stages_marked": [s.value for s in marked],
        "location": where, "customer_name": profile.name, **customer,
        "customer_city": address.city if address else None, "customer_country": address.country if address else None,
        "customer_contacts": [{"name": _name(m, raw_record), "phone": m.phone_number or "", "email": m.email or ""}
                              for m in profile.team],
        "customer_consent": bool(consent.consent_to_to_share_info_with_others),
        "value": ref.details.deal_value, "currency": ref.details.currency,
        "close_date": closing.date() if closing else None, "crm_id": ref.external_reference_id,
        "campaign_id": ref.campaign_id, "partner_role": role,
        "partner_program": labels.free_text("PartnerProgram", attributes.get("PartnerProgram") or ext.partner_program),
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
        "status_reason": _reason(ref), "favorite": ref.favorite, "solutions": solutions,
        "invitations": invitations, "registration": _registration(ref), "engagement_id": ref.engagement_id,
        "updated_by": actor, "mpn_id": mpn_id,
        "pc_extra": extract(raw) if raw else None,  # (the cosell extension is ours, not an extra)
    }
    _keep_unmapped_ids(values, profile)
    companies = ext.team_company or ()
    team = [{"deal_id": ref.id, "position": i, "name": _name(m, raw_record), "phone": m.phone_number or "",
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


def deal_from_referral(ref: Referral, *, location: str | None = None, lookups: Lookups | None = None) -> Deal:
    return deal_from_rows(referral_to_rows(ref, location=location, lookups=lookups))
