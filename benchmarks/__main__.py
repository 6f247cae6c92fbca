"""`python -m benchmarks [--quick] [--only B4,B5] [--write]`: measure the real app, print one table.

It reports; it does not assert (these machines are noisy), so CI can run
`--quick` without failing on a figure. The harness never crashes: every suite
runs in its own process with a time budget (``benchmarks.isolation`` says why),
a figure that timed out or failed is a row saying so with its cause in the
notes, and every other figure is still measured. Each figure carries the
1-minute load average at the moment it came out. `--write` saves the table as
benchmarks/RESULTS.md with the machine's core count and how busy it was.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.isolation import Suite, base_key, run_suite
from benchmarks.stats import Result, fmt
from benchmarks.workload import FULL, QUICK, database

# (module, the keys it reports, what it measures, budget at full size, budget at --quick size). A budget
# is the most a suite may take before it is stopped; the figures it yielded by then are kept.
SUITES = [
    Suite("benchmarks.b_startup", ("B1",), "cold start", 240, 120),
    Suite("benchmarks.b_dashboard", ("B2", "B3"), "filter, tab switch, page-down", 600, 240),
    Suite("benchmarks.b_search", ("B4", "B5", "B10"), "customer search speed and quality", 1200, 420),
    Suite("benchmarks.b_memory", ("B6",), "memory", 480, 240),
    Suite("benchmarks.b_transfer", ("B7",), "import / export", 600, 180),
    Suite("benchmarks.b_cli", ("B8", "B12"), "on-call CLI", 300, 120),
    Suite("benchmarks.b_actions", ("B9",), "one action", 240, 90),
    Suite("benchmarks.b_sweep", ("B11",), "sweep", 300, 120),
    Suite("benchmarks.b_sync", ("B14",), "Partner Center pull", 240, 90, needs_db=False),
    # Last: the longest (its first run fills PostgreSQL), so a deadline cuts it rather than the others.
    Suite("benchmarks.b_pg", ("B13",), "PostgreSQL: dashboard, on-call CLI, page + filter at 1M deals", 2400, 420,
          needs_db=False),
]
#: `--quick` runs under CI's `timeout 900`: stop starting suites in time to print the table.
QUICK_DEADLINE_S = 840
MIN_BUDGET_S = 20  # a suite is not started with less than this left before the deadline


def main(argv: list[str] | None = None, suites: list[Suite] | None = None) -> int:
    suites = SUITES if suites is None else suites
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k deals / 100k accounts instead of 100k / 1M")
    parser.add_argument("--only", default="", help="comma-separated keys, e.g. B4,B9 (B3a means B3)")
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS.md")
    parser.add_argument("--deadline", type=float, default=None,
                        help=f"seconds for the whole run (default: {QUICK_DEADLINE_S} with --quick, none "
                             "otherwise); suites get what is left, suites that no longer fit are reported")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    only = {base_key(k) for k in args.only.split(",") if k.strip()}
    unknown = only - {k for s in suites for k in s.keys}
    if unknown:
        parser.error(f"unknown benchmark key(s): {', '.join(sorted(unknown))}")
    deadline = args.deadline if args.deadline is not None else (QUICK_DEADLINE_S if args.quick else 0)

    print(f"cosell benchmarks: {size.label}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    started = time.perf_counter()
    loads = [_load()]
    notes: list[str] = []
    results: list[Result] = []
    chosen = [s for s in suites if not only or set(s.keys) & only]
    db, no_db = None, ""

    interrupted = False
    for suite in chosen:
        if suite.needs_db and db is None and not no_db and not interrupted:
            try:
                db, made_in = database(size)
            except KeyboardInterrupt:
                interrupted = True
            except Exception as exc:  # noqa: BLE001 - no data, no figures: but a table that says why
                no_db = f"failed: the demo database could not be made: {type(exc).__name__}: {exc}"[:400]
            else:
                if made_in is not None:
                    notes.append(f"`cosell demo --deals {size.deals} --accounts {size.accounts}` took {made_in:.1f} s")
                    print(notes[-1], flush=True)
        budget = suite.budget(args.quick)
        left = deadline - (time.perf_counter() - started) if deadline else budget
        if interrupted or (suite.needs_db and no_db) or left < MIN_BUDGET_S:
            reason = ("not measured: the run was interrupted (Ctrl-C) before this suite ran" if interrupted else
                      no_db if suite.needs_db and no_db else
                      f"not measured: the run's {deadline:.0f} s deadline came before this suite ran")
            results += [Result.failure(k, suite.label, "", "", reason) for k in suite.keys if not only or k in only]
            continue
        budget = min(budget, left)
        print(f"running {'/'.join(suite.keys)} {suite.label} (budget {budget:.0f} s) …", flush=True)
        t = time.perf_counter()
        outcome = run_suite(suite, db, size, budget=budget, only=only or None, on_result=_progress)
        results += outcome.results
        notes += outcome.notes
        interrupted = interrupted or outcome.interrupted
        loads.append(_load())
        print(f"  done in {time.perf_counter() - t:.1f} s", flush=True)

    busy = any(v != "?" and float(v) > (os.cpu_count() or 1) for v in loads)
    notes.append(f"whole run {time.perf_counter() - started:.0f} s; 1-minute load average on the "
                 f"{os.cpu_count()} cores before and after each suite: {', '.join(loads)}"
                 + (" (above the core count: other work was competing for the CPU, so figures are slower "
                    "than on an idle machine)" if busy else ""))
    table = render(results, size, notes)
    print()
    print(table)
    if args.write and not interrupted:
        # What the table cannot say (why a target is missed, what was tried) is written by hand
        # in SHORTFALLS.md and kept under every new table.
        shortfalls = Path(__file__).with_name("SHORTFALLS.md")
        extra = "\n" + shortfalls.read_text(encoding="utf-8") if shortfalls.exists() else ""
        Path(__file__).with_name("RESULTS.md").write_text(table + "\n" + extra, encoding="utf-8")
    return 130 if interrupted else 0


def _progress(r: Result) -> None:
    shown = _cause(r) if r.failed else f"median {fmt(r.median, r.unit)}, p95 {fmt(r.p95, r.unit)}"
    print(f"  {r.key}: {shown}", flush=True)


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:  # pragma: no cover - not on every platform
        return "?"


def render(results: list[Result], size, notes: list[str]) -> str:
    lines = [
        "# cosell benchmark results",
        "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on **{os.cpu_count()} cores** "
        f"({platform.machine()}, Python {platform.python_version()}, {platform.system()}), "
        f"data: {size.label} made by `cosell demo`. Made by `python -m benchmarks"
        f"{' --quick' if size.deals < 50_000 else ''}`.",
        "",
        "n: samples; p95: the slow tail (for rates, the 5th percentile); ratio: how many times better than the "
        "naive baseline measured in the same run (its time ÷ ours, or our rate ÷ its rate); load: the 1-minute "
        f"load average when the figure came out (the benchmark itself keeps about one of the {os.cpu_count()} "
        "cores busy; above the core count other work was competing for the CPU).",
        "",
        "| # | what | n | median | p95 | target | met | baseline (median) | ratio | load |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        load = f"{r.load:.1f}" if r.load is not None else "–"
        if r.failed:
            met = "–" if r.status == "not measured" else "**no**"
            lines.append(f"| {r.key} | {r.what} | – | {r.status} | – | {r.target or '–'} | {met} | – | – | {load} |")
            continue
        met = {True: "yes", False: "**no**", None: "–"}[r.met]
        base = f"{fmt(r.baseline_median, r.unit)} ({r.baseline_label})" if r.baseline else "–"
        lines.append(f"| {r.key} | {r.what} | {len(r.samples):,} | {fmt(r.median, r.unit)} | {fmt(r.p95, r.unit)} | "
                     f"{r.target} | {met} | {base} | {r.ratio or '–'} | {load} |")
    extra = [f"- {r.key}: {_cause(r)}" + (f" {r.note}" if r.note else "") for r in results if r.failed]
    extra = [f"- {r.key}: {r.note}" for r in results if r.note and not r.failed] + extra + [f"- {n}" for n in notes]
    if extra:
        lines += ["", "Notes:", ""] + extra
    return "\n".join(lines)


def _cause(r: Result) -> str:
    """A failed figure's note: its cause, led by what the row shows unless the cause already says it."""
    if r.failed.lower().startswith(("not measured", "failed", "timed out")):
        return r.failed
    return f"{r.status}: {r.failed}"


if __name__ == "__main__":
    sys.exit(main())
