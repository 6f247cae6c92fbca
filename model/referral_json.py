"""Partner Center's referral JSON, and how a ``Deal`` is written in it and read back.

Field names are the API's (``/work/shared/spec/referral-json.md``): camelCase,
``customerProfile``, ``details.dealValue``, ``inviteContext.invitedBy``... A deal
has more than a referral says (its kind, location, marked stages, the notes
log, invitations, Microsoft's side); each extra goes where Partner Center
keeps such a thing if it has a place for it (partner role, solution area and
play, marketplace intent are ``details.requirements.additionalRequirements.
attributes``), and everything else under one extension object ``"cosell"``
keyed by the ``Deal`` field names. So an export imports back to the very same
``Deal``, while a plain Partner Center file (no ``"cosell"``) still imports:
what it lacks is derived the way the rules derive it (sale type from R7, the
entry stage from R8.5, 14 days to answer from R8.2).

The pydantic models check types and vocabularies only; ``model.services.transfer``
checks what needs the database (known ids, terminal deals, R1.2's location).
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import (
    AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator,
)
from pydantic.alias_generators import to_camel

from model import stages as stage_table
from model.enums import (
    AccountMatch, AccountTab, DealKind, Direction, HelpType, MarketplaceIntent, MicrosoftStatus,
    PartnerRole, RegistrationKind, RegistrationStatus, SaleType, SolutionSource, Status, Substatus,
    TERMINAL_SUBSTATUSES,
)
from model.rules.fx import CURRENCY, known_currencies
from model.rules.lifecycle import RESPONSE_WINDOW, sale_type_for
from model.schemas import (
    Customer, CustomerContact, Deal, DealSolution, Invitation, Note, Person, Registration,
)
from model.stages import Stage, intermediate_for, map_crm_stage

MICROSOFT_ORG = "msft"
EXTENSION = "cosell"

# Which substatuses each status allows (spec §2.1); Engaged arrives as Accepted.
_STATUS_SUBSTATUSES = {
    Status.NEW: {Substatus.PENDING, Substatus.RECEIVED},
    Status.ACTIVE: {Substatus.ACCEPTED},
    Status.CLOSED: set(TERMINAL_SUBSTATUSES),
}
# registrations[].statusHistory key that dates each registration status (spec §1.7).
_HISTORY_KEY = {
    RegistrationStatus.REVIEW_PENDING: "reviewPendingDateTime",
    RegistrationStatus.ACTION_REQUIRED: "actionRequiredDateTime",
    RegistrationStatus.APPROVED: "approvedDateTime",
    RegistrationStatus.REJECTED: "failedDateTime",
}


def _check_currency(value: str | None) -> str | None:
    if value is None:
        return None
    if not CURRENCY.match(value):
        raise ValueError(f"currency must be a 3-letter ISO code like USD (got {value!r})")
    if value not in known_currencies():
        raise ValueError(f"unknown currency {value!r}; known: {', '.join(known_currencies())}")
    return value


def construct(cls, values: dict):
    """A model instance from values that are already right (validated upstream, or read back from
    the database), without validating them again: what ``model_construct`` does, minus its
    per-field Python loop, which costs more than the rest of an import. Every field must be given.
    """
    if values.keys() != cls.model_fields.keys():
        missing = cls.model_fields.keys() - values.keys()
        extra = values.keys() - cls.model_fields.keys()
        raise TypeError(f"{cls.__name__}: missing {sorted(missing)}, unexpected {sorted(extra)}")
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


# -- the Partner Center shape ---------------------------------------------------------------

class _PC(BaseModel):
    """Partner Center objects: camelCase on the wire, unknown fields ignored (the API has many)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore",
                              str_strip_whitespace=False)


class Member(_PC):
    """A person on ``team`` or ``customerProfile.team`` (spec §1.4)."""

    first_name: str | None = None
    last_name: str | None = None
    phone_number: str | None = None
    email: str | None = None


class Address(_PC):
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    region: str | None = None


