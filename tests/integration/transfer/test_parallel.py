"""Big files use worker processes; the outcome (and every message) is the one-process outcome.

The thresholds are lowered here so a few dozen referrals take the parallel path.
"""
from __future__ import annotations

import json

import pytest

from data.demo import populate
from factories import NOW
from model import services as svc
from model.domain.errors import ImportRejected
from model.services import transfer, transfer_export, transfer_parallel
from model.store import bulk
from transfer_support import all_deals, copy_catalogue, counts, export_text, fresh_ctx
from transfer_support import known_catalogue  # noqa: F401  (autouse: the catalogue the factories name)


@pytest.fixture(autouse=True)
def small_thresholds(monkeypatch):
    monkeypatch.setattr(transfer_parallel, "PARALLEL_MIN", 10)
    monkeypatch.setattr(transfer_parallel, "PART", 7)
    monkeypatch.setattr(transfer_export, "PARALLEL_MIN", 10)
    monkeypatch.setattr(transfer_export, "SEGMENT", 7)
    monkeypatch.setattr(bulk, "worker_count", lambda: 2)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    ctx = fresh_ctx(tmp_path_factory.mktemp("src"), "source")
    populate(ctx.store, deals=45, accounts=300, seed=5, now=NOW)
    yield ctx
    ctx.store.dispose()


def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_parallel_export_is_the_one_process_export(source, monkeypatch):
    parallel = export_text(source)
    assert transfer_export._ranges(source, None) is not None  # really split into ranges
    monkeypatch.setattr(transfer_export, "PARALLEL_MIN", 10**9)
    assert export_text(source) == parallel
    monkeypatch.setattr(transfer_export, "PARALLEL_MIN", 10)
    csv_parallel = export_text(source, fmt="csv")
    monkeypatch.setattr(transfer_export, "PARALLEL_MIN", 10**9)
    assert export_text(source, fmt="csv") == csv_parallel


def test_parallel_import_stores_every_deal_unchanged(source, tmp_path):
    text = export_text(source)
    target = fresh_ctx(tmp_path, "target", catalogue=False)
    copy_catalogue(source.store, target.store)  # catalogue facts are looked up, never read from the file
    report = transfer_parallel.import_in_parallel(target, text.encode(), location=None, source="f")
    assert report is not None and report.created == 45
    assert all_deals(target) == all_deals(source)
    again = transfer_parallel.import_in_parallel(target, text.encode(), location=None, source="f")
    assert (again.created, again.unchanged) == (0, 45)


def test_problems_in_several_parts_are_all_named_and_nothing_is_written(source, tmp_path):
    lines = _lines(export_text(source))
    for n in (3, 30):  # record 3 (first part) and record 30 (fifth part)
        record = json.loads(lines[n].rstrip(","))
        record["details"]["dealValue"] = -1
        lines[n] = json.dumps(record) + ","
    target = fresh_ctx(tmp_path, "target", catalogue=False)
    copy_catalogue(source.store, target.store)  # catalogue facts are looked up, never read from the file
    before = counts(target.store)
    with pytest.raises(ImportRejected) as err:
        transfer.import_referrals(target, "\n".join(lines))
    assert "(2 problems)" in str(err.value)
    assert "record 3 (" in str(err.value) and "record 30 (" in str(err.value)
    assert "details.dealValue: must be ≥ 0" in str(err.value)
    assert counts(target.store) == before


def test_the_same_id_in_two_parts_is_refused(source, tmp_path):
    lines = _lines(export_text(source))
    lines[40] = lines[2]  # record 40 repeats record 2 (same id)
    target = fresh_ctx(tmp_path, "target", catalogue=False)
    copy_catalogue(source.store, target.store)  # catalogue facts are looked up, never read from the file
    with pytest.raises(ImportRejected, match=r"record 40 \(.*\): id: the same id is record 2 too"):
        transfer.import_referrals(target, "\n".join(lines))
    assert counts(target.store)["deals"] == 0


def test_bad_json_falls_back_to_one_process_with_line_and_column(source, tmp_path):
    lines = _lines(export_text(source))
    lines[20] = lines[20].replace('"name":', '"name" ', 1)
    target = fresh_ctx(tmp_path, "target", catalogue=False)
    copy_catalogue(source.store, target.store)  # catalogue facts are looked up, never read from the file
    with pytest.raises(ImportRejected, match=r"bad JSON at line 21, column \d+"):
        transfer.import_referrals(target, "\n".join(lines))
    assert counts(target.store)["deals"] == 0


def test_other_layouts_are_read_in_one_process(source, tmp_path):
    doc = json.loads(export_text(source))
    target = fresh_ctx(tmp_path, "target", catalogue=False)
    copy_catalogue(source.store, target.store)  # catalogue facts are looked up, never read from the file
    assert transfer_parallel.import_in_parallel(target, json.dumps(doc).encode(), location=None, source="f") is None
    assert transfer.import_referrals(target, json.dumps(doc, indent=2)).created == 45


def test_partner_center_records_learned_in_several_parts_are_the_one_process_outcome(tmp_path, monkeypatch):
    # The same unknown solution and mpnId in both parts: catalogued once, each deal's history says so.
    import copy

    from sqlalchemy import select

    from model.store.tables import LocationRecord, SolutionRecord
    from transfer_support import MANAGED_ACCOUNT, add_account, pc_list_file

    base = pc_list_file()["value"]
    records = []
    for i in range(16):
        r = copy.deepcopy(base[i % 4])
        r["id"] = f"{i:08d}-0000-4000-8000-000000000000"
        records.append(r)
    text = "{\"value\": [\n" + ",\n".join(json.dumps(r) for r in records) + "\n]}\n"

    def run(name, parallel):
        ctx = fresh_ctx(tmp_path, name, catalogue=False)
        add_account(ctx.store, *MANAGED_ACCOUNT, "managed")
        if parallel:
            report = transfer_parallel.import_in_parallel(ctx, text.encode(), location=None, source="pc.json")
            assert report is not None  # really in parts
        else:
            monkeypatch.setattr(transfer_parallel, "PARALLEL_MIN", 10**9)
            report = transfer.import_referrals(ctx, text, source="pc.json")
            monkeypatch.setattr(transfer_parallel, "PARALLEL_MIN", 10)
        with ctx.store.read() as session:
            catalogue = sorted((s.solution_id, s.registration_kind) for s in session.scalars(select(SolutionRecord)))
            places = [(r.mpn_id, r.name) for r in session.scalars(select(LocationRecord))]
        learned = {d: [e.changes for e in svc.history(ctx, d) if e.action == "catalogue"] for d in all_deals(ctx)}
        return report.created, all_deals(ctx), catalogue, places, learned

    parallel, single = run("parallel", True), run("single", False)
    assert parallel[0] == 16 and parallel[2] == single[2] and parallel[3] == single[3] == [("6115379", "6115379")]
    assert parallel[1] == single[1]
    assert sum(bool(v) for v in parallel[4].values()) >= 2  # learned in each part, recorded on its deals
