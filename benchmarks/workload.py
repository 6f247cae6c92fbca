"""The data every benchmark runs on, generated with `cosell demo` and cached by size and seed."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Where cached databases live; ``COSELL_BENCH_WORK`` moves it (two checkouts or two people
#: benchmarking on one box must not delete each other's cached databases).
WORK = Path(os.environ.get("COSELL_BENCH_WORK") or ROOT / "benchmarks" / "work")
NOW = "2026-11-20T09:00:00+00:00"


@dataclass(frozen=True)
class Size:
    deals: int
    accounts: int

    @property
    def label(self) -> str:
        return f"{self.deals // 1000}k deals / {self.accounts // 1000}k accounts"


FULL = Size(100_000, 1_000_000)
QUICK = Size(10_000, 100_000)


def cosell_command() -> list[str]:
    """How to run `cosell`: the installed entry point beside this Python, else ``python -m cli.main``."""
    script = Path(sys.executable).with_name("cosell")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]


def env() -> dict:
    """The environment of every cosell process a benchmark starts: fixed clock, default settings."""
    config = WORK / "config"  # empty: default theme, columns and keymap, whatever the user's own file says
    config.mkdir(parents=True, exist_ok=True)
    e = dict(os.environ, COSELL_NOW=NOW, COSELL_CONFIG_DIR=str(config))
    for key in ("COSELL_DATABASE_URL", "COSELL_THEME", "COSELL_DEFAULT_TAB"):
        e.pop(key, None)
    return e


def admin_context(db: Path):
    """(store, Ctx) acting as the database's first admin at the benchmark's fixed time: sees every deal."""
    from sqlalchemy import select

    from model.clock import FixedClock, parse_instant
    from model.identity import resolve_user
    from model.services.context import Ctx
    from model.store import open_store
    from model.store.tables import UserRecord

    store = open_store(db)
    with store.read() as s:
        admin = s.scalar(select(UserRecord.login).where(UserRecord.role == "admin").order_by(UserRecord.login)
                         .limit(1))
    return store, Ctx(store=store, clock=FixedClock(parse_instant(NOW)), user=resolve_user(store, admin))


#: What decides a cached database's contents: the tables and indexes, the codec and bulk writer
#: that fill them, and the demo generator. The rest of the store (queries, paging, the sweep, the
#: engine's connections) reads or changes the data but not what a fresh fill holds, so editing it
#: does not cost a refill of every cached database (minutes on PostgreSQL at 1M deals).
_SHAPES_DATA = ("tables.py", "migrations.py", "codec.py", "bulk.py", "bulk_io.py", "backfill.py",
                "accounts.py", "catalogue.py", "sync_tables.py")


def schema_fingerprint() -> str:
    """Changes whenever the tables, what fills them or the demo generator change: a cached database
    made by older code (other indexes, other columns, other data) is never measured by newer code."""
    digest = hashlib.sha1()
    paths = [ROOT / "model/store" / name for name in _SHAPES_DATA] + sorted((ROOT / "data").glob("*.py"))
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def cached(stem: str, make) -> tuple[Path, float | None]:
    """``WORK/<stem>-<fingerprint>.db``, made by ``make(tmp_path)`` if missing (seconds taken returned);
    databases of the same stem made by other code are deleted."""
    WORK.mkdir(parents=True, exist_ok=True)
    fingerprint = schema_fingerprint()
    path = WORK / f"{stem}-{fingerprint}.db"
    if path.exists():
        return path, None
    for old in WORK.glob(f"{stem}-*.db*"):
        old.unlink()
    tmp = WORK / f"{stem}.tmp.db"
    for p in WORK.glob(tmp.name + "*"):
        p.unlink()
    started = time.perf_counter()
    make(tmp)
    elapsed = time.perf_counter() - started
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(tmp) + suffix)
        if src.exists():
            src.rename(Path(str(path) + suffix))
    return path, elapsed


def database(size: Size, seed: int = 1) -> tuple[Path, float | None]:
    """The demo database for ``size``, made by `cosell demo` (wall time returned when made now)."""
    def make(tmp: Path) -> None:
        subprocess.run([*cosell_command(), "--db", str(tmp), "demo", "--deals", str(size.deals),
                        "--accounts", str(size.accounts), "--seed", str(seed)], check=True, env=env(),
                       stdout=subprocess.DEVNULL)

    return cached(f"demo-{size.deals}-{size.accounts}-{seed}", make)
