"""The new-deal wizard: R4–R7 one step at a time, the model judging each step.

Steps: Customer (the search modal, R4) → Details (R5) → Marketplace (IP
co-sell, R5.1) → Team (R6.1–R6.2) → Solutions (R6.4–R6.7) → Sale type (R7;
not for solution assessments) → Review. ``ctrl+n`` moves on only when the
model (``svc.draft_violations`` over the whole draft) finds nothing wrong with
the current step's fields; each problem is shown under its field. ``esc``
goes back a step and keeps everything typed. A warning the model wants
confirmed (R6.7: a MACC customer without a MACC-eligible solution) does not
stop the steps; Create asks for the confirmation and then passes it on
(``confirm_warnings=True``). Nothing is written until Create on the last step;
the deal lands in Outbound in stage Created (R8.5).

Dismisses with the created ``Deal``, or None if the user discards the draft.
"""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, ContentSwitcher, Footer, Static

from model import services as svc
from model.domain.enums import DealKind, HelpType
from model.domain.errors import CosellError, RuleViolation, Violation, refusals
from model.domain.schemas import Deal, DealDraft
from tui.deal_actions import show_error, warning_text, warning_title
from tui.screens.dialogs import ConfirmDialog
from tui.screens.dialogs.type_ahead import TYPE_AHEAD_BINDINGS, TypeAhead
from tui.screens.new_deal.base import WizardStep
from tui.screens.new_deal.customer_step import CustomerStep
from tui.screens.new_deal.details_step import DetailsStep
from tui.screens.new_deal.marketplace_step import MarketplaceStep
from tui.screens.new_deal.review_step import ReviewStep
from tui.screens.new_deal.sale_type_step import SaleTypeStep
from tui.screens.new_deal.solutions_step import SolutionsStep
from tui.screens.new_deal.team_step import TeamStep
from tui.service_call import Cancelled, in_thread
from tui.text import literal

STEPS = (CustomerStep, DetailsStep, MarketplaceStep, TeamStep, SolutionsStep, SaleTypeStep, ReviewStep)


def step_keys(kind: DealKind) -> list[str]:
    """The steps a deal of ``kind`` goes through: marketplace intent is IP co-sell only (R5.1); solution
    assessments have no sale-type questions (R2.4, R7)."""
    keys = ["customer", "details"]
    if kind.is_ip_cosell:
        keys.append("marketplace")
    keys += ["team", "solutions"]
    if kind is not DealKind.SOLUTION_ASSESSMENT:
        keys.append("sale_type")
    keys.append("review")
    return keys


class DiscardDialog(ModalScreen[bool]):
    """Leaving the wizard from its first step with something typed: confirm before throwing it away."""

    DEFAULT_CSS = """
    DiscardDialog { align: center middle; background: $background 60%; }
    DiscardDialog > Vertical { width: 56; height: auto; border: round $warning; background: $surface;
        padding: 1 2; }
    DiscardDialog Horizontal { height: 1; margin-top: 1; }
    DiscardDialog Button { margin-right: 2; }
    """
    BINDINGS = [Binding("y", "discard", "Discard"), Binding("n,escape", "keep", "Keep editing")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Discard this new deal? Nothing has been saved.")
            with Horizontal():
                yield Button("Discard (y)", id="discard", variant="warning", compact=True)
                yield Button("Keep editing (n)", id="keep", compact=True)

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed, "#discard")
    def action_discard(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)


