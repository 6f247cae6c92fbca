"""`cosell stats [--json] [--needs-reporting]`: R13's guidance as numbers (answer time R13.1,
accept rate R13.2, deals that need reporting R13.3). The clock is NOW, a Friday."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from cli_harness import (  # noqa: F401  (fixtures are used by name)
    NOW, cosell, db, make_inbound, sctx,
)
from model import services as svc


def seed(sctx):
    fast = svc.receive_inbound(sctx, make_inbound(name="Fast yes"), received_at=NOW - timedelta(hours=2))
    svc.accept(sctx, fast.id)                                      # answered in 2 h, this week
    slow = svc.receive_inbound(sctx, make_inbound(name="Slow no"), received_at=NOW - timedelta(hours=6))
    svc.decline(sctx, slow.id, "Not a fit for our solutions")  # answered in 6 h
    late = svc.receive_inbound(sctx, make_inbound(name="Late", close_date=date(2026, 11, 19)),
                               received_at=NOW - timedelta(days=2, hours=10))
    svc.accept(sctx, late.id)                                      # 58 h; open past its close date
    zero = svc.receive_inbound(sctx, make_inbound(name="Zero lost", value=Decimal(0)),
                               received_at=NOW - timedelta(days=1))
    svc.accept(sctx, zero.id)                                      # 24 h
    svc.lost(sctx, zero.id, "Price")                               # lost with no value
    svc.receive_inbound(sctx, make_inbound(name="Old"), received_at=NOW - timedelta(days=15))
    svc.sweep(sctx)                                                # expired: not an answer
    svc.receive_inbound(sctx, make_inbound(name="Waiting"))
    return late, zero


def test_stats_text(cosell, sctx):  # R13.1, R13.2, R13.3
    seed(sctx)
    result = cosell("stats")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split() == ["PERIOD", "ANSWERED", "MEDIAN", "ANSWER", "ACCEPT", "RATE", "ACCEPTED/DECLINED",
                                "EXPIRED"]
    # 2 h, 6 h, 24 h, 58 h: the median is 15 h; 3 of 4 accepted
    assert lines[1].split() == ["this", "week", "4", "15", "h", "75", "%", "3/1", "1"]
    assert lines[2].split() == ["this", "month", "4", "15", "h", "75", "%", "3/1", "1"]
    assert lines[3] == "1 inbound deal(s) wait for an answer (R13.1); 2 deal(s) need reporting (R13.3)"


def test_stats_json_lists_what_needs_reporting(cosell, sctx):  # R13.3
    late, zero = seed(sctx)
    doc = cosell("stats", "--json", "--needs-reporting").json()
    week = doc["periods"][0]
    assert (week["period"], week["answered"], week["accepted"], week["declined"], week["expired"]) == \
        ("this week", 4, 3, 1, 1)
    assert week["median_answer_seconds"] == 15 * 3600 and week["accept_rate"] == 0.75
    assert doc["waiting_for_answer"] == 1 and doc["needs_reporting"] == 2
    rows = {r["id"]: r for r in doc["needs_reporting_deals"]}
    assert set(rows) == {late.id, zero.id}
    assert "close date 2026-11-19 is past" in rows[late.id]["why"]
    assert rows[zero.id]["why"].startswith("lost with no value")


def test_stats_on_an_empty_store_says_so_without_numbers(cosell, sctx):  # R13.2 (sctx: the database exists)
    result = cosell("stats", "--json")
    assert result.code == 0, result.err
    week = result.json()["periods"][0]
    assert week["accept_rate"] is None and week["median_answer"] is None
    text = cosell("stats").out.splitlines()
    assert text[1].split() == ["this", "week", "0", "–", "–", "0/0", "0"]
