"""A big import's worker processes end with the command that started them (``bulk_io._worker_start``).

Killed with ``kill -9`` (or its SSH session closed), ``cosell import`` cannot stop its pool; Linux
is asked (PR_SET_PDEATHSIG) to end each worker when it does, so no orphan goes on parsing, or
prints a traceback when its next result finds the pipe gone. The import runs in a fresh process on
the pool; its workers are held inside a later part of the file (the first parts go through to
the command, which writes them inside the import's transaction), so the test never races the
import's own speed. Then the command is killed: its workers must be gone within seconds (checked
to fail, at the time of writing, with the request undone in the held worker), the database as before.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data.demo import populate
from factories import NOW
from transfer_support import copy_catalogue, counts, export_text, fresh_ctx
from transfer_support import known_catalogue  # noqa: F401  (autouse: the catalogue the factories name)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")

ROOT = Path(__file__).resolve().parents[2]

#: ``cosell import`` with thresholds low enough that a small file takes the pool, and every worker
#: held (marker file, then a long sleep) once it reaches the third part of the file.
HELD_IMPORT = """
import os, sys, time
from model.services import transfer_parallel
from model.store import bulk

transfer_parallel.PARALLEL_MIN, transfer_parallel.PART = 10, 7
bulk.worker_count = lambda: 2
part = transfer_parallel._part

def held(task):
    if task[0] >= 2 * transfer_parallel.PART:
        open(os.path.join({marks!r}, str(os.getpid())), "w").close()
        time.sleep(300)
    return part(task)

transfer_parallel._part = held
sys.argv = ["cosell", "--db", {db!r}, "import", {file!r}]
from cli.main import main
sys.exit(main())
"""


def _children(pid: int) -> set[int]:
    """The processes ``pid`` started (/proc/<pid>/task/*/children, or every process's parent)."""
    found: set[int] = set()
    tasks = Path(f"/proc/{pid}/task")
    try:
        for task in tasks.iterdir():
            found.update(int(c) for c in (task / "children").read_text().split())
        return found
    except FileNotFoundError:  # a kernel without CONFIG_PROC_CHILDREN
        pass
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    """Running: a zombie (its new parent has not reaped it yet) has ended all the same."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.05)


def test_killed_import_leaves_no_worker_behind_and_the_database_unchanged(tmp_path):
    from model.identity import resolve_user

    source = fresh_ctx(tmp_path, "source")
    populate(source.store, deals=60, accounts=300, seed=5, now=NOW)
    big = tmp_path / "big.json"
    big.write_text(export_text(source), encoding="utf-8")
    target = fresh_ctx(tmp_path, "target", catalogue=False)
    resolve_user(target.store)  # the OS login running the import is this database's admin (R1.1)
    copy_catalogue(source.store, target.store)
    source.store.dispose()
    before = counts(target.store)
    target.store.dispose()

    marks = tmp_path / "held"
    marks.mkdir()
    env = dict(os.environ, COSELL_NOW=NOW.isoformat())
    env.pop("COSELL_DATABASE_URL", None)
    code = HELD_IMPORT.format(marks=str(marks), db=str(tmp_path / "target.db"), file=str(big))
    command = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: set[int] = set()
    try:
        _until(lambda: any(marks.iterdir()) or command.poll() is not None, 120, "no worker reached the held part")
        assert command.poll() is None, command.communicate()
        workers = _children(command.pid)
        held = {int(p.name) for p in marks.iterdir()}
        assert held and held <= workers  # the pool's workers, children of the command
        command.send_signal(signal.SIGKILL)
        command.wait(timeout=10)
        _until(lambda: not any(_alive(w) for w in workers), 10, f"workers {sorted(workers)} outlived the command")
    finally:
        for w in workers:  # a failed run must not leave them sleeping on the machine
            if _alive(w):
                os.kill(w, signal.SIGKILL)
        if command.poll() is None:
            command.kill()
            command.wait()
    assert command.returncode == -signal.SIGKILL

    from model.store import open_store

    store = open_store(tmp_path / "target.db")
    try:
        assert counts(store) == before  # killed inside its transaction: nothing of the file was kept
    finally:
        store.dispose()
