"""The account catalogue (R4): CSV import is all or nothing and names the bad
line and field; lookups by id keep the order asked; the generated demo catalogue has the shape search must cope with."""
from __future__ import annotations

import collections
import io

import pytest
from sqlalchemy import func, select

from data.accounts import FIELDS, generate_accounts, write_accounts, write_accounts_csv
from model.accounts import catalogue
from model.accounts.catalogue import get_accounts, import_accounts_csv
from model.domain.enums import AccountTab
from model.domain.errors import ImportRejected
from model.store.tables import AccountRecord, Meta

HEADER = "account_id,name,tab,linked_group,duns,city,country,macc,federal,parent_name\n"
GOOD = (HEADER
        + "A1,Contoso Ltd,managed,G1,,London,gb,true,false,\n"
        + "A2,Contoso Limited,Managed,G1,,Leeds,GB,1,0,\n"
        + "A3,Veltrix Logistics Oy,other,,123-456-789,Helsinki,FI,no,yes,Arvoni Group plc\n"
        + 'A4,"Smith, Jones & Co",unmanaged,,,,,,,\n')


def count(store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(AccountRecord))


def write(tmp_path, text: str, name: str = "accounts.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_writes_every_field(store, tmp_path):
    assert import_accounts_csv(store, write(tmp_path, GOOD)) == 4
    a1, a2, a3, a4 = get_accounts(store, ["A1", "A2", "A3", "A4"])
    assert (a1.tab, a1.linked_group, a1.country, a1.macc, a1.federal) == (AccountTab.MANAGED, "G1", "GB", True, False)
    assert (a2.tab, a2.macc) == (AccountTab.MANAGED, True)
    assert (a3.duns, a3.federal, a3.macc, a3.parent_name) == ("123-456-789", True, False, "Arvoni Group plc")
    assert (a4.name, a4.city, a4.macc, a4.federal) == ("Smith, Jones & Co", None, False, False)
    with store.read() as session:
        assert session.get(AccountRecord, "A4").norm_name == "smith jones"


def test_reimport_updates(store, tmp_path):
    import_accounts_csv(store, write(tmp_path, GOOD))
    import_accounts_csv(store, write(tmp_path, HEADER + "A1,Contoso Group Ltd,unmanaged,,,Leeds,GB,false,false,\n",
                                     "again.csv"))
    assert count(store) == 4
    a1 = get_accounts(store, ["A1"])[0]
    assert (a1.name, a1.tab, a1.linked_group, a1.macc) == ("Contoso Group Ltd", AccountTab.UNMANAGED, None, False)
    with store.read() as session:
        assert session.get(AccountRecord, "A1").norm_name == "contoso group"


def test_import_from_file_objects(store):
    assert import_accounts_csv(store, io.StringIO(GOOD)) == 4
    raw = io.BytesIO(("\ufeff" + GOOD).encode())
    assert import_accounts_csv(store, raw) == 4  # BOM tolerated
    assert not raw.closed  # the caller's file is left open
    assert count(store) == 4


@pytest.mark.parametrize("bad_line, message", [
    ("A9,Foo AB,foo,,,,,,,\n", "line 7, field tab: 'foo' is not one of managed, unmanaged, other"),
    (",Foo AB,other,,,,,,,\n", "line 7, field account_id: is required"),
    ("A9,,other,,,,,,,\n", "line 7, field name: is required"),
    ("A9,Foo AB,other,,,,,maybe,,\n", "line 7, field macc: 'maybe' is not a boolean"),
    ("A9,Foo AB,other,,,,,,nope,\n", "line 7, field federal: 'nope' is not a boolean"),
    ("A9,Foo AB,other,,12AB,,,,,\n", "line 7, field duns: '12AB' is not a DUNS number"),
    ("A9,Foo AB,other,,,,SWEDEN-LONG,,,\n", "line 7, field country: is longer than 8 characters"),
    ("A9,Foo \x07AB,other,,,,,,,\n", "line 7, field name: contains control characters"),
    ("A1,Foo AB,other,,,,,,,\n", "line 7, field account_id: 'A1' repeats line 2"),
    ("A9,Foo AB,other,,,,,,,,extra\n", "line 7: 11 values, the header has 10"),
])
def test_malformed_rows_reject_the_whole_file(store, tmp_path, bad_line, message):
    text = GOOD + "A5,Fine One,other,,,,,,,\n" + bad_line + "A6,Fine Two,other,,,,,,,\n"
    with pytest.raises(ImportRejected) as err:
        import_accounts_csv(store, write(tmp_path, text))
    assert message in str(err.value)
    assert "nothing was imported" in str(err.value)
    assert count(store) == 0


def test_every_problem_is_reported(store, tmp_path):
    text = HEADER + "A1,Ok,other,,,,,,,\n" + "A2,Bad,nope,,,,,,,\n" + "A3,Also bad,other,,,,,x,,\n"
    with pytest.raises(ImportRejected) as err:
        import_accounts_csv(store, write(tmp_path, text))
    assert "line 3, field tab" in str(err.value) and "line 4, field macc" in str(err.value)


class Unseekable(io.StringIO):
    """A pipe-like stream: read once, no rewinding."""

    def seekable(self) -> bool:
        return False


@pytest.mark.parametrize("stream", [False, True])
def test_a_bad_row_after_written_batches_still_writes_nothing(store, tmp_path, monkeypatch, stream):
    monkeypatch.setattr(catalogue, "_BATCH", 2)  # a stream sends several batches before the bad line
    text = GOOD + "".join(f"B{i},Fine {i},other,,,,,,,\n" for i in range(10)) + "B99,Bad,managedx,,,,,,,\n"
    with pytest.raises(ImportRejected, match="line 16, field tab"):
        import_accounts_csv(store, Unseekable(text) if stream else write(tmp_path, text))
    assert count(store) == 0
    assert import_accounts_csv(store, Unseekable(GOOD)) == 4


@pytest.mark.parametrize("header, message", [
    ("account_id,name,linked_group\n", "line 1: missing column(s) tab"),
    ("account_id,name,tab,colour\n", "line 1: unknown column(s) colour"),
])
def test_bad_header(store, tmp_path, header, message):
    with pytest.raises(ImportRejected, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_accounts_csv(store, write(tmp_path, header + "A1,X,other,\n"))
    assert count(store) == 0


def test_only_required_columns(store, tmp_path):
    assert import_accounts_csv(store, write(tmp_path, "name,tab,account_id\nFoo AB,other,A1\n")) == 1


def test_not_utf8(store, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "A1,Malmö AB,other,,,,,,,\n").encode("latin-1"))
    with pytest.raises(ImportRejected, match="not UTF-8"):
        import_accounts_csv(store, path)
    assert count(store) == 0


def test_get_accounts_keeps_order_and_skips_unknown(store, tmp_path):
    import_accounts_csv(store, write(tmp_path, GOOD))
    assert [a.account_id for a in get_accounts(store, ["A3", "nope", "A1", "A3"])] == ["A3", "A1"]


def test_generator_is_deterministic_and_realistic():
    rows = list(generate_accounts(6000, seed=4))
    assert rows == list(generate_accounts(6000, seed=4))
    assert rows != list(generate_accounts(6000, seed=5))
    assert len(rows) == 6000 and len({r[0] for r in rows}) == 6000
    tabs = collections.Counter(r[2] for r in rows)
    assert 0.20 <= tabs["managed"] / 6000 <= 0.30
    assert 0.15 <= tabs["unmanaged"] / 6000 <= 0.25
    assert 0.50 <= tabs["other"] / 6000 <= 0.60
    groups = collections.Counter(r[3] for r in rows if r[3])
    assert groups and all(2 <= n <= 4 for n in groups.values())  # R4.3 linked records
    assert all(r[2] == "managed" for r in rows if r[3])
    federal = [r for r in rows if r[8]]
    assert federal and all(r[6] == "US" for r in federal)
    assert any(r[2] == "managed" for r in federal) and sum(r[2] == "other" for r in federal) > len(federal) / 2
    assert any(r[7] for r in rows) and any(r[9] for r in rows)  # MACC, subsidiaries
    assert {r[6] for r in rows} >= {"US", "GB", "SE", "NO", "DK", "FI", "DE", "IN"}
    assert any(not r[1].isascii() for r in rows)


def test_write_accounts_and_csv_round_trip(store, tmp_path):
    assert write_accounts(store, 500, seed=2) == 500
    assert count(store) == 500
    path = tmp_path / "gen.csv"
    write_accounts_csv(path, 500, seed=2)
    assert import_accounts_csv(store, path) == 500  # same ids: updates, no duplicates
    assert count(store) == 500
    first = dict(zip(FIELDS, next(generate_accounts(1, seed=2))))
    got = get_accounts(store, [first["account_id"]])[0]
    assert (got.name, got.tab.value, got.macc) == (first["name"], first["tab"], first["macc"])


def test_names_stored_under_older_rules_are_renormalised(store, tmp_path):
    from model.accounts.catalogue import norm_is_stale, refresh_norm_names
    from model.store.accounts import NORM_VERSION_KEY
    from model.accounts.matcher import AccountMatcher

    import_accounts_csv(store, write(tmp_path, GOOD))
    assert not norm_is_stale(store)
    with store.write() as session:  # as if written by an older normalize_name
        session.get(AccountRecord, "A3").norm_name = "veltrix logistics oy"
        session.merge(Meta(key=NORM_VERSION_KEY, value="0"))
    assert norm_is_stale(store)
    hit = AccountMatcher.from_store(store).search("Veltrix Logistics").tabs[AccountTab.OTHER][0]
    assert hit.account.account_id == "A3" and hit.score == 100.0  # normalised while loading
    assert refresh_norm_names(store) == 1
    assert not norm_is_stale(store)
    with store.read() as session:
        assert session.get(AccountRecord, "A3").norm_name == "veltrix logistics"


def test_bulk_load_into_an_empty_table_rebuilds_its_indexes(store, monkeypatch):
    from sqlalchemy import inspect

    from model.store import accounts as account_rows

    monkeypatch.setattr(account_rows, "_BULK_REBUILD_MIN", 100)
    before = {ix["name"] for ix in inspect(store.engine).get_indexes("accounts")}
    assert write_accounts(store, 300, seed=1) == 300
    assert {ix["name"] for ix in inspect(store.engine).get_indexes("accounts")} == before
    assert write_accounts(store, 300, seed=1) == 300  # not empty now: plain upserts
    assert count(store) == 300
