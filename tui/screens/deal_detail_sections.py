"""What the deal detail screen shows, as Rich renderables built from one Deal.

Pure functions of (deal, events, now), so the screen only lays them out, and a
ticking clock re-renders the countdowns without reloading. Every value from the
data goes through ``literal``: a deal named ``[bold red]x[/]`` shows those
characters.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Iterable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from model.domain.enums import AccountMatch, AccountTab, Direction
from model.domain.rules.fx import to_usd, usd_day
from model.domain.rules.lifecycle import expiry_band, format_left, format_span, microsoft_window, time_left
from model.domain.schemas import Deal, Event
from model.domain.stages import info
from tui.screens.dialogs.register import eligibility_text
from tui.text import literal

#: History shows what changed, not the bookkeeping around it (times, the list of marked stages, the note's text).
QUIET_KEYS = {"note", "stages_marked", "updated_at", "accepted_at", "closed_at", "received_at", "expires_at",
              "microsoft_invited_at", "microsoft_responded_at"}
#: Events whose changes are the whole deal: saying what happened is enough.
QUIET_EVENTS = {"create", "received"}
BAND_STYLE = {"ok": "", "72h": "bold yellow", "24h": "bold red", "overdue": "bold reverse red"}
DASH = Text("—", style="dim")


def when(at: datetime | date | None) -> Text:
    if at is None:
        return DASH
    if isinstance(at, datetime):
        return Text(f"{at:%Y-%m-%d %H:%M} UTC")
    return Text(f"{at:%Y-%m-%d}")


def value_or_dash(value: object) -> Text:
    if value in (None, ""):
        return DASH
    return literal(getattr(value, "label", value))


def grid(rows: Iterable[tuple[str, RenderableType]]) -> Table:
    """A two-column key/value table; long values fold instead of pushing the layout."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(key, value)
    return table


def money(deal: Deal, now: datetime) -> Text:
    text = Text.assemble(f"{deal.value:,.2f} ", literal(deal.currency))
    if deal.currency.upper() != "USD":
        try:
            usd = to_usd(deal.value, deal.currency, usd_day(deal.closed_at, deal.close_date, deal.created_at))
            text.append(f"  ≈ {usd:,.0f} USD", style="dim")
        except ValueError:
            text.append("  (no exchange rate)", style="dim")
    return text


def expiry(deal: Deal, now: datetime) -> Text | None:
    """R8.2: the countdown of a received inbound deal, in its colour band."""
    left = time_left(deal, now)
    if left is None:
        return None
    band = expiry_band(left)
    shown = "overdue: expires at the next sweep" if band == "overdue" else f"expires in {format_left(left)}"
    return Text(shown, style=BAND_STYLE.get(band, ""))


def microsoft_text(deal: Deal, now: datetime) -> Text:
    """R7.3: Microsoft's status and, while invited, its 14-day window to decide."""
    text = Text(deal.microsoft_status.label)
    window = microsoft_window(deal, now)
    if window is not None:
        deadline, lapsed = window
        if lapsed:
            text.append(f"; its 14-day window ended {deadline:%Y-%m-%d}; you can go on alone (R7.3)", style="yellow")
        else:
            text.append(f"; decides by {deadline:%Y-%m-%d} ({format_span(deadline - now)} left, R7.3)")
    return text


def title_text(deal: Deal, now: datetime) -> Text:
    head = Text.assemble(Text("♥ " if deal.favorite else "", style="bold red"), literal(deal.name, "bold"))
    parts = [deal.direction.label, deal.kind.label]
    if deal.sale_type is not None:
        parts.append(deal.sale_type.label)
    parts.append(deal.substatus.label)
    if not deal.is_received:
        parts.append(f"{deal.stage.value} {info(deal.stage).percent}%")
    line = Text.assemble("\n", (" · ".join(parts), "dim"))
    countdown = expiry(deal, now)
    if countdown is not None:
        line.append(" · ")
        line.append_text(countdown)
    return Text.assemble(head, line)


