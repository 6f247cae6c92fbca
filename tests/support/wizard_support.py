"""Fixed reference data for the wizard's tests and snapshots: a small account
catalogue with every case R4 names, a solutions catalogue (R6.5, R6.7) and
co-sell partners (R7.4), plus a minimal app with ``ctx`` to host the screens.
"""
from __future__ import annotations

import asyncio
import functools
import time
from datetime import date
from decimal import Decimal

import pytest
from textual.app import App

from model.accounts.catalogue import upsert_rows
from model.domain.enums import DealKind, HelpType, SolutionSource
from model.domain.schemas import Customer, DealDraft, DealSolution, Person
from model.store.tables import PartnerRecord, SolutionRecord

# account_id, name, tab, linked_group, duns, city, country, macc, federal, parent_name
ACCOUNTS = [
    ("ACC-NW-1", "Northwind Traders AB", "managed", "LG-NW", "111111111", "Stockholm", "SE", True, False, None),
    ("ACC-NW-2", "Northwind Traders AB", "managed", "LG-NW", "111111112", "Göteborg", "SE", True, False, None),
    ("ACC-NW-3", "Northwind Traders Norge AS", "managed", "LG-NW", "111111113", "Oslo", "NO", False, False, None),
    ("ACC-TS-1", "Tailspin Toys Ltd", "managed", None, "222222221", "London", "GB", False, False, None),
    ("ACC-WW-1", "Wide World Importers Inc", "managed", None, "333333331", "Seattle", "US", True, False, None),
    ("ACC-CR-1", "Contoso Retail AB", "unmanaged", None, "444444441", "Malmö", "SE", False, False, None),
    ("ACC-CP-1", "Contoso Pharmaceuticals GmbH", "unmanaged", None, "444444442", "Berlin", "DE", False, False, None),
    ("ACC-FB-1", "Fabrikam Logistics Inc", "other", None, "555555551", "Denver", "US", False, False, None),
    ("ACC-FB-2", "FABRIKAM LOGISTICS INC.", "other", None, "555555552", "Denver", "US", False, False, None),
    ("ACC-FD-1", "US Department of Energy - Denver Regional Office", "other", None, "666666661", "Denver", "US",
     False, True, None),
    ("ACC-FD-2", "US Department of Energy", "managed", None, "666666662", "Washington", "US", False, True, None),
    ("ACC-AD-1", "Adatum Manufacturing Pvt Ltd", "other", None, "777777771", "Pune", "IN", False, False,
     "Adatum Group"),
    ("ACC-LU-1", "Lucerne Publishing SA", "other", None, "888888881", "Geneva", "CH", False, False, None),
]

SOLUTIONS = [
    # solution_id, name, source, publisher, macc, incentivized, registration_kind
    ("SOL-AZ-1", "Contoso Insights on Azure", "my_company", "Contoso Partner", True, True, "azure_ip_cosell"),
    ("SOL-MC-2", "Contoso Field Service App", "my_company", "Contoso Partner", False, False, None),
    ("SOL-MS-1", "Microsoft Fabric", "microsoft", "Microsoft", True, False, None),
    ("SOL-MS-2", "Dynamics 365 Sales", "microsoft", "Microsoft", False, True, "bizapps_premium"),
    ("SOL-3P-1", "Fabrikam Helper", "third_party", "Fabrikam", False, False, None),
    ("SA-DATA", "Data & AI assessment", "assessment", "Microsoft", False, False, None),
    ("SA-SEC", "Security assessment", "assessment", "Microsoft", False, False, None),
]

PARTNERS = [
    ("P-FAB", "Fabrikam Consulting Ltd", "1234567", "United Kingdom"),
    ("P-LIT", "Litware Systems AB", "2345678", "Sweden"),
    ("P-PRO", "Proseware Inc", "3456789", "United States"),
]

ME = Person(name="Bob Seller", phone="+46 70 123 45 67", email="bob@contoso-partner.com")
COLLEAGUE = Person(name="Carla Architect", phone="+46 70 765 43 21", email="carla@contoso-partner.com")


@pytest.fixture
def wctx(ctx):
    """The admin context (root conftest) on a store holding the reference catalogues.

    Test modules import it by name: a second conftest.py would clash with the root one's module name.
    """
    seed_reference(ctx.store)
    return ctx


def seed_reference(store) -> None:
    """Accounts, solutions and partners: the catalogues a new deal draws on."""
    with store.write() as session:
        upsert_rows(session, ACCOUNTS)
        for sid, name, source, publisher, macc, inc, kind in SOLUTIONS:
            session.add(SolutionRecord(solution_id=sid, name=name, source=source, publisher=publisher,
                                       macc_eligible=macc, incentivized=inc, registration_kind=kind,
                                       cosell_ready=True))
        for pid, name, mpn, location in PARTNERS:
            session.add(PartnerRecord(partner_id=pid, name=name, mpn_id=mpn, location=location))


