"""Partner Center referral files in and out (``cosell import`` / ``cosell export``).

Import is all or nothing: the whole file is parsed and checked (types by the
``model.referral_json`` models, then what needs the database: R1.2's fixed
location, R9.1's closed deals, stale versions) before the one write
transaction starts, and any problem rejects the file with every problem named
by record and field. Ids already stored update their deal instead of adding a
second one; a record equal to what is stored changes nothing (so importing a
file twice is harmless); a closed deal may only receive its registration's
validation progress (R10.4).

Export streams: the store is read a chunk of deals at a time, so 100,000
deals never sit in memory at once, and it shows only what the acting user may
see (R1.3, R1.4).
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Iterator

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select

from model.enums import (
    AccountMatch, AccountTab, Direction, RegistrationKind, SolutionSource, Substatus, Tab,
)
from model.errors import AccessDenied, ImportRejected
from model.referral_json import (
    MappingProblem, Referral, ReferralList, deal_from_referral, referral_from_deal,
)
from model.schemas import Deal, Event, Note
from model.services._tx import diff
from model.services.context import Ctx
from model.services.matching import match_customer
from model.store import bulk
from model.store.queries import tab_filter, visible_to
from model.store.tables import AccountRecord, SolutionRecord

MAX_PROBLEMS = 20
_LIST = TypeAdapter(list[Referral])
_ENVELOPE = TypeAdapter(ReferralList)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    registrations: int = 0  # closed deals whose registration progressed (R10.4)
    notified: int = 0       # new-inbound messages queued (R12.1)
    ids: list[str] = field(default_factory=list, repr=False)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.registrations


# -- reading and checking the file ----------------------------------------------------------

def _problem_label(index: int, raw) -> str:
    ident = name = None
    if isinstance(raw, dict):
        ident, name = raw.get("id"), raw.get("name")
    parts = []
    if isinstance(ident, str) and ident:
        parts.append(f"id {ident[:8]}…" if len(ident) > 8 else f"id {ident}")
    if isinstance(name, str) and name:
        parts.append(repr(name if len(name) <= 40 else name[:39] + "…"))
    return f"record {index + 1}" + (f" ({', '.join(parts)})" if parts else "")


def _path(loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(err: dict) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else "this value"
    if kind == "missing":
        return "is required"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be {'≥' if kind == 'greater_than_equal' else '>'} {ctx.get('ge', ctx.get('gt'))} (got {shown})"
    if kind in ("enum", "literal_error"):
        return f"{shown} is not one of {ctx.get('expected')}"
    if kind.startswith("datetime") or kind.startswith("date_"):
        return f"{shown} is not a date-time (use ISO 8601, e.g. 2026-11-20T09:00:00Z)"
    if kind.startswith("decimal_max") or kind == "decimal_whole_digits":
        return f"{shown} has too many digits (at most 16 before and 2 after the point)"
    if kind in ("decimal_parsing", "decimal_type", "float_parsing", "float_type", "int_parsing", "int_type"):
        return f"{shown} is not a number"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind == "string_type":
        return f"{shown} must be a string"
    if kind in ("bool_parsing", "bool_type"):
        return f"{shown} must be true or false"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be an object"
    if kind in ("list_type",):
        return "must be a list"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"]


def _bad_json(data: bytes) -> str:
    try:
        json.loads(data)
    except json.JSONDecodeError as exc:
        return f"bad JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    except UnicodeDecodeError as exc:
        return f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
    return "bad JSON"


def _records_of(doc) -> list:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        return doc.get("value") or doc.get("items") or []
    return []


def _describe(exc: ValidationError, data: bytes) -> list[str]:
    errors = exc.errors()
    if any(e["type"] == "json_invalid" for e in errors):
        return [_bad_json(data)]
    raw = _records_of(json.loads(data))
    out = []
    for err in errors[:MAX_PROBLEMS]:
        loc = list(err["loc"])
        if loc and loc[0] in ("value", "items"):
            loc = loc[1:]
        if loc and isinstance(loc[0], int):
            index, loc = loc[0], loc[1:]
            label = _problem_label(index, raw[index] if index < len(raw) else None)
        else:
            label = "the file"
        where = _path(loc)
        out.append(f"{label}: {where + ': ' if where else ''}{_message(err)}")
    if len(errors) > MAX_PROBLEMS:
        out.append(f"… and {len(errors) - MAX_PROBLEMS} more")
    return out


def parse_referrals(data: bytes | str) -> list[Referral]:
    """Every record of a referral file (a list, or an object with ``value``/``items``), type-checked."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    head = data.lstrip()[:1]
    try:
        if head == b"[":
            return _LIST.validate_json(data)
        if head == b"{":
            envelope = _ENVELOPE.validate_json(data)
            records = envelope.value if envelope.value is not None else envelope.items
            if records is None:
                raise ImportRejected("the file: a referral file is a JSON list, or an object with a "
                                     "\"value\" (or \"items\") list; nothing was imported")
            return records
    except ValidationError as exc:
        problems = _describe(exc, data)
        raise ImportRejected(_rejection(problems)) from None
    if not head:
        raise ImportRejected("the file is empty; nothing was imported")
    raise ImportRejected(_rejection([_bad_json(data)]))


