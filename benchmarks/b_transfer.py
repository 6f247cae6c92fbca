"""B7: referral JSON in and out at the demo's size, through the CLI a user runs.

Out: `cosell export -o FILE` over the demo database (every deal). In: `cosell
import FILE` into an empty workspace (catalogue, partners and users from
`cosell demo --deals 0`), then out again from there, and the round trip must
count the same records. Each figure is records per second of the whole
command (a fresh process: start-up, parsing, checks, one transaction).

Where an export's CPU goes (one process, 100k demo deals, Dec 2026; ~90 µs a referral):
reading ~42 µs (the deals query ~11, decoding its rows ~11, team and notes ~10, building and
freeing the rows the rest), the row -> referral mapping (``partner_center.to_referral``) ~32
µs, orjson and the terminal-control check ~13 µs. Two workers share it; the writer adds its
start-up (~0.5 s, mostly imports), the first range and moving ~2.6 KB a referral to the file.

Naive baseline, in process on a few hundred records: import one referral per
``import_referrals`` call (one transaction each, as a script looping over a
file would), and export per deal with ``get_deal`` + ``referral_from_deal``.
"""
from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.stats import Result
from benchmarks.workload import Size, admin_context, cached, cosell_command, env

TARGET = 20_000.0


def _cosell(*args: str) -> tuple[float, str]:
    t = time.perf_counter()
    proc = subprocess.run([*cosell_command(), *args], env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    took = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"cosell {' '.join(args)} failed ({proc.returncode}): {proc.stderr[-800:]}")
    return took, proc.stdout


def empty_workspace(size: Size, seed: int = 1) -> Path:
    """An empty database with the exported demo's own catalogue (accounts, solutions, partners) and
    users, made once and copied per import: an import looks catalogue facts up (R4.11, R6.5, R7.4),
    so the target must know the same accounts as the database the file came from."""
    path, _took = cached(f"empty-workspace-{size.accounts}-{seed}",
                         lambda tmp: _cosell("--db", str(tmp), "demo", "--deals", "0", "--accounts",
                                             str(size.accounts), "--seed", str(seed)))
    return path


def _copy_db(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    for suffix in ("-wal", "-shm"):
        if Path(str(src) + suffix).exists():
            shutil.copyfile(str(src) + suffix, str(dst) + suffix)
    return dst


def _count(path: Path) -> int:
    with open(path, encoding="utf-8") as fh:
        return len(json.load(fh)["value"])


def run(db: Path, size: Size) -> list[Result]:
    repeats = 3 if size.deals < 50_000 else 2
    scratch = Path(tempfile.mkdtemp(prefix="cosell-b7-"))
    try:
        template = empty_workspace(size)
        exported = scratch / "demo.json"
        out_rates, in_rates = [], []
        took, _ = _cosell("--db", str(db), "export", "-o", str(exported))
        n = _count(exported)
        out_rates.append(n / took)
        for i in range(repeats):
            target = _copy_db(template, scratch / f"in-{i}.db")
            took, report = _cosell("--db", str(target), "import", str(exported), "--json")
            created = json.loads(report)["created"]
            if created != n:
                raise RuntimeError(f"import created {created} deals of {n}")
            in_rates.append(n / took)
            back = scratch / f"back-{i}.json"
            took, _ = _cosell("--db", str(target), "export", "-o", str(back))
            if _count(back) != n:
                raise RuntimeError(f"the round trip exported {_count(back)} referrals of {n}")
            out_rates.append(n / took)
            target.unlink()
        naive_in, naive_out = _naive(db, exported, template, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return [
        Result("B7a", f"import {n:,} referrals (`cosell import`)", "rec/s", in_rates, f"≥ {TARGET:,.0f} rec/s",
               statistics.median(in_rates) >= TARGET, baseline=naive_in, baseline_label="one import call per referral",
               higher_is_better=True),
        Result("B7b", f"export {n:,} referrals (`cosell export`)", "rec/s", out_rates, f"≥ {TARGET:,.0f} rec/s",
               statistics.median(out_rates) >= TARGET, baseline=naive_out, baseline_label="get_deal + referral_from_deal per deal",
               higher_is_better=True),
    ]


def _naive(db: Path, exported: Path, template: Path, scratch: Path) -> tuple[list[float], list[float]]:
    from model import services as svc
    from model.partner_center.rows import referral_from_deal
    from model.services.transfer import import_referrals
    from model.domain.listing import DealQuery

    with open(exported, encoding="utf-8") as fh:
        records = json.load(fh)["value"][:300]
    target = _copy_db(template, scratch / "naive.db")
    store, ctx = admin_context(target)
    try:
        t = time.perf_counter()
        for record in records:
            import_referrals(ctx, json.dumps([record]))
        naive_in = len(records) / (time.perf_counter() - t)
    finally:
        store.dispose()

    store, ctx = admin_context(db)
    try:
        from model.domain.enums import Tab

        ids = [r.id for tab in (Tab.INBOUND, Tab.OUTBOUND, Tab.CLOSED)
               for r in svc.list_deals(ctx, DealQuery(tab=tab, limit=700))]
        t = time.perf_counter()
        for deal_id in ids:
            json.dumps(referral_from_deal(svc.get_deal(ctx, deal_id)), default=str)
        naive_out = len(ids) / (time.perf_counter() - t)
    finally:
        store.dispose()
    return [naive_in], [naive_out]