class ProfileId(_PC):
    """``customerProfile.ids[]``: a DUNS number or an External (Microsoft account) id."""

    profile_type: Literal["Duns", "External"]
    id: str = Field(min_length=1)


class CustomerProfile(_PC):
    name: str = Field(min_length=1, max_length=300)
    address: Address | None = None
    ids: list[ProfileId] = Field(default_factory=list)
    team: list[Member] = Field(default_factory=list)
    is_matching_complete: bool | None = None


class Consent(_PC):
    consent_to_to_share_info_with_others: bool | None = None  # sic: the API's doubled "To"
    consent_to_contact: bool | None = None
    consent_to_share_referral_with_microsoft_sellers: bool | None = None
    consent_to_microsoft_to_contact_specific_partners: bool | None = None


class SolutionTag(_PC):
    id: str = Field(min_length=1, max_length=64)
    name: str = ""
    type: str | None = None
    publisher_name: str | None = None
    solution_type: str | None = None


class Attribute(_PC):
    """``additionalRequirements.attributes[]``: where services co-sell fields and marketplace intent live."""

    type: str
    id: str

    @model_validator(mode="after")
    def _known_value(self) -> Attribute:
        vocab = {"PartnerRole": PartnerRole, "CustomerMarketplaceIntent": MarketplaceIntent}.get(self.type)
        if vocab is not None and self.id not in {m.value for m in vocab}:
            raise ValueError(f"{self.type} {self.id!r} is not one of: {', '.join(m.value for m in vocab)}")
        return self


class AdditionalRequirements(_PC):
    attributes: list[Attribute] = Field(default_factory=list)


class Requirements(_PC):
    solutions: list[SolutionTag] = Field(default_factory=list)
    additional_requirements: AdditionalRequirements | None = None


class Details(_PC):
    notes: str | None = None
    deal_value: Decimal = Field(ge=0, max_digits=18, decimal_places=2)
    currency: str
    closing_date_time: datetime | None = None
    requirements: Requirements | None = None

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return _check_currency(value)


class InvitedBy(_PC):
    organization_id: str | None = None
    organization_name: str | None = None


class InviteContext(_PC):
    notes: str | None = None
    invited_by: InvitedBy | None = None
    assistance_request_code: str | None = None

    @field_validator("assistance_request_code")
    @classmethod
    def _help(cls, value: str | None) -> str | None:
        if value is None or value == "Unknown" or value in {m.value for m in HelpType}:
            return value
        raise ValueError(f"{value!r} is not one of: Unknown, {', '.join(m.value for m in HelpType)}")


class Contract(_PC):
    value: Decimal | None = Field(default=None, ge=0, max_digits=18, decimal_places=2)
    currency: str | None = None

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        return _check_currency(value)


class PcRegistration(_PC):
    id: str | None = None
    registration_date_time: datetime | None = None
    status: RegistrationStatus | None = None
    status_reason: str | None = None
    type: str | None = None
    contract: Contract | None = None
    status_history: dict[str, datetime | None] = Field(default_factory=dict)


# -- what Partner Center has no place for ---------------------------------------------------

