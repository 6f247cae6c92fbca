"""The deal grid's columns: title, width, sort key and how a ``DealRow`` becomes a cell.

Kept apart from the table widget so the column chooser, the settings and the
table agree on one list. Every cell built from data goes through
``tui.text.clean`` (the table wraps it in a ``Text``, never markup), so a deal
named ``[bold red]x[/]`` shows those characters.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Callable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from model.domain import stages
from model.domain.enums import DealKind, PartnerRole, SaleType, Substatus
from model.domain.rules.lifecycle import RESPONSE_WINDOW, format_left, is_received_substatus
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
    domain: int = 0               # the widest its content can be (longest stage name...); 0: free text
    short: str = ""               # the title on narrow terminals


def _value(row: DealRow, _now) -> Cell:
    return f"{row.value:,.0f} {row.currency}", None


def _expires(row: DealRow, now: datetime) -> Cell:
    text, band = countdown(row.direction, row.substatus, row.expires_at, now)
    return text, (f"expiry-{band}" if band else None)


def _date(value) -> str:
    return value.isoformat() if value is not None else ""


def _stage_percent(stage: stages.Stage) -> str:
    return f"{stage.value} {stages.percent(stage)}%"


def _widest(texts) -> int:
    return max(map(cell_len, texts), default=0)


#: What the closed deals' stage cell says (R8.14), by substatus; open deals show "<stage> <percent>%".
_OUTCOMES = {"Won": "Won", "Lost": "Lost", "Declined": "Declined", "Expired": "Expired", "Error": "Closed as error"}
_DATE = len("2027-01-01")
_STAGE_WIDTH = _widest(("Received", *_OUTCOMES.values(), *(_stage_percent(s) for s in stages.Stage)))
_LEFT_WIDTH = _widest((format_left(RESPONSE_WINDOW - timedelta(minutes=1)), format_left(timedelta(0)),
                       format_left(timedelta(hours=23, minutes=59))))
_VALUE_WIDTH = cell_len("9,999,999 USD")  # a larger amount widens the column (``natural``): never cut


COLUMNS: dict[str, Column] = {c.key: c for c in (
    Column("favorite", "♥", 1, "favorite", lambda r, _n: ("♥" if r.favorite else "", "heart"),
           description="Favorite heart (R3.3)", domain=1),
    Column("name", "Deal", 16, "name", lambda r, _n: (clean(r.name), None), flex=3, description="Deal name",
           most=48),
    Column("customer", "Customer", 10, "customer", lambda r, _n: (clean(r.customer_name), None), flex=2,
           description="Customer account", most=36),
    Column("stage", "Stage", 8, "stage", lambda r, _n: (_stage_text(r), None),
           description="Sales stage and its %", domain=_STAGE_WIDTH),
    Column("value", "Value", 10, "value", _value, right=True, description="Deal value with currency",
           domain=_VALUE_WIDTH),
    Column("expires", "Expires in", 7, "expires", _expires, description="Time left to answer an inbound deal",
           domain=_LEFT_WIDTH, short="Expires"),
    Column("close_date", "Close date", 10, "close_date", lambda r, _n: (_date(r.close_date), None),
           description="Estimated close date", domain=_DATE),
    Column("kind", "Kind", 6, "kind", lambda r, _n: (_KIND_SHORT[r.kind], None),
           description="IP co-sell, services co-sell or solution assessment",
           domain=_widest(_KIND_SHORT.values())),
    Column("sale_type", "Sale type", 6, "sale_type",
           lambda r, _n: (r.sale_type.label if r.sale_type else "", None), description="Private, partner-led, co-sell, P2P",
           domain=_widest(s.label for s in SaleType)),
    Column("status", "Status", 6, "status", lambda r, _n: (r.substatus.label, None), description="Substatus",
           domain=_widest(s.label for s in Substatus)),
    Column("partner_role", "Partner role", 8, "partner_role",
           lambda r, _n: (r.partner_role.label if r.partner_role else "", None), description="Partner role (R11.2)",
           domain=_widest(r.label for r in PartnerRole), short="Role"),
    Column("partner_program", "Program", 10, "partner_program", lambda r, _n: (clean(r.partner_program or ""), None),
           description="Partner program (R11.2)", most=20),
    Column("crm_id", "CRM ID", 8, "crm_id", lambda r, _n: (clean(r.crm_id or ""), None), description="Your CRM's id",
           most=16),
    Column("location", "Location", 10, "location", lambda r, _n: (clean(r.location), None),
           description="Program location (R1.2)", most=16),
    Column("sender", "Sender", 8, "sender", lambda r, _n: (clean(r.sender_name or ""), None),
           description="Who sent an inbound deal", most=20),
    Column("updated", "Updated", 10, "updated", lambda r, _n: (_date(r.updated_at.date()), None),
           description="Last change", domain=_DATE),
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

    Widths come from each column's content domain, never from the rows that match (one match or a
    thousand: the same grid): a column of known words (stage, kind, status, dates, the countdown) is
    as wide as its widest word (``domain``) and its title, and is never cut; a free-text column wants
    ``most`` and gives way first, down to its minimum (``width``). A number is never cut either
    ("1,165,000…" reads as another amount): ``natural`` (the widest cell on screen, ``natural_widths``)
    widens a right-aligned column past its domain. What ``width`` leaves over goes to the flex columns
    (deal name, customer). Columns are two cells apart when that fits, one otherwise; on narrow
    terminals titles are short ("Expires" for "Expires in").

    When even the minimums do not fit, the grid scrolls sideways (the deal name stays:
    ``frozen_width``): the deal name and customer shrink toward their minimum (a third and a fifth
    of the width at most) so that as many of the next columns as fit are whole on screen (the stage,
    value and time left a triage reads next, at 80 columns); the scrolled columns keep their width.
    """
    cols = [COLUMNS[k] for k in keys if k in COLUMNS]
    if not cols:
        return []
    gaps = len(cols) - 1
    for short, gap in ((False, 2), (True, 2), (False, 1), (True, 1)):
        floor, want = _bounds(cols, natural or {}, sorted_key, short)
        if sum(floor) + gap * gaps <= width:
            return _placed(_titled(cols, short), _fitted(cols, floor, want, width - gap * gaps), gap)
    return _placed(_titled(cols, True), _scrolled(cols, floor, want, width), 1)


