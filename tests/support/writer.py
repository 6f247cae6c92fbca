"""One writer process of the concurrency test (tests/shared/test_concurrency.py).

Run as ``python writer.py '<json job>'``. It opens the store by URL, waits for
the go file so both writers start together, then performs ``actions`` service
calls on the given deals as the given user: notes appended with the optimistic
version it just read (re-read and retried on ConflictError), favorites toggled,
stages marked. It prints one JSON line with what it did; any other exception
(say, "database is locked") is a crash: traceback on stderr, exit 1.
"""
from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

from model import services as svc
from model.clock import FixedClock
from model.domain.enums import Role
from model.domain.errors import ConflictError, RuleViolation
from model.domain.schemas import User
from model.store import open_store


def main(job: dict) -> dict:
    store = open_store(job["url"], create=False)
    user = User(login=job["login"], display_name=job["login"], email=job["email"], role=Role(job["role"]),
                location=job["location"])
    ctx = svc.Ctx(store=store, clock=FixedClock(job["now"]), user=user)
    rng = random.Random(job["seed"])
    deals = job["deals"]
    notes, toggles, stages = Counter(), Counter(), Counter()
    refused = conflicts = conflicts_named = 0
    print("ready", flush=True)
    go = Path(job["go"])
    while not go.exists():
        time.sleep(0.002)
    for i in range(job["actions"]):
        deal_id = rng.choice(deals)
        roll = rng.random()
        if roll < 0.3:
            svc.set_favorite(ctx, deal_id)  # toggles inside one write transaction
            toggles[deal_id] += 1
            continue
        for _attempt in range(200):
            seen = svc.get_deal(ctx, deal_id)
            try:
                if roll < 0.9:
                    svc.add_note(ctx, deal_id, f"{job['login']}#{i}", version=seen.version)
                    notes[deal_id] += 1
                else:
                    svc.mark_stage(ctx, deal_id, version=seen.version)
                    stages[deal_id] += 1
                break
            except ConflictError as exc:
                conflicts += 1
                conflicts_named += bool(exc.changed_by and exc.changed_what)
            except RuleViolation:
                refused += 1  # every stage already marked: refused, nothing written
                break
        else:
            raise RuntimeError(f"action {i} on {deal_id} kept conflicting")
    store.dispose()
    return {"notes": notes, "toggles": toggles, "stages": stages, "refused": refused,
            "conflicts": conflicts, "conflicts_named": conflicts_named}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))), flush=True)
