"""Run the real `cosell` executable as a user would, for the system tests in this folder.

Not a conftest.py (see ``cli_harness``): test modules import these by name. Each process gets
its own config and cache dir under the test's tmp_path and the clock pinned (COSELL_NOW).
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

COSELL = str(Path(sys.executable).with_name("cosell"))
NOW = "2026-11-26T12:00:00Z"


def process_env(tmp_path: Path) -> dict:
    """The process environment: no database named, settings and caches the test's own."""
    full = {**os.environ, "COSELL_NOW": NOW, "COSELL_CONFIG_DIR": str(tmp_path / "config"),
            "COSELL_CACHE_DIR": str(tmp_path / "cache")}
    for name in [n for n in full if n.startswith(("COSELL_SMTP_", "COSELL_PC_"))] + ["COSELL_DATABASE_URL"]:
        full.pop(name, None)
    return full


def run(env: dict, *argv: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([COSELL, *argv], env={**env, **extra}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=120)


def one_line(proc: subprocess.CompletedProcess, code: int) -> str:
    """The refusal's one stderr line: exit ``code``, nothing on stdout, no traceback."""
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert proc.stdout == "", proc.stdout
    return lines[0]


def demo_db(env: dict, path: Path, deals: int = 30) -> Path:
    """A demo database (the OS login running the tests is its admin)."""
    proc = run(env, "--db", str(path), "demo", "--deals", str(deals), "--accounts", "0")
    assert proc.returncode == 0, proc.stderr
    return path


def dump(path: Path) -> list[str]:
    """Every row of every table of a SQLite file: equal before and after means nothing changed."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
