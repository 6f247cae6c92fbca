"""The stored customer-search index file (R4.8, issue 10 B10): an index written and mapped back
searches exactly like the one built in memory; a torn, damaged, hand-edited or foreign file is
refused with a reason, never half-used; a write that dies leaves the previous file whole."""
from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from data.accounts import generate_accounts
from model.accounts import index_file
from model.accounts.index import IndexBuilder
from model.accounts.index_file import IndexFileInvalid, read_header, read_index, write_index
from model.accounts.matcher import AccountMatcher
from model.accounts.normalize import normalize_name
from model.domain.enums import AccountTab
from model.domain.schemas import Account

KEY = {"database_id": "db1", "count": 3, "max_id": "O1", "version": "v1"}


def _rows(accounts):
    """IndexBuilder rows: (account_id, norm_name, name_if_blank, tab, linked_group, city, country, parent)."""
    return [(a[0], normalize_name(a[1]), None, a[2], a[3], a[5], a[6], a[9]) for a in accounts]


def _catalogue(n=400):
    fixed = [("M1", "Contoso Ltd", "managed", "G1", None, "London", "GB", False, False, None),
             ("M2", "Contoso Limited", "managed", "G1", None, "Leeds", "GB", False, False, None),
             ("U1", "Müller Maschinenbau GmbH", "unmanaged", None, None, "München", "DE", False, False, None),
             ("O1", "Veltrix Logistics Oy", "other", None, "1", "Helsinki", "FI", False, False, "Arvoni Group plc")]
    return fixed + [(f"N{i}", *row[1:]) for i, row in enumerate(generate_accounts(n, 5))]


def _index(accounts):
    builder = IndexBuilder()
    builder.add(_rows(accounts))
    return builder.finish()


class _Source:
    """Account details by id, as the database would give them."""

    def __init__(self, accounts):
        self.by_id = {a[0]: Account(account_id=a[0], name=a[1], tab=AccountTab(a[2]), linked_group=a[3],
                                    city=a[5], country=a[6], parent_name=a[9]) for a in accounts}

    def accounts(self, ids):
        return {i: self.by_id[i] for i in ids if i in self.by_id}

    def linked(self, groups):
        return {g: [a for a in self.by_id.values() if a.linked_group == g] for g in groups}


def _answers(ix, accounts, queries):
    m = AccountMatcher(ix, _Source(accounts))
    out = []
    for q in queries:
        r = m.search(q, limit=5)
        out.append(([(t, h.account.account_id, h.score, h.via_parent, h.possible_duplicate,
                      [a.account_id for a in h.linked]) for t, h in r.all_hits()], r.counts))
    return out


QUERIES = ["contoso", "Veltrx Logistcs", "arvoni group", "muller maschinenbau", "nordic", "kestrel sys"]


def test_a_mapped_index_searches_exactly_like_the_built_one(tmp_path):
    accounts = _catalogue()
    built = _index(accounts)
    path = tmp_path / "ix.idx"
    write_index(built, path, KEY)
    loaded, key = read_index(path, KEY)
    assert key == KEY
    assert not loaded.post_docs.flags.writeable  # a read-only view of the mapping, not a copy
    assert loaded.words == built.words and loaded.tri == built.tri and loaded.countries == built.countries
    for name in ("doc_ptr", "fwd", "post_ptr", "post_docs", "idf", "tab", "city", "cities"):
        assert np.array_equal(getattr(loaded, name), getattr(built, name)), name
    assert [loaded.account_id(r) for r in range(loaded.n_rows)] == [a[0] for a in accounts]
    assert _answers(loaded, accounts, QUERIES) == _answers(built, accounts, QUERIES)
    assert _answers(loaded, accounts, ["contoso"])[0][0][0][1] in {"M1", "M2"}


