"""B9: one user action (accept / mark stage / won) through the service layer at full size.

Each action runs on alternate deals the app's way (one store for the session)
and the naive way (a new store, engine, pool and schema check per action, as a
script that opens the database for every call would pay): the baseline.

Each figure's note gives the CPU time (``time.process_time``) of the same calls, read just
outside the timed span: wall time above it is waiting (other work on the cores, the disk), so a
slow figure on a loaded machine can be told from slow code.
"""
from __future__ import annotations

import shutil
import statistics
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
    from model.domain.rules.lifecycle import next_stage, won_violations
    from model.identity import resolve_user
    from model.services.context import Ctx
    from model.store import open_store
    from model.store.tables import DealRecord, UserRecord

    path = _copy(db)
    # Opened as the dashboard opens it: a long-lived store copies the WAL on its own thread after
    # writes (``model.store.checkpoint``), so no action pays for the pages others wrote.
    store = open_store(path, background_checkpoints=True)
    with store.read() as s:
        admin = s.scalar(select(UserRecord.login).where(UserRecord.role == "admin").limit(1))
        received = s.scalars(select(DealRecord.id).where(DealRecord.substatus == "Received",
                                                         DealRecord.expires_at > FixedClock(NOW).now())
                             .limit(n)).all()
        open_ids = s.scalars(select(DealRecord.id).where(DealRecord.tab == "outbound",
                                                         DealRecord.stage.in_(("Created", "Accepted")))
                             .limit(n)).all()
    ctx = Ctx(store=store, clock=FixedClock(NOW), user=resolve_user(store, admin))

    def timed(action, ids) -> tuple[list[float], list[float], list[float]]:
        """``action(ctx, id)`` on every other id with the app's store, on the rest with a new store each;
        the CPU time of ours as the third list."""
        ours, naive, spent = [], [], []
        for k, deal_id in enumerate(ids):
            c = time.process_time()
            t = time.perf_counter()
            if k % 2 == 0:
                action(ctx, deal_id)
                ours.append((time.perf_counter() - t) * 1000)
                spent.append((time.process_time() - c) * 1000)
            else:
                other = open_store(path)
                action(Ctx(store=other, clock=ctx.clock, user=ctx.user), deal_id)
                other.dispose()
                naive.append((time.perf_counter() - t) * 1000)
        return ours, naive, spent

    accept = timed(lambda c, i: svc.accept(c, i), received)
    open_ids = [i for i in open_ids if next_stage(svc.get_deal(ctx, i)) is not None]
    stage = timed(lambda c, i: svc.mark_stage(c, i), open_ids)
    ready = []  # won needs every earlier stage marked (R8.9): mark the rest first, untimed
    for i in open_ids:
        while next_stage(svc.get_deal(ctx, i)) is not None:
            svc.mark_stage(ctx, i)
        if not won_violations(svc.get_deal(ctx, i)):
            ready.append(i)
    won = timed(lambda c, i: svc.won(c, i, confirm_early=True), ready)
    note = timed(lambda c, i: svc.add_note(c, i, "benchmark note"), received[:100])
    rounds = store._checkpointer.rounds if store._checkpointer is not None else 0
    store.dispose()
    shutil.rmtree(path.parent, ignore_errors=True)
    results = []
    for key, label, (ours, naive, spent) in (("B9a", "accept (service)", accept), ("B9b", "mark next stage (service)", stage),
                                      ("B9c", "won (service)", won), ("B9d", "add note (service)", note)):
        results.append(Result(key, label, "ms", ours, "≤ 5 ms p95", p95(ours) <= 5.0 if ours else None,
                              baseline=naive, baseline_label="a new store per action",
                              note=(f"CPU median {statistics.median(spent):.1f} ms, p95 {p95(spent):.1f} ms; "
                                    f"{rounds} WAL checkpoints ran on the store's own thread during B9a–d")
                              if spent else ""))
    return results
