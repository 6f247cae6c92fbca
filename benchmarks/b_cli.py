"""B8: the on-call command, `cosell expiring --within 48h --json`, as cron runs it (a fresh process).

Naive baseline: every deal loaded through the ORM and filtered in Python.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from benchmarks.stats import Result
from benchmarks.workload import NOW, Size, cosell_command, env


def run(db: Path, size: Size, repeats: int = 9) -> list[Result]:
    cmd = [*cosell_command(), "--db", str(db), "expiring", "--within", "48h", "--json"]
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        proc = subprocess.run(cmd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        samples.append(time.perf_counter() - t)
        if proc.returncode not in (0, 3):
            raise RuntimeError(proc.stderr.decode()[-500:])
    baseline = [_naive(db)]  # one run: it is slow by design
    med = sorted(samples)[len(samples) // 2]
    return [Result("B8", "`cosell expiring --within 48h --json`", "s", samples, "≤ 0.3 s median", med <= 0.3,
                   baseline=baseline, baseline_label="load all deals, filter in Python")]


def _naive(db: Path) -> float:
    from datetime import timedelta

    from model.clock import parse_instant
    from model.store import open_store
    from model.store.repo import to_deal
    from model.store.tables import DealRecord

    t = time.perf_counter()
    store = open_store(db)
    now = parse_instant(NOW)
    with store.read() as s:
        deals = [to_deal(r) for r in s.query(DealRecord).all()]
    _ = [d for d in deals if d.is_received and d.expires_at and d.expires_at <= now + timedelta(hours=48)]
    store.dispose()
    return time.perf_counter() - t
