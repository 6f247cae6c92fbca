"""One process of the soak (test_soak.py): mixed actions on shared deals until a deadline.

Run as ``python soak_worker.py '<json job>'``. It waits for the go file so all processes start
together, then until ``seconds`` have passed picks an action at random: read a tab page, show a
deal, append a note with the version it just read (re-read and retried on ConflictError: the
optimistic check, never a silent overwrite), toggle a favorite, mark the next stage. Every
action's wall time is recorded. A "database is locked" is counted (it must never happen), and
so is any other exception (a crash). One JSON line with the tallies goes to stdout.
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
from model.domain.enums import Role, Tab
from model.domain.errors import ConflictError, RuleViolation
from model.domain.listing import DealQuery
from model.domain.schemas import User
from model.store import open_store


def main(job: dict) -> dict:
    store = open_store(job["url"], create=False)
    user = User(login=job["login"], display_name=job["login"], email=job["email"], role=Role(job["role"]),
                location=job["location"])
    ctx = svc.Ctx(store=store, clock=FixedClock(job["now"]), user=user)
    rng = random.Random(job["seed"])
    deals = job["deals"]
    notes, toggles, stages, actions = Counter(), Counter(), Counter(), Counter()
    conflicts = refused = locked = crashes = 0
    errors: list[str] = []
    latencies: list[float] = []
    print("ready", flush=True)
    go = Path(job["go"])
    while not go.exists():
        time.sleep(0.002)
    deadline = time.monotonic() + job["seconds"]
    n = 0
    while time.monotonic() < deadline:
        n += 1
        deal_id = rng.choice(deals)
        roll = rng.random()
        started = time.perf_counter()
        try:
            if roll < 0.25:
                svc.list_deals(ctx, DealQuery(tab=rng.choice([Tab.OUTBOUND, Tab.FAVORITES]), limit=50))
                actions["list"] += 1
            elif roll < 0.40:
                svc.get_deal(ctx, deal_id)
                actions["show"] += 1
            elif roll < 0.60:
                svc.set_favorite(ctx, deal_id)
                toggles[deal_id] += 1
                actions["favorite"] += 1
            else:
                for _attempt in range(500):
                    seen = svc.get_deal(ctx, deal_id)
                    try:
                        if roll < 0.93:
                            svc.add_note(ctx, deal_id, f"{job['login']}/{job['seed']}#{n}", version=seen.version)
                            notes[deal_id] += 1
                            actions["note"] += 1
                        else:
                            svc.mark_stage(ctx, deal_id, version=seen.version)
                            stages[deal_id] += 1
                            actions["stage"] += 1
                        break
                    except ConflictError:
                        conflicts += 1
                    except RuleViolation:
                        refused += 1  # every stage already marked: refused, nothing written
                        actions["refused"] += 1
                        break
                else:
                    raise RuntimeError(f"action {n} on {deal_id} kept conflicting")
        except Exception as exc:  # noqa: BLE001 - counted, and the soak goes on
            if "locked" in str(exc).lower():
                locked += 1
            else:
                crashes += 1
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
        latencies.append(time.perf_counter() - started)
    store.dispose()
    return {"notes": notes, "toggles": toggles, "stages": stages, "actions": actions, "conflicts": conflicts,
            "refused": refused, "locked": locked, "crashes": crashes, "errors": errors[:5], "latencies": latencies}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))), flush=True)