def test_ids_of_different_lengths_and_an_empty_catalogue_round_trip(tmp_path):
    accounts = [("A-1", "Alpha Ltd", "other", None, None, None, None, False, False, None),
                ("LONG-ID-22", "Beta AB", "managed", None, None, "Oslo", "NO", False, False, None)]
    write_index(_index(accounts), tmp_path / "a.idx", KEY)
    loaded, _ = read_index(tmp_path / "a.idx", KEY)
    assert [loaded.account_id(0), loaded.account_id(1)] == ["A-1", "LONG-ID-22"]
    write_index(IndexBuilder().finish(), tmp_path / "e.idx", KEY)
    empty, _ = read_index(tmp_path / "e.idx", KEY)
    assert empty.n_rows == 0
    assert AccountMatcher(empty, _Source([])).search("anything").counts[AccountTab.OTHER] == 0


@pytest.fixture
def stored(tmp_path):
    path = tmp_path / "ix.idx"
    write_index(_index(_catalogue(50)), path, KEY)
    return path


def _flip(path, at):
    data = bytearray(path.read_bytes())
    data[at] ^= 0x5A
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage, reason", [
    (lambda p: p.write_bytes(p.read_bytes()[:-100]), "bytes, its header says"),           # torn: cut short
    (lambda p: p.write_bytes(p.read_bytes() + b"junk"), "bytes, its header says"),        # grown
    (lambda p: _flip(p, os.path.getsize(p) - 200), "checksum"),                            # a byte in the data
    (lambda p: _flip(p, 30), "header is damaged"),                                         # a byte in the header
    (lambda p: _flip(p, 0), "not a cosell search index"),
    (lambda p: p.write_bytes(b""), "too short"),
    (lambda p: p.write_text("hello, I edited this by hand\n"), "not a cosell search index"),
    (lambda p: p.unlink(), "no stored index"),
])
def test_a_damaged_or_missing_file_is_refused_with_its_reason(stored, damage, reason):
    damage(stored)
    with pytest.raises(IndexFileInvalid, match=reason):
        read_index(stored, KEY)


def test_a_file_of_another_format_or_state_is_refused(stored, monkeypatch):
    with pytest.raises(IndexFileInvalid, match="another state"):
        read_index(stored, {**KEY, "count": 4})
    assert read_index(stored)[1] == KEY  # without a key: any state (served while a new one is built)
    monkeypatch.setattr(index_file, "FORMAT", index_file.FORMAT + 1)
    with pytest.raises(IndexFileInvalid, match="index format"):
        read_header(stored)


def test_consistent_checksums_over_inconsistent_arrays_are_still_refused(tmp_path, monkeypatch):
    ix = _index(_catalogue(20))
    ix.doc_ptr = ix.doc_ptr[:-1]  # a hand-made file whose checksums are right but whose arrays disagree
    write_index(ix, tmp_path / "bad.idx", KEY)
    with pytest.raises(IndexFileInvalid, match="inconsistent.*document pointers"):
        read_index(tmp_path / "bad.idx", KEY)


def test_a_write_that_dies_leaves_the_previous_file_whole_and_no_temporary(stored, monkeypatch):
    before = stored.read_bytes()

    def killed(_fd):
        raise KeyboardInterrupt  # the process is stopped mid-write

    monkeypatch.setattr(index_file.os, "fsync", killed)
    with pytest.raises(KeyboardInterrupt):
        write_index(_index(_catalogue(10)), stored, {**KEY, "count": 99})
    assert stored.read_bytes() == before
    assert sorted(p.name for p in stored.parent.iterdir()) == [stored.name]
    assert read_index(stored, KEY)[1] == KEY


def test_the_file_gets_the_mode_asked(tmp_path):
    write_index(_index(_catalogue(5)), tmp_path / "p.idx", KEY)
    write_index(_index(_catalogue(5)), tmp_path / "g.idx", KEY, mode=0o660)
    assert stat.S_IMODE((tmp_path / "p.idx").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "g.idx").stat().st_mode) == 0o660


def test_a_mapped_index_survives_its_file_being_replaced(stored):
    old, _ = read_index(stored, KEY)
    first = old.account_id(0)
    write_index(_index(_catalogue(5)[2:]), stored, {**KEY, "count": 2})  # another process's rebuild
    assert old.account_id(0) == first  # the old mapping still reads the old data
    assert read_index(stored)[0].account_id(0) != first
