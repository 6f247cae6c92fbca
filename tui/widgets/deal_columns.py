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

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
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
    most: int = 24                # widest a column grows to fit its content (flex columns: before spare width)


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
    Column("name", "Deal", 16, "name", lambda r, _n: (clean(r.name), None), flex=3, description="Deal name",
           most=48),
    Column("customer", "Customer", 10, "customer", lambda r, _n: (clean(r.customer_name), None), flex=2,
           description="Customer account", most=36),
    Column("stage", "Stage", 8, "stage", lambda r, _n: (_stage_text(r), None),
           description="Sales stage and its %"),
    Column("value", "Value", 10, "value", _value, right=True, description="Deal value with currency"),
    Column("expires", "Expires in", 10, "expires", _expires, description="Time left to answer an inbound deal"),
    Column("close_date", "Close date", 10, "close_date", lambda r, _n: (_date(r.close_date), None),
           description="Estimated close date"),
    Column("kind", "Kind", 6, "kind", lambda r, _n: (_KIND_SHORT[r.kind], None),
           description="IP co-sell, services co-sell or solution assessment"),
    Column("sale_type", "Sale type", 6, "sale_type",
           lambda r, _n: (r.sale_type.label if r.sale_type else "", None), description="Private, partner-led, co-sell, P2P"),
    Column("status", "Status", 6, "status", lambda r, _n: (r.substatus.label, None), description="Substatus"),
    Column("partner_role", "Partner role", 8, "partner_role",
           lambda r, _n: (r.partner_role.label if r.partner_role else "", None), description="Partner role (R11.2)"),
    Column("partner_program", "Program", 10, "partner_program", lambda r, _n: (clean(r.partner_program or ""), None),
           description="Partner program (R11.2)", most=20),
    Column("crm_id", "CRM ID", 8, "crm_id", lambda r, _n: (clean(r.crm_id or ""), None), description="Your CRM's id",
           most=16),
    Column("location", "Location", 10, "location", lambda r, _n: (clean(r.location), None),
           description="Program location (R1.2)", most=16),
    Column("sender", "Sender", 8, "sender", lambda r, _n: (clean(r.sender_name or ""), None),
           description="Who sent an inbound deal", most=20),
    Column("updated", "Updated", 10, "updated", lambda r, _n: (_date(r.updated_at.date()), None),
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


def layout(keys: list[str], width: int, natural: dict[str, int] | None = None,
           sorted_key: str | None = None) -> list[tuple[Column, int, int]]:
    """(column, x, width) for each visible column.

    ``natural``: the widest cell of each column among the rows on screen (``natural_widths``); a column
    is as wide as its content and title, within its minimum (``width``) and ``most``, so a short Sender
    leaves room for Deal and Customer. What ``width`` leaves over goes to the flex columns; when the
    columns do not fit, the one with most room above its minimum shrinks first (the deal name and
    customer, which need it most, last), never below their minimum: past that the grid scrolls
    sideways (the deal name stays: ``frozen_width``), and then the scrolled columns keep their content's
    width, the frozen ones take at most a third of the width and other text columns a fifth. Without ``natural``, every column starts at its
    minimum. Columns are two cells apart when that fits, one otherwise.
    """
    cols = [COLUMNS[k] for k in keys if k in COLUMNS]
    if not cols:
        return []
    widths = []
    for col in cols:
        title = len(col.title) + (2 if col.key == sorted_key else 0)
        content = (natural or {}).get(col.key, 0)
        widths.append(max(col.width, min(max(title, content), max(col.most, col.width))) if natural is not None
                      else col.width)
    # A number is never cut ("1,165,000…" reads as another amount): a right-aligned column's minimum
    # is its content; past that the grid scrolls sideways instead.
    floor = [max(c.width, (natural or {}).get(c.key, 0)) if c.right else c.width for c in cols]
    widths = [max(w, f) for w, f in zip(widths, floor)]
    minimum = sum(floor)
    gap = 2 if minimum + 2 * (len(cols) - 1) <= width else 1
    over = sum(widths) + gap * (len(cols) - 1) - width
    if natural is not None and minimum + gap * (len(cols) - 1) > width:
        # It scrolls sideways anyway: the frozen columns take at most a third of the width and a wide
        # text column (the customer) a fifth, so the short columns a triage reads next (stage, value,
        # time left) are still on screen at 80 columns; the others keep their content's width.
        frozen = next((i for i, c in enumerate(cols) if c.key == "name"), -1)
        return _placed(cols, [min(w, max(c.width, width // 3)) if i <= frozen
                              else min(w, max(c.width, width // 5)) if c.flex else w
                              for i, (c, w) in enumerate(zip(cols, widths))], gap)
    while over > 0:  # shrink the column with the most room above its minimum (a flex column's counts less)
        i = max(range(len(cols)), key=lambda j: (widths[j] - floor[j]) / (1 + cols[j].flex))
        if widths[i] <= floor[i]:
            break
        widths[i] -= 1
        over -= 1
    spare = max(-over, 0)
    flex_total = sum(c.flex for c in cols)
    flex_cols = [i for i, c in enumerate(cols) if c.flex]
    given = 0
    for i in flex_cols:
        extra = spare * cols[i].flex // flex_total if i != flex_cols[-1] else spare - given
        given += extra
        widths[i] += extra
    return _placed(cols, widths, gap)


def _placed(cols: list[Column], widths: list[int], gap: int) -> list[tuple[Column, int, int]]:
    out, x = [], 0
    for col, w in zip(cols, widths):
        out.append((col, x, w))
        x += w + gap
    return out


def frozen_width(columns: list[tuple[Column, int, int]]) -> int:
    """Cells at the left that never scroll sideways: every column up to the deal name, and its gap
    (a spreadsheet's frozen column: the name stays in view whatever column the cursor is on)."""
    for i, (col, _x, w) in enumerate(columns):
        if col.key == "name":
            return columns[i + 1][1] if i + 1 < len(columns) else _x + w
    return 0


def natural_widths(rows: list[DealRow], keys: list[str], now: datetime) -> dict[str, int]:
    """The widest cell of each column among ``rows`` (the rows on screen), in terminal cells."""
    out = {}
    for key in keys:
        col = COLUMNS.get(key)
        if col is not None:
            out[key] = max((cell_len(col.cell(r, now)[0]) for r in rows), default=0)
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


def fit_cell(value: str, width: int, right: bool) -> str:
    """``value`` cut to ``width`` cells (with an ellipsis) and padded, left- or right-aligned."""
    n = cell_len(value)
    if n > width:
        value, n = (set_cell_size(value, width - 1) + "…", width) if width > 0 else ("", 0)
    pad = " " * (width - n)
    return pad + value if right else value + pad


def row_segments(row: DealRow, columns: list[tuple[Column, int, int]], now: datetime,
                 style_of: Callable[[str], Style]) -> tuple[list[Segment], int]:
    """One deal as a line of cells (segments, and their width in cells); ``style_of`` turns a cell's style
    name ("heart", "expiry-24h") into a Style. Plain segments, not a ``Text``: the grid draws a row per
    line per frame, and building and rendering a ``Text`` cost several times more."""
    segments, x = [], 0
    for col, cx, w in columns:
        if cx > x:
            segments.append(Segment(" " * (cx - x)))
        value, part = col.cell(row, now)
        segments.append(Segment(fit_cell(value, w, col.right), style_of(part) if part else None))
        x = cx + w
    return segments, x


def _stage_text(row) -> str:
    """Received deals have no sales stage yet; closed ones show their outcome (R8.14)."""
    if is_received_substatus(row.substatus):
        return "Received"
    if row.substatus.value in ("Won", "Lost", "Declined", "Expired", "Error"):
        return "Closed as error" if row.substatus.value == "Error" else row.substatus.value
    return f"{row.stage.value} {stages.percent(row.stage)}%"
