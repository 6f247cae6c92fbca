"""The customer matcher as the TUI uses it: loaded once, off the UI thread, and
searched per keystroke in a worker whose stale answers are dropped.

The index is the stored one (``model.services.accounts.StoredMatcher``): built
once per state of the catalogue, by whichever process first needs it, and
memory-mapped by every later one, so opening it takes milliseconds. It is
loaded in a thread worker (``prewarm``) once the dashboard's first page is shown
(``CosellApp._start_background``), else when the search modal opens or on the
first search, and cached on the app: every search modal of the session shares
it. Each later modal asks (in the background) whether the catalogue changed; a
stale index keeps answering while its successor is built in another process.
A search runs in a thread worker too; each keystroke asks again, and an
answer is shown only if no newer question was asked in the meantime, so
results never flicker back to an older query.
"""
from __future__ import annotations

import gc
import threading
from functools import partial
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # pragma: no cover
    from model.services.accounts import AccountMatcher, SearchResult

_ATTR = "_cosell_matcher_service"


class MatcherService:
    """Owns one matcher (``AccountMatcher`` or ``StoredMatcher``); ``get`` blocks until it is
    loaded (call it from a worker)."""

    def __init__(self, build: Callable[[], AccountMatcher]):
        self._build = build
        self._lock = threading.Lock()
        self._matcher: AccountMatcher | None = None
        self.builds = 0  # how many times the matcher was made (tests check it is once)

    @classmethod
    def for_app(cls, app) -> MatcherService:
        """The app's service, created on first use from ``app.ctx.store``."""
        service = getattr(app, _ATTR, None)
        if service is None:
            from model.services.accounts import StoredMatcher

            store = app.ctx.store

            def load() -> StoredMatcher:
                stored = StoredMatcher(store)
                stored.current()  # load (or build) now, in the caller's worker thread
                return stored

            service = cls(load)
            setattr(app, _ATTR, service)
        return service

    @classmethod
    def install(cls, app, service: MatcherService) -> MatcherService:
        """Use ``service`` for ``app`` (a prebuilt matcher, or a test double)."""
        setattr(app, _ATTR, service)
        return service

    @property
    def ready(self) -> bool:
        return self._matcher is not None

    def get(self) -> AccountMatcher:
        with self._lock:
            if self._matcher is None:
                self._matcher = self._build()
                self.builds += 1
                # What loading made lives as long as the app: frozen, a full collection never
                # rescans it, which would hold the GIL for ~90 ms while the user types (B4b).
                gc.freeze()
            return self._matcher

    def prewarm(self, app) -> None:
        """Load the index in a thread worker now, so the first search is instant; once loaded,
        have it check (in its own thread) that the catalogue has not changed since."""
        if not self.ready:
            app.run_worker(self.get, thread=True, group="account-matcher", name="load customer index",
                           exit_on_error=False)
        else:
            refresh = getattr(self._matcher, "refresh", None)
            if refresh is not None:
                refresh()


def matcher_provider(app) -> Callable[[], AccountMatcher]:
    """What ``CustomerSearchScreen`` takes: a blocking getter, safe to call from a worker thread."""
    return MatcherService.for_app(app).get


class LiveSearch:
    """Runs each search in a thread worker of ``owner``; only the newest query's answer is delivered.

    ``deliver(result)`` and ``fail(exc)`` are called on the UI thread.
    """

    def __init__(self, owner, provider: Callable[[], AccountMatcher],
                 deliver: Callable[[SearchResult], None], fail: Callable[[BaseException], None],
                 *, limit: int = 20):
        self.owner = owner
        self.provider = provider
        self.deliver = deliver
        self.fail = fail
        self.limit = limit
        self._seq = 0
        self.in_flight = 0
        self.dropped = 0  # answers thrown away because the user had typed on

    @property
    def busy(self) -> bool:
        return self.in_flight > 0

    def ask(self, query: str, *, city_or_country: str | None = None, more: bool = False) -> int:
        self._seq += 1
        seq = self._seq
        self.in_flight += 1
        work = partial(self._run, seq, query, city_or_country or None, more)
        self.owner.run_worker(work, thread=True, group="customer-search", name=f"customer search {seq}",
                              exit_on_error=False)
        return seq

    def _run(self, seq: int, query: str, where: str | None, more: bool) -> None:
        result, error = None, None
        try:
            if seq == self._seq:  # else the user typed on before this one even started
                result = self.provider().search(query, city_or_country=where, limit=self.limit, more=more)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never swallowed
            error = exc
        try:
            self.owner.app.call_from_thread(self._finish, seq, result, error)
        except RuntimeError:  # the app closed while this search ran
            pass

    def _finish(self, seq: int, result: Any, error: BaseException | None) -> None:
        self.in_flight -= 1
        if seq != self._seq or not self.owner.is_attached:
            self.dropped += 1
            return
        if error is not None:
            self.fail(error)
        elif result is not None:
            self.deliver(result)
