"""Step 5: solutions from the catalogue, searched by source (R6.5), with the
flags R6.7 turns on shown while searching: MACC-eligible (for MACC
customers), incentivized (for marketplace intent Yes), and the registration
kind R10.2 looks for. A solution assessment deal takes exactly one assessment
and its location (R6.6)."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, RadioSet, Static
from textual.widgets.option_list import Option

from model.domain.enums import DealKind, MarketplaceIntent, SolutionSource
from model.domain.errors import Violation
from model.domain.schemas import DealDraft, DealSolution, Solution
from tui.screens.dialogs.toggles import RadioButton
from tui.screens.dialogs.type_ahead import Input
from tui.screens.new_deal.base import ChoiceSet, FieldError, SearchInput, WizardStep, row, step_heading
from tui.service_call import in_thread
from tui.text import literal

SOURCES = (SolutionSource.MY_COMPANY, SolutionSource.MICROSOFT, SolutionSource.THIRD_PARTY, SolutionSource.ASSESSMENT)
SHORT = {SolutionSource.MY_COMPANY: "My company", SolutionSource.MICROSOFT: "Microsoft",
         SolutionSource.THIRD_PARTY: "Third-party", SolutionSource.ASSESSMENT: "Assessments"}


def solution_prompt(sol: Solution, *, on_deal: bool = False, location: str | None = None) -> Text:
    text = Text()
    text.append("✓ " if on_deal else "  ", style="bold green")
    text.append_text(literal(sol.name, style="bold"))
    if sol.publisher:
        text.append("  ")
        text.append_text(literal(sol.publisher, style="dim"))
    tags = [("MACC-eligible", "bold green", sol.macc_eligible), ("incentivized", "bold magenta", sol.incentivized),
            (sol.registration_kind.label if sol.registration_kind else "", "cyan", sol.registration_kind is not None)]
    for label, style, shown in tags:
        if shown:
            text.append("  ")
            text.append(label, style=style)
    if location:
        text.append("  ")
        text.append("in ", style="dim")
        text.append_text(literal(location))
    return text


class SolutionResults(OptionList):
    BINDINGS = [Binding("enter", "select", "Add to deal")]


class ChosenSolutions(OptionList):
    BINDINGS = [Binding("delete,backspace", "remove", "Remove")]

    def action_remove(self) -> None:
        self.query_ancestor(SolutionsStep).remove_highlighted()


class SolutionsStep(WizardStep):
    key = "solutions"
    title = "Solutions"
    owns_fields = ("solutions",)

    def __init__(self) -> None:
        super().__init__()
        self.chosen: list[DealSolution] = []
        self.results: list[Solution] = []
        self._seq = 0
        self._kind = DealKind.IP_COSELL
        self._macc = False

    def compose(self) -> ComposeResult:
        yield from step_heading("Solutions", "")
        yield Static("", id="solutions-context", classes="step-hint")
        with ChoiceSet(id="source", compact=True):
            for i, source in enumerate(SOURCES):
                yield RadioButton(SHORT[source], value=i == 0, id=f"source-{source.value}")
        yield from row("Search", SearchInput(id="solution-q", compact=True, placeholder="name or publisher",
                                             max_length=120, results="#solution-results"))
        yield SolutionResults(id="solution-results")
        yield Static("On this deal  (delete removes)", classes="section-title")
        yield ChosenSolutions(id="chosen-solutions")
        yield FieldError("solutions")
        yield from row("Assessment location", Input(id="assessment-location", compact=True, max_length=80,
                                                    placeholder="where the assessment is created"),
                       key="solutions.assessment_location", classes="sa-only")

    # -- context from earlier steps ---------------------------------------------------------
    def enter(self, draft: DealDraft) -> None:
        self._kind = draft.kind
        self._macc = bool(draft.customer and draft.customer.macc)
        sa = draft.kind is DealKind.SOLUTION_ASSESSMENT
        self.set_class(sa, "-sa")
        for source in SOURCES:
            button = self.query_one(f"#source-{source.value}", RadioButton)
            button.disabled = sa and source is not SolutionSource.ASSESSMENT
        if sa:
            self.query_one("#source-assessment", RadioButton).value = True
            loc = self.query_one("#assessment-location", Input)
            if not loc.value:
                loc.value = draft.location
        elif self.source() is SolutionSource.ASSESSMENT:
            self.query_one("#source-my_company", RadioButton).value = True
        heading = self.query_one(".step-title", Static)
        heading.update("Solutions" + {
            DealKind.IP_COSELL: "  (at least one, R6.4)",
            DealKind.SERVICES_COSELL: "  (optional for services co-sell, R6.4)",
            DealKind.IP_AND_SERVICES: "  (at least one: it is IP co-sell too, R2.7, R6.4)",
            DealKind.SOLUTION_ASSESSMENT: "  (exactly one assessment, R6.6)",
        }[draft.kind])
        context = Text()
        if self._macc:
            context.append("The customer has a MACC contract: make sure a MACC-eligible solution is chosen "
                           "(R6.7; without one, Create asks you to confirm).\n", style="bold green")
        if draft.marketplace_intent is MarketplaceIntent.YES:
            context.append("Marketplace intent is Yes: choose at least one incentivized solution (R6.7).\n",
                           style="bold magenta")
        context.append("Sources: my company's, Microsoft, other third-party solutions, assessments (R6.5).",
                       style="dim")
        self.query_one("#solutions-context", Static).update(context)
        self._render_chosen()
        self.search()

    def source(self) -> SolutionSource:
        index = self.query_one("#source", RadioSet).pressed_index
        return SOURCES[index] if index >= 0 else SolutionSource.MY_COMPANY

    # -- searching --------------------------------------------------------------------------
    @on(Input.Changed, "#solution-q")
    @on(RadioSet.Changed, "#source")
    def search(self) -> None:
        self._seq += 1
        self.run_worker(self._search(self._seq, self.source(), self.query_one("#solution-q", Input).value, self._macc),
                        group="solution-search", exclusive=True, exit_on_error=False)

    async def _search(self, seq: int, source: SolutionSource, text: str, macc: bool) -> None:
        from model.services.catalogue_queries import search_solutions

        self._show(seq, await in_thread(self, search_solutions, self.ctx, source, text, macc_first=macc))

    def _show(self, seq: int, found: list[Solution]) -> None:
        if seq != self._seq or not self.is_attached:
            return  # the user typed on: a newer search is coming
        self.results = found
        ids = {s.solution_id for s in self.chosen}
        results = self.query_one("#solution-results", SolutionResults)
        if found:
            results.set_options([Option(solution_prompt(s, on_deal=s.solution_id in ids), id=f"sol-{i}")
                                 for i, s in enumerate(found)])
            results.highlighted = 0
        else:
            results.set_options([Option(Text("No solution of this source matches.", style="italic"),
                                        id="sol-none", disabled=True)])

    # -- choosing ---------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#solution-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        index = event.option_index
        if index >= len(self.results):
            return
        sol = self.results[index]
        if any(s.solution_id == sol.solution_id for s in self.chosen):
            self.notify(f"{sol.name} is already on the deal", severity="warning", markup=False)
            return
        self.chosen.append(DealSolution(**sol.model_dump()))
        self._render_chosen()
        self._show(self._seq, self.results)
        results = self.query_one("#solution-results", SolutionResults)
        results.highlighted = min(index, max(len(self.results) - 1, 0))

    def remove_highlighted(self) -> None:
        chosen = self.query_one("#chosen-solutions", ChosenSolutions)
        index = chosen.highlighted
        if index is None or index >= len(self.chosen):
            return
        del self.chosen[index]
        self._render_chosen()
        self._show(self._seq, self.results)

    def _render_chosen(self) -> None:
        chosen = self.query_one("#chosen-solutions", ChosenSolutions)
        if self.chosen:
            chosen.set_options([Option(solution_prompt(s, on_deal=True), id=f"on-{i}")
                                for i, s in enumerate(self.chosen)])
        else:
            chosen.set_options([Option(Text("No solution yet: pick one above with enter.", style="italic"),
                                       id="on-none", disabled=True)])

    # -- draft ------------------------------------------------------------------------------
    def load(self, draft: DealDraft) -> None:
        self.chosen = [s.model_copy() for s in draft.solutions]
        located = next((s.assessment_location for s in self.chosen if s.assessment_location), None)
        if located:
            self.query_one("#assessment-location", Input).value = located

    def save(self, draft: DealDraft) -> list[Violation]:
        location = self.query_one("#assessment-location", Input).value.strip() or None
        out = []
        for s in self.chosen:
            s = s.model_copy()
            if s.source is SolutionSource.ASSESSMENT:
                s.assessment_location = location
            out.append(s)
        draft.solutions = out
        return []

    def focus_first(self) -> None:
        self.query_one("#solution-q", Input).focus()

    @on(Input.Submitted, "#solution-q")
    def _to_results(self) -> None:
        self.query_one("#solution-results", SolutionResults).focus()
