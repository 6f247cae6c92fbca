"""A real PostgreSQL server with peer authentication, and real OS users to connect as.

The suite's own server (``.ci/pg.sh``) trusts every local connection, so who
connects there is whatever a URL says. Here the test starts a second small
cluster whose only local rule is ``peer`` (the OS login must be the role), makes
OS users with ``useradd`` and runs ``psql`` and ``cosell`` as each of them:
the row-level policies of ``model.store.rls`` are what stands between them.

Needs root (``useradd``, ``runuser``; the server runs as the ``postgres`` user)
and the server binaries; CI has both. ``cosell`` runs as a test user with
``runuser`` when that user can execute this virtualenv's interpreter; where it
cannot (an interpreter under a private home directory, as on a developer's
box) it runs in a forked child of this process that gives up root for the
user's uid and gid before it connects, which is exactly what the server's peer
check sees either way.
"""
from __future__ import annotations

import io
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

VENV_BIN = Path(sys.executable).parent
DB = "cosell"


def _run(cmd: list[str], *, timeout: float, **kw) -> subprocess.CompletedProcess:
    """``subprocess.run`` whose timeout also ends what ``runuser`` started (its own process group)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            **kw)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")
                                                                          if x.isdigit()])
    for candidate in reversed(found):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


def _skip_reason() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root: the test makes OS users (useradd) and connects as each (runuser)"
    if _bindir() is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql (.ci/pg.sh does)"
    if shutil.which("psql") is None or shutil.which("runuser") is None or shutil.which("useradd") is None:
        return "needs psql, runuser and useradd"
    return None


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class Cluster:
    root: Path
    owner: str

    @property
    def url(self) -> str:
        return f"postgresql+psycopg:///{DB}?host={self.root}"

    def psql(self, login: str, sql: str, *, user: str | None = None) -> Result:
        """``psql`` as OS user ``login`` over the socket (as role ``user``, default: the login)."""
        cmd = ["runuser", "-u", login, "--", "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
               "-h", str(self.root), "-d", DB, "-U", user or login, "-c", sql]
        r = _run(cmd, timeout=60, cwd="/", env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                                "HOME": str(self.root), "LC_ALL": "C"})
        return Result(r.returncode, r.stdout.strip(), r.stderr.strip())


def _runnable_by(login: str) -> bool:
    r = _run(["runuser", "-u", login, "--", str(VENV_BIN / "python"), "-c", "import cli.main"], timeout=60,
             cwd=os.getcwd())
    return r.returncode == 0


def _warm_imports() -> None:
    """Everything a forked child needs, imported while this process can still read the files (the
    interpreter, and a checkout under a private home directory): every module of ``cli``, ``model``
    and ``data``, the standard library's lazily imported ones, and the exchange rates."""
    import importlib
    import pkgutil

    import cli
    import data
    import model

    for package in (cli, model, data):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(info.name)
    for name in ("importlib.readers", "csv", "json", "email.message", "email.utils", "smtplib", "ssl", "uuid",
                 "zoneinfo", "tomllib", "decimal", "psycopg", "sqlalchemy.dialects.postgresql.psycopg",
                 "sqlalchemy.dialects.sqlite.pysqlite"):
        importlib.import_module(name)
    import cli.main
    from model.domain.rules import fx

    fx.rate("EUR", date(2026, 1, 1))  # loads data/fx_rates.csv once, in this process
    with tempfile.TemporaryDirectory() as scratch:
        for argv in (["list"], ["list", "--json"], ["show", "zzzz"], ["users", "list"], ["create", "--help"]):
            saved = sys.stdout, sys.stderr
            sys.stdout = sys.stderr = io.StringIO()
            try:
                cli.main.main(["--db", f"{scratch}/warm.db", *argv])
            except SystemExit:
                pass
            finally:
                sys.stdout, sys.stderr = saved


def _forked(login: str, home: Path, fn) -> Result:
    """Run ``fn()`` (returning an exit code) in a child that is ``login`` (uid, gid, no groups)."""
    pw = pwd.getpwnam(login)
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 70
        try:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
            sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
            os.setgroups([])
            os.setgid(pw.pw_gid)
            os.setuid(pw.pw_uid)
            os.environ.update(HOME=str(home), USER=login, LOGNAME=login)
            os.chdir("/")
            signal.alarm(120)  # bounded: a hung child dies of SIGALRM
            code = fn()
            code = 0 if code is None else int(code)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    _, status = os.waitpid(pid, 0)
    out.seek(0)
    err.seek(0)
    return Result(os.waitstatus_to_exitcode(status), out.read().decode(errors="replace").strip(),
                  err.read().decode(errors="replace").strip())


