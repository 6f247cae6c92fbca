"""The lifecycle progress widget on its own: stages and marks, the current stage,
MCEM phase, Won disabled with the model's reason (R8.9), received/closed/won
variants, registration progress (R10.4), keyboard and mouse."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Button

from detail_support import pilot_test, wait_until
from factories import ASSESSMENT, NOW, make_inbound
from model.domain.enums import DealKind, Direction, MicrosoftStatus, RegistrationStatus, Status, Substatus
from model.domain.rules.lifecycle import Action
from model.domain.schemas import Registration
from model.domain.stages import Stage
from tui.widgets.lifecycle import LifecycleProgress, stage_items, wrap_items


class Host(App):
    def __init__(self, deal) -> None:
        super().__init__()
        self.deal = deal
        self.requested: list[Action] = []

    def compose(self) -> ComposeResult:
        yield LifecycleProgress(self.deal, NOW, id="lifecycle")

    def on_lifecycle_progress_action_requested(self, event: LifecycleProgress.ActionRequested) -> None:
        self.requested.append(event.action)


def accepted(**kw):
    base = dict(status=Status.ACTIVE, substatus=Substatus.ACCEPTED, stage=Stage.ACCEPTED, accepted_at=NOW)
    base.update(kw)
    return make_inbound(**base)


def buttons(app) -> dict[str, Button]:
    return {b.id: b for b in app.query(Button)}


@pilot_test
async def test_sales_stages_marks_current_and_won_disabled_with_the_reason():  # R8.7, R8.9
    deal = accepted(stage=Stage.DEVELOPED, stages_marked=[Stage.QUALIFIED, Stage.DEVELOPED])
    app = Host(deal)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        items = [item.plain for item in stage_items(deal)]
        assert items == ["✓ Accepted 10%", "✓ Qualified 20%", "● Developed 40%", "○ Proposed 60%",
                         "○ Negotiated 80%", "○ Won 100%"]
        assert "reverse" in str(stage_items(deal)[2].style)  # the current stage stands out
        assert "MCEM phase: Inspire & design" in str(app.query_one("#lc-phase").content)
        b = buttons(app)
        assert set(b) == {"lc-stage", "lc-won", "lc-lost", "lc-error"}
        assert str(b["lc-stage"].label) == "Mark Proposed (>)"
        assert b["lc-won"].disabled
        assert str(app.query_one("#lc-why").content) == (
            "Won is enabled only after every earlier stage is marked; not yet marked: Proposed, Negotiated (R8.9)")


@pilot_test
async def test_every_stage_marked_enables_won():
    deal = accepted(stage=Stage.NEGOTIATED,
                    stages_marked=[Stage.QUALIFIED, Stage.DEVELOPED, Stage.PROPOSED, Stage.NEGOTIATED])
    app = Host(deal)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        b = buttons(app)
        assert "lc-stage" not in b and not b["lc-won"].disabled and not app.query("#lc-why")
        b["lc-won"].focus()
        await pilot.press("enter")
        assert app.requested == [Action.WON]


@pilot_test
async def test_received_deal_offers_accept_and_decline_instead():  # R8.2
    app = Host(make_inbound())
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        assert set(buttons(app)) == {"lc-accept", "lc-decline", "lc-error"}
        assert all(not item.plain.startswith(("✓", "●")) for item in stage_items(app.deal))
        await pilot.click("#lc-decline")  # the mouse works too
        assert app.requested == [Action.DECLINE]


@pilot_test
async def test_assessment_deal_walks_the_assessment_stages():  # R8.8
    deal = make_inbound(direction=Direction.OUTBOUND, kind=DealKind.SOLUTION_ASSESSMENT, sale_type=None,
                        status=Status.ACTIVE, substatus=Substatus.ACCEPTED, stage=Stage.SCOPED,
                        stages_marked=[Stage.SCOPED], solutions=[ASSESSMENT])
    app = Host(deal)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        assert [i.plain for i in stage_items(deal)] == ["✓ Created 10%", "● Scoped 30%", "○ Assessing 60%",
                                                         "○ Delivered 80%", "○ Won 100%"]
        assert str(buttons(app)["lc-stage"].label) == "Mark Assessing (>)"


@pilot_test
async def test_closed_deal_shows_the_outcome_and_no_action():  # R8.14
    deal = accepted(status=Status.CLOSED, substatus=Substatus.LOST, stage=Stage.QUALIFIED,
                    stages_marked=[Stage.QUALIFIED], closed_at=NOW, status_reason="Price [red]!")
    app = Host(deal)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        assert not buttons(app)
        assert stage_items(deal)[-1].plain == "✗ Lost"
        outcome = str(app.query_one("#lc-outcome").content)
        assert "Closed: Lost on 2026-11-20 09:00 UTC · reason: Price [red]!" in outcome
        assert "No further action is possible (R8.14)" in outcome


@pilot_test
async def test_registration_progress_after_won():  # R10.4
    won = dict(status=Status.CLOSED, substatus=Substatus.WON, stage=Stage.WON, closed_at=NOW,
               microsoft_status=MicrosoftStatus.ACCEPTED,
               stages_marked=[Stage.QUALIFIED, Stage.DEVELOPED, Stage.PROPOSED, Stage.NEGOTIATED])
    app = Host(accepted(**won))
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        text = str(app.query_one("#lc-registration").content)
        assert "not registered yet; eligible" in text
        assert set(buttons(app)) == {"lc-register"}
        widget = app.query_one(LifecycleProgress)
        needs_action = accepted(**won, registration=Registration(
            status=RegistrationStatus.ACTION_REQUIRED, submitted_at=NOW - timedelta(days=2),
            message="Attach the [b]signed[/b] agreement"))
        await widget.show(needs_action, NOW)
        text = str(app.query_one("#lc-registration").content)
        assert "✓ Submitted 2026-11-18 › ✓ Reviewed › ● Action required" in text
        assert "Message: Attach the [b]signed[/b] agreement" in text
        assert set(buttons(app)) == {"lc-register"}  # action required: register again
        approved = accepted(**won, registration=Registration(status=RegistrationStatus.APPROVED, submitted_at=NOW))
        await widget.show(approved, NOW)
        assert "● Approved" in str(app.query_one("#lc-registration").content)
        assert not buttons(app)
        small = accepted(**{**won, "value": Decimal("100"), "currency": "USD"})
        await widget.show(small, NOW)
        assert "not eligible (1 criterion unmet" in str(app.query_one("#lc-registration").content)


@pilot_test
async def test_keyboard_moves_between_buttons_and_focus_survives_a_redraw():
    deal = accepted()
    app = Host(deal)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        buttons(app)["lc-stage"].focus()
        await pilot.press("right")
        assert app.focused.id == "lc-lost"  # the disabled Won is skipped
        await pilot.press("right", "right")
        assert app.focused.id == "lc-stage"  # wraps around
        await pilot.press("enter")
        assert app.requested == [Action.MARK_STAGE]
        await app.query_one(LifecycleProgress).show(accepted(stages_marked=[Stage.QUALIFIED],
                                                              stage=Stage.QUALIFIED), NOW)
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "lc-stage", what="focus")
        assert str(app.focused.label) == "Mark Developed (>)"


def test_stage_line_breaks_only_between_stages():
    items = [Text("● Alpha 10%"), Text("○ Beta 20%"), Text("○ Gamma 30%")]
    assert wrap_items(items, 200).plain == "● Alpha 10% › ○ Beta 20% › ○ Gamma 30%"
    assert wrap_items(items, 26).plain == "● Alpha 10% › ○ Beta 20%\n○ Gamma 30%"
    assert wrap_items(items, 5).plain == "● Alpha 10%\n○ Beta 20%\n○ Gamma 30%"
