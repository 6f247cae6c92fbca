"""Two processes writing one database at once: 1,000 actions, no lost update, no crash.

Each writer (tests/support/writer.py) appends notes with the version it just read
(retrying on ConflictError), toggles favorites and marks stages on the same few
deals. Afterwards every successful action must be in the database exactly
once: notes, history events, versions, favorites and the change counter all add
up. "database is locked" must never reach a writer.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from model import services as svc
from model.store import open_store
from model.store.tables import DealRecord, EventRecord, NoteRecord
from shared_support import ADMIN, NOW, SELLER_SE, make_draft, seed_catalogue

WRITER = Path(__file__).parents[2] / "support" / "writer.py"
ACTIONS_PER_WRITER = 500
DEALS = 6
# Measured on 2 cores: ~6 s on SQLite, ~16 s on PostgreSQL; ~30/60 s with the box fully loaded.
# The bound catches writers stalling on locks (each stall would cost a busy timeout).
MAX_SECONDS = 90


def _two_writers(ctx, tmp_path: Path, url: str) -> dict:
    seed_catalogue(ctx.store)  # the factories' deals name catalogue accounts and solutions (R4.11, R6.5)
    ids = [svc.create_deal(ctx, make_draft(name=f"Deal {i}")).id for i in range(DEALS)]
    counter_before = ctx.store.change_counter()
    go = tmp_path / "go"
    jobs = [
        dict(url=url, login=ADMIN.login, email=ADMIN.email, role="admin", location=None, seed=1),
        # bob is a referral user in Sweden on every deal's team: his writes go through R1.3 checks
        dict(url=url, login=SELLER_SE.login, email=SELLER_SE.email, role="user", location="Sweden", seed=2),
    ]
    procs = []
    for job in jobs:
        job.update(deals=ids, actions=ACTIONS_PER_WRITER, go=str(go), now=NOW.isoformat())
        procs.append(subprocess.Popen([sys.executable, str(WRITER), json.dumps(job)], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, cwd=WRITER.parent))
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    started = time.perf_counter()
    go.touch()
    outputs = [proc.communicate(timeout=240) for proc in procs]
    elapsed = time.perf_counter() - started
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, f"a writer crashed:\n{err}"
        assert "locked" not in err.lower() and "Traceback" not in err, err
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    return dict(ids=ids, results=results, counter_before=counter_before, elapsed=elapsed)


def _assert_nothing_lost(store, run: dict) -> None:
    ids, results = run["ids"], run["results"]
    notes = sum((Counter(r["notes"]) for r in results), Counter())
    toggles = sum((Counter(r["toggles"]) for r in results), Counter())
    stages = sum((Counter(r["stages"]) for r in results), Counter())
    refused = sum(r["refused"] for r in results)
    successes = sum(notes.values()) + sum(toggles.values()) + sum(stages.values())
    # every one of the 1,000 actions ended as a write or as a clean refusal (a conflict is retried)
    assert successes + refused == 2 * ACTIONS_PER_WRITER
    # the writers really raced: some versioned writes met the other's change, and each
    # ConflictError named who changed the deal and what
    conflicts = sum(r["conflicts"] for r in results)
    assert sum(r["conflicts_named"] for r in results) == conflicts
    with store.read() as session:
        for deal_id in ids:
            rec = session.get(DealRecord, deal_id)
            n_notes = session.scalar(select(func.count()).select_from(NoteRecord).where(NoteRecord.deal_id == deal_id))
            texts = set(session.scalars(select(NoteRecord.text).where(NoteRecord.deal_id == deal_id)))
            events = Counter(session.scalars(select(EventRecord.action).where(EventRecord.deal_id == deal_id)))
            assert n_notes == 1 + notes[deal_id]  # the draft's note plus every appended one
            assert len(texts) == n_notes  # each note text is unique: none written twice
            assert events == Counter({"create": 1, "note": notes[deal_id], "favorite": toggles[deal_id],
                                      "stage": stages[deal_id]}) - Counter()
            # notes and stages bump the version; the favorite heart does not (R3.3)
            assert rec.version == 1 + notes[deal_id] + stages[deal_id]
            assert rec.favorite == (toggles[deal_id] % 2 == 1)
            assert len(rec.stages_marked or []) == stages[deal_id]
    # one change-counter tick per committed write, none lost, none for refusals
    assert store.change_counter() - run["counter_before"] == successes


def test_two_processes_1000_actions_on_one_sqlite_file(ctx, tmp_path):
    db = tmp_path / "team.db"
    store = open_store(db)
    try:
        run = _two_writers(svc.Ctx(store=store, clock=ctx.clock, user=ADMIN), tmp_path, f"sqlite:///{db}")
        _assert_nothing_lost(store, run)
        assert run["elapsed"] < MAX_SECONDS, f"1,000 actions took {run['elapsed']:.1f} s"
    finally:
        store.dispose()


@pytest.mark.pg
@pytest.mark.skipif(not os.environ.get("COSELL_TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="needs COSELL_TEST_DATABASE_URL=postgresql+psycopg://...")
def test_two_processes_1000_actions_on_postgresql(ctx, tmp_path):
    # the `store` fixture behind ctx is the PostgreSQL database, emptied for this test
    run = _two_writers(ctx, tmp_path, os.environ["COSELL_TEST_DATABASE_URL"])
    _assert_nothing_lost(ctx.store, run)
    assert run["elapsed"] < MAX_SECONDS, f"1,000 actions took {run['elapsed']:.1f} s"
