"""A stand-in for Partner Center's Referrals API on 127.0.0.1 (port 0), for tests and benchmarks.

What it does, as the spec says Partner Center does: ``GET /v1.0/engagements/referrals`` with
``$top`` and ``$filter=updatedDateTime gt …``, paged by ``@odata.nextLink`` (pages may be cut
shorter than ``$top``: ``page_max``); ``GET …/{id}``; ``POST`` assigning an id, an eTag and
the timestamps; ``PATCH`` with a JSON Patch of ``replace`` / ``add`` only, checking
``If-Match`` (412 on a stale eTag), each change a new eTag and a later ``updatedDateTime``;
401 for a wrong or missing bearer token; 429 / 503 with ``Retry-After`` on demand
(``fail_next``). It refuses a pushed ``Expired`` (expiry is Partner Center's own) with 400.
It also plays the sign-in service msal talks to for ``cosell login`` (OpenID discovery, device
code, token), at ``AUTH_HOST``, reached through ``SignInRouter``.

Every request is recorded (``requests``) for assertions. Time is a counter, one second per
change from ``start``, so ``updatedDateTime`` is deterministic. The server thread is a daemon
and ``stop()`` (or the context manager) shuts it down; nothing in it sleeps.
"""
from __future__ import annotations

import copy
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from model.partner_center.patch import apply_patch

BASE = "/v1.0/engagements/referrals"
TOKEN = "test-token"
AUTH_HOST = "https://login.standin.test"   # msal wants https: ``SignInRouter`` sends it here


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    body: object = None
    target: str = ""   # the request line's target: a full URL when it came through as a proxy


