"""The benchmark harness never crashes and never loses a figure it already has (issue 10).

Fake suite modules (written to a temp dir, imported by the harness's child
process through PYTHONPATH) stand in for real benchmarks: one raises after
yielding a figure, one hangs, one returns a list, one ignores SIGTERM. No real
benchmark runs here.
"""
from __future__ import annotations

import os
import textwrap
import time

import pytest

from benchmarks import isolation
from benchmarks.__main__ import main
from benchmarks.isolation import Suite, run_suite
from benchmarks.workload import Size

TINY = Size(10, 10)

FAKES = {
    "fake_raises": """
        from benchmarks.stats import Result

        def run(db, size):
            yield Result("B2", "first figure", "ms", [1.0, 2.0, 3.0], "≤ 30 ms p95", True)
            raise RuntimeError("no matching frame within 30 s (FrameTimeout stand-in)")
    """,
    "fake_hangs": """
        import time
        from benchmarks.stats import Result

        def run(db, size):
            yield Result("B4", "before the hang", "ms", [5.0], "≤ 30 ms p95", True)
            time.sleep(3600)
            yield Result("B5", "never", "%", [100.0], "≥ 95 %", True)
    """,
    "fake_list": """
        from benchmarks.stats import Result

        def run(db, size):
            return [Result("B9a", f"db={db} deals={size.deals}", "ms", [2.0, 4.0], "≤ 5 ms p95", True)]
    """,
    "fake_deaf": """
        import signal, time
        from benchmarks.stats import Result

        def run(db, size):
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            yield Result("B7a", "then deaf to SIGTERM", "rec/s", [10.0], "≥ 1 rec/s", True)
            time.sleep(3600)
    """,
    "fake_interrupted": """
        from benchmarks.stats import Result

        def run(db, size):
            yield Result("B6", "kept", "MB", [100.0], "≤ 200 MB", True)
            raise KeyboardInterrupt  # what a child's Ctrl-C looks like inside the suite
    """,
    "fake_partial": """
        from benchmarks.stats import Result

        def run(db, size):
            return [Result("B8", "only B8", "s", [0.1], "≤ 0.3 s median", True)]
    """,
}


@pytest.fixture
def fakes(tmp_path, monkeypatch):
    for name, body in FAKES.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(body), encoding="utf-8")
    path = os.pathsep.join(p for p in (str(tmp_path), os.environ.get("PYTHONPATH", "")) if p)
    monkeypatch.setenv("PYTHONPATH", path)
    return tmp_path


def test_a_suite_that_raises_keeps_the_figure_it_yielded_and_names_the_failure(fakes):
    out = run_suite(Suite("fake_raises", ("B2", "B3"), "dashboard"), fakes / "x.db", TINY, budget=60)
    by_key = {r.key: r for r in out.results}
    assert by_key["B2"].samples == [1.0, 2.0, 3.0] and not by_key["B2"].failed
    assert by_key["B2"].load is not None  # the load average beside the figure
    b3 = by_key["B3"]
    assert b3.samples == [] and b3.status == "timed out"
    assert "RuntimeError" in b3.failed and "FrameTimeout stand-in" in b3.failed


def test_a_hanging_suite_is_killed_after_its_budget_and_keeps_what_it_had(fakes):
    started = time.perf_counter()
    out = run_suite(Suite("fake_hangs", ("B4", "B5"), "search"), fakes / "x.db", TINY, budget=3)
    assert time.perf_counter() - started < 20
    by_key = {r.key: r for r in out.results}
    assert by_key["B4"].samples == [5.0]
    assert by_key["B5"].status == "timed out" and "timed out after 3 s" in by_key["B5"].failed


def test_a_suite_deaf_to_sigterm_is_killed_anyway(fakes, monkeypatch):
    monkeypatch.setattr(isolation, "GRACE_S", 1.0)
    started = time.perf_counter()
    out = run_suite(Suite("fake_deaf", ("B7",), "transfer"), fakes / "x.db", TINY, budget=2)
    assert time.perf_counter() - started < 20
    assert [r.key for r in out.results] == ["B7a"] and out.results[0].samples == [10.0]


def test_a_list_suite_gets_the_database_and_size_and_only_filters_its_keys(fakes):
    out = run_suite(Suite("fake_list", ("B9",), "actions"), "postgresql+psycopg://u@/d?host=/tmp/x", TINY,
                    budget=60)
    assert [r.key for r in out.results] == ["B9a"]
    assert out.results[0].what == "db=postgresql+psycopg://u@/d?host=/tmp/x deals=10"
    assert run_suite(Suite("fake_list", ("B9",), "actions"), fakes / "x.db", TINY, budget=60,
                     only={"B8"}).results == []