def deal_fields(deal: Deal, now: datetime) -> Table:
    sender = Text("—", style="dim")
    if deal.sender_name or deal.sender_email:
        sender = literal(deal.sender_name or "")
        if deal.sender_email:
            sender.append_text(Text.assemble(" <", literal(deal.sender_email), ">"))
        if deal.sender_is_microsoft:
            sender.append(" (Microsoft seller)", style="dim")
    rows: list[tuple[str, RenderableType]] = [
        ("Name", literal(deal.name)),
        ("Direction", Text(deal.direction.label)),
        ("Kind", Text(deal.kind.label)),
        ("Sale type", Text(deal.sale_type.label if deal.sale_type else "— (assessment)")),
        ("Status", Text(f"{deal.status.label} · {deal.substatus.label}")),
        ("Stage", Text("not accepted yet (R8.2)", style="dim") if deal.is_received
         else Text(f"{deal.stage.value} ({info(deal.stage).percent} %)")),
        ("Location", Text.assemble(literal(deal.location), Text("  fixed (R1.2)", style="dim"))),
        ("Value", money(deal, now)),
        ("Close date", when(deal.close_date)),
        ("CRM ID", value_or_dash(deal.crm_id)),
        ("Campaign ID", value_or_dash(deal.campaign_id)),
        ("Partner role", value_or_dash(deal.partner_role)),
        ("Partner program", value_or_dash(deal.partner_program)),
        ("Solution area", value_or_dash(deal.solution_area)),
        ("Solution play", value_or_dash(deal.solution_play)),
        ("Marketplace", value_or_dash(deal.marketplace_intent)),
        ("Help wanted", Text(deal.help_type.label)),
        ("Microsoft", microsoft_text(deal, now)),
        ("Sender", sender if deal.direction is Direction.INBOUND else DASH),
        ("Created", when(deal.created_at)),
    ]
    if deal.direction is Direction.INBOUND:
        rows.append(("Received", when(deal.received_at)))
        countdown = expiry(deal, now)
        if countdown is not None:
            rows.append(("Answer by", Text.assemble(when(deal.expires_at), "  ", countdown)))
    rows += [("Accepted", when(deal.accepted_at)), ("Closed", when(deal.closed_at))]
    if deal.status_reason:
        rows.append(("Reason", literal(deal.status_reason)))
    rows += [("Updated", when(deal.updated_at)), ("ID", Text(f"{deal.id}  (version {deal.version})", style="dim"))]
    return grid(rows)


def customer_fields(deal: Deal) -> Table:
    c = deal.customer
    match = Text(c.match.label)
    if c.match is not AccountMatch.MANAGED:
        match.append("  registration needs a Microsoft-managed account (R4.5)", style="dim")
    source = Text(c.source.label)
    if c.source in (AccountTab.OTHER, AccountTab.MANUAL):
        source.append("  cannot be changed without support (R4.9)", style="dim")
    place = ", ".join(p for p in (c.city, c.country) if p)
    contacts = Text("\n").join(
        literal(" · ".join(p for p in (x.name, x.phone, x.email) if p)) for x in c.contacts) if c.contacts else DASH
    rows = [
        ("Customer", literal(c.name)),
        ("Account ID", value_or_dash(c.account_id)),
        ("DUNS", value_or_dash(c.duns)),
        ("Found in", source),
        ("Account match", match),
        ("MACC", Text("Yes: the customer has a MACC contract (R4.7)" if c.macc else "No")),
        ("Federal", Text("Yes (R4.6)" if c.federal else "No")),
        ("Place", literal(place) if place else DASH),
        ("Contacts", contacts),
        ("Consent", Text("Consent to share contacts with Microsoft (R4.10)" if c.consent_to_share else "Not given")),
    ]
    return grid(rows)


def registration_fields(deal: Deal, now: datetime) -> RenderableType:
    reg = deal.registration
    rows: list[tuple[str, RenderableType]] = [("Status", Text(reg.status.label))]
    if reg.submitted_at:
        rows.append(("Submitted", when(reg.submitted_at)))
    if reg.updated_at:
        rows.append(("Updated", when(reg.updated_at)))
    if reg.contract_value is not None:
        rows.append(("Contract", Text.assemble(f"{reg.contract_value:,.2f} ", literal(reg.currency or deal.currency))))
    if reg.message:
        rows.append(("Message", literal(reg.message)))
    return Group(eligibility_text(deal, now), grid(rows))


