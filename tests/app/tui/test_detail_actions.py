"""Deal actions from the detail screen's keys, through the dialogs, down to the store."""
from __future__ import annotations

from sqlalchemy import select
from textual.widgets import Checkbox, Input, Select

from detail_support import (
    make_app, notes_of, open_detail, pilot_test, put_inbound, put_outbound, wait_for_new_screen, wait_for_screen,
    wait_idle, wait_until,
)
from factories import SELLER_SE, ctx_as
from model import services as svc
from model.domain.enums import RegistrationStatus, Substatus
from model.domain.stages import Stage
from model.store.tables import OutboxRecord
from tui.screens.dialogs import AcceptDialog, ConfirmDialog, ConflictDialog, EditDialog, ReasonDialog, RegisterDialog


async def clear_and_type(pilot, text: str) -> None:
    await pilot.press("ctrl+a", "ctrl+k", *text)


async def choose(pilot, dialog, select_id: str, label: str) -> None:
    """Pick an option of a Select from the keyboard: open it, walk down to the label, enter."""
    select = dialog.query_one(f"#{select_id}", Select)
    select.focus()
    await pilot.press("enter")
    options = [value for _, value in select._options]  # prompts carry the reason's number
    await pilot.press(*["down"] * options.index(label), "enter")
    await wait_until(pilot, lambda: select.value == label, what=f"{label} chosen")


@pilot_test
async def test_accept_an_inbound_deal_through_the_dialog(ctx):  # R8.3
    deal = put_inbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("a")
        dialog = await wait_for_screen(pilot, AcceptDialog)
        assert app.focused is dialog.query_one("#name", Input)
        await clear_and_type(pilot, "Contoso retail rollout")
        dialog.query_one("#notes", Input).focus()
        await pilot.press(*"Call booked")
        dialog.query_one("#crm_id", Input).focus()
        await pilot.press(*"CRM-42")
        await pilot.press("enter")
        await wait_idle(pilot, screen)
        saved = svc.get_deal(ctx, deal.id)
        assert saved.substatus is Substatus.ACCEPTED and saved.stage is Stage.ACCEPTED  # R8.5
        assert saved.name == "Contoso retail rollout" and saved.crm_id == "CRM-42"
        assert saved.notes[-1].text == "Call booked" and saved.notes[-1].author == "alice"
        assert screen.deal.version == saved.version
        assert any("Accepted “Contoso retail rollout”" in n for n in notes_of(app))


@pilot_test
async def test_accept_form_keeps_the_typing_and_shows_a_bad_value_beside_its_field(ctx):
    deal = put_inbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("a")
        dialog = await wait_for_screen(pilot, AcceptDialog)
        dialog.query_one("#value", Input).focus()
        await clear_and_type(pilot, "-5")
        await pilot.press("enter")
        # The model refuses a negative value (R5); the form comes back with the message beside the field.
        dialog = await wait_for_new_screen(pilot, AcceptDialog, dialog)
        assert dialog.query_one("#value", Input).value == "-5"
        error = dialog.query_one("#error-value")
        assert error.display and "cannot be negative" in str(error.content)
        assert app.focused is dialog.query_one("#value", Input)
        await pilot.press("escape")
        await wait_idle(pilot, screen)
        assert svc.get_deal(ctx, deal.id).substatus is Substatus.RECEIVED  # nothing written


@pilot_test
async def test_decline_with_a_reason_notifies_the_sender(ctx):  # R8.4, R12.2
    deal = put_inbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("d")
        dialog = await wait_for_screen(pilot, ReasonDialog)
        await choose(pilot, dialog, "reason", "No capacity to take it on")
        dialog.query_one("#notes", Input).focus()
        await pilot.press(*"Fully booked until March", "enter")
        confirm = await wait_for_screen(pilot, ConfirmDialog)
        assert "nothing about the deal can be changed" in str(confirm.message).lower()  # R9.1
        await pilot.press("y")
        await wait_idle(pilot, screen)
        saved = svc.get_deal(ctx, deal.id)
        assert saved.substatus is Substatus.DECLINED and saved.status_reason == "No capacity to take it on"
        with ctx.store.read() as session:
            sent = session.scalars(select(OutboxRecord).where(OutboxRecord.deal_id == deal.id,
                                                              OutboxRecord.kind == "declined")).all()
        assert [m.recipient for m in sent] == ["maria@microsoft.example"]
        assert "No capacity" in sent[0].body


@pilot_test
async def test_other_reason_without_notes_is_shown_beside_the_notes(ctx):  # R8.4
    deal = put_inbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("d")
        dialog = await wait_for_screen(pilot, ReasonDialog)
        dialog.query_one("#reason", Select).value = "Other"
        await pilot.press("ctrl+s")
        # Refused before any confirmation (issue 13): the form comes back, no "are you sure" first.
        again = await wait_for_new_screen(pilot, ReasonDialog, dialog)
        assert again.query_one("#reason", Select).value == "Other"
        assert "say in the notes" in str(again.query_one("#error-notes").content)
        assert app.focused is again.query_one("#notes", Input)
        await pilot.press("escape")
        await wait_idle(pilot, screen)
        assert svc.get_deal(ctx, deal.id).substatus is Substatus.RECEIVED


