"""R12: messages are queued in the same transaction as the change that causes them.

A ``dedupe_key`` makes queuing idempotent, so a sweep run twice (or by two
cron jobs at once) never notifies anyone twice.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from model.domain.schemas import Deal
from model.store.tables import OutboxRecord


def queue(session, *, kind: str, deal: Deal | None, recipient: str, subject: str, body: str,
          now: datetime, dedupe_key: str) -> bool:
    exists = session.scalar(select(OutboxRecord.id).where(OutboxRecord.dedupe_key == dedupe_key))
    if exists:
        return False
    session.add(OutboxRecord(created_at=now, kind=kind, deal_id=deal.id if deal else None,
                             recipient=recipient, subject=subject[:300], body=body,
                             attempts=0, dedupe_key=dedupe_key[:200]))
    return True


def sender_address(deal: Deal) -> str:
    if deal.sender_email:
        return deal.sender_email
    return "microsoft-seller" if deal.sender_is_microsoft else (deal.sender_name or "sender")


def notify_sender(session, deal: Deal, kind: str, now: datetime, detail: str = "") -> None:
    """R8.2, R8.4, R12.2: expiry and decline notify whoever sent the deal."""
    verb = {"expired": "expired unanswered", "declined": "was declined"}[kind]
    queue(session, kind=kind, deal=deal, recipient=sender_address(deal),
          subject=f"Co-sell opportunity {deal.name!r} {verb}",
          body=f"The opportunity {deal.name!r} for {deal.customer.name} {verb} on {now:%Y-%m-%d %H:%M} UTC. {detail}".strip(),
          now=now, dedupe_key=f"{kind}:{deal.id}")


def notify_team(session, deal: Deal, kind: str, subject: str, body: str, now: datetime, key: str) -> None:
    """R12.1: new inbound deals (and Microsoft's lapsed window) go to the deal's people."""
    recipients = {p.email.strip().lower() for p in deal.team if p.email.strip()} or {"referral-admins"}
    for email in sorted(recipients):
        queue(session, kind=kind, deal=deal, recipient=email, subject=subject, body=body,
              now=now, dedupe_key=f"{key}:{deal.id}:{email}")
