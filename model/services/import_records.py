"""Records of a referral file as deal rows, with the catalogue's facts looked up for the batch.

The first half of an import (``model.services.transfer``), run in the importing process or, for
a big file, in worker processes (``transfer_parallel``): it reads the database (catalogue,
locations, which ids are stored) with one query per 500 keys and never writes. What the batch
introduces (solutions, Other accounts, locations) comes back in ``Mapped.learned`` for the
writer to add in the import's transaction.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from model.partner_center.facts import Learned
from model.partner_center.parse import record_label
from model.partner_center.rows import referral_to_rows
from model.partner_center.shape import MappingProblem, Referral
from model.store import bulk
from model.store.referral_lookups import Lookups, lookups


@dataclass(frozen=True)
class Incoming:
    """A record whose id is already stored, with what planning needs to know of its file record."""

    label: str
    raw: bool                  # a plain Partner Center record (no "cosell" extension)
    file_version: int | None   # cosell.version: the version the file was exported at
    rows: bulk.DealRows


@dataclass
class Mapped:
    new: list[tuple[str, bulk.DealRows]] = field(default_factory=list)  # (label, rows)
    incoming: list[Incoming] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    learned: Learned = field(default_factory=Learned)
    lookups: Lookups = field(default_factory=Lookups)


def label_of(index: int, ref: Referral, rows: bulk.DealRows | None = None) -> str:
    ident = ref.id or (rows.deal["id"] if rows is not None else None)
    return record_label(index, {"id": ident, "name": ref.name})


def batch_lookups(session, refs: list[Referral]) -> Lookups:
    """Every catalogue fact the records name, read at once."""
    ids, duns, solutions, mpns, partners = set(), set(), set(), set(), set()
    for r in refs:
        for i in r.customer_profile.ids:
            (ids if i.profile_type == "External" else duns).add(i.id)
        if r.details.requirements:
            solutions.update(s.id for s in r.details.requirements.solutions)
        if r.mpn_id:
            mpns.add(r.mpn_id)
        if r.cosell and r.cosell.invitations:
            partners.update(p for inv in r.cosell.invitations for p in (inv.partner_id, inv.partner_name) if p)
    return lookups(session, account_ids=ids, duns=duns, solution_ids=solutions, mpn_ids=mpns, partners=partners)


#: Where a create request goes when nothing says where (a fresh database, an admin of global
#: scope): a location of its own, like an unknown mpnId's, that an admin renames (``cosell
#: locations rename default NAME``) to the partner's real location, on its deals too.
DEFAULT_MPN, DEFAULT_NAME = "default", "Default location"


def default_location(session, refs: list[Referral], found: Lookups, user, learned) -> str:
    """Where a create request without ``mpnId`` goes (Partner Center puts a POST in the caller's
    location): the importing user's location, else the one location the file's other records
    name, else the only location there is, else the default location (R1.2)."""
    if user.location:
        return user.location
    mpns = {r.mpn_id for r in refs if r.mpn_id}
    if len(mpns) == 1:
        only = next(iter(mpns))
        return found.locations.get(only) or learned.locations.setdefault(only, only)
    if not mpns:
        from model.store.locations import all_locations

        known = all_locations(session)
        if len(known) == 1:
            return known[0]["name"]
        if not known:
            learned.locations.setdefault(DEFAULT_MPN, DEFAULT_NAME)
            return DEFAULT_NAME
    return ""


def map_records(session, refs: list[Referral], raws: list | None, offset: int, *, location: str | None,
                actor: str, now: datetime, user, default: str | None = None) -> Mapped:
    """Records ``offset``... of a file as rows, split into new deals and stored ids, or problems."""
    out = Mapped(lookups=batch_lookups(session, refs))
    rows_of: list[tuple[int, Referral, bulk.DealRows]] = []
    if default is None and any(r.is_create_request and not r.mpn_id for r in refs):
        default = default_location(session, refs, out.lookups, user, out.learned) or None
    for i, ref in enumerate(refs):
        raw = raws[i] if raws is not None and i < len(raws) else None
        try:
            rows = referral_to_rows(ref, location=location, lookups=out.lookups, learned=out.learned, actor=actor,
                                    now=now, new_id=str(uuid.uuid4()) if ref.is_create_request else None,
                                    default_location=default, raw=raw)
        except MappingProblem as exc:
            out.problems.append(f"{label_of(offset + i, ref)}: {exc.field}: {exc}")
            continue
        rows_of.append((offset + i, ref, rows))
    if out.problems:
        return out
    known = bulk.existing(session, [r.deal["id"] for _, ref, r in rows_of if not ref.is_create_request])
    for index, ref, rows in rows_of:
        label = label_of(index, ref, rows)
        if rows.deal["id"] in known:
            out.incoming.append(Incoming(label, ref.cosell is None, ref.cosell.version if ref.cosell else None, rows))
        else:
            out.new.append((label, rows))
    return out


def duplicates(ids: list[tuple[int, str | None, str]], seen: dict[str, int]) -> list[str]:
    """Problems for ids that an earlier record of the file already has; ``seen`` carries over."""
    out = []
    for index, ident, name in ids:
        if ident is None:  # a create request: it gets an id of its own
            continue
        first = seen.setdefault(ident, index)
        if first != index:
            out.append(f"{record_label(index, {'id': ident, 'name': name})}: id: the same id is record {first + 1} too")
    return out
