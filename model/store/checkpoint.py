"""SQLite's WAL checkpoint, moved off the action that happens to cross its threshold.

By default SQLite copies the write-ahead log back into the database file (a checkpoint) inside
the commit that grows the log past 1,000 pages. In the dashboard that made about one action in
fifty take 10–13 ms instead of 1–2 (B9d's p95): the user who added a note waited for pages other
actions wrote. A long-lived process (the dashboard) therefore turns the automatic checkpoint off
on its own connections and runs it here instead, on a thread of its own, shortly after a write
commits: the action returns at once and the copy happens while the user reads the result.

- PASSIVE: it never waits for, nor blocks, a reader or a writer, in this process or another;
  what it cannot copy now (a teammate's long read) is copied by a later round.
- Other processes (every CLI command, a teammate's dashboard) keep their own settings: SQLite's
  default, or their own checkpointer. Nothing here changes what is stored, only when the log is
  copied; a process killed before a round leaves a longer log, which the next one copies.
- Short-lived commands keep SQLite's default: the last connection to close checkpoints anyway.
"""
from __future__ import annotations

import threading

#: How long after a write the copy starts: writes in a burst (an accept, then the next) share one.
SETTLE_SECONDS = 0.25


def no_automatic_checkpoint(dbapi_conn, _record) -> None:
    """On each of the process's connections (a ``connect`` event): no checkpoint inside a commit."""
    dbapi_conn.execute("PRAGMA wal_autocheckpoint = 0")


class Checkpointer:
    """One daemon thread that checkpoints ``engine``'s SQLite file after ``poke`` (see the module)."""

    def __init__(self, engine, settle: float | None = None) -> None:
        self._engine = engine
        self._settle = SETTLE_SECONDS if settle is None else settle
        self._due = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self.rounds = 0  # checkpoints run (tests and benchmarks read it)
        self._thread = threading.Thread(target=self._run, name="cosell-wal-checkpoint", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """A write committed: copy the log soon."""
        self._idle.clear()
        self._due.set()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Until no round is pending (tests; ``close``)."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        self._stop.set()
        self._due.set()
        self._thread.join(timeout=5.0)

    def _run(self) -> None:
        while True:
            self._due.wait()
            if self._stop.is_set():
                return
            if self._stop.wait(self._settle):
                return
            self._due.clear()
            self._round()
            if not self._due.is_set():
                self._idle.set()

    def _round(self) -> None:
        try:
            raw = self._engine.raw_connection()  # no BEGIN: a checkpoint runs outside a transaction
        except Exception:  # noqa: BLE001 - the database went away: the next command says so, not this thread
            return
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.rounds += 1
        except Exception:  # noqa: BLE001 - busy, damaged or replaced: a later round or the last close copies it
            pass
        finally:
            raw.close()
