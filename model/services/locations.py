"""``cosell locations``: R1.2's program locations, keyed by Partner Center's ``mpnId``.

An import creates a location for an ``mpnId`` it has not seen, named after the mpnId, until an
admin gives it its name here. How it is stored (``model.store.locations``): a deal carries its
location's name, what users see and are scoped by, and the mpnId when it came from Partner
Center. Renaming a location renames it on its deals and user scopes in one transaction, with a
history event on every deal it renames; the location's identity, the mpnId, does not change,
so a rename is not a change of any deal's location (R1.2 holds). Admins only (R1.1).
"""
from __future__ import annotations

from model.domain.errors import AccessDenied, NotFound, RuleViolation, Violation
from model.domain.schemas import Event
from model.services.context import Ctx
from model.store import bulk
from model.store import locations as store
from model.store.catalogue import locations_in_use

_MAX_NAME = 80


def _admin(ctx: Ctx, what: str) -> None:
    if not ctx.user.is_admin:
        raise AccessDenied(f"only a referral admin can {what} (R1.1)")


def _name(name: str) -> str:
    from model.domain.text import clean

    text = clean(name or "").strip()
    if not text or len(text) > _MAX_NAME:
        raise RuleViolation(Violation("R1.2", f"a location's name is 1 to {_MAX_NAME} characters", "name"),
                            "name the location")
    return text


def _mpn(mpn_id: str) -> str:
    text = (mpn_id or "").strip()
    if not text or len(text) > 32:
        raise RuleViolation(Violation("R1.2", "an mpnId is 1 to 32 characters", "mpn_id"), "name the location")
    return text


def list_locations(ctx: Ctx) -> list[dict]:
    """Every location, by name: mpn_id, name, created_at, created_by.

    Those with an mpnId (an import's, or an admin's ``add``), and those deals or users' scopes
    carry that have none yet (deals made in cosell, demo data): mpn_id, created_at and created_by
    None. ``add_location`` gives such a location its mpnId, so Partner Center's referrals land there.
    """
    _admin(ctx, "list the locations")
    with ctx.store.read() as session:
        rows = store.all_locations(session)
        in_use = locations_in_use(session)
    named = {r["name"] for r in rows}
    rows += [{"mpn_id": None, "name": name, "created_at": None, "created_by": None} for name in in_use - named]
    return sorted(rows, key=lambda r: r["name"])


def add_location(ctx: Ctx, mpn_id: str, name: str) -> dict:
    """A location for an mpnId (before a file brings its referrals, so they land under its name)."""
    _admin(ctx, "add a location")
    mpn_id, name = _mpn(mpn_id), _name(name)
    now = ctx.now()
    with ctx.store.write() as session:
        if store.find(session, mpn_id) is not None:
            raise RuleViolation(Violation("R1.2", f"mpnId {mpn_id} is a location already "
                                                  "(rename it with `cosell locations rename`)", "mpn_id"),
                                "add the location")
        if store.by_name(session, name) is not None:
            raise RuleViolation(Violation("R1.2", f"another location is named {name!r}", "name"), "add the location")
        store.add(session, mpn_id, name, now, ctx.user.login)
    return {"mpn_id": mpn_id, "name": name, "created_at": now, "created_by": ctx.user.login}


def rename_location(ctx: Ctx, mpn_id: str, name: str) -> dict:
    """Give a location another name, on its deals and user scopes too, in one transaction."""
    _admin(ctx, "rename a location")
    mpn_id, name = _mpn(mpn_id), _name(name)
    now = ctx.now()
    with ctx.store.write() as session:
        rec = store.find(session, mpn_id)
        if rec is None:
            raise NotFound(f"no location with mpnId {mpn_id!r}")
        if rec.name == name:
            return {"mpn_id": mpn_id, "name": name, "deals": 0}
        other = store.by_name(session, name)
        if other is not None:
            raise RuleViolation(Violation("R1.2", f"another location (mpnId {other.mpn_id}) is named {name!r}",
                                          "name"), "rename the location")
        old, ids = store.rename(session, mpn_id, name)
        bulk.insert_events(session, [bulk.event_row(i, Event(
            at=now, actor=ctx.user.login, action="rename_location", changes={"location": [old, name]},
            reason=f"location mpnId {mpn_id} renamed: the same location under a new name (R1.2)")) for i in ids])
    return {"mpn_id": mpn_id, "name": name, "old_name": old, "deals": len(ids)}
