"""`cosell demo`, `cosell export` and `cosell import` from a shell (through cli.main.main)."""
from __future__ import annotations

import csv
import io
import json

import pytest

from cli.main import main
from factories import NOW


@pytest.fixture
def cosell(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("COSELL_DATABASE_URL", raising=False)
    monkeypatch.setenv("COSELL_NOW", NOW.isoformat())

    def run(db, *argv):
        capsys.readouterr()
        try:
            code = main(["--db", str(tmp_path / db), *argv])
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_demo_then_export_then_import(cosell, tmp_path):
    code, out, _ = cosell("a.db", "demo", "--deals", "60", "--accounts", "500", "--seed", "4")
    assert code == 0 and "60 deals" in out and "500 accounts" in out
    code, out, _ = cosell("a.db", "export")
    assert code == 0
    doc = json.loads(out)
    assert doc["@odata.count"] == 60
    (tmp_path / "deals.json").write_text(out, encoding="utf-8")
    # An import looks the deals' customers, solutions and partners up in the catalogues (R4.11,
    # R6.5, R7.4): the second database gets the same ones (same seed), and no deals.
    code, out, _ = cosell("b.db", "demo", "--deals", "0", "--accounts", "500", "--seed", "4")
    assert code == 0 and "0 deals" in out and "500 accounts" in out
    code, out, _ = cosell("b.db", "import", str(tmp_path / "deals.json"))
    assert code == 0 and out.startswith("imported 60 referrals") and "60 new" in out
    code, out, _ = cosell("b.db", "import", str(tmp_path / "deals.json"), "--json")
    assert code == 0 and json.loads(out) == {"created": 0, "updated": 0, "unchanged": 60, "registrations": 0,
                                             "notified": 0}
    code, again, _ = cosell("b.db", "export")
    assert again == (tmp_path / "deals.json").read_text(encoding="utf-8")


def test_export_tab_and_csv(cosell, tmp_path):
    cosell("a.db", "demo", "--deals", "40", "--accounts", "0")
    code, out, _ = cosell("a.db", "export", "--tab", "closed", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0][:3] == ["id", "name", "customer"] and len(rows) > 1
    assert {r[rows[0].index("status")] for r in rows[1:]} == {"Closed"}
    code, _, err = cosell("a.db", "export", "--output", str(tmp_path / "x.json"))
    assert code == 0 and "exported 40 referrals" in err
    assert json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))["@odata.count"] == 40
    code, _, err = cosell("a.db", "export", "--output", str(tmp_path / "no" / "such" / "dir.json"))
    assert code == 2 and "cannot write" in err


def test_a_bad_file_exits_4_and_writes_nothing(cosell, tmp_path):
    cosell("a.db", "demo", "--deals", "10", "--accounts", "0")
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "1a2b3c4d5e", "name": "Contoso \\u001b[31mred", "details": {"dealValue": -1}}]')
    code, out, err = cosell("a.db", "import", str(bad))
    assert code == 4 and out == ""
    assert "record 1 (id 1a2b3c4d…, 'Contoso \\x1b[31mred'): details.dealValue: must be ≥ 0" in err
    assert "\x1b" not in err
    code, out, _ = cosell("a.db", "export")
    assert json.loads(out)["@odata.count"] == 10
    code, _, err = cosell("a.db", "import", str(tmp_path / "missing.json"))
    assert code == 4 and "cannot read" in err


def test_demo_refuses_a_database_with_deals_and_bad_numbers(cosell):
    cosell("a.db", "demo", "--deals", "3", "--accounts", "0")
    code, _, err = cosell("a.db", "demo", "--deals", "3")
    assert code == 2 and "already holds 3 deals" in err
    code, _, err = cosell("b.db", "demo", "--deals", "-1")
    assert code == 2 and "must not be negative" in err
