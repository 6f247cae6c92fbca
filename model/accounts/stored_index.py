"""The customer-search index built once per catalogue state and stored, not rebuilt per process (B10).

Where: ``$COSELL_CACHE_DIR/search-index/`` (default: the user cache dir,
``~/.cache/cosell/search-index``), one file per database, named by the
database's id in ``meta``. Each login keeps its own copy by default (a 0700
directory, 0600 files): an index is a file every later search trusts, and a
per-user cache means nobody else's process can hand yours one; the price is
one build per login per catalogue change. A cache directory prepared like a
shared database's (setgid, group-writable: point ``COSELL_CACHE_DIR`` at one)
gets group-writable files instead, so teammates use and rebuild one copy.

When: the file records what it was built from (``index_key``: the database's
id, the accounts' count, largest id and version token, the normalisation
rules, the file format). A file built from anything else is stale and is never
used as current: the CLI rebuilds before answering; the dashboard
(``StoredMatcher``) keeps searching the older index of the same database while
a new one is built in a separate process (no GIL held and no build-time memory
in the dashboard), then switches. A damaged file is rebuilt like a missing one.
Builders take a lock file first, so two processes that find the index stale
build it once; the file itself is always replaced whole (``index_file``).
"""
from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from model.accounts.index import Index, IndexBuilder
from model.accounts.index_file import FORMAT, IndexFileInvalid, read_index, write_index
from model.accounts.matcher import AccountMatcher
from model.accounts.normalize import NORMALIZATION_VERSION

log = logging.getLogger("cosell.search_index")  # the dashboard writes "cosell.*" to its log file

SUBDIR = "search-index"
RECHECK_SECONDS = 30.0     # how often the dashboard asks whether the catalogue changed
LOCK_WAIT_SECONDS = 900.0  # longer than any build: then build anyway
BUILD_TIMEOUT_SECONDS = 1800.0
PRUNE_AFTER_DAYS = 30      # an index of another database not used for this long is deleted
CHILD_BUILD_MIN = 50_000   # accounts from which a build moves to a child process (a small one is quicker here)
_URL_ENV, _FILE_ENV = "COSELL_INDEX_DATABASE_URL", "COSELL_INDEX_FILE"


def cache_directory() -> Path:
    """``$COSELL_CACHE_DIR/search-index``, else the platform's user cache dir for cosell."""
    override = os.environ.get("COSELL_CACHE_DIR")
    if override:
        return Path(override).expanduser() / SUBDIR
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("cosell", appauthor=False)) / SUBDIR


def index_key(session) -> dict:
    """What an index built now from ``session``'s database would be built from."""
    from model.store.accounts import catalogue_state

    return {"format": FORMAT, "normalization": NORMALIZATION_VERSION, **catalogue_state(session)}


def current_key(store) -> dict:
    with store.read() as session:
        return index_key(session)


def index_path(directory: Path, key: dict) -> Path:
    """One file per database (its id; anything odd in a hand-edited id is replaced)."""
    ident = re.sub(r"[^0-9A-Za-z_-]", "_", str(key.get("database_id") or "unknown"))[:64]
    return directory / f"accounts-{ident}.idx"


def _file_mode(directory: Path) -> int:
    from model.store.engine import SHARED_FILE_MODE, is_shared_dir

    return SHARED_FILE_MODE if is_shared_dir(directory) else 0o600


def _storable(store) -> bool:
    """An in-memory database has no lasting identity worth a file."""
    return not (store.is_sqlite and store.sqlite_path is None)


def build_index(store) -> tuple[Index, dict]:
    """Read every account (one streamed SELECT) into a new index; the key is read first, so rows
    changed while building make the index look older than it is, never newer."""
    from model.store.accounts import index_rows

    with store.read() as session:
        key = index_key(session)
        stored = key.get("norm_version")
        renormalise = stored is not None and str(stored) != str(NORMALIZATION_VERSION)
        builder = IndexBuilder()
        for part in index_rows(session, renormalise=renormalise):
            builder.add(part)
    return builder.finish(), key


def _save(ix: Index, key: dict, path: Path) -> bool:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_index(ix, path, key, mode=_file_mode(path.parent))
    except OSError as exc:  # a full disk or a read-only cache: search still works, from memory
        log.warning("search index not stored in %s: %s", path.parent, exc.strerror or exc)
        return False
    prune(path.parent, keep=path)
    return True


