"""Reading a referral file: every record type-checked, every problem named by record and field.

A problem reads ``record 3 (id 1a2b3c4d…, 'Contoso'): details.dealValue: must be ≥ 0 (got -5)``:
the record's number in the file (from 1), its id and name as far as the file has them, the
field path as the file spells it, and what is wrong in words. Bad JSON is reported with its
line and column. A file is rejected whole (``ImportRejected``) with every problem listed.
"""
from __future__ import annotations

import json
import re
from typing import Annotated

from pydantic import AfterValidator, TypeAdapter, ValidationError

from model.domain.errors import ImportRejected
from model.partner_center.shape import Referral, ReferralList

MAX_PROBLEMS = 20
#: The largest deal version a file may carry: the database's version column is a 32-bit integer.
MAX_VERSION = 2**31 - 1


def _within_bounds(ref: Referral) -> Referral:
    """What the types allow but the database cannot hold (a ``cosell.version`` of 10^30)."""
    problem = bounds_problem(ref)
    if problem:
        raise ValueError(problem)
    return ref


def bounds_problem(ref: Referral) -> str | None:
    version = ref.cosell.version if ref.cosell is not None else None
    if version is not None and version > MAX_VERSION:
        shown = str(version) if len(str(version)) <= 20 else f"a {len(str(version))}-digit number"
        return f"cosell.version: {shown} is too large (at most {MAX_VERSION})"
    return None


REFERRALS = TypeAdapter(list[Annotated[Referral, AfterValidator(_within_bounds)]])
_ENVELOPE = TypeAdapter(ReferralList)


def record_label(index: int, raw) -> str:
    """'record 3 (id 1a2b3c4d…, 'Contoso')': how a problem names the record it is in (1-based)."""
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


_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"),
         (b"\xfe\xff", "UTF-16"), (b"\xef\xbb\xbf", "UTF-8 with a byte-order mark"))
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class NotJson(ImportRejected):
    """The file is not JSON at all (cut short, or not a JSON file): nothing in it could be judged by
    a rule, so it is the input's problem as a bad argument is (exit 2), not a refusal (4)."""

    exit_code = 2


#: The JSON reader's messages that end in "at", its position left to the caller, in words.
_JSON_WORDS = {"Unterminated string starting at": "a string that starts here is never closed",
               "Invalid control character at": "a control character (such as a line break) inside a string"}


def not_json(data: bytes) -> NotJson | None:
    """Why ``data`` is not JSON, in one whole sentence with the line and column; None when it is
    JSON, or another check words it better (empty, UTF-16, a byte-order mark, too deep, not UTF-8)."""
    if not data.strip() or data[:3] == b"\xef\xbb\xbf" or data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.end < len(data) or exc.reason != "unexpected end of data":
            return None  # not UTF-8 text
        text = data[:exc.start].decode("utf-8")  # cut short inside a character (a 'ö' of a name): JSON's problem
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        what = _JSON_WORDS.get(exc.msg, exc.msg)
        if exc.pos >= len(exc.doc.rstrip()) or exc.msg == "Unterminated string starting at":
            what += " (the file ends before its JSON does: was it cut short?)"
        return NotJson(f"nothing was imported: bad JSON at line {exc.lineno}, column {exc.colno}: {what}")
    except (ValueError, RecursionError):
        return None
    return None


def _bad_json(data: bytes) -> str:
    """Why ``data`` is not a referral file's JSON, as precisely as the file allows."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return f"the file is {encoding} text; cosell reads UTF-8 without a byte-order mark: save it as UTF-8"
    if b"\x00" in data[:4]:
        return "the file is UTF-16 or UTF-32 text; cosell reads UTF-8: save it as UTF-8"
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        return f"bad JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    except UnicodeDecodeError as exc:
        return f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
    except RecursionError:
        return "the JSON is nested too deeply (a referral is a few levels deep): not a referral file"
    return _surrogate_problem(doc) or "bad JSON (nested too deeply, or a value the JSON reader refuses)"


def _surrogate_problem(doc) -> str | None:
    """A ``\\ud800``-style escape that stands for no character, named by record and field."""
    for index, raw in enumerate(_records_of(doc)):
        path = _find_surrogate(raw, "")
        if path is not None:
            where = f"{path}: " if path else ""
            return (f"{record_label(index, raw)}: {where}"
                    "a \\u escape stands for half a character (a lone surrogate), which is not text")
    return None


def _find_surrogate(value, path: str, depth: int = 0) -> str | None:
    if depth > 64:
        return None
    if isinstance(value, str):
        return path if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _SURROGATE.search(key):
                return path or "a key"
            found = _find_surrogate(item, f"{path}.{key}" if path else key, depth + 1)
            if found is not None:
                return found
    if isinstance(value, list):
        for n, item in enumerate(value):
            found = _find_surrogate(item, f"{path}[{n}]", depth + 1)
            if found is not None:
                return found
    return None


def _records_of(doc) -> list:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        return doc.get("value") if "value" in doc else (doc.get("items") or [])
    return []


def describe(exc: ValidationError, data: bytes, offset: int = 0) -> list[str]:
    """Each error of a failed validation as 'record N (id …, 'name'): field: problem'.

    ``offset`` is the index of the first record of ``data`` in the whole file (for a part of it).
    """
    errors = exc.errors()
    if is_bad_json(exc):
        return [_bad_json(data)]
    try:
        raw = _records_of(json.loads(data))
    except (ValueError, RecursionError):
        raw = []
    out = []
    for err in errors[:MAX_PROBLEMS]:
        loc = list(err["loc"])
        if loc and loc[0] in ("value", "items"):
            loc = loc[1:]
        if loc and isinstance(loc[0], int):
            index, loc = loc[0], loc[1:]
            label = record_label(offset + index, raw[index] if index < len(raw) else None)
        else:
            label = "the file"
        where = _path(loc)
        out.append(f"{label}: {where + ': ' if where else ''}{_message(err)}")
    if len(errors) > MAX_PROBLEMS:
        out.append(f"… and {len(errors) - MAX_PROBLEMS} more")
    return out


def is_bad_json(exc: ValidationError) -> bool:
    return any(e["type"] == "json_invalid" for e in exc.errors())


_REFERRAL_KEYS = frozenset({"name", "customerProfile", "details"})


def _is_one_referral(data: bytes) -> bool:
    """A top-level object that is a referral itself (it has a referral's keys, not an envelope's)."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return False
    return isinstance(doc, dict) and _REFERRAL_KEYS <= doc.keys()