def seed_recent_deal(ctx) -> None:
    """One earlier deal so R6.2 has people to offer."""
    from model import services as svc

    sol = DealSolution(solution_id="SOL-AZ-1", name="Contoso Insights on Azure", source=SolutionSource.MY_COMPANY,
                       macc_eligible=True, incentivized=True)
    svc.create_deal(ctx, DealDraft(
        name="Earlier deal", kind=DealKind.IP_COSELL, location="Sweden",
        customer=Customer(name="Tailspin Toys Ltd", account_id="ACC-TS-1"), value=Decimal("1000"),
        currency="USD", close_date=date(2027, 1, 31), notes="earlier", team=[ME, COLLEAGUE], solutions=[sol],
        help_type=HelpType.NONE, share_with_microsoft=True))


class Harness(App):
    """The smallest host for the wizard and dialogs: an app with ``ctx`` and the shell's hooks."""

    CSS = "Screen { background: $background; }"

    def __init__(self, ctx, screen_factory=None):
        super().__init__()
        self.ctx = ctx
        self.screen_factory = screen_factory
        self.results: list = []
        self.errors: list = []
        self.refreshed = 0

    def on_mount(self) -> None:
        if self.screen_factory is not None:
            self.push_screen(self.screen_factory(), self.results.append)

    def show_error(self, exc) -> None:
        self.errors.append(exc)
        self.notify(str(exc), severity="error")

    def refresh_deals(self) -> None:
        self.refreshed += 1


async def wait_for(pilot, predicate, timeout: float = 5.0, what: str = "condition"):
    """Pump the app until ``predicate()`` holds (workers finish on their own time)."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        try:
            if predicate():
                return
        except Exception:  # noqa: BLE001 - widgets may not exist yet
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def type_into(pilot, selector: str, text: str) -> None:
    """Focus a field and type into it, key by key."""
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    await pilot.press(*["space" if c == " " else c for c in text])


async def pick_customer(pilot, query: str, *, moves: tuple[str, ...] = (), confirm: bool = False) -> None:
    """In the open search modal: type, wait for results, move, and choose (twice for Unmanaged/Other)."""
    from tui.screens.customer_search import CustomerSearchScreen

    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CustomerSearchScreen), what="the search modal")
    screen = pilot.app.screen
    await pilot.press(*["space" if c == " " else c for c in query])
    await wait_for(pilot, lambda: screen.result is not None and screen.result.query == query
                   and not screen.search.busy, what=f"results for {query!r}")
    await pilot.press("down", *moves, "enter")
    if confirm:
        await pilot.pause()
        await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen is not screen, what="the modal to close")


def shown_errors(screen) -> dict[str, str]:
    """Every error line showing on the screen, by id: what a failed step move is explained by."""
    from tui.screens.new_deal.base import FieldError

    return {e.id: " | ".join(e.messages) for e in screen.query(FieldError) if e.messages}


async def next_step(pilot, expect: str | None = None) -> None:
    await pilot.press("ctrl+n")
    await pilot.pause()
    if expect is not None:
        try:
            await wait_for(pilot, lambda: pilot.app.screen.current == expect, timeout=3, what=f"step {expect}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; errors shown: {shown_errors(pilot.app.screen)}") from None


def error_text(screen, slot_id: str) -> str:
    """What the error line ``#slot_id`` says (empty when hidden)."""
    widget = screen.query_one(f"#{slot_id}")
    return " ".join(widget.messages) if widget.has_class("-shown") else ""


def pilot_test(fn):
    """Run an async test function on a fresh event loop (fixtures are passed through)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return run


def ready_draft(**kw):
    """A draft that passes every step: the wizard opened on it starts at step 1 with the customer chosen."""
    from model.domain.enums import AccountMatch, AccountTab, DealKind, HelpType, RegistrationKind
    from model.domain.schemas import Customer, DealDraft, DealSolution

    base = dict(
        name="NW data", kind=DealKind.IP_COSELL, location="Sweden",
        customer=Customer(name="Northwind Traders AB", account_id="ACC-NW-1", source=AccountTab.MANAGED,
                          match=AccountMatch.MANAGED, city="Stockholm", country="SE", macc=True),
        value=Decimal("60000"), currency="USD", close_date=date(2027, 3, 31), notes="Data platform",
        team=[ME], help_type=HelpType.NONE, share_with_microsoft=True,
        solutions=[DealSolution(solution_id="SOL-AZ-1", name="Contoso Insights on Azure",
                                source=SolutionSource.MY_COMPANY, publisher="Contoso Partner", macc_eligible=True,
                                incentivized=True, registration_kind=RegistrationKind.AZURE_IP_COSELL)],
    )
    base.update(kw)
    return DealDraft(**base)


async def goto(pilot, key: str) -> None:
    """Move forward with ctrl+n until step ``key`` (every step on the way must pass)."""
    for _ in range(8):
        if pilot.app.screen.current == key:
            return
        before = pilot.app.screen.current
        await next_step(pilot)
        if pilot.app.screen.current == before:
            raise AssertionError(f"stuck on {before}: {shown_errors(pilot.app.screen)}")
    raise AssertionError(f"never reached {key}")


def count_deals(ctx) -> int:
    from model import services as svc
    from model.domain.enums import Tab
    from model.domain.listing import DealQuery

    return svc.count_deals(ctx, DealQuery(tab=Tab.OUTBOUND))


def screen_text(app) -> str:
    """The screen as plain text, the way the user sees it."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)
