"""Step 2: the deal's kind and the R5 table.

What is asked changes with the kind: partner role and partner program are
services co-sell fields (R5, R5.2), solution area and play are required for
services co-sell and optional otherwise. "IP and services co-sell" (R2.7) is
both at once and asks the fields of both (``DealKind.is_services_cosell``). The location is chosen here once and
for all (R1.2). Whether a value is acceptable is the model's call; this step
only reads what was typed.
"""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.suggester import SuggestFromList
from textual.widgets import RadioSet, Select, Static, TextArea

from model.domain.enums import DealKind, PartnerRole
from model.domain.errors import Violation
from model.domain.rules.fx import known_currencies
from model.domain.schemas import DealDraft
from tui.screens.dialogs.toggles import RadioButton
from tui.screens.dialogs.type_ahead import Input, focus_now
from tui.service_call import in_thread
from tui.screens.new_deal.base import ChoiceSet, FieldError, WizardStep, parse_date, parse_money, row, step_heading

KINDS = (DealKind.IP_COSELL, DealKind.SERVICES_COSELL, DealKind.IP_AND_SERVICES, DealKind.SOLUTION_ASSESSMENT)
KIND_HINTS = {
    DealKind.IP_COSELL: "You sell your own co-sell-ready IP solution with Microsoft (R2.1).",
    DealKind.SERVICES_COSELL: "You bring services on a customer opportunity (R2.2): partner role, solution area "
                              "and solution play are required.",
    DealKind.IP_AND_SERVICES: "Your IP solution and your services on one deal (R2.7): it needs what both need, "
                              "a solution and the partner role, solution area and play.",
    DealKind.SOLUTION_ASSESSMENT: "A solution assessment (R2.4): exactly one assessment type, no sale-type questions.",
}
# Typing aids only: the model accepts any non-empty solution area or play.
SOLUTION_AREAS = ["AI Business Solutions", "Cloud & AI Platforms", "Security", "Data & AI", "Infrastructure",
                  "Digital & App Innovation", "Modern Work", "Business Applications"]
SOLUTION_PLAYS = ["Migrate and Modernize Your Estate", "Unify Your Data Platform",
                  "Innovate with Azure AI Apps and Agents", "Copilot and Agents at Work",
                  "Modern SecOps with Unified Platform", "Data Security", "Protect Cloud, AI Platform and Apps",
                  "Sales Transformation with AI", "Service Transformation with AI", "Finance and Supply Chain "
                  "Transformation with AI", "Scale with Cloud and AI Endpoints", "Build and Modernize AI Apps"]


