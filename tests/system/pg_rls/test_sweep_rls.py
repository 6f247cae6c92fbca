"""R8.2 under row-level security (R1.3, R1.4): the set-based sweep run by a referral user's cron
job expires exactly the overdue deals the server lets them see, with their events and the
senders' messages, and leaves every other deal alone for an admin's sweep."""
from __future__ import annotations

import json

import pytest

from factories import make_inbound
from model.domain.schemas import Person

REF_EMAIL = "sweep.ref@contoso-partner.com"


def _seed_overdue(url: str):
    def run():
        from datetime import timedelta

        from model.services.creation import receive_inbound
        from model.services.setup import open_context

        ctx = open_context(url, create=False)
        ids = {}
        for key, location, email in (("se_mine", "Sweden", REF_EMAIL),
                                     ("se_other", "Sweden", "someone.else@contoso-partner.com"),
                                     ("no_mine", "Norway", REF_EMAIL)):
            deal = make_inbound(name=f"Sweep {key}", location=location,
                                team=[Person(name=key, phone="+46 70 123 45 67", email=email)])
            ids[key] = receive_inbound(ctx, deal, received_at=ctx.now() - timedelta(days=15)).id
        print(json.dumps(ids))
        return 0
    return run


@pytest.fixture(scope="module")
def swept(cluster, logins):
    admin, ref = logins.make("sad"), logins.make("sre")
    logins.home(cluster.owner)
    r = logins.cosell(cluster.owner, "init", "--shared", "--postgres", cluster.url, "--admin", admin, db="")
    assert r.code == 0, r.err + r.out
    r = logins.cosell(admin, "users", "add", ref, "--name", "Sam Sweeper", "--email", REF_EMAIL, "--location", "Sweden")
    assert r.code == 0, r.err
    r = logins.python(admin, _seed_overdue(cluster.url))
    assert r.code == 0, r.err
    return {"admin": admin, "ref": ref, "ids": json.loads(r.out.splitlines()[-1]), "cluster": cluster,
            "logins": logins}


def test_r8_2_a_referral_users_sweep_expires_only_what_they_see(swept):  # R8.2, R1.3, R12.2
    c, ref, admin, ids, logins = swept["cluster"], swept["ref"], swept["admin"], swept["ids"], swept["logins"]
    r = logins.cosell(ref, "sweep", "--json")
    assert r.code == 0, r.err + (c.root / "server.log").read_text()[-4000:]
    doc = json.loads(r.out)
    assert [d["id"] for d in doc["expired"]] == [ids["se_mine"]] and doc["notifications_queued"] == 1

    def status(key):
        return c.psql(admin, f"SELECT substatus, version FROM deals WHERE id = '{ids[key]}'").out

    assert status("se_mine") == "Expired|2"
    assert status("se_other") == "Received|1" and status("no_mine") == "Received|1"
    r = c.psql(admin, "SELECT deal_id, actor FROM deal_events WHERE action = 'expired'")
    assert r.out == f"{ids['se_mine']}|sweep ({ref})"
    r = c.psql(admin, "SELECT deal_id, recipient FROM outbox WHERE kind = 'expired'")
    assert r.out == f"{ids['se_mine']}|maria@microsoft.example"

    r = logins.cosell(admin, "sweep", "--json")  # the admin's cron job: the rest
    assert r.code == 0, r.err
    assert sorted(d["id"] for d in json.loads(r.out)["expired"]) == sorted([ids["se_other"], ids["no_mine"]])
    assert c.psql(admin, "SELECT count(*) FROM outbox WHERE kind = 'expired'").out == "3"
    r = logins.cosell(ref, "sweep", "--json")
    assert r.code == 0 and json.loads(r.out)["count"] == 0