class NewDealWizard(TypeAhead, Screen[Deal | None]):
    CSS_PATH = "wizard.tcss"
    HOLDS_EARLY_KEYS = True  # typed while the wizard opens: into the customer search (or the first field)
    AUTO_FOCUS = ""  # nothing until ``_start`` says where (Textual's pick, the step's scroll box, ate keys)
    BINDINGS = [
        Binding("escape", "back", "Back"),
        # priority: the step changes as the key is read, so what is typed right after lands in the new step
        Binding("ctrl+n", "next", "Next / create", priority=True),
        *TYPE_AHEAD_BINDINGS,
        # a stray q on a list must not quit the app and lose the draft: esc leaves the wizard
        Binding("q", "ignore", show=False),
    ]

    def __init__(self, draft: DealDraft | None = None):
        super().__init__()
        self.draft = draft.model_copy(deep=True) if draft is not None else DealDraft()
        self._given = draft is not None
        self.current = "customer"
        self.creating = False
        self.created: Deal | None = None

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="wizard-title")
        yield Static("", id="wizard-steps")
        with ContentSwitcher(initial="step-customer", id="wizard-body"):
            for cls in STEPS:
                yield cls()
        with Horizontal(id="wizard-nav"):
            yield Button("‹ Back (esc)", id="wizard-back", compact=True)
            yield Button("Next › (ctrl+n)", id="wizard-next", variant="primary", compact=True)
        yield Footer(show_command_palette=False)  # ^p is listed once, as the app key

    def on_mount(self) -> None:
        # After the first refresh every step (and its radio sets) has finished mounting.
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        if self._given:
            for step in self.query(WizardStep):
                load = getattr(step, "load", None)
                if load is not None:
                    load(self.draft)
        if self.draft.customer is None:
            # the search at once, and what was typed while the wizard opened goes into its box
            self._show("customer", focus=False)
            self.choose_customer(typed_ahead=self.release_early_keys())
        else:
            self._show("customer")
            self.release_early_keys(to=self.focused)

    def action_ignore(self) -> None:
        """Keys the wizard swallows on purpose."""

    # -- steps ---------------------------------------------------------------------------
    def steps_by_key(self) -> dict[str, WizardStep]:
        return {s.key: s for s in self.query(WizardStep)}

    def step(self, key: str | None = None) -> WizardStep:
        return self.steps_by_key()[key or self.current]

    def keys(self) -> list[str]:
        return step_keys(self.draft.kind)

    def _show(self, key: str, *, focus: bool = True) -> None:
        self.current = key
        self.query_one("#wizard-body", ContentSwitcher).current = self.step(key).id
        self.step(key).enter(self.draft)
        self._header()
        self.query_one("#wizard-next", Button).label = (
            "Create deal (ctrl+n)" if key == "review" else "Next › (ctrl+n)")
        if key == "review":  # every step passed: what is left are warnings Create will ask to confirm (R6.7)
            self.step(key).show_violations(svc.draft_violations(self.draft))
        if focus:
            self.step(key).focus_first()  # at once: keys typed right after ctrl+n belong to this step
            self.call_after_refresh(self._scroll_to_focused)

    def _scroll_to_focused(self) -> None:
        """Once the new step is laid out, bring the focused field into view (as Textual does when it
        focuses after a refresh; focusing before it, for typed-ahead keys, scrolls on a stale layout)."""
        widget = self.focused
        if widget is not None and not self.can_view_entire(widget):
            self.scroll_to_center(widget, origin_visible=True)

    def _header(self) -> None:
        keys = self.keys()
        steps = self.steps_by_key()
        at = keys.index(self.current) if self.current in keys else 0
        title = Text(f" New deal · step {at + 1} of {len(keys)} · {steps[self.current].title}", style="bold")
        if self.draft.name:
            title.append(" · ")
            title.append_text(literal(self.draft.name))
        self.query_one("#wizard-title", Static).update(title)
        strip = Text(" ")
        for i, key in enumerate(keys):
            if i:
                strip.append(" › ", style="dim")
            label = steps[key].title
            if i < at:
                strip.append(f"✓ {label}", style="green")
            elif i == at:
                strip.append(f" {label} ", style="bold reverse")
            else:
                strip.append(label, style="dim")
        self.query_one("#wizard-steps", Static).update(strip)

    def kind_changed(self, kind: DealKind) -> None:
        """The details step changed the kind: the steps ahead change with it."""
        self.draft.kind = kind
        self._header()

    def current_draft(self) -> DealDraft:
        """The draft with the current step's widgets read in (for dialogs that need it)."""
        self.step().save(self.draft)
        self._normalize()
        return self.draft

    def _normalize(self) -> None:
        """Drop answers to questions this kind of deal is not asked (their steps are skipped)."""
        d = self.draft
        if not d.is_ip_cosell:
            d.marketplace_intent = None
        if d.kind is DealKind.SOLUTION_ASSESSMENT:
            d.help_type = HelpType.NONE
            d.share_with_microsoft = False
            d.invitations = []

    # -- moving --------------------------------------------------------------------------
    @on(Button.Pressed, "#wizard-next")
    def action_next(self) -> None:
        if self.creating:
            return
        step = self.step()
        parsed = step.save(self.draft)
        self._normalize()
        if self.current == "review":
            self._create()
            return
        unreadable = {v.field for v in parsed}
        problems = parsed + [v for v in svc.draft_violations(self.draft)
                             if step.owns(v.field) and v.field not in unreadable]
        shown = step.show_violations(problems)
        if refusals(problems):  # warnings are shown, and confirmed at Create
            self.app.bell()
            step.focus_error(shown)
            return
        keys = self.keys()
        self._show(keys[keys.index(self.current) + 1])

    @on(Button.Pressed, "#wizard-back")
    def action_back(self) -> None:
        if self.creating:
            return
        self.step().save(self.draft)
        self._normalize()
        keys = self.keys()
        at = keys.index(self.current) if self.current in keys else 0
        if at > 0:
            self._show(keys[at - 1])
            return
        if self.draft.customer is None and not self.draft.name:
            self.dismiss(None)
            return
        self.app.push_screen(DiscardDialog(), lambda discard: self.dismiss(None) if discard else None)

    # -- the customer (R4) ---------------------------------------------------------------
    def choose_customer(self, typed_ahead: list | None = None) -> None:
        from tui.matcher_service import matcher_provider
        from tui.screens.customer_hits import customer_from_choice
        from tui.screens.customer_search import CustomerSearchScreen

        current = self.draft.customer

        def chosen(choice) -> None:
            step = self.step("customer")
            if choice is None and self.draft.customer is None and self.current == "customer":
                # esc in the search with no customer yet leaves the wizard (issue 13), not an empty
                # step 1; as esc on step 1 does, it asks first if something was typed
                self.action_back()
                return
            if choice is not None:
                customer = customer_from_choice(choice)
                if current is not None:
                    customer.contacts = current.contacts
                    customer.consent_to_share = current.consent_to_share
                self.draft.customer = customer
                step.clear_violations()
            step.enter(self.draft)
            if self.current == "customer":
                step.focus_first()

        query = current.name if current is not None else ""
        self.app.push_screen(CustomerSearchScreen(matcher_provider(self.app), query=query, typed_ahead=typed_ahead),
                             chosen)

    # -- creating (the only write) ---------------------------------------------------------
    def _create(self) -> None:
        problems = svc.draft_violations(self.draft)
        if refusals(problems):
            self._route(problems)
            self.app.bell()
            return
        self.creating = True
        self.query_one("#wizard-next", Button).label = "Creating…"
        self.run_worker(self._create_flow(self.draft.model_copy(deep=True), problems), group="create-deal")

    async def _create_flow(self, draft: DealDraft, warnings: list[Violation]) -> None:
        try:
            deal = await self._create_confirmed(draft, warnings)
        except Cancelled:
            self._ready_to_create()
        except RuleViolation as exc:
            self._ready_to_create()
            self._route(exc.violations)
            self.app.bell()
        except CosellError as exc:
            self._ready_to_create()
            show_error(self.app, exc)
        else:
            # The screen that opened the wizard says so and re-reads its deals (it gets the deal back).
            self.creating = False
            self.created = deal
            self.dismiss(deal)

    async def _create_confirmed(self, draft: DealDraft, warnings: list[Violation]) -> Deal:
        """``create_deal`` off the UI thread; warnings (R6.7) are confirmed first, then passed on as such."""
        ctx = self.app.ctx
        if not warnings:
            try:
                return await in_thread(self, svc.create_deal, ctx, draft)
            except RuleViolation as exc:
                if not exc.needs_confirmation:
                    raise
                warnings = exc.violations
        self._route(warnings)
        if not await self.app.push_screen_wait(ConfirmDialog(
                warning_title(warnings, "Create with a warning"), warning_text(warnings),
                confirm_label="Create anyway", warning=True)):
            raise Cancelled
        return await in_thread(self, svc.create_deal, ctx, draft, confirm_warnings=True)

    def _ready_to_create(self) -> None:
        self.creating = False
        self.query_one("#wizard-next", Button).label = "Create deal (ctrl+n)"

    def _route(self, violations: list[Violation]) -> None:
        """Every step shows its own problems; the review lists them all, by step."""
        keys = self.keys()
        for key, step in self.steps_by_key().items():
            if key in keys and key != "review":
                step.show_violations([v for v in violations if step.owns(v.field)])
        self.step("review").show_violations(violations)
