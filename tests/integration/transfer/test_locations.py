"""R1.2's locations by Partner Center ``mpnId``: an import makes an unknown mpnId a location named
after itself; an admin names it (``cosell locations``); renaming renames it on its deals in one
transaction with a history event, and is no change of any deal's location."""
from __future__ import annotations

import argparse
import json

import pytest

from deal_support import dump
from factories import ctx_as, SELLER_SE
from model import services as svc
from model.domain.errors import AccessDenied, NotFound, RuleViolation
from model.services import locations, transfer
from transfer_support import MANAGED_ACCOUNT, PC_MPN, add_account, all_deals, export_doc, fresh_ctx, pc_list_file


@pytest.fixture
def pc(tmp_path):
    ctx = fresh_ctx(tmp_path, "pc", catalogue=False)
    add_account(ctx.store, *MANAGED_ACCOUNT, "managed")
    yield ctx
    ctx.store.dispose()


def test_an_admin_names_a_location_before_its_first_file(pc):
    locations.add_location(pc, PC_MPN, "Stockholm")
    transfer.import_referrals(pc, json.dumps(pc_list_file()))
    assert {d.location for d in all_deals(pc).values()} == {"Stockholm"}


def test_renaming_a_location_renames_it_on_its_deals_in_one_transaction(pc):
    transfer.import_referrals(pc, json.dumps(pc_list_file()))
    row = locations.rename_location(pc, PC_MPN, "Stockholm")
    assert (row["old_name"], row["deals"]) == (PC_MPN, 4)
    deals = all_deals(pc)
    assert {d.location for d in deals.values()} == {"Stockholm"}
    for deal in deals.values():
        event = svc.history(pc, deal.id)[-1]
        assert event.action == "rename_location" and event.changes == {"location": [PC_MPN, "Stockholm"]}
    assert [r["name"] for r in locations.list_locations(pc)] == ["Stockholm"]


def test_a_renamed_location_is_the_same_location_on_reimport(pc):
    # R1.2: the deal's location identity is the mpnId; the file still says 6115379, and that is no change.
    doc = pc_list_file()
    transfer.import_referrals(pc, json.dumps(doc))
    locations.rename_location(pc, PC_MPN, "Stockholm")
    report = transfer.import_referrals(pc, json.dumps(doc))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert export_doc(pc)["value"][0]["mpnId"] == PC_MPN


def test_location_refusals_write_nothing(pc):
    locations.add_location(pc, PC_MPN, "Stockholm")
    locations.add_location(pc, "999", "Oslo")
    before = dump(pc.store)
    with pytest.raises(RuleViolation, match=r"R1.2"):
        locations.add_location(pc, PC_MPN, "Göteborg")  # the mpnId is a location already
    with pytest.raises(RuleViolation, match=r"another location .* is named 'Oslo'"):
        locations.rename_location(pc, PC_MPN, "Oslo")
    with pytest.raises(RuleViolation, match=r"1 to 80 characters"):
        locations.rename_location(pc, PC_MPN, "  ")
    with pytest.raises(NotFound):
        locations.rename_location(pc, "404", "Nowhere")
    assert dump(pc.store) == before


def test_only_an_admin_lists_adds_or_renames(pc):
    user = ctx_as(pc, SELLER_SE)  # R1.1
    for call in (lambda: locations.list_locations(user), lambda: locations.add_location(user, "1", "A"),
                 lambda: locations.rename_location(user, "1", "B")):
        with pytest.raises(AccessDenied, match=r"R1.1"):
            call()


# -- the command (registered in cli.main's command table as "cli.locations") ------------------

def _cosell(db, monkeypatch, capsys, *argv) -> tuple[int, str, str]:
    from cli import common, locations as command

    monkeypatch.setenv("COSELL_NOW", "2026-11-20T09:00:00+00:00")
    parser = argparse.ArgumentParser(prog="cosell")
    parser.add_argument("--db")
    command.register(parser.add_subparsers(dest="command"))
    try:
        code = common.run(parser.parse_args(["--db", str(db), *argv]))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_the_locations_command(tmp_path, monkeypatch, capsys):
    db = tmp_path / "cli.db"
    assert _cosell(db, monkeypatch, capsys, "locations", "add", "6115379", "Stockholm")[0] == 0  # first login: admin
    code, out, _ = _cosell(db, monkeypatch, capsys, "locations", "list", "--json")
    assert code == 0 and [(r["mpn_id"], r["name"]) for r in json.loads(out)] == [("6115379", "Stockholm")]
    code, out, _ = _cosell(db, monkeypatch, capsys, "locations", "rename", "6115379", "Solna")
    assert code == 0 and "now Solna (0 deals renamed)" in out
    code, _, err = _cosell(db, monkeypatch, capsys, "locations", "add", "6115379", "Again")
    assert code == 4 and "R1.2" in err  # refused
    assert _cosell(db, monkeypatch, capsys, "locations", "rename", "6115379")[0] == 2  # usage


def test_a_rename_keeps_the_users_of_the_location_in_scope(pc):
    # R1.3: a user scoped to the location still sees its deals under the new name.
    from model.store.tables import UserRecord

    transfer.import_referrals(pc, json.dumps(pc_list_file()))
    with pc.store.write() as session:
        session.add(UserRecord(login="sven", display_name="Sven", email="john.doe@contoso-partner.com", role="user",
                               location=PC_MPN))
    locations.rename_location(pc, PC_MPN, "Stockholm")
    with pc.store.read() as session:
        assert session.get(UserRecord, "sven").location == "Stockholm"