def team_text(deal: Deal) -> Text:
    if not deal.team:
        return Text("No team members", style="dim")
    lines = []
    for p in deal.team:
        line = Text.assemble(literal(p.name, "bold"), literal(f"  {p.phone}  {p.email}"))
        if p.company:
            line.append_text(literal(f"  ({p.company})", "dim"))
        lines.append(line)
    return Text("\n").join(lines)


def solution_flags(s) -> str:
    flags = [s.source.label]
    if s.registration_kind is not None:
        flags.append(s.registration_kind.label)
    if s.macc_eligible:
        flags.append("MACC eligible")
    if s.incentivized:
        flags.append("incentivized")
    flags.append("co-sell ready" if s.cosell_ready else "not co-sell ready")
    if s.assessment_location:
        flags.append(f"assessment in {s.assessment_location}")
    return " · ".join(flags)


def solutions_text(deal: Deal) -> Text:
    if not deal.solutions:
        return Text("No solutions", style="dim")
    lines = []
    for s in deal.solutions:
        line = Text.assemble(literal(s.name, "bold"))
        if s.publisher:
            line.append_text(literal(f"  by {s.publisher}", "dim"))
        line.append_text(Text.assemble("\n  ", literal(solution_flags(s), "dim")))
        lines.append(line)
    return Text("\n").join(lines)


def invitations_text(deal: Deal) -> Text:
    if not deal.invitations:
        return Text("Nobody invited", style="dim")
    lines = []
    for inv in deal.invitations:
        line = Text.assemble(literal(inv.partner_name, "bold"), f"  {inv.status.label}")
        if inv.invited_at:
            line.append(f" · invited {inv.invited_at:%Y-%m-%d}")
        if inv.responded_at:
            line.append(f" · answered {inv.responded_at:%Y-%m-%d}")
        details = [inv.help_type.label]
        if inv.value is not None:
            details.append(f"{inv.value:,.0f} {inv.currency or ''}".strip())
        if inv.close_date:
            details.append(f"closes {inv.close_date:%Y-%m-%d}")
        line.append_text(Text.assemble("\n  ", literal(" · ".join(details), "dim")))
        if inv.notes:
            line.append_text(Text.assemble("\n  ", literal(inv.notes)))
        lines.append(line)
    return Text("\n").join(lines)


def notes_text(deal: Deal) -> Text:
    """R5: the on-the-record log, oldest first, each with its author and time."""
    if not deal.notes:
        return Text("No notes yet", style="dim")
    entries = []
    for note in deal.notes:
        entries.append(Text.assemble(Text(f"{note.at:%Y-%m-%d %H:%M} UTC  ", style="dim"),
                                     literal(note.author, "bold"), "\n", literal(note.text)))
    return Text("\n").join(entries)


def _change(key: str, value: object) -> str:
    if isinstance(value, list) and len(value) == 2 and not any(isinstance(v, (list, dict)) for v in value):
        old, new = ("—" if v in (None, "") else v for v in value)
        shown = f"{key} {old} → {new}"
        return shown if len(shown) <= 60 else key
    return key


def history_text(events: list[Event]) -> Text:
    """Who did what and when: the audit events of the deal."""
    if not events:
        return Text("No history", style="dim")
    lines = []
    for e in events:
        line = Text.assemble(Text(f"{e.at:%Y-%m-%d %H:%M}  ", style="dim"), literal(e.actor, "bold"),
                             f"  {e.action}")
        changes = [] if e.action in QUIET_EVENTS else [
            _change(k, v) for k, v in e.changes.items() if k not in QUIET_KEYS]
        if changes:
            line.append_text(Text.assemble("\n  ", literal(", ".join(changes), "dim")))
        if e.reason:
            line.append_text(Text.assemble("\n  reason: ", literal(e.reason)))
        lines.append(line)
    return Text("\n").join(lines)