class Logins:
    """OS users made for the test (removed afterwards), and how to run cosell as one of them."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.made: list[str] = []
        self.homes = Path(tempfile.mkdtemp(prefix="cosell-rls-home."))
        os.chmod(self.homes, 0o755)
        self._runuser: bool | None = None
        self.runner = ""

    def make(self, stem: str) -> str:
        login = f"crls{stem}{os.getpid() % 100000}"
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group", login],
                       check=True, capture_output=True, timeout=30)
        self.made.append(login)
        self.home(login)
        return login

    def home(self, login: str) -> Path:
        """A HOME the login owns (config and data dirs), under a directory everyone can traverse."""
        home = self.homes / login
        if not home.exists():
            home.mkdir()
            pw = pwd.getpwnam(login)
            os.chown(home, pw.pw_uid, pw.pw_gid)
        return home

    def cosell(self, login: str, *argv: str, db: str | None = None) -> Result:
        """``cosell --db <url> ARGV`` as OS user ``login`` (``db=""``: no --db)."""
        url = self.cluster.url if db is None else db
        args = [*(["--db", url] if url else []), *argv]
        if self._runuser is None:
            self._runuser = _runnable_by(login)
            if not self._runuser:
                _warm_imports()
        self.runner = "runuser -u LOGIN -- cosell" if self._runuser else "a forked child with the login's uid/gid"
        if self._runuser:
            r = _run(["runuser", "-u", login, "--", str(VENV_BIN / "cosell"), *args], timeout=120, cwd="/",
                     env={"PATH": os.environ.get("PATH", ""), "HOME": str(self.homes / login), "LC_ALL": "C.UTF-8"})
            return Result(r.returncode, r.stdout.strip(), r.stderr.strip())
        import cli.main

        return _forked(login, self.homes / login, lambda: cli.main.main(args))

    def python(self, login: str, fn) -> Result:
        """Run ``fn()`` as OS user ``login`` (a forked child): for setting up data through the services."""
        return _forked(login, self.homes / login, fn)

    def cleanup(self) -> None:
        for login in self.made:
            subprocess.run(["userdel", login], capture_output=True, timeout=30)
        shutil.rmtree(self.homes, ignore_errors=True)


def _as_owner(owner: str, *cmd) -> subprocess.CompletedProcess:
    return _run(["runuser", "-u", owner, "--", *map(str, cmd)], timeout=120, cwd="/")


@pytest.fixture(scope="module")
def cluster():
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    bindir = _bindir()
    owner, made_owner = "postgres", False
    try:
        pwd.getpwnam(owner)
    except KeyError:
        owner, made_owner = "cosellpg", True
        subprocess.run(["useradd", "--system", "--no-create-home", owner], check=True, capture_output=True)
    root = Path(tempfile.mkdtemp(prefix="cosell-rls."))
    os.chmod(root, 0o755)  # the test users reach the socket in here
    shutil.chown(root, owner)
    try:
        r = _as_owner(owner, bindir / "initdb", "-D", root / "data", "-U", owner, "--auth-local=peer",
                      "--auth-host=reject", "-E", "UTF8", "--locale=C", "--no-sync")
        assert r.returncode == 0, r.stdout + r.stderr
        r = _as_owner(owner, bindir / "pg_ctl", "-D", root / "data", "-l", root / "server.log", "-w", "-t", "60",
                      "-o", f"-k {root} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                            "-c full_page_writes=off -c max_connections=40", "start")
        assert r.returncode == 0, r.stdout + r.stderr + (root / "server.log").read_text(errors="replace")
        r = _as_owner(owner, bindir / "createdb", "-h", root, DB)
        assert r.returncode == 0, r.stderr
        yield Cluster(root=root, owner=owner)
    finally:
        _as_owner(owner, bindir / "pg_ctl", "-D", root / "data", "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
        if made_owner:
            subprocess.run(["userdel", owner], capture_output=True)


@pytest.fixture(scope="module")
def logins(cluster):
    made = Logins(cluster)
    try:
        yield made
    finally:
        made.cleanup()
