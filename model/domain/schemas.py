"""What crosses layers: a deal and its parts as plain pydantic values.

Schemas check types only; whether a value is *allowed* is the rules' business
(``model.domain.rules``), which report every unmet rule at once with a message a
person can act on.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from model.domain.enums import (
    AccountMatch, AccountTab, DealKind, Direction, HelpType, InvitationStatus,
    MarketplaceIntent, MicrosoftStatus, PartnerRole, RegistrationKind,
    RegistrationStatus, Role, SaleType, SolutionSource, Status, Substatus, Tab,
    TERMINAL_SUBSTATUSES,
)

#: R8.2: the substatuses of an inbound deal still waiting for an answer.
RECEIVED_SUBSTATUSES = frozenset({Substatus.RECEIVED, Substatus.PENDING})
from model.domain.stages import Stage


class _Model(BaseModel):
    model_config = ConfigDict(use_enum_values=False, validate_assignment=False, defer_build=True)


class Person(_Model):
    """R6.1: a team member needs name, phone and email. ``company`` is set for P2P (R6.3)."""

    name: str = ""
    phone: str = ""
    email: str = ""
    company: str | None = None


class CustomerContact(_Model):
    """R4.10: optional, required only when Microsoft sales is invited."""

    name: str = ""
    phone: str = ""
    email: str = ""


class Customer(_Model):
    name: str
    account_id: str | None = None
    duns: str | None = None
    source: AccountTab = AccountTab.MANUAL
    match: AccountMatch = AccountMatch.NOT_MATCHED
    city: str | None = None
    country: str | None = None
    macc: bool = False
    federal: bool = False
    contacts: list[CustomerContact] = Field(default_factory=list)
    consent_to_share: bool = False

    @property
    def managed(self) -> bool:
        return self.match is AccountMatch.MANAGED


class Account(_Model):
    """A row of the customer-account catalogue (R4.2)."""

    account_id: str
    name: str
    tab: AccountTab
    linked_group: str | None = None
    duns: str | None = None
    city: str | None = None
    country: str | None = None
    macc: bool = False
    federal: bool = False
    parent_name: str | None = None


class Solution(_Model):
    """A catalogue solution (R6.5) with the flags R6.7 and R10.2 look at."""

    solution_id: str
    name: str
    source: SolutionSource
    publisher: str = ""
    macc_eligible: bool = False
    incentivized: bool = False
    registration_kind: RegistrationKind | None = None
    cosell_ready: bool = True


class DealSolution(Solution):
    """A solution on a deal; an assessment also needs its location (R6.6)."""

    assessment_location: str | None = None


class Partner(_Model):
    partner_id: str
    name: str
    mpn_id: str | None = None
    location: str | None = None


class Invitation(_Model):
    """R7.4: one invited partner (or Microsoft) with the invitee's share of the deal."""

    invitation_id: str
    partner_id: str | None = None
    partner_name: str
    mpn_id: str | None = None  # R7.4: from the partner catalogue, with the id and name
    is_microsoft: bool = False
    close_date: date | None = None
    value: Decimal | None = None
    currency: str | None = None
    notes: str = ""
    help_type: HelpType = HelpType.GENERAL
    team: list[Person] = Field(default_factory=list)
    solutions: list[str] = Field(default_factory=list)
    status: InvitationStatus = InvitationStatus.INVITED
    invited_at: datetime | None = None
    responded_at: datetime | None = None


class Note(_Model):
    """R5: notes are an on-the-record log; entries are appended, never edited."""

    at: datetime
    author: str
    text: str


class Registration(_Model):
    """R10.3–R10.4: a deal registration and its validation progress."""

    status: RegistrationStatus = RegistrationStatus.NONE
    submitted_at: datetime | None = None
    updated_at: datetime | None = None
    message: str | None = None
    contract_value: Decimal | None = None
    currency: str | None = None


class Event(_Model):
    """One line of a deal's history: who did what, when, and why."""

    at: datetime
    actor: str
    action: str
    changes: dict = Field(default_factory=dict)
    reason: str | None = None


