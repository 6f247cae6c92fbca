"""PostgreSQL for the benchmarks: a server to measure on, and demo databases on it, made once.

The server is ``COSELL_BENCH_PG_URL`` when set (any database on the server; the
benchmark makes its own databases beside it), else a private cluster the
benchmark starts with ``.ci/pg.sh`` (Unix socket only, fsync off: it holds
benchmark data only) under ``COSELL_BENCH_WORK`` (under root: in the temp dir,
which pg.sh's server user can reach) and stops at the end, keeping its data
directory (``WORK/pg-cluster.txt`` says where) so the next run does not fill it
again. When PostgreSQL is
not installed nothing is installed: ``Unavailable`` says so and B13 is reported
as not measured.

Databases are named after the size, the seed and the same schema fingerprint as
the SQLite cache (``workload.schema_fingerprint``), so newer code never measures
data made by older code; a database is made under a temporary name and renamed
when complete, so a fill that was stopped half-way is never taken for a cache.
The 100k database is filled by `cosell demo` itself (its time is reported); the
1M one is that database copied (``CREATE DATABASE … TEMPLATE``) with its deals
copied nine more times under fresh ids, in SQL: `cosell demo` at 1M deals would
take half an hour here, and a page + filter query only needs the deals table.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from benchmarks.workload import ROOT, WORK, Size, cosell_command, env, schema_fingerprint

PG_SH = ROOT / ".ci" / "pg.sh"
SERVER_OPTIONS = "-c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class Unavailable(Exception):
    """No PostgreSQL to measure on (not installed, psycopg missing, the server would not start)."""


@dataclass(frozen=True)
class Server:
    """A server, as a SQLAlchemy URL template: ``url(name)`` is database ``name`` on it."""

    base: str  # a SQLAlchemy URL of any database on the server

    def url(self, name: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.base).set(database=name).render_as_string(hide_password=False)

    def connect(self, dbname: str = "postgres", autocommit: bool = True):
        """A psycopg connection to ``dbname`` (autocommit by default: CREATE DATABASE needs it)."""
        import psycopg
        from sqlalchemy.engine import make_url

        u = make_url(self.base)
        kw = {k: v for k, v in (("host", dict(u.query).get("host") or u.host), ("port", u.port),
                                ("user", u.username), ("password", u.password)) if v}
        return psycopg.connect(dbname=dbname, autocommit=autocommit, **kw)


def _bash(script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", f'. "{PG_SH}"; {script}', "pg", *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout)


def bindir() -> str:
    """The PostgreSQL server binaries (``pg_bindir`` of .ci/pg.sh), or ``Unavailable``."""
    if not PG_SH.exists():
        raise Unavailable(f"{PG_SH} is missing")
    found = _bash("pg_bindir")
    if found.returncode != 0 or not found.stdout.strip():
        raise Unavailable("PostgreSQL is not installed (no initdb / pg_ctl; `apt-get install postgresql`, or set "
                          "COSELL_BENCH_PG_URL to a server)")
    return found.stdout.strip()


_START = """
bindir=$(pg_bindir) || exit 3
dir="$1"
if [ -n "$dir" ] && [ -d "$dir/data" ]; then
    _PG_OWNER=$(stat -c %U "$dir/data")
    if ! _pg_as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        _pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "-k $dir $2" start \
            >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    fi
    echo "$dir"
else
    TMPDIR="$3" pg_start >/dev/null || exit 1
    echo "$COSELL_PG_DIR"
