"""A bad file is refused whole: the message names the record (number, id, name) and the field,
and nothing at all is written (all or nothing, one transaction)."""
from __future__ import annotations

import copy
import json

import pytest

from factories import SELLER_SE, ctx_as, make_draft, make_inbound
from model import services as svc
from model.domain.errors import AccessDenied, ImportRejected
from model.services import transfer
from transfer_support import counts, export_doc
from transfer_support import known_catalogue  # noqa: F401  (autouse: the catalogue the factories name)


@pytest.fixture
def good(ctx):
    """Three valid referrals (exported from another store) and the store they must not reach."""
    svc.create_deal(ctx, make_draft(name="Alpha analytics"))
    svc.create_deal(ctx, make_draft(name="Beta backup"))
    svc.receive_inbound(ctx, make_inbound(name="Contoso retail"))
    records = export_doc(ctx)["value"]
    records.sort(key=lambda r: r["name"])
    return records


@pytest.fixture
def target(tmp_path):
    from transfer_support import fresh_ctx

    ctx = fresh_ctx(tmp_path, "target")
    svc.create_deal(ctx, make_draft(name="Already here"))
    yield ctx
    ctx.store.dispose()


def refused(target, payload) -> str:
    before = counts(target.store)
    with pytest.raises(ImportRejected) as err:
        transfer.import_referrals(target, payload if isinstance(payload, (str, bytes)) else json.dumps(payload))
    assert counts(target.store) == before  # nothing written
    return str(err.value)


def broken(records, index, change):
    out = copy.deepcopy(records)
    change(out[index])
    return {"value": out, "@odata.count": len(out)}


def test_bad_json_names_line_and_column(good, target):
    text = '[\n {"id": "a",\n  "name": "b"\n  "status": "New"}\n]'  # a comma missing after "b"
    assert refused(target, text).endswith("bad JSON at line 4, column 3: Expecting ',' delimiter")
    big = json.dumps({"value": good}, indent=1) + "\n}"
    assert "bad JSON at line" in refused(target, big)


def test_missing_required_field(good, target):
    message = refused(target, broken(good, 1, lambda r: r["details"].pop("dealValue")))
    ident = good[1]["id"][:8]
    assert f"record 2 (id {ident}…, 'Beta backup'): details.dealValue: is required" in message


def test_wrong_enum(good, target):
    message = refused(target, broken(good, 2, lambda r: r.update(substatus="Wonn")))
    assert "record 3 (" in message and "'Contoso retail'): substatus: 'Wonn' is not one of" in message


def test_negative_value(good, target):
    message = refused(target, broken(good, 0, lambda r: r["details"].update(dealValue=-5)))
    assert "record 1 (" in message and "'Alpha analytics'): details.dealValue: must be ≥ 0 (got -5)" in message


def test_bad_date(good, target):
    message = refused(target, broken(good, 1, lambda r: r.update(createdDateTime="2026-02-30T10:00:00Z")))
    assert "'Beta backup'): createdDateTime: '2026-02-30T10:00:00Z' is not a date-time" in message


def test_unknown_currency(good, target):
    message = refused(target, broken(good, 0, lambda r: r["details"].update(currency="XYZ")))
    assert "details.currency: unknown currency 'XYZ'" in message
    message = refused(target, broken(good, 0, lambda r: r["details"].update(currency="usd")))
    assert "details.currency: currency must be a 3-letter ISO code" in message


def test_a_bad_last_record_keeps_the_good_ones_out_too(good, target):
    message = refused(target, broken(good, 2, lambda r: r["customerProfile"].pop("name")))
    assert message.startswith("nothing was imported (1 problem)")
    assert "record 3" in message and "customerProfile.name: is required" in message


def test_every_problem_is_listed(good, target):
    def two(r):
        r["details"]["dealValue"] = "lots"
        r["direction"] = "Sideways"
    message = refused(target, broken(good, 1, two))
    assert "(2 problems)" in message
    assert "details.dealValue: 'lots' is not a number" in message and "direction: 'Sideways' is not one of" in message


def test_inconsistent_status_and_direction(good, target):
    message = refused(target, broken(good, 0, lambda r: r.update(status="Closed")))
    assert "substatus Accepted does not go with status Closed" in message
    message = refused(target, broken(good, 0, lambda r: r.update(status="New", substatus="Received")))
    assert "an Outgoing referral cannot be Received" in message  # R8.2


def test_unknown_stage_word_and_bad_partner_role(good, target):
    message = refused(target, broken(good, 0, lambda r: r.update(salesStage="Dreaming")))
    assert "salesStage: unknown sales stage 'Dreaming'" in message
    attrs = lambda r: r["details"].setdefault("requirements", {}).setdefault(  # noqa: E731
        "additionalRequirements", {"attributes": []})["attributes"].append({"type": "PartnerRole", "id": "Juggler"})
    message = refused(target, broken(good, 0, attrs))
    assert "details.requirements.additionalRequirements.attributes[0]: PartnerRole 'Juggler' is not one of" in message


def test_the_same_id_twice(good, target):
    doubled = good + [copy.deepcopy(good[0])]
    message = refused(target, {"value": doubled})
    assert "record 4 (" in message and "id: the same id is record 1 too" in message


def test_not_a_referral_file(target):
    assert "JSON list" in refused(target, '{"something": 1}')
    assert "is empty" in refused(target, b"   ")
    assert "bad JSON" in refused(target, "hello")
    assert "not UTF-8" in refused(target, b'[{"id": "\xff"}]')


def test_a_plain_file_without_a_location_needs_one(target):
    from transfer_support import PLAIN_PC_RECORD

    message = refused(target, [PLAIN_PC_RECORD])
    assert "record 1 (id 5b1f0c2e…, 'Test Cosell Invite_20'): mpnId: a deal needs a location (R1.2)" in message


def test_only_a_referral_admin_imports(good, target):
    # R1.1
    user = ctx_as(target, SELLER_SE)
    before = counts(target.store)
    with pytest.raises(AccessDenied):
        transfer.import_referrals(user, json.dumps(good))
    assert counts(target.store) == before
