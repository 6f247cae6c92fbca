"""Deal aggregate <-> rows. Services work on ``Deal`` values; this module persists them.

The deal row is written whole from the schema; SQLAlchemy sends only the
columns that changed, and ``version_id_col`` turns every UPDATE into
"... WHERE version = <the version read>", so a stale write fails instead of
overwriting someone else's change.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from model import stages as stage_table
from model.enums import (
    AccountMatch, AccountTab, DealKind, Direction, HelpType, MarketplaceIntent,
    MicrosoftStatus, PartnerRole, RegistrationStatus, SaleType, Status, Substatus,
)
from model.errors import AmbiguousId, NotFound
from model.rules.fx import to_usd
from model.schemas import (
    Customer, CustomerContact, Deal, DealSolution, Event, Invitation, Note, Person, Registration,
)
from model.stages import Stage
from model.store.tables import DealRecord, EventRecord, NoteRecord, TeamRecord


def _opt(enum_type, value):
    return None if value is None else enum_type(value)


def to_deal(rec: DealRecord) -> Deal:
    return Deal(
        id=rec.id, version=rec.version, name=rec.name,
        direction=Direction(rec.direction), kind=DealKind(rec.kind),
        sale_type=_opt(SaleType, rec.sale_type),
        status=Status(rec.status), substatus=Substatus(rec.substatus), stage=Stage(rec.stage),
        stages_marked=[Stage(s) for s in (rec.stages_marked or [])],
        location=rec.location,
        customer=Customer(
            name=rec.customer_name, account_id=rec.customer_account_id, duns=rec.customer_duns,
            source=AccountTab(rec.customer_source), match=AccountMatch(rec.customer_match),
            city=rec.customer_city, country=rec.customer_country, macc=rec.customer_macc,
            federal=rec.customer_federal,
            contacts=[CustomerContact(**c) for c in (rec.customer_contacts or [])],
            consent_to_share=rec.customer_consent,
        ),
        value=Decimal(rec.value), currency=rec.currency, close_date=rec.close_date,
        crm_id=rec.crm_id, campaign_id=rec.campaign_id,
        partner_role=_opt(PartnerRole, rec.partner_role), partner_program=rec.partner_program,
        solution_area=rec.solution_area, solution_play=rec.solution_play,
        marketplace_intent=_opt(MarketplaceIntent, rec.marketplace_intent),
        help_type=HelpType(rec.help_type), share_with_microsoft=rec.share_with_microsoft,
        microsoft_status=MicrosoftStatus(rec.microsoft_status),
        microsoft_invited_at=rec.microsoft_invited_at, microsoft_responded_at=rec.microsoft_responded_at,
        sender_name=rec.sender_name, sender_email=rec.sender_email, sender_is_microsoft=rec.sender_is_microsoft,
        owns_customer_contract=rec.owns_customer_contract,
        created_at=rec.created_at, updated_at=rec.updated_at, received_at=rec.received_at,
        expires_at=rec.expires_at, accepted_at=rec.accepted_at, closed_at=rec.closed_at,
        status_reason=rec.status_reason, favorite=rec.favorite,
        team=[Person(name=t.name, phone=t.phone, email=t.email, company=t.company) for t in rec.team],
        solutions=[DealSolution(**s) for s in (rec.solutions or [])],
        invitations=[Invitation(**i) for i in (rec.invitations or [])],
        notes=[Note(at=n.at, author=n.author, text=n.text) for n in rec.notes],
        registration=Registration(**(rec.registration or {})) if rec.registration else Registration(),
        engagement_id=rec.engagement_id,
    )


def search_text(deal: Deal) -> str:
    """The haystack of filter-as-you-type (name, customer, CRM id, notes), lower-cased once on write."""
    parts = [deal.name, deal.customer.name, deal.crm_id or ""] + [n.text for n in deal.notes]
    return "\n".join(parts).lower()


def _json(model_list) -> list:
    return [m.model_dump(mode="json") for m in model_list]


def write_deal(session: Session, deal: Deal, rec: DealRecord | None = None, *, actor: str | None = None) -> DealRecord:
    """Insert (rec None) or update a deal row from its schema. Notes are append-only."""
    new = rec is None
    if new:
        rec = DealRecord(id=deal.id)
    c = deal.customer
    values = dict(
        name=deal.name, direction=deal.direction.value, kind=deal.kind.value,
        sale_type=deal.sale_type.value if deal.sale_type else None,
        status=deal.status.value, substatus=deal.substatus.value, tab=deal.tab.value,
        stage=deal.stage.value, stage_pct=stage_table.percent(deal.stage),
        stages_marked=[s.value for s in deal.stages_marked], location=deal.location,
        customer_name=c.name, customer_account_id=c.account_id, customer_duns=c.duns,
        customer_source=c.source.value, customer_match=c.match.value, customer_city=c.city,
        customer_country=c.country, customer_macc=c.macc, customer_federal=c.federal,
        customer_contacts=_json(c.contacts), customer_consent=c.consent_to_share,
        value=deal.value, currency=deal.currency,
        value_usd=float(to_usd(deal.value, deal.currency, deal.close_date or deal.created_at.date())),
        close_date=deal.close_date, crm_id=deal.crm_id, campaign_id=deal.campaign_id,
        partner_role=deal.partner_role.value if deal.partner_role else None,
        partner_program=deal.partner_program, solution_area=deal.solution_area,
        solution_play=deal.solution_play,
        marketplace_intent=deal.marketplace_intent.value if deal.marketplace_intent else None,
        help_type=deal.help_type.value, share_with_microsoft=deal.share_with_microsoft,
        microsoft_status=deal.microsoft_status.value, microsoft_invited_at=deal.microsoft_invited_at,
        microsoft_responded_at=deal.microsoft_responded_at, sender_name=deal.sender_name,
        sender_email=deal.sender_email, sender_is_microsoft=deal.sender_is_microsoft, owns_customer_contract=deal.owns_customer_contract,
        created_at=deal.created_at, updated_at=deal.updated_at, received_at=deal.received_at,
        expires_at=deal.expires_at, accepted_at=deal.accepted_at, closed_at=deal.closed_at,
        status_reason=deal.status_reason, favorite=deal.favorite,
        solutions=_json(deal.solutions), invitations=_json(deal.invitations),
        registration=deal.registration.model_dump(mode="json"),
        registration_status=deal.registration.status.value,
        engagement_id=deal.engagement_id, search_text=search_text(deal),
    )
    if actor is not None:
        values["updated_by"] = actor
    for key, value in values.items():
        if new or getattr(rec, key) != value:
            setattr(rec, key, value)
    team = [(p.name, p.phone, p.email, p.company) for p in deal.team]
    if new or [(t.name, t.phone, t.email, t.company) for t in rec.team] != team:
        rec.team = [
            TeamRecord(position=i, name=n, phone=ph, email=e, email_lc=e.strip().lower(), company=co)
            for i, (n, ph, e, co) in enumerate(team)
        ]
    have = len(rec.notes) if not new else 0
    for note in deal.notes[have:]:
        rec.notes.append(NoteRecord(at=note.at, author=note.author, text=note.text))
    if new:
        session.add(rec)
    return rec


def add_event(session: Session, deal_id: str, event: Event) -> None:
    session.add(EventRecord(deal_id=deal_id, at=event.at, actor=event.actor, action=event.action,
                            changes=event.changes, reason=event.reason))


def events_for(session: Session, deal_id: str) -> list[Event]:
    rows = session.scalars(
        select(EventRecord).where(EventRecord.deal_id == deal_id).order_by(EventRecord.id)
    ).all()
    return [Event(at=r.at, actor=r.actor, action=r.action, changes=r.changes or {}, reason=r.reason) for r in rows]


def last_event(session: Session, deal_id: str) -> Event | None:
    r = session.scalars(
        select(EventRecord).where(EventRecord.deal_id == deal_id).order_by(EventRecord.id.desc()).limit(1)
    ).first()
    return None if r is None else Event(at=r.at, actor=r.actor, action=r.action, changes=r.changes or {}, reason=r.reason)


def resolve_id(session: Session, id_or_prefix: str, user=None) -> str:
    """Any unique prefix of a deal id names the deal.

    Given the acting ``user``, only deals they may see are candidates (R1.3): another
    location's deal is "not found" by full id or prefix, and a prefix shared with it
    is not "ambiguous" (which would print the hidden deal's id).
    """
    text = (id_or_prefix or "").strip().lower()
    if not text:
        raise NotFound("no deal id given")
    scope = []
    if user is not None:
        from model.store.queries import visible_to

        scope.append(visible_to(user))
    if session.scalar(select(DealRecord.id).where(DealRecord.id == text, *scope)) is not None:
        return text
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    ids = session.scalars(
        select(DealRecord.id).where(DealRecord.id.like(escaped + "%", escape="\\"), *scope)
        .order_by(DealRecord.id).limit(3)
    ).all()
    if not ids:
        raise NotFound(f"no deal with id {id_or_prefix!r}")
    if len(ids) > 1:
        raise AmbiguousId(f"deal id prefix {id_or_prefix!r} matches several deals ({', '.join(i[:12] for i in ids)}…); type more of it")
    return ids[0]


def load_record(session: Session, deal_id: str) -> DealRecord:
    rec = session.get(DealRecord, deal_id)
    if rec is None:
        raise NotFound(f"no deal with id {deal_id!r}")
    return rec
