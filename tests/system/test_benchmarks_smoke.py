"""The benchmark harness cannot rot: its statistics, its table, its baseline's
ranking and one real benchmark (B9, one action through the services) run here
on a tiny demo database. The figures themselves are not asserted: they are
the harness's report (`python -m benchmarks`), not a test."""
from __future__ import annotations

import math

import numpy as np
import pytest
from rapidfuzz import fuzz, process, utils

from benchmarks.__main__ import render
from benchmarks.b_search import _top3
from benchmarks.stats import Result, fmt, p95
from benchmarks.workload import NOW, QUICK, Size


def test_p95_is_the_slow_tail():
    assert p95(list(range(1, 101))) == 95
    assert p95([7.0]) == 7.0
    assert math.isnan(p95([]))


def test_ratio_says_how_many_times_better_than_the_baseline():
    faster = Result("B", "x", "ms", [10.0, 10.0, 30.0], "≤ 30 ms p95", True, baseline=[200.0])
    assert faster.median == 10.0 and faster.ratio == "20.0x"
    rate = Result("B", "x", "rec/s", [40_000.0, 50_000.0, 60_000.0], "≥ 20,000 rec/s", True, baseline=[5_000.0],
                  higher_is_better=True)
    assert rate.ratio == "10.0x"
    assert rate.p95 == 40_000.0  # for a rate the slow tail is the low end
    assert Result("B", "x", "ms", [1.0], "", None).ratio == ""


def test_formats_by_unit():
    assert fmt(1234.56, "ms") == "1,234.6 ms"
    assert fmt(0.4567, "s") == "0.46 s"
    assert fmt(21_000.4, "rec/s") == "21,000 rec/s"
    assert fmt(float("nan"), "ms") == "n/a" and fmt(None, "MB") == "n/a"


def test_table_shows_every_figure_and_each_miss():
    rows = [Result("B8", "on-call", "s", [0.2, 0.25, 0.4], "≤ 0.3 s median", True, baseline=[2.0],
                   baseline_label="load all", note="a note"),
            Result("B6", "memory", "MB", [250.0], "≤ 200 MB", False)]
    table = render(rows, QUICK, ["the machine was busy"])
    assert "cores" in table
    assert "| B8 | on-call | 3 | 0.25 s | 0.40 s | ≤ 0.3 s median | yes | 2.00 s (load all) | 8.0x |" in table
    assert "| B6 | memory | 1 | 250 MB | 250 MB | ≤ 200 MB | **no** | – | – |" in table
    assert "- B8: a note" in table and "- the machine was busy" in table


def test_baseline_top3_ranks_exactly_as_process_extract():
    names = [utils.default_process(n) for n in (
        "Contoso Ltd", "Contoso Limited", "Fabrikam Inc", "Contoso Pharma AB", "Northwind Traders",
        "Contoso", "Litware Contoso", "Tailspin Toys", "Contoso Ltd", "Wingtip")]
    for query in ("contoso ltd", "fabrikam", "north wind", "toys", "xyz"):
        q = utils.default_process(query)
        expected = [i for _c, _s, i in process.extract(q, names, scorer=fuzz.WRatio, limit=3)]
        row = process.cdist([q], names, scorer=fuzz.WRatio, dtype=np.float32)[0]
        assert _top3(row) == expected


@pytest.fixture(scope="module")
def tiny_demo(tmp_path_factory):
    from data.demo import populate
    from model.clock import parse_instant
    from model.identity import resolve_user
    from model.store import open_store

    path = tmp_path_factory.mktemp("bench") / "tiny.db"
    store = open_store(path)
    resolve_user(store)
    populate(store, deals=80, accounts=300, seed=3, now=parse_instant(NOW))
    store.dispose()
    return path


def _received(path) -> int:
    from sqlalchemy import func, select

    from model.store import open_store
    from model.store.tables import DealRecord

    store = open_store(path)
    try:
        with store.read() as s:
            return s.scalar(select(func.count()).select_from(DealRecord).where(DealRecord.substatus == "Received"))
    finally:
        store.dispose()


def test_one_action_benchmark_runs_on_a_tiny_demo(tiny_demo):
    from benchmarks import b_actions

    before = _received(tiny_demo)
    results = b_actions.run(tiny_demo, Size(80, 300), n=4)
    assert [r.key for r in results] == ["B9a", "B9b", "B9c", "B9d"]
    for r in results:
        assert r.samples and all(s > 0 for s in r.samples), r.key
        assert r.unit == "ms" and r.met in (True, False)
    assert results[-1].baseline and results[-1].ratio
    assert before > 0 and _received(tiny_demo) == before  # it accepted deals in a copy, not in the cached demo


def test_filter_words_come_from_the_deals(tiny_demo):
    from benchmarks.b_dashboard import filter_words
    from benchmarks.workload import admin_context

    store, ctx = admin_context(tiny_demo)
    try:
        words = filter_words(ctx, 3)
    finally:
        store.dispose()
    assert len(words) == 3 and all(len(w) == 5 and w.isalpha() and w == w.lower() for w in words)
