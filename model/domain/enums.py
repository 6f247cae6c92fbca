"""The domain's vocabularies, spelled as Partner Center's referral API spells them.

Values are the API tokens where one exists, so import/export needs no second
table of names; ``label`` gives the words a person reads.
"""
from __future__ import annotations

from enum import Enum


class _Labelled(str, Enum):
    @property
    def label(self) -> str:
        return _LABELS.get((type(self), self.value), self.value.replace("_", " "))

    def __str__(self) -> str:  # pragma: no cover - convenience for f-strings
        return self.value


class Direction(_Labelled):
    """R3.1/R3.2: inbound deals were sent to us, outbound ones we created."""

    INBOUND = "Incoming"
    OUTBOUND = "Outgoing"


class DealKind(_Labelled):
    """R2.1, R2.2, R2.4: what the partner brings to the deal."""

    IP_COSELL = "ip_cosell"
    SERVICES_COSELL = "services_cosell"
    IP_AND_SERVICES = "ip_services_cosell"  # R2.7: both at once, with the requirements of both
    SOLUTION_ASSESSMENT = "solution_assessment"

    @property
    def is_ip_cosell(self) -> bool:
        """R2.1/R2.7: carries IP co-sell's requirements (solutions, marketplace intent, registration)."""
        return self in (DealKind.IP_COSELL, DealKind.IP_AND_SERVICES)

    @property
    def is_services_cosell(self) -> bool:
        """R2.2/R2.7: carries services co-sell's requirements (partner role, solution area and play)."""
        return self in (DealKind.SERVICES_COSELL, DealKind.IP_AND_SERVICES)


class SaleType(_Labelled):
    """R7: derived from "help from Microsoft?" and "should Microsoft sellers see it?"."""

    PRIVATE = "private"
    PARTNER_LED = "partner_led"
    CO_SELL = "co_sell"
    P2P = "p2p"


class Status(_Labelled):
    """ReferralStatus of the API."""

    NEW = "New"
    ACTIVE = "Active"
    CLOSED = "Closed"


class Substatus(_Labelled):
    """ReferralSubstatus of the API (Error is the R8.13 close-as-error)."""

    PENDING = "Pending"
    RECEIVED = "Received"
    ACCEPTED = "Accepted"
    WON = "Won"
    LOST = "Lost"
    DECLINED = "Declined"
    EXPIRED = "Expired"
    ERROR = "Error"


TERMINAL_SUBSTATUSES = frozenset(
    {Substatus.WON, Substatus.LOST, Substatus.DECLINED, Substatus.EXPIRED, Substatus.ERROR}
)


class Tab(_Labelled):
    """R3 + R8.14: where a deal is listed. Favorites is a tag, not a tab column."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    FAVORITES = "favorites"
    CLOSED = "closed"


class HelpType(_Labelled):
    """assistanceRequestCode; NONE is the UI's default "No help needed now" (R7)."""

    NONE = "None"
    GENERAL = "GeneralOrOther"
    ARCHITECTURE = "CustomerTechnicalArchitecture"
    POC = "ProofOfConceptOrDemo"
    QUOTES = "QuotesOrLicensing"
    POST_SALES = "PostSalesCustomerSuccess"
    VALUE_PROP = "WorkloadSpecificValueProposition"


class PartnerRole(_Labelled):
    """R5.2."""

    PRESALES_VISION = "PreSalesVision"
    SOLUTION_DESIGN = "SolutionDesign"
    PROOF_OF_CONCEPT = "ProofOfConcept"
    BUSINESS_STRATEGY = "BusinessStrategy"
    DEPLOYMENT = "DeploymentServices"
    IMPLEMENTATION = "ImplementationAndChangeManagement"
    TRANSACTION = "Transaction"
    MANAGED_SERVICES = "ManagedServices"


class MarketplaceIntent(_Labelled):
    """R5.1; HaveNotDecided is the API token for "Undecided"."""

    YES = "Yes"
    NO = "No"
    UNDECIDED = "HaveNotDecided"


class AccountTab(_Labelled):
    """R4.2: the three result tabs of customer search, plus a hand-typed customer."""

    MANAGED = "managed"
    UNMANAGED = "unmanaged"
    OTHER = "other"
    MANUAL = "manual"


class AccountMatch(_Labelled):
    """R4.5: the outcome of Microsoft's account matching for the deal's customer."""

    MANAGED = "managed"
    UNMANAGED = "unmanaged"
    NOT_MATCHED = "not_matched"


class SolutionSource(_Labelled):
    """R6.5."""

    MY_COMPANY = "my_company"
    MICROSOFT = "microsoft"
    THIRD_PARTY = "third_party"
    ASSESSMENT = "assessment"


class RegistrationKind(_Labelled):
    """R10.2: solution tags that make a deal registrable."""

    AZURE_IP_COSELL = "azure_ip_cosell"
    BIZAPPS_PREMIUM = "bizapps_premium"
    BIZAPPS_STANDARD = "bizapps_standard"


class RegistrationStatus(_Labelled):
    """R10.4: the validation progress shown in the lifecycle."""

    NONE = "None"
    REVIEW_PENDING = "ReviewPending"
    ACTION_REQUIRED = "ActionRequired"
    APPROVED = "Approved"
    REJECTED = "Rejected"


