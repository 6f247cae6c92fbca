"""The one deal <-> row codec: how a ``Deal`` is stored, for the ORM path (``repo``) and the
bulk path (``bulk``) alike, so the two can never store a deal differently.

A deal is three kinds of rows (``DealRows``): its ``deals`` row, its team rows and its notes.
``deal_values`` also fills the derived columns the grid sorts and filters by (``derive``);
``deal_from_rows`` builds the ``Deal`` back without re-validating what the database holds.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Iterable

from model.domain import stages as stage_table
from model.domain.enums import (
    AccountMatch, AccountTab, DealKind, Direction, HelpType, MarketplaceIntent, MicrosoftStatus,
    PartnerRole, SaleType, Status, Substatus, TERMINAL_SUBSTATUSES,
)
from model.domain.rules.fx import rate, usd_day
from model.domain.schemas import (
    Customer, CustomerContact, Deal, DealSolution, Invitation, Note, Person, Registration,
)
from model.domain.stages import Stage



def construct(cls, values: dict):
    """A model instance from values that are already right (validated upstream, or read back from
    the database), without validating them again: what ``model_construct`` does, minus its
    per-field Python loop, which costs more than the rest of an export. Every field must be given.
    """
    if values.keys() != cls.model_fields.keys():
        missing = sorted(cls.model_fields.keys() - values.keys())
        extra = sorted(values.keys() - cls.model_fields.keys())
        raise TypeError(f"{cls.__name__}: missing {missing}, unexpected {extra}")
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


# -- Deal <-> row values -----------------------------------------------------------------------

@dataclass(slots=True)
class DealRows:
    """One deal as rows: the ``deals`` row, its team rows and its notes, as Python values."""

    deal: dict
    team: list[dict]
    notes: list[dict]


@lru_cache(maxsize=4096)
def _usd_rate(currency: str, year: int, month: int) -> Decimal:
    return rate(currency, date(year, month, 1))


def usd(value: Decimal, currency: str, on: date) -> float:
    """``model.domain.rules.fx.to_usd`` as a float, with the month's rate cached (a chunk has few months)."""
    if currency == "USD":
        return float(Decimal(value))
    return float((Decimal(value) * _usd_rate(currency, on.year, on.month)).quantize(Decimal("0.01")))


def _dump(models) -> list:
    return [m.model_dump(mode="json") for m in models]


_TERMINAL = frozenset(s.value for s in TERMINAL_SUBSTATUSES)
_PERCENT = {s.value: stage_table.percent(s) for s in Stage}


def derive(values: dict, note_texts: Iterable[str]) -> dict:
    """Fill the columns the grid sorts and filters by, which follow from the others (in place)."""
    values["tab"] = ("closed" if values["substatus"] in _TERMINAL
                     else "inbound" if values["direction"] == "Incoming" else "outbound")
    values["stage_pct"] = _PERCENT[values["stage"]]
    values["value_usd"] = usd(values["value"], values["currency"],  # the one rule: model.domain.rules.fx
                              usd_day(values.get("closed_at"), values["close_date"], values["created_at"]))
    values["registration_status"] = values["registration"]["status"] if values["registration"] else "None"
    values["search_text"] = "\n".join(
        [values["name"], values["customer_name"], values["crm_id"] or "", *note_texts]).lower()
    return values


def deal_values(deal: Deal, *, actor: str | None = None) -> dict:
    """The ``deals`` row of a deal: what both ``repo.write_deal`` and ``bulk.insert_deals`` store."""
    c = deal.customer
    values = {
        "id": deal.id, "version": deal.version, "name": deal.name, "direction": deal.direction.value,
        "kind": deal.kind.value, "sale_type": deal.sale_type.value if deal.sale_type else None,
        "status": deal.status.value, "substatus": deal.substatus.value, "stage": deal.stage.value,
        "stages_marked": [s.value for s in deal.stages_marked], "location": deal.location,
        "customer_name": c.name, "customer_account_id": c.account_id, "customer_duns": c.duns,
        "customer_source": c.source.value, "customer_match": c.match.value, "customer_city": c.city,
        "customer_country": c.country, "customer_macc": c.macc, "customer_federal": c.federal,
        "customer_contacts": _dump(c.contacts), "customer_consent": c.consent_to_share,
        "value": deal.value, "currency": deal.currency, "close_date": deal.close_date, "crm_id": deal.crm_id, "campaign_id": deal.campaign_id,
        "partner_role": deal.partner_role.value if deal.partner_role else None,
        "partner_program": deal.partner_program, "solution_area": deal.solution_area,
        "solution_play": deal.solution_play,
        "marketplace_intent": deal.marketplace_intent.value if deal.marketplace_intent else None,
        "help_type": deal.help_type.value, "share_with_microsoft": deal.share_with_microsoft,
        "microsoft_status": deal.microsoft_status.value, "microsoft_invited_at": deal.microsoft_invited_at,
        "microsoft_responded_at": deal.microsoft_responded_at, "sender_name": deal.sender_name,
        "sender_email": deal.sender_email, "sender_is_microsoft": deal.sender_is_microsoft,
        "owns_customer_contract": deal.owns_customer_contract,
        "created_at": deal.created_at, "updated_at": deal.updated_at, "received_at": deal.received_at,
        "expires_at": deal.expires_at, "accepted_at": deal.accepted_at, "closed_at": deal.closed_at,
        "status_reason": deal.status_reason, "favorite": deal.favorite,
        "solutions": _dump(deal.solutions), "invitations": _dump(deal.invitations),
        "registration": deal.registration.model_dump(mode="json"), "engagement_id": deal.engagement_id, "updated_by": actor,
    }
    return derive(values, (n.text for n in deal.notes))


