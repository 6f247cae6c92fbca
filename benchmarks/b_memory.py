"""B6: peak memory (VmHWM) of the real dashboard with the customer-search index built.

`cosell --db <demo db>` runs in tmux as a user would have it: the dashboard is
shown, the deal grid is paged down and jumped to its last row, then ``n``
opens the new-deal wizard, whose customer search opens the index over every
account on first use, and a catalogue name is typed until its results arrive.
The peak resident set (``VmHWM`` in ``/proc/<pid>/status`` of the cosell
process) is read then. The index is the stored one, as on any box where a
search has run since the catalogue last changed: it is stored first (in the
benchmark's own cache dir), and the dashboard memory-maps it.

Naive baseline: ``benchmarks.naive_dashboard --names`` (every Inbound deal in
a stock ``DataTable`` and every account name in a Python list), its VmHWM
once the rows are shown.
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from benchmarks.stats import Result
from benchmarks.tmux import TmuxServer, deal_row_shown, vm_kib
from benchmarks.workload import ROOT, Size, cosell_command, env

TARGET_MB = 200.0
_COUNT = re.compile(r"\((\d[\d,]*)[,)]")


def results_shown(query: str):
    """The customer search answered ``query``: a tab counts hits and a result row shows the name.

    (The status line is not used: it can keep saying "Searching…" after the answer
    arrived when older, dropped searches finish last.)
    """
    def seen(screen: str) -> bool:
        counted = any(m.group(1) != "0" for line in screen.splitlines() if "Microsoft Managed" in line
                      for m in _COUNT.finditer(line))
        return counted and screen.count(query[:30]) >= 2  # the search box and a result row
    return seen


def catalogue_name(db: Path) -> str:
    """A managed account's name from the catalogue (deterministic), to type into the search."""
    from sqlalchemy import select

    from model.store import open_store
    from model.store.tables import AccountRecord

    store = open_store(db)
    try:
        with store.read() as session:
            name = session.scalar(select(AccountRecord.name).where(AccountRecord.tab == "managed")
                                  .order_by(AccountRecord.account_id).limit(1))
    finally:
        store.dispose()
    return name or "Contoso"


def _type_query(tmux: TmuxServer, name: str, query: str) -> float:
    """Type ``query`` into the search box (again if the keys beat the box's focus); when it was typed."""
    for _attempt in range(5):
        time.sleep(0.3)
        typed = time.perf_counter()
        tmux.send(name, "-l", query)
        try:
            tmux.wait_for(name, lambda s: query[:20] in s, timeout=5, interval=0.05)
            return typed
        except TimeoutError:
            continue
    raise TimeoutError(f"could not type {query!r} into the customer search")


def _stored_index(db: Path, cache: Path) -> float:
    """Store the search index for ``db`` in ``cache`` (as any earlier search would); seconds taken."""
    import os

    os.environ["COSELL_CACHE_DIR"] = str(cache)
    from model.accounts.stored_index import open_matcher
    from model.store import open_store

    store = open_store(db)
    try:
        t = time.perf_counter()
        open_matcher(store)
        return time.perf_counter() - t
    finally:
        store.dispose()


def run(db: Path, size: Size) -> list[Result]:
    from benchmarks.workload import WORK

    query = catalogue_name(db)
    cache = WORK / "index-cache"
    stored_s = _stored_index(db, cache)
    with TmuxServer({**env(), "COSELL_CACHE_DIR": str(cache)}) as tmux:
        name = "b6"
        tmux.launch(name, [*cosell_command(), "--db", str(db)], cwd=ROOT)
        pid = tmux.pid(name)
        tmux.wait_for(name, deal_row_shown, timeout=120)
        at_start = vm_kib(pid, "VmHWM")
        for _ in range(5):
            tmux.send(name, "PageDown")
            time.sleep(0.1)
        tmux.send(name, "End")
        time.sleep(1.0)
        tmux.send(name, "n")
        tmux.wait_for(name, lambda s: "Choose the customer" in s, timeout=60)
        typed = _type_query(tmux, name, query)
        t, _screen = tmux.wait_for(name, results_shown(query), timeout=600, interval=0.05)
        first_search = t - typed
        time.sleep(0.5)
        peak, now = vm_kib(pid, "VmHWM"), vm_kib(pid, "VmRSS")
        tmux.kill(name)

        base = "b6-naive"
        tmux.launch(base, [sys.executable, "-m", "benchmarks.naive_dashboard", "--db", str(db), "--names"],
                    cwd=ROOT)
        base_pid = tmux.pid(base)
        tmux.wait_for(base, lambda s: " names" in s and " deals, " in s, timeout=900, interval=0.05)
        time.sleep(0.5)
        base_peak = vm_kib(base_pid, "VmHWM")
        tmux.kill(base)
    if peak is None:
        raise RuntimeError("could not read VmHWM of the cosell process")
    mb = peak / 1024
    return [Result("B6", "peak RSS: dashboard + customer-search index built", "MB", [mb], f"≤ {TARGET_MB:.0f} MB",
                   mb <= TARGET_MB, baseline=[base_peak / 1024] if base_peak else [],
                   baseline_label="stock DataTable with every deal + all names in a list",
                   note=f"VmHWM {mb:.0f} MB (dashboard alone at its first frame: "
                        f"{(at_start or 0) / 1024:.0f} MB; resident at the end {(now or 0) / 1024:.0f} MB); "
                        f"the first search, on the stored index (memory-mapped; "
                        f"{'stored before' if stored_s < 2 else f'built and stored in {stored_s:.0f} s first'}), "
                        f"answered {first_search:.1f} s after typing '{query}'.")]
