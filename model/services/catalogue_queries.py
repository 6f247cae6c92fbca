"""Reads of the reference catalogues a new deal draws on: solutions (R6.5) and
co-sell partners (R7.4).

Both tables are small (thousands of rows at most), so a case-insensitive
substring match per word is enough; every word typed must appear in the name
(or, for solutions, the publisher). The flags that decide R6.7 (MACC-eligible,
incentivized) and R10.2 (registration kind) come back with each solution, so
the face can show them while the user is still searching.
"""
from __future__ import annotations

from sqlalchemy import func, or_, select

from model.domain.enums import RegistrationKind, SolutionSource
from model.domain.schemas import Partner, Solution
from model.services.context import Ctx
from model.store.tables import PartnerRecord, SolutionRecord


def _words(text: str) -> list[str]:
    return [w for w in (text or "").lower().split() if w]


def solution_from_record(rec) -> Solution:
    return Solution(
        solution_id=rec.solution_id, name=rec.name, source=SolutionSource(rec.source), publisher=rec.publisher or "",
        macc_eligible=bool(rec.macc_eligible), incentivized=bool(rec.incentivized),
        registration_kind=RegistrationKind(rec.registration_kind) if rec.registration_kind else None,
        cosell_ready=bool(rec.cosell_ready),
    )


def search_solutions(ctx: Ctx, source: SolutionSource | None, text: str = "", *, limit: int = 50,
                     macc_first: bool = False) -> list[Solution]:
    """Solutions of one source (R6.5) whose name or publisher holds every word of ``text``.

    ``macc_first`` lists MACC-eligible solutions first: what a user choosing
    for a MACC customer needs to see (R6.7).
    """
    t = SolutionRecord
    conds = [t.source == source.value] if source is not None else []
    for word in _words(text):
        conds.append(or_(func.lower(t.name).contains(word, autoescape=True),
                         func.lower(t.publisher).contains(word, autoescape=True)))
    order = ([t.macc_eligible.desc()] if macc_first else []) + [t.name, t.solution_id]
    stmt = select(t).where(*conds).order_by(*order).limit(limit)
    with ctx.store.read() as session:
        return [solution_from_record(r) for r in session.scalars(stmt)]


def get_solutions(ctx: Ctx, ids: list[str]) -> list[Solution]:
    """Catalogue solutions by id, in the order asked; unknown ids are skipped."""
    if not ids:
        return []
    with ctx.store.read() as session:
        found = {r.solution_id: solution_from_record(r)
                 for r in session.scalars(select(SolutionRecord).where(SolutionRecord.solution_id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def search_partners(ctx: Ctx, text: str, *, limit: int = 20) -> list[Partner]:
    """Co-sell partners whose name holds every word typed (R7.4), by name."""
    t = PartnerRecord
    conds = [func.lower(t.name).contains(word, autoescape=True) for word in _words(text)]
    stmt = select(t).where(*conds).order_by(t.name, t.partner_id).limit(limit)
    with ctx.store.read() as session:
        return [Partner(partner_id=r.partner_id, name=r.name, mpn_id=r.mpn_id, location=r.location)
                for r in session.scalars(stmt)]


def known_locations(ctx: Ctx) -> list[str]:
    """Program locations already in use (users' scopes and deals), offered while typing one (R1.2)."""
    from model.store.tables import DealRecord, UserRecord

    with ctx.store.read() as session:
        users = session.scalars(select(UserRecord.location).where(UserRecord.location.is_not(None)).distinct())
        deals = session.scalars(select(DealRecord.location).distinct().limit(500))
        places = {p.strip() for p in [*users, *deals] if p and p.strip()}
    if ctx.user.location:
        places.add(ctx.user.location)
    return sorted(places, key=str.lower)
