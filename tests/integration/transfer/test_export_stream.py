"""How a big export streams (issue 10): the first page leaves before any worker starts, ranges
are cut in the database, and the text goes to a UTF-8 file as bytes; the output stays the
one-process export's, byte for byte.

The thresholds are lowered here so a few dozen deals take the parallel path.
"""
from __future__ import annotations

import io
import json
import re

import pytest

from data.demo import populate
from factories import NOW, SELLER_SE, ctx_as
from model.domain.enums import Role, Tab
from model.domain.schemas import User
from model.services import transfer_export
from model.store import bulk
from transfer_support import export_text, fresh_ctx
from transfer_support import known_catalogue  # noqa: F401  (autouse: the catalogue the factories name)


@pytest.fixture(autouse=True)
def small_thresholds(monkeypatch):
    monkeypatch.setattr(transfer_export, "PARALLEL_MIN", 10)
    monkeypatch.setattr(transfer_export, "SEGMENT", 7)
    monkeypatch.setattr(transfer_export, "FIRST", 3)
    monkeypatch.setattr(bulk, "worker_count", lambda: 2)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    ctx = fresh_ctx(tmp_path_factory.mktemp("src"), "source")
    populate(ctx.store, deals=45, accounts=300, seed=5, now=NOW)
    yield ctx
    ctx.store.dispose()


def _ids(ctx, tab=None) -> list[str]:
    return [r["id"] for r in json.loads(export_text(ctx, tab=tab))["value"]]


def test_ranges_start_at_every_segment_th_deal_the_user_may_see(source):
    # R1.3, R1.4: the cuts follow what this user may see, not every stored deal.
    for ctx, tab in ((source, None), (source, Tab.INBOUND), (ctx_as(source, SELLER_SE), None)):
        ids = _ids(ctx, tab)
        with ctx.store.read() as session:
            assert bulk.range_starts(session, ctx.user, 7, tab) == ids[::7]
            assert bulk.sees_at_least(session, ctx.user, len(ids), tab)
            assert not bulk.sees_at_least(session, ctx.user, len(ids) + 1, tab)


def test_the_first_page_is_written_and_flushed_before_the_workers_start(source, monkeypatch):
    flushed_at_fork = []

    class Out(io.StringIO):
        flushed = ""

        def flush(self):
            self.flushed = self.getvalue()

    out = Out()
    real_pool = bulk.process_pool

    def pool(*args, **kw):
        flushed_at_fork.append(out.flushed)
        return real_pool(*args, **kw)

    monkeypatch.setattr(bulk, "process_pool", pool)
    transfer_export.export_json(source, out)
    assert len(flushed_at_fork) == 1  # really in ranges
    first = flushed_at_fork[0].splitlines()
    assert first[0] == '{"value": [' and len(first) == 1 + transfer_export.FIRST
    assert out.getvalue().startswith(flushed_at_fork[0])
    monkeypatch.setattr(transfer_export, "PARALLEL_MIN", 10**9)
    assert out.getvalue() == export_text(source)  # the one-process export, byte for byte


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_utf8_file_gets_the_bytes_of_the_text_export(source, fmt):
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    transfer_export.export_referrals(source, out, fmt=fmt)
    out.flush()
    assert raw.getvalue().decode("utf-8") == export_text(source, fmt=fmt)
    other = io.TextIOWrapper(io.BytesIO(), encoding="utf-16")  # not UTF-8: written as text
    transfer_export.export_referrals(source, other, fmt=fmt)
    other.flush()
    assert other.buffer.getvalue().decode("utf-16") == export_text(source, fmt=fmt)


def test_the_byte_search_finds_exactly_the_characters_json_export_escapes():
    # The characters a terminal would act on (DEL, C1, bidi controls) looked for in UTF-8.
    escaped = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
    for cp in (*range(0x0, 0x800), *range(0x2000, 0x2100), 0xFEFF, 0x1F600):
        ch = chr(cp)
        assert transfer_export._needs_escapes(f"a{ch}b".encode()) == bool(escaped.search(ch)), hex(cp)


def test_a_tab_or_a_restricted_user_gets_the_one_process_export(source, monkeypatch):
    # R1.3, R1.4: ranges cut from what this user may see give the same text as one process.
    member = User(login="dreyes", display_name="Daniel Reyes", email="daniel.reyes@contoso-partner.com",
                  role=Role.USER, location="United States")  # on the team of 14 of the demo's deals
    for ctx, tab in ((source, Tab.INBOUND), (source, Tab.CLOSED), (ctx_as(source, member), None)):
        assert transfer_export._ranges(ctx, tab) is not None  # really in ranges
        parallel = export_text(ctx, tab=tab)
        monkeypatch.setattr(transfer_export, "PARALLEL_MIN", 10**9)
        assert export_text(ctx, tab=tab) == parallel
        monkeypatch.setattr(transfer_export, "PARALLEL_MIN", 10)
