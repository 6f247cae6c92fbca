"""B14 (issue 10 numbers B10–B13): pulling 10,000 referrals from Partner Center (the tests' stand-in on 127.0.0.1).

- B14a: a first pull into an empty database: every page (``$top=500``, ``@odata.nextLink``)
  read and imported through the import door, with each deal's sync state (eTag, base).
- B14b: a no-change pull right after: ``$filter=updatedDateTime gt <newest seen>`` answers an
  empty page, so it is one request and no deal, event, note or sync state written (only the
  cursor's "last pull" time). Both are checked on every sample and reported in the note.

The size is 10,000 referrals at either benchmark size (the issue's figure); the stand-in
serves from the same process, so its JSON encoding competes for the same cores and the
figures are an upper bound of what cosell itself costs.
"""
from __future__ import annotations

import copy
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.stats import Result

REFERRALS = 10_000


SUPPORT = str(Path(__file__).resolve().parents[1] / "tests" / "support")  # the stand-in and its data


def _referrals(n: int) -> list[dict]:
    from transfer_support import pc_list_file

    kinds = pc_list_file()["value"]
    out = []
    for i in range(n):
        ref = copy.deepcopy(kinds[i % len(kinds)])
        ref["id"] = f"{i:08d}-0000-4000-8000-000000000000"
        ref["engagementId"] = f"e{i}"
        ref["name"] = f"{ref['name']} {i}"
        out.append(ref)
    return out


def _counts(store) -> tuple:
    from sqlalchemy import func, select

    from model.store.sync_tables import SyncStateRecord
    from model.store.tables import DealRecord, EventRecord, NoteRecord

    with store.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in
                     (DealRecord, EventRecord, NoteRecord, SyncStateRecord)) + (
            s.scalar(select(func.sum(DealRecord.version))),)


def run(_db: Path, _size, first_samples: int = 3, quiet_samples: int = 10) -> list[Result]:
    if SUPPORT not in sys.path:
        sys.path.insert(0, SUPPORT)
    from pc_standin import TOKEN, StandIn

    from model.clock import FixedClock
    from model.domain.enums import Role
    from model.domain.schemas import User
    from model.partner_center.client import PartnerCenter
    from model.services import sync
    from model.services.context import Ctx
    from model.store import open_store

    refs = _referrals(REFERRALS)
    stand_in = StandIn().serve()
    for r in refs:
        stand_in._store(r)
    user = User(login="bench", display_name="Bench", email="bench@example.com", role=Role.ADMIN)
    first, quiet, requests, unchanged_rows = [], [], set(), True
    tmp = Path(tempfile.mkdtemp(prefix="cosell-b10-"))
    try:
        for k in range(first_samples):
            store = open_store(tmp / f"b10-{k}.db")
            ctx = Ctx(store=store, clock=FixedClock("2026-11-20T09:00:00Z"), user=user)
            t = time.perf_counter()
            report = sync.sync_now(ctx, push=False, client=PartnerCenter(stand_in.url, TOKEN))
            first.append(time.perf_counter() - t)
            if report.created != REFERRALS:
                raise RuntimeError(f"first pull created {report.created} deals, not {REFERRALS}: {report.refused[:1]}")
            if k == first_samples - 1:
                for _ in range(quiet_samples):
                    before = _counts(store)
                    t = time.perf_counter()
                    report = sync.sync_now(ctx, push=False, client=PartnerCenter(stand_in.url, TOKEN))
                    quiet.append((time.perf_counter() - t) * 1000)
                    requests.add(report.requests)
                    unchanged_rows &= _counts(store) == before
            store.dispose()
    finally:
        stand_in.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    pages = -(-REFERRALS // 500)
    return [
        Result("B14a", f"first pull of {REFERRALS:,} referrals ({pages} pages)", "s", first, "≤ 60 s",
               max(first) <= 60.0),
        Result("B14b", "no-change pull after it", "ms", quiet, "≤ 250 ms, 1 request, no writes",
               max(quiet) <= 250.0 and requests == {1} and unchanged_rows,
               note=f"requests per no-change pull: {sorted(requests)}; deals, events, notes, sync states and "
                    f"versions unchanged: {'yes' if unchanged_rows else 'NO'}"),
    ]
