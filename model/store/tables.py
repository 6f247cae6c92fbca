"""The schema. The deal row is denormalised for the grid: every column the
dashboard sorts or filters by lives on it, indexed, so a page is one indexed
query and never a scan in Python. Team members get their own table because
visibility (R1.3) asks "is this user on the team?" in SQL.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, Numeric,
    String, Text, TypeDecorator, case, literal_column,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import Grouping

#: 2: ``deals.mpn_id`` and ``deals.pc_extra`` (Partner Center's location id, and the referral fields
#: cosell does not model, kept for a lossless export), and the ``locations`` table.
#: 3: the Partner Center sync's ``sync_state`` and ``sync_cursor`` (``model.store.sync_tables``).
#: 4: the grid's indexes end in ``id`` (keyset paging on (sort key, id)); the expiry sort key is an
#: indexed expression; a narrow (tab, search_text) index for the filter; a covering index for the
#: header's sums; on PostgreSQL a ``pg_trgm`` GIN index on ``search_text`` (``model.store.engine``).
SCHEMA_VERSION = 4


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, hands back aware UTC: SQLite keeps no zone, PostgreSQL may."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Meta(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DealRecord(Base):
    __tablename__ = "deals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(300))
    direction: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    sale_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    substatus: Mapped[str] = mapped_column(String(16))
    # tab: inbound/outbound while open, closed once terminal (R3, R8.14)
    tab: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16))
    stage_pct: Mapped[int] = mapped_column(Integer)
    stages_marked: Mapped[list] = mapped_column(JSON, default=list)
    location: Mapped[str] = mapped_column(String(80))
    customer_name: Mapped[str] = mapped_column(String(300))
    customer_account_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    customer_duns: Mapped[str | None] = mapped_column(String(32), nullable=True)
    customer_source: Mapped[str] = mapped_column(String(16))
    customer_match: Mapped[str] = mapped_column(String(16))
    customer_city: Mapped[str | None] = mapped_column(String(120), nullable=True)
    customer_country: Mapped[str | None] = mapped_column(String(8), nullable=True)
    customer_macc: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_federal: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_contacts: Mapped[list] = mapped_column(JSON, default=list)
    customer_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    value: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    value_usd: Mapped[float] = mapped_column(Float)
    close_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    crm_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    campaign_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    partner_role: Mapped[str | None] = mapped_column(String(48), nullable=True)
    partner_program: Mapped[str | None] = mapped_column(String(120), nullable=True)
    solution_area: Mapped[str | None] = mapped_column(String(120), nullable=True)
    solution_play: Mapped[str | None] = mapped_column(String(120), nullable=True)
    marketplace_intent: Mapped[str | None] = mapped_column(String(16), nullable=True)
    help_type: Mapped[str] = mapped_column(String(48))
    share_with_microsoft: Mapped[bool] = mapped_column(Boolean, default=False)
    microsoft_status: Mapped[str] = mapped_column(String(16))
    microsoft_invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    microsoft_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sender_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sender_email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sender_is_microsoft: Mapped[bool] = mapped_column(Boolean, default=False)
    owns_customer_contract: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    favorite: Mapped[bool] = mapped_column(Boolean, default=False)
    solutions: Mapped[list] = mapped_column(JSON, default=list)
    invitations: Mapped[list] = mapped_column(JSON, default=list)
    registration: Mapped[dict] = mapped_column(JSON, default=dict)
    registration_status: Mapped[str] = mapped_column(String(24), default="None")
    engagement_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    # lower-cased name, customer, CRM id and notes: the filter-as-you-type haystack
    search_text: Mapped[str] = mapped_column(Text, default="")
    # (last, so the bulk path's rows may leave them out: ``bulk_io.OPTIONAL_DEAL_COLUMNS``)
    # R1.2: the location's identity (Partner Center's mpnId) when it came from Partner Center;
    # ``location`` is its name (``locations.name``), what users see and are scoped by.
    mpn_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    # The referral's keys cosell does not model (``model.partner_center.extras``), written back on export.
    pc_extra: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    team: Mapped[list[TeamRecord]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", order_by="TeamRecord.position",
        lazy="selectin",
    )
    notes: Mapped[list[NoteRecord]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", order_by="NoteRecord.id",
        lazy="selectin",
    )

    # Optimistic concurrency: every UPDATE says WHERE version = <read version>.
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        # The grid's orders: (tab, sort key, id), so a page is read from the index from the row
        # before it (keyset paging, ``model.store.queries``). The expiry key's index is below.
        Index("ix_deals_tab_close_id", "tab", "close_date", "id"),
        Index("ix_deals_tab_value_id", "tab", "value_usd", "id"),
        Index("ix_deals_tab_customer_id", "tab", "customer_name", "id"),
        Index("ix_deals_tab_name_id", "tab", "name", "id"),
        Index("ix_deals_tab_updated_id", "tab", "updated_at", "id"),
        Index("ix_deals_tab_stage_id", "tab", "stage_pct", "id"),
        Index("ix_deals_tab_closed_id", "tab", "closed_at", "id"),
        Index("ix_deals_favorite_updated_id", "favorite", "updated_at", "id"),
        # The filter as you type reads a tab's haystacks from this narrow index, not the wide rows.
        Index("ix_deals_tab_search", "tab", "search_text"),
        # The header's count, sums and "expire in 48 h" from the index alone.
        Index("ix_deals_tab_summary", "tab", "substatus", "expires_at", "value_usd", "stage_pct"),
        Index("ix_deals_favorite_summary", "favorite", "substatus", "expires_at", "value_usd", "stage_pct"),
        Index("ix_deals_location", "location"),
        Index("ix_deals_crm", "crm_id"),
        Index("ix_deals_expires", "substatus", "expires_at"),
    )


#: A received inbound deal waits for an answer and can expire (R8.2).
RECEIVED = ("Received", "Pending")

#: The inbound tab's sort key, "time left to answer": only a received deal has one (R8.2). Literal
#: values, never bound ones, so the query's expression is the index's and the index serves the order.
EXPIRY_KEY = case((DealRecord.substatus.in_([literal_column(f"'{s}'") for s in RECEIVED]), DealRecord.expires_at),
                  else_=None)
Index("ix_deals_tab_expiry_id", DealRecord.__table__.c.tab, Grouping(EXPIRY_KEY), DealRecord.__table__.c.id)

#: Indexes of schema 3 that schema 4 replaced (``model.store.migrations.migrate`` drops them).
REPLACED_INDEXES = ("ix_deals_tab_status_expires", "ix_deals_tab_close", "ix_deals_tab_value", "ix_deals_tab_customer",
                    "ix_deals_tab_name", "ix_deals_tab_updated", "ix_deals_tab_stage", "ix_deals_favorite")


class TeamRecord(Base):
    __tablename__ = "deal_team"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(200))
    email_lc: Mapped[str] = mapped_column(String(200), index=True)
    company: Mapped[str | None] = mapped_column(String(200), nullable=True)

    deal: Mapped[DealRecord] = relationship(back_populates="team")


class NoteRecord(Base):
    __tablename__ = "deal_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)

    deal: Mapped[DealRecord] = relationship(back_populates="notes")


class EventRecord(Base):
    """Append-only history of every write (who, when, what changed, why)."""

    __tablename__ = "deal_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(48))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class OutboxRecord(Base):
    """R12: messages to send; written in the same transaction as the change that causes them."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    deal_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    # A delivery run claims rows before sending (see model.notify), so two runs at
    # once never send the same message; a crashed run's claim lapses after a lease.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)

    __table_args__ = (Index("ix_outbox_pending", "sent_at", "id"),)