class Deal(_Model):
    id: str
    version: int = 1
    name: str
    direction: Direction
    kind: DealKind
    sale_type: SaleType | None = None  # None for solution assessments (R7 is not asked)
    status: Status
    substatus: Substatus
    stage: Stage
    stages_marked: list[Stage] = Field(default_factory=list)
    location: str
    customer: Customer
    value: Decimal
    currency: str = "USD"
    close_date: date | None = None
    crm_id: str | None = None
    campaign_id: str | None = None
    partner_role: PartnerRole | None = None
    partner_program: str | None = None
    solution_area: str | None = None
    solution_play: str | None = None
    marketplace_intent: MarketplaceIntent | None = None
    help_type: HelpType = HelpType.NONE
    share_with_microsoft: bool = False
    microsoft_status: MicrosoftStatus = MicrosoftStatus.NOT_INVITED
    microsoft_invited_at: datetime | None = None
    microsoft_responded_at: datetime | None = None
    sender_name: str | None = None
    sender_email: str | None = None
    sender_is_microsoft: bool = False
    owns_customer_contract: bool = True  # R7.6, P2P: only the contract owner registers
    created_at: datetime
    updated_at: datetime
    received_at: datetime | None = None
    expires_at: datetime | None = None
    accepted_at: datetime | None = None
    closed_at: datetime | None = None
    status_reason: str | None = None
    favorite: bool = False
    team: list[Person] = Field(default_factory=list)
    solutions: list[DealSolution] = Field(default_factory=list)
    invitations: list[Invitation] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    registration: Registration = Field(default_factory=Registration)
    engagement_id: str | None = None

    @property
    def is_terminal(self) -> bool:
        """R9.1."""
        return self.substatus in TERMINAL_SUBSTATUSES

    @property
    def is_assessment(self) -> bool:
        return self.kind is DealKind.SOLUTION_ASSESSMENT

    @property
    def is_ip_cosell(self) -> bool:
        """R2.1, R2.7: an IP co-sell deal, alone or together with services."""
        return self.kind.is_ip_cosell

    @property
    def is_services_cosell(self) -> bool:
        """R2.2, R2.7: a services co-sell deal, alone or together with IP."""
        return self.kind.is_services_cosell

    @property
    def tab(self) -> Tab:
        if self.is_terminal:
            return Tab.CLOSED
        return Tab.INBOUND if self.direction is Direction.INBOUND else Tab.OUTBOUND

    @property
    def is_received(self) -> bool:
        return self.direction is Direction.INBOUND and self.substatus in RECEIVED_SUBSTATUSES

    @property
    def partner_invitations(self) -> list[Invitation]:
        return [i for i in self.invitations if not i.is_microsoft]


class DealDraft(_Model):
    """Everything the new-deal wizard (or ``cosell create``) collects before saving (R4–R7)."""

    name: str = ""
    kind: DealKind = DealKind.IP_COSELL
    location: str = ""
    customer: Customer | None = None
    value: Decimal | None = None
    currency: str = "USD"
    close_date: date | None = None
    crm_id: str | None = None
    campaign_id: str | None = None
    partner_role: PartnerRole | None = None
    partner_program: str | None = None
    solution_area: str | None = None
    solution_play: str | None = None
    marketplace_intent: MarketplaceIntent | None = None
    notes: str = ""
    team: list[Person] = Field(default_factory=list)
    solutions: list[DealSolution] = Field(default_factory=list)
    help_type: HelpType = HelpType.NONE
    share_with_microsoft: bool = False
    invitations: list[Invitation] = Field(default_factory=list)

    @property
    def is_ip_cosell(self) -> bool:
        return self.kind.is_ip_cosell

    @property
    def is_services_cosell(self) -> bool:
        return self.kind.is_services_cosell


class DealRow(_Model):
    """A dashboard/list line: only the columns the grid shows, read straight from SQL."""

    id: str
    version: int
    name: str
    customer_name: str
    direction: Direction
    kind: DealKind
    sale_type: SaleType | None
    substatus: Substatus
    stage: Stage
    value: Decimal
    currency: str
    value_usd: float
    close_date: date | None
    expires_at: datetime | None
    partner_role: PartnerRole | None
    partner_program: str | None
    crm_id: str | None
    favorite: bool
    location: str
    sender_name: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def is_received(self) -> bool:
        """R8.2: waiting for an answer (accept or decline within 14 days), as ``Deal.is_received``."""
        return self.direction is Direction.INBOUND and self.substatus in RECEIVED_SUBSTATUSES


class User(_Model):
    """R1: a person of the partner, keyed by OS login."""

    login: str
    display_name: str = ""
    email: str = ""
    phone: str = ""
    role: Role = Role.USER
    location: str | None = None  # None: global scope (admins)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