def _rejection(problems: list[str]) -> str:
    head = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
    return f"nothing was imported ({head}):\n  " + "\n  ".join(problems)


# -- from records to deals -------------------------------------------------------------------

def _catalogue_flags(session, refs: list[Referral]) -> dict[str, dict]:
    """Catalogue flags of the solutions that records without our extension name (R6.5-R6.7)."""
    wanted = {s.id for r in refs if r.cosell is None or r.cosell.solutions is None
              for s in (r.details.requirements.solutions if r.details.requirements else [])}
    flags: dict[str, dict] = {}
    ordered = sorted(wanted)
    for i in range(0, len(ordered), 500):
        for rec in session.scalars(select(SolutionRecord).where(SolutionRecord.solution_id.in_(ordered[i:i + 500]))):
            flags[rec.solution_id] = dict(
                source=SolutionSource(rec.source), macc_eligible=rec.macc_eligible, incentivized=rec.incentivized,
                registration_kind=RegistrationKind(rec.registration_kind) if rec.registration_kind else None,
                cosell_ready=rec.cosell_ready, assessment_location=None)
    return flags


def _needs_matching(ref: Referral, deal: Deal) -> bool:
    """R4.5: a customer whose matching the file does not report as done is matched here."""
    if deal.customer.source in (AccountTab.MANAGED, AccountTab.UNMANAGED):
        return deal.customer.match is AccountMatch.NOT_MATCHED
    done = ref.customer_profile.is_matching_complete and ref.cosell and ref.cosell.customer \
        and ref.cosell.customer.match is not None
    return not done


def _match_customers(session, pairs: list[tuple[Referral, Deal]]) -> None:
    """Run ``match_customer`` for the customers that need it, skipping (in one query per 500 ids)
    the many whose ids the account catalogue does not hold: those are simply not matched."""
    todo = [(r, d) for r, d in pairs if _needs_matching(r, d)]
    ids, duns = set(), set()
    for ref, deal in todo:
        ids.update(i.id for i in ref.customer_profile.ids if i.profile_type == "External")
        duns.update(i.id for i in ref.customer_profile.ids if i.profile_type == "Duns")
    known: set[str] = set()
    for values, column in ((sorted(ids), AccountRecord.account_id), (sorted(duns), AccountRecord.duns)):
        for i in range(0, len(values), 500):
            known.update(session.scalars(select(column).where(column.in_(values[i:i + 500]))))
    for ref, deal in todo:
        mine = [i.id for i in ref.customer_profile.ids]
        if deal.customer.source in (AccountTab.MANAGED, AccountTab.UNMANAGED) or any(i in known for i in mine):
            external = [i.id for i in ref.customer_profile.ids if i.profile_type == "External"]
            deal.customer.match = match_customer(session, deal.customer, external[1:])
        else:
            deal.customer.match = AccountMatch.NOT_MATCHED


