"""Sign-in, throttling and reachability: 429 / 503 with Retry-After retried (at least twice in a
row, through an injected sleep) then left queued; no token or a 401 is one clear line, exit 2,
nothing changed here or there; proxies come from HTTP(S)_PROXY / NO_PROXY."""
from __future__ import annotations

import pytest

from model import services as svc
from model.partner_center.client import PartnerCenter, SignInNeeded, Unreachable
from model.services import sync
from pc_standin import TOKEN, pc  # noqa: F401  (fixture)
from transfer_support import counts, known_catalogue, pc_list_file  # noqa: F401  (autouse fixture)

RECEIVED = "11111111-1111-4111-8111-111111111111"


def pulled(ctx, pc):
    for r in pc_list_file()["value"]:
        pc.put(r)
    sync.sync_now(ctx, push=False, client=PartnerCenter(pc.url, TOKEN, sleep=lambda s: None))


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_waited_then_the_push_goes(ctx, pc, status):
    pulled(ctx, pc)
    svc.accept(ctx, RECEIVED)
    slept = []
    pc.fail_next(status, retry_after=7, times=2)
    report = sync.sync_now(ctx, pull=False, client=PartnerCenter(pc.url, TOKEN, sleep=slept.append))
    assert slept == [7, 7] and report.exit_code == 0                 # twice in a row, N seconds each
    assert pc.referrals[RECEIVED]["substatus"] == "Accepted"


@pytest.mark.parametrize("status", [429, 503])
def test_still_throttled_after_the_retries_the_change_stays_queued(ctx, pc, status):
    pulled(ctx, pc)
    svc.accept(ctx, RECEIVED)
    slept = []
    pc.fail_next(status, retry_after=3, times=3)
    with pytest.raises(Unreachable) as err:
        sync.sync_now(ctx, pull=False, client=PartnerCenter(pc.url, TOKEN, sleep=slept.append))
    assert err.value.exit_code == 6 and slept == [3, 3] and str(status) in str(err.value)
    assert [d.deal_id for d in sync.sync_status(ctx)] == [RECEIVED]
    assert pc.referrals[RECEIVED]["substatus"] == "Received"


def test_a_retry_after_longer_than_the_limit_is_not_slept(ctx, pc):
    pulled(ctx, pc)
    slept = []
    pc.fail_next(429, retry_after=3600)
    with pytest.raises(Unreachable):
        sync.sync_now(ctx, client=PartnerCenter(pc.url, TOKEN, sleep=slept.append))
    assert slept == []


def test_a_refused_token_changes_nothing_and_says_how_to_sign_in(ctx, pc):
    pulled(ctx, pc)
    svc.accept(ctx, RECEIVED)
    before, remote = counts(ctx.store), dict(pc.referrals)
    with pytest.raises(SignInNeeded) as err:
        sync.sync_now(ctx, client=PartnerCenter(pc.url, "wrong", sleep=lambda s: None))
    assert err.value.exit_code == 2 and "cosell login" in str(err.value) and "COSELL_PC_TOKEN" in str(err.value)
    assert counts(ctx.store) == before and pc.referrals == remote
    assert [d.deal_id for d in sync.sync_status(ctx)] == [RECEIVED]


def test_no_token_at_all_is_sign_in_needed_before_any_request(ctx, pc, monkeypatch, tmp_path):
    monkeypatch.delenv("COSELL_PC_TOKEN", raising=False)
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(tmp_path / "conf"))
    monkeypatch.setenv("COSELL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COSELL_PC_API_URL", pc.url)
    with pytest.raises(SignInNeeded) as err:
        sync.sync_now(ctx)
    assert "cosell login" in str(err.value) and pc.requests == []


def test_the_token_goes_as_a_bearer_header(ctx, pc, monkeypatch, tmp_path):
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(tmp_path / "conf"))
    monkeypatch.setenv("COSELL_PC_TOKEN", TOKEN)
    monkeypatch.setenv("COSELL_PC_API_URL", pc.url)
    sync.sync_now(ctx)
    assert pc.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_the_client_goes_through_http_proxy_unless_no_proxy_names_the_host(monkeypatch, pc):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
                 "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", pc.url)            # the stand-in plays the proxy too
    with PartnerCenter("http://partner.invalid", TOKEN) as c:
        assert next(c.pages()) == []
    [req] = pc.requests
    assert req.target.startswith("http://partner.invalid/v1.0/engagements/referrals")
    monkeypatch.setenv("NO_PROXY", "partner.invalid")   # now direct: that host does not exist
    with PartnerCenter("http://partner.invalid", TOKEN) as c, pytest.raises(Unreachable):
        next(c.pages())
    assert len(pc.requests) == 1
