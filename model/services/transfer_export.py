"""The export half of ``model.services.transfer``: referral JSON and CSV, streamed.

Deals are read a chunk at a time in id order (keyset paging), so memory stays flat at any
size. A big export is cut into id ranges (the database finds where they start) that worker
processes turn into text side by side (the mapping and JSON encoding are the expensive part,
and this machine has two cores); the text comes back in order, so the output is the same
byte for byte either way. This process writes the first page itself before the workers start,
so the first referrals leave at once, then reads the rest of the first range while they work.
Each range is read in its own read transaction. Text stays UTF-8 bytes from the encoder to
the file.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
from typing import IO, Iterable

import orjson

from model.domain import stages as stage_table
from model.domain.text import spreadsheet_cell
from model.domain.enums import (
    DealKind, Direction, MarketplaceIntent, MicrosoftStatus, PartnerRole, RegistrationStatus, SaleType, Tab,
)
from model.partner_center.to_referral import rows_to_referral  # (not via .rows: the import side stays unloaded)
from model.domain.schemas import User
from model.services.context import Ctx
from model.store import bulk

PARALLEL_MIN = 20_000  # below this, starting workers costs more than they save
SEGMENT = 2_500  # deals a range: small enough that the last ranges leave no core idle for long
FIRST = 100  # deals in the first chunk: about two pages of a terminal or of `cosell list`

_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":"))
# JSON escapes U+0000-U+001F itself; DEL, the C1 controls (U+009B is a terminal's CSI) and the
# bidi controls (U+202E reverses what follows) it writes raw, so they are escaped too: exported
# text reaches terminals (`cosell export | less`). The data is the same, only spelled \uXXXX.
_BIDI = (0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_C1_ESCAPES = {i: f"\\u{i:04x}" for i in (*range(0x7F, 0xA0), *_BIDI)}


def _encode(referral: dict) -> bytes:
    """One referral as compact UTF-8 JSON: orjson, several times quicker than ``json`` and the same
    text (``json`` takes what orjson refuses, such as an integer beyond 64 bits in a kept key)."""
    try:
        return orjson.dumps(referral)
    except (orjson.JSONEncodeError, TypeError):
        return _ENCODER.encode(referral).encode("utf-8")


# The same characters in UTF-8, looked for in the bytes: the text stays bytes from the encoder
# to the file (decoding it, sending it between processes as text and encoding it again cost more
# than the search). One pattern per lead byte: a pattern that starts with a literal is searched
# for several times faster than one that starts with a choice.
_C1_UTF8 = (re.compile(rb"\xc2[\x80-\x9f]"), re.compile(rb"\xe2(?:\x80[\x8e\x8f\xaa-\xae]|\x81[\xa6-\xa9])"))


def _needs_escapes(data: bytes) -> bool:
    return b"\x7f" in data or any(pattern.search(data) for pattern in _C1_UTF8)


def json_text(chunk: Iterable[bulk.DealRows]) -> bytes:
    """Referrals, one a line, comma-separated (the inside of the ``value`` list), as UTF-8."""
    data = b",\n".join([_encode(rows_to_referral(rows)) for rows in chunk])
    return data.decode("utf-8").translate(_C1_ESCAPES).encode("utf-8") if _needs_escapes(data) else data


CSV_COLUMNS = (
    "id", "name", "customer", "direction", "kind", "sale type", "status", "substatus", "stage", "stage %",
    "value", "currency", "value_usd", "close date", "expires", "CRM id", "campaign id", "partner role",
    "partner program", "solution area", "solution play", "marketplace intent", "favorite", "location",
    "sender", "Microsoft", "registration", "created", "updated", "closed", "status reason", "team", "solutions",
)
def _cell(value) -> str:
    """A spreadsheet cell, by the one sanitiser every face uses (no control or bidi characters,
    and a formula start, also after leading spaces, tabs or a CR, gets a leading apostrophe)."""
    return spreadsheet_cell(value)


def _stamp(value) -> str:
    if value is None:
        return ""
    return value[:16] if isinstance(value, str) else value.strftime("%Y-%m-%d %H:%M")


def _day(value) -> str:
    return "" if value is None else value if isinstance(value, str) else value.isoformat()


def _label(enum_type, value) -> str:
    return "" if value is None else enum_type(value).label


def csv_row(rows: bulk.DealRows) -> list:
    r = rows.deal
    return [
        r["id"], _cell(r["name"]), _cell(r["customer_name"]), _label(Direction, r["direction"]),
        _label(DealKind, r["kind"]), _label(SaleType, r["sale_type"]), r["status"], r["substatus"], r["stage"],
        stage_table.percent(stage_table.Stage(r["stage"])), f"{r['value']:.2f}", r["currency"],
        f"{r['value_usd']:.2f}", _day(r["close_date"]), _stamp(r["expires_at"]),
        _cell(r["crm_id"]), _cell(r["campaign_id"]), _label(PartnerRole, r["partner_role"]),
        _cell(r["partner_program"]), _cell(r["solution_area"]), _cell(r["solution_play"]),
        _label(MarketplaceIntent, r["marketplace_intent"]), "yes" if r["favorite"] else "no", _cell(r["location"]),
        _cell(r["sender_name"]), _label(MicrosoftStatus, r["microsoft_status"]),
        _label(RegistrationStatus, r["registration_status"]), _stamp(r["created_at"]), _stamp(r["updated_at"]),
        _stamp(r["closed_at"]), _cell(r["status_reason"]), _cell("; ".join(t["name"] for t in rows.team)),
        _cell("; ".join(s["name"] for s in (r["solutions"] or []))),
    ]


def csv_text(chunk: Iterable[bulk.DealRows]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([csv_row(rows) for rows in chunk])
    return buf.getvalue().encode("utf-8")


_FORMATS = {"json": json_text, "csv": csv_text}


# -- one range of ids, in this process or a worker -----------------------------------------------

def _range_parts(store, user: User, tab: Tab | None, fmt: str, lo: str | None, hi: str | None, *,
                 first: int | None = None, after: str | None = None):
    """(how many, text, last id) per chunk of the deals in [lo, hi) (after ``after``), read in
    one read transaction; the first chunk holds ``first`` deals."""
    conds = bulk.export_where(user, tab, lo, hi)
    render = _FORMATS[fmt]
    with store.read() as session:
        for chunk in bulk.stream(session, *conds, first=first, after=after, text_times=True):
            yield len(chunk), render(chunk), chunk[-1].deal["id"]


def _range_text(store, user: User, tab: Tab | None, fmt: str, lo: str | None, hi: str | None) -> tuple[int, bytes]:
    """One worker's range as one text (a few thousand deals: what goes back to the writer)."""
    parts = [(n, text) for n, text, _ in _range_parts(store, user, tab, fmt, lo, hi)]
    return sum(n for n, _ in parts), (b",\n" if fmt == "json" else b"").join(p for n, p in parts if n)


