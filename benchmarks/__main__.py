"""`python -m benchmarks [--quick] [--only B4,B5] [--write]`: measure the real app, print one table.

It reports; it does not assert (these machines are noisy), so CI can run
`--quick` without failing on a figure: a benchmark that breaks is named in the
notes and the others still run. `--write` saves the table as
benchmarks/RESULTS.md with the machine's core count and how busy it was.
"""
from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.stats import Result, fmt
from benchmarks.workload import FULL, QUICK, database

# (module, the keys it reports, what it measures)
SUITES = [
    ("benchmarks.b_startup", ("B1",), "cold start"),
    ("benchmarks.b_dashboard", ("B2", "B3"), "filter, tab switch, page-down"),
    ("benchmarks.b_search", ("B4", "B5"), "customer search speed and quality"),
    ("benchmarks.b_memory", ("B6",), "memory"),
    ("benchmarks.b_transfer", ("B7",), "import / export"),
    ("benchmarks.b_cli", ("B8",), "on-call CLI"),
    ("benchmarks.b_actions", ("B9",), "one action"),
    ("benchmarks.b_sync", ("B14",), "Partner Center pull"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k deals / 100k accounts instead of 100k / 1M")
    parser.add_argument("--only", default="", help="comma-separated keys, e.g. B4,B9")
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    only = {k.strip().upper() for k in args.only.split(",") if k.strip()}
    unknown = only - {k for _m, keys, _w in SUITES for k in keys}
    if unknown:
        parser.error(f"unknown benchmark key(s): {', '.join(sorted(unknown))}")

    print(f"cosell benchmarks: {size.label}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    started = time.perf_counter()
    loads = [_load()]
    db, made_in = database(size)
    notes = []
    if made_in is not None:
        notes.append(f"`cosell demo --deals {size.deals} --accounts {size.accounts}` took {made_in:.1f} s")
        print(notes[-1], flush=True)

    results: list[Result] = []
    for module_name, keys, label in SUITES:
        if only and not (set(keys) & only):
            continue
        print(f"running {'/'.join(keys)} {label} …", flush=True)
        t = time.perf_counter()
        try:
            module = importlib.import_module(module_name)
            got = module.run(db, size)
            results += [r for r in got if not only or r.key[:2] in only or r.key[:3] in only]
        except Exception as exc:  # report, never fail CI on a benchmark
            traceback.print_exc()
            first = (str(exc).strip().splitlines() or [""])[0][:300]
            notes.append(f"{'/'.join(keys)} {label}: failed: {type(exc).__name__}: {first} (traceback on stderr)")
        loads.append(_load())
        print(f"  done in {time.perf_counter() - t:.1f} s", flush=True)

    busy = any(v != "?" and float(v) > (os.cpu_count() or 1) for v in loads)
    notes.append(f"whole run {time.perf_counter() - started:.0f} s; 1-minute load average on the "
                 f"{os.cpu_count()} cores before and after each benchmark: {', '.join(loads)}"
                 + (" (above the core count: other work was competing for the CPU, so figures are slower "
                    "than on an idle machine)" if busy else ""))
    table = render(results, size, notes)
    print()
    print(table)
    if args.write:
        Path(__file__).with_name("RESULTS.md").write_text(table + "\n", encoding="utf-8")
    return 0


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
        "naive baseline measured in the same run (its time ÷ ours, or our rate ÷ its rate).",
        "",
        "| # | what | n | median | p95 | target | met | baseline (median) | ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        met = {True: "yes", False: "**no**", None: "–"}[r.met]
        base = f"{fmt(r.baseline_median, r.unit)} ({r.baseline_label})" if r.baseline else "–"
        lines.append(f"| {r.key} | {r.what} | {len(r.samples):,} | {fmt(r.median, r.unit)} | {fmt(r.p95, r.unit)} | "
                     f"{r.target} | {met} | {base} | {r.ratio or '–'} |")
    extra = [f"- {r.key}: {r.note}" for r in results if r.note] + [f"- {n}" for n in notes]
    if extra:
        lines += ["", "Notes:", ""] + extra
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
