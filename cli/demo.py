"""`cosell demo`: fill an empty database with realistic, repeatable demo data.

The same ``--seed`` at the same clock (``COSELL_NOW`` pins it) gives the same
data, so demos, screenshots and benchmarks are reproducible.
"""
from __future__ import annotations

import argparse
import time

from cli import common


def _count(value: str) -> int:
    try:
        n = int(value.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"{value!r} must not be negative")
    return n


def _demo(args) -> int:
    from data.demo import build
    from model.clock import clock_from_env

    now = clock_from_env().now()
    started = time.perf_counter()
    # A new file is built under a temporary name and moved into place when complete (data.demo.build).
    summary, url = build(getattr(args, "db", None), deals=args.deals, accounts=args.accounts, seed=args.seed,
                         now=now)
    took = time.perf_counter() - started
    print(f"demo data in {common.safe(url)} ({took:.1f} s): {summary.deals} deals "
          f"({summary.inbound} inbound, {summary.outbound} outbound, {summary.closed} closed, "
          f"{summary.favorites} favorites), {summary.accounts} accounts, {summary.solutions} solutions, "
          f"{summary.partners} partners, {summary.users} users (admin: {common.safe(summary.admin)})")
    return common.EXIT_OK


def register(sub) -> None:
    p = sub.add_parser("demo", help="fill an empty database with realistic demo data",
                       description="Fill an empty database (see --db) with deals of every kind, sale type, "
                                   "stage and outcome, the solutions catalogue, partners, users and "
                                   "customer accounts. Times are relative to now (COSELL_NOW pins it); the "
                                   "same seed gives the same data.")
    p.add_argument("--deals", type=_count, default=300, metavar="N", help="how many deals (default 300)")
    p.add_argument("--accounts", type=_count, default=20_000, metavar="N",
                   help="how many customer accounts (default 20000)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    p.set_defaults(handler=_demo)
