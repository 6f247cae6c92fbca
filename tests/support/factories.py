"""Test data shared by every test folder: users, solutions, customers, deal factories.

Imported as ``from factories import ...`` (a unique module name: every test
folder may have its own conftest.py, so nothing imports ``conftest``).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from model.domain.enums import (
    AccountMatch, AccountTab, DealKind, Direction, HelpType, RegistrationKind, Role, SaleType,
    SolutionSource, Status, Substatus,
)
from model.domain.schemas import Customer, CustomerContact, Deal, DealDraft, DealSolution, Note, Person, User
from model.services.context import Ctx
from model.domain.stages import Stage

NOW = datetime.fromisoformat("2026-11-20T09:00:00+00:00")

ADMIN = User(login="alice", display_name="Alice Admin", email="alice@contoso-partner.com", role=Role.ADMIN)
SELLER_SE = User(login="bob", display_name="Bob Seller", email="bob@contoso-partner.com", role=Role.USER,
                 location="Sweden")


def ctx_as(ctx: Ctx, user: User) -> Ctx:
    return Ctx(store=ctx.store, clock=ctx.clock, user=user)


AZURE_APP = DealSolution(solution_id="SOL-AZ-1", name="Contoso Insights on Azure", source=SolutionSource.MY_COMPANY,
                         macc_eligible=True, incentivized=True, registration_kind=RegistrationKind.AZURE_IP_COSELL)
PLAIN_APP = DealSolution(solution_id="SOL-3P-9", name="Fabrikam Helper", source=SolutionSource.THIRD_PARTY)
ASSESSMENT = DealSolution(solution_id="SA-DATA", name="Data & AI assessment", source=SolutionSource.ASSESSMENT,
                          assessment_location="Sweden")

TEAM = [Person(name="Bob Seller", phone="+46 70 123 45 67", email="bob@contoso-partner.com")]


def managed_customer(**kw) -> Customer:
    base = dict(name="Northwind Traders AB", account_id="ACC-1", source=AccountTab.MANAGED,
                match=AccountMatch.MANAGED, city="Stockholm", country="SE",
                contacts=[CustomerContact(name="Nina Buyer", phone="+46 8 555 01", email="nina@northwind.example")],
                consent_to_share=True)
    base.update(kw)
    return Customer(**base)


def make_draft(**kw) -> DealDraft:
    base = dict(name="Northwind analytics", kind=DealKind.IP_COSELL, location="Sweden", customer=managed_customer(),
                value=Decimal("60000"), currency="USD", close_date=date(2027, 3, 31),
                notes="Customer wants a data platform", team=list(TEAM), solutions=[AZURE_APP],
                help_type=HelpType.NONE, share_with_microsoft=True)
    base.update(kw)
    return DealDraft(**base)


def make_inbound(**kw) -> Deal:
    base = dict(id=str(uuid.uuid4()), name="Inbound: Contoso retail", direction=Direction.INBOUND,
                kind=DealKind.IP_COSELL, sale_type=SaleType.CO_SELL, status=Status.NEW, substatus=Substatus.RECEIVED,
                stage=Stage.ACCEPTED, location="Sweden", customer=managed_customer(name="Contoso Retail AB"),
                value=Decimal("40000"), currency="EUR", close_date=date(2027, 2, 28), created_at=NOW, updated_at=NOW,
                team=list(TEAM), solutions=[AZURE_APP], sender_name="Microsoft seller Maria",
                sender_email="maria@microsoft.example", sender_is_microsoft=True,
                notes=[Note(at=NOW, author="maria", text="Customer asked for a partner")],
                help_type=HelpType.GENERAL)
    base.update(kw)
    return Deal(**base)
