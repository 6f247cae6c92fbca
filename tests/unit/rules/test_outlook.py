"""The wizard's registration outlook (R7, R10), a pure function of the draft: what sale type the
answers give and whether the deal could ever be registered, with what is unmet or still to happen."""
from __future__ import annotations

from decimal import Decimal

from factories import ASSESSMENT, AZURE_APP, NOW, PLAIN_APP, make_draft, managed_customer
from model.domain.enums import AccountMatch, AccountTab, DealKind, HelpType, SaleType
from model.domain.rules.customer import NOTE_MATCHING
from model.domain.rules.outlook import registration_outlook, would_be_sale_type
from model.domain.schemas import Invitation


def partner(name: str = "Fabrikam Partners") -> Invitation:
    return Invitation(invitation_id="", partner_id="P-1", partner_name=name, solutions=[AZURE_APP.solution_id])


def test_sale_type_follows_the_two_questions():  # R7.1, R7.2, R7.3, R7.4
    assert would_be_sale_type(make_draft(help_type=HelpType.NONE, share_with_microsoft=False)) is SaleType.PRIVATE
    assert would_be_sale_type(make_draft(help_type=HelpType.NONE, share_with_microsoft=True)) is SaleType.PARTNER_LED
    assert would_be_sale_type(make_draft(help_type=HelpType.GENERAL, share_with_microsoft=False)) is SaleType.CO_SELL
    assert would_be_sale_type(make_draft(help_type=HelpType.NONE, share_with_microsoft=False,
                                         invitations=[partner()])) is SaleType.P2P


def test_microsoft_invitation_alone_does_not_make_it_p2p():  # R7.4: P2P means another partner
    ms = Invitation(invitation_id="", partner_name="Microsoft", is_microsoft=True)
    draft = make_draft(help_type=HelpType.NONE, share_with_microsoft=True, invitations=[ms])
    assert would_be_sale_type(draft) is SaleType.PARTNER_LED


def test_eligible_partner_led_draft_lists_what_still_has_to_happen():  # R10.1, R8.12
    out = registration_outlook(make_draft(), NOW)
    assert out.sale_type is SaleType.PARTNER_LED
    assert out.could_register and out.unmet == []
    assert out.conditions == ["mark the deal won (R10.1)",
                              "keep at least 72 hours between creating the deal and marking it won (R8.12)"]


def test_cosell_draft_also_waits_for_microsoft():  # R10.1, R7.3
    out = registration_outlook(make_draft(help_type=HelpType.GENERAL), NOW)
    assert out.sale_type is SaleType.CO_SELL and out.could_register
    assert "Microsoft accepts the invitation or marks the deal won (R10.1)" in out.conditions


def test_private_small_unregistrable_draft_lists_every_unmet_rule_at_once():  # R10.1, R10.2
    draft = make_draft(help_type=HelpType.NONE, share_with_microsoft=False, value=Decimal("10000"),
                       solutions=[PLAIN_APP])
    out = registration_outlook(draft, NOW)
    assert out.sale_type is SaleType.PRIVATE
    assert not out.could_register and out.conditions == []
    fields = [v.field for v in out.unmet]
    assert fields == ["solutions", "sale_type", "value"]
    assert all(v.rule in ("R10.1", "R10.2") for v in out.unmet)


def test_unmanaged_customer_is_ineligible_already():  # R4.4, R10.1
    draft = make_draft(customer=managed_customer(source=AccountTab.UNMANAGED, match=AccountMatch.UNMANAGED))
    out = registration_outlook(draft, NOW)
    assert not out.could_register
    assert [v.field for v in out.unmet] == ["customer"]


def test_other_or_typed_customer_may_still_match_later():  # R4.5
    for source in (AccountTab.OTHER, AccountTab.MANUAL):
        draft = make_draft(customer=managed_customer(source=source, match=AccountMatch.NOT_MATCHED, account_id=None))
        out = registration_outlook(draft, NOW)
        assert out.could_register, source
        assert NOTE_MATCHING in out.conditions


def test_p2p_contract_owner_is_a_condition_not_a_block():  # R7.6
    draft = make_draft(help_type=HelpType.GENERAL, invitations=[partner()])
    out = registration_outlook(draft, NOW)
    assert out.sale_type is SaleType.CO_SELL and out.could_register
    assert all(v.rule != "R7.6" for v in out.unmet)
    assert out.conditions[-1].endswith("(R7.6)")


def test_services_and_assessment_drafts_cannot_be_registered():  # R10 is IP co-sell only; SA has no sale type
    services = registration_outlook(make_draft(kind=DealKind.SERVICES_COSELL), NOW)
    assert not services.could_register and services.unmet
    sa = registration_outlook(make_draft(kind=DealKind.SOLUTION_ASSESSMENT, solutions=[ASSESSMENT]), NOW)
    assert sa.sale_type is None and not sa.could_register


def test_the_draft_is_not_changed():  # pure: the preview never touches what the wizard holds
    draft = make_draft(customer=managed_customer(source=AccountTab.OTHER, match=AccountMatch.NOT_MATCHED))
    before = draft.model_copy(deep=True)
    registration_outlook(draft, NOW)
    assert draft == before
