"""Reads of the reference catalogues a new deal draws on: solutions (R6.5) and co-sell partners
(R7.4), for the faces. The queries are ``model.store.catalogue``'s; the flags that decide R6.7
(MACC-eligible, incentivized) and R10.2 (registration kind) come back with each solution, so
the face can show them while the user is still searching.
"""
from __future__ import annotations

from model.domain.enums import SolutionSource
from model.domain.schemas import Partner, Solution
from model.services.context import Ctx
from model.store import catalogue as store_catalogue
from model.store.catalogue import solution_from_record  # noqa: F401  (faces and tests use it from here)


def search_solutions(ctx: Ctx, source: SolutionSource | None, text: str = "", *, limit: int = 50,
                     macc_first: bool = False) -> list[Solution]:
    """Solutions of one source (R6.5) whose name or publisher holds every word of ``text``.

    ``macc_first`` lists MACC-eligible solutions first: what a user choosing
    for a MACC customer needs to see (R6.7).
    """
    with ctx.store.read() as session:
        return store_catalogue.search_solutions(session, source, text, limit=limit, macc_first=macc_first)


def get_solutions(ctx: Ctx, ids: list[str]) -> list[Solution]:
    """Catalogue solutions by id, in the order asked; unknown ids are skipped."""
    with ctx.store.read() as session:
        found = store_catalogue.solutions_by_id(session, ids)
    return [found[i] for i in ids if i in found]


def search_partners(ctx: Ctx, text: str, *, limit: int = 20) -> list[Partner]:
    """Co-sell partners whose name holds every word typed (R7.4), by name."""
    with ctx.store.read() as session:
        return store_catalogue.search_partners(session, text, limit=limit)


def known_locations(ctx: Ctx) -> list[str]:
    """Program locations already in use (users' scopes and deals), offered while typing one (R1.2)."""
    with ctx.store.read() as session:
        places = store_catalogue.locations_in_use(session)
    if ctx.user.location:
        places.add(ctx.user.location)
    return sorted(places, key=str.lower)