@pilot_test
async def test_stages_with_the_key_and_won_only_after_every_stage(ctx, clock):  # R8.7, R8.9
    deal = put_inbound(ctx)
    svc.accept(ctx, deal.id)
    clock.advance(days=4)  # past R8.12's 72 hours, so Won asks no early-win question
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press(">")
        await wait_idle(pilot, screen)
        assert any("Marked Qualified (20 %)" in n for n in notes_of(app))
        before = svc.get_deal(ctx, deal.id)
        await pilot.press("w")
        await wait_idle(pilot, screen)
        # Refused by the model before any dialog opens; the store is unchanged.
        assert any("Won is enabled only after every earlier stage is marked; not yet marked: Developed, Proposed, "
                   "Negotiated (R8.9)" in n for n in notes_of(app))
        assert svc.get_deal(ctx, deal.id).version == before.version
        for _ in range(3):
            await pilot.press(">")
            await wait_idle(pilot, screen)
        saved = svc.get_deal(ctx, deal.id)
        assert saved.stage is Stage.NEGOTIATED
        assert saved.stages_marked == [Stage.QUALIFIED, Stage.DEVELOPED, Stage.PROPOSED, Stage.NEGOTIATED]
        await pilot.press("w")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        # Won on an eligible deal offers registration right away (R8.11, R10.3).
        offer = await wait_for_screen(pilot, RegisterDialog)
        assert offer.offer and str(offer.query_one("#cancel").label) == "Later"
        assert svc.get_deal(ctx, deal.id).substatus is Substatus.WON
        await pilot.press("escape")
        await wait_idle(pilot, screen)
        assert svc.get_deal(ctx, deal.id).registration.status is RegistrationStatus.NONE
        assert "deal.register" in {ab.binding.id for ab in screen.active_bindings.values()}


@pilot_test
async def test_won_within_72_hours_asks_first(ctx):  # R8.12
    deal = put_outbound(ctx)  # partner-led, Azure IP co-sell solution: registration-eligible, created just now
    for _ in range(4):
        svc.mark_stage(ctx, deal.id)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("w")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        warning = await wait_until(pilot, lambda: app.screen if isinstance(app.screen, ConfirmDialog)
                                   and "72 hours" in str(app.screen.title_text) else None, what="72-hour warning")
        assert "may get the registration rejected" in str(warning.message)
        await pilot.press("n")
        await wait_idle(pilot, screen)
        assert svc.get_deal(ctx, deal.id).substatus is Substatus.ACCEPTED  # declined the warning: not won
        await pilot.press("w")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog)
                         and "72 hours" in str(app.screen.title_text), what="72-hour warning")
        await pilot.press("y")
        dialog = await wait_for_screen(pilot, RegisterDialog)
        await pilot.press("ctrl+s")  # without confirming the contract (R10.5): the model says so beside the box
        dialog = await wait_for_new_screen(pilot, RegisterDialog, dialog)
        box = dialog.query_one("#contract_confirmed", Checkbox)
        assert "clearly names your company" in str(dialog.query_one("#error-contract_confirmed").content)
        assert app.focused is box and not box.value
        assert svc.get_deal(ctx, deal.id).registration.status is RegistrationStatus.NONE  # nothing written
        await pilot.press("space", "ctrl+s")
        await wait_idle(pilot, screen)
        saved = svc.get_deal(ctx, deal.id)
        assert saved.substatus is Substatus.WON
        assert saved.registration.status is RegistrationStatus.REVIEW_PENDING  # R10.4, R10.5 confirmed
        assert "Review pending" in str(screen.query_one("#lc-registration").content)


@pilot_test
async def test_close_a_received_deal_as_error(ctx):  # R8.13
    deal = put_inbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("x")
        dialog = await wait_for_screen(pilot, ReasonDialog)
        await choose(pilot, dialog, "reason", "Duplicate deal")
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_idle(pilot, screen)
        saved = svc.get_deal(ctx, deal.id)
        assert saved.substatus is Substatus.ERROR and saved.status_reason == "Duplicate deal"
        assert not screen.query("#lc-error")  # closed: no actions any more (R8.14)


