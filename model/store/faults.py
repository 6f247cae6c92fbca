"""What goes wrong with the database file itself, said in one line that names the file.

A database that is a directory, is damaged, read-only for this login, on a full disk or not
reachable is the environment's problem, not a bug: every face shows one line and the CLI exits
2 (``DatabaseUnavailable.exit_code``), nothing written. ``translate`` turns the driver's
exception into that line; ``Store`` applies it around every transaction.

A SQLite file deleted or replaced while a write runs would take the write with it (the
connection keeps writing to the unlinked or overwritten file, and the import reports success).
``same_database`` is checked just before every commit: the file at the path is still the one
this connection opened (device and inode, recorded when it connected) and still carries the
same random ``database_id`` (``meta``) in its main file, so a file copied over the old one in
place is caught too.
"""
from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

from sqlalchemy.exc import DatabaseError, DBAPIError, IntegrityError, OperationalError

from model.domain.errors import CosellError

DATABASE_ID = "database_id"


class DatabaseUnavailable(CosellError):
    """The database cannot be used as asked: one line naming the file (or server) and why."""

    exit_code = 2


class DatabaseReplaced(DatabaseUnavailable):
    """The file was deleted or replaced during a write; the write was rolled back."""


def new_database_id() -> str:
    return uuid.uuid4().hex


def where(url: str, path: Path | None) -> str:
    """The database as a person names it: the file, or the URL without its password."""
    if path is not None:
        return str(path)
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given
        return url


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL opens; None for a server URL or an in-memory database."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("sqlite:///", 1)[-1].split("?", 1)[0] if "sqlite:///" in url else ""
    return Path(path) if path and path != ":memory:" and not path.startswith("file:") else None


def check_sqlite_path(path: Path) -> None:
    """Refuse a path that cannot be a database file before SQLite says "unable to open"."""
    if path.is_dir():
        raise DatabaseUnavailable(f"{path} is a directory, not a database file: give the file "
                                  f"(e.g. {path / 'cosell.db'})")
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise DatabaseUnavailable(f"{path}: {parent} is not a directory")


def needs_immutable(path: Path) -> bool:
    """An existing file that can only be read as immutable: its directory is not writable for this
    login (no -wal/-shm can be made) and no -shm exists (nobody has it open in WAL mode)."""
    if not path.exists() or os.access(path.parent, os.W_OK):
        return False
    return not Path(f"{path}-shm").exists() and os.access(path, os.R_OK)


def is_database_fault(exc: BaseException) -> bool:
    """An error of the database or its file (not a constraint the code handles itself)."""
    if isinstance(exc, IntegrityError):
        return False
    return isinstance(exc, (OperationalError, DatabaseError)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)


def translate(exc: BaseException, name: str) -> DatabaseUnavailable:
    """The one line for a driver error on database ``name``."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    low = text.lower()
    if "not a database" in low or "malformed" in low or "disk image" in low:
        why = ("is damaged or not a cosell database (SQLite: " + text + "); nothing was changed: "
               "restore it from a backup or point --db at another file")
    elif "readonly" in low or "read-only" in low:
        why = (f"is read-only for {_login()} (SQLite: {text}): reading works, changes need write access "
               "to the file and its directory")
    elif "full" in low:
        why = f"cannot be written: the disk is full (SQLite: {text}); nothing was written"
    elif "unable to open" in low or "cannot open" in low:
        why = (f"cannot be opened by {_login()} (SQLite: {text}): check that the file and its directory "
               "exist and that you may read (and, to change anything, write) them")
    elif "locked" in low or "busy" in low:
        why = f"stayed busy for minutes (another process holds a long write: {text}); nothing was written"
    elif "i/o" in low:
        why = f"cannot be read or written (disk I/O error: {text}); nothing was written"
    else:
        why = f"failed: {text}"
    return DatabaseUnavailable(f"database {name} {why}")


def _login() -> str:
    from model.identity import os_login

    try:
        return f"OS login {os_login()!r}"
    except Exception:  # noqa: BLE001
        return "you"


# -- the same file, start to commit ----------------------------------------------------------

def file_identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def database_id_in_file(path: Path) -> str | None:
    """The ``database_id`` in the main file at ``path`` as it is on disk now, ignoring the -wal
    (``immutable``): a file copied over the old one shows its own id even while the old
    content's WAL frames are still beside it. None when the file does not say (a new database
    whose id is still only in the WAL)."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (DATABASE_ID,)).fetchone()
    except sqlite3.OperationalError:  # no meta table in the main file yet
        return None
    finally:
        conn.close()
    return row[0] if row else None


#: The id last read cleanly from each main file, with the file's stat then: while the stat is the
#: same (device, inode, size, mtime, ctime) the file was not written, so neither was its id, and
#: opening it again (a new connection parsing the schema, most of a commit's check) is skipped.
_ID_SEEN: dict[Path, tuple[tuple, str]] = {}


def same_database(path: Path, opened: tuple[int, int] | None, our_id: str | None) -> None:
    """Raise ``DatabaseReplaced`` unless the file at ``path`` is the one this connection writes."""
    try:
        st = os.stat(path)
    except OSError:
        st = None
    now = None if st is None else (st.st_dev, st.st_ino)
    replaced = now is None or (opened is not None and now != opened)
    if not replaced and our_id is not None:
        sig = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        seen = _ID_SEEN.get(path)
        if seen is not None and seen[0] == sig:
            found = seen[1]
        else:
            try:
                found = database_id_in_file(path)
            except sqlite3.DatabaseError:
                # A page torn by another process's checkpoint (an immutable read takes no lock), or
                # not a database any more: only a different id, read cleanly, says "replaced".
                found = None
            if found is not None:
                _ID_SEEN[path] = (sig, found)
        replaced = found is not None and found != our_id
    if replaced:
        gone = "deleted" if now is None else "replaced"
        raise DatabaseReplaced(f"database {path} was {gone} while cosell was writing to it; "
                               "nothing was written (run the command again on the file that is there now)")