fi
"""
_STOP = """
_PG_OWNER=$(stat -c %U "$1/data")
_pg_as_owner "$(pg_bindir)/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
"""


@contextmanager
def server() -> Iterator[Server]:
    """The server to measure on: ``COSELL_BENCH_PG_URL``, or a private cluster started (and stopped) here."""
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise Unavailable("psycopg is not installed (`pip install '.[pg]'`)") from exc
    given = os.environ.get("COSELL_BENCH_PG_URL")
    if given:
        yield Server(given)
        return
    bindir()
    WORK.mkdir(parents=True, exist_ok=True)
    record = WORK / "pg-cluster.txt"  # which cluster directory this work dir's databases live in
    known = record.read_text().strip() if record.exists() else ""
    # Under root the server runs as another user (pg.sh), who may not reach a work dir under /root.
    parent = tempfile.gettempdir() if os.geteuid() == 0 else str(WORK)
    started = _bash(_START, known, SERVER_OPTIONS, parent, timeout=180)
    cluster = started.stdout.strip().splitlines()[-1] if started.stdout.strip() else ""
    if started.returncode != 0 or not cluster:
        raise Unavailable(f"the PostgreSQL server did not start: {started.stderr.strip()[-300:]}")
    record.write_text(cluster + "\n")
    try:
        yield Server(f"postgresql+psycopg://cosell@/postgres?host={cluster}")
    finally:
        _bash(_STOP, cluster, timeout=120)


def _exists(conn, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def _drop(conn, name: str) -> None:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cached(srv: Server, stem: str, make) -> tuple[str, float | None]:
    """Database ``<stem>_<fingerprint>``, made by ``make(tmp_name)`` if missing (seconds returned);
    databases of the same stem made by other code are dropped."""
    name = f"{stem}_{schema_fingerprint()}"
    tmp = f"{stem}_tmp"
    with srv.connect() as conn:
        if _exists(conn, name):
            return srv.url(name), None
        old = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (stem + "\\_%",)).fetchall()
        for (other,) in old:
            if other.count("_") == name.count("_"):  # not a longer stem (bench_x_x10 of bench_x)
                _drop(conn, other)
        _drop(conn, tmp)
    started = time.perf_counter()
    make(tmp)
    elapsed = time.perf_counter() - started
    with srv.connect() as conn:
        conn.execute(f'ALTER DATABASE "{tmp}" RENAME TO "{name}"')
    return srv.url(name), elapsed


def demo_database(srv: Server, size: Size, seed: int = 1) -> tuple[str, float | None]:
    """The demo data of ``size`` on PostgreSQL, made by `cosell --db <url> demo` (same data as SQLite)."""
    def make(tmp: str) -> None:
        with srv.connect() as conn:
            conn.execute(f'CREATE DATABASE "{tmp}"')
        done = subprocess.run([*cosell_command(), "--db", srv.url(tmp), "demo", "--deals", str(size.deals),
                               "--accounts", str(size.accounts), "--seed", str(seed)], env=env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"`cosell demo` on PostgreSQL failed: {done.stderr.strip()[-300:]}")

    return _cached(srv, f"bench_{size.deals}_{size.accounts}_s{seed}", make)


def replicated_database(srv: Server, source_url: str, copies: int) -> tuple[str, float | None]:
    """The database at ``source_url`` with its deals ``copies`` times (fresh ids; teams, notes and
    history only for the originals), analysed: a bigger deals table with the demo's own mix."""
    from sqlalchemy.engine import make_url

    from model.store.tables import DealRecord

    source = make_url(source_url).database
    columns = [c.name for c in DealRecord.__table__.columns]
    names = ", ".join(f'"{c}"' for c in columns)
    fresh = ", ".join("md5(id || ':' || %(k)s)::uuid::text" if c == "id" else f'"{c}"' for c in columns)
    insert = f"INSERT INTO deals ({names}) SELECT {fresh} FROM originals"

    def make(tmp: str) -> None:
        with srv.connect() as conn:
            conn.execute(f'CREATE DATABASE "{tmp}" TEMPLATE "{source}"')
        with srv.connect(tmp, autocommit=False) as conn:
            originals = conn.execute("SELECT count(*) FROM deals").fetchone()[0]
            conn.execute("CREATE TEMP TABLE originals AS SELECT * FROM deals")
            # Secondary indexes are built once at the end: far faster than maintained row by row.
            indexes = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND "
                                   "tablename = 'deals' AND indexname <> 'deals_pkey'").fetchall()
            for index, _definition in indexes:
                conn.execute(f'DROP INDEX "{index}"')
            for k in range(1, copies):
                conn.execute(insert, {"k": str(k)})
            for _index, definition in indexes:
                conn.execute(definition)
            got = conn.execute("SELECT count(*) FROM deals").fetchone()[0]
            if got != originals * copies:
                raise RuntimeError(f"copied {got} deals, expected {originals * copies}")
            conn.commit()
        with srv.connect(tmp) as conn:
            conn.execute("VACUUM ANALYZE deals")

    return _cached(srv, f"{source.rsplit('_', 1)[0]}_x{copies}", make)
