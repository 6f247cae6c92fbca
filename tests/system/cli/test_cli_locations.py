"""`cosell locations list` on demo data lists the locations its deals and users are in (R1.2),
with "-" for the mpnId none has yet; `locations add MPNID NAME` gives one its mpnId.

Found by a user: the list was empty on a demo database whose deals all have a location.
"""
from __future__ import annotations

import json

from cosell_process import demo_db, process_env, run


def test_the_demo_deals_locations_are_listed_and_can_be_given_an_mpnid(tmp_path):  # R1.2
    env = process_env(tmp_path)
    db = str(demo_db(env, tmp_path / "team.db"))
    exported = run(env, "--db", db, "export")
    assert exported.returncode == 0, exported.stderr
    used = {r["cosell"]["location"] for r in json.loads(exported.stdout)["value"]}
    assert len(used) > 1

    listed = run(env, "--db", db, "locations", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert used <= {r["name"] for r in rows}
    assert {r["mpn_id"] for r in rows} == {None}

    table = run(env, "--db", db, "locations", "list")
    assert table.returncode == 0 and table.stderr == ""
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["MPNID", "NAME", "CREATED", "BY"]
    assert ["-", "Sweden"] in [line.split() for line in lines[1:-1]]
    assert "cosell locations add MPNID NAME" in lines[-1]

    added = run(env, "--db", db, "locations", "add", "6115379", "Sweden")
    assert added.returncode == 0, added.stderr
    rows = json.loads(run(env, "--db", db, "locations", "list", "--json").stdout)
    assert [r["mpn_id"] for r in rows if r["name"] == "Sweden"] == ["6115379"]
    again = json.loads(run(env, "--db", db, "export").stdout)["value"]
    assert {r["cosell"]["location"] for r in again} == used  # no deal changed location
