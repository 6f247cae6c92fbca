"""The benchmark table says what failed and why, and the load beside every figure (issue 10)."""
from __future__ import annotations

import json

from benchmarks.__main__ import render
from benchmarks.isolation import base_key
from benchmarks.stats import Result
from benchmarks.workload import QUICK


def test_a_failed_figure_is_a_row_that_says_so_with_its_cause_in_the_notes():
    rows = [Result("B2", "filter", "ms", [10.0, 20.0], "≤ 30 ms p95", True, load=1.64),
            Result.failure("B3", "tab switch", "ms", "≤ 30 ms p95", "failed: FrameTimeout: no matching frame"),
            Result.failure("B5", "search", "", "", "timed out after 300 s (the suite's time budget)"),
            Result.failure("B13 P", "page + filter", "", "", "not measured: PostgreSQL is not installed")]
    table = render(rows, QUICK, [])
    assert "| # | what | n | median | p95 | target | met | baseline (median) | ratio | load |" in table
    assert "| B2 | filter | 2 | 15.0 ms | 20.0 ms | ≤ 30 ms p95 | yes | – | – | 1.6 |" in table
    assert "| B3 | tab switch | – | timed out | – | ≤ 30 ms p95 | **no** | – | – | – |" in table
    assert "| B5 | search | – | timed out | – | – | **no** |" in table
    assert "| B13 P | page + filter | – | not measured | – | – | – |" in table
    assert "- B3: failed: FrameTimeout: no matching frame" in table
    assert "- B5: timed out after 300 s" in table
    assert "- B13 P: not measured: PostgreSQL is not installed" in table


def test_status_names_the_kind_of_failure():
    assert Result("B1", "x", "s", [1.0], "", True).status == ""
    assert Result.failure("B1", "x", "s", "", "failed: FrameTimeout: x").status == "timed out"
    assert Result.failure("B1", "x", "s", "", "failed: RuntimeError: boom").status == "failed"
    assert Result.failure("B1", "x", "s", "", "not measured: no tmux").status == "not measured"


def test_a_result_crosses_the_process_boundary_unchanged():
    r = Result("B7a", "import", "rec/s", [1.0, 2.5], "≥ 20,000 rec/s", False, baseline=[0.5], baseline_label="naive",
               note="n", higher_is_better=True, load=2.25)
    back = Result.from_json(json.loads(json.dumps(r.to_json())))
    assert back == r and back.ratio == r.ratio and back.p95 == r.p95
    assert Result.from_json({**r.to_json(), "from_a_newer_harness": 1}) == r


def test_base_key_is_what_only_and_the_suites_name():
    assert [base_key(k) for k in ("B3a", "B1", "B10", "b13 B2", "B13 P", "B2b")] == \
        ["B3", "B1", "B10", "B13", "B13", "B2"]