@dataclass
class StandIn:
    token: str = TOKEN
    page_max: int | None = None        # cut pages shorter than $top
    start: datetime = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
    referrals: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)
    failures: list = field(default_factory=list)   # [(status, retry_after)] for the next requests
    ticks: int = 0
    sign_ins: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- setting the scene ---------------------------------------------------------------------
    def now(self) -> str:
        self.ticks += 1
        return (self.start + timedelta(seconds=self.ticks)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def put(self, referral: dict) -> dict:
        """Add or overwrite a referral as Partner Center holds it (new eTag and updatedDateTime)."""
        with self.lock:
            return self._store(copy.deepcopy(referral))

    def change(self, referral_id: str, **fields) -> dict:
        """A change made in Partner Center's own pages (or by a colleague elsewhere)."""
        with self.lock:
            ref = copy.deepcopy(self.referrals[referral_id])
            for key, value in fields.items():
                ref[key] = value
            return self._store(ref)

    def _store(self, ref: dict) -> dict:
        ref.setdefault("id", str(uuid.uuid4()))
        ref["updatedDateTime"] = self.now()
        ref.setdefault("createdDateTime", ref["updatedDateTime"])
        ref["eTag"] = f'"{uuid.uuid4().hex[:12]}"'
        self.referrals[ref["id"]] = ref
        return copy.deepcopy(ref)

    def fail_next(self, status: int, retry_after: float | None = 1, times: int = 1) -> None:
        self.failures.extend([(status, retry_after)] * times)

    def calls(self, method: str | None = None) -> list[Request]:
        return [r for r in self.requests if method is None or r.method == method]

    # -- the server ----------------------------------------------------------------------------
    def serve(self) -> "StandIn":
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                owner._dispatch(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self.serve() if not hasattr(self, "_server") else self

    def __exit__(self, *exc):
        self.stop()

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}  # a form post
        with self.lock:
            self.requests.append(Request(h.command, parts.path, query, dict(h.headers.items()), body, h.path))
            status, payload, headers = self._answer(h.command, parts.path, query, h.headers, body)
        data = json.dumps(payload).encode() if payload is not None else b""
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _answer(self, method: str, path: str, query: dict, headers, body):
        if self.failures:
            status, wait = self.failures.pop(0)
            return status, {"error": {"message": "slow down"}}, ({"Retry-After": str(wait)} if wait is not None else {})
        if "/.well-known/openid-configuration" in path or "/oauth2/" in path:
            return self._sign_in(method, path, body)
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": {"message": "invalid token"}}, {}
        if path == BASE and method == "GET":
            return self._list(query)
        if path == BASE and method == "POST":
            if not isinstance(body, dict) or not body.get("name"):
                return 400, {"error": {"message": "a referral needs a name"}}, {}
            ref = dict(body)
            ref.pop("id", None)
            ref.setdefault("status", "Active")
            ref.setdefault("substatus", "Accepted")
            ref["direction"] = ref.get("direction") or "Outgoing"
            ref["engagementId"] = ref.get("engagementId") or str(uuid.uuid4())
            return 201, self._store(ref), {}
        if path.startswith(BASE + "/"):
            rid = path[len(BASE) + 1:]
            ref = self.referrals.get(rid)
            if ref is None:
                return 404, {"error": {"message": f"no referral {rid}"}}, {}
            if method == "GET":
                return 200, copy.deepcopy(ref), {"ETag": ref["eTag"]}
            if method == "PATCH":
                match = headers.get("If-Match")
                if match is not None and match != ref["eTag"]:
                    return 412, {"error": {"message": "eTag mismatch"}}, {}
                if not isinstance(body, list):
                    return 400, {"error": {"message": "a JSON Patch array is expected"}}, {}
                try:
                    new = apply_patch(ref, body)
                except (ValueError, KeyError, IndexError, TypeError) as exc:
                    return 400, {"error": {"message": str(exc)}}, {}
                if new.get("substatus") == "Expired" and ref.get("substatus") != "Expired":
                    return 400, {"error": {"message": "Expired is set by Partner Center only"}}, {}
                for key in ("id", "eTag", "createdDateTime"):
                    new[key] = ref[key]
                stored = self._store(new)
                return 200, stored, {"ETag": stored["eTag"]}
        return 404, {"error": {"message": f"no route {method} {path}"}}, {}

    # -- the sign-in service msal talks to (device code flow), at AUTH_HOST -----------------------
    def _sign_in(self, method: str, path: str, body):
        tenant = path.strip("/").split("/")[0]
        root = f"{AUTH_HOST}/{tenant}"
        if path.endswith("/.well-known/openid-configuration"):
            return 200, {"issuer": f"{root}/v2.0", "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                         "token_endpoint": f"{root}/oauth2/v2.0/token",
                         "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode"}, {}
        form = body if isinstance(body, dict) else {}
        self.sign_ins.append((path, form))
        if path.endswith("/devicecode"):
            return 200, {"device_code": "DEVICE-1", "user_code": "ABCD-EFGH", "expires_in": 900, "interval": 1,
                         "verification_uri": "https://microsoft.com/devicelogin",
                         "message": "To sign in, open https://microsoft.com/devicelogin and enter ABCD-EFGH"}, {}
        if path.endswith("/token"):
            if form.get("device_code") != "DEVICE-1" and form.get("grant_type") != "refresh_token":
                return 400, {"error": "invalid_grant", "error_description": "unknown device code"}, {}
            import base64
            import time

            def b64(doc) -> str:
                return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")

            now = int(time.time())
            claims = {"iss": f"{root}/v2.0", "aud": form.get("client_id"), "iat": now, "nbf": now, "exp": now + 3600,
                      "sub": "s1", "oid": "o1", "tid": tenant, "preferred_username": "seller@contoso-partner.com"}
            return 200, {"token_type": "Bearer", "access_token": self.token, "expires_in": 3600,
                         "refresh_token": "REFRESH-1", "scope": form.get("scope", ""),
                         "id_token": f"{b64({'alg': 'none'})}.{b64(claims)}.",
                         "client_info": b64({"uid": "o1", "utid": tenant})}, {}
        return 404, {"error": "not_found"}, {}

    def _list(self, query: dict):
        top = int(query.get("$top") or 100)
        items = sorted(self.referrals.values(), key=lambda r: (r["updatedDateTime"], r["id"]))
        flt = query.get("$filter")
        if flt:
            field_, op, value = flt.split(" ", 2)
            if field_ != "updatedDateTime" or op != "gt":
                return 400, {"error": {"message": f"unsupported $filter {flt!r}"}}, {}
            items = [r for r in items if r["updatedDateTime"] > value]
        skip = int(query.get("$skiptoken") or 0)
        size = min(top, self.page_max or top)
        page = items[skip:skip + size]
        out = {"@odata.context": "https://api.partner.microsoft.com/v1.0/$metadata#referrals",
               "@odata.count": len(items), "value": copy.deepcopy(page)}
        if skip + size < len(items):
            q = {"$top": str(top), "$skiptoken": str(skip + size)}
            if flt:
                q["$filter"] = flt
            out["@odata.nextLink"] = f"{self.url}{BASE}?{urlencode(q)}"
        return 200, out, {}


class SignInRouter:
    """An ``http_client`` for msal that sends ``AUTH_HOST`` to the stand-in: msal insists on https
    authorities, the stand-in is plain http on 127.0.0.1."""

    def __init__(self, stand_in: StandIn):
        import httpx

        self.stand_in, self._http = stand_in, httpx.Client(trust_env=False)

    def _url(self, url: str) -> str:
        return url.replace(AUTH_HOST, self.stand_in.url, 1)

    def get(self, url, params=None, headers=None, **kw):
        return self._http.get(self._url(url), params=params, headers=headers)

    def post(self, url, params=None, data=None, headers=None, **kw):
        return self._http.post(self._url(url), params=params, data=data, headers=headers)

    def close(self):
        self._http.close()


# -- pytest fixtures (import them by name: ``from pc_standin import pc, peer_store``) ------------

import os  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture
def pc():
    """A running stand-in, stopped after the test."""
    stand_in = StandIn().serve()
    yield stand_in
    stand_in.stop()


def peer_url(tmp_path) -> str:
    """A second cosell database beside the test's own: a SQLite file, or (COSELL_TEST_DATABASE_URL
    set) a second PostgreSQL database on the same server, created once and emptied per test."""
    url = os.environ.get("COSELL_TEST_DATABASE_URL")
    if not url:
        return str(tmp_path / "peer.db")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    peer = base.set(database=f"{base.database}_peer")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": peer.database}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{peer.database}"'))
    admin.dispose()
    return peer.render_as_string(hide_password=False)


@pytest.fixture
def peer_store(tmp_path):
    """The second database's store, empty, with the factories' catalogue."""
    from model.store import open_store
    from model.store.tables import Base
    from transfer_support import factory_catalogue

    url = peer_url(tmp_path)
    store = open_store(url, create=False)
    if not str(url).endswith(".db"):
        Base.metadata.drop_all(store.engine)
    store.create_schema()
    factory_catalogue(store)
    yield store
    store.dispose()
