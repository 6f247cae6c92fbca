"""Each benchmark suite runs in a Python process of its own, with a time budget.

Why a child process and not a ``try`` around ``module.run``: the failures that
lost whole runs were not all exceptions. A frame that never comes
(``FrameTimeout``) is one, but a pilot stuck in C code, a worker thread that
never returns or a tmux pane waiting forever cannot be interrupted from inside
the process at all; only another process can stop it on time. The child also
gives every suite a fresh interpreter (no garbage, caches or threads left by the
suite before, which matters for memory and latency figures), and a crash of the
interpreter itself (out of memory, a segfault) costs one suite, not the table.

A suite's ``run(db, size)`` returns or yields ``Result``s, and may yield a
``str``: a note for the table's notes. The child writes one JSON line per
figure to a file *as the suite yields it* and flushes it, so a suite that is a
generator keeps every figure it produced before it raised or was killed; a
suite that returns a list keeps all or nothing (suites should yield). The parent reads that file while it waits, kills the
child's whole process group (and its private tmux server) when the budget is
spent, and turns every key the suite did not report into a failed figure that
says why: "timed out after N s", the exception, "does not exist yet".
"""
from __future__ import annotations

import importlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from benchmarks.stats import Result
from benchmarks.workload import ROOT, Size

GRACE_S = 15.0  # after SIGTERM, time to run ``finally`` blocks (close tmux, dispose stores) before SIGKILL
POLL_S = 0.2


@dataclass(frozen=True)
class Suite:
    module: str
    keys: tuple[str, ...]
    label: str
    budget_s: float = 600.0        # at full size
    quick_budget_s: float = 180.0  # at --quick size
    needs_db: bool = True          # measures the SQLite demo database (else it brings its own data)

    def budget(self, quick: bool) -> float:
        return self.quick_budget_s if quick else self.budget_s


@dataclass
class Outcome:
    results: list[Result] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    interrupted: bool = False  # Ctrl-C in the harness: the caller stops starting suites


def base_key(key: str) -> str:
    """"B3" of "B3a", "B13" of "B13 B2": the key a suite and ``--only`` name."""
    m = re.match(r"B\d+", key.strip().upper())
    return m.group(0) if m else key.strip().upper()


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover - not on every platform
        return None


def _first_line(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [""])[0][:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- the parent side ---------------------------------------------------------------------------

def run_suite(suite: Suite, db, size: Size, *, budget: float, only: set[str] | None = None,
              env: dict | None = None, on_result: Callable[[Result], None] | None = None) -> Outcome:
    """Run ``suite`` in a child process for at most ``budget`` seconds; every key it owes is in the
    outcome, measured or failed with its cause. Never raises for anything the suite does."""
    wanted = [k for k in suite.keys if not only or k in only]
    outcome = Outcome()
    with tempfile.TemporaryDirectory(prefix="cosell-bench-") as tmp:
        sink = Path(tmp) / "results.jsonl"
        sink.touch()
        argv = [sys.executable, "-m", "benchmarks.isolation", suite.module, str(db), str(size.deals),
                str(size.accounts), str(sink)]
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True)
        error = missing = ""
        timed_out = False
        offset = 0

        def drain() -> None:
            nonlocal offset, error, missing
            with sink.open("rb") as f:
                f.seek(offset)
                chunk = f.read()
            complete = chunk[: chunk.rfind(b"\n") + 1]  # a half-written last line waits for the next read
            offset += len(complete)
            for line in complete.decode("utf-8", "replace").splitlines():
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if "result" in msg:
                    r = Result.from_json(msg["result"])
                    if only and base_key(r.key) not in only:
                        continue
                    outcome.results.append(r)
                    if on_result:
                        on_result(r)
                if "note" in msg:
                    outcome.notes.append(msg["note"])
                error = msg.get("error", error)
                missing = msg.get("missing", missing)

        try:
            while proc.poll() is None:
                drain()
                if time.perf_counter() - started > budget:
                    timed_out = True
                    _stop(proc)
                    break
                time.sleep(POLL_S)
        except KeyboardInterrupt:
            outcome.interrupted = True
            _stop(proc)
        drain()
        rc = proc.wait()

    got = {base_key(r.key) for r in outcome.results}
    if (timed_out or error) and not outcome.interrupted and all(k in got for k in wanted) and outcome.results:
        # Every key has a figure, but the suite did not finish: later sub-figures (B3c after B3a) are lost.
        why = f"timed out after {budget:.0f} s" if timed_out else f"failed: {error}"
        outcome.notes.append(f"{'/'.join(suite.keys)} {suite.label}: stopped after {outcome.results[-1].key} "
                             f"({why}); any figure it would have reported later is missing")
    for key in wanted:
        if key in got:
            continue
        if outcome.interrupted:
            cause = "not measured: the run was interrupted (Ctrl-C) while this suite ran"
        elif timed_out:
            cause = f"timed out after {budget:.0f} s (the suite's time budget): its process was killed"
            if error and not error.startswith(Stopped.__name__):
                cause += f"; its last error: {error}"
        elif missing:
            cause = f"not measured: {missing}"
        elif error:
            cause = f"failed: {error} (traceback on stderr)"
        elif rc != 0:
            cause = f"failed: the suite's process ended with {_exit_text(rc)} and no error report"
        else:
            cause = f"not measured: {suite.module} finished without reporting {key}"
        failed = Result.failure(key, suite.label, "", "", cause)
        failed.load = _load()
        outcome.results.append(failed)
        if on_result:
            on_result(failed)
    return outcome


def _exit_text(rc: int) -> str:
    if rc < 0:
        try:
            return f"signal {signal.Signals(-rc).name}"
        except ValueError:
            return f"signal {-rc}"
    return f"exit code {rc}"


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the child's whole process group (its `cosell` subprocesses too), SIGKILL after
    ``GRACE_S``, then the private tmux server it may have left running."""
    for sig, wait in ((signal.SIGTERM, GRACE_S), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    try:  # the group may outlive its leader (a grandchild that ignored SIGTERM)
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    from benchmarks.tmux import kill_server_of

    kill_server_of(proc.pid)


# -- the child side ----------------------------------------------------------------------------

class Stopped(BaseException):
    """SIGTERM from the parent: unwinds the suite so its ``finally`` blocks close tmux and stores."""


def _on_sigterm(_signum, _frame):
    raise Stopped("stopped by the harness (time budget spent)")


def child(argv: list[str]) -> int:
    module_name, db_arg, deals, accounts, out = argv
    signal.signal(signal.SIGTERM, _on_sigterm)
    db = db_arg if "://" in db_arg else Path(db_arg)
    size = Size(int(deals), int(accounts))
    with open(out, "a", encoding="utf-8") as sink:
        def emit(msg: dict) -> None:
            sink.write(json.dumps(msg) + "\n")
            sink.flush()

        try:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                emit({"missing": f"{module_name} does not exist yet"})
                return 0
            run = getattr(module, "run", None)
            if run is None:
                emit({"missing": f"{module_name} has no run(db, size)"})
                return 0
            for result in run(db, size):  # a generator or a list: both are iterated
                if isinstance(result, str):  # a note for the whole table (e.g. how long making data took)
                    emit({"note": result})
                    continue
                if result.load is None:
                    result.load = _load()
                emit({"result": result.to_json()})
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, whatever it is
            traceback.print_exc()
            emit({"error": _first_line(exc)})
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(child(sys.argv[1:]))
