"""An import refuses a record once per broken rule: R6.6, R6.7 and R9.1 are each stated once in
the domain, and the creation rules, the operations and the invariants an import runs all use that
one statement, so the refusal names each problem once, in one wording (not once per checker)."""
from __future__ import annotations

import copy
import re

import pytest

from deal_support import create, dump
from factories import ASSESSMENT, PLAIN_APP, managed_customer
from model import services as svc
from model.domain.enums import DealKind, HelpType, MarketplaceIntent
from model.domain.errors import ImportRejected
from model.domain.schemas import CustomerContact
from transfer_support import add_solution, import_one, record_of
from transfer_support import known_catalogue  # noqa: F401  (autouse: the catalogue the factories name)


def _new_record(ctx, ident: str, **draft) -> dict:
    """The exported record of an outbound deal made through the services, under a fresh id."""
    record = copy.deepcopy(record_of(ctx, create(ctx, **draft).id))
    record["id"] = ident
    return record


def _per_record(message: str) -> dict[str, list[str]]:
    """The refusal's problems by record name: the rule ids each names."""
    out: dict[str, list[str]] = {}
    for line in message.splitlines():
        found = re.search(r"record \d+ \(id [^,]+, '([^']+)'\)", line)
        if found:
            out.setdefault(found.group(1), []).extend(re.findall(r"\((R\d+(?:\.\d+)?)\)", line))
    return out


@pytest.fixture
def refusal(ctx) -> dict[str, list[str]]:
    add_solution(ctx.store, "SA-SEC", "Security assessment", "assessment")
    two_assessments = _new_record(ctx, "99999999-9999-4999-8999-999999999991", name="Two assessments",
                                  kind=DealKind.SOLUTION_ASSESSMENT, solutions=[ASSESSMENT])
    two_assessments["details"]["requirements"]["solutions"].append(
        {"id": "SA-SEC", "name": "Security assessment", "type": "Name"})
    two_assessments["cosell"].pop("solutions", None)
    not_incentivized = _new_record(ctx, "99999999-9999-4999-8999-999999999992", name="Marketplace yes",
                                   marketplace_intent=MarketplaceIntent.YES)
    not_incentivized["details"]["requirements"]["solutions"] = [
        {"id": PLAIN_APP.solution_id, "name": PLAIN_APP.name, "type": "Name"}]  # co-sell ready, not incentivized
    not_incentivized["cosell"].pop("solutions", None)
    lost = create(ctx, name="Lost deal")
    svc.lost(ctx, lost.id, "Price")
    changed_lost = record_of(ctx, lost.id)
    changed_lost["details"]["dealValue"] = 1
    before = dump(ctx.store)
    with pytest.raises(ImportRejected) as err:
        import_one(ctx, two_assessments, not_incentivized, changed_lost)
    assert dump(ctx.store) == before  # nothing written
    return {"text": str(err.value), **_per_record(str(err.value))}


def test_r6_6_two_assessments_are_named_once(refusal):  # R6.6
    assert refusal["Two assessments"].count("R6.6") == 1, refusal["text"]


def test_r6_7_marketplace_yes_without_an_incentivized_solution_is_named_once(refusal):  # R6.7
    assert refusal["Marketplace yes"].count("R6.7") == 1, refusal["text"]


def test_r9_1_a_changed_lost_deal_is_named_once(refusal):  # R9.1
    assert refusal["Lost deal"].count("R9.1") == 1, refusal["text"]


def test_r9_1_microsofts_answer_on_a_lost_deal_is_named_once(ctx):  # R9.1
    customer = managed_customer(contacts=[CustomerContact(name="Ann Buyer", phone="+46 70 111 22 33",
                                                          email="ann@northwind.example")], consent_to_share=True)
    deal = create(ctx, name="Lost deal", help_type=HelpType.POC, customer=customer)  # Microsoft invited (R7.3)
    svc.lost(ctx, deal.id, "Price")
    record = record_of(ctx, deal.id)
    record["cosell"]["microsoft_status"] = "accepted"
    with pytest.raises(ImportRejected) as err:
        import_one(ctx, record)
    assert _per_record(str(err.value))["Lost deal"].count("R9.1") == 1, str(err.value)