def _bounds(cols: list[Column], natural: dict[str, int], sorted_key: str | None,
            short: bool) -> tuple[list[int], list[int]]:
    """Each column's (floor, want): a domain column wants and needs its widest word; free text wants ``most``."""
    floor, want = [], []
    for col in cols:
        title = cell_len(col.short if short and col.short else col.title) + (2 if col.key == sorted_key else 0)
        least = max(col.width, title)
        if col.domain:
            least = max(least, min(col.domain, max(col.most, col.width)))
            if col.right:
                least = max(least, natural.get(col.key, 0))
        floor.append(least)
        want.append(least if col.domain else max(least, col.most))
    return floor, want


def _titled(cols: list[Column], short: bool) -> list[Column]:
    return [replace(c, title=c.short) if short and c.short else c for c in cols]


def _fitted(cols: list[Column], floor: list[int], want: list[int], room: int) -> list[int]:
    """Everything fits at its floor: shrink what wants more than there is, or share the spare."""
    widths = list(want)
    over = sum(widths) - room
    while over > 0:  # shrink the column with the most room above its floor (a flex column's counts less)
        i = max(range(len(cols)), key=lambda j: (widths[j] - floor[j]) / (1 + cols[j].flex))
        widths[i] -= 1
        over -= 1
    _grow(cols, widths, range(len(cols)), -over)
    return widths


def _scrolled(cols: list[Column], floor: list[int], want: list[int], width: int) -> list[int]:
    """Too wide: flex columns start at their floor, and grow (to a cap) only once the most columns are whole."""
    frozen = next((i for i, c in enumerate(cols) if c.key == "name"), -1)
    caps = [min(w, max(f, width // 3)) if i <= frozen else min(w, max(f, width // 5)) if c.flex else w
            for i, (c, f, w) in enumerate(zip(cols, floor, want))]
    widths = [f if c.flex else cap for c, f, cap in zip(cols, floor, caps)]
    used, shown = -1, 0
    while shown < len(cols) and used + 1 + widths[shown] <= width:
        used, shown = used + 1 + widths[shown], shown + 1
    spare = _grow(cols, widths, range(shown), width - max(used, 0), caps)
    _grow(cols, widths, range(shown), spare)  # the screen ends on a column's edge, not in a title
    return widths


def _grow(cols: list[Column], widths: list[int], among, spare: int, caps: list[int] | None = None) -> int:
    """Share ``spare`` cells among the flex columns in ``among`` by their flex (each up to its cap); the rest."""
    given = {i: 0 for i in among if cols[i].flex}
    while spare > 0:
        room = [i for i in given if caps is None or widths[i] < caps[i]]
        if not room:
            break
        i = min(room, key=lambda j: (given[j] + 1) / cols[j].flex)
        widths[i] += 1
        given[i] += 1
        spare -= 1
    return spare


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
    """The widest cell of each number column among ``rows`` (the rows on screen), in terminal cells:
    the one width ``layout`` takes from rows (an amount past its column's domain is never cut)."""
    out = {}
    for key in keys:
        col = COLUMNS.get(key)
        if col is not None and col.right:
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
    return _OUTCOMES.get(row.substatus.value) or _stage_percent(row.stage)
