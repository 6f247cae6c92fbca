"""B9: one user action (accept / mark stage / won) through the service layer at full size.

Naive baseline: the same actions with a new store (engine, pool, schema check)
per action, as a script that opens the database for every call would pay.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.stats import Result, p95
from benchmarks.workload import NOW, Size


def _copy(db: Path) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="cosell-b9-")) / "b9.db"
    shutil.copyfile(db, tmp)
    for suffix in ("-wal", "-shm"):
        if Path(str(db) + suffix).exists():
            shutil.copyfile(str(db) + suffix, str(tmp) + suffix)
    return tmp


def run(db: Path, size: Size, n: int = 150) -> list[Result]:
    from sqlalchemy import select

    from model import services as svc
    from model.clock import FixedClock
    from model.rules.lifecycle import next_stage, won_violations
    from model.identity import resolve_user
    from model.services.context import Ctx
    from model.store import open_store
    from model.store.tables import DealRecord, UserRecord

    path = _copy(db)
    store = open_store(path)
    with store.read() as s:
        admin = s.scalar(select(UserRecord.login).where(UserRecord.role == "admin").limit(1))
        received = s.scalars(select(DealRecord.id).where(DealRecord.substatus == "Received",
                                                         DealRecord.expires_at > FixedClock(NOW).now())
                             .limit(n)).all()
        open_ids = s.scalars(select(DealRecord.id).where(DealRecord.tab == "outbound",
                                                         DealRecord.stage.in_(("Created", "Accepted")))
                             .limit(n)).all()
    ctx = Ctx(store=store, clock=FixedClock(NOW), user=resolve_user(store, admin))

    def timed(fn, ids) -> list[float]:
        out = []
        for deal_id in ids:
            t = time.perf_counter()
            fn(deal_id)
            out.append((time.perf_counter() - t) * 1000)
        return out

    accept = timed(lambda i: svc.accept(ctx, i), received)
    open_ids = [i for i in open_ids if next_stage(svc.get_deal(ctx, i)) is not None]
    stage = timed(lambda i: svc.mark_stage(ctx, i), open_ids)
    ready = []  # won needs every earlier stage marked (R8.9): mark the rest first, untimed
    for i in open_ids:
        while next_stage(svc.get_deal(ctx, i)) is not None:
            svc.mark_stage(ctx, i)
        if not won_violations(svc.get_deal(ctx, i)):
            ready.append(i)
    won = timed(lambda i: svc.won(ctx, i, confirm_early=True), ready)

    def naive(deal_id):
        other = open_store(path)
        svc.add_note(Ctx(store=other, clock=ctx.clock, user=ctx.user), deal_id, "naive")
        other.dispose()

    note = timed(lambda i: svc.add_note(ctx, i, "benchmark note"), received[:50])
    baseline = timed(naive, received[:50])
    store.dispose()
    shutil.rmtree(path.parent, ignore_errors=True)
    results = [Result(key, label, "ms", samples, "≤ 5 ms p95", p95(samples) <= 5.0 if samples else None)
               for key, label, samples in (("B9a", "accept (service)", accept),
                                           ("B9b", "mark next stage (service)", stage),
                                           ("B9c", "won (service)", won))]
    results.append(Result("B9d", "add note (service)", "ms", note, "≤ 5 ms p95",
                          p95(note) <= 5.0 if note else None,
                          baseline=baseline, baseline_label="new store per action"))
    return results
