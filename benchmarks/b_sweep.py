"""B11: the expiry sweep (R8.2) of 20,000 overdue inbound deals, as set-based writes.

The data: a copy of the benchmark database, swept once (untimed: what was already overdue, and
the one-time R7.3 reminders, so the timed runs measure the expiries), topped up with copies of
its received inbound deals (rows and teams, new ids) if it has fewer than 20,000, and then one
UPDATE moving ``expires_at`` of 20,000 received inbound deals into the past. Every sample sweeps
a fresh copy of that: the service call (``svc.sweep``, one process, the app's store) and the
command cron runs (``cosell sweep``: a new process, output to /dev/null). Each sample is checked:
20,000 deals expired, 20,000 history events and 20,000 sender messages written.

The baseline is the sweep as it was: one transaction per deal (load, ``Expire``, invariants,
ORM write, event, message), kept as ``lifecycle.expire_one_by_one``. It is timed on a smaller
number of overdue deals in the same database and scaled to 20,000 (it is linear: each deal costs
the same), so the ratio compares like with like.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

from benchmarks.stats import Result
from benchmarks.workload import NOW, Size, admin_context, cosell_command, env

OVERDUE = 20_000
TARGET_S = 2.0


def _copy(src: Path, dst: Path) -> Path:
    for suffix in ("-wal", "-shm"):  # a WAL left beside an older copy would be replayed into this one
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    for suffix in ("-wal", "-shm"):
        if Path(str(src) + suffix).exists():
            shutil.copyfile(str(src) + suffix, str(dst) + suffix)
    return dst


def _received(conn, now: str) -> int:
    return conn.execute("SELECT count(*) FROM deals WHERE direction = 'Incoming' AND substatus = 'Received' "
                        "AND expires_at > ?", (now,)).fetchone()[0]


def _top_up(conn, now: str, want: int) -> int:
    """Copies of the received inbound deals (and their teams) under new ids until ``want`` exist;
    a copy's id is the original's with a first character no UUID has ('g', 'h', ...)."""
    cols = [r[1] for r in conn.execute("PRAGMA table_info(deals)")]
    team = [r[1] for r in conn.execute("PRAGMA table_info(deal_team)") if r[1] != "id"]
    made, round_ = 0, 0
    have = _received(conn, now)
    while have + made < want and round_ < 20:
        prefix = chr(ord("g") + round_)
        need = want - have - made
        picked = (f"SELECT id FROM deals WHERE direction = 'Incoming' AND substatus = 'Received' AND expires_at > ? "
                  f"AND substr(id, 1, 1) BETWEEN '0' AND 'f' ORDER BY id LIMIT {need}")
        select_cols = ", ".join(f"'{prefix}' || substr(id, 2)" if c == "id" else c for c in cols)
        added = conn.execute(f"INSERT INTO deals ({', '.join(cols)}) SELECT {select_cols} FROM deals "
                             f"WHERE id IN ({picked})", (now,)).rowcount
        select_team = ", ".join(f"'{prefix}' || substr(deal_id, 2)" if c == "deal_id" else c for c in team)
        conn.execute(f"INSERT INTO deal_team ({', '.join(team)}) SELECT {select_team} FROM deal_team "
                     f"WHERE deal_id IN ({picked})", (now,))
        made += added
        round_ += 1
        if not added:
            break
    return made


def _prepare(db: Path, work: Path, overdue: int, total: int) -> Path:
    """The database with ``overdue`` of its (at least ``total``) received inbound deals due (see
    the module docstring)."""
    import sqlite3

    from model.services import lifecycle

    base = work / "swept.db"
    if not base.exists():
        _copy(db, base)
        store, ctx = admin_context(base)
        lifecycle.sweep(ctx)  # what is overdue already, and the R7.3 reminders: not what B11 times
        store.dispose()
        conn = sqlite3.connect(base)
        now = _sqlite_now()
        _top_up(conn, now, total)
        conn.commit()
        conn.close()
    path = work / f"due-{overdue}.db"
    if not path.exists():
        _copy(base, path)
        conn = sqlite3.connect(path)
        conn.execute("UPDATE deals SET expires_at = ? WHERE id IN (SELECT id FROM deals WHERE direction = 'Incoming' "
                     "AND substatus = 'Received' ORDER BY id LIMIT ?)", (_sqlite_now(hours=-1), overdue))
        conn.commit()
        conn.close()
    return path


def _sqlite_now(hours: float = 0) -> str:
    from datetime import datetime, timedelta

    at = datetime.fromisoformat(NOW) + timedelta(hours=hours)
    return at.replace(tzinfo=None).isoformat(" ", "microseconds")


def _counts(path: Path) -> tuple[int, int, int]:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        q = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return (q("SELECT count(*) FROM deals WHERE substatus = 'Expired'"),
                q("SELECT count(*) FROM deal_events WHERE action = 'expired'"),
                q("SELECT count(*) FROM outbox WHERE kind = 'expired'"))
    finally:
        conn.close()


def _checked(path: Path, before: tuple[int, int, int], n: int) -> str:
    after = _counts(path)
    grew = tuple(a - b for a, b in zip(after, before))
    return "" if grew == (n, n, n) else f"expected {n} expired deals, events and messages; got {grew}"


def _service(path: Path) -> tuple[float, float, int]:
    from model import services as svc

    store, ctx = admin_context(path)
    try:
        t, cpu = time.perf_counter(), time.process_time()
        expired = svc.sweep(ctx)
        return time.perf_counter() - t, time.process_time() - cpu, len(expired)
    finally:
        store.dispose()


def _phases() -> dict:
    """What ``_split`` clocks: label -> (module or class, attribute)."""
    from sqlalchemy.orm import Session

    from model.services import lifecycle
    from model.store import bulk
    from model.store import outbox as outbox_table
    from model.store import sweep as sweep_store

    return {"read the due deals": (sweep_store, "due"), "UPDATE deals (16 indexes)": (sweep_store, "expire"),
            "history INSERT": (bulk, "insert_events"), "messages worded": (lifecycle, "deliver"),
            "outbox INSERT": (outbox_table, "queue_many"), "COMMIT (with the WAL checkpoint)": (Session, "commit"),
            "R7.3 reminders": (lifecycle, "_remind_lapsed_windows")}


def _split(path: Path) -> str:
    """One sweep with a CPU clock around each phase (the functions are wrapped for this sample
    only and put back): what the timed samples' CPU time is made of."""
    from model import services as svc

    spent: dict[str, float] = {}
    originals = []

    def clocked(label, fn):
        def run(*args, **kwargs):
            t = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - t
        return run

    for label, (owner, name) in _phases().items():
        originals.append((owner, name, getattr(owner, name)))
        setattr(owner, name, clocked(label, getattr(owner, name)))
    store, ctx = admin_context(path)
    try:
        t = time.process_time()
        svc.sweep(ctx)
        total = time.process_time() - t
    finally:
        store.dispose()
        for owner, name, fn in originals:
            setattr(owner, name, fn)
    rest = total - sum(spent.values())
    return (f"CPU split of one more (untimed) sample, {total:.2f} s: "
            + ", ".join(f"{k} {v:.2f} s" for k, v in spent.items()) + f", the rest {rest:.2f} s")