def parse_referrals(data: bytes | str) -> list[Referral]:
    """Every record of a referral file (a list, an object with ``value``/``items``, or one referral
    object), type-checked."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    head = data.lstrip()[:1]
    try:
        if head == b"[":
            return REFERRALS.validate_json(data)
        if head == b"{":
            envelope = _ENVELOPE.validate_json(data)
            if {"value", "items"} <= envelope.model_fields_set:
                raise ImportRejected("the file: it has both a \"value\" and an \"items\" list, so which "
                                     "referrals it holds is ambiguous; nothing was imported")
            records = envelope.value if envelope.value is not None else envelope.items
            if records is None and _is_one_referral(data):
                # One referral object on its own: the body of a create request, as Microsoft's
                # "create a referral" example shows it, is a file of one record.
                return parse_referrals(b"[" + data + b"]")
            if records is None:
                raise ImportRejected("the file: a referral file is a JSON list, or an object with a "
                                     "\"value\" (or \"items\") list; nothing was imported")
            problems = [f"{record_label(i, {'id': r.id, 'name': r.name})}: {bounds_problem(r)}"
                        for i, r in enumerate(records) if bounds_problem(r)]
            if problems:
                raise ImportRejected(rejection(problems[:MAX_PROBLEMS]))
            return records
    except RecursionError:
        raise ImportRejected(rejection([_bad_json(data)])) from None
    except ValidationError as exc:
        if is_bad_json(exc):
            raise not_json(data) or ImportRejected(rejection([_bad_json(data)])) from None
        raise ImportRejected(rejection(describe(exc, data))) from None
    if not head:
        raise ImportRejected("the file is empty; nothing was imported")
    raise not_json(data) or ImportRejected(rejection([_bad_json(data)]))


_OPEN = re.compile(rb'^\s*(\[|\{\s*"(?:value|items)"\s*:\s*\[)\s*$')
_CLOSE_LIST = re.compile(rb"^\s*\]\s*$")
_CLOSE_OBJECT = re.compile(rb'^\s*\]\s*(,\s*"@odata\.count"\s*:\s*\d+\s*)?\}\s*$')


def split_lines(data: bytes) -> list[bytes] | None:
    """The records of a file laid out as ``cosell export`` writes it (one referral a line), each
    as its own JSON text, so parts of a big file can be checked side by side; None for any
    other layout, which is then read whole (the result is the same, just on one core)."""
    lines = data.split(b"\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) < 3:
        return None
    opening = _OPEN.match(lines[0])
    if opening is None:
        return None
    closing = _CLOSE_LIST if opening.group(1) == b"[" else _CLOSE_OBJECT
    if not closing.match(lines[-1]):
        return None
    records = []
    last = len(lines) - 2
    for n, line in enumerate(lines[1:-1], start=1):
        line = line.strip()
        comma = line.endswith(b",")
        if comma:
            line = line[:-1].rstrip()
        if comma != (n != last) or line[:1] != b"{" or line[-1:] != b"}":
            return None
        records.append(line)
    return records


def rejection(problems: list[str]) -> str:
    head = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
    return f"nothing was imported ({head}):\n  " + "\n  ".join(problems)


def raw_records(data: bytes) -> list:
    """The records of a file (already type-checked by ``parse_referrals``) as plain dicts, for
    the keys cosell does not model (``model.partner_center.extras``)."""
    try:
        import orjson

        doc = orjson.loads(data)
    except ImportError:  # pragma: no cover - orjson is a dependency
        doc = json.loads(data)
    return _records_of(doc)


def raw_lines(lines: list[bytes]) -> list:
    """``raw_records`` for the one-referral-a-line parts of a big file."""
    try:
        import orjson

        return [orjson.loads(line) for line in lines]
    except ImportError:  # pragma: no cover
        return [json.loads(line) for line in lines]