class MicrosoftStatus(_Labelled):
    """Microsoft's side of a deal (the "Microsoft card"), needed by R7.3 and R10.1."""

    NOT_INVITED = "not_invited"
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WON = "won"


class InvitationStatus(_Labelled):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Role(_Labelled):
    """R1.1."""

    ADMIN = "admin"
    USER = "user"


# Keyed by (enum type, value): members of different enums with equal values (HelpType.NONE and
# RegistrationStatus.NONE are both "None") are equal str objects and would share one dict key.
_LABEL_PAIRS: tuple[tuple[Enum, str], ...] = (
    (Direction.INBOUND, "Inbound"),
    (Direction.OUTBOUND, "Outbound"),
    (DealKind.IP_COSELL, "IP co-sell"),
    (DealKind.SERVICES_COSELL, "Services co-sell"),
    (DealKind.IP_AND_SERVICES, "IP and services co-sell"),
    (DealKind.SOLUTION_ASSESSMENT, "Solution assessment"),
    (SaleType.PRIVATE, "Private"),
    (SaleType.PARTNER_LED, "Partner-led"),
    (SaleType.CO_SELL, "Co-sell"),
    (SaleType.P2P, "P2P"),
    (HelpType.NONE, "No help needed now"),
    (HelpType.GENERAL, "General or other"),
    (HelpType.ARCHITECTURE, "Customer technical architecture"),
    (HelpType.POC, "Proof of concept or demo"),
    (HelpType.QUOTES, "Quotes or licensing"),
    (HelpType.POST_SALES, "Post-sales customer success"),
    (HelpType.VALUE_PROP, "Workload-specific value proposition"),
    (PartnerRole.PRESALES_VISION, "Pre-sales vision"),
    (PartnerRole.SOLUTION_DESIGN, "Solution design"),
    (PartnerRole.PROOF_OF_CONCEPT, "Proof of concept"),
    (PartnerRole.BUSINESS_STRATEGY, "Business strategy"),
    (PartnerRole.DEPLOYMENT, "Deployment services"),
    (PartnerRole.IMPLEMENTATION, "Implementation and change management"),
    (PartnerRole.TRANSACTION, "Transaction"),
    (PartnerRole.MANAGED_SERVICES, "Managed services"),
    (MarketplaceIntent.YES, "Yes"),
    (MarketplaceIntent.NO, "No"),
    (MarketplaceIntent.UNDECIDED, "Undecided"),
    (AccountTab.MANAGED, "Microsoft Managed"),
    (AccountTab.UNMANAGED, "Microsoft Unmanaged"),
    (AccountTab.OTHER, "Other (DUNS)"),
    (AccountTab.MANUAL, "Entered manually"),
    (AccountMatch.MANAGED, "Microsoft-managed"),
    (AccountMatch.UNMANAGED, "Microsoft-unmanaged"),
    (AccountMatch.NOT_MATCHED, "Not matched"),
    (SolutionSource.MY_COMPANY, "My company's solutions"),
    (SolutionSource.MICROSOFT, "Microsoft"),
    (SolutionSource.THIRD_PARTY, "Other third-party solutions"),
    (SolutionSource.ASSESSMENT, "Solution assessments"),
    (RegistrationKind.AZURE_IP_COSELL, "Azure IP co-sell"),
    (RegistrationKind.BIZAPPS_PREMIUM, "Biz apps premium"),
    (RegistrationKind.BIZAPPS_STANDARD, "Biz apps standard"),
    (RegistrationStatus.NONE, "Not registered"),
    (RegistrationStatus.REVIEW_PENDING, "Review pending"),
    (RegistrationStatus.ACTION_REQUIRED, "Action required"),
    (RegistrationStatus.APPROVED, "Approved"),
    (RegistrationStatus.REJECTED, "Rejected"),
    (MicrosoftStatus.NOT_INVITED, "Not invited"),
    (MicrosoftStatus.INVITED, "Invited"),
    (MicrosoftStatus.ACCEPTED, "Accepted"),
    (MicrosoftStatus.DECLINED, "Declined"),
    (MicrosoftStatus.WON, "Marked won"),
    (InvitationStatus.INVITED, "Invited"),
    (InvitationStatus.ACCEPTED, "Accepted"),
    (InvitationStatus.DECLINED, "Declined"),
    (Role.ADMIN, "Referral admin"),
    (Role.USER, "Referral user"),
)
_LABELS: dict[tuple[type, str], str] = {(type(member), member.value): text for member, text in _LABEL_PAIRS}


def parse_enum(enum_type: type[Enum], text: str) -> Enum:
    """Accept a value, a member name or a label, case-insensitively (for CLI and import)."""
    needle = text.strip().lower().replace("-", "_").replace(" ", "_")
    for member in enum_type:
        candidates = {member.value.lower(), member.name.lower(), getattr(member, "label", "").lower().replace("-", "_").replace(" ", "_")}
        if needle in candidates:
            return member
    allowed = ", ".join(m.value for m in enum_type)
    raise ValueError(f"{text!r} is not one of: {allowed}")
