"""`cosell import FILE` of a file that is not JSON (cut short mid-string or mid-object, or not
JSON at all) says so in one complete line, "nothing was imported: bad JSON at line L, column C:
<why>", where the line and column are the file's, and the why is a whole sentence (not the JSON
reader's "Unterminated string starting at", its position left dangling). Exit 2: it is the
input's problem, as a bad argument is; no rule judged anything (4 is for that). The database is
left exactly as it was.
"""
from __future__ import annotations

import re

import pytest

from cosell_process import demo_db, dump, one_line, process_env, run

LINE = re.compile(r"^cosell: cannot import (?P<file>\S+): nothing was imported: "
                  r"bad JSON at line (?P<line>\d+), column (?P<column>\d+): (?P<why>.+)$")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A demo database and its export (one referral a line, as `cosell export` writes)."""
    tmp_path = tmp_path_factory.mktemp("import-bad-json")
    env = process_env(tmp_path)
    db = demo_db(env, tmp_path / "team.db")
    exported = tmp_path / "all.json"
    assert run(env, "--db", str(db), "export", "-o", str(exported)).returncode == 0
    return env, db, exported.read_bytes(), tmp_path


def position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters, as JSON counts them) of byte ``offset``."""
    before = data[:offset].decode("utf-8")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def refused(workspace, name: str, content: bytes) -> re.Match:
    env, db, _, tmp_path = workspace
    path = tmp_path / name
    path.write_bytes(content)
    before = dump(db)
    line = one_line(run(env, "--db", str(db), "import", str(path)), 2)
    assert dump(db) == before  # not a deal, event, location or catalogue row more
    match = LINE.match(line)
    assert match, line
    why = match["why"]
    assert not why.rstrip(" .").endswith((" at", "starting at")), line  # a whole sentence, no dangling position
    assert why[-1].isalnum() or why[-1] in ".)", line
    return match


def test_cut_mid_string_points_at_the_string_that_never_ends(workspace):
    data = workspace[2]
    opening = data.index(b'"name":"', 500) + len(b'"name":')  # the quote that opens a deal's name
    match = refused(workspace, "cut-mid-string.json", data[:opening + 6])
    assert (int(match["line"]), int(match["column"])) == position(data, opening)
    assert "never closed" in match["why"] and "cut short" in match["why"]


def test_cut_inside_a_character_is_cut_short_too_not_a_wrong_encoding(workspace):
    # Cutting a UTF-8 file at any byte can land between the two bytes of a "ü" of a name: the file
    # is still UTF-8, only cut short (it was "not UTF-8 text", exit 4, before).
    data = workspace[2]
    lead = next(i for i, byte in enumerate(data) if byte >= 0xC0)  # the first byte of a multi-byte character
    opening = data.rindex(b'"', 0, lead)
    match = refused(workspace, "cut-mid-character.json", data[:lead + 1])
    assert (int(match["line"]), int(match["column"])) == position(data, opening)
    assert "never closed" in match["why"] and "cut short" in match["why"]


def test_cut_mid_object_is_bad_json_at_the_end_of_the_file(workspace):
    data = workspace[2]
    cut = data.index(b',"', 2_000) + 1  # right after a comma between two fields of a referral
    match = refused(workspace, "cut-mid-object.json", data[:cut])
    assert (int(match["line"]), int(match["column"])) == position(data, cut)
    assert "cut short" in match["why"]


def test_cut_after_a_whole_referral_is_bad_json_too(workspace):
    data = workspace[2]
    cut = data.index(b"}\n", 2_000) + 1  # a line of the export, whole, and then nothing
    match = refused(workspace, "cut-after-a-referral.json", data[:cut])
    assert int(match["line"]) == position(data, cut)[0]
    assert "cut short" in match["why"]


@pytest.mark.parametrize("text", ["hello, this is not JSON\n", "id,name,customer\n1,Contoso,Contoso AB\n"],
                         ids=["prose", "csv"])
def test_text_that_is_not_json_at_all(workspace, text):
    match = refused(workspace, "not-json.json", text.encode())
    assert (match["line"], match["column"]) == ("1", "1")
    assert "cut short" not in match["why"]  # the file is whole; it is just not JSON


def test_the_whole_export_still_imports(workspace):
    env, db, data, tmp_path = workspace
    (tmp_path / "whole.json").write_bytes(data)
    proc = run(env, "--db", str(db), "import", str(tmp_path / "whole.json"), "--json")
    assert proc.returncode == 0, proc.stderr
    assert '"unchanged": 30' in proc.stdout