@pilot_test
async def test_close_as_error_with_no_reason_and_other_still_needs_notes(ctx):  # R8.13
    deal = put_outbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("x")
        dialog = await wait_for_screen(pilot, ReasonDialog)
        await choose(pilot, dialog, "reason", "Other")
        await pilot.press("ctrl+s")
        # "Other" without notes: the model refuses before the confirmation and the form comes back
        # with the message beside the notes (issue 13).
        dialog = await wait_for_new_screen(pilot, ReasonDialog, dialog)
        assert "say in the notes what the other reason is" in str(dialog.query_one("#error-notes").content)
        assert svc.get_deal(ctx, deal.id).substatus is Substatus.ACCEPTED
        dialog.query_one("#reason", Select).clear()  # no reason at all: allowed (the reason is optional)
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_idle(pilot, screen)
        saved = svc.get_deal(ctx, deal.id)
        assert saved.substatus is Substatus.ERROR and saved.status_reason is None
        assert any(n.startswith("Close as error: Closed as error") for n in notes_of(app))


@pilot_test
async def test_lost_with_a_reason(ctx):  # R8.11
    deal = put_outbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("l")
        dialog = await wait_for_screen(pilot, ReasonDialog)
        await choose(pilot, dialog, "reason", "Price")
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("n")  # cancelling the confirm writes nothing and brings the form back as filled in
        dialog = await wait_for_new_screen(pilot, ReasonDialog, dialog)
        assert dialog.query_one("#reason", Select).value == "Price"
        assert svc.get_deal(ctx, deal.id).substatus is Substatus.ACCEPTED
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_idle(pilot, screen)
        saved = svc.get_deal(ctx, deal.id)
        assert saved.substatus is Substatus.LOST and saved.status_reason == "Price"
        assert "Lost" in str(screen.query_one("#lc-outcome").content)


@pilot_test
async def test_edit_never_offers_the_location(ctx):  # R1.2, R8.6
    deal = put_outbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("e")
        dialog = await wait_for_screen(pilot, EditDialog)
        location = dialog.query_one("#location", Input)
        assert location.disabled and not location.focusable and location.value == "Sweden"
        assert "cannot be changed after creation (R1.2)" in str(dialog.query_one("#hint-location").content)
        seen = set()
        for _ in range(20):  # Tab through the whole form: the location is never reached
            seen.add(app.focused.id)
            await pilot.press("tab")
        assert "location" not in seen and "name" in seen
        dialog.query_one("#name", Input).focus()
        await clear_and_type(pilot, "Northwind analytics v2")
        await pilot.press("enter")
        await wait_idle(pilot, screen)
        saved = svc.get_deal(ctx, deal.id)
        assert saved.name == "Northwind analytics v2" and saved.location == "Sweden"


@pilot_test
async def test_conflict_when_someone_else_saved_first_then_reapply(ctx):
    deal = put_outbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("e")
        dialog = await wait_for_screen(pilot, EditDialog)
        await clear_and_type(pilot, "My new name")
        # Meanwhile Bob changes the deal from his own session.
        svc.edit(ctx_as(ctx, SELLER_SE), deal.id, {"crm_id": "CRM-BOB"})
        await pilot.press("enter")
        conflict = await wait_for_screen(pilot, ConflictDialog)
        assert conflict.error.changed_by == "bob"
        assert "crm_id" in str(conflict.explanation())
        assert "My new name" in str(conflict.change_summary())  # what the user typed is kept
        await pilot.press("a")  # re-apply mine on top of theirs
        await wait_idle(pilot, screen)
        saved = svc.get_deal(ctx, deal.id)
        assert saved.name == "My new name" and saved.crm_id == "CRM-BOB"


@pilot_test
async def test_conflict_reload_reopens_the_form_with_the_typing(ctx):
    deal = put_outbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("e")
        first = await wait_for_screen(pilot, EditDialog)
        await clear_and_type(pilot, "Mine")
        svc.edit(ctx_as(ctx, SELLER_SE), deal.id, {"crm_id": "CRM-BOB"})
        await pilot.press("enter")
        await wait_for_screen(pilot, ConflictDialog)
        await pilot.press("r")
        again = await wait_for_new_screen(pilot, EditDialog, first)
        assert again.query_one("#name", Input).value == "Mine"  # kept
        assert again.query_one("#crm_id", Input).value == "CRM-BOB"  # their change, now loaded
        await pilot.press("ctrl+s")
        await wait_idle(pilot, screen)
        saved = svc.get_deal(ctx, deal.id)
        assert (saved.name, saved.crm_id) == ("Mine", "CRM-BOB")


@pilot_test
async def test_lifecycle_buttons_work_from_the_keyboard(ctx):  # R8.7
    deal = put_inbound(ctx)
    svc.accept(ctx, deal.id)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, deal.id)
        await pilot.press("tab")
        assert app.focused.id == "lc-stage"
        await pilot.press("enter")
        await wait_idle(pilot, screen)
        assert svc.get_deal(ctx, deal.id).stages_marked == [Stage.QUALIFIED]
        assert app.focused.id == "lc-stage"  # focus stays on the button, now marking Developed
        assert "Developed" in str(app.focused.label)
        await pilot.press("right")
        assert app.focused.id == "lc-lost"  # Won is disabled, so it is skipped
