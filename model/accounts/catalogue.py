"""The customer-account catalogue: CSV import and lookups (R4).

Import is all or nothing: every row is checked before anything is written,
and the rows go in inside one transaction; a problem names the line and field
so the file can be fixed, and nothing is written. The SQL (bulk upserts that
import a million accounts in seconds, lookups by id and linked group) is
``model.store.accounts``.
"""
from __future__ import annotations

import csv
import io
import os
import re
from typing import IO, Iterator

from model.accounts.normalize import NORMALIZATION_VERSION
from model.domain.errors import ImportRejected
from model.domain.schemas import Account
from model.store import accounts as rows_sql
from model.store.accounts import FIELDS, bulk_upsert, upsert_rows  # noqa: F401  (data/accounts.py, wizard_support)

REQUIRED = ("account_id", "name", "tab")
TABS = ("managed", "unmanaged", "other")
_MAX_LEN = {"account_id": 64, "name": 300, "tab": 16, "linked_group": 64, "duns": 32, "city": 120,
            "country": 8, "parent_name": 300}
_BATCH = 20_000
_MAX_ERRORS = 20


# -- normalisation version -----------------------------------------------------
def norm_is_stale(store) -> bool:
    """Stored ``norm_name`` values were made under other normalisation rules than today's."""
    with store.read() as session:
        version = rows_sql.norm_version(session)
    return version is not None and version != NORMALIZATION_VERSION


def refresh_norm_names(store, *, batch: int = 20_000) -> int:
    """Recompute every ``norm_name`` with today's rules; returns how many changed."""
    with store.write() as session:
        return rows_sql.refresh_norm_names(session, batch=batch)


# -- CSV import ----------------------------------------------------------------
_BOOLS = {"true": True, "1": True, "yes": True, "y": True, "t": True,
          "false": False, "0": False, "no": False, "n": False, "f": False, "": False}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LIMITS = [(i, f, _MAX_LEN[f]) for i, f in enumerate(FIELDS) if f in _MAX_LEN]


def _check_row(values: list[str]) -> tuple:
    """Stripped values in ``FIELDS`` order as a typed row; ``ValueError(field, message)`` if bad."""
    for field in REQUIRED:
        if not values[FIELDS.index(field)]:
            raise ValueError(field, "is required")
    for i, field, limit in _LIMITS:
        if len(values[i]) > limit:
            raise ValueError(field, f"is longer than {limit} characters")
    if _CONTROL.search("".join(values)):
        field = next(f for f, v in zip(FIELDS, values) if _CONTROL.search(v))
        raise ValueError(field, "contains control characters")
    account_id, name, tab, group, duns, city, country, macc, federal, parent = values
    if tab.lower() not in TABS:
        raise ValueError("tab", f"{tab!r} is not one of {', '.join(TABS)}")
    if duns and not duns.replace("-", "").isdigit():
        raise ValueError("duns", f"{duns!r} is not a DUNS number (digits only)")
    flags = []
    for field, text in (("macc", macc), ("federal", federal)):
        flag = _BOOLS.get(text.lower())
        if flag is None:
            raise ValueError(field, f"{text!r} is not a boolean (use true/false, 1/0, yes/no)")
        flags.append(flag)
    return (account_id, name, tab.lower(), group or None, duns or None, city or None,
            country.upper() or None, flags[0], flags[1], parent or None)


def _open_text(path_or_file) -> tuple[IO[str], str]:
    """A text stream and what to do with it afterwards: "close", "detach" or "keep"."""
    if isinstance(path_or_file, (str, os.PathLike)):
        try:
            return open(path_or_file, newline="", encoding="utf-8-sig"), "close"
        except OSError as exc:
            raise ImportRejected(f"cannot read {os.fspath(path_or_file)}: {exc.strerror or exc}") from None
    if isinstance(path_or_file.read(0), bytes):
        return io.TextIOWrapper(path_or_file, encoding="utf-8-sig", newline=""), "detach"
    return path_or_file, "keep"


