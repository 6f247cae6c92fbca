"""The read side: every read the dashboard's pages and summaries and the CLI's lists make.

Each is one query that asks only for what its face shows (a page of rows, a
header's aggregates, the deals about to expire with their teams, the people
of recent deals), with visibility (R1.3–R1.4) in its WHERE clause. No read
loads a deal per row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select

from model.domain.enums import AccountMatch, AccountTab, DealKind, Direction, PartnerRole, SaleType, Substatus, Tab
from model.domain.listing import STAGE_TRACK, DealQuery, DealView, PageWant, TabSummary
from model.domain.schemas import Customer, CustomerContact, DealRow, Person, User
from model.domain.stages import Stage
from model.store import paging
from model.store.codec import construct
from model.store.queries import RECEIVED, has_a_stage, tab_filter, visible_to, where
from model.store.tables import DealRecord, TeamRecord

# -- the grid ----------------------------------------------------------------------------------

_ROW_COLUMNS = (
    DealRecord.id, DealRecord.version, DealRecord.name, DealRecord.customer_name, DealRecord.direction,
    DealRecord.kind, DealRecord.sale_type, DealRecord.substatus, DealRecord.stage, DealRecord.value,
    DealRecord.currency, DealRecord.value_usd, DealRecord.close_date, DealRecord.expires_at,
    DealRecord.partner_role, DealRecord.partner_program, DealRecord.crm_id, DealRecord.favorite,
    DealRecord.location, DealRecord.sender_name, DealRecord.created_at, DealRecord.updated_at,
)


def _row(r) -> DealRow:
    return DealRow.model_construct(
        id=r.id, version=r.version, name=r.name, customer_name=r.customer_name, direction=Direction(r.direction),
        kind=DealKind(r.kind), sale_type=SaleType(r.sale_type) if r.sale_type else None,
        substatus=Substatus(r.substatus), stage=Stage(r.stage), value=Decimal(r.value), currency=r.currency,
        value_usd=r.value_usd, close_date=r.close_date, expires_at=r.expires_at,
        partner_role=PartnerRole(r.partner_role) if r.partner_role else None, partner_program=r.partner_program,
        crm_id=r.crm_id, favorite=r.favorite, location=r.location, sender_name=r.sender_name,
        created_at=r.created_at, updated_at=r.updated_at,
    )


def deal_page(session, user: User, q: DealQuery, now: datetime) -> list[DealRow]:
    """Rows ``q.offset`` … of a tab, filtered and sorted in SQL (the CLI's lists)."""
    return paging.page_at(session, user, q, now, q.offset, q.limit, _ROW_COLUMNS, _row)


def deal_view(session, user: User, q: DealQuery, now: datetime, wants: list[PageWant],
              total: int | None = None) -> DealView:
    """The grid's read: how many match and the pages it shows, from one read (``model.store.paging``);
    ``total``: the count as this same read already knows it."""
    return paging.view(session, user, q, now, wants, _ROW_COLUMNS, _row, total=total)


def deal_count(session, user: User, q: DealQuery, now: datetime) -> int:
    return paging.count(session, where(q, user, now))


def tab_counts(session, user: User) -> dict[Tab, int]:
    """Every tab's count in one read: one GROUP BY over the (tab, …) index, and the favorites."""
    seen = visible_to(user)
    counts = {Tab(tab): n for tab, n in session.execute(
        select(DealRecord.tab, func.count()).where(seen).group_by(DealRecord.tab))}
    counts[Tab.FAVORITES] = session.scalar(select(func.count()).select_from(DealRecord).where(
        tab_filter(Tab.FAVORITES), seen)) or 0
    return {tab: counts.get(tab, 0) for tab in Tab}


def stages_in_view(session, user: User, q: DealQuery, now: datetime) -> list[Stage]:
    """The stages the deals of ``q`` (its stage filter aside) are in, in stage-track order; deals that
    never reached a stage (received, declined, expired) add none."""
    found = set(session.scalars(select(DealRecord.stage).where(*where(q, user, now, stage=False), has_a_stage())
                                .distinct()))
    return [stage for stage in STAGE_TRACK if stage.value in found]


def tab_summary(session, user: User, q: DealQuery, now: datetime) -> TabSummary:
    """The header's aggregates: how many, total and weighted value, how many expire within 48 h."""
    soon = now + timedelta(hours=48)
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(DealRecord.value_usd), 0.0),
            func.coalesce(func.sum(DealRecord.value_usd * DealRecord.stage_pct / 100.0), 0.0),
            func.coalesce(func.sum(case((and_(DealRecord.substatus.in_(RECEIVED),
                                               DealRecord.expires_at <= soon), 1), else_=0)), 0),
        ).select_from(DealRecord).where(*where(q, user, now))
    ).one()
    return TabSummary(int(row[0]), float(row[1]), float(row[2]), int(row[3]))


# -- on call -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExpiringDeal:
    """A received inbound deal waiting for an answer, with who to page about it (R8.2).

    What `cosell expiring` and the dashboard's expiry watch show; ``is_received`` and
    ``expires_at`` are what ``model.domain.rules.lifecycle.time_left`` reads.
    """

    id: str
    name: str
    customer: Customer
    substatus: Substatus
    expires_at: datetime
    sender_name: str | None
    sender_email: str | None
    team: tuple[Person, ...]

    @property
    def is_received(self) -> bool:
        return self.substatus.value in RECEIVED


