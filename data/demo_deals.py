"""One demo deal at a time, consistent with the rules a real deal would have passed.

A ``Shape`` says what a deal is (direction, kind, sale type, how far it got);
``DealMaker.make`` dresses it: a customer from the account catalogue, people
from the roster, solutions that satisfy R6.4–R6.7, stages marked as R8.9 wants
them, a history of events (one per action, so ``version`` counts them) and
notes in the on-the-record log. All randomness comes from the one ``Random``.
"""
from __future__ import annotations

import math
import random
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from data import catalogue as cat
from data import demo_text as text
from data.demo_timeline import Timeline
from model.domain.enums import (
    AccountMatch, AccountTab, DealKind as K, Direction as D, MarketplaceIntent, MicrosoftStatus as MS,
    PartnerRole, RegistrationStatus as RS, SaleType as ST, SolutionSource,
)
from model.domain.rules.fx import rate
from model.domain.schemas import Customer, CustomerContact, Deal, DealSolution, Person
from model.domain.stages import Stage

DAY = 86_400


@dataclass(frozen=True)
class Shape:
    direction: D
    kind: K
    sale_type: ST | None
    outcome: str  # received | open | won | lost | declined | expired | error
    stage: Stage | None = None
    age_days: float | None = None  # received inbound deals: how long ago they arrived
    registration: RS | None = None
    microsoft: MS | None = None
    favorite: bool = False
    awkward: str | None = None  # "markup" (Rich markup in the name) | "ansi" (escape codes in a note)


def scenario_shapes() -> list[Shape]:
    """The deals every demo starts with: each kind, sale type, stage and ending at least once."""
    out = []
    open_stages = (Stage.CREATED, Stage.QUALIFIED, Stage.DEVELOPED, Stage.PROPOSED, Stage.NEGOTIATED)
    cosell_ms = iter((MS.INVITED, MS.ACCEPTED))
    for i, (kind, sale) in enumerate((k, s) for k in (K.IP_COSELL, K.SERVICES_COSELL)
                                     for s in (ST.PRIVATE, ST.PARTNER_LED, ST.CO_SELL, ST.P2P)):
        ms = next(cosell_ms) if sale is ST.CO_SELL else None
        out.append(Shape(D.OUTBOUND, kind, sale, "open", open_stages[i % 5], microsoft=ms,
                         favorite=i in (1, 6), awkward="markup" if i == 0 else "ansi" if i == 5 else None))
    out += [Shape(D.OUTBOUND, K.SOLUTION_ASSESSMENT, None, "open", s)
            for s in (Stage.CREATED, Stage.SCOPED, Stage.ASSESSING, Stage.DELIVERED)]
    out += [Shape(D.INBOUND, K.IP_COSELL, ST.CO_SELL, "received", age_days=age, favorite=age == 5)
            for age in (0.05, 5, 13.85, 15.2)]  # new, mid-window, < 24 h left, overdue
    out.append(Shape(D.INBOUND, K.SERVICES_COSELL, ST.CO_SELL, "received", age_days=11.5))
    out.append(Shape(D.INBOUND, K.IP_COSELL, ST.P2P, "received", age_days=2))
    out += [Shape(D.INBOUND, K.SERVICES_COSELL, ST.CO_SELL, "open", Stage.ACCEPTED),
            Shape(D.INBOUND, K.IP_COSELL, ST.CO_SELL, "open", Stage.QUALIFIED, favorite=True),
            Shape(D.INBOUND, K.IP_COSELL, ST.P2P, "open", Stage.NEGOTIATED)]
    out.append(Shape(D.OUTBOUND, K.IP_COSELL, ST.CO_SELL, "open", Stage.PROPOSED, microsoft=MS.DECLINED))
    for status in RS:  # R10.4: a won deal's registration in every validation state
        out.append(Shape(D.OUTBOUND, K.IP_COSELL, ST.PARTNER_LED if status is RS.NONE else ST.CO_SELL, "won",
                         registration=status, microsoft=MS.WON if status is not RS.NONE else None,
                         favorite=status is RS.APPROVED))
    out += [Shape(D.OUTBOUND, K.IP_AND_SERVICES, ST.P2P, "won"),  # R2.7: IP and services at once
            Shape(D.OUTBOUND, K.SOLUTION_ASSESSMENT, None, "won"),
            Shape(D.INBOUND, K.IP_COSELL, ST.CO_SELL, "won"),
            Shape(D.OUTBOUND, K.IP_COSELL, ST.PRIVATE, "lost", Stage.PROPOSED),
            Shape(D.INBOUND, K.SERVICES_COSELL, ST.CO_SELL, "lost", Stage.DEVELOPED),
            Shape(D.INBOUND, K.IP_COSELL, ST.CO_SELL, "declined"),
            Shape(D.INBOUND, K.SERVICES_COSELL, ST.P2P, "expired"),
            Shape(D.OUTBOUND, K.SERVICES_COSELL, ST.PARTNER_LED, "error", Stage.QUALIFIED),
            Shape(D.INBOUND, K.IP_COSELL, ST.CO_SELL, "error")]
    return out


