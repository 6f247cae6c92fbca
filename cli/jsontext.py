"""The CLI's ``--json`` text: ``json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)``,
character for character, in one pass and without the standard library's indenting encoder.

Why: with ``indent`` set, ``json`` falls back from its C encoder to a pure-Python generator
per value, and `cosell expiring --json` (cron, every few minutes, thousands of deals) spent
more time there and in the separate ``to_jsonable`` walk than in its query. The output is the
same document, byte for byte (``tests/unit/cli/test_cli_jsontext.py`` compares the two on
every kind of value the CLI prints and on random nestings), so scripts see no change.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from json.encoder import INFINITY, encode_basestring

__all__ = ["dumps"]

_float_repr = float.__repr__
_int_repr = int.__repr__


def _float(value: float) -> str:
    """As ``json`` spells a float: ``repr``, and JavaScript's names for the non-finite ones."""
    if value != value:
        return "NaN"
    if value == INFINITY:
        return "Infinity"
    if value == -INFINITY:
        return "-Infinity"
    return _float_repr(value)


def _key(key) -> str:
    """A dict key as ``json`` turns it into a string (the same types, in the same order)."""
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return _int_repr(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def dumps(value) -> str:
    """``value`` (enums, dates, decimals and pydantic models included) as indented JSON text."""
    out: list[str] = []
    put = out.append

    def scalar_or_none(o) -> str | None:
        """The text of a value that needs no nesting, or None for a container (or a model)."""
        kind = type(o)
        if kind is str:
            return encode_basestring(o)
        if kind is int:
            return _int_repr(o)
        if kind is bool:
            return "true" if o else "false"
        if o is None:
            return "null"
        if kind is float:
            return _float(o)
        return None

    def encode(o, pad: str) -> None:
        text = scalar_or_none(o)
        if text is not None:
            put(text)
            return
        # What ``to_jsonable`` does first: enums, dates, decimals, models become plain values.
        if isinstance(o, Enum):
            return encode(o.value, pad)
        if isinstance(o, date):  # datetime too
            put(encode_basestring(o.isoformat()))
            return
        if isinstance(o, Decimal):
            put(_float(float(o)))
            return
        if isinstance(o, dict):
            if not o:
                put("{}")
                return
            inner = pad + "  "
            put("{")
            first = True
            for k, v in o.items():
                put(inner if first else "," + inner)
                first = False
                put(encode_basestring(_key(k)))
                put(": ")
                encode(v, inner)
            put(pad)
            put("}")
            return
        if isinstance(o, (list, tuple)):
            if not o:
                put("[]")
                return
            inner = pad + "  "
            put("[")
            first = True
            for v in o:
                put(inner if first else "," + inner)
                first = False
                encode(v, inner)
            put(pad)
            put("]")
            return
        if hasattr(o, "model_dump"):
            return encode(o.model_dump(), pad)
        # What ``json`` then accepts of what is left: subclasses of its own types.
        if isinstance(o, str):
            put(encode_basestring(o))
        elif o is True or o is False:
            put("true" if o else "false")
        elif isinstance(o, int):
            put(_int_repr(o))
        elif isinstance(o, float):
            put(_float(o))
        else:
            raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")

    encode(value, "\n")
    return "".join(out)
