"""Tables of the Partner Center sync (schema version 3).

``sync_state`` keeps, per deal, what Partner Center last confirmed: its eTag (sent back
verbatim as ``If-Match``), the deal version that was then in step, and the referral as cosell
renders it at that version (the base a push's JSON Patch is made from). A deal whose version is
newer than its ``synced_version`` has local changes still to push: that is the offline queue,
and it is written by the change's own transaction for free (every change bumps the version),
so no service needs to know about sync. ``state`` says what stops a push (``conflict``: a 412
or a pull that found Partner Center changed too, with Partner Center's version in ``theirs``;
``failed``: Partner Center refused the change, with its words in ``last_error``).

``sync_cursor`` is one row: the newest ``updatedDateTime`` pulled (the next pull's
``$filter``) and when the last pull and push ran.

No foreign key to ``deals``: a new outbound deal changes its id to the one Partner Center
assigns (``model.store.sync.replace_deal_id``), and the state row moves with it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from model.store.tables import Base, UTCDateTime


class SyncStateRecord(Base):
    __tablename__ = "sync_state"

    deal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(200), nullable=True)
    synced_version: Mapped[int] = mapped_column(Integer, default=0)
    base: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="in_step", index=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    theirs: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    theirs_etag: Mapped[str | None] = mapped_column(String(200), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SyncCursorRecord(Base):
    __tablename__ = "sync_cursor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_updated: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_pull_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
