"""Opening cosell for a face: where the data is, what time it is, who acts.

The CLI and the dashboard start here instead of reaching into ``model.store`` or
``model.identity`` themselves, so how a store is opened (SQLite file, PostgreSQL URL,
schema creation) and who the acting user is (the OS login of the real uid, never
``$USER``) are decided in one place.
"""
from __future__ import annotations

import os

from model.clock import Clock, clock_from_env
from model.services.context import Ctx


def open_store(database: str | os.PathLike | None = None, *, create: bool = True):
    """The store named by a path or URL (``None``: ``COSELL_DATABASE_URL`` or the default file)."""
    from model.store import open_store as _open

    return _open(database, create=create)


def context_for(store, clock: Clock | None = None) -> Ctx:
    """A service context on an open store, acting as the OS login of this process."""
    from model.identity import resolve_user

    return Ctx(store=store, clock=clock or clock_from_env(), user=resolve_user(store))


def open_context(database: str | os.PathLike | None = None, *, clock: Clock | None = None,
                 create: bool = True) -> Ctx:
    """Open the store and resolve who acts: what every CLI command and the dashboard begin with."""
    return context_for(open_store(database, create=create), clock)


def is_team_database(store) -> bool:
    """A database prepared with ``cosell init`` belongs to a team: never fill it with demo deals."""
    from model.shared_setup import is_initialised

    return is_initialised(store)
