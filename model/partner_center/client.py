"""The Referrals API client: list (paged), create, patch, get, over ``httpx``.

Why its own module: every way talking to Partner Center can go wrong is turned here into one
of a few errors a person can act on, each with its exit code, so the sync service never sees
an HTTP detail and a face never shows a traceback:

- ``SignInNeeded`` (no token, or 401): exit 2, says how to sign in;
- ``Unreachable`` (connection refused, DNS, timeout, 5xx, throttled past its retries): exit 6;
- ``EtagMismatch`` (412): the deal changed in Partner Center since it was last seen;
- ``PartnerCenterRefused`` (any other 4xx): the change is refused, with Partner Center's words.

A 429 or 503 carrying ``Retry-After`` is retried after that many seconds, at least twice in a
row (``retries``), through an injectable ``sleep`` so tests never wait; a wait longer than
``max_wait`` is not slept at all (a cron job must not hang for an hour): the change stays
queued. Proxies: ``trust_env=True`` makes httpx honour ``HTTP(S)_PROXY`` and ``NO_PROXY``.
"""
from __future__ import annotations

import time
from typing import Callable, Iterator
from urllib.parse import quote

import httpx

from model.domain.errors import CosellError
from model.partner_center.endpoint import DEFAULT_API_URL  # noqa: F401  (re-exported)

REFERRALS = "/v1.0/engagements/referrals"
SIGN_IN_HINT = ("run `cosell login` (device code sign-in; tenant and client id in config.toml) "
                "or set COSELL_PC_TOKEN to an access token")


class SignInNeeded(CosellError):
    exit_code = 2


class Unreachable(CosellError):
    exit_code = 6


class PartnerCenterRefused(CosellError):
    exit_code = 4

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class EtagMismatch(CosellError):
    exit_code = 5


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        from email.utils import parsedate_to_datetime
        from datetime import UTC, datetime

        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return None


def _words(response: httpx.Response) -> str:
    """Partner Center's own explanation, short: its error JSON's message, else the body's start."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:200]
    if isinstance(body, dict):
        err = body.get("error") if isinstance(body.get("error"), dict) else body
        for key in ("message", "description", "title"):
            if isinstance(err.get(key), str):
                return err[key][:200]
    return str(body)[:200]


class PartnerCenter:
    """One Referrals API endpoint with one bearer token."""

    def __init__(self, base_url: str, token: str | None, *, sleep: Callable[[float], None] = time.sleep,
                 retries: int = 2, max_wait: float = 120.0, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None):
        if not token:
            raise SignInNeeded(f"not signed in to Partner Center: {SIGN_IN_HINT}")
        self.base_url = base_url.rstrip("/")
        self.sleep, self.retries, self.max_wait = sleep, retries, max_wait
        self.requests = 0
        self._http = httpx.Client(base_url=self.base_url, trust_env=True, timeout=timeout, transport=transport,
                                  headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the calls ------------------------------------------------------------------------------
    def pages(self, *, since: str | None = None, top: int = 500) -> Iterator[list[dict]]:
        """Every referral (or those updated after ``since``), a page at a time, following
        ``@odata.nextLink`` until there is none; a page may hold fewer than ``top``."""
        params = {"$top": str(top)}
        if since:
            params["$filter"] = f"updatedDateTime gt {since}"
        url: str | None = REFERRALS
        seen: set[str] = set()
        while url is not None:
            body = self._call("GET", url, params=params).json()
            params = None  # a nextLink carries its own query
            if not isinstance(body, dict) or not isinstance(body.get("value", []), list):
                raise PartnerCenterRefused("Partner Center answered the referral list with something "
                                           "that is not a list of referrals", 200)
            yield [r for r in body.get("value", []) if isinstance(r, dict)]
            url = body.get("@odata.nextLink")
            if url is not None:
                if url in seen:  # a server repeating itself would loop forever
                    raise PartnerCenterRefused(f"Partner Center sent the same next page twice ({url})", 200)
                seen.add(url)

    def get(self, referral_id: str) -> dict:
        return self._call("GET", f"{REFERRALS}/{quote(referral_id, safe='')}").json()

    def create(self, referral: dict) -> dict:
        return self._call("POST", REFERRALS, json=referral).json()

    def patch(self, referral_id: str, ops: list[dict], etag: str | None) -> dict:
        """Apply ``ops``; ``If-Match`` carries the eTag last seen, verbatim. Returns the referral."""
        headers = {"Prefer": "return=representation", "Content-Type": "application/json"}
        if etag:
            headers["If-Match"] = etag
        response = self._call("PATCH", f"{REFERRALS}/{quote(referral_id, safe='')}", json=ops, headers=headers)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if "eTag" not in body and response.headers.get("ETag"):
            body["eTag"] = response.headers["ETag"]
        return body

    # -- one request, its retries and its errors -------------------------------------------------
    def _call(self, method: str, url: str, **kw) -> httpx.Response:
        attempt = 0
        while True:
            try:
                self.requests += 1
                response = self._http.request(method, url, **kw)
            except httpx.HTTPError as exc:
                raise Unreachable(f"Partner Center cannot be reached at {self.base_url} "
                                  f"({type(exc).__name__}: {exc or 'no answer'}); changes stay queued") from None
            code = response.status_code
            if code in (429, 503):
                wait = _retry_after(response)
                if attempt < self.retries and wait is not None and wait <= self.max_wait:
                    attempt += 1
                    self.sleep(wait)
                    continue
                raise Unreachable(f"Partner Center is busy (HTTP {code}"
                                  + (f", Retry-After {wait:g} s" if wait is not None else "")
                                  + f", tried {attempt + 1} times); changes stay queued")
            if code == 401:
                raise SignInNeeded(f"Partner Center refused the token (HTTP 401): {SIGN_IN_HINT}")
            if code == 403:
                raise SignInNeeded("Partner Center refused access (HTTP 403): the account needs the Referrals "
                                   f"admin or Referrals user role; {SIGN_IN_HINT}")
            if code == 412:
                raise EtagMismatch("the referral changed in Partner Center since it was last seen (HTTP 412)")
            if code >= 500:
                raise Unreachable(f"Partner Center failed (HTTP {code}: {_words(response)}); changes stay queued")
            if code >= 400:
                raise PartnerCenterRefused(f"Partner Center refused {method} {url} (HTTP {code}: "
                                           f"{_words(response)})", code)
            return response