def _used(path: Path) -> None:
    """Note that the index was used (its mtime), so ``prune`` keeps it."""
    try:
        os.utime(path)
    except OSError:  # a teammate's file in a shared cache: theirs to note
        pass


def prune(directory: Path, *, keep: Path, now: float | None = None) -> list[Path]:
    """Delete indexes of other databases unused for ``PRUNE_AFTER_DAYS`` days, and temporary files a
    killed writer left (older than a day): a cache that only grows would fill the disk."""
    now = time.time() if now is None else now
    gone = []
    for candidate, age in [(p, PRUNE_AFTER_DAYS * 86400) for p in directory.glob("accounts-*.idx")] + \
            [(p, 86400) for p in directory.glob(".accounts-*.tmp")]:
        try:
            if candidate != keep and now - candidate.stat().st_mtime > age:
                candidate.unlink()
                gone.append(candidate)
        except OSError:
            continue
    return gone


@contextmanager
def _build_lock(path: Path, clock: Callable[[], float] = time.monotonic) -> Iterator[None]:
    """One builder per index file at a time, across processes (an flock beside the file).

    Waiting is bounded: a builder stuck elsewhere delays this one at most ``LOCK_WAIT_SECONDS``.
    Without a lock (no fcntl, or the directory cannot be written) building just goes ahead.
    """
    try:
        import fcntl

        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # read-only is enough for flock, so a teammate's lock file in a shared cache serves too
        fd = os.open(path.with_name(path.name + ".lock"), os.O_CREAT | os.O_RDONLY, _file_mode(path.parent))
    except (ImportError, OSError):
        yield
        return
    try:
        deadline = clock() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if clock() > deadline:
                    break
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def load_or_build(store, directory: Path | None = None) -> tuple[Index, dict]:
    """The index of ``store``'s catalogue as it is now: the stored file if it is current and
    whole, else built (once, under the lock) and stored for the next process."""
    key = current_key(store)
    if not _storable(store):
        return build_index(store)
    path = index_path(directory or cache_directory(), key)
    try:
        found = read_index(path, key)
        _used(path)
        return found
    except IndexFileInvalid as why:
        log.info("search index %s: %s; rebuilding", path, why)
    with _build_lock(path):
        try:  # another process may have built it while this one waited
            return read_index(path, current_key(store))
        except IndexFileInvalid:
            pass
        ix, key = build_index(store)
        _save(ix, key, index_path(path.parent, key))
        return ix, key


def open_matcher(store, directory: Path | None = None) -> AccountMatcher:
    """A matcher over the current catalogue, from the stored index when it is current (the CLI's)."""
    ix, _key = load_or_build(store, directory)
    return AccountMatcher.from_index(ix, store)


