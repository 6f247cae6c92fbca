"""`cosell create --from FILE.json`: the wizard's write from a shell, with the same rules."""
from __future__ import annotations

import argparse
import json

from cli import common, create
from model import services as svc
from model.domain.enums import SaleType, Tab
from model.domain.stages import Stage
from model.store import open_store
from model.domain.listing import DealQuery
from wizard_support import ready_draft, seed_reference

NOW = "2026-11-20T09:00:00+00:00"


def run(capsys, monkeypatch, *argv):
    """``cosell ARGV`` in-process with only this command registered (COMMAND_MODULES is the lead's)."""
    monkeypatch.setenv("COSELL_NOW", NOW)
    monkeypatch.delenv("COSELL_DATABASE_URL", raising=False)
    parser = argparse.ArgumentParser(prog="cosell")
    parser.add_argument("--db")
    create.register(parser.add_subparsers(dest="command", required=True))
    capsys.readouterr()
    code = common.run(parser.parse_args(list(argv)))
    out, err = capsys.readouterr()
    return code, out, err


def outbound(db):
    from model.clock import FixedClock
    from model.identity import resolve_user
    from model.services.context import Ctx
    from datetime import datetime

    store = open_store(db)
    try:
        ctx = Ctx(store, FixedClock(datetime.fromisoformat(NOW)), resolve_user(store))
        return [svc.get_deal(ctx, r.id) for r in svc.list_deals(ctx, DealQuery(tab=Tab.OUTBOUND))]
    finally:
        store.dispose()


def test_create_from_a_draft_file(tmp_path, capsys, monkeypatch):
    db, path = tmp_path / "c.db", tmp_path / "draft.json"
    store = open_store(db)
    seed_reference(store)  # the draft's customer and solution are looked up in the catalogues (R4.11, R6.5)
    store.dispose()
    path.write_text(ready_draft(name="From the shell").model_dump_json())
    code, out, err = run(capsys, monkeypatch, "--db", str(db), "create", "--from", str(path))
    assert code == 0, err
    assert out.startswith("created ") and "From the shell" in out and "stage Created" in out
    (deal,) = outbound(db)
    assert deal.name == "From the shell" and deal.stage is Stage.CREATED and deal.sale_type is SaleType.PARTNER_LED


def test_a_draft_the_rules_refuse_is_not_written(tmp_path, capsys, monkeypatch):
    db, path = tmp_path / "c.db", tmp_path / "draft.json"
    path.write_text(ready_draft(name="", team=[], solutions=[]).model_dump_json())
    code, out, err = run(capsys, monkeypatch, "--db", str(db), "create", "--from", str(path))
    assert code == 4
    assert "name: a deal name is required (R5)" in err
    assert "team: add at least one team member with name, phone and email (R6.1)" in err
    assert "solutions: an IP co-sell deal needs at least one solution (R6.4)" in err
    assert outbound(db) == []
    code, out, _ = run(capsys, monkeypatch, "create", "--from", str(path), "--check")
    assert code == 4 and "name: a deal name is required (R5)" in out


def test_a_file_that_is_not_a_draft_is_a_usage_error(tmp_path, capsys, monkeypatch):
    path = tmp_path / "draft.json"
    path.write_text(json.dumps({"name": "x", "value": "lots"}))
    code, _, err = run(capsys, monkeypatch, "--db", str(tmp_path / "c.db"), "create", "--from", str(path))
    assert code == 2 and "is not a deal draft: value:" in err
    code, _, err = run(capsys, monkeypatch, "create", "--from", str(tmp_path / "missing.json"), "--check")
    assert code == 2 and "cannot read" in err
