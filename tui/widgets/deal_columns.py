"""The deal grid's columns: title, width, sort key and how a ``DealRow`` becomes a cell.

Kept apart from the table widget so the column chooser, the settings and the
table agree on one list. Every cell built from data goes through
``tui.text.clean`` (the table wraps it in a ``Text``, never markup), so a deal
named ``[bold red]x[/]`` shows those characters.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from rich.style import Style
from rich.text import Text

from model.domain import stages
from model.domain.enums import DealKind
from model.domain.rules.lifecycle import is_received_substatus
from model.domain.schemas import DealRow
from tui.settings import ALL_COLUMNS
from tui.text import clean
from tui.widgets.expiry import countdown

#: (text, style) where style names a component class suffix of the table ("heart", "expiry-24h", ...).
Cell = tuple[str, str | None]

_KIND_SHORT = {DealKind.IP_COSELL: "IP co-sell", DealKind.SERVICES_COSELL: "Services",
               DealKind.IP_AND_SERVICES: "IP+services", DealKind.SOLUTION_ASSESSMENT: "Assessment"}


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int                    # minimum width in cells
    sort: str | None              # one of model.domain.listing.SORT_KEYS, None: not sortable
    cell: Callable[[DealRow, datetime], Cell]
    flex: int = 0                 # share of spare width (name and customer grow)
    right: bool = False           # right-aligned (numbers)
    description: str = ""         # shown in the column chooser


def _value(row: DealRow, _now) -> Cell:
    return f"{row.value:,.0f} {row.currency}", None


def _expires(row: DealRow, now: datetime) -> Cell:
    text, band = countdown(row.direction, row.substatus, row.expires_at, now)
    return text, (f"expiry-{band}" if band else None)


def _date(value) -> str:
    return value.isoformat() if value is not None else ""


COLUMNS: dict[str, Column] = {c.key: c for c in (
    Column("favorite", "♥", 1, "favorite", lambda r, _n: ("♥" if r.favorite else "", "heart"),
           description="Favorite heart (R3.3)"),
    Column("name", "Deal", 16, "name", lambda r, _n: (clean(r.name), None), flex=3, description="Deal name"),
    Column("customer", "Customer", 12, "customer", lambda r, _n: (clean(r.customer_name), None), flex=2,
           description="Customer account"),
    Column("stage", "Stage", 14, "stage", lambda r, _n: (_stage_text(r), None),
           description="Sales stage and its %"),
    Column("value", "Value", 14, "value", _value, right=True, description="Deal value with currency"),
    Column("expires", "Expires in", 12, "expires", _expires, description="Time left to answer an inbound deal"),
    Column("close_date", "Close date", 12, "close_date", lambda r, _n: (_date(r.close_date), None),
           description="Estimated close date"),
    Column("kind", "Kind", 10, "kind", lambda r, _n: (_KIND_SHORT[r.kind], None),
           description="IP co-sell, services co-sell or solution assessment"),
    Column("sale_type", "Sale type", 11, "sale_type",
           lambda r, _n: (r.sale_type.label if r.sale_type else "", None), description="Private, partner-led, co-sell, P2P"),
    Column("status", "Status", 10, "status", lambda r, _n: (r.substatus.label, None), description="Substatus"),
    Column("partner_role", "Partner role", 16, "partner_role",
           lambda r, _n: (r.partner_role.label if r.partner_role else "", None), description="Partner role (R11.2)"),
    Column("partner_program", "Program", 14, "partner_program", lambda r, _n: (clean(r.partner_program or ""), None),
           description="Partner program (R11.2)"),
    Column("crm_id", "CRM ID", 12, "crm_id", lambda r, _n: (clean(r.crm_id or ""), None), description="Your CRM's id"),
    Column("location", "Location", 10, "location", lambda r, _n: (clean(r.location), None),
           description="Program location (R1.2)"),
    Column("sender", "Sender", 16, "sender", lambda r, _n: (clean(r.sender_name or ""), None),
           description="Who sent an inbound deal"),
    Column("updated", "Updated", 11, "updated", lambda r, _n: (_date(r.updated_at.date()), None),
           description="Last change"),
)}

assert tuple(COLUMNS) == ALL_COLUMNS, "settings.ALL_COLUMNS and COLUMNS must list the same keys in order"


#: A deal's sync mark in the grid's gutter: a glyph, so it reads without colour (NO_COLOR); none: in step.
SYNC_GLYPHS = {"in_step": " ", "pending": "↑", "failed": "✗", "conflict": "≠"}
SYNC_MEANING = {"in_step": "in step with Partner Center", "pending": "not yet pushed",
                "failed": "refused by Partner Center", "conflict": "in conflict (changed here and there)"}


def sync_cell(state: str | None) -> Cell:
    """The gutter's sync mark and its style name (``sync-pending``, ...); unknown yet: blank."""
    if state is None or state == "in_step":
        return " ", None
    return SYNC_GLYPHS.get(state, "?"), f"sync-{state}"