class StoredMatcher:
    """The dashboard's matcher: the stored index, kept in step with the catalogue without waiting.

    ``current()`` answers at once once something is loaded. Every ``RECHECK_SECONDS``
    (or on ``refresh()``) a background thread compares the catalogue's key with the
    index's; if they differ a new index is built in a separate process
    (``python -m model.accounts.stored_index``) and swapped in when it is done; searches
    meanwhile use the older index (its hits' details are read from the database,
    so a deleted account never shows). Safe to share between threads.
    """

    def __init__(self, store, *, directory: Path | None = None, separate_process: bool = True,
                 recheck_after: float = RECHECK_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.store = store
        self.directory = directory or cache_directory()
        self.separate_process = separate_process and _storable(store) and not getattr(store, "read_only", False)
        self.recheck_after = recheck_after
        self.clock = clock
        self._lock = threading.Lock()
        self._matcher: AccountMatcher | None = None
        self._key: dict | None = None
        self._checked = 0.0
        self._worker: threading.Thread | None = None
        self.builds = 0           # indexes built for this process (in it or in a child process)
        self.last_error: str | None = None

    # -- what searches use -------------------------------------------------------------
    def current(self) -> AccountMatcher:
        """The matcher to search now; blocks (call it from a worker) only while nothing is loaded yet."""
        matcher = self._matcher
        if matcher is None:
            with self._lock:
                if self._matcher is None:
                    self._open()
                matcher = self._matcher
        elif self.clock() - self._checked >= self.recheck_after:
            self.refresh()
        return matcher

    def search(self, *args, **kwargs):
        return self.current().search(*args, **kwargs)

    def __len__(self) -> int:
        return len(self.current())

    @property
    def nbytes(self) -> int:
        return self.current().nbytes

    @property
    def key(self) -> dict | None:
        return self._key

    @property
    def rebuilding(self) -> bool:
        worker = self._worker
        return worker is not None and worker.is_alive()

    # -- keeping it current ------------------------------------------------------------
    def refresh(self) -> None:
        """Check the catalogue in a background thread; rebuild there if the index is stale."""
        with self._lock:
            self._checked = self.clock()
            if self.rebuilding or self._matcher is None:
                return
            self._worker = threading.Thread(target=self._check, name="customer index check", daemon=True)
            self._worker.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a check or rebuild in progress (tests, benchmarks); True if none is left."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
        return not self.rebuilding

    def _open(self) -> None:
        """First use: the stored index if current; an older one of this database while a new one
        is built; else build now (the caller is a worker thread waiting for its first search)."""
        key = current_key(self.store)
        path = index_path(self.directory, key)
        self._checked = self.clock()
        if _storable(self.store):
            try:
                ix, built_from = read_index(path)
                if not isinstance(built_from, dict) or built_from.get("database_id") != key["database_id"]:
                    raise IndexFileInvalid("built from another database")
            except IndexFileInvalid as why:
                log.info("search index %s: %s", path, why)
            else:
                self._install(ix, built_from)
                _used(path)
                if built_from != key:
                    self._worker = threading.Thread(target=self._rebuild, args=(key,), daemon=True,
                                                    name="customer index rebuild")
                    self._worker.start()
                return
        self._install(*self._build(key))

    def _install(self, ix: Index, key: dict) -> None:
        self._matcher, self._key = AccountMatcher.from_index(ix, self.store), key

    def _check(self) -> None:
        try:
            key = current_key(self.store)
            if key != self._key:
                self._rebuild(key)
        except Exception as exc:  # noqa: BLE001 - the old index keeps serving; said in the log
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.warning("customer index check failed: %s", self.last_error)

    def _rebuild(self, key: dict) -> None:
        try:
            ix, built_from = self._build(key)
        except Exception as exc:  # noqa: BLE001 - as in _check
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.warning("customer index rebuild failed: %s", self.last_error)
            return
        with self._lock:
            self._install(ix, built_from)

    def _build(self, key: dict) -> tuple[Index, dict]:
        if not _storable(self.store):
            self.builds += 1
            return build_index(self.store)
        path = index_path(self.directory, key)
        with _build_lock(path):
            try:
                return read_index(path, current_key(self.store))  # built meanwhile by someone else
            except IndexFileInvalid:
                pass
            self.builds += 1
            if self.separate_process and int(key.get("count") or 0) >= CHILD_BUILD_MIN and self._build_in_child(path):
                try:
                    return read_index(path)
                except IndexFileInvalid as why:
                    log.warning("search index built by a child process is unusable: %s", why)
            ix, built_from = build_index(self.store)
            _save(ix, built_from, index_path(self.directory, built_from))
            return ix, built_from

    def _build_in_child(self, path: Path) -> bool:
        """Build and store the index in another Python process; True if it says it did."""
        env = {**os.environ, _URL_ENV: self.store.url, _FILE_ENV: str(path)}
        try:
            done = subprocess.run([sys.executable, "-m", "model.accounts.stored_index"], env=env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  timeout=BUILD_TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("search index child process failed: %s", exc)
            return False
        if done.returncode != 0:
            tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
            log.warning("search index child process exited %s: %s", done.returncode, tail[0])
        return done.returncode == 0


def _child_main() -> int:
    """``python -m model.accounts.stored_index``: build the index named by the environment and store it."""
    from model.store import open_store

    url, file = os.environ.get(_URL_ENV), os.environ.get(_FILE_ENV)
    if not url or not file:
        print(f"set {_URL_ENV} and {_FILE_ENV}", file=sys.stderr)
        return 2
    try:
        store = open_store(url, create=False)
        try:
            ix, key = build_index(store)
        finally:
            store.dispose()
        path = Path(file)
        return 0 if _save(ix, key, index_path(path.parent, key)) else 1
    except Exception as exc:  # noqa: BLE001 - one line for the parent's log, never a traceback
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover - run by StoredMatcher in a child process
    sys.exit(_child_main())
