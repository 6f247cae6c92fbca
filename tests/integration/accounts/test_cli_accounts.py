"""`cosell accounts import | search` (R4): import all or nothing, ranked search per tab."""
from __future__ import annotations

import json

import pytest

from cli.main import main
from data.accounts import write_accounts_csv

CSV = ("account_id,name,tab,linked_group,duns,city,country,macc,federal,parent_name\n"
       "M1,Contoso Ltd,managed,G1,,London,GB,true,false,\n"
       "M2,Contoso Limited,managed,G1,,Leeds,GB,false,false,\n"
       "M3,Department of Energy,managed,,,Washington,US,false,true,\n"
       "U1,Müller Maschinenbau GmbH,unmanaged,,,München,DE,false,false,\n"
       "O1,Veltrix Logistics Oy,other,,111111111,Helsinki,FI,false,false,Arvoni Group plc\n"
       "O2,VELTRIX LOGISTICS OY,other,,222222222,Helsinki,FI,false,false,\n"
       "O3,Department of Energy,other,,333333333,Washington,US,false,true,\n")


@pytest.fixture
def cosell(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("COSELL_DATABASE_URL", raising=False)
    db = str(tmp_path / "cli.db")

    def run(*argv: str):
        try:
            code = main(["--db", db, *argv])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def catalogue(tmp_path, cosell):
    path = tmp_path / "accounts.csv"
    path.write_text(CSV, encoding="utf-8")
    code, out, _ = cosell("accounts", "import", str(path))
    assert code == 0 and "imported 7 accounts" in out
    return path


def test_search_prints_ranked_rows_per_tab(cosell, catalogue):
    code, out, _ = cosell("accounts", "search", "Veltrx Logistcs")
    assert code == 0
    other = out.split("Other (DUNS)")[1]
    assert other.index("O1") < other.index("Helsinki, FI")
    assert "may be duplicate" in other  # R4.5
    assert "note: account cannot be changed after creation without support (R4.9)" in other
    assert "Microsoft Managed: 0 shown" in out


def test_search_collapses_linked_records(cosell, catalogue):
    code, out, _ = cosell("accounts", "search", "Contoso", "--tab", "managed")
    assert code == 0
    assert "Microsoft Managed: 1 shown of 1 matching" in out  # R4.3: one row
    assert "MACC" in out.split("\n", 2)[2]  # R4.7
    assert "Unmanaged" not in out


def test_search_json(cosell, catalogue):
    code, out, _ = cosell("accounts", "search", "department of energy", "--json")
    assert code == 0
    data = json.loads(out)
    managed = data["tabs"]["managed"][0]
    assert managed["account_id"] == "M3" and managed["federal"] is True
    assert managed["choosable"] is False and "R4.6" in managed["not_choosable_reason"]  # R4.6
    other = data["tabs"]["other"][0]
    assert other["account_id"] == "O3" and other["choosable"] is True
    assert data["notes"]["unmanaged"] == ["not eligible for IP co-sell deal registration (R4.4)"]
    contoso = json.loads(cosell("accounts", "search", "contoso", "--json", "--tab", "managed")[1])
    assert [a["account_id"] for a in contoso["tabs"]["managed"][0]["linked"]] in (["M1"], ["M2"])


def test_search_by_parent_location_limit_and_more(cosell, catalogue):
    out = cosell("accounts", "search", "Arvoni Group", "--tab", "other")[1]
    assert "O1" in out and "parent: Arvoni Group plc" in out  # R4.8
    assert "U1" in cosell("accounts", "search", "Mueller Maschinenbau", "--location", "Germany")[1]
    assert "U1" not in cosell("accounts", "search", "Mueller Maschinenbau", "--location", "FI")[1]
    out = cosell("accounts", "search", "Veltrix", "--tab", "other", "--limit", "1")[1]
    assert "Other (DUNS): 1 shown of 2 matching" in out
    assert "3 shown" not in cosell("accounts", "search", "Veltrix", "--tab", "other", "--limit", "1", "--more")[1]


def test_search_without_matches_suggests_more(cosell, catalogue):
    code, out, _ = cosell("accounts", "search", "zzqxwv")
    assert code == 0 and "try --more" in out


def test_data_text_is_printed_safely(cosell, catalogue, tmp_path):
    from model.store.accounts import upsert_rows
    from model.store import open_store

    store = open_store(tmp_path / "cli.db")  # a row written by another tool, escapes and all
    with store.write() as session:
        upsert_rows(session, [("O4", "Evil \x1b[31mRed\x1b[0m Corp", "other", None, None, None, None,
                               False, False, None)])
    store.dispose()
    out = cosell("accounts", "search", "Evil Red Corp")[1]
    assert "\x1b" not in out and "Evil [31mRed[0m Corp" not in out and "Evil Red Corp" in out


def test_import_rejects_a_bad_file_and_writes_nothing(cosell, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(CSV + "X1,Foo,sideways,,,,,,,\n", encoding="utf-8")
    code, out, err = cosell("accounts", "import", str(path))
    assert code == 4
    assert "line 9, field tab: 'sideways' is not one of managed, unmanaged, other" in err
    assert '"account_id": "M1"' not in cosell("accounts", "search", "Contoso", "--json")[1]


def test_import_generated_file(cosell, tmp_path):
    path = tmp_path / "gen.csv"
    write_accounts_csv(path, 300, seed=9)
    code, out, _ = cosell("accounts", "import", str(path))
    assert code == 0 and "imported 300 accounts" in out


def test_usage_errors(cosell, catalogue):
    assert cosell("accounts", "search", "x", "--limit", "0")[0] == 2
    assert cosell("accounts", "search", "x", "--tab", "sideways")[0] == 2
    code, _, err = cosell("accounts", "import", "/nonexistent/file.csv")
    assert code != 0