def deal_rows(deal: Deal, *, actor: str | None = None) -> DealRows:
    team = [{"deal_id": deal.id, "position": i, "name": p.name, "phone": p.phone, "email": p.email,
             "email_lc": p.email.strip().lower(), "company": p.company} for i, p in enumerate(deal.team)]
    notes = [{"deal_id": deal.id, "at": n.at, "author": n.author, "text": n.text} for n in deal.notes]
    return DealRows(deal_values(deal, actor=actor), team, notes)


def _opt(enum_type, value):
    return None if value is None else enum_type(value)


def deal_from_rows(rows: DealRows) -> Deal:
    """The ``Deal`` stored in these rows: what ``repo.to_deal`` gives, built without re-validation."""
    r = rows.deal
    customer = construct(Customer, {
        "name": r["customer_name"], "account_id": r["customer_account_id"], "duns": r["customer_duns"],
        "source": AccountTab(r["customer_source"]), "match": AccountMatch(r["customer_match"]),
        "city": r["customer_city"], "country": r["customer_country"], "macc": bool(r["customer_macc"]),
        "federal": bool(r["customer_federal"]),
        "contacts": [CustomerContact(**c) for c in (r["customer_contacts"] or [])],
        "consent_to_share": bool(r["customer_consent"]),
    })
    reg = r["registration"]
    return construct(Deal, {
        "id": r["id"], "version": r["version"], "name": r["name"], "direction": Direction(r["direction"]),
        "kind": DealKind(r["kind"]), "sale_type": _opt(SaleType, r["sale_type"]),
        "status": Status(r["status"]), "substatus": Substatus(r["substatus"]), "stage": Stage(r["stage"]),
        "stages_marked": [Stage(s) for s in (r["stages_marked"] or [])], "location": r["location"],
        "customer": customer, "value": r["value"], "currency": r["currency"], "close_date": r["close_date"],
        "crm_id": r["crm_id"], "campaign_id": r["campaign_id"],
        "partner_role": _opt(PartnerRole, r["partner_role"]), "partner_program": r["partner_program"],
        "solution_area": r["solution_area"], "solution_play": r["solution_play"],
        "marketplace_intent": _opt(MarketplaceIntent, r["marketplace_intent"]),
        "help_type": HelpType(r["help_type"]), "share_with_microsoft": bool(r["share_with_microsoft"]),
        "microsoft_status": MicrosoftStatus(r["microsoft_status"]),
        "microsoft_invited_at": r["microsoft_invited_at"], "microsoft_responded_at": r["microsoft_responded_at"],
        "sender_name": r["sender_name"], "sender_email": r["sender_email"],
        "sender_is_microsoft": bool(r["sender_is_microsoft"]),
        "owns_customer_contract": bool(r["owns_customer_contract"]),
        "created_at": r["created_at"], "updated_at": r["updated_at"], "received_at": r["received_at"],
        "expires_at": r["expires_at"], "accepted_at": r["accepted_at"], "closed_at": r["closed_at"],
        "status_reason": r["status_reason"], "favorite": bool(r["favorite"]),
        "team": [construct(Person, {"name": t["name"], "phone": t["phone"], "email": t["email"],
                                    "company": t["company"]}) for t in rows.team],
        "solutions": [DealSolution(**s) for s in (r["solutions"] or [])],
        "invitations": [Invitation(**i) for i in (r["invitations"] or [])],
        "notes": [construct(Note, {"at": n["at"], "author": n["author"], "text": n["text"]}) for n in rows.notes],
        "registration": Registration(**reg) if reg else Registration(),
        "engagement_id": r["engagement_id"],
    })
