"""Issue 11, "No traceback, ever": each bad input or broken environment, through the real
``cosell`` entry point in a subprocess, ends in one line naming the problem (the file, the
variable, the setting), a documented exit code (2 usage/environment, 4 refused input), no
Python traceback, and an unchanged database.

Read-only and unopenable files: CI runs as root, which ignores file modes, so those commands
run under ``setpriv`` with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped from the bounding set
(root then obeys the modes like any login; no other user needs Python access). A full disk is
a real one: a 600 KiB tmpfs mounted for the test (root only; skipped, with the reason, where
mounting is not allowed); the in-process variant in tests/integration/robustness fills the
database with SQLite's own ``max_page_count`` and always runs. Output to a full disk is
``/dev/full``.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

COSELL = str(Path(sys.executable).with_name("cosell"))
NOW = "2026-11-26T12:00:00Z"
SETPRIV = shutil.which("setpriv")


def run(*argv: str, env: dict | None = None, as_plain_user: bool = False, stdout=None, cwd=None):
    full = {**os.environ, "COSELL_NOW": NOW, **(env or {})}
    full.pop("COSELL_DATABASE_URL", None)
    cmd = [COSELL, *argv]
    if as_plain_user:
        cmd = [SETPRIV, "--bounding-set", "-dac_override,-dac_read_search", "--", *cmd]
    return subprocess.run(cmd, env=full, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=120, cwd=cwd)


def one_clean_line(proc, code: int, *needles: str) -> str:
    """The process exited ``code`` with one ``cosell:`` line on stderr containing every needle."""
    err = proc.stderr
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("cosell"), err
    for needle in needles:
        assert needle in lines[0], (needle, err)
    assert proc.returncode == code, (proc.returncode, err)
    return lines[0]


def refused_import(proc, *needles: str) -> None:
    """An import refusal: exit 4, "nothing was imported", the one problem on its own line, no traceback."""
    err = proc.stderr
    assert "Traceback" not in err, err
    assert proc.returncode == 4, err
    assert "nothing was imported" in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) <= 2, err  # "cannot import F: nothing was imported (1 problem):" + the problem
    for needle in needles:
        assert needle in err, (needle, err)


def digest(path: Path) -> str:
    """Everything stored, as SQL text (a read may checkpoint the file, which changes no content)."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)  # makes no -shm, takes no lock
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    proc = run("demo", "--db", str(path), "--deals", "30", "--accounts", "50")
    assert proc.returncode == 0, proc.stderr
    return path


@pytest.fixture
def db(demo_file, tmp_path) -> Path:
    """A private copy of the demo database (checkpointed: no -wal beside it)."""
    target = tmp_path / "cosell.db"
    shutil.copyfile(demo_file, target)
    return target


@pytest.fixture
def config(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(folder))
    for key in ("HOST", "PORT", "TLS", "FROM", "USERNAME", "PASSWORD", "TIMEOUT"):
        monkeypatch.delenv(f"COSELL_SMTP_{key}", raising=False)
    return folder / "config.toml"