def _merged_notes(current: Deal, incoming: Deal, raw: bool) -> list[Note]:
    """Notes are a log (R5): what is stored stays; notes the file adds are appended."""
    have = {(n.at, n.author, n.text) for n in current.notes}
    texts = {n.text for n in current.notes} | {"\n".join(n.text for n in current.notes)}
    extra = [n for n in incoming.notes
             if (n.at, n.author, n.text) not in have and not (raw and n.text in texts)]
    return list(current.notes) + extra


_IGNORED = {"version", "updated_at"}


def _changed_fields(old: Deal, new: Deal, ignore: set[str] = _IGNORED) -> list[str]:
    return [k for k in Deal.model_fields if k not in ignore and getattr(old, k) != getattr(new, k)]


@dataclass
class _Plan:
    new: list[Deal] = field(default_factory=list)
    updates: list[tuple[Deal, Deal]] = field(default_factory=list)  # (stored, updated)
    unchanged: int = 0
    registrations: int = 0
    notified: int = 0
    problems: list[str] = field(default_factory=list)


def _plan_existing(plan: _Plan, label: str, ref: Referral, stored: Deal, incoming: Deal) -> None:
    merged = incoming.model_copy(update={"version": stored.version,
                                         "notes": _merged_notes(stored, incoming, ref.cosell is None)})
    changed = _changed_fields(stored, merged)
    if not changed:
        plan.unchanged += 1
        return
    if stored.is_terminal:
        if changed == ["registration"] and stored.substatus is Substatus.WON:
            plan.registrations += 1  # R10.4: validation progress of a won deal's registration
            plan.updates.append((stored, stored.model_copy(update={
                "registration": merged.registration, "version": stored.version + 1,
                "updated_at": max(stored.updated_at, merged.updated_at)})))
            return
        plan.problems.append(f"{label}: the deal is {stored.substatus.value.lower()}, and closed deals cannot "
                             f"change (R9.1); the file changes {', '.join(changed)}")
        return
    if ref.cosell is not None and ref.cosell.version is not None and ref.cosell.version != stored.version:
        plan.problems.append(f"{label}: cosell.version: the deal changed since this file was exported "
                             f"(file: version {ref.cosell.version}, now: version {stored.version}); export it "
                             "again and re-apply your change")
        return
    if merged.location != stored.location:
        plan.problems.append(f"{label}: cosell.location: the location cannot change after the deal is created "
                             f"(R1.2: it is {stored.location!r})")
        return
    plan.updates.append((stored, merged.model_copy(update={"version": stored.version + 1})))


def _plan(session, refs: list[Referral], deals: list[Deal | None], labels: list[str], plan: _Plan) -> None:
    ids = [d.id for d in deals if d is not None]
    known = bulk.existing(session, ids)
    stored = {i: bulk.deal_from_rows(rows) for i, rows in bulk.load(session, list(known)).items()} if known else {}
    for ref, deal, label in zip(refs, deals, labels):
        if deal is None:
            continue
        if deal.id in stored:
            _plan_existing(plan, label, ref, stored[deal.id], deal)
        else:
            plan.new.append(deal)


def _inbound_message(deal: Deal, now: datetime) -> dict:
    when = f"{deal.expires_at:%Y-%m-%d %H:%M} UTC"
    answer = (f"Answer by {when} or it expires (14 days)." if deal.expires_at and deal.expires_at > now
              else f"Its 14 days to answer ended {when}; it will be archived as expired.")
    return {"subject": f"New co-sell opportunity: {deal.name}"[:300],
            "body": f"{deal.sender_name or 'Microsoft'} sent you {deal.name!r} for {deal.customer.name}. {answer}"}


