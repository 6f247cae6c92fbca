"""Plain helpers for the rule and service tests (test_rules_*, test_services_*).

Not fixtures: small functions that build deals in a known state and compare
the whole database before and after a refused action, so "writes nothing"
is checked on every table a service may touch.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from factories import NOW, make_draft, make_inbound
from model import services as svc
from model.domain.enums import Direction, HelpType, MicrosoftStatus, SaleType, Status, Substatus
from model.domain.errors import RuleViolation
from model.domain.schemas import Deal, Invitation
from model.domain.stages import Stage, intermediate_for

#: Every table a deal-changing service writes (and the counter every write bumps).
TABLES = ("deals", "deal_team", "deal_notes", "deal_events", "outbox", "change_counter")


def dump(store) -> dict[str, list[tuple]]:
    """Every row of every table a service writes, in primary-key order."""
    with store.engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))] for t in TABLES}


def rule_ids(err: RuleViolation) -> list[str]:
    return [v.rule for v in err.violations]


def refused(store, rule: str, call, *args, **kwargs) -> RuleViolation:
    """Run a service call that must be refused for ``rule``; assert the database is unchanged."""
    before = dump(store)
    with pytest.raises(RuleViolation) as info:
        call(*args, **kwargs)
    assert rule in rule_ids(info.value), info.value
    assert dump(store) == before
    return info.value


def events(ctx, deal_id: str):
    return svc.history(ctx, deal_id)


def outbox(store, kind: str | None = None) -> list[tuple]:
    """(kind, recipient, deal_id) of queued messages."""
    sql = "SELECT kind, recipient, deal_id FROM outbox" + (" WHERE kind = :k" if kind else "") + " ORDER BY id"
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), {"k": kind} if kind else {})]


# -- deals in a known state, through the services ---------------------------------

def create(ctx, **draft) -> Deal:
    return svc.create_deal(ctx, make_draft(**draft))


def received(ctx, *, at: datetime | None = None, **kw) -> Deal:
    return svc.receive_inbound(ctx, make_inbound(**kw), received_at=at)


def accepted(ctx, **kw) -> Deal:
    deal = received(ctx, **kw)
    return svc.accept(ctx, deal.id)


def all_stages(ctx, deal: Deal) -> Deal:
    """Mark every stage before Won (R8.9)."""
    for stage in intermediate_for(deal.is_assessment):
        deal = svc.mark_stage(ctx, deal.id, stage)
    return deal


def won(ctx, clock, **draft) -> Deal:
    """An outbound partner-led deal marked won 73 hours after creation (past R8.12's window)."""
    deal = all_stages(ctx, create(ctx, **draft))
    clock.advance(hours=73)
    return svc.won(ctx, deal.id)


# -- deals as plain values, for the pure rules -------------------------------------

def partner_invitation(**kw) -> Invitation:
    """A complete R7.4 invitation of one co-sell partner."""
    base = dict(invitation_id="", partner_id="P-FAB", partner_name="Fabrikam Consulting", close_date=date(2027, 4, 30),
                value=Decimal("20000"), currency="EUR", solutions=["SOL-3P-9"], help_type=HelpType.ARCHITECTURE)
    base.update(kw)
    return Invitation(**base)


def outbound_deal(**kw) -> Deal:
    """An open outbound IP co-sell deal (partner-led) as a value; nothing is stored."""
    base = dict(direction=Direction.OUTBOUND, status=Status.ACTIVE, substatus=Substatus.ACCEPTED,
                stage=Stage.CREATED, sale_type=SaleType.PARTNER_LED, share_with_microsoft=True,
                value=Decimal("60000"), currency="USD", sender_name=None, sender_email=None,
                sender_is_microsoft=False, microsoft_status=MicrosoftStatus.NOT_INVITED,
                help_type=make_draft().help_type, accepted_at=NOW)
    base.update(kw)
    return make_inbound(**base)


def received_deal(received_at: datetime = NOW, **kw) -> Deal:
    """An inbound deal waiting for an answer (R8.2), as a value."""
    return make_inbound(received_at=received_at, expires_at=received_at + timedelta(days=14), **kw)


def closed_deal(substatus: Substatus, **kw) -> Deal:
    base = dict(status=Status.CLOSED, substatus=substatus, stages_marked=list(intermediate_for(False)),
                stage=Stage.WON if substatus is Substatus.WON else Stage.NEGOTIATED, closed_at=NOW)
    base.update(kw)
    return outbound_deal(**base)
