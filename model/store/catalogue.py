"""Reads of the reference catalogues: customer accounts (R4), solutions (R6.5) and co-sell
partners (R7.4). The services ask here; ``StoreCatalogue`` answers the domain's ``Catalogue``
questions (``model.domain.creation``) inside one session.

The solution and partner tables are small (thousands of rows at most), so a case-insensitive
substring match per word is enough; every word typed must appear in the name (or, for
solutions, the publisher).
"""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from model.domain.enums import AccountTab, RegistrationKind, SolutionSource
from model.domain.schemas import Account, Partner, Solution
from model.store.tables import AccountRecord, DealRecord, PartnerRecord, SolutionRecord, UserRecord


def _words(text: str) -> list[str]:
    return [w for w in (text or "").lower().split() if w]


def solution_from_record(rec) -> Solution:
    return Solution(
        solution_id=rec.solution_id, name=rec.name, source=SolutionSource(rec.source), publisher=rec.publisher or "",
        macc_eligible=bool(rec.macc_eligible), incentivized=bool(rec.incentivized),
        registration_kind=RegistrationKind(rec.registration_kind) if rec.registration_kind else None,
        cosell_ready=bool(rec.cosell_ready),
    )


def partner_from_record(rec) -> Partner:
    return Partner(partner_id=rec.partner_id, name=rec.name, mpn_id=rec.mpn_id, location=rec.location)


def account_from_record(rec) -> Account:
    return Account(account_id=rec.account_id, name=rec.name, tab=AccountTab(rec.tab), linked_group=rec.linked_group,
                   duns=rec.duns, city=rec.city, country=rec.country, macc=bool(rec.macc),
                   federal=bool(rec.federal), parent_name=rec.parent_name)


# -- the domain's Catalogue ---------------------------------------------------------------------

class StoreCatalogue:
    """``model.domain.creation.Catalogue`` over an open session."""

    def __init__(self, session: Session):
        self.session = session

    def account(self, account_id: str) -> Account | None:
        rec = self.session.get(AccountRecord, account_id) if account_id else None
        return None if rec is None else account_from_record(rec)

    def solution(self, solution_id: str) -> Solution | None:
        rec = self.session.get(SolutionRecord, solution_id) if solution_id else None
        return None if rec is None else solution_from_record(rec)

    def partner(self, partner_id_or_name: str) -> Partner | None:
        key = (partner_id_or_name or "").strip()
        if not key:
            return None
        rec = self.session.get(PartnerRecord, key)
        if rec is not None:
            return partner_from_record(rec)
        named = self.session.scalars(
            select(PartnerRecord).where(func.lower(PartnerRecord.name) == key.lower()).limit(2)).all()
        return partner_from_record(named[0]) if len(named) == 1 else None


# -- searches the faces run -------------------------------------------------------------------

def search_solutions(session: Session, source: SolutionSource | None, text: str = "", *, limit: int = 50,
                     macc_first: bool = False) -> list[Solution]:
    t = SolutionRecord
    conds = [t.source == source.value] if source is not None else []
    for word in _words(text):
        conds.append(or_(func.lower(t.name).contains(word, autoescape=True),
                         func.lower(t.publisher).contains(word, autoescape=True)))
    order = ([t.macc_eligible.desc()] if macc_first else []) + [t.name, t.solution_id]
    return [solution_from_record(r) for r in session.scalars(select(t).where(*conds).order_by(*order).limit(limit))]


def solutions_by_id(session: Session, ids: list[str]) -> dict[str, Solution]:
    if not ids:
        return {}
    rows = session.scalars(select(SolutionRecord).where(SolutionRecord.solution_id.in_(ids)))
    return {r.solution_id: solution_from_record(r) for r in rows}


def search_partners(session: Session, text: str, *, limit: int = 20) -> list[Partner]:
    t = PartnerRecord
    conds = [func.lower(t.name).contains(word, autoescape=True) for word in _words(text)]
    return [partner_from_record(r) for r in session.scalars(select(t).where(*conds).order_by(t.name, t.partner_id)
                                                             .limit(limit))]


def locations_in_use(session: Session) -> set[str]:
    """Program locations of users' scopes and of deals (R1.2)."""
    users = session.scalars(select(UserRecord.location).where(UserRecord.location.is_not(None)).distinct())
    deals = session.scalars(select(DealRecord.location).distinct().limit(500))
    return {p.strip() for p in [*users, *deals] if p and p.strip()}


def account_tabs(session: Session, ids: list[str], duns: list[str]) -> set[str]:
    """R4.5: the Managed/Unmanaged tabs of catalogued accounts with one of these ids or DUNS numbers."""
    conds = []
    if ids:
        conds.append(AccountRecord.account_id.in_(ids))
    if duns:
        conds.append(AccountRecord.duns.in_(duns))
    if not conds:
        return set()
    return set(session.scalars(
        select(AccountRecord.tab).where(or_(*conds), AccountRecord.tab.in_(("managed", "unmanaged"))).limit(20)
    ).all())
