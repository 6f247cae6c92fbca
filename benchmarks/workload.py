"""The data every benchmark runs on, generated with `cosell demo` and cached by size and seed."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

WORK = Path(__file__).resolve().parent / "work"
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


def env() -> dict:
    e = dict(os.environ, COSELL_NOW=NOW)
    e.pop("COSELL_DATABASE_URL", None)
    return e


def database(size: Size, seed: int = 1) -> tuple[Path, float | None]:
    """The demo database for ``size``, made by `cosell demo` (wall time returned when made now)."""
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"demo-{size.deals}-{size.accounts}-{seed}.db"
    if path.exists():
        return path, None
    tmp = path.with_suffix(".tmp.db")
    for p in WORK.glob(tmp.name + "*"):
        p.unlink()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cli.main", "--db", str(tmp), "demo", "--deals", str(size.deals),
                    "--accounts", str(size.accounts), "--seed", str(seed)], check=True, env=env(),
                   stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(tmp) + suffix)
        if src.exists():
            src.rename(Path(str(path) + suffix))
    return path, elapsed