def import_accounts_csv(store, path_or_file) -> int:
    """Import a catalogue CSV; returns the number of rows written.

    Raises ``ImportRejected`` naming line and field ("line 7, field tab: 'foo'
    is not one of managed, unmanaged, other") and writes nothing if any row
    is bad. Booleans accept true/false, 1/0, yes/no; blank means false.
    """
    fh, after = _open_text(path_or_file)
    try:
        return _import(store, fh)
    except UnicodeDecodeError as exc:
        raise ImportRejected(f"the file is not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise ImportRejected(f"malformed CSV: {exc}") from None
    finally:
        if after == "close":
            fh.close()
        elif after == "detach":  # the caller's binary file stays open
            fh.detach()


def _rows(fh: IO[str], errors: list[str]) -> Iterator[tuple]:
    """Checked rows of a catalogue CSV; problems are appended to ``errors`` (and stop
    the rows: once the file is known bad nothing more is worth writing)."""
    reader = csv.reader(fh)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [f for f in REQUIRED if f not in header]
    unknown = [h for h in header if h not in FIELDS]
    if missing or unknown:
        problem = (f"missing column(s) {', '.join(missing)}" if missing
                   else f"unknown column(s) {', '.join(unknown)}")
        raise ImportRejected(f"line 1: {problem}; expected {', '.join(FIELDS)}")
    width = len(header)
    where = [header.index(f) if f in header else width for f in FIELDS]  # width: an empty pad
    seen: dict[str, int] = {}
    for record in reader:
        if not record:
            continue  # blank line
        line = reader.line_num  # header is line 1; a quoted multi-line record ends here
        if len(record) > width:
            errors.append(f"line {line}: {len(record)} values, the header has {width}")
        else:
            record += [""] * (width + 1 - len(record))
            try:
                row = _check_row([record[i].strip() for i in where])
            except ValueError as exc:
                field, message = exc.args
                errors.append(f"line {line}, field {field}: {message}")
            else:
                first = seen.setdefault(row[0], line)
                if first != line:
                    errors.append(f"line {line}, field account_id: {row[0]!r} repeats line {first}")
                elif not errors:
                    yield row
        if len(errors) >= _MAX_ERRORS:
            return


def _raise_if(errors: list[str]) -> None:
    if errors:
        more = f" (stopped at the first {_MAX_ERRORS} problems)" if len(errors) >= _MAX_ERRORS else ""
        raise ImportRejected("; ".join(errors) + more + "; nothing was imported")


def _import(store, fh: IO[str]) -> int:
    """Check the whole file first, then write it in one transaction.

    A seekable file is read twice so the database is locked only for the
    writing; otherwise rows are written as they are checked and a bad one
    rolls the transaction back. Either way a bad file writes nothing.
    """
    errors: list[str] = []
    expected = 0
    if fh.seekable():
        start = fh.tell()
        expected = sum(1 for _ in _rows(fh, errors))
        _raise_if(errors)
        fh.seek(start)
    with store.write() as session:
        session.info["wrote"] = True
        written = bulk_upsert(session, _rows(fh, errors), expected=expected, batch=_BATCH)
        _raise_if(errors)
    return written


# -- reading -------------------------------------------------------------------
def get_accounts(store, ids) -> list[Account]:
    """Accounts by id, in the order asked; unknown ids are skipped."""
    ids = list(dict.fromkeys(ids))
    with store.read() as session:
        found = rows_sql.accounts_by_id(session, ids)
    return [found[i] for i in ids if i in found]


def get_linked(store, groups) -> dict[str, list[Account]]:
    """All records of each linked group (R4.3), by account id."""
    groups = [g for g in dict.fromkeys(groups) if g]
    with store.read() as session:
        return rows_sql.linked_accounts(session, groups)
