"""What a face asks the read side for, and what it gets back: a page query (tab, filter,
sort, window), a window of pages read together with their count, and a tab's summary line.
Plain values, so a face can build a query without knowing how the store answers it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from model.domain.enums import DealKind, Substatus, Tab
from model.domain.schemas import DealRow
from model.domain.stages import Stage

#: The columns a list can be sorted by (the store maps each to its SQL expression).
SORT_KEYS: tuple[str, ...] = ("name", "customer", "kind", "sale_type", "stage", "status", "value", "close_date", "expires", "partner_role", "partner_program", "crm_id", "favorite", "location", "sender", "created", "updated", "closed")

DEFAULT_SORT = {Tab.INBOUND: ("expires", False), Tab.OUTBOUND: ("close_date", False),
                Tab.FAVORITES: ("updated", True), Tab.CLOSED: ("closed", True)}

#: Deals that never reached a sales stage: received and waiting (R8.2), or answered with a decline
#: or by expiry before anyone accepted them (R8.1: received → accepted → won or lost). Their stored
#: ``stage`` is only a placeholder, so the stage filter leaves them out: "stage: Accepted" means
#: accepted (R8.5), never "received".
STAGELESS_SUBSTATUSES = frozenset({Substatus.RECEIVED, Substatus.PENDING, Substatus.DECLINED, Substatus.EXPIRED})

#: The stage track in the order a deal moves along it: the sales stages (R8.7), the solution
#: assessment's own (R8.8), Won last. The quick filter offers stages in this order.
STAGE_TRACK: tuple[Stage, ...] = (
    Stage.CREATED, Stage.ACCEPTED, Stage.QUALIFIED, Stage.DEVELOPED, Stage.PROPOSED, Stage.NEGOTIATED,
    Stage.SCOPED, Stage.ASSESSING, Stage.DELIVERED, Stage.WON,
)


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


#: Where a page starts or ends in its query's order: made by the store from a row's sort key and id,
#: handed back unchanged to fetch the next (or previous) page without counting rows (keyset paging).
PageKey = tuple


@dataclass(frozen=True)
class DealPage:
    """Rows ``index * size`` … of a query, with the keys of its first and last row (None: empty)."""

    index: int
    rows: list[DealRow]
    first: PageKey | None
    last: PageKey | None


@dataclass(frozen=True)
class PageWant:
    """A page the grid needs, and what it already holds next to it: the last key of the page
    before (``after``) or the first key of the page after (``before``), or neither (counted)."""

    index: int
    size: int
    after: PageKey | None = None
    before: PageKey | None = None


@dataclass(frozen=True)
class DealView:
    """How many deals match and the pages asked for, from one consistent read (never a count
    from one moment beside rows from another)."""

    total: int
    pages: list[DealPage]


@dataclass
class TabSummary:
    """The header line of a tab: counts and pipeline value (value × stage %)."""

    count: int
    total_usd: float
    weighted_usd: float
    expiring_48h: int
