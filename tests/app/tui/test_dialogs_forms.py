"""The deal forms on their own: what they return, what they refuse to read, and
where they put the model's refusals. A bare host app pushes each dialog."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from textual.widgets import Button, Checkbox, Input, Select, TextArea

from detail_support import EVIL_NAME, MISSING, Host, pilot_test, started, wait_until
from factories import NOW, make_inbound
from model.domain.enums import AccountTab, DealKind, MicrosoftStatus, PartnerRole, SaleType, Substatus
from model.domain.errors import Violation
from model.domain.schemas import Customer
from tui.screens.dialogs import AcceptDialog, EditDialog, NoteDialog, ReasonDialog, RegisterDialog

def shown(dialog, widget_id: str) -> str:
    widget = dialog.query_one(f"#{widget_id}")
    return str(widget.content) if widget.display else ""


@pilot_test
async def test_accept_returns_typed_values_ready_for_the_service():  # R8.3
    deal = make_inbound(crm_id="OLD")
    app = Host(AcceptDialog(deal))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        dialog.query_one("#value", Input).value = "45,500"
        dialog.query_one("#notes", Input).value = "  Kick-off next week  "
        dialog.query_one("#crm_id", Input).value = ""
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.result is not MISSING, what="dismissed")
    assert app.result == {"name": deal.name, "value": Decimal("45500"), "currency": "EUR",
                          "close_date": date(2027, 2, 28), "notes": "Kick-off next week", "crm_id": "",
                          "campaign_id": ""}


@pilot_test
async def test_accept_will_not_read_a_bad_number_or_date():
    app = Host(AcceptDialog(make_inbound()))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        dialog.query_one("#value", Input).value = "lots"
        await pilot.press("ctrl+s")
        assert app.result is MISSING
        assert "'lots' is not a number" in shown(dialog, "error-value")
        assert app.focused is dialog.query_one("#value", Input)
        dialog.query_one("#value", Input).value = "100"
        dialog.query_one("#close_date", Input).value = "2027-13-40"
        await pilot.press("ctrl+s")
        assert app.result is MISSING
        assert shown(dialog, "error-value") == ""
        assert "not a date; use YYYY-MM-DD" in shown(dialog, "error-close_date")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.result is None, what="cancelled")


@pilot_test
async def test_refusals_go_beside_their_field_and_the_rest_above_the_buttons():
    errors = [Violation("R8.3", "a deal name is required", "name"),
              Violation("R5", "currency must be a 3-letter ISO code", "currency"),
              Violation("R9.1", "something without a field")]
    app = Host(AcceptDialog(make_inbound(), values={"name": ""}, errors=errors))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        assert "a deal name is required (R8.3)" in shown(dialog, "error-name")
        assert "3-letter ISO code (R5)" in shown(dialog, "error-currency")
        assert "something without a field (R9.1)" in shown(dialog, "form-errors")
        assert dialog.query_one("#row-name").has_class("-invalid")
        assert app.focused is dialog.query_one("#name", Input)  # the first field in error
        assert dialog.query_one("#name", Input).value == ""  # what was typed, not the deal's name


@pilot_test
async def test_reason_must_be_chosen_from_the_list():  # R8.4
    app = Host(ReasonDialog(verb="Decline", rule="R8.4", reasons=("A", "B", "Other"), subjects=["One deal"]))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        assert "Decline One deal (R8.4)" in str(dialog.heading())
        await pilot.press("ctrl+s")
        assert app.result is MISSING and "choose a reason" in shown(dialog, "error-reason")
        dialog.query_one("#reason", Select).value = "B"
        dialog.query_one("#notes", Input).value = " why "
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.result is not MISSING, what="dismissed")
    assert app.result == {"reason": "B", "notes": "why"}


@pilot_test
async def test_bulk_reason_dialog_names_the_deals_once():
    names = [f"Deal [b]{i}[/b]" for i in range(8)]
    app = Host(ReasonDialog(verb="Decline", rule="R8.4", reasons=("A",), subjects=names))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        assert str(dialog.heading()) == "Decline 8 deals (R8.4)"
        listed = str(dialog.query_one(".dialog-subjects").content)
        assert "• Deal [b]0[/b]" in listed and "… and 2 more" in listed


@pilot_test
async def test_edit_sends_only_what_changed_and_shows_location_read_only():  # R8.6, R1.2
    deal = make_inbound(substatus=Substatus.ACCEPTED, crm_id="CRM-1", solution_area="Data")
    app = Host(EditDialog(deal))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        assert dialog.query_one("#location", Input).disabled
        assert dialog.query("#marketplace_intent") and not dialog.query("#partner_role")  # IP co-sell (R5)
        dialog.query_one("#crm_id", Input).value = ""
        dialog.query_one("#solution_play", Input).value = "Analytics"
        dialog.query_one("#marketplace_intent", Select).value = "Yes"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.result is not MISSING, what="dismissed")
    assert app.result == {"crm_id": None, "solution_play": "Analytics", "marketplace_intent": "Yes"}


@pilot_test
async def test_edit_of_a_services_deal_with_a_hand_typed_customer():  # R5.2, R4.9
    deal = make_inbound(kind=DealKind.SERVICES_COSELL, partner_role=PartnerRole.DEPLOYMENT,
                        partner_program="Solutions partner", sale_type=SaleType.CO_SELL,
                        customer=Customer(name="Typed Ltd", source=AccountTab.MANUAL))
    errors = [Violation("R1.2", "the location cannot be changed after the deal is created", "location")]
    app = Host(EditDialog(deal, errors=errors))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        assert not dialog.query("#marketplace_intent")
        assert dialog.query_one("#partner_role", Select).value == PartnerRole.DEPLOYMENT.value
        assert "without support (R4.9)" in str(dialog.query_one("#hint-customer").content)
        assert dialog.query_one("#customer", Input).disabled
        assert "cannot be changed after the deal is created (R1.2)" in shown(dialog, "error-location")
        dialog.query_one("#partner_role", Select).value = PartnerRole.TRANSACTION.value
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.result is not MISSING, what="dismissed")
    assert app.result == {"partner_role": "Transaction"}


@pilot_test
async def test_note_needs_text_and_enter_is_a_new_line():  # R5
    app = Host(NoteDialog(make_inbound()))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        assert app.focused is dialog.query_one("#text", TextArea)
        await pilot.press("ctrl+s")
        assert app.result is MISSING and "write the note first" in shown(dialog, "error-text")
        await pilot.press(*"Met", "enter", *"CIO")
        assert app.result is MISSING
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.result is not MISSING, what="dismissed")
    assert app.result == {"text": "Met\nCIO"}


@pilot_test
async def test_register_lists_every_unmet_criterion_and_cannot_submit():  # R10.1
    deal = make_inbound(substatus=Substatus.ACCEPTED, solutions=[], value=Decimal("100"), currency="USD",
                        customer=Customer(name="Typed Ltd", source=AccountTab.MANUAL))
    app = Host(RegisterDialog(deal, NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        text = str(dialog.query_one(".eligibility").content)
        for needle in ("the deal must be won", "Azure IP co-sell", "at least 25,000 USD", "Microsoft-managed"):
            assert needle in text
        assert dialog.query_one("#submit", Button).disabled


@pilot_test
async def test_register_offer_after_won_says_later():  # R8.11, R10.3
    deal = make_inbound(substatus=Substatus.WON, closed_at=NOW, microsoft_status=MicrosoftStatus.ACCEPTED)
    app = Host(RegisterDialog(deal, NOW, offer=True))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        assert "✓ Eligible for registration" in str(dialog.query_one(".eligibility").content)
        assert str(dialog.query_one("#cancel", Button).label) == "Later"
        dialog.query_one("#contract_value", Input).value = "41000"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.result is not MISSING, what="dismissed")
    # Unticked, the confirmation goes to the model as False; the model's R10.5 refusal comes back beside it.
    assert app.result == {"contract_value": Decimal("41000"), "currency": "EUR", "contract_confirmed": False}


@pilot_test
async def test_register_asks_to_confirm_the_contract_and_shows_r10_5_beside_it():  # R10.5
    deal = make_inbound(substatus=Substatus.WON, closed_at=NOW, microsoft_status=MicrosoftStatus.ACCEPTED)
    refusal = Violation("R10.5", "confirm that the contract names your company and the eligible solution",
                        "contract_confirmed")
    app = Host(RegisterDialog(deal, NOW, values={"contract_confirmed": False}, errors=[refusal]))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        box = dialog.query_one("#contract_confirmed", Checkbox)
        assert str(box.label) == ("The contract with the customer names our company and the eligible solution")
        assert not box.value
        assert "names your company" in shown(dialog, "error-contract_confirmed")  # beside the checkbox
        assert app.focused is box  # the field in error has the focus
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.result is not MISSING, what="dismissed")
    assert app.result["contract_confirmed"] is True


@pilot_test
async def test_close_as_error_can_be_saved_without_a_reason():  # R8.13
    app = Host(ReasonDialog(verb="Close as error", rule="R8.13", reasons=("Duplicate deal", "Other"),
                            subjects=["One deal"], reason_required=False))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await started(pilot, app)
        assert "optional" in str(dialog.query_one("#reason", Select).prompt)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.result is not MISSING, what="dismissed")
    assert app.result == {"reason": None, "notes": ""}


@pilot_test
async def test_forms_show_data_without_escapes_and_that_alone_is_no_change():
    deal = make_inbound(name=EVIL_NAME, substatus=Substatus.ACCEPTED)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await app.open(pilot, EditDialog(deal))
        assert dialog.query_one("#name", Input).value == "Contoso [bold red]x[/] red deal"
        assert "[bold red]x[/]" in str(dialog.heading())
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.result is not MISSING, what="dismissed")
        assert app.result == {}
        dialog = await app.open(pilot, AcceptDialog(make_inbound(name=EVIL_NAME)))
        assert dialog.query_one("#name", Input).value == "Contoso [bold red]x[/] red deal"
