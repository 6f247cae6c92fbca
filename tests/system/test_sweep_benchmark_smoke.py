"""B11's benchmark cannot rot: on a tiny demo it tops the received inbound deals up, makes the
asked number overdue, and times the sweep (service and `cosell sweep`) against the per-deal
baseline, each run checked to have expired, recorded and notified every one of them."""
from __future__ import annotations

import pytest

from benchmarks.workload import NOW, Size


@pytest.fixture(scope="module")
def tiny_demo(tmp_path_factory):
    from data.demo import populate
    from model.clock import parse_instant
    from model.identity import resolve_user
    from model.store import open_store

    path = tmp_path_factory.mktemp("b11") / "tiny.db"
    store = open_store(path)
    resolve_user(store)
    populate(store, deals=80, accounts=300, seed=3, now=parse_instant(NOW))
    store.dispose()
    return path


def test_the_sweep_benchmark_runs_on_a_tiny_demo(tiny_demo):  # B11, R8.2
    from benchmarks import b_sweep

    before = tiny_demo.read_bytes()
    results = [r for r in b_sweep.run(tiny_demo, Size(80, 300), overdue=40, samples=1, cli_samples=1, baseline_n=5)
               if not isinstance(r, str)]
    assert [(r.key, r.failed) for r in results] == [("B11a", ""), ("B11b", "")]
    for r in results:
        assert r.samples and all(s > 0 for s in r.samples) and r.baseline and r.ratio
        assert "40" in r.what
    assert tiny_demo.read_bytes() == before  # it swept copies, never the cached demo