def _messages(deals: list[Deal], now: datetime) -> list[dict]:
    """R12.1: a new received inbound deal is announced to its team (as ``receive_inbound`` does)."""
    out = []
    for deal in deals:
        if deal.direction is not Direction.INBOUND or not deal.is_received:
            continue
        text = _inbound_message(deal, now)
        recipients = sorted({p.email.strip().lower() for p in deal.team if p.email.strip()}) or ["referral-admins"]
        for email in recipients:
            out.append({"created_at": now, "kind": "new_inbound", "deal_id": deal.id, "recipient": email,
                        "subject": text["subject"], "body": text["body"], "sent_at": None, "attempts": 0,
                        "last_error": None, "dedupe_key": f"new_inbound:{deal.id}:{email}"[:200]})
    return out


def import_referrals(ctx: Ctx, data: bytes | str, *, location: str | None = None,
                     source: str = "file") -> ImportReport:
    """Import a referral file (bytes or text); R1.1: referral admins only. All or nothing."""
    if not ctx.user.is_admin:
        raise AccessDenied("only a referral admin can import referrals (R1.1)")
    now = ctx.now()
    with bulk.bulk_mode():
        refs = parse_referrals(data)
        labels = [_problem_label(i, {"id": r.id, "name": r.name}) for i, r in enumerate(refs)]
        plan = _Plan()
        seen: dict[str, int] = {}
        for i, ref in enumerate(refs):
            if ref.id in seen:
                plan.problems.append(f"{labels[i]}: id: the same id is record {seen[ref.id] + 1} too")
            seen.setdefault(ref.id, i)
        with ctx.store.write() as session:
            flags = _catalogue_flags(session, refs)
            deals: list[Deal | None] = []
            for ref, label in zip(refs, labels):
                try:
                    deals.append(deal_from_referral(ref, location=location, solution_flags=flags))
                except MappingProblem as exc:
                    plan.problems.append(f"{label}: {exc.field}: {exc}")
                    deals.append(None)
            if not plan.problems:
                _match_customers(session, [(r, d) for r, d in zip(refs, deals) if d is not None])
                _plan(session, refs, deals, labels, plan)
            if plan.problems:
                extra = len(plan.problems) - MAX_PROBLEMS
                shown = plan.problems[:MAX_PROBLEMS] + ([f"… and {extra} more"] if extra > 0 else [])
                raise ImportRejected(_rejection(shown))
            _write(session, ctx, plan, now, source)
    return ImportReport(created=len(plan.new), updated=len(plan.updates) - plan.registrations,
                        unchanged=plan.unchanged, registrations=plan.registrations,
                        notified=plan.notified, ids=[d.id for d in plan.new] + [n.id for _, n in plan.updates])


def _write(session, ctx: Ctx, plan: _Plan, now: datetime, source: str) -> None:
    actor = ctx.user.login
    reason = f"imported from {source}"
    for i in range(0, len(plan.new), bulk.CHUNK * 5):
        part = plan.new[i:i + bulk.CHUNK * 5]
        bulk.insert_deals(session, [bulk.deal_rows(d, actor=actor) for d in part])
        bulk.insert_events(session, [{"deal_id": d.id, "at": now, "actor": actor, "action": "import",
                                      "changes": {}, "reason": reason} for d in part])
    if plan.updates:
        appended = []
        for stored, new in plan.updates:
            appended += [{"deal_id": new.id, "at": n.at, "author": n.author, "text": n.text}
                         for n in new.notes[len(stored.notes):]]
        bulk.update_deals(session, [bulk.deal_rows(new, actor=actor) for _, new in plan.updates], appended)
        bulk.insert_events(session, [bulk.event_row(new.id, Event(at=now, actor=actor, action="import",
                                                                  changes=diff(stored, new), reason=reason))
                                     for stored, new in plan.updates])
    messages = _messages(plan.new, now)
    bulk.queue_messages(session, messages)
    plan.notified = len(messages)