def test_a_keyboard_interrupt_inside_a_suite_keeps_its_figures(fakes):
    out = run_suite(Suite("fake_interrupted", ("B6", "B6x"), "memory"), fakes / "x.db", TINY, budget=60)
    assert out.results[0].key == "B6" and out.results[0].samples == [100.0]
    assert out.results[1].key == "B6x" and "KeyboardInterrupt" in out.results[1].failed


def test_a_missing_module_or_key_is_not_measured_not_a_crash(fakes):
    gone = run_suite(Suite("benchmarks.b_does_not_exist", ("B11",), "sweep"), fakes / "x.db", TINY, budget=60)
    assert [(r.key, r.status) for r in gone.results] == [("B11", "not measured")]
    assert "does not exist yet" in gone.results[0].failed
    partial = run_suite(Suite("fake_partial", ("B8", "B12"), "cli"), fakes / "x.db", TINY, budget=60)
    assert [(r.key, r.status) for r in partial.results] == [("B8", ""), ("B12", "not measured")]
    assert "finished without reporting B12" in partial.results[1].failed


def test_the_whole_run_goes_on_past_failures_and_prints_every_figure(fakes, monkeypatch, capsys, tmp_path):
    import benchmarks.__main__ as harness

    monkeypatch.setattr(harness, "database", lambda size: (tmp_path / "demo.db", None))
    suites = [Suite("fake_raises", ("B2", "B3"), "dashboard", 60, 60),
              Suite("fake_hangs", ("B4", "B5"), "search", 3, 3),
              Suite("benchmarks.b_does_not_exist", ("B11",), "sweep", 60, 60),
              Suite("fake_list", ("B9",), "actions", 60, 60)]
    assert main(["--quick"], suites=suites) == 0
    table = capsys.readouterr().out
    for row in ("| B2 | first figure | 3 | 2.0 ms |", "| B3 | dashboard | – | timed out |",
                "| B4 | before the hang | 1 | 5.0 ms |", "| B5 | search | – | timed out |",
                "| B11 | sweep | – | not measured |", "| B9a | db="):
        assert row in table, row
    assert "- B5: timed out after 3 s" in table and "- B11: not measured: benchmarks.b_does_not_exist" in table
    assert "whole run" in table


def test_only_accepts_new_keys_and_sub_keys(fakes, monkeypatch, capsys, tmp_path):
    import benchmarks.__main__ as harness

    monkeypatch.setattr(harness, "database", lambda size: (tmp_path / "demo.db", None))
    suites = [Suite("fake_list", ("B9",), "actions", 60, 60), Suite("fake_raises", ("B2", "B3"), "d", 60, 60)]
    assert main(["--quick", "--only", "b9a"], suites=suites) == 0
    out = capsys.readouterr().out
    assert "| B9a |" in out and "| B2 |" not in out
    assert {s.keys for s in harness.SUITES} >= {("B4", "B5", "B10"), ("B8", "B12"), ("B11",), ("B13",)}
    with pytest.raises(SystemExit):
        main(["--only", "B99"], suites=suites)


def test_a_deadline_reports_suites_that_no_longer_fit(fakes, monkeypatch, capsys, tmp_path):
    import benchmarks.__main__ as harness

    monkeypatch.setattr(harness, "database", lambda size: (tmp_path / "demo.db", None))
    monkeypatch.setattr(harness, "MIN_BUDGET_S", 2)
    suites = [Suite("fake_hangs", ("B4", "B5"), "search", 600, 600), Suite("fake_list", ("B9",), "a", 60, 60)]
    assert main(["--quick", "--deadline", "4"], suites=suites) == 0
    out = capsys.readouterr().out
    assert "| B4 | before the hang |" in out and "| B5 | search | – | timed out |" in out
    assert "| B9 | a | – | not measured |" in out and "deadline came" in out


def test_without_the_demo_database_its_suites_fail_with_the_cause_and_the_others_run(fakes, monkeypatch, capsys):
    import benchmarks.__main__ as harness

    def broken(size):
        raise OSError("No space left on device")

    monkeypatch.setattr(harness, "database", broken)
    suites = [Suite("fake_list", ("B9",), "actions", 60, 60),
              Suite("fake_partial", ("B8",), "cli", 60, 60, needs_db=False)]
    assert main(["--quick"], suites=suites) == 0
    out = capsys.readouterr().out
    assert "| B9 | actions | – | failed |" in out and "No space left on device" in out
    assert "| B8 | only B8 | 1 |" in out


def test_a_suite_stopped_after_a_sub_figure_says_later_ones_are_missing(fakes):
    out = run_suite(Suite("fake_raises", ("B2",), "dashboard"), fakes / "x.db", TINY, budget=60)
    assert [r.key for r in out.results] == ["B2"]
    assert out.notes and "stopped after B2" in out.notes[0] and "FrameTimeout stand-in" in out.notes[0]
