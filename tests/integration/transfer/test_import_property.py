"""Random import files, mutations of valid Partner Center records (fields dropped, changed, typed
wrong; random statuses and stages; duplicates): each import is either refused, naming record and
field (and the rule, for a rule), with nothing written, or every stored deal passes the invariants."""
from __future__ import annotations

import copy
import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from deal_support import dump
from factories import ADMIN, NOW
from model.clock import FixedClock
from model.domain.errors import ImportRejected
from model.domain.rules.invariants import invariant_violations
from model.services import transfer
from model.services.context import Ctx
from model.store import open_store
from transfer_support import MANAGED_ACCOUNT, add_account, all_deals, pc_create_request, pc_list_file

BASE = pc_list_file()["value"]
STATUSES = ["New", "Active", "Closed", "new", "Bogus", None, 3]
SUBSTATUSES = ["Pending", "Received", "Accepted", "Engaged", "Won", "Lost", "Declined", "Expired", "Error", "won", ""]
STAGES = [None, "10", "20", "40", "60", "80", "100", "Qualify", "Develop", "Propose", "Close", "Won", "150", "x"]
REASONS = [None, "", "Customer not interested", "price", "Other", "a free text reason"]
WRONG = [None, 0, -5, 1.5, "", "text", [], {}, True, "2026-13-45T99:00:00Z"]
#: A problem line: "record N (id …, 'name'): field: message" (with "(Rn.n)" when a rule refused it).
PROBLEM = re.compile(r"^(record \d+( \(.*?\))?|the file)(: [\w.\[\]@]+)?: .+")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A database holding the base records (so a mutation of a stored id is reconciled), copied per example."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    store = open_store(path)
    add_account(store, *MANAGED_ACCOUNT, "managed")
    ctx = Ctx(store=store, clock=FixedClock(NOW), user=ADMIN)
    transfer.import_referrals(ctx, json.dumps({"value": BASE}))
    store.dispose()
    return path


def _paths(value, prefix=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield prefix + (i,)
            yield from _paths(v, prefix + (i,))


def _parent(doc, path):
    for part in path[:-1]:
        doc = doc[part]
    return doc


@st.composite
def mutated_record(draw):
    record = copy.deepcopy(draw(st.sampled_from(BASE + [pc_create_request()])))
    for _ in range(draw(st.integers(0, 3))):
        paths = list(_paths(record))
        path = draw(st.sampled_from(paths))
        parent = _parent(record, path)
        action = draw(st.sampled_from(["drop", "wrong", "status", "stage", "reason", "value", "id"]))
        if action == "drop":
            if isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif isinstance(parent, list) and path[-1] < len(parent):
                parent.pop(path[-1])
        elif action == "wrong":
            parent[path[-1]] = draw(st.sampled_from(WRONG))
        elif action == "status":
            record["status"] = draw(st.sampled_from(STATUSES))
            record["substatus"] = draw(st.sampled_from(SUBSTATUSES))
        elif action == "stage":
            record["salesStage"] = draw(st.sampled_from(STAGES))
        elif action == "reason":
            record["statusReason"] = draw(st.sampled_from(REASONS))
        elif action == "value" and isinstance(record.get("details"), dict):
            record["details"]["dealValue"] = draw(st.sampled_from([0, 10, 25_000, 1e12, -1, "5", 12.345]))
        elif action == "id" and "id" in record:
            record["id"] = draw(st.sampled_from([BASE[0]["id"], BASE[3]["id"], "x" * 40, ""]))
    return record


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(records=st.lists(mutated_record(), min_size=1, max_size=4), duplicate=st.booleans())
def test_a_random_file_is_refused_whole_or_every_deal_keeps_the_invariants(seeded, records, duplicate):
    if duplicate:
        records = records + [copy.deepcopy(records[0])]
    work = Path(tempfile.mkdtemp())
    try:
        shutil.copyfile(seeded, work / "t.db")
        store = open_store(work / "t.db")
        ctx = Ctx(store=store, clock=FixedClock(NOW), user=ADMIN)
        before = dump(store)
        try:
            transfer.import_referrals(ctx, json.dumps({"value": records}))
        except ImportRejected as err:
            event("refused")
            lines = str(err).split("\n")[1:]
            assert lines, str(err)
            for line in (ln.strip() for ln in lines):
                assert line.startswith("… and") or PROBLEM.match(line), line
            assert dump(store) == before  # nothing written
        else:
            event("imported")
            for deal in all_deals(ctx).values():
                assert invariant_violations(deal) == [], deal.id
        store.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)
