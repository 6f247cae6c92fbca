"""The catalogue facts an import looks up, for a whole batch of referrals at once.

The trust model (``model.partner_center.facts``): an account's tab, federal and MACC flags,
linked group and DUNS come from the account catalogue; a solution's source and flags from the
solution catalogue; a location's name from the locations table. Never from the file. This
module reads them with one query per 500 keys (no query per record: an import does 100,000
records) into plain dicts that the mapping, in workers or not, consults without the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from model.store.locations import names_by_mpn
from model.store.tables import AccountRecord, PartnerRecord, SolutionRecord

_ACCOUNT = (AccountRecord.account_id, AccountRecord.name, AccountRecord.tab, AccountRecord.linked_group,
            AccountRecord.duns, AccountRecord.city, AccountRecord.country, AccountRecord.macc,
            AccountRecord.federal)
_SOLUTION = (SolutionRecord.solution_id, SolutionRecord.name, SolutionRecord.source, SolutionRecord.publisher,
             SolutionRecord.macc_eligible, SolutionRecord.incentivized, SolutionRecord.registration_kind,
             SolutionRecord.cosell_ready)


@dataclass
class Lookups:
    """What the catalogue says about the ids a batch of referrals names (absent: not catalogued)."""

    accounts_by_id: dict[str, dict] = field(default_factory=dict)
    accounts_by_duns: dict[str, list[dict]] = field(default_factory=dict)
    solutions: dict[str, dict] = field(default_factory=dict)
    locations: dict[str, str] = field(default_factory=dict)  # mpnId -> name
    partners: list[dict] = field(default_factory=list)       # co-sell partners invitations name (R7.4)


def _in(session, columns, key, values: list[str]):
    for i in range(0, len(values), 500):
        yield from session.execute(select(*columns).where(key.in_(values[i:i + 500]))).mappings()


def lookups(session, *, account_ids=(), duns=(), solution_ids=(), mpn_ids=(), partners=()) -> Lookups:
    out = Lookups()
    for row in _in(session, _ACCOUNT, AccountRecord.account_id, sorted(set(account_ids))):
        out.accounts_by_id[row["account_id"]] = _account(row)
    for row in _in(session, _ACCOUNT, AccountRecord.duns, sorted(set(duns))):
        out.accounts_by_duns.setdefault(row["duns"], []).append(_account(row))
    for row in _in(session, _SOLUTION, SolutionRecord.solution_id, sorted(set(solution_ids))):
        out.solutions[row["solution_id"]] = {
            "name": row["name"], "publisher": row["publisher"] or "", "source": row["source"],
            "macc_eligible": bool(row["macc_eligible"]), "incentivized": bool(row["incentivized"]),
            "registration_kind": row["registration_kind"], "cosell_ready": bool(row["cosell_ready"])}
    out.locations = names_by_mpn(session, mpn_ids)
    wanted = sorted({p for p in partners if p})
    if wanted:
        from sqlalchemy import func, or_

        cols = (PartnerRecord.partner_id, PartnerRecord.name, PartnerRecord.mpn_id, PartnerRecord.location)
        lowered = [w.lower() for w in wanted]
        for i in range(0, len(wanted), 500):
            out.partners += [dict(r) for r in session.execute(select(*cols).where(or_(
                PartnerRecord.partner_id.in_(wanted[i:i + 500]),
                func.lower(PartnerRecord.name).in_(lowered[i:i + 500])))).mappings()]
    return out


def _account(row) -> dict:
    out = dict(row)
    out["macc"], out["federal"] = bool(out["macc"]), bool(out["federal"])
    return out


def insert_accounts(session, rows: list[dict]) -> int:
    """Accounts a file introduced (Other, by DUNS), with their normalised names for search."""
    if not rows:
        return 0
    from model.accounts.normalize import normalize_name

    session.execute(AccountRecord.__table__.insert(), [{**r, "norm_name": normalize_name(r["name"])} for r in rows])
    session.info["wrote"] = True
    return len(rows)


def insert_solutions(session, rows: list[dict]) -> int:
    """Solutions a file introduced, from Partner Center's own solution entries."""
    if rows:
        session.execute(SolutionRecord.__table__.insert(), rows)
        session.info["wrote"] = True
    return len(rows)
