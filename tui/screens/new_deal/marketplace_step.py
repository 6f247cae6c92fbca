"""Step 3 (IP co-sell only): will the customer buy through the marketplace (R5.1)?"""
from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import RadioSet, Static

from model.domain.enums import MarketplaceIntent
from model.domain.errors import Violation
from model.domain.schemas import DealDraft
from tui.screens.dialogs.toggles import RadioButton
from tui.screens.new_deal.base import ChoiceSet, FieldError, WizardStep, step_heading

INTENTS = (MarketplaceIntent.YES, MarketplaceIntent.NO, MarketplaceIntent.UNDECIDED)


class MarketplaceStep(WizardStep):
    key = "marketplace"
    title = "Marketplace"
    owns_fields = ("marketplace_intent",)

    def compose(self) -> ComposeResult:
        yield from step_heading("Marketplace intent",
                                "Does the customer intend to buy through the Microsoft commercial marketplace? "
                                "You can change the answer later on the deal page (R5.1).")
        with ChoiceSet(id="marketplace", compact=True):
            for intent in INTENTS:
                yield RadioButton(intent.label, value=intent is MarketplaceIntent.UNDECIDED,
                                  id=f"intent-{intent.name.lower()}")
        yield FieldError("marketplace_intent")
        yield Static("Yes means an incentivized solution must be on the deal (R6.7): the solutions step "
                     "marks them.", classes="step-hint")

    def intent(self) -> MarketplaceIntent | None:
        index = self.query_one("#marketplace", RadioSet).pressed_index
        return INTENTS[index] if index >= 0 else None

    def load(self, draft: DealDraft) -> None:
        if draft.marketplace_intent is not None:
            self.query_one(f"#intent-{draft.marketplace_intent.name.lower()}", RadioButton).value = True

    def save(self, draft: DealDraft) -> list[Violation]:
        draft.marketplace_intent = self.intent()
        return []
