"""B13's PostgreSQL side: never a crash without PostgreSQL, and on a real server the cached demo
databases and the page + filter figure (issue 10, B13)."""
from __future__ import annotations

import os

import pytest

from benchmarks import b_pg, pg
from benchmarks.workload import Size


def test_without_postgresql_every_b13_figure_is_not_measured_with_the_reason(monkeypatch):
    def no_server():
        raise pg.Unavailable("PostgreSQL is not installed (no initdb / pg_ctl)")

    monkeypatch.setattr(pg, "server", no_server)
    results = list(b_pg.run("unused.db", Size(10, 10)))
    assert [r.key for r in results] == ["B13 B2", "B13 B3", "B13 B8", "B13 P"]
    assert all(r.status == "not measured" and "PostgreSQL is not installed" in r.failed for r in results)


def test_no_server_binaries_is_unavailable_not_an_install(monkeypatch, tmp_path):
    fake = tmp_path / "pg.sh"
    fake.write_text("pg_bindir() { return 1; }\npg_install() { echo installing >&2; exit 99; }\n")
    monkeypatch.setattr(pg, "PG_SH", fake)
    monkeypatch.delenv("COSELL_BENCH_PG_URL", raising=False)
    with pytest.raises(pg.Unavailable, match="not installed"):
        with pg.server():
            pass


def test_a_part_that_raises_keeps_its_figures_and_the_next_part_runs():
    from benchmarks.stats import Result

    def dashboard():
        yield Result("B2", "filter", "ms", [1.0], "≤ 30 ms p95", True)
        raise RuntimeError("FrameTimeout: no matching frame within 30 s")

    got = list(b_pg._rekeyed(dashboard(), ["B13 B2", "B13 B3"]))
    assert [(r.key, r.status) for r in got] == [("B13 B2", ""), ("B13 B3", "timed out")]
    assert "FrameTimeout" in got[1].failed


@pytest.mark.pg
def test_demo_databases_are_made_once_and_measured_through_the_services(monkeypatch):
    url = os.environ.get("COSELL_TEST_DATABASE_URL")
    if not url:
        pytest.skip("needs COSELL_TEST_DATABASE_URL (a PostgreSQL server)")
    monkeypatch.setenv("COSELL_BENCH_PG_URL", url)
    size = Size(300, 1_000)
    made: list[str] = []
    try:
        with pg.server() as srv:
            demo, took = pg.demo_database(srv, size)
            made.append(demo)
            assert took is not None and took > 0
            assert pg.demo_database(srv, size) == (demo, None)  # cached: same name, not made again
            big, took = pg.replicated_database(srv, demo, 3)
            made.append(big)
            with srv.connect(big.split("/")[-1].split("?")[0]) as conn:
                deals, ids = conn.execute("SELECT count(*), count(DISTINCT id) FROM deals").fetchone()
            assert deals == ids == 900
            result = b_pg.page_and_filter(big, 900, words_n=2, pages=(0, 1))
    finally:
        with pg.Server(url).connect() as conn:
            for u in made:
                pg._drop(conn, u.split("/")[-1].split("?")[0])
    assert result.key == "B13 P" and result.samples and all(s > 0 for s in result.samples)
    assert result.baseline and result.met in (True, False) and "900 deals" in result.what
