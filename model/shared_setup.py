"""One SQLite database for a whole team on one shared box (`cosell init --shared DIR --group G`).

Everyone in the team's Unix group must be able to write the database file and
the -wal and -shm files SQLite creates next to it, whichever teammate's process
creates them and whatever that teammate's umask. So:
- DIR is owned by group G with mode 2770: group members may create and delete
  files there (SQLite deletes -wal/-shm when the last connection closes), the
  setgid bit makes every new file belong to G, and nobody else gets in;
- the database file is created 0660 (``model.store.engine.prepare_sqlite_file``
  does this for any store opened in such a directory), and SQLite gives -wal and
  -shm the database file's mode.

That mode is for a team whose members trust each other: every group member can
read and change the file directly (``sqlite3``), whatever the app would let them
see (R1.3 is the app's alone there). ``prepare_postgres`` is the enforced mode: a
PostgreSQL database where each OS login is its own role (peer authentication)
and row-level security keeps other locations' deals invisible (``model.store.rls``).
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from model.domain.errors import CosellError
from model.store import users as user_rows

DIR_MODE = 0o2770
DB_NAME = "cosell.db"
#: What ``cosell init --shared`` and the README say about the SQLite mode.
TRUST_NOTE = ("every member of the group can read and change this file directly (sqlite3), "
              "so visibility by location (R1.3) is enforced by cosell only; for a team whose members "
              "must not see each other's deals use PostgreSQL: cosell init --shared --postgres URL")


class SetupError(CosellError):
    exit_code = 2


@dataclass(frozen=True)
class SharedSetup:
    directory: Path
    database: Path
    group: str
    gid: int
    members: tuple[str, ...]
    admin: str

    @property
    def url(self) -> str:
        return f"sqlite:///{self.database}"


def _group(name: str) -> tuple[str, int, tuple[str, ...]]:
    import grp

    try:
        entry = grp.getgrgid(int(name)) if name.isdigit() else grp.getgrnam(name)
    except (KeyError, ValueError):
        raise SetupError(f"no Unix group {name!r} on this machine (create it with groupadd, "
                         "and add the team with usermod -aG)") from None
    return entry.gr_name, entry.gr_gid, tuple(entry.gr_mem)


def prepare_shared(directory: str | os.PathLike, group: str, *, admin: str | None = None) -> SharedSetup:
    """Create (or fix) DIR and the database in it; the first admin is ``admin`` or the caller."""
    from model.identity import os_login, resolve_user
    from model.store import open_store
    from model.store.engine import keep_group_writable

    name, gid, members = _group(group)
    path = Path(directory).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not path.is_dir():
            raise SetupError(f"{path} exists and is not a directory")
        os.chown(path, -1, gid)
        os.chmod(path, DIR_MODE)
    except PermissionError as exc:
        raise SetupError(f"cannot give {path} to group {name!r}: {exc.strerror}. Run this as the directory's "
                         f"owner and a member of {name!r} (or as root)") from None
    database = path / DB_NAME
    store = open_store(database)
    try:
        for candidate in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            if candidate.exists() and candidate.stat().st_gid != gid:
                try:
                    os.chown(candidate, -1, gid)
                except PermissionError as exc:
                    raise SetupError(f"cannot give {candidate} to group {name!r}: {exc.strerror}") from None
        keep_group_writable(database)
        first = resolve_user(store, admin or os_login())
        if not first.is_admin:
            raise SetupError(f"{first.login} is already a user of {database} but not an admin")
        mark_initialised(store, f"cosell init --shared (group {name})")
    finally:
        store.dispose()
    return SharedSetup(directory=path, database=database, group=name, gid=gid, members=members,
                       admin=first.login)


@dataclass(frozen=True)
class PostgresSetup:
    url: str           #: what teammates use (no user name: peer authentication says who they are)
    admin: str
    problems: tuple[str, ...]  #: what in the server's configuration weakens the wall


def prepare_postgres(url: str, *, admin: str) -> PostgresSetup:
    """Create (or update) the schema, roles, grants and row-level policies; ``admin`` is the first admin.

    Runs as a PostgreSQL superuser (it creates roles); idempotent, so running it again after an
    upgrade re-applies policies and grants to every user's role.
    """
    from model.domain.enums import Role
    from model.domain.schemas import User
    from model.store import open_store, rls

    if not url.startswith("postgresql"):
        raise SetupError(f"--postgres needs a postgresql+psycopg:// URL, not {url!r}")
    store = open_store(url)
    try:
        with store.write() as session:
            try:
                rls.check_can_install(session)
                rls.install(session)
                first = user_rows.find_user(session, admin)
                if first is None:
                    first = user_rows.insert_user(session, User(
                        login=admin, display_name=admin, email=f"{admin}@localhost", phone="",
                        role=Role.ADMIN, location=None))
                elif not first.is_admin:
                    raise SetupError(f"{admin} is already a user of this database but not an admin")
                for user in user_rows.all_users(session):
                    rls.add_login(session, user.login)
            except rls.AccessSetupError as exc:
                raise SetupError(str(exc)) from None
            user_rows.mark_initialised(session, "cosell init --shared --postgres")
            problems = tuple(rls.peer_problems(session))
    finally:
        store.dispose()
    return PostgresSetup(url=rls.teammate_url(url), admin=admin, problems=problems)


def mark_initialised(store, how: str) -> None:
    """Record that a person set this database up for real use (``cosell init``), so a face
    never fills it with demo data on first open."""
    with store.write() as session:
        user_rows.mark_initialised(session, how)


def is_initialised(store) -> bool:
    with store.read() as session:
        return user_rows.is_initialised(session)


def check_modes(setup: SharedSetup) -> list[str]:
    """What is wrong with the modes now (empty when all is well); used by tests and `init`."""
    problems = []
    st = setup.directory.stat()
    if stat.S_IMODE(st.st_mode) != DIR_MODE or st.st_gid != setup.gid:
        problems.append(f"{setup.directory}: mode {stat.S_IMODE(st.st_mode):o}, gid {st.st_gid}; "
                        f"want {DIR_MODE:o}, gid {setup.gid}")
    for candidate in (setup.database, Path(f"{setup.database}-wal"), Path(f"{setup.database}-shm")):
        if not candidate.exists():
            continue
        st = candidate.stat()
        if (st.st_mode & 0o660) != 0o660 or st.st_gid != setup.gid:
            problems.append(f"{candidate}: mode {stat.S_IMODE(st.st_mode):o}, gid {st.st_gid}; "
                            f"want group {setup.gid} read-write")
    return problems


def crontab_lines(setup: SharedSetup, cosell: str) -> list[str]:
    """Lines for one teammate's crontab: expiry on time (R8.2) and notifications (R12)."""
    env = f"COSELL_DATABASE_URL={setup.url}"
    return [
        "# cosell: expire unanswered inbound deals on time and queue notifications (R8.2, R12)",
        f"*/10 * * * * {env} {cosell} sweep >/dev/null",
        "# cosell: send queued notifications as they come ...",
        f"*/5 * * * * {env} {cosell} notify >/dev/null",
        "# ... or instead, one digest per person each morning:",
        f"# 0 7 * * * {env} {cosell} notify --digest >/dev/null",
    ]
