"""Partner Center referral files in and out (``cosell import`` / ``cosell export``).

Import is all or nothing: the whole file is parsed and checked (types by the
``model.partner_center.shape`` models, then what needs the database: R1.2's fixed
location, R9.1's closed deals, stale versions) before anything is written, in
one write transaction, and any problem rejects the file with every problem
named by record and field. Ids already stored update their deal instead of
adding a second one; a record equal to what is stored changes nothing (so
importing a file twice is harmless); a closed deal may only receive its
registration's validation progress (R10.4).

Export streams: the store is read a chunk of deals at a time, so 100,000 deals
never sit in memory at once, and it shows only what the acting user may see
(R1.3, R1.4).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import select

from model.domain.enums import AccountMatch, AccountTab, Direction, Tab
from model.domain.errors import AccessDenied, ImportRejected
from model.partner_center.parse import MAX_PROBLEMS, parse_referrals, record_label, rejection
from model.partner_center.shape import MappingProblem, Referral
from model.partner_center.rows import referral_to_rows
from model.domain.schemas import Customer, Deal, Event, Note
from model.services._tx import diff
from model.services.context import Ctx
from model.services.matching import match_customer
from model.store import bulk
from model.store.tables import AccountRecord, SolutionRecord


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    registrations: int = 0  # closed deals whose registration progressed (R10.4)
    notified: int = 0       # new-inbound messages queued (R12.1)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.registrations


# -- from records to rows ------------------------------------------------------------------------

def _catalogue_flags(session, refs: list[Referral]) -> dict[str, dict]:
    """Catalogue flags of the solutions that records without our extension name (R6.5-R6.7)."""
    wanted = sorted({s.id for r in refs if r.cosell is None or r.cosell.solutions is None
                     for s in (r.details.requirements.solutions if r.details.requirements else [])})
    flags: dict[str, dict] = {}
    for i in range(0, len(wanted), 500):
        for rec in session.scalars(select(SolutionRecord).where(SolutionRecord.solution_id.in_(wanted[i:i + 500]))):
            flags[rec.solution_id] = {"source": rec.source, "macc_eligible": bool(rec.macc_eligible),
                                      "incentivized": bool(rec.incentivized),
                                      "registration_kind": rec.registration_kind,
                                      "cosell_ready": bool(rec.cosell_ready), "assessment_location": None}
    return flags


def _needs_matching(ref: Referral, row: dict) -> bool:
    """R4.5: a customer whose matching the file does not report as done is matched here."""
    if row["customer_source"] in ("managed", "unmanaged"):
        return row["customer_match"] == "not_matched"
    ext = ref.cosell.customer if ref.cosell else None
    return not (ref.customer_profile.is_matching_complete and ext is not None and ext.match is not None)


def _match_customers(session, pairs: list[tuple[Referral, bulk.DealRows]]) -> None:
    """``match_customer`` for the customers that need it. Most ids of a big file are not in the
    account catalogue at all; one query per 500 ids finds which are, and only those are matched
    one by one (the others simply are not matched)."""
    todo = [(ref, rows.deal) for ref, rows in pairs if _needs_matching(ref, rows.deal)]
    ids = sorted({i.id for ref, _ in todo for i in ref.customer_profile.ids if i.profile_type == "External"})
    duns = sorted({i.id for ref, _ in todo for i in ref.customer_profile.ids if i.profile_type == "Duns"})
    known: set[str] = set()
    for values, column in ((ids, AccountRecord.account_id), (duns, AccountRecord.duns)):
        for i in range(0, len(values), 500):
            known.update(session.scalars(select(column).where(column.in_(values[i:i + 500]))))
    for ref, row in todo:
        if row["customer_source"] in ("managed", "unmanaged") or any(i.id in known for i in ref.customer_profile.ids):
            customer = Customer(name=row["customer_name"], account_id=row["customer_account_id"],
                                duns=row["customer_duns"], source=AccountTab(row["customer_source"]))
            external = [i.id for i in ref.customer_profile.ids if i.profile_type == "External"]
            row["customer_match"] = match_customer(session, customer, external[1:]).value
        else:
            row["customer_match"] = AccountMatch.NOT_MATCHED.value


def _merged_notes(stored: Deal, incoming: Deal, raw: bool) -> list[Note]:
    """Notes are a log (R5): what is stored stays; notes the file adds are appended."""
    have = {(n.at, n.author, n.text) for n in stored.notes}
    texts = {n.text for n in stored.notes} | {"\n".join(n.text for n in stored.notes)}
    extra = [n for n in incoming.notes if (n.at, n.author, n.text) not in have and not (raw and n.text in texts)]
    return list(stored.notes) + extra


def changed_fields(old: Deal, new: Deal, ignore=frozenset({"version", "updated_at"})) -> list[str]:
    return [k for k in Deal.model_fields if k not in ignore and getattr(old, k) != getattr(new, k)]


@dataclass
class Plan:
    new: list[bulk.DealRows] = field(default_factory=list)
    updates: list[tuple[Deal, Deal]] = field(default_factory=list)  # (stored, updated)
    unchanged: int = 0
    registrations: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Incoming:
    """A record whose id is already stored, with what planning needs to know of its file record."""

    label: str
    raw: bool                  # a plain Partner Center record (no "cosell" extension)
    file_version: int | None   # cosell.version: the version the file was exported at
    rows: bulk.DealRows


def _plan_existing(plan: Plan, item: Incoming, stored: Deal) -> None:
    incoming, label = bulk.deal_from_rows(item.rows), item.label
    merged = incoming.model_copy(update={"version": stored.version,
                                         "notes": _merged_notes(stored, incoming, item.raw)})
    changed = changed_fields(stored, merged)
    if not changed:
        plan.unchanged += 1
        return
    if stored.is_terminal:
        if changed == ["registration"] and stored.substatus.value == "Won":
            plan.registrations += 1  # R10.4: a won deal's registration progresses
            plan.updates.append((stored, stored.model_copy(update={
                "registration": merged.registration, "version": stored.version + 1,
                "updated_at": max(stored.updated_at, merged.updated_at)})))
            return
        state = "closed as error" if stored.substatus.value == "Error" else stored.substatus.value.lower()
        plan.problems.append(f"{label}: the deal is {state} and closed deals cannot change (R9.1); "
                             f"the file changes {', '.join(changed)}")
        return
    if item.file_version is not None and item.file_version != stored.version:
        plan.problems.append(f"{label}: cosell.version: the deal changed since this file was exported "
                             f"(file: version {item.file_version}, now: version {stored.version}); export it "
                             "again and re-apply your change")
        return
    if merged.location != stored.location:
        plan.problems.append(f"{label}: cosell.location: the location cannot change after the deal is created "
                             f"(R1.2: it is {stored.location!r})")
        return
    plan.updates.append((stored, merged.model_copy(update={"version": stored.version + 1})))


def plan_existing(session, plan: Plan, items: list[Incoming]) -> None:
    """Updates, no-ops and refusals for the records whose ids are already stored."""
    stored = bulk.load(session, [i.rows.deal["id"] for i in items]) if items else {}
    for item in items:
        _plan_existing(plan, item, bulk.deal_from_rows(stored[item.rows.deal["id"]]))


def map_records(session, refs: list[Referral], offset: int, *, location: str | None,
                actor: str) -> tuple[list[bulk.DealRows], list[Incoming], list[str]]:
    """Records ``offset``... of a file as rows: (new deals, records of stored ids, problems)."""
    flags = _catalogue_flags(session, refs)
    rows, problems = [], []
    for i, ref in enumerate(refs):
        try:
            rows.append(referral_to_rows(ref, location=location, solution_flags=flags, actor=actor))
        except MappingProblem as exc:
            problems.append(f"{record_label(offset + i, {'id': ref.id, 'name': ref.name})}: {exc.field}: {exc}")
    if problems:
        return [], [], problems
    _match_customers(session, list(zip(refs, rows)))
    known = bulk.existing(session, [r.deal["id"] for r in rows])
    new, incoming = [], []
    for i, (ref, r) in enumerate(zip(refs, rows)):
        if r.deal["id"] in known:
            incoming.append(Incoming(record_label(offset + i, {"id": ref.id, "name": ref.name}), ref.cosell is None,
                                     ref.cosell.version if ref.cosell else None, r))
        else:
            new.append(r)
    return new, incoming, problems


def duplicates(ids: list[tuple[int, str, str]], seen: dict[str, int]) -> list[str]:
    """Problems for ids that an earlier record of the file already has; ``seen`` carries over."""
    out = []
    for index, ident, name in ids:
        first = seen.setdefault(ident, index)
        if first != index:
            out.append(f"{record_label(index, {'id': ident, 'name': name})}: id: the same id is record {first + 1} too")
    return out


def refuse(problems: list[str]) -> ImportRejected:
    extra = len(problems) - MAX_PROBLEMS
    return ImportRejected(rejection(problems[:MAX_PROBLEMS] + ([f"… and {extra} more"] if extra > 0 else [])))


def messages(new: list[bulk.DealRows], now: datetime) -> list[dict]:
    """R12.1: a new received inbound deal is announced to its team, as ``receive_inbound`` does."""
    out = []
    for rows in new:
        r = rows.deal
        if r["direction"] != Direction.INBOUND.value or r["substatus"] not in ("Received", "Pending"):
            continue
        when = f"{r['expires_at']:%Y-%m-%d %H:%M} UTC"
        answer = (f"Answer by {when} or it expires (14 days)." if r["expires_at"] > now
                  else f"Its 14 days to answer ended {when}; it will be archived as expired.")
        subject = f"New co-sell opportunity: {r['name']}"[:300]
        body = f"{r['sender_name'] or 'Microsoft'} sent you {r['name']!r} for {r['customer_name']}. {answer}"
        recipients = sorted({t["email_lc"].strip() for t in rows.team if t["email_lc"].strip()}) or ["referral-admins"]
        for email in recipients:
            out.append({"created_at": now, "kind": "new_inbound", "deal_id": r["id"], "recipient": email,
                        "subject": subject, "body": body, "sent_at": None, "attempts": 0, "last_error": None,
                        "dedupe_key": f"new_inbound:{r['id']}:{email}"[:200]})
    return out


def import_events(deal_ids, now: datetime, actor: str, reason: str) -> list[dict]:
    return [{"deal_id": i, "at": now, "actor": actor, "action": "import", "changes": {}, "reason": reason}
            for i in deal_ids]


def write_updates(session, plan: Plan, now: datetime, actor: str, reason: str) -> None:
    if not plan.updates:
        return
    appended = [{"deal_id": new.id, "at": n.at, "author": n.author, "text": n.text}
                for stored, new in plan.updates for n in new.notes[len(stored.notes):]]
    bulk.update_deals(session, [bulk.deal_rows(new, actor=actor) for _, new in plan.updates], appended)
    bulk.insert_events(session, [bulk.event_row(new.id, Event(at=now, actor=actor, action="import",
                                                              changes=diff(stored, new), reason=reason))
                                 for stored, new in plan.updates])


def import_referrals(ctx: Ctx, data: bytes | str, *, location: str | None = None,
                     source: str = "file") -> ImportReport:
    """Import a referral file (bytes or text); R1.1: referral admins only. All or nothing.

    A big file in ``cosell export``'s one-referral-a-line layout is parsed by worker processes
    (``model.services.transfer_parallel``); the outcome is the same.
    """
    if not ctx.user.is_admin:
        raise AccessDenied("only a referral admin can import referrals (R1.1)")
    if isinstance(data, str):
        data = data.encode("utf-8")
    from model.services.transfer_parallel import import_in_parallel

    report = import_in_parallel(ctx, data, location=location, source=source)
    if report is not None:
        return report
    now, actor, reason = ctx.now(), ctx.user.login, f"imported from {source}"
    with bulk.bulk_mode():
        refs = parse_referrals(data)
        plan = Plan()
        plan.problems += duplicates([(i, r.id, r.name) for i, r in enumerate(refs)], {})
        with ctx.store.write() as session, bulk.big_cache(session):
            new, incoming, problems = map_records(session, refs, 0, location=location, actor=actor)
            plan.problems += problems
            if not plan.problems:
                plan.new = new
                plan_existing(session, plan, incoming)
            if plan.problems:
                raise refuse(plan.problems)
            for i in range(0, len(new), bulk.CHUNK * 5):
                part = new[i:i + bulk.CHUNK * 5]
                bulk.insert_deals(session, part)
                bulk.insert_events(session, import_events((r.deal["id"] for r in part), now, actor, reason))
            write_updates(session, plan, now, actor, reason)
            notified = bulk.queue_messages(session, messages(new, now))
    return ImportReport(created=len(new), updated=len(plan.updates) - plan.registrations,
                        unchanged=plan.unchanged, registrations=plan.registrations, notified=notified)


def import_file(ctx: Ctx, path: str | Path, *, location: str | None = None) -> ImportReport:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ImportRejected(f"cannot read {p}: {exc.strerror or exc}") from None
    return import_referrals(ctx, data, location=location, source=p.name)


# -- export --------------------------------------------------------------------------------------

def export_referrals(ctx: Ctx, out: IO[str], *, tab: Tab | None = None, fmt: str = "json") -> int:
    """Write the deals the user may see (optionally one tab's) as referral JSON or CSV; returns how many."""
    from model.services.transfer_export import export_csv, export_json

    if fmt == "json":
        return export_json(ctx, out, tab=tab)
    if fmt == "csv":
        return export_csv(ctx, out, tab=tab)
    raise ValueError(f"unknown export format {fmt!r}; use json or csv")