class _Ext(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CustomerExt(_Ext):
    source: AccountTab | None = None
    match: AccountMatch | None = None
    macc: bool = False
    federal: bool = False


class SolutionExt(_Ext):
    """Catalogue flags of a solution on the deal (R6.5–R6.7, R10.2), keyed by solution id."""

    id: str
    source: SolutionSource | None = None
    macc_eligible: bool = False
    incentivized: bool = False
    registration_kind: RegistrationKind | None = None
    cosell_ready: bool = True
    assessment_location: str | None = None


class CosellExtension(_Ext):
    """``"cosell": {...}``: the deal fields Partner Center does not carry, under their ``Deal`` names."""

    version: int | None = Field(default=None, ge=1)
    kind: DealKind | None = None
    sale_type: SaleType | None = None
    stage: Stage | None = None
    stages_marked: list[Stage] | None = None
    location: str | None = Field(default=None, min_length=1, max_length=80)
    customer: CustomerExt | None = None
    partner_program: str | None = None
    help_type: HelpType | None = None
    microsoft_status: MicrosoftStatus | None = None
    microsoft_invited_at: datetime | None = None
    microsoft_responded_at: datetime | None = None
    sender_email: str | None = None
    owns_customer_contract: bool | None = None
    received_at: datetime | None = None
    team_company: list[str | None] | None = None
    solutions: list[SolutionExt] | None = None
    invitations: list[Invitation] | None = None
    notes: list[Note] | None = None


class Referral(_PC):
    """One referral as the API lists it (spec §1), plus the ``cosell`` extension."""

    id: str = Field(min_length=1, max_length=36)
    engagement_id: str | None = None
    name: str = Field(min_length=1, max_length=300)
    external_reference_id: str | None = None
    campaign_id: str | None = None
    created_date_time: datetime
    updated_date_time: datetime | None = None
    expiration_date_time: datetime | None = None
    accepted_date_time: datetime | None = None
    closed_date_time: datetime | None = None
    status: Status
    substatus: Substatus
    status_reason: str | None = None
    type: Literal["Independent", "Shared"] | None = None
    direction: Direction
    sales_stage: str | int | float | None = None
    favorite: bool = False
    e_tag: str | None = None
    customer_profile: CustomerProfile
    consent: Consent | None = None
    details: Details
    team: list[Member] = Field(default_factory=list)
    invite_context: InviteContext | None = None
    registration_status: RegistrationStatus | None = None
    registrations: list[PcRegistration] = Field(default_factory=list)
    cosell: CosellExtension | None = Field(default=None, validation_alias=AliasChoices("cosell"),
                                           serialization_alias="cosell")

    @field_validator("substatus", mode="before")
    @classmethod
    def _engaged(cls, value: Any) -> Any:
        # "Engaged" (spec §2.1, unverified) is Partner Center's active-with-Microsoft: our Accepted.
        return Substatus.ACCEPTED.value if value == "Engaged" else value

    @field_validator("sales_stage")
    @classmethod
    def _stage_known(cls, value: str | int | float | None) -> str | int | float | None:
        if value is not None and str(value).strip() != "":
            map_crm_stage(value)  # raises ValueError with the reason
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Referral:
        if self.substatus not in _STATUS_SUBSTATUSES[self.status]:
            allowed = ", ".join(sorted(s.value for s in _STATUS_SUBSTATUSES[self.status]))
            raise ValueError(f"substatus {self.substatus.value} does not go with status {self.status.value} "
                             f"(a {self.status.value} referral is {allowed})")
        if self.direction is Direction.OUTBOUND and self.substatus in (
                Substatus.PENDING, Substatus.RECEIVED, Substatus.DECLINED, Substatus.EXPIRED):
            raise ValueError(f"an Outgoing referral cannot be {self.substatus.value}: only inbound deals "
                             "are received, declined or expire (R8.2)")
        return self


class ReferralList(BaseModel):
    """The list envelope (``{"value": [...], "@odata.count": N}``); ``items`` is accepted too."""

    model_config = ConfigDict(extra="ignore")

    value: list[Referral] | None = None
    items: list[Referral] | None = None


# -- Deal -> referral -----------------------------------------------------------------------

def iso(value: datetime | None) -> str | None:
    """UTC instants as the API writes them: ``2026-11-20T09:00:00Z``."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    elif value.utcoffset():
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat() + "Z"


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat() + "T00:00:00Z"


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _member(name: str, phone: str, email: str) -> dict:
    first, sep, last = name.partition(" ")
    return {"firstName": first, "lastName": last if sep else None, "phoneNumber": phone, "email": email}


def sales_stage(stage: Stage) -> str:
    """``salesStage`` as the API returns it: the stage's percentage as a string (spec §5)."""
    return str(stage_table.percent(stage))


def referral_from_deal(deal: Deal) -> dict:
    """The referral dict (JSON-ready) of a deal; ``deal_from_referral`` reads it back unchanged."""
    c = deal.customer
    ids = []
    if c.account_id:
        ids.append({"profileType": "External", "id": c.account_id})
    if c.duns:
        ids.append({"profileType": "Duns", "id": c.duns})
    attributes = []
    if deal.marketplace_intent is not None:
        attributes.append({"type": "CustomerMarketplaceIntent", "id": deal.marketplace_intent.value})
    if deal.partner_role is not None:
        attributes.append({"type": "PartnerRole", "id": deal.partner_role.value})
    if deal.solution_area is not None:
        attributes.append({"type": "SolutionArea", "id": deal.solution_area})
    if deal.solution_play is not None:
        attributes.append({"type": "SolutionPlay", "id": deal.solution_play})
    solutions, solution_ext = [], []
    for s in deal.solutions:
        tag = {"id": s.solution_id, "name": s.name, "type": "Name", "publisherName": s.publisher}
        if s.source is SolutionSource.THIRD_PARTY:
            tag["solutionType"] = "3P"
        solutions.append(tag)
        solution_ext.append({"id": s.solution_id, "source": s.source.value, "macc_eligible": s.macc_eligible,
                             "incentivized": s.incentivized,
                             "registration_kind": s.registration_kind.value if s.registration_kind else None,
                             "cosell_ready": s.cosell_ready, "assessment_location": s.assessment_location})
    invited_by = None
    if deal.sender_name is not None or deal.sender_is_microsoft:
        invited_by = {"organizationId": MICROSOFT_ORG if deal.sender_is_microsoft else None,
                      "organizationName": deal.sender_name}
    reg = deal.registration
    registrations = []
    if reg != _NO_REGISTRATION:
        history_key = _HISTORY_KEY.get(reg.status)
        registrations.append({
            "registrationDateTime": iso(reg.submitted_at), "status": reg.status.value,
            "statusReason": reg.message, "type": "AzureIPCoSell",
            "contract": {"value": _number(reg.contract_value), "currency": reg.currency},
            "statusHistory": {history_key: iso(reg.updated_at)} if history_key else {},
        })
    shared = deal.sale_type in (SaleType.CO_SELL, SaleType.P2P)
    ext = {
        "version": deal.version, "kind": deal.kind.value,
        "sale_type": deal.sale_type.value if deal.sale_type else None,
        "stage": deal.stage.value, "stages_marked": [s.value for s in deal.stages_marked],
        "location": deal.location,
        "customer": {"source": c.source.value, "match": c.match.value, "macc": c.macc, "federal": c.federal},
        "partner_program": deal.partner_program, "help_type": deal.help_type.value,
        "microsoft_status": deal.microsoft_status.value,
        "microsoft_invited_at": iso(deal.microsoft_invited_at),
        "microsoft_responded_at": iso(deal.microsoft_responded_at),
        "sender_email": deal.sender_email, "owns_customer_contract": deal.owns_customer_contract,
        "received_at": iso(deal.received_at),
        "solutions": solution_ext,
        "invitations": [i.model_dump(mode="json") for i in deal.invitations],
        "notes": [{"at": iso(n.at), "author": n.author, "text": n.text} for n in deal.notes],
    }
    if any(p.company is not None for p in deal.team):
        ext["team_company"] = [p.company for p in deal.team]
    return {
        "id": deal.id,
        "engagementId": deal.engagement_id,
        "name": deal.name,
        "externalReferenceId": deal.crm_id,
        "campaignId": deal.campaign_id,
        "createdDateTime": iso(deal.created_at),
        "updatedDateTime": iso(deal.updated_at),
        "expirationDateTime": iso(deal.expires_at),
        "acceptedDateTime": iso(deal.accepted_at),
        "closedDateTime": iso(deal.closed_at),
        "status": deal.status.value,
        "substatus": deal.substatus.value,
        "statusReason": deal.status_reason,
        "type": "Shared" if shared else "Independent",
        "direction": deal.direction.value,
        "salesStage": sales_stage(deal.stage),
        "favorite": deal.favorite,
        "eTag": f'"{deal.version}"',
        "customerProfile": {
            "name": c.name,
            "address": {"city": c.city, "country": c.country},
            "ids": ids,
            "team": [_member(p.name, p.phone, p.email) for p in c.contacts],
            "isMatchingComplete": c.match is not AccountMatch.NOT_MATCHED,
        },
        "consent": {"consentToToShareInfoWithOthers": c.consent_to_share,
                    "consentToShareReferralWithMicrosoftSellers": deal.share_with_microsoft},
        "details": {
            "notes": "\n".join(n.text for n in deal.notes),
            "dealValue": _number(deal.value),
            "currency": deal.currency,
            "closingDateTime": _day(deal.close_date),
            "requirements": {"solutions": solutions, "additionalRequirements": {"attributes": attributes}},
        },
        "team": [_member(p.name, p.phone, p.email) for p in deal.team],
        "inviteContext": {"invitedBy": invited_by,
                          "assistanceRequestCode": deal.help_type.value},
        "registrationStatus": reg.status.value,
        "registrations": registrations,
        EXTENSION: ext,
    }


_NO_REGISTRATION = Registration()


# -- referral -> Deal -----------------------------------------------------------------------

class MappingProblem(ValueError):
    """A referral that is well-typed but cannot become a deal; ``field`` names where."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _name(member: Member, raw: bool) -> str:
    first = member.first_name or ""
    name = first if member.last_name is None else f"{first} {member.last_name}"
    return name.strip() if raw else name


def _attribute(ref: Referral, kind: str) -> str | None:
    req = ref.details.requirements
    if req is None or req.additional_requirements is None:
        return None
    for attr in req.additional_requirements.attributes:
        if attr.type == kind:
            return attr.id
    return None


def _help_type(ref: Referral, ext: CosellExtension) -> HelpType:
    if ext.help_type is not None:
        return ext.help_type
    code = ref.invite_context.assistance_request_code if ref.invite_context else None
    return HelpType(code) if code and code != "Unknown" else HelpType.NONE


def _kind(ref: Referral, ext: CosellExtension, solutions: list[DealSolution]) -> DealKind:
    if ext.kind is not None:
        return ext.kind
    if solutions and all(s.source is SolutionSource.ASSESSMENT for s in solutions):
        return DealKind.SOLUTION_ASSESSMENT
    if _attribute(ref, "PartnerRole") is not None:
        return DealKind.SERVICES_COSELL  # R5: partner role is a services co-sell field
    return DealKind.IP_COSELL


def _map_stage(value, kind: DealKind, inbound: bool) -> Stage:
    """R8.10 for ``salesStage``; a percentage on an assessment deal maps onto the assessment stages."""
    stage = map_crm_stage(value, inbound=inbound)
    if kind is DealKind.SOLUTION_ASSESSMENT and stage in stage_table.SALES_INTERMEDIATE + (Stage.ACCEPTED,):
        pct = stage_table.percent(stage) if not _is_number(value) else float(str(value).strip().rstrip("%"))
        best = Stage.CREATED
        for info in stage_table.ASSESSMENT_STAGES:
            if info.stage is not Stage.WON and info.percent <= pct:
                best = info.stage
        return best
    return stage


def _is_number(value) -> bool:
    try:
        float(str(value).strip().rstrip("%"))
        return True
    except ValueError:
        return False


def _stages(ref: Referral, ext: CosellExtension, kind: DealKind) -> tuple[Stage, list[Stage]]:
    inbound = ref.direction is Direction.INBOUND
    entry = Stage.ACCEPTED if inbound and kind is not DealKind.SOLUTION_ASSESSMENT else Stage.CREATED
    given = ref.sales_stage is not None and str(ref.sales_stage).strip() != ""
    if given:
        stage = _map_stage(ref.sales_stage, kind, inbound)
        # The percentage alone cannot tell Created from Accepted, or Proposed from Assessing.
        if ext.stage is not None and stage_table.percent(ext.stage) == stage_table.percent(stage):
            stage = ext.stage
    else:
        stage = ext.stage or (Stage.WON if ref.substatus is Substatus.WON else entry)
    is_sa = kind is DealKind.SOLUTION_ASSESSMENT
    track = {i.stage for i in stage_table.stages_for(is_sa)}
    if stage not in track:
        names = ", ".join(i.stage.value for i in stage_table.stages_for(is_sa))
        raise MappingProblem("salesStage", f"{stage.value} is not a stage of a {kind.label.lower()} deal ({names})")
    order = list(Stage).index
    intermediate = intermediate_for(is_sa)
    if ext.stages_marked is not None:
        marked = list(ext.stages_marked)
        stray = [s.value for s in marked if s not in intermediate]
        if stray:
            raise MappingProblem("cosell.stages_marked",
                                 f"{', '.join(stray)} cannot be marked on a {kind.label.lower()} deal "
                                 f"(its stages: {', '.join(s.value for s in intermediate)})")
    else:  # a plain Partner Center record: the stage reached implies the ones before it
        marked = [s for s in intermediate if order(s) <= order(stage)]
    if stage is Stage.WON:
        missing = [s.value for s in intermediate if s not in marked]
        if missing:
            raise MappingProblem("cosell.stages_marked",
                                 f"a won deal has every earlier stage marked (R8.9); not marked: {', '.join(missing)}")
    return stage, marked


def _solutions(ref: Referral, ext: CosellExtension, flags: dict[str, dict] | None) -> list[DealSolution]:
    tags = ref.details.requirements.solutions if ref.details.requirements else []
    by_id = {s.id: s for s in (ext.solutions or [])}
    out = []
    for tag in tags:
        e = by_id.get(tag.id)
        if e is not None:
            values = dict(source=e.source or SolutionSource.MY_COMPANY, macc_eligible=e.macc_eligible,
                          incentivized=e.incentivized, registration_kind=e.registration_kind,
                          cosell_ready=e.cosell_ready, assessment_location=e.assessment_location)
        elif flags and tag.id in flags:  # a catalogued solution: its flags come from the catalogue
            values = dict(flags[tag.id])
        else:
            values = dict(source=SolutionSource.THIRD_PARTY if tag.solution_type == "3P" else SolutionSource.MY_COMPANY)
        out.append(DealSolution(solution_id=tag.id, name=tag.name, publisher=tag.publisher_name or "", **values))
    return out


def _registration(ref: Referral) -> Registration:
    status = ref.registration_status or RegistrationStatus.NONE
    if not ref.registrations:
        return Registration(status=status)
    r = ref.registrations[0]
    status = ref.registration_status or r.status or RegistrationStatus.NONE
    key = _HISTORY_KEY.get(status)
    updated = r.status_history.get(key) if key else None
    contract = r.contract or Contract()
    return Registration(status=status, submitted_at=_utc(r.registration_date_time), updated_at=_utc(updated),
                        message=r.status_reason, contract_value=contract.value, currency=contract.currency)


def deal_from_referral(ref: Referral, *, location: str | None = None,
                       solution_flags: dict[str, dict] | None = None) -> Deal:
    """The deal a referral describes. ``location`` is used when the record carries none (R1.2);
    ``solution_flags`` (solution id -> catalogue flags) fills in solutions a plain PC file names.

    Raises ``MappingProblem`` naming the field when the referral cannot be a deal.
    """
    ext = ref.cosell or CosellExtension()
    raw = ref.cosell is None
    inbound = ref.direction is Direction.INBOUND
    solutions = _solutions(ref, ext, solution_flags)
    kind = _kind(ref, ext, solutions)
    stage, marked = _stages(ref, ext, kind)
    where = ext.location or location
    if not where:
        raise MappingProblem("cosell.location", "a deal needs a location (R1.2); this record has none "
                                                "(give one for the whole file with --location)")
    help_type = _help_type(ref, ext)
    consent = ref.consent or Consent()
    share = consent.consent_to_share_referral_with_microsoft_sellers
    share = (help_type is not HelpType.NONE or inbound) if share is None else share
    invitations = list(ext.invitations or [])
    if "sale_type" in ext.model_fields_set:
        sale_type = ext.sale_type
    else:
        sale_type = sale_type_for(help_type, share, any(not i.is_microsoft for i in invitations), kind)
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
    received = _utc(ext.received_at) if "received_at" in ext.model_fields_set else (created if inbound else None)
    expires = _utc(ref.expiration_date_time)
    if expires is None and inbound and ref.substatus in (Substatus.RECEIVED, Substatus.PENDING):
        expires = (received or created) + RESPONSE_WINDOW  # R8.2
    cext = ext.customer or CustomerExt()
    profile = ref.customer_profile
    external = [i.id for i in profile.ids if i.profile_type == "External"]
    duns = [i.id for i in profile.ids if i.profile_type == "Duns"]
    source = cext.source or (AccountTab.OTHER if duns else AccountTab.MANUAL)
    customer = Customer(
        name=profile.name, account_id=external[0] if external else None, duns=duns[0] if duns else None,
        source=source, match=cext.match or AccountMatch.NOT_MATCHED,
        city=profile.address.city if profile.address else None,
        country=profile.address.country if profile.address else None,
        macc=cext.macc, federal=cext.federal,
        contacts=[CustomerContact(name=_name(m, raw), phone=m.phone_number or "", email=m.email or "")
                  for m in profile.team],
        consent_to_share=bool(consent.consent_to_to_share_info_with_others),
    )
    companies = ext.team_company or []
    team = [Person(name=_name(m, raw), phone=m.phone_number or "", email=m.email or "",
                   company=companies[i] if i < len(companies) else None) for i, m in enumerate(ref.team)]
    if ext.notes is not None:
        notes = list(ext.notes)
    else:
        author = (invited_by.organization_name if invited_by else None) or "Partner Center"
        texts = [t for t in ((ref.invite_context.notes if ref.invite_context else None), ref.details.notes) if t]
        notes = [Note(at=created, author=author, text=t) for t in texts]
    try:
        role = _attribute(ref, "PartnerRole")
        intent = _attribute(ref, "CustomerMarketplaceIntent")
        return Deal(
            id=ref.id, version=ext.version or 1, name=ref.name, direction=ref.direction, kind=kind,
            sale_type=sale_type, status=ref.status, substatus=ref.substatus, stage=stage, stages_marked=marked,
            location=where, customer=customer, value=ref.details.deal_value, currency=ref.details.currency,
            close_date=_utc(ref.details.closing_date_time).date() if ref.details.closing_date_time else None,
            crm_id=ref.external_reference_id, campaign_id=ref.campaign_id,
            partner_role=PartnerRole(role) if role else None, partner_program=ext.partner_program,
            solution_area=_attribute(ref, "SolutionArea"), solution_play=_attribute(ref, "SolutionPlay"),
            marketplace_intent=MarketplaceIntent(intent) if intent else None,
            help_type=help_type, share_with_microsoft=share, microsoft_status=ms_status,
            microsoft_invited_at=_utc(ext.microsoft_invited_at), microsoft_responded_at=_utc(ext.microsoft_responded_at),
            sender_name=invited_by.organization_name if invited_by else None,
            sender_email=ext.sender_email, sender_is_microsoft=from_microsoft,
            owns_customer_contract=True if ext.owns_customer_contract is None else ext.owns_customer_contract,
            created_at=created, updated_at=_utc(ref.updated_date_time) or created, received_at=received,
            expires_at=expires, accepted_at=_utc(ref.accepted_date_time), closed_at=_utc(ref.closed_date_time),
            status_reason=ref.status_reason, favorite=ref.favorite, team=team, solutions=solutions,
            invitations=invitations, notes=notes, registration=_registration(ref),
            engagement_id=ref.engagement_id,
        )
    except ValidationError as exc:  # pragma: no cover - the referral models check every field first
        raise MappingProblem(".".join(map(str, exc.errors()[0]["loc"])), exc.errors()[0]["msg"]) from None


__all__ = [
    "Referral", "ReferralList", "CosellExtension", "MappingProblem", "deal_from_referral",
    "referral_from_deal", "iso", "sales_stage", "EXTENSION", "MICROSOFT_ORG",
]