_EXPIRING_COLUMNS = (
    DealRecord.id, DealRecord.name, DealRecord.substatus, DealRecord.expires_at, DealRecord.sender_name,
    DealRecord.sender_email, DealRecord.customer_name, DealRecord.customer_account_id, DealRecord.customer_duns,
    DealRecord.customer_source, DealRecord.customer_match, DealRecord.customer_city, DealRecord.customer_country,
    DealRecord.customer_macc, DealRecord.customer_federal, DealRecord.customer_contacts,
    DealRecord.customer_consent,
    TeamRecord.name.label("member_name"), TeamRecord.phone.label("member_phone"),
    TeamRecord.email.label("member_email"), TeamRecord.company.label("member_company"),
)


def _customer(r) -> Customer:
    """The deal's customer as stored: read back, so already valid, and built without a second
    validation (``codec.construct``; a page of thousands of expiring deals is cron's hot path)."""
    return construct(Customer, {
        "name": r.customer_name, "account_id": r.customer_account_id, "duns": r.customer_duns,
        "source": AccountTab(r.customer_source), "match": AccountMatch(r.customer_match), "city": r.customer_city,
        "country": r.customer_country, "macc": bool(r.customer_macc), "federal": bool(r.customer_federal),
        "contacts": [CustomerContact(**c) for c in (r.customer_contacts or [])],
        "consent_to_share": bool(r.customer_consent)})


def expiring(session, user: User, now: datetime, within: timedelta) -> list[ExpiringDeal]:
    """Received inbound deals expiring within ``within`` (overdue ones included), soonest first,
    each with its team: one query, the deal's columns joined with its team rows.

    A projection, read as plain rows (the ORM's per-row loading is skipped: nothing here is an
    entity) and turned into values without validating them again, since they come from the store."""
    return _expiring(session, user, DealRecord.expires_at <= now + within)


def expiry_moves(session, user: User, since: datetime, now: datetime, bands: tuple[timedelta, ...],
                 known: frozenset[str] | None) -> tuple[list[tuple[ExpiringDeal, bool]], frozenset[str]]:
    """The received inbound deals that may have moved into a band (``expires_at - band``) between
    ``since`` and ``now``: those whose band's edge passed in that time, and those inside the widest
    band now that were not in ``known`` (received or synced since, possibly already deep inside),
    each with whether it is such a newcomer; and the ids inside the widest band now, for the next
    look (``known`` None: the first look, only that). A few full rows and one column of ids, where
    ``expiring`` would read every deal of the widest band, with its team, on each tick of an open
    dashboard."""
    inside = frozenset(session.scalars(select(DealRecord.id).where(
        DealRecord.substatus.in_(RECEIVED), DealRecord.expires_at <= now + max(bands), visible_to(user))))
    if known is None:
        return [], inside
    new = inside - known
    passed = [and_(DealRecord.expires_at > since + band, DealRecord.expires_at <= now + band) for band in bands]
    if new:
        passed.append(DealRecord.id.in_(sorted(new)))
    return [(deal, deal.id in new) for deal in _expiring(session, user, or_(*passed))], inside


def _expiring(session, user: User, which) -> list[ExpiringDeal]:
    stmt = (select(*_EXPIRING_COLUMNS)
            .outerjoin(TeamRecord, TeamRecord.deal_id == DealRecord.id)
            .where(DealRecord.substatus.in_(RECEIVED), which, visible_to(user))
            .order_by(DealRecord.expires_at, DealRecord.id, TeamRecord.position, TeamRecord.id))
    found: dict[str, tuple] = {}  # id -> (the deal's row, its members), in the query's order
    for r in session.connection().execute(stmt):
        _first, members = found.setdefault(r.id, (r, []))
        if r.member_email is not None:
            members.append(construct(Person, {"name": r.member_name, "phone": r.member_phone,
                                              "email": r.member_email, "company": r.member_company}))
    return [ExpiringDeal(id=r.id, name=r.name, customer=_customer(r), substatus=Substatus(r.substatus),
                         expires_at=r.expires_at, sender_name=r.sender_name, sender_email=r.sender_email,
                         team=tuple(members))
            for r, members in found.values()]


# -- the new-deal wizard -----------------------------------------------------------------------

def recent_people(session, user: User, limit: int = 12) -> list[Person]:
    """R6.2: people from the user's most recently changed deals, each e-mail once."""
    stmt = (select(TeamRecord.name, TeamRecord.phone, TeamRecord.email, TeamRecord.company)
            .join(DealRecord, DealRecord.id == TeamRecord.deal_id)
            .where(visible_to(user))
            .order_by(DealRecord.updated_at.desc()).limit(limit * 8))
    seen, out = set(), []
    for name, phone, email, company in session.execute(stmt):
        if email.lower() in seen:
            continue
        seen.add(email.lower())
        out.append(Person(name=name, phone=phone, email=email, company=company))
        if len(out) >= limit:
            break
    return out
