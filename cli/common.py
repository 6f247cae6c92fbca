"""Shared CLI plumbing: building the service context, printing, exit codes."""
from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum

from model.domain.errors import CosellError

EXIT_OK, EXIT_USAGE, EXIT_ATTENTION, EXIT_REFUSED, EXIT_CONFLICT = 0, 2, 3, 4, 5


def context(args):
    """The service context for this invocation: store from --db/env, clock from COSELL_NOW, OS user."""
    from model.services.setup import open_context

    return open_context(getattr(args, "db", None))


def run(args) -> int:
    try:
        code = args.handler(args)
        return EXIT_OK if code is None else code
    except CosellError as exc:
        print(f"cosell: {exc}", file=sys.stderr)
        return exc.exit_code
    except ValueError as exc:
        print(f"cosell: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # pragma: no cover - `cosell list | head`
        return EXIT_OK


def to_jsonable(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump())
    return value


def print_json(value) -> None:
    json.dump(to_jsonable(value), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def safe(text) -> str:
    """Text from users or imports, printed literally: no control characters or escapes."""
    from model.domain.text import clean

    return clean(text)


def print_table(headers: list[str], rows: list[list]) -> None:
    cells = [[safe(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")


def parse_duration(text: str) -> timedelta:
    """'48h', '2d', '90m', '1w' (bare numbers are hours)."""
    m = _DURATION.match(text or "")
    if not m:
        raise ValueError(f"bad duration {text!r}: use e.g. 48h, 2d, 90m")
    n, unit = float(m.group(1)), m.group(2) or "h"
    return timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[unit]: n})
