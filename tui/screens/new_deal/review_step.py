"""Step 7: everything the deal will be, what type it became, whether it could
be registered and why not, and the one button that writes it (R8.5: it lands
in Outbound in stage Created)."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Button, Static

from model.domain.enums import DealKind
from model.domain.errors import Violation
from model.domain.schemas import DealDraft
from tui.screens.new_deal.base import FieldError, WizardStep, describe, step_heading
from model.domain.rules.outlook import registration_outlook
from tui.text import literal


def _money(value, currency: str | None) -> str:
    return "—" if value is None else f"{value:,.2f} {currency or ''}".replace(".00 ", " ").strip()


def summary_table(draft: DealDraft) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1)

    def add(label: str, value, style: str = "") -> None:
        grid.add_row(label, value if isinstance(value, Text) else literal("—" if value in (None, "") else value,
                                                                          style=style))

    c = draft.customer
    if c is not None:
        who = literal(c.name, style="bold")
        where = ", ".join(p for p in (c.city, c.country) if p)
        who.append_text(literal(f" · {c.source.label}" + (f" · {where}" if where else "")))
        if c.macc:
            who.append(" · MACC", style="green")
        if c.federal:
            who.append(" · federal", style="yellow")
        add("Customer", who)
        if c.contacts:
            k = c.contacts[0]
            add("Contact", literal(" · ".join(p for p in (k.name, k.phone, k.email) if p)
                                   + (" · consent given" if c.consent_to_share else " · no consent to share")))
    else:
        add("Customer", None)
    add("Kind", draft.kind.label)
    add("Deal name", draft.name)
    add("Location", literal(draft.location or "—").append(" (cannot be changed later)", style="dim"))
    add("Value", _money(draft.value, draft.currency))
    add("Close date", draft.close_date.isoformat() if draft.close_date else None)
    if draft.is_services_cosell:
        add("Partner role", draft.partner_role.label if draft.partner_role else None)
        add("Partner program", draft.partner_program)
    add("Solution area", draft.solution_area)
    add("Solution play", draft.solution_play)
    if draft.crm_id or draft.campaign_id:
        add("CRM / campaign", " · ".join(p for p in (draft.crm_id, draft.campaign_id) if p))
    if draft.is_ip_cosell:
        add("Marketplace", draft.marketplace_intent.label if draft.marketplace_intent else None)
    add("Team", ", ".join(p.name for p in draft.team))
    sols = Text()
    for i, s in enumerate(draft.solutions):
        if i:
            sols.append("; ")
        sols.append_text(literal(s.name))
        tags = [t for t, on_ in (("MACC-eligible", s.macc_eligible), ("incentivized", s.incentivized)) if on_]
        if s.registration_kind:
            tags.append(s.registration_kind.label)
        if s.assessment_location:
            tags.append(f"in {s.assessment_location}")
        if tags:
            sols.append_text(literal(f" ({', '.join(tags)})", style="dim"))
    add("Solutions", sols if draft.solutions else None)
    if draft.kind is not DealKind.SOLUTION_ASSESSMENT:
        add("Microsoft help", draft.help_type.label)
        partners = [i for i in draft.invitations if not i.is_microsoft]
        if partners:
            invited = Text()
            for i, inv in enumerate(partners):
                if i:
                    invited.append("; ")
                invited.append_text(literal(inv.partner_name, style="bold"))
                invited.append_text(literal(f" (close {inv.close_date}, {_money(inv.value, inv.currency)})",
                                            style="dim"))
            add("Invited", invited)
    add("Notes", draft.notes)
    return grid


class ReviewStep(WizardStep):
    key = "review"
    title = "Review"
    owns_fields = ()

    def compose(self) -> ComposeResult:
        yield from step_heading("Review and create", "Nothing is saved until you create the deal.")
        yield Static("", id="review-summary")
        yield Static("", id="review-type")
        yield Static("", id="review-registration")
        yield FieldError("", id="err-review")

    def owns(self, field: str | None) -> bool:
        return True  # the last look: every problem left, whichever step it belongs to

    def enter(self, draft: DealDraft) -> None:
        self.query_one("#review-summary", Static).update(summary_table(draft))
        outlook = registration_outlook(draft, self.ctx.now())
        kind = Text("It becomes: ", style="bold")
        if outlook.sale_type is None:
            kind.append("a solution assessment deal", style="bold reverse")
        else:
            kind.append(f" {outlook.sale_type.label} ", style="bold reverse")
            kind.append(f" {draft.kind.label}")
        kind.append(" · lands in Outbound, stage Created (R8.5)", style="dim")
        self.query_one("#review-type", Static).update(kind)
        reg = Text("Deal registration: ", style="bold")
        if outlook.could_register:
            reg.append("could be registered (R10) once these hold:", style="green")
            for c in outlook.conditions:
                reg.append("\n  · ")
                reg.append_text(literal(c))
        else:
            reg.append("not eligible as it stands:", style="yellow")
            for v in outlook.unmet:
                reg.append("\n  · ")
                reg.append_text(literal(f"{v.message} ({v.rule})"))
        self.query_one("#review-registration", Static).update(reg)

    def show_violations(self, violations: list[Violation]) -> list[FieldError]:
        steps = self.wizard.steps_by_key()
        lines = []
        for v in violations:
            owner = next((s for k, s in steps.items() if k != "review" and s.owns(v.field)), None)
            where = f"{owner.title}: " if owner else ""
            lines.append(where + describe(v, ""))
        slot = self.query_one("#err-review", FieldError)
        slot.show(lines)
        return [slot] if lines else []

    def focus_first(self) -> None:
        self.screen.query_one("#wizard-next", Button).focus()
