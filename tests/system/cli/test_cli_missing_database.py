"""A command that only reads, on a SQLite file named by ``--db`` or ``COSELL_DATABASE_URL`` that
does not exist, is refused: one line naming the path, exit 2, and nothing is created (no file,
no directory). Otherwise a mistyped path in a cron line (``cosell --db /srv/cosel/typo.db
expiring``) would be a new empty database that answers "nothing expiring" for ever. Writing
commands still create their database, and the default database is still made on first use.

Real processes, so "nothing created" covers every file and directory the command could make.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

COSELL = str(Path(sys.executable).with_name("cosell"))
NOW = "2026-11-26T12:00:00Z"

READS = [
    ("list",),
    ("expiring", "--within", "48h"),
    ("show", "6c3c"),
]
OTHER_READS = [
    ("export",),
    ("export", "--format", "csv"),
    ("stats",),
    ("accounts", "search", "contoso"),
    ("locations", "list"),
    ("users", "list"),
]


@pytest.fixture
def env(tmp_path) -> dict:
    """The process environment: no database named, caches and settings out of the way."""
    full = {**os.environ, "COSELL_NOW": NOW, "COSELL_CONFIG_DIR": str(tmp_path / "config"),
            "COSELL_CACHE_DIR": str(tmp_path / "cache")}
    full.pop("COSELL_DATABASE_URL", None)
    return full


def run(env: dict, *argv: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([COSELL, *argv], env={**env, **extra}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=120)


def everything_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


def refused_naming(proc: subprocess.CompletedProcess, path: Path) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"cosell: no database at {path} "), proc.stderr
    assert "cosell init" in lines[0], proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stdout == "", proc.stdout  # not "no deals", not "nothing expiring"


@pytest.mark.parametrize("argv", READS, ids=[a[0] for a in READS])
@pytest.mark.parametrize("where", ["missing file", "missing directory"])
def test_a_read_on_a_database_that_is_not_there_is_refused_and_creates_nothing(env, tmp_path, argv, where):
    place = tmp_path / "srv"
    place.mkdir()
    path = place / "typo.db" if where == "missing file" else place / "cosel" / "deep" / "typo.db"
    proc = run(env, "--db", str(path), *argv)
    refused_naming(proc, path)
    assert everything_under(place) == []  # no file, no -wal/-shm, no directory
    # --db after the command names the same file
    refused_naming(run(env, *argv, "--db", str(path)), path)
    assert everything_under(place) == []


@pytest.mark.parametrize("argv", READS, ids=[a[0] for a in READS])
def test_cosell_database_url_naming_a_missing_file_is_refused_too(env, tmp_path, argv):
    path = tmp_path / "srv" / "cosel" / "typo.db"
    proc = run(env, *argv, COSELL_DATABASE_URL=f"sqlite:///{path}")
    refused_naming(proc, path)
    assert not (tmp_path / "srv").exists()


@pytest.mark.parametrize("argv", OTHER_READS, ids=[" ".join(a) for a in OTHER_READS])
def test_every_other_command_that_only_reads_is_refused_too(env, tmp_path, argv):
    path = tmp_path / "nowhere" / "x.db"
    refused_naming(run(env, "--db", str(path), *argv), path)
    assert not (tmp_path / "nowhere").exists()
    assert not (tmp_path / "cache").exists()  # `accounts search` built no index either


def test_a_writing_command_still_creates_its_database(env, tmp_path):
    path = tmp_path / "new" / "dir" / "team.db"
    proc = run(env, "--db", str(path), "init")
    assert proc.returncode == 0, proc.stderr
    assert path.is_file() and "database ready" in proc.stdout
    # and from then on the reads open it as before
    listed = run(env, "--db", str(path), "expiring", "--within", "48h")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("no received inbound deal expires within")


def test_the_default_database_is_still_created_on_first_use(env, tmp_path):
    data = tmp_path / "xdg-data"
    proc = run(env, "list", XDG_DATA_HOME=str(data), HOME=str(tmp_path / "home"))
    assert proc.returncode == 0, proc.stderr
    assert (data / "cosell" / "cosell.db").is_file()