def _baseline(path: Path) -> tuple[float, int]:
    from model.services import lifecycle

    store, ctx = admin_context(path)
    try:
        t = time.perf_counter()
        expired = lifecycle.expire_one_by_one(ctx)
        return time.perf_counter() - t, len(expired)
    finally:
        store.dispose()


def run(db: Path, size: Size, *, overdue: int = OVERDUE, samples: int = 3, cli_samples: int = 2,
        baseline_n: int | None = None) -> Iterator[Result | str]:
    """B11a (the service call) and B11b (`cosell sweep`), each with the per-deal baseline."""
    work = Path(tempfile.mkdtemp(prefix="cosell-b11-"))
    baseline_n = min(baseline_n or (300 if size.deals >= 100_000 else 200), overdue)
    try:
        due = _prepare(db, work, overdue, overdue)
        small = _prepare(db, work, baseline_n, overdue)
        base: list[float] = []
        for _ in range(2):
            path = _copy(small, work / "run.db")
            seconds, n = _baseline(path)
            if n != baseline_n:
                yield Result.failure("B11a", f"sweep {overdue:,} overdue (service)", "s", f"≤ {TARGET_S:.0f} s",
                                     f"failed: the per-deal baseline expired {n}, not {baseline_n}")
                return
            base.append(seconds * overdue / baseline_n)
        label = f"the per-deal loop ({baseline_n} deals, scaled to {overdue:,})"
        wall, cpu, problem = [], [], ""
        for _ in range(samples):
            path = _copy(due, work / "run.db")
            before = _counts(path)
            seconds, used, n = _service(path)
            problem = problem or _checked(path, before, overdue) or ("" if n == overdue else f"reported {n}")
            wall.append(seconds)
            cpu.append(used)
        if problem:
            yield Result.failure("B11a", f"sweep {overdue:,} overdue (service)", "s", f"≤ {TARGET_S:.0f} s", f"failed: {problem}")
        else:
            split = _split(_copy(due, work / "run.db"))
            yield Result("B11a", f"sweep {overdue:,} overdue inbound deals (service call)", "s", wall,
                         f"≤ {TARGET_S:.0f} s", max(wall) <= TARGET_S, baseline=base, baseline_label=label,
                         note=f"CPU time of the sweeping process: median {sorted(cpu)[len(cpu) // 2]:.2f} s; {split}")
        runs = []
        for _ in range(cli_samples):
            path = _copy(due, work / "run.db")
            before = _counts(path)
            t = time.perf_counter()
            done = subprocess.run([*cosell_command(), "--db", str(path), "sweep"], env=env(),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            runs.append(time.perf_counter() - t)
            problem = (f"exit {done.returncode}: {done.stderr.strip()[-200:]}" if done.returncode
                       else _checked(path, before, overdue))
            if problem:
                yield Result.failure("B11b", f"cosell sweep, {overdue:,} overdue", "s", f"≤ {TARGET_S:.0f} s",
                                     f"failed: {problem}")
                return
        yield Result("B11b", f"`cosell sweep` of {overdue:,} overdue (new process, output discarded)", "s", runs,
                     f"≤ {TARGET_S:.0f} s", max(runs) <= TARGET_S, baseline=base, baseline_label=label,
                     note="includes starting Python and printing one line per deal")
    finally:
        shutil.rmtree(work, ignore_errors=True)
