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

Vocabularies are read as API tokens or as the labels Partner Center's pages show
(``model.partner_center.labels``: "Deployment services" is ``DeploymentServices``). A record
without ``id`` (and without ``createdDateTime`` and ``direction``) is a create request, a POST
body as in Microsoft's "create a referral" example (spec §4). ``mpnId`` names the location.

The extension's ``customer`` and ``solutions[*]`` flags are still read (a file of ours has them)
but never believed: catalogue facts are looked up (``model.partner_center.facts``).

Here: the pydantic models (types and vocabularies). Reading a file, with every problem named
by record and field, is ``model.partner_center.parse``. The mapping from a referral to a
stored deal is ``model.partner_center.rows``, back is ``model.partner_center.to_referral``;
the keys cosell does not model are ``model.partner_center.extras``. ``model.services.transfer``
checks what needs the database and writes.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from model.domain.enums import (
    AccountMatch, AccountTab, DealKind, Direction, HelpType, MicrosoftStatus, RegistrationKind, RegistrationStatus,
    SaleType, SolutionSource, Status, Substatus, TERMINAL_SUBSTATUSES,
)
from model.domain.rules.fx import CURRENCY, known_currencies
from model.domain.schemas import Invitation, Note
from model.domain.stages import Stage
from model.partner_center import labels

from model.partner_center.names import EXTENSION, MICROSOFT_ORG  # noqa: E402,F401  (re-exported)

# Which substatuses each status allows (spec §2.1); Engaged arrives as Accepted.
_STATUS_SUBSTATUSES = {
    Status.NEW: {Substatus.PENDING, Substatus.RECEIVED},
    Status.ACTIVE: {Substatus.ACCEPTED},
    Status.CLOSED: set(TERMINAL_SUBSTATUSES),
}
_KNOWN_CURRENCIES = frozenset(known_currencies())


def _check_currency(value: str | None) -> str | None:
    if value is None:
        return None
    if not CURRENCY.match(value):
        raise ValueError(f"currency must be a 3-letter ISO code like USD (got {value!r})")
    if value not in _KNOWN_CURRENCIES:
        raise ValueError(f"unknown currency {value!r}; known: {', '.join(known_currencies())}")
    return value


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


class TagRef(_PC):
    id: str | None = None
    name: str | None = None


class SolutionTag(_PC):
    """``requirements.solutions[]``. ``tags`` (strings, or ``{"id"|"name": ...}`` objects) are
    Partner Center's incentive tags ("Azure IP Co-sell", "Business Applications Premium"...):
    what a solution the catalogue does not know is catalogued from (``model.partner_center.facts``)."""

    id: str = Field(min_length=1, max_length=64)
    name: str = ""
    type: str | None = None
    publisher_name: str | None = None
    solution_type: str | None = None
    tags: list[str | TagRef] = Field(default_factory=list)

    @property
    def tag_names(self) -> list[str]:
        return [t if isinstance(t, str) else (t.name or t.id or "") for t in self.tags]


class Attribute(_PC):
    """``additionalRequirements.attributes[]``: where services co-sell fields and marketplace intent live."""

    type: str
    id: str

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> Any:
        return labels.attribute_type(value)

    @model_validator(mode="after")
    def _known_value(self) -> Attribute:
        # API token or the label the pages show ("Deployment services", "Undecided"): one normalisation.
        try:
            self.id = labels.attribute_value(self.type, self.id)
        except ValueError as exc:
            raise ValueError(f"{self.type} {exc}") from None
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

    @field_validator("assistance_request_code", mode="before")
    @classmethod
    def _help(cls, value: Any) -> Any:
        # "Unknown" (the API's no-help) and labels ("Proof of concept or demo") alike.
        return None if value is None else labels.token(HelpType, value)


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

    id: str | None = Field(default=None, min_length=1, max_length=36)  # None: a create request (spec §4)
    engagement_id: str | None = None
    name: str = Field(min_length=1, max_length=300)
    external_reference_id: str | None = None
    campaign_id: str | None = None
    created_date_time: datetime | None = None
    updated_date_time: datetime | None = None
    expiration_date_time: datetime | None = None
    accepted_date_time: datetime | None = None
    closed_date_time: datetime | None = None
    status: Status
    substatus: Substatus
    status_reason: str | None = None
    type: Literal["Independent", "Shared"] | None = None
    direction: Direction | None = None
    mpn_id: str | None = Field(default=None, min_length=1, max_length=32)  # the location (R1.2)
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
    cosell: CosellExtension | None = None

    @field_validator("substatus", mode="before")
    @classmethod
    def _engaged(cls, value: Any) -> Any:
        # "Engaged" (spec §2.1, unverified) is Partner Center's active-with-Microsoft: our Accepted.
        if isinstance(value, str) and labels.key(value) == "engaged":
            return Substatus.ACCEPTED.value
        return labels.token(Substatus, value) if isinstance(value, str) else value

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        return labels.token(Status, value) if isinstance(value, str) else value

    @field_validator("direction", mode="before")
    @classmethod
    def _direction(cls, value: Any) -> Any:
        return labels.token(Direction, value) if isinstance(value, str) else value

    @field_validator("mpn_id", mode="before")
    @classmethod
    def _mpn(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @property
    def is_create_request(self) -> bool:
        """Spec §4: a POST body (no id, no createdDateTime, no direction) asks for a new outbound deal."""
        return self.id is None

    @model_validator(mode="after")
    def _consistent(self) -> Referral:
        if self.id is None:
            given = [n for n, v in (("createdDateTime", self.created_date_time), ("direction", self.direction))
                     if v is not None]
            if given:
                raise ValueError(f"id is required: a record with {' and '.join(given)} is a stored referral; "
                                 "only a create request (no id, createdDateTime or direction) leaves it out")
            return self  # its status is Partner Center's to set: Active/Accepted (R8.5)
        for name, value in (("createdDateTime", self.created_date_time), ("direction", self.direction)):
            if value is None:
                raise ValueError(f"{name} is required for a referral with an id")
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
    """The list envelope (``{"value": [...], "@odata.count": N}``); ``items`` is accepted too,
    but not both: a file with two lists is ambiguous and refused (``parse.parse_referrals``)."""

    model_config = ConfigDict(extra="ignore")

    value: list[Referral] | None = None
    items: list[Referral] | None = None


class MappingProblem(ValueError):
    """A referral that is well-typed but cannot become a deal; ``field`` names where."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