def _w(rng: random.Random, pairs):
    items, weights = zip(*pairs)
    return rng.choices(items, weights)[0]


class DealMaker:
    def __init__(self, rng: random.Random, now: datetime, pool: list[tuple], *, in_catalogue: bool, admin: str):
        self.rng, self.now, self.admin = rng, now.replace(second=0, microsecond=0), admin
        self.pool = pool
        self.managed = [row for row in pool if row[2] == "managed"] or pool
        self.in_catalogue = in_catalogue
        self.solutions = {s.solution_id: DealSolution(**s.model_dump()) for s in cat.SOLUTIONS}
        by = lambda pred: [s for s in self.solutions.values() if pred(s)]  # noqa: E731
        self.own = by(lambda s: s.source is SolutionSource.MY_COMPANY and s.cosell_ready)
        self.registrable = by(lambda s: s.source is SolutionSource.MY_COMPANY and s.registration_kind is not None)
        self.others = by(lambda s: s.source in (SolutionSource.MICROSOFT, SolutionSource.THIRD_PARTY))
        self.macc = by(lambda s: s.macc_eligible and s.source is not SolutionSource.ASSESSMENT)
        self.assessments = by(lambda s: s.source is SolutionSource.ASSESSMENT)
        self.areas = list(cat.SOLUTION_AREAS)

    # -- random shapes ------------------------------------------------------------------------
    def random_shape(self) -> Shape:
        r = self.rng
        if r.random() < 0.4:
            kind = _w(r, ((K.IP_COSELL, 6), (K.SERVICES_COSELL, 4)))
            sale = _w(r, ((ST.CO_SELL, 8), (ST.P2P, 2)))
            outcome = _w(r, (("received", 30), ("open", 35), ("won", 12), ("lost", 8), ("declined", 7),
                             ("expired", 5), ("error", 3)))
            return Shape(D.INBOUND, kind, sale, outcome, age_days=r.uniform(0, 16), favorite=r.random() < 0.1)
        kind = _w(r, ((K.IP_COSELL, 50), (K.SERVICES_COSELL, 35), (K.SOLUTION_ASSESSMENT, 15)))
        sale = None if kind is K.SOLUTION_ASSESSMENT else _w(
            r, ((ST.PRIVATE, 15), (ST.PARTNER_LED, 30), (ST.CO_SELL, 35), (ST.P2P, 20)))
        outcome = _w(r, (("open", 68), ("won", 17), ("lost", 10), ("error", 5)))
        reg = None
        if outcome == "won" and kind is K.IP_COSELL and sale in (ST.PARTNER_LED, ST.CO_SELL) and r.random() < 0.6:
            reg = _w(r, ((RS.NONE, 2), (RS.REVIEW_PENDING, 3), (RS.ACTION_REQUIRED, 1), (RS.APPROVED, 4),
                         (RS.REJECTED, 1)))
        return Shape(D.OUTBOUND, kind, sale, outcome, registration=reg, favorite=r.random() < 0.12)

    # -- parts --------------------------------------------------------------------------------
    def _span(self, lo_days: float, hi_days: float) -> timedelta:
        return timedelta(seconds=int(self.rng.uniform(lo_days, hi_days) * DAY) // 60 * 60)

    def customer(self, shape: Shape, cosell: bool) -> tuple[Customer, str]:
        r = self.rng
        row = r.choice(self.managed if shape.registration not in (None, RS.NONE) else self.pool)
        account_id, name, tab, _group, duns, city, country, macc, federal, _parent = row
        region = text.REGION.get(country, "eu")
        first, last = r.choice(text.FIRST_NAMES[region]), r.choice(text.LAST_NAMES[region])
        # A mail domain keeps only letters, digits and hyphens: "Radev Dorror (Pul)" must not make
        # "radevdorror(pul).example", which cosell's own import refuses (R4.10).
        domain = re.sub(r"[^a-z0-9-]", "", cat.mail_local(text.short_name(name)).lower()).strip("-") or "customer"
        contact = CustomerContact(name=f"{first} {last}", phone=f"{text.PHONE_PREFIX.get(country, '+44 20')} "
                                  f"{r.randrange(100, 999)} {r.randrange(10, 99)} {r.randrange(10, 99)}",
                                  email=f"{cat.mail_local(first + ' ' + last)}@{domain}.example")
        contacts = [contact] if cosell or r.random() < 0.7 else []
        if not self.in_catalogue or (tab == "other" and r.random() < 0.15):
            source, account_id, match = AccountTab.MANUAL, None, AccountMatch.NOT_MATCHED
            duns = None
        else:
            source = AccountTab(tab)
            match = {"managed": AccountMatch.MANAGED, "unmanaged": AccountMatch.UNMANAGED}.get(
                tab, AccountMatch.NOT_MATCHED)
        return Customer(name=name, account_id=account_id, duns=duns, source=source, match=match, city=city,
                        country=country, macc=bool(macc) and source is not AccountTab.MANUAL,
                        federal=bool(federal) and source is AccountTab.OTHER,  # R4.6
                        contacts=contacts, consent_to_share=bool(contacts)), country

    def solutions_for(self, kind: K, customer: Customer, location: str, registrable: bool) -> list[DealSolution]:
        r = self.rng
        if kind is K.SOLUTION_ASSESSMENT:
            return [r.choice(self.assessments).model_copy(update={"assessment_location": location})]
        if kind is K.IP_COSELL:
            chosen = [r.choice(self.registrable if registrable else self.own)]
            if r.random() < 0.35:
                chosen.append(r.choice(self.others))
        else:
            chosen = r.sample(self.others, r.choice((0, 1, 1, 2)))
        if kind is K.IP_AND_SERVICES:
            # R2.7/R2.8: its IP side is one of our co-sell-ready solutions. Drawn from its own
            # generator so the shared one (and so every other demo deal) is the same as before.
            chosen.insert(0, random.Random(f"{location}/{customer.name}").choice(self.own))
        if chosen and customer.macc and not any(s.macc_eligible for s in chosen):
            chosen.append(r.choice([s for s in self.macc if s not in chosen]))  # R6.7
        return chosen

    def money(self, country: str, registrable: bool) -> tuple[Decimal, str]:
        r = self.rng
        usd = min(max(math.exp(r.gauss(math.log(60_000), 0.9)), 5_000), 2_500_000)
        if registrable:
            usd = max(usd, 40_000)  # R10.1: at least 25,000 USD, with room for exchange rates
        currency = text.CURRENCY_OF.get(country, "EUR")
        local = usd / float(rate(currency, self.now.date())) if currency != "USD" else usd
        step = 5_000 if currency in ("SEK", "NOK") else 500
        return Decimal(max(step, int(round(local / step)) * step)), currency

    def team(self, location: str) -> list[Person]:
        r = self.rng
        local = cat.people_in(location) or [p for p, _ in cat.ROSTER]
        team = r.sample(local, min(len(local), r.choice((1, 1, 2))))
        if r.random() < 0.2:
            extra = r.choice([p for p, _ in cat.ROSTER])
            if extra not in team:
                team.append(extra)
        return [p.model_copy() for p in team]

    def fill(self, template: str, **kw) -> str:
        return template.format(**kw)

    # -- the deal ----------------------------------------------------------------------------
    def make(self, shape: Shape) -> tuple[Deal, list[dict]]:
        r = self.rng
        deal_id = str(uuid.UUID(int=r.getrandbits(128), version=4))
        inbound = shape.direction is D.INBOUND
        kind, sale = shape.kind, shape.sale_type
        cosell = sale is ST.CO_SELL
        registrable = shape.registration not in (None, RS.NONE) or (
            shape.outcome == "won" and shape.registration is RS.NONE)
        customer, country = self.customer(shape, cosell)
        location = text.LOCATION_OF.get(country) or r.choice(("Germany", "United Kingdom"))
        team = self.team(location)
        solutions = self.solutions_for(kind, customer, location, registrable)
        value, currency = self.money(country, registrable)
        short = text.short_name(customer.name)
        project = r.choice(text.PROJECTS.get(kind.value) or text.PROJECTS["services_cosell"])
        name = self.fill(text.AWKWARD_NAME, customer=short) if shape.awkward == "markup" else f"{short}: {project}"
        owner = team[0]
        fields = dict(
            id=deal_id, name=name, direction=shape.direction, kind=kind, sale_type=sale, location=location,
            customer=customer, value=value, currency=currency, team=team, solutions=solutions,
            crm_id=f"OPP-{r.randrange(10_000, 99_999)}" if r.random() < 0.6 else None,
            campaign_id=r.choice(("FY27-NORDICS-AI", "FY27-SECURITY-SPRINT", "FY27-DATA-FABRIC")) if r.random() < 0.25 else None,
        )
        if kind.is_services_cosell:
            area = r.choice(self.areas)
            fields.update(partner_role=r.choice(list(PartnerRole)), partner_program=r.choice(cat.PARTNER_PROGRAMS),
                          solution_area=area, solution_play=r.choice(cat.SOLUTION_AREAS[area]))
        elif kind is K.IP_COSELL:
            if r.random() < 0.4:
                fields.update(solution_area=(area := r.choice(self.areas)),
                              solution_play=r.choice(cat.SOLUTION_AREAS[area]))
            incentivized = any(s.incentivized for s in solutions)
            fields["marketplace_intent"] = r.choice(list(MarketplaceIntent) if incentivized
                                                    else [MarketplaceIntent.NO, MarketplaceIntent.UNDECIDED])
        timeline = Timeline(self, shape, fields, owner, short)
        return timeline.build()
