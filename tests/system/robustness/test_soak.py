"""Issue 11, "Load and time": 8 processes doing mixed actions on the same deals for a while, on
SQLite and (COSELL_TEST_DATABASE_URL set) PostgreSQL. Nothing may be lost and nothing may fail.

Each process (soak_worker.py) reads tab pages and deals, appends notes with the version it read
(retrying on a conflict, never overwriting), toggles favorites and marks stages, as an admin or
as a referral user on the deals' team (R1.3 checks on every action). Afterwards every action a
process reports is in the database exactly once: notes, history events, versions, favorites
and the change counter all add up; no "database is locked" and no crash reached a process.

Bounded: COSELL_SOAK_SECONDS of actions (default 45, so the slow suite stays short); the
5-minute figure is ``COSELL_SOAK_SECONDS=300``. The figures (actions done, conflicts, lost
updates, locked, crashes, p99 latency) are printed (``-s``) and kept as test properties.
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

WORKER = Path(__file__).with_name("soak_worker.py")
PROCESSES = 8
DEALS = 12
SECONDS = float(os.environ.get("COSELL_SOAK_SECONDS", "45"))


def _soak(ctx, tmp_path: Path, url: str) -> dict:
    seed_catalogue(ctx.store)
    ids = [svc.create_deal(ctx, make_draft(name=f"Soak deal {i}")).id for i in range(DEALS)]
    counter_before = ctx.store.change_counter()
    go = tmp_path / "go"
    procs = []
    for n in range(PROCESSES):
        who = ADMIN if n % 2 == 0 else SELLER_SE  # bob: a referral user in Sweden on every deal's team
        job = dict(url=url, login=who.login, email=who.email, role=who.role.value, location=who.location,
                   seed=100 + n, deals=ids, seconds=SECONDS, go=str(go), now=NOW.isoformat())
        procs.append(subprocess.Popen([sys.executable, str(WORKER), json.dumps(job)], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2] / "support"))
    for proc in procs:
        line = proc.stdout.readline().strip()
        assert line == "ready", proc.stderr.read()
    started = time.perf_counter()
    go.touch()
    outputs = [proc.communicate(timeout=SECONDS + 300) for proc in procs]
    elapsed = time.perf_counter() - started
    crashed = [err for proc, (_out, err) in zip(procs, outputs) if proc.returncode != 0]
    results = [json.loads(out.strip().splitlines()[-1]) for proc, (out, _err) in zip(procs, outputs)
               if proc.returncode == 0]
    return dict(ids=ids, results=results, crashed=crashed, counter_before=counter_before, elapsed=elapsed)


def _figures(store, run: dict) -> dict:
    results = run["results"]
    notes = sum((Counter(r["notes"]) for r in results), Counter())
    toggles = sum((Counter(r["toggles"]) for r in results), Counter())
    stages = sum((Counter(r["stages"]) for r in results), Counter())
    actions = sum((Counter(r["actions"]) for r in results), Counter())
    # Each way an update could be lost or doubled, counted apart (all must be 0).
    lost = Counter()
    with store.read() as session:
        for deal_id in run["ids"]:
            rec = session.get(DealRecord, deal_id)
            n_notes = session.scalar(select(func.count()).select_from(NoteRecord).where(NoteRecord.deal_id == deal_id))
            texts = set(session.scalars(select(NoteRecord.text).where(NoteRecord.deal_id == deal_id)))
            events = Counter(session.scalars(select(EventRecord.action).where(EventRecord.deal_id == deal_id)))
            lost["notes"] += abs(n_notes - (1 + notes[deal_id]))
            lost["notes_twice"] += n_notes - len(texts)
            lost["note_events"] += abs(events["note"] - notes[deal_id])
            lost["favorite_events"] += abs(events["favorite"] - toggles[deal_id])
            lost["stage_events"] += abs(events["stage"] - stages[deal_id])
            lost["versions"] += abs(rec.version - (1 + notes[deal_id] + stages[deal_id]))
            lost["favorites"] += rec.favorite != (toggles[deal_id] % 2 == 1)
    writes = sum(notes.values()) + sum(toggles.values()) + sum(stages.values())
    lost["change_counter"] += abs(store.change_counter() - run["counter_before"] - writes)
    lost = {k: v for k, v in lost.items() if v}
    latencies = sorted(x for r in results for x in r["latencies"])
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    return {
        "engine": "postgresql" if store.is_postgres else "sqlite", "processes": PROCESSES,
        "seconds": round(run["elapsed"], 1), "actions": len(latencies), "by_kind": dict(actions),
        "writes": writes, "conflicts": sum(r["conflicts"] for r in results),
        "lost_updates": sum(lost.values()), "lost_by_kind": lost,
        "locked": sum(r["locked"] for r in results), "crashes": sum(r["crashes"] for r in results) + len(run["crashed"]),
        "errors": [e for r in results for e in r["errors"]][:5] + run["crashed"][:2],
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 1) if latencies else 0.0,
        "p99_ms": round(1000 * p99, 1),
    }


def _check(figures: dict, record_property) -> None:
    print(f"\nsoak figures: {json.dumps(figures)}")
    for key, value in figures.items():
        record_property(key, value)
    assert figures["crashes"] == 0, figures["errors"]
    assert figures["locked"] == 0, figures["errors"]
    assert figures["lost_updates"] == 0, figures
    assert figures["actions"] >= PROCESSES * 10, figures  # the processes really worked
    assert figures["conflicts"] > 0, figures  # and really raced on the same deals
    assert figures["p99_ms"] < 5_000, figures  # no action waited anywhere near a busy timeout


def test_soak_eight_processes_on_one_sqlite_file(ctx, tmp_path, record_property):
    db = tmp_path / "team.db"
    store = open_store(db)
    try:
        run = _soak(svc.Ctx(store=store, clock=ctx.clock, user=ADMIN), tmp_path, f"sqlite:///{db}")
        _check(_figures(store, run), record_property)
    finally:
        store.dispose()


@pytest.mark.pg
@pytest.mark.skipif(not os.environ.get("COSELL_TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="needs COSELL_TEST_DATABASE_URL=postgresql+psycopg://...")
def test_soak_eight_processes_on_postgresql(ctx, tmp_path, record_property):
    run = _soak(ctx, tmp_path, os.environ["COSELL_TEST_DATABASE_URL"])
    _check(_figures(ctx.store, run), record_property)
