"""A deal's change as Partner Center's PATCH body: a JSON Patch (RFC 6902) of ``replace`` / ``add``.

Partner Center accepts only those two operations (spec, PATCH page), so the patch is made from
two referral dicts, the one Partner Center last confirmed and the one the deal is now: a key
that is new becomes ``add``, a changed value ``replace``. Objects are compared key by key, so
an accept touches only ``/status``, ``/substatus``, ``/name``, ``/details/dealValue`` and so
on, and a colleague's change to another field survives; a list (team, solutions) is replaced
whole, as Partner Center has no stable ids for its items. A key that disappeared locally is
left as it is (there is no ``remove``). Status and substatus, when changed, travel in the
same patch, so Partner Center never sees one without the other.
"""
from __future__ import annotations

#: What Partner Center writes itself, never part of a change (read-only, or the concurrency token).
SERVER_KEYS = frozenset({"id", "eTag", "createdDateTime", "updatedDateTime", "links", "@odata.context",
                         "@odata.etag", "cosell"})


def pointer(parts: list[str]) -> str:
    """A JSON Pointer: ``~`` and ``/`` inside a key are escaped (RFC 6901)."""
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def json_patch(before: dict, after: dict) -> list[dict]:
    """The ``replace`` / ``add`` operations that turn ``before`` into ``after`` (server keys left out)."""
    ops: list[dict] = []
    _walk({k: v for k, v in before.items() if k not in SERVER_KEYS},
          {k: v for k, v in after.items() if k not in SERVER_KEYS}, [], ops)
    return ops


def _walk(before: dict, after: dict, path: list[str], ops: list[dict]) -> None:
    for key, value in after.items():
        here = path + [key]
        if key not in before:
            ops.append({"op": "add", "path": pointer(here), "value": value})
        elif isinstance(value, dict) and isinstance(before[key], dict):
            _walk(before[key], value, here, ops)
        elif before[key] != value or type(before[key]) is not type(value):
            ops.append({"op": "replace", "path": pointer(here), "value": value})


def apply_patch(doc: dict, ops: list[dict]) -> dict:
    """``doc`` with ``ops`` applied (``replace`` / ``add`` on object keys; ``-`` appends to a list).

    Used by the tests' Partner Center stand-in; raises ``ValueError`` on any other operation,
    as Partner Center answers 400.
    """
    import copy

    out = copy.deepcopy(doc)
    for op in ops:
        kind, path = op.get("op"), op.get("path")
        if kind not in ("replace", "add") or not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"unsupported patch operation {op!r}: only replace and add")
        parts = [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]
        target = out
        for part in parts[:-1]:
            if isinstance(target, list):
                target = target[int(part)]
            else:
                target = target.setdefault(part, {})
        last = parts[-1]
        if isinstance(target, list):
            if last == "-":
                target.append(op["value"])
            else:
                target[int(last)] = op["value"]
        else:
            if kind == "replace" and last not in target:
                raise ValueError(f"replace of a missing key {path!r}")
            target[last] = op["value"]
    return out
