"""Drives `cosell` in-process: ``cosell("list", "--json")`` → (exit code, stdout, stderr).

Not a conftest.py on purpose: the root conftest is imported as the module
``conftest`` (tests/ is no package), so a second conftest here would make every
``from factories import ...`` in the suite depend on collection order. Test
modules import the fixtures below by name instead; the root helpers are loaded
from their file under a name of their own.
"""
from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from cli.main import main
from model.clock import FixedClock
from model.services.context import Ctx
from model.store import open_store

import factories as root
from shared_support import seed_catalogue

NOW = root.NOW
ADMIN = root.ADMIN
make_draft, make_inbound, managed_customer = root.make_draft, root.make_inbound, root.managed_customer
AZURE_APP, PLAIN_APP, ASSESSMENT, TEAM = root.AZURE_APP, root.PLAIN_APP, root.ASSESSMENT, root.TEAM


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def db(tmp_path, request) -> Path | str:
    """A SQLite file, or (COSELL_TEST_DATABASE_URL set) the emptied PostgreSQL database."""
    url = os.environ.get("COSELL_TEST_DATABASE_URL")
    if url:
        request.getfixturevalue("store")  # the root fixture empties it for this test
        return url
    return tmp_path / "cli.db"


@pytest.fixture
def sctx(db):
    """Services on the database the CLI opens (as ADMIN, at NOW), to set the scene; the store
    holds the reference catalogues (``seed_catalogue``)."""
    store = open_store(db)
    # The OS login running the CLI is this database's first user (its admin), as on first use:
    # a database that already holds deals but no users makes nobody admin.
    from model.identity import resolve_user

    resolve_user(store)
    seed_catalogue(store)
    yield Ctx(store=store, clock=FixedClock(NOW), user=ADMIN)
    store.dispose()


@pytest.fixture
def cosell(db, monkeypatch, capsys):
    """Run one command at NOW (or ``at=``); argparse's usage errors come back as exit code 2."""
    monkeypatch.delenv("COSELL_DATABASE_URL", raising=False)

    def run(*argv: str, at: datetime | None = None) -> Result:
        monkeypatch.setenv("COSELL_NOW", (at or NOW).isoformat())
        capsys.readouterr()
        try:
            code = main(["--db", str(db), *argv])
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run
