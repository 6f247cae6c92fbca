"""Shared CLI plumbing: building the service context, printing, exit codes."""
from __future__ import annotations

import errno
import os
import re
import sys
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum

from model.domain.errors import CosellError, NotFound

EXIT_OK, EXIT_USAGE, EXIT_ATTENTION, EXIT_REFUSED, EXIT_CONFLICT = 0, 2, 3, 4, 5


def context(args, *, only_reads: bool | None = None):
    """The service context for this invocation: store from --db/env, clock from COSELL_NOW, OS user.

    A command that only reads (``only_reads``, or ``set_defaults(only_reads=True)`` where it is
    registered) is refused, exit 2, on a --db / COSELL_DATABASE_URL file that does not exist,
    instead of creating an empty one to report "nothing" from (``setup.open_store``)."""
    from model.services.setup import open_context

    if only_reads is None:
        only_reads = getattr(args, "only_reads", False)
    ctx = open_context(getattr(args, "db", None), existing=only_reads)
    _start_up_over()
    return ctx


# -- the collector while a command starts ---------------------------------------------------------

_starting: list = []  # while a command starts: its ``QuietStart``, which ``context`` ends


@contextmanager
def quiet_start(*, freeze: bool):
    """Collect rarely while the command starts (``model.services.startup``); ``context`` ends it
    once the store is open, and with ``freeze`` (the process ends with this command) what start-up
    made is frozen: never scanned again, by the command's own collections or at exit."""
    # Imported here, not at the top: importing ``cli.main`` (``--help``, parsing) loads no service.
    from model.services.startup import QuietStart

    quiet = QuietStart(freeze=freeze)
    _starting.append(quiet)
    try:
        yield
    finally:
        _starting.remove(quiet)
        quiet.close()


def _start_up_over() -> None:
    if _starting:
        _starting[-1].started()


def run(args) -> int:
    """Run a command; whatever goes wrong ends in one line on stderr and a documented exit code.

    A missing deal (or one the user may not see: the two are indistinguishable, R1.3) is exit 2,
    like any other name that does not resolve; 4 is kept for what a rule refused.
    """
    try:
        code = args.handler(args)
        sys.stdout.flush()
        return EXIT_OK if code is None else code
    except NotFound as exc:
        return fail(str(exc), EXIT_USAGE)
    except CosellError as exc:
        return fail(str(exc), exc.exit_code)
    except BrokenPipeError:  # `cosell list | head`
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EROFS) and exc.filename is None:
            _silence_stdout()
            return fail(f"cannot write the output: {exc.strerror}", EXIT_USAGE)
        name = f"{exc.filename}: " if exc.filename else ""
        return fail(f"{name}{exc.strerror or exc}", EXIT_USAGE)
    except ValueError as exc:
        return fail(str(exc), EXIT_USAGE)
    except (RecursionError, OverflowError, MemoryError) as exc:  # pragma: no cover - last resort
        return fail(f"cannot do that: {type(exc).__name__}: {exc}", EXIT_USAGE)


def fail(message: str, code: int) -> int:
    """The message on stderr, cleaned (a listing of every unmet rule keeps its lines); returns ``code``."""
    print(f"cosell: {safe(message)}", file=sys.stderr)
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's flush at exit does not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass


def to_jsonable(value):
    """What ``--json`` prints a value as. ``cli.jsontext`` writes the same in one pass (a test compares
    the two): a rule changed here changes there too."""
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
    """JSON for scripts: the data exactly, but no raw C1 control (8-bit OSC/CSI), bidi control or
    lone surrogate reaches the terminal: those are written as ``\\uXXXX`` (``text.json_safe``)."""
    from cli.jsontext import dumps  # json.dumps(to_jsonable(value), indent=2, ensure_ascii=False), faster
    from model.domain.text import json_safe

    sys.stdout.write(json_safe(dumps(value)))
    sys.stdout.write("\n")


def safe(text) -> str:
    """Text from users or imports, printed literally: no control characters or escapes."""
    from model.domain.text import clean

    return clean(text)


def print_table(headers: list[str], rows: list[list]) -> None:
    from model.domain.text import one_line

    # One line per cell: a name with CR/LF cannot forge rows of its own.
    cells = [[one_line(c) for c in row] for row in rows]
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
    try:
        span = timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[unit]: n})
    except OverflowError:
        span = None
    if span is None or span > MAX_DURATION:
        raise ValueError(f"duration {text!r} is too long: at most {MAX_DURATION.days // 365} years")
    return span


#: Longer than any deal lives; keeps "now + duration" inside what a date can hold.
MAX_DURATION = timedelta(days=365 * 100)