_WORKER: dict = {}


def _init_worker(url: str, user: User, tab: Tab | None, fmt: str) -> None:
    import gc

    from model.store import open_store

    gc.disable()  # see bulk.bulk_mode
    _WORKER.update(store=open_store(url, create=False), user=user, tab=tab, fmt=fmt)


def _worker_range(bounds: tuple[str | None, str | None]) -> tuple[int, bytes]:
    w = _WORKER
    return _range_text(w["store"], w["user"], w["tab"], w["fmt"], *bounds)


def _ranges(ctx: Ctx, tab: Tab | None) -> list[tuple[str | None, str | None]] | None:
    """Id ranges of about ``SEGMENT`` visible deals each, or None when one process is quicker."""
    if bulk.worker_count() < 2 or ":memory:" in ctx.store.url:
        return None
    with ctx.store.read() as session:
        if not bulk.sees_at_least(session, ctx.user, PARALLEL_MIN, tab):
            return None
        starts = bulk.range_starts(session, ctx.user, SEGMENT, tab)
    return [(lo, starts[i + 1] if i + 1 < len(starts) else None) for i, lo in enumerate(starts)]


def _texts(ctx: Ctx, tab: Tab | None, fmt: str):
    """(how many, text) in id order. The first ``FIRST`` deals come from this process before any
    worker starts, so a pipe (``cosell export | less``) shows the first page at once; the rest of
    the first range is read here too while the workers make the others."""
    ranges = _ranges(ctx, tab)
    if ranges is None:  # streamed: one chunk of deals in memory at a time
        for n, text, _ in _range_parts(ctx.store, ctx.user, tab, fmt, None, None, first=FIRST):
            yield n, text
        return
    (lo, hi), rest = ranges[0], ranges[1:]
    first_page = _range_parts(ctx.store, ctx.user, tab, fmt, lo, hi, first=FIRST)
    n, text, last = next(first_page, (0, b"", None))
    first_page.close()  # its read transaction ends before the workers are forked
    yield n, text
    with bulk.process_pool(initializer=_init_worker, initargs=(ctx.store.url, ctx.user, tab, fmt)) as pool:
        others = pool.imap(_worker_range, rest)
        if last is not None:
            for n, text, _ in _range_parts(ctx.store, ctx.user, tab, fmt, lo, hi, after=last):
                yield n, text
        yield from others


def _sink(out: IO[str]):
    """A function writing UTF-8 bytes to ``out``: straight to its byte stream when it has one that
    takes the same bytes (a UTF-8 file or stdout that translates no newlines), else as text."""
    raw = getattr(out, "buffer", None)
    encoding = (getattr(out, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if raw is None or encoding != "utf8" or os.linesep != "\n" or not isinstance(out, io.TextIOWrapper):
        return lambda data: out.write(data.decode("utf-8"))
    out.flush()  # what was written as text goes first
    return raw.write


def export_json(ctx: Ctx, out: IO[str], *, tab: Tab | None = None) -> int:
    """``{"value": [...], "@odata.count": N}``, one referral a line; it imports back unchanged."""
    write = _sink(out)
    count = 0
    write(b'{"value": [\n')
    with bulk.bulk_mode():
        for n, text in _texts(ctx, tab, "json"):
            if n:
                if count:
                    write(b",\n")
                write(text)
                if not count:
                    out.flush()  # the first page now, not when a buffer fills
                count += n
    write(f'\n], "@odata.count": {count}}}\n'.encode())
    return count


def export_referrals(ctx: Ctx, out: IO[str], *, tab: Tab | None = None, fmt: str = "json") -> int:
    """Write the deals the user may see (optionally one tab's) as referral JSON or CSV; returns how many.

    ``cosell export`` calls this one directly: ``model.services.transfer`` would load the whole
    import side first, which costs more than the export's first page."""
    if fmt == "json":
        return export_json(ctx, out, tab=tab)
    if fmt == "csv":
        return export_csv(ctx, out, tab=tab)
    raise ValueError(f"unknown export format {fmt!r}; use json or csv")


def export_csv(ctx: Ctx, out: IO[str], *, tab: Tab | None = None) -> int:
    """A header row and one flat row a deal, for spreadsheets (not for re-import: use JSON)."""
    write = _sink(out)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(CSV_COLUMNS)
    write(header.getvalue().encode("utf-8"))
    count = 0
    with bulk.bulk_mode():
        for n, text in _texts(ctx, tab, "csv"):
            write(text)
            if n and not count:
                out.flush()
            count += n
    return count
