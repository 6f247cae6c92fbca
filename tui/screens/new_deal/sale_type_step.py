"""Step 6 (not for solution assessments): the two questions of R7 and the
partners to invite (R7.4). The sale type they lead to is shown live, from the
model's ``sale_type_for``."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, OptionList, RadioSet, Select, Static
from textual.widgets.option_list import Option

from model.domain.enums import HelpType, SaleType
from model.domain.errors import Violation
from model.domain.rules.lifecycle import sale_type_for
from model.domain.schemas import DealDraft, Invitation
from tui.screens.dialogs.toggles import RadioButton
from tui.screens.new_deal.base import ChoiceSet, FieldError, WizardStep, row, step_heading
from tui.text import literal

MEANING = {
    SaleType.PRIVATE: "you work alone and Microsoft sees nothing; you can upgrade it later (R7.1, R7.5).",
    SaleType.PARTNER_LED: "you work alone, and Microsoft sellers can see the deal (R7.2).",
    SaleType.CO_SELL: "Microsoft is asked for help and has 14 days to decide; asking does not guarantee a seller "
                      "joins. Say in the notes what help you want (R7.3).",
    SaleType.P2P: "the invited partners get the deal in their Inbound (R7.4).",
}


def invitation_prompt(inv: Invitation) -> Text:
    text = literal(inv.partner_name, style="bold")
    parts = []
    if inv.close_date:
        parts.append(f"close {inv.close_date.isoformat()}")
    if inv.value is not None:
        parts.append(f"{inv.value:,.0f} {inv.currency or ''}".strip())
    parts.append(inv.help_type.label)
    parts.append(f"{len(inv.team)} on team · {len(inv.solutions)} solution(s)")
    text.append("  ")
    text.append(" · ".join(parts), style="dim")
    return text


class Invitations(OptionList):
    BINDINGS = [
        Binding("i", "invite", "Invite partner"),
        Binding("delete,backspace", "remove", "Remove"),
        Binding("e", "edit", "Edit"),
    ]

    def action_invite(self) -> None:
        self.query_ancestor(SaleTypeStep).invite()

    def action_remove(self) -> None:
        self.query_ancestor(SaleTypeStep).remove_highlighted()

    def action_edit(self) -> None:
        self.query_ancestor(SaleTypeStep).edit_highlighted()


class SaleTypeStep(WizardStep):
    key = "sale_type"
    title = "Sale type"
    # asking Microsoft for help makes the customer contact required (R4.10): shown here too
    owns_fields = ("sale_type", "help_type", "share_with_microsoft", "invitations", "customer.contacts",
                   "customer.consent_to_share")

    def __init__(self) -> None:
        super().__init__()
        self.invitations: list[Invitation] = []

    def compose(self) -> ComposeResult:
        yield from step_heading("Sale type", "Two questions decide who sees and works on this deal (R7).")
        yield from row("What help do you need from Microsoft?",
                       Select([(h.label, h) for h in HelpType], value=HelpType.NONE, allow_blank=False,
                              id="help", compact=True), key="help_type", classes="tall-label")
        yield FieldError("customer", id="err-sale-customer")
        yield Static("Should Microsoft sellers see this deal?", id="share-question", classes="question")
        with ChoiceSet(id="share", compact=True):
            yield RadioButton("No", value=True, id="share-no")
            yield RadioButton("Yes", id="share-yes")
        yield FieldError("share_with_microsoft")
        yield Static("", id="sale-type-preview")
        yield Static("Invited partners (P2P, R7.4): i invites · e edits · delete removes", classes="section-title")
        yield Invitations(id="invitations")
        yield FieldError("invitations")
        yield Button("Invite partner…", id="invite-partner", compact=True)
        yield FieldError("sale_type")

    def on_mount(self) -> None:
        self._render_invitations()
        self._preview()

    # -- the questions -------------------------------------------------------------------
    def help_type(self) -> HelpType:
        value = self.query_one("#help", Select).value
        return value if isinstance(value, HelpType) else HelpType.NONE

    def share(self) -> bool:
        return self.query_one("#share", RadioSet).pressed_index == 1

    def sale_type(self) -> SaleType | None:
        return sale_type_for(self.help_type(), self.share(), bool(self.invitations), self.wizard.draft.kind)

    @on(Select.Changed, "#help")
    @on(RadioSet.Changed, "#share")
    def _preview(self) -> None:
        asking = self.help_type() is not HelpType.NONE
        share = self.query_one("#share", RadioSet)
        share.disabled = asking
        if asking:
            self.query_one("#share-question", Static).update(
                "Should Microsoft sellers see this deal? Yes: asking for help shares the deal with Microsoft.")
        else:
            self.query_one("#share-question", Static).update("Should Microsoft sellers see this deal?")
        sale = self.sale_type()
        text = Text("This deal will be: ")
        if sale is None:
            text.append("a solution assessment", style="bold")
        else:
            text.append(sale.label, style="bold reverse")
            text.append(" — " + MEANING[sale])
            if asking and self.invitations:
                text.append(" Microsoft is invited together with the partners.")
        if asking:
            text.append("\nA customer contact and the customer's consent to share it are required (step 1, R4.10).",
                        style="yellow")
        self.query_one("#sale-type-preview", Static).update(text)

    # -- invitations ---------------------------------------------------------------------
    def _render_invitations(self) -> None:
        olist = self.query_one("#invitations", Invitations)
        if self.invitations:
            olist.set_options([Option(invitation_prompt(inv), id=f"inv-{i}") for i, inv in enumerate(self.invitations)])
        else:
            olist.set_options([Option(Text("No partner invited.", style="italic"), id="inv-none", disabled=True)])

    @on(Button.Pressed, "#invite-partner")
    def _invite_button(self) -> None:
        self.invite()

    def invite(self, index: int | None = None) -> None:
        from tui.screens.invite import InvitePartnerDialog

        draft = self.wizard.current_draft()
        existing = self.invitations[index] if index is not None else None

        def done(inv: Invitation | None) -> None:
            if inv is None:
                return
            if index is None:
                self.invitations.append(inv)
            else:
                self.invitations[index] = inv
            self._render_invitations()
            self.query_one("#err-invitations", FieldError).show([])
            self._preview()
            self.query_one("#invitations", Invitations).focus()

        self.app.push_screen(InvitePartnerDialog(draft=draft, invitation=existing), done)

    def remove_highlighted(self) -> None:
        index = self.query_one("#invitations", Invitations).highlighted
        if index is None or index >= len(self.invitations):
            return
        del self.invitations[index]
        self._render_invitations()
        self._preview()

    def edit_highlighted(self) -> None:
        index = self.query_one("#invitations", Invitations).highlighted
        if index is not None and index < len(self.invitations):
            self.invite(index)

    # -- draft ---------------------------------------------------------------------------
    def enter(self, draft: DealDraft) -> None:
        self._preview()

    def load(self, draft: DealDraft) -> None:
        self.query_one("#help", Select).value = draft.help_type
        self.query_one("#share-yes" if draft.share_with_microsoft else "#share-no", RadioButton).value = True
        self.invitations = [i.model_copy(deep=True) for i in draft.invitations if not i.is_microsoft]
        self._render_invitations()
        self._preview()

    def save(self, draft: DealDraft) -> list[Violation]:
        draft.help_type = self.help_type()
        draft.share_with_microsoft = self.share() or draft.help_type is not HelpType.NONE
        draft.invitations = [i.model_copy(deep=True) for i in self.invitations]
        return []

    def focus_first(self) -> None:
        self.query_one("#help", Select).focus()
