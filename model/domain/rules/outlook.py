"""R7, R10: what a draft would become, before anything is saved.

The wizard's review step shows the sale type the two questions of R7 give
(``sale_type_for``) and whether the deal could ever be registered (R10).
Registration is judged only after Won, so the draft is put to
``eligibility_violations`` as if it were won and Microsoft had accepted:
whatever the model still finds unmet is already visible now (wrong kind, no
registrable solution, private, under 25,000 USD, unmanaged customer), and
what has to happen later is listed as conditions. No rule is restated here;
this only frames the question, so the face renders an answer and decides nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from model.domain.enums import (
    AccountMatch, AccountTab, Direction, HelpType, MicrosoftStatus, SaleType, Status, Substatus,
)
from model.domain.errors import Violation
from model.domain.rules.customer import NOTE_MATCHING
from model.domain.rules.lifecycle import sale_type_for
from model.domain.rules.registration import could_register, eligibility_violations
from model.domain.schemas import Customer, Deal, DealDraft
from model.domain.stages import Stage

#: Where a customer came from (R4) → how Microsoft's account matching would see it once won.
_MATCH_OF_SOURCE = {AccountTab.MANAGED: AccountMatch.MANAGED, AccountTab.UNMANAGED: AccountMatch.UNMANAGED}
#: Customers whose match is still pending (R4.5): they may yet turn out Microsoft-managed.
_PENDING_MATCH = (AccountTab.OTHER, AccountTab.MANUAL)


@dataclass
class Outlook:
    """The answer the review step renders: the sale type, and registration now or later."""

    sale_type: SaleType | None            # None: a solution assessment (no sale type, R7)
    could_register: bool                  # nothing standing in the way that is already known
    unmet: list[Violation] = field(default_factory=list)   # what makes it ineligible as it stands
    conditions: list[str] = field(default_factory=list)    # what still has to happen, in order


def would_be_sale_type(draft: DealDraft) -> SaleType | None:
    """R7.1–R7.4: the sale type the draft's answers give (invited partners make it P2P)."""
    partners = [i for i in draft.invitations if not i.is_microsoft]
    return sale_type_for(draft.help_type, draft.share_with_microsoft, bool(partners), draft.kind)


def _as_won(draft: DealDraft, now: datetime, sale: SaleType | None, customer_match: AccountMatch) -> Deal:
    """The draft as a won deal that Microsoft accepted: the best case registration is judged on."""
    customer = (draft.customer or Customer(name="")).model_copy(deep=True)
    customer.match = customer_match
    return Deal(
        id="preview", name=draft.name or "preview", direction=Direction.OUTBOUND, kind=draft.kind, sale_type=sale,
        status=Status.CLOSED, substatus=Substatus.WON, stage=Stage.WON, location=draft.location or "-",
        customer=customer, value=draft.value if draft.value is not None else Decimal(0),
        currency=draft.currency or "USD", close_date=draft.close_date, help_type=draft.help_type,
        share_with_microsoft=draft.share_with_microsoft or draft.help_type is not HelpType.NONE,
        microsoft_status=MicrosoftStatus.ACCEPTED if sale is SaleType.CO_SELL else MicrosoftStatus.NOT_INVITED,
        created_at=now, updated_at=now, solutions=list(draft.solutions),
        invitations=[i for i in draft.invitations if not i.is_microsoft],
    )


def registration_outlook(draft: DealDraft, now: datetime) -> Outlook:
    """The sale type and the registration outlook of ``draft`` (pure: reads nothing, writes nothing)."""
    sale = would_be_sale_type(draft)
    source = draft.customer.source if draft.customer else AccountTab.MANUAL
    pending_match = source in _PENDING_MATCH
    match = _MATCH_OF_SOURCE.get(source, AccountMatch.MANAGED if pending_match else AccountMatch.NOT_MATCHED)
    probe = _as_won(draft, now, sale, match)
    # R7.6 (who owns the customer contract) is answered after creation, so it is a condition, not a block.
    unmet = [v for v in eligibility_violations(probe, now) if v.rule != "R7.6"]
    out = Outlook(sale_type=sale, could_register=not unmet and could_register(probe), unmet=unmet)
    if out.could_register:
        out.conditions.append("mark the deal won (R10.1)")
        if sale is SaleType.CO_SELL:
            out.conditions.append("Microsoft accepts the invitation or marks the deal won (R10.1)")
        if pending_match:
            out.conditions.append(NOTE_MATCHING)
        out.conditions.append("keep at least 72 hours between creating the deal and marking it won (R8.12)")
        if probe.invitations:
            out.conditions.append("in a P2P deal only the partner that owns the end-customer contract "
                                  "registers it (R7.6)")
    return out