def a_deal_id(db: Path) -> str:
    """An open outbound deal: adding a note to it is a write no rule refuses."""
    conn = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
    try:
        return conn.execute("SELECT id FROM deals WHERE tab = 'outbound' AND closed_at IS NULL "
                            "ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        conn.close()


# -- the database file ---------------------------------------------------------------------------

def test_db_pointing_at_a_directory(tmp_path):
    folder = tmp_path / "a-dir.db"
    folder.mkdir()
    one_clean_line(run("list", "--db", str(folder)), 2, str(folder), "directory")
    assert list(folder.iterdir()) == []


def test_a_database_with_garbage_over_its_header(db):
    with open(db, "r+b") as fh:
        fh.write(b"this is not a SQLite header at all!!")
    before = db.read_bytes()
    one_clean_line(run("--db", str(db), "list"), 2, str(db), "damaged")
    one_clean_line(run("--db", str(db), "favorite", "abcd"), 2, str(db), "damaged")
    assert db.read_bytes() == before


def test_a_database_with_damaged_pages(db):
    size = db.stat().st_size
    with open(db, "r+b") as fh:  # pages 3.. (the schema page survives, the tables' pages do not)
        fh.seek(4096 * 2)
        fh.write(bytes([0xA5]) * min(4096 * 20, size - 4096 * 2))
    before = db.read_bytes()
    for argv in (("list",), ("expiring", "--within", "48h"), ("export",)):
        one_clean_line(run("--db", str(db), *argv), 2, str(db), "damaged")
    assert db.read_bytes() == before


needs_setpriv = pytest.mark.skipif(SETPRIV is None, reason="setpriv (util-linux) is not installed")


@needs_setpriv
def test_a_read_only_database_file_reads_and_refuses_writes_in_one_line(db):
    deal = a_deal_id(db)
    before = digest(db)
    db.chmod(0o444)
    try:
        listed = run("--db", str(db), "list", "--json", as_plain_user=True)
        assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
        assert json.loads(listed.stdout)["total"] >= 1
        one_clean_line(run("--db", str(db), "note", deal, "hello", as_plain_user=True), 2, str(db), "read-only")
    finally:
        db.chmod(0o644)
    assert digest(db) == before


@needs_setpriv
def test_a_read_only_directory_reads_and_refuses_writes_in_one_line(db):
    deal = a_deal_id(db)
    before = digest(db)
    assert not Path(f"{db}-shm").exists()  # nobody has it open: SQLite could not make the -shm
    db.parent.chmod(0o555)
    try:
        shown = run("--db", str(db), "show", deal[:8], "--json", as_plain_user=True)
        assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr
        assert json.loads(shown.stdout)["id"] == deal
        one_clean_line(run("--db", str(db), "note", deal, "hello", as_plain_user=True), 2, str(db), "read-only")
    finally:
        db.parent.chmod(0o755)
    assert digest(db) == before


@needs_setpriv
def test_a_database_the_user_may_not_open(db):
    before = db.read_bytes()
    db.chmod(0o000)
    try:
        one_clean_line(run("--db", str(db), "list", as_plain_user=True), 2, str(db), "cannot be opened")
    finally:
        db.chmod(0o644)
    assert db.read_bytes() == before


@pytest.fixture
def tiny_disk(tmp_path):
    """A 600 KiB tmpfs: a disk that really fills up (root only)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or 'not root'}); "
                    "the in-process full-database test covers SQLITE_FULL")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _many_referrals(db: Path, tmp_path: Path, copies: int) -> Path:
    exported = run("--db", str(db), "export")
    assert exported.returncode == 0, exported.stderr
    records = json.loads(exported.stdout)["value"]
    out = []
    for n in range(copies):
        for record in records:
            record = json.loads(json.dumps(record))
            record["id"] = str(uuid.uuid4())
            record.get("cosell", {}).pop("version", None)
            out.append(record)
    path = tmp_path / "many.json"
    path.write_text(json.dumps(out))
    return path


def test_a_full_disk_during_an_import(db, tmp_path, tiny_disk):
    big = _many_referrals(db, tmp_path, copies=40)
    on_disk = tiny_disk / "full.db"
    shutil.copyfile(db, on_disk)
    before = digest(on_disk)
    proc = run("--db", str(on_disk), "import", str(big))
    one_clean_line(proc, 2, str(on_disk), "disk is full", "nothing was written")
    assert digest(on_disk) == before


def test_output_to_a_full_disk(db):
    with open("/dev/full", "w") as full:
        proc = run("--db", str(db), "list", "--json", stdout=full)
    one_clean_line(proc, 2, "cannot write the output", "No space left")


# -- import files ------------------------------------------------------------------------------

def test_import_of_deeply_nested_json(db, tmp_path):
    before = digest(db)
    for name, text in (("deep.json", "[" * 100_000 + "]" * 100_000),
                       ("deep-object.json", '{"value": ' + "[" * 100_000 + "]" * 100_000 + "}")):
        path = tmp_path / name
        path.write_text(text)
        refused_import(run("--db", str(db), "import", str(path)), name, "nested too deeply")
    assert digest(db) == before


def _one_exported_record(db: Path) -> dict:
    exported = run("--db", str(db), "export")
    return json.loads(exported.stdout)["value"][0]


def test_import_of_a_version_of_ten_to_the_thirty(db, tmp_path):
    record = _one_exported_record(db)
    record["id"] = str(uuid.uuid4())  # a new record: nothing to compare the version with
    record["cosell"]["version"] = 10 ** 30
    before = digest(db)
    for layout in ("list", "envelope"):
        path = tmp_path / f"v30-{layout}.json"
        path.write_text(json.dumps([record] if layout == "list" else {"value": [record]}))
        refused_import(run("--db", str(db), "import", str(path)), "record 1", "cosell.version", "too large")
    assert digest(db) == before


def test_import_of_a_record_that_is_a_bare_string(db, tmp_path):
    path = tmp_path / "strings.json"
    path.write_text('["hello"]')
    before = digest(db)
    refused_import(run("--db", str(db), "import", str(path)), "record 1", "must be an object")
    assert digest(db) == before


def test_import_of_utf16_text(db, tmp_path):
    path = tmp_path / "utf16.json"
    path.write_bytes(json.dumps([_one_exported_record(db)]).encode("utf-16"))
    before = digest(db)
    refused_import(run("--db", str(db), "import", str(path)), "UTF-16", "save it as UTF-8")
    assert digest(db) == before


def test_import_of_a_lone_surrogate_names_the_record_and_field(db, tmp_path):
    record = _one_exported_record(db)
    record["name"] = "Plain name"
    text = json.dumps([record]).replace('"Plain name"', '"Plain name"', 1)
    notes = json.dumps(record["details"]["notes"])
    text = text.replace(notes, '"broken \\ud800 half"', 1)
    path = tmp_path / "surrogate.json"
    path.write_text(text)
    before = digest(db)
    refused_import(run("--db", str(db), "import", str(path)), "record 1", "'Plain name'", "details.notes",
                   "lone surrogate")
    assert digest(db) == before


# -- the clock and settings ------------------------------------------------------------------

@pytest.mark.parametrize("value, words", [
    ("yesterday", "is not a date-time"),
    ("2026-13-45T99:00Z", "is not a date-time"),
    ("9999-12-31T23:59:59Z", "outside the years"),
    ("0001-01-01T00:00:00Z", "outside the years"),
])
def test_cosell_now_malformed_or_at_the_ends_of_time(db, value, words):
    before = digest(db)
    for argv in (("expiring", "--within", "48h"), ("sweep",), ("list",)):
        one_clean_line(run("--db", str(db), *argv, env={"COSELL_NOW": value}), 2, "COSELL_NOW", words)
    assert digest(db) == before


def test_a_duration_past_the_end_of_time(db):
    proc = run("--db", str(db), "expiring", "--within", "99999999999w")
    assert "Traceback" not in proc.stderr and proc.returncode == 2, proc.stderr
    assert "too long" in proc.stderr


@pytest.mark.parametrize("text, words", [
    ("smtp = 5\n", ["config.toml", "smtp must be a table"]),
    ('[smtp]\nhost = "mail.example.com"\nport = [1]\n', ["config.toml", "[smtp] port", "whole number"]),
    ('[smtp]\nhost = "mail.example.com"\nport = "many"\n', ["smtp port", "whole number"]),
    ('[smtp]\nhost = "mail.example.com"\nfrom = "a@b.com\\r\\nBcc: x@y.com"\n', ["smtp from", "line break"]),
    ("[smtp\n", ["config.toml", "not valid TOML"]),
])
def test_a_malformed_smtp_setting_is_named(db, config, text, words):
    config.write_text(text)
    before = digest(db)
    one_clean_line(run("--db", str(db), "notify"), 2, *words)
    assert digest(db) == before


# -- ids and the command line ----------------------------------------------------------------

def test_show_an_id_that_does_not_exist_is_exit_2(db):
    one_clean_line(run("--db", str(db), "show", "zzzz"), 2, "no deal with id 'zzzz'")


def test_global_options_work_after_the_command(tmp_path):
    target = tmp_path / "big.db"
    proc = run("demo", "--db", str(target), "--deals", "12", "--accounts", "20")
    assert proc.returncode == 0, proc.stderr
    assert target.exists() and not list(tmp_path.glob(".big.db.demo-*"))
    listed = run("list", "--tab", "closed", "--db", str(target), "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["tab"] == "closed"
    # before the command still works, and a nested command takes it too
    assert run("--db", str(target), "users", "list").returncode == 0
    assert run("users", "list", "--db", str(target)).returncode == 0


@pytest.mark.parametrize("url, words", [
    ("mysql://someone@db.example.com/crm", "cannot use this URL"),
    ("nonsense://", "cannot use this URL"),
    ("postgresql+psycopg://someone:s3cret@/cosell?host=/nonexistent-socket-dir", "failed: connection"),
])
def test_a_database_url_cosell_cannot_use(url, words):
    line = one_clean_line(run("--db", url, "list"), 2, words)
    assert "s3cret" not in line  # a password in the URL is never printed


@pytest.mark.parametrize("argv, words", [
    (("edit", "abcd", "--value", "1e400"), "too large"),
    (("edit", "abcd", "--value", "1e999999999999"), "too large"),  # decimal.Overflow, not InvalidOperation
    (("edit", "abcd", "--value", "NaN"), "is not a number"),
    (("edit", "abcd", "--value=-Infinity"), "too large"),
    (("list", "--limit", "99999999999999999999"), "too large"),
    (("list", "--offset", "99999999999999999999"), "too large"),
])
def test_numbers_past_what_can_be_stored_are_usage_errors(db, argv, words):
    before = digest(db)
    proc = run("--db", str(db), *argv)
    assert "Traceback" not in proc.stderr and proc.returncode == 2, proc.stderr
    assert words in proc.stderr
    assert digest(db) == before
