"""What a face asks the read side for, and what it gets back: a page query (tab, filter,
sort, window) and a tab's summary line. Plain values, so a face can build a query without
knowing how the store answers it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from model.domain.enums import DealKind, Tab
from model.domain.stages import Stage

#: The columns a list can be sorted by (the store maps each to its SQL expression).
SORT_KEYS: tuple[str, ...] = ("name", "customer", "kind", "sale_type", "stage", "status", "value", "close_date", "expires", "partner_role", "partner_program", "crm_id", "favorite", "location", "sender", "created", "updated", "closed")

DEFAULT_SORT = {Tab.INBOUND: ("expires", False), Tab.OUTBOUND: ("close_date", False),
                Tab.FAVORITES: ("updated", True), Tab.CLOSED: ("closed", True)}


@dataclass
class DealQuery:
    tab: Tab = Tab.INBOUND
    text: str = ""
    stage: Stage | None = None
    kind: DealKind | None = None
    expiring_within: timedelta | None = None
    sort: str | None = None
    descending: bool = False
    offset: int = 0
    limit: int = 50
    ids: list[str] | None = field(default=None)


@dataclass
class TabSummary:
    """The header line of a tab: counts and pipeline value (value × stage %)."""

    count: int
    total_usd: float
    weighted_usd: float
    expiring_48h: int