class AccountRecord(Base):
    """The customer-account catalogue searched when a deal is created (R4)."""

    __tablename__ = "accounts"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    norm_name: Mapped[str] = mapped_column(String(300), index=True)
    tab: Mapped[str] = mapped_column(String(16), index=True)
    linked_group: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    duns: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    city: Mapped[str | None] = mapped_column(String(120), nullable=True)
    country: Mapped[str | None] = mapped_column(String(8), nullable=True)
    macc: Mapped[bool] = mapped_column(Boolean, default=False)
    federal: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_name: Mapped[str | None] = mapped_column(String(300), nullable=True)


class SolutionRecord(Base):
    __tablename__ = "solutions"

    solution_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(16), index=True)
    publisher: Mapped[str] = mapped_column(String(200), default="")
    macc_eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    incentivized: Mapped[bool] = mapped_column(Boolean, default=False)
    registration_kind: Mapped[str | None] = mapped_column(String(24), nullable=True)
    cosell_ready: Mapped[bool] = mapped_column(Boolean, default=True)


class LocationRecord(Base):
    """R1.2: a program location. ``mpn_id`` is Partner Center's id for it (a referral's ``mpnId``),
    ``name`` what deals and users carry; an admin may rename it (``model.services.locations``)."""

    __tablename__ = "locations"

    mpn_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))


class PartnerRecord(Base):
    """Co-sell partners that can be invited to P2P deals (R7.4)."""

    __tablename__ = "partners"

    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    mpn_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    location: Mapped[str | None] = mapped_column(String(80), nullable=True)


class UserRecord(Base):
    """R1: who may see what. Keyed by OS login."""

    __tablename__ = "users"

    login: Mapped[str] = mapped_column(String(120), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(16), default="user")
    location: Mapped[str | None] = mapped_column(String(80), nullable=True)


class ChangeCounter(Base):
    """One row bumped by every write, so open dashboards notice others' changes cheaply."""

    __tablename__ = "change_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    counter: Mapped[int] = mapped_column(Integer, default=0)


from model.store import sync_tables  # noqa: E402,F401  (schema 3: the Partner Center sync's tables)