# -- export --------------------------------------------------------------------------------------

def _conditions(ctx: Ctx, tab: Tab | None) -> list:
    conds = [visible_to(ctx.user)]
    if tab is not None:
        conds.append(tab_filter(tab))
    return conds


def _deals(ctx: Ctx, tab: Tab | None) -> Iterator[list[Deal]]:
    with ctx.store.read() as session:
        for chunk in bulk.stream(session, *_conditions(ctx, tab)):
            yield [bulk.deal_from_rows(rows) for rows in chunk]


_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":"))


def export_json(ctx: Ctx, out: IO[str], *, tab: Tab | None = None) -> int:
    """``{"value": [...], "@odata.count": N}``, one referral a line; it imports back unchanged."""
    count = 0
    out.write('{"value": [\n')
    with bulk.bulk_mode():
        for deals in _deals(ctx, tab):
            text = ",\n".join(_ENCODER.encode(referral_from_deal(d)) for d in deals)
            out.write((",\n" if count else "") + text)
            count += len(deals)
    out.write(f'\n], "@odata.count": {count}}}\n')
    return count


CSV_COLUMNS = (
    "id", "name", "customer", "direction", "kind", "sale type", "status", "substatus", "stage", "stage %",
    "value", "currency", "value_usd", "close date", "expires", "CRM id", "campaign id", "partner role",
    "partner program", "solution area", "solution play", "marketplace intent", "favorite", "location",
    "sender", "Microsoft", "registration", "created", "updated", "closed", "status reason", "team", "solutions",
)
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _cell(value) -> str:
    """Text for a spreadsheet: no terminal control sequences, and no leading =, +, - or @ that
    a spreadsheet would run as a formula (CSV injection): such text gets a leading apostrophe."""
    if value is None:
        return ""
    text = _CONTROL.sub("", str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _stamp(value) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def csv_row(d: Deal) -> list:
    from model import stages as stage_table

    return [
        d.id, _cell(d.name), _cell(d.customer.name), d.direction.label, d.kind.label,
        d.sale_type.label if d.sale_type else "", d.status.value, d.substatus.value, d.stage.value,
        stage_table.percent(d.stage), f"{d.value:.2f}", d.currency,
        f"{bulk.usd(d.value, d.currency, d.close_date or d.created_at.date()):.2f}",
        d.close_date.isoformat() if d.close_date else "", _stamp(d.expires_at), _cell(d.crm_id),
        _cell(d.campaign_id), d.partner_role.label if d.partner_role else "", _cell(d.partner_program),
        _cell(d.solution_area), _cell(d.solution_play),
        d.marketplace_intent.label if d.marketplace_intent else "", "yes" if d.favorite else "no",
        _cell(d.location), _cell(d.sender_name), d.microsoft_status.label, d.registration.status.label,
        _stamp(d.created_at), _stamp(d.updated_at), _stamp(d.closed_at), _cell(d.status_reason),
        _cell("; ".join(p.name for p in d.team)), _cell("; ".join(s.name for s in d.solutions)),
    ]


def export_csv(ctx: Ctx, out: IO[str], *, tab: Tab | None = None) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    with bulk.bulk_mode():
        for deals in _deals(ctx, tab):
            writer.writerows(csv_row(d) for d in deals)
            count += len(deals)
    return count


def export_referrals(ctx: Ctx, out: IO[str], *, tab: Tab | None = None, fmt: str = "json") -> int:
    """Write the deals the user may see (optionally one tab's) as referral JSON or CSV; returns how many."""
    if fmt == "json":
        return export_json(ctx, out, tab=tab)
    if fmt == "csv":
        return export_csv(ctx, out, tab=tab)
    raise ValueError(f"unknown export format {fmt!r}; use json or csv")


def import_file(ctx: Ctx, path: str | Path, *, location: str | None = None) -> ImportReport:
    p = Path(path)
    return import_referrals(ctx, p.read_bytes(), location=location, source=p.name)