class DetailsStep(WizardStep):
    key = "details"
    title = "Details"
    owns_fields = ("kind", "name", "location", "value", "currency", "close_date", "crm_id", "campaign_id",
                   "partner_role", "partner_program", "solution_area", "solution_play", "notes")

    def compose(self) -> ComposeResult:
        yield from step_heading("Deal details", "Required fields depend on the kind of deal (R5).")
        with ChoiceSet(id="kind", compact=True):
            for i, kind in enumerate(KINDS):
                yield RadioButton(kind.label, value=i == 0, id=f"kind-{kind.value}")
        yield Static(KIND_HINTS[DealKind.IP_COSELL], id="kind-hint", classes="step-hint")
        yield from row("Deal name", Input(id="name", compact=True, max_length=300), key="name")
        yield from row("Location", Input(id="location", compact=True, max_length=80,
                                         placeholder="your program location, e.g. Sweden"), key="location")
        yield Static("The location cannot be changed after the deal is created (R1.2).", classes="field-hint")
        yield from row("Estimated value",
                       Input(id="value", compact=True, restrict=r"[0-9 .,]*", max_length=20, placeholder="e.g. 60000"),
                       Select([(c, c) for c in known_currencies()], value="USD", allow_blank=False, id="currency",
                              compact=True),
                       key="value")
        yield FieldError("currency")
        yield from row("Estimated close", Input(id="close-date", compact=True, restrict=r"[0-9-]*", max_length=10,
                                                placeholder="YYYY-MM-DD"), key="close_date")
        yield from row("Partner role", Select([(r.label, r) for r in PartnerRole], prompt="Choose a partner role",
                                              id="partner-role", compact=True),
                       key="partner_role", classes="services-only")
        yield from row("Partner program", Input(id="partner-program", compact=True, max_length=120,
                                                placeholder="optional"), key="partner_program",
                       classes="services-only")
        yield from row("Solution area", Input(id="solution-area", compact=True, max_length=120,
                                              suggester=SuggestFromList(SOLUTION_AREAS, case_sensitive=False)),
                       key="solution_area")
        yield from row("Solution play", Input(id="solution-play", compact=True, max_length=120,
                                              suggester=SuggestFromList(SOLUTION_PLAYS, case_sensitive=False)),
                       key="solution_play")
        yield from row("CRM ID", Input(id="crm-id", compact=True, max_length=120, placeholder="optional"),
                       key="crm_id")
        yield from row("Campaign ID", Input(id="campaign-id", compact=True, max_length=120, placeholder="optional"),
                       key="campaign_id")
        yield from row("Notes", TextArea(id="notes", compact=True, tab_behavior="focus", soft_wrap=True,
                                         placeholder="What does the customer need? For co-sell: what help you "
                                                     "want from Microsoft."), key="notes")
        yield Static("Notes are on the record: shared with Microsoft and invited partners.", classes="field-hint")
        yield FieldError("")

    def on_mount(self) -> None:
        self._apply_kind(DealKind.IP_COSELL)
        self.run_worker(self._load_locations(), group="locations", exit_on_error=False)

    async def _load_locations(self) -> None:
        from model.services.catalogue_queries import known_locations

        self._set_locations(await in_thread(self, known_locations, self.ctx))

    def _set_locations(self, places: list[str]) -> None:
        self.query_one("#location", Input).suggester = SuggestFromList(places, case_sensitive=False)

    # -- kind ------------------------------------------------------------------------------
    def kind(self) -> DealKind:
        index = self.query_one("#kind", RadioSet).pressed_index
        return KINDS[index] if index >= 0 else DealKind.IP_COSELL

    def _apply_kind(self, kind: DealKind) -> None:
        for k in KINDS:
            self.set_class(k is kind, f"-{k.value.replace('_', '-')}")
        self.set_class(kind.is_services_cosell, "-with-services")
        self.query_one("#kind-hint", Static).update(KIND_HINTS[kind])
        required = kind.is_services_cosell
        for key, label in (("solution-area", "Solution area"), ("solution-play", "Solution play")):
            widget = self.query_one(f"#{key}", Input)
            widget.placeholder = "required for services co-sell" if required else "optional"

    @on(RadioSet.Changed, "#kind")
    def _kind_changed(self) -> None:
        kind = self.kind()
        self._apply_kind(kind)
        self.wizard.kind_changed(kind)

    # -- draft ------------------------------------------------------------------------------
    def enter(self, draft: DealDraft) -> None:
        if not self.query_one("#location", Input).value and not draft.location and self.ctx.user.location:
            self.query_one("#location", Input).value = self.ctx.user.location

    def load(self, draft: DealDraft) -> None:
        """Fill the widgets from a draft (a draft handed to the wizard, e.g. to retry)."""
        self.query_one(f"#kind-{draft.kind.value}", RadioButton).value = True
        self._apply_kind(draft.kind)
        self.query_one("#name", Input).value = draft.name
        self.query_one("#location", Input).value = draft.location
        self.query_one("#value", Input).value = "" if draft.value is None else str(draft.value)
        if draft.currency in known_currencies():
            self.query_one("#currency", Select).value = draft.currency
        self.query_one("#close-date", Input).value = draft.close_date.isoformat() if draft.close_date else ""
        if draft.partner_role is not None:
            self.query_one("#partner-role", Select).value = draft.partner_role
        for wid, value in (("partner-program", draft.partner_program), ("solution-area", draft.solution_area),
                           ("solution-play", draft.solution_play), ("crm-id", draft.crm_id),
                           ("campaign-id", draft.campaign_id)):
            self.query_one(f"#{wid}", Input).value = value or ""
        self.query_one("#notes", TextArea).text = draft.notes

    def save(self, draft: DealDraft) -> list[Violation]:
        problems: list[Violation] = []
        kind = self.kind()
        draft.kind = kind
        draft.name = self.query_one("#name", Input).value.strip()
        draft.location = self.query_one("#location", Input).value.strip()
        draft.value, bad = parse_money(self.query_one("#value", Input).value, "value")
        problems += bad
        currency = self.query_one("#currency", Select).value
        draft.currency = currency if isinstance(currency, str) else ""
        draft.close_date, bad = parse_date(self.query_one("#close-date", Input).value, "close_date")
        problems += bad
        services = kind.is_services_cosell
        role = self.query_one("#partner-role", Select).value
        draft.partner_role = role if services and isinstance(role, PartnerRole) else None
        draft.partner_program = self._text("partner-program") if services else None
        draft.solution_area = self._text("solution-area")
        draft.solution_play = self._text("solution-play")
        draft.crm_id = self._text("crm-id")
        draft.campaign_id = self._text("campaign-id")
        draft.notes = self.query_one("#notes", TextArea).text.strip()
        return problems

    def _text(self, wid: str) -> str | None:
        return self.query_one(f"#{wid}", Input).value.strip() or None

    def focus_first(self) -> None:
        focus_now(self.query_one("#kind", RadioSet))

    def moves_on_enter(self, widget) -> bool:
        """Enter in any field of the details goes on to the next one."""
        return isinstance(widget, Input)
