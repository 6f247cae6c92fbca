"""What a change did to a deal, as the history records it: {field: [before, after]}.

Pure, so the services, the importer's reconcile and the audit trail describe a change the
same way. List entries are named (team emails, solution ids, partner names), not dumped.
"""
from __future__ import annotations

from model.domain.schemas import Deal

_SKIP = {"version", "updated_at", "notes"}
# How a list entry is named in the history: who joined the team, which solution went, ...
_IDENTITY = {"team": "email", "solutions": "solution_id", "invitations": "partner_name", "contacts": "email"}


def _summary(key: str, items: list) -> list:
    ident = _IDENTITY.get(key)
    return [item.get(ident) if ident and isinstance(item, dict) else item for item in items]


def _inside(key: str, before: list, after: list) -> dict:
    """Same entries, changed contents (an invitation's notes): {"<entry>.<field>": [before, after]}."""
    out = {}
    for i, (x, y) in enumerate(zip(before, after)):
        if x == y or not isinstance(x, dict):
            continue
        name = _summary(key, [y])[0] or str(i)
        out.update({f"{name}.{k}": [x.get(k), v] for k, v in y.items() if x.get(k) != v})
    return out


def diff(old: Deal, new: Deal) -> dict:
    """What changed, as {field: [before, after]}; an appended note shows as {"note": text}."""
    a, b = old.model_dump(mode="json"), new.model_dump(mode="json")
    out = {}
    for key in b:
        if key in _SKIP or a.get(key) == b.get(key):
            continue
        if isinstance(b[key], list):
            before, after = _summary(key, a.get(key) or []), _summary(key, b[key])
            out[key] = [before, after] if before != after else _inside(key, a.get(key) or [], b[key])
        elif isinstance(b[key], dict):
            inner = {}
            for k, v in b[key].items():
                before = (a.get(key) or {}).get(k)
                if before != v:
                    inner[k] = [_summary(k, before or []), _summary(k, v)] if isinstance(v, list) else [before, v]
            out[key] = inner
        else:
            out[key] = [a.get(key), b[key]]
    if len(new.notes) > len(old.notes):
        out["note"] = new.notes[-1].text
    return out