def column_for_sort(sort_key: str) -> str | None:
    """The column that shows a sort key (for the header's ▲/▼)."""
    for col in COLUMNS.values():
        if col.sort == sort_key:
            return col.key
    return None


def layout(keys: list[str], width: int) -> list[tuple[Column, int, int]]:
    """(column, x, width) for each visible column; flex columns share what ``width`` leaves over.

    Columns are two cells apart when that fits, one otherwise; past the minimum
    widths the grid scrolls sideways rather than squeezing a column.
    """
    cols = [COLUMNS[k] for k in keys if k in COLUMNS]
    if not cols:
        return []
    minimum = sum(c.width for c in cols)
    gap = 2 if minimum + 2 * (len(cols) - 1) <= width else 1
    base = minimum + gap * (len(cols) - 1)
    spare = max(width - base, 0)
    flex_total = sum(c.flex for c in cols)
    out, x, given = [], 0, 0
    flex_cols = [c for c in cols if c.flex]
    for col in cols:
        w = col.width
        if spare and col.flex:
            extra = spare * col.flex // flex_total
            if col is flex_cols[-1]:
                extra = spare - given
            given += extra
            w += extra
        out.append((col, x, w))
        x += w + gap
    return out


def fit(cell: Text, width: int, right: bool) -> Text:
    """The cell cut to ``width`` cells (with an ellipsis) and padded, left- or right-aligned."""
    cell.no_wrap = True
    cell.truncate(width, overflow="ellipsis")
    if cell.cell_len < width:
        if right:
            cell.pad_left(width - cell.cell_len)
        else:
            cell.pad_right(width - cell.cell_len)
    return cell


def header_text(columns: list[tuple[Column, int, int]], sorted_key: str | None, descending: bool,
                cursor: int | None, sorted_style: Style, cursor_style: Style) -> Text:
    """The header row: titles, ▲/▼ on the sorted column, the focused column (``cursor``) marked."""
    text = Text(no_wrap=True)
    for i, (col, x, w) in enumerate(columns):
        text.append(" " * (x - text.cell_len))
        title, style = col.title, Style()
        if col.key == sorted_key:
            title += " ▼" if descending else " ▲"
            style += sorted_style
        if i == cursor:
            style += cursor_style
        text.append_text(fit(Text(title, style=style), w, col.right))
    return text


def row_text(row: DealRow, columns: list[tuple[Column, int, int]], now: datetime,
             style_of: Callable[[str], Style]) -> Text:
    """One deal as a line of cells; ``style_of`` turns a cell's style name ("heart", "expiry-24h") into a Style."""
    text = Text(no_wrap=True)
    for col, x, w in columns:
        text.append(" " * (x - text.cell_len))
        value, part = col.cell(row, now)
        text.append_text(fit(Text(value, style=style_of(part) if part else Style()), w, col.right))
    return text


def _stage_text(row) -> str:
    """Received deals have no sales stage yet; closed ones show their outcome (R8.14)."""
    if is_received_substatus(row.substatus):
        return "Received"
    if row.substatus.value in ("Won", "Lost", "Declined", "Expired", "Error"):
        return "Closed as error" if row.substatus.value == "Error" else row.substatus.value
    return f"{row.stage.value} {stages.percent(row.stage)}%"
