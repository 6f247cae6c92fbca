"""The stored customer-search index over a real catalogue (R4.8, issue 10 B10), on SQLite and
PostgreSQL: built once and loaded by later processes; never used once the accounts changed (new,
renamed, re-normalised, learned from a referral file); a damaged file is rebuilt without a
traceback; the dashboard's matcher keeps answering from the old index while the new one is built;
two processes building at once both get a whole, current file."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cli.main import main

from data.accounts import generate_accounts
from model.accounts import stored_index
from model.accounts.catalogue import refresh_norm_names
from model.accounts.index_file import read_index
from model.accounts.matcher import AccountMatcher
from model.accounts.stored_index import StoredMatcher, current_key, index_path, open_matcher
from model.domain.enums import AccountTab
from model.store import open_store
from model.store.accounts import upsert_rows
from model.store.referral_lookups import insert_accounts

M, U, O = AccountTab.MANAGED, AccountTab.UNMANAGED, AccountTab.OTHER
ROOT = Path(__file__).resolve().parents[3]

FIXED = [("M1", "Contoso Ltd", "managed", "G1", None, "London", "GB", True, False, None),
         ("M2", "Contoso Limited", "managed", "G1", None, "Leeds", "GB", False, False, None),
         ("U1", "Müller Maschinenbau GmbH", "unmanaged", None, None, "München", "DE", False, False, None),
         ("O1", "Veltrix Logistics Oy", "other", None, "123456789", "Helsinki", "FI", False, False,
          "Arvoni Group plc")]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("COSELL_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / stored_index.SUBDIR


@pytest.fixture
def catalogue(store):
    with store.write() as session:
        upsert_rows(session, FIXED + [(f"N{i}", *r[1:]) for i, r in enumerate(generate_accounts(600, 3))])
    return store


@pytest.fixture
def builds(monkeypatch) -> list[dict]:
    """Every index built from the database, in this process."""
    made: list[dict] = []
    real = stored_index.build_index

    def counting(store):
        ix, key = real(store)
        made.append(key)
        return ix, key

    monkeypatch.setattr(stored_index, "build_index", counting)
    return made


def ids(result, tab) -> list[str]:
    return [h.account.account_id for h in result.tabs[tab]]


def best(result, tab) -> str | None:
    hits = ids(result, tab)
    return hits[0] if hits else None


def test_built_once_stored_then_loaded_and_answering_as_a_fresh_build(catalogue, cache, builds):
    first = open_matcher(catalogue)
    assert len(builds) == 1
    path = index_path(cache, current_key(catalogue))
    assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700  # each login its own cache
    again = open_matcher(catalogue)
    assert len(builds) == 1  # loaded, not rebuilt
    fresh = AccountMatcher.from_store(catalogue)
    for query in ("contoso", "Veltrx Logistcs", "arvoni group", "muller"):
        a, b, c = (m.search(query) for m in (first, again, fresh))
        assert [(ids(a, t), a.counts[t]) for t in (M, U, O)] == [(ids(c, t), c.counts[t]) for t in (M, U, O)]
        assert [(ids(b, t), b.counts[t]) for t in (M, U, O)] == [(ids(c, t), c.counts[t]) for t in (M, U, O)]
    hit = again.search("Contoso").tabs[M][0]  # R4.3: the linked records, from the database
    assert {hit.account.account_id, *(a.account_id for a in hit.linked)} == {"M1", "M2"}
    assert again.search("Arvoni Group").tabs[O][0].via_parent  # R4.8 aliases survive the file


def test_a_new_account_makes_the_stored_index_stale(catalogue, cache, builds):
    open_matcher(catalogue)
    with catalogue.write() as session:
        upsert_rows(session, [("O9", "Quenthorpe Analytics AB", "other", None, None, "Lund", "SE", False, False,
                               None)])
    assert best(open_matcher(catalogue).search("quenthorpe analytics"), O) == "O9"
    assert len(builds) == 2


def test_an_account_renamed_in_place_makes_it_stale(catalogue, cache, builds):
    open_matcher(catalogue)
    before = current_key(catalogue)
    with catalogue.write() as session:  # same count, same largest id: only the version token moves
        upsert_rows(session, [("U1", "Zyrtanic Werke GmbH", "unmanaged", None, None, "Bonn", "DE", False, False,
                               None)])
    after = current_key(catalogue)
    assert (after["count"], after["max_id"]) == (before["count"], before["max_id"]) and after != before
    assert best(open_matcher(catalogue).search("zyrtanic werke"), U) == "U1"
    assert len(builds) == 2


def test_renormalising_or_a_referral_file_adding_accounts_makes_it_stale(catalogue, cache, builds):
    open_matcher(catalogue)
    refresh_norm_names(catalogue)
    open_matcher(catalogue)
    assert len(builds) == 2
    with catalogue.write() as session:  # an Other account learned from a Partner Center file
        insert_accounts(session, [{"account_id": "D-987654321", "name": "Brennvik Marine AS", "tab": "other",
                                   "duns": "987654321", "city": "Bergen", "country": "NO", "macc": False,
                                   "federal": False, "linked_group": None, "parent_name": None}])
    assert best(open_matcher(catalogue).search("brennvik marine"), O) == "D-987654321"
    assert len(builds) == 3


@pytest.mark.parametrize("damage", [
    lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),   # torn
    lambda p: p.write_bytes(p.read_bytes().replace(b"contoso", b"cantoso", 1)),  # hand-edited
    lambda p: p.write_text("not an index"),
])
def test_a_damaged_file_is_rebuilt_and_the_cli_answers(catalogue, cache, capsys, monkeypatch, damage):
    monkeypatch.delenv("COSELL_DATABASE_URL", raising=False)

    def search() -> tuple[int, str, str]:
        code = main(["--db", catalogue.url, "accounts", "search", "contoso"])
        return code, *capsys.readouterr()

    assert search()[0] == 0
    path = index_path(cache, current_key(catalogue))
    damage(path)
    code, out, err = search()
    assert code == 0 and "M1" in out and "Traceback" not in err
    assert read_index(path, current_key(catalogue))  # rebuilt whole


def test_an_unwritable_cache_still_answers_from_memory(catalogue, tmp_path, monkeypatch, builds):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("COSELL_CACHE_DIR", str(blocker))
    assert best(open_matcher(catalogue).search("veltrix logistics"), O) == "O1"
    assert best(open_matcher(catalogue).search("veltrix logistics"), O) == "O1"
    assert len(builds) == 2  # nothing stored, nothing broken


def test_a_shared_cache_dir_gets_group_writable_files(catalogue, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    (shared / stored_index.SUBDIR).mkdir(parents=True)
    os.chmod(shared / stored_index.SUBDIR, 0o2770)
    monkeypatch.setenv("COSELL_CACHE_DIR", str(shared))
    open_matcher(catalogue)
    path = index_path(shared / stored_index.SUBDIR, current_key(catalogue))
    assert stat.S_IMODE(path.stat().st_mode) == 0o660  # a teammate may use and rebuild it


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_dashboard_matcher_serves_the_old_index_while_the_new_one_is_built(catalogue, cache, builds,
                                                                               monkeypatch):
    open_matcher(catalogue)  # stored by an earlier process
    clock = _Clock()
    live = StoredMatcher(catalogue, clock=clock, separate_process=False)
    assert best(live.search("veltrix logistics"), O) == "O1" and len(builds) == 1
    with catalogue.write() as session:
        upsert_rows(session, [("O9", "Quenthorpe Analytics AB", "other", None, None, "Lund", "SE", False,
                               False, None)])
    release = threading.Event()
    real = stored_index.build_index

    def slow(store):
        release.wait(10)
        return real(store)

    monkeypatch.setattr(stored_index, "build_index", slow)
    clock.now += stored_index.RECHECK_SECONDS  # the next search after the recheck interval
    assert "O9" not in ids(live.search("quenthorpe analytics"), O)  # the old index answers at once
    assert live.rebuilding
    assert best(live.search("veltrix logistics"), O) == "O1"
    release.set()
    assert live.wait(30)
    assert best(live.search("quenthorpe analytics"), O) == "O9"
    assert live.key == current_key(catalogue)


def test_a_fresh_dashboard_over_a_stale_file_answers_at_once_and_catches_up(catalogue, cache, builds):
    open_matcher(catalogue)
    with catalogue.write() as session:
        upsert_rows(session, [("O9", "Quenthorpe Analytics AB", "other", None, None, "Lund", "SE", False,
                               False, None)])
    live = StoredMatcher(catalogue, separate_process=False)
    live.current()  # the older index of this database, loaded; a rebuild started
    assert live.key != current_key(catalogue) and len(builds) == 1
    assert live.wait(60)
    assert best(live.search("quenthorpe analytics"), O) == "O9" and len(builds) == 2
    later = StoredMatcher(catalogue, separate_process=False)  # the next dashboard: the new file
    later.current()
    assert later.key == current_key(catalogue) and len(builds) == 2


def test_a_big_catalogue_is_built_in_a_child_process(catalogue, cache, builds, monkeypatch):
    monkeypatch.setattr(stored_index, "CHILD_BUILD_MIN", 1)
    live = StoredMatcher(catalogue)
    assert best(live.search("veltrix logistics"), O) == "O1"
    assert builds == [] and live.builds == 1  # built by the child, not in this process
    assert read_index(index_path(cache, current_key(catalogue)), current_key(catalogue))


_RACE = """
import sys
from model.store import open_store
from model.accounts.stored_index import open_matcher
store = open_store(sys.argv[1], create=False)
hits = open_matcher(store).search("quenthorpe analytics").all_hits()
print(hits[0][1].account.account_id if hits else "-")
"""


def test_two_processes_finding_it_stale_at_once_both_answer_from_a_whole_file(catalogue, cache):
    open_matcher(catalogue)
    with catalogue.write() as session:
        upsert_rows(session, [("O9", "Quenthorpe Analytics AB", "other", None, None, "Lund", "SE", False,
                               False, None)])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", _RACE, catalogue.url], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=ROOT) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err.decode()[-500:] for _out, err in outs]
    assert [out.decode().strip() for out, _err in outs] == ["O9", "O9"]
    key = current_key(catalogue)
    assert read_index(index_path(cache, key), key)
    assert [p.name for p in cache.iterdir() if p.suffix == ".tmp"] == []


def test_old_indexes_of_other_databases_and_stray_temporaries_are_pruned(catalogue, cache):
    cache.mkdir(parents=True)
    now = __import__("time").time()
    files = {name: cache / name for name in ("accounts-old.idx", "accounts-recent.idx", ".accounts-a.idx.1.tmp",
                                             ".accounts-b.idx.2.tmp")}
    for name, path in files.items():
        path.write_bytes(b"x")
    for name, days in (("accounts-old.idx", 40), ("accounts-recent.idx", 3), (".accounts-a.idx.1.tmp", 2)):
        os.utime(files[name], (now - days * 86400, now - days * 86400))
    open_matcher(catalogue)  # stores this database's index, then prunes
    assert sorted(p.name for p in cache.iterdir() if not p.name.endswith(".lock")) == sorted(
        [".accounts-b.idx.2.tmp", "accounts-recent.idx", index_path(cache, current_key(catalogue)).name])
