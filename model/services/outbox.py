"""R12: messages are queued in the same transaction as the change that causes them.

The domain says which notification a change causes (``operations.Notice``); this module words
it and queues it (``model.store.outbox``), idempotently by a dedupe key.
"""
from __future__ import annotations

from datetime import datetime

from model.domain.ops.base import Notice
from model.domain.schemas import Deal
from model.store import outbox as table


def queue(session, *, kind: str, deal: Deal | None, recipient: str, subject: str, body: str,
          now: datetime, dedupe_key: str) -> bool:
    return table.queue(session, kind=kind, deal_id=deal.id if deal else None, recipient=recipient,
                       subject=subject, body=body, now=now, dedupe_key=dedupe_key)


def sender_address(deal: Deal) -> str:
    if deal.sender_email:
        return deal.sender_email
    return "microsoft-seller" if deal.sender_is_microsoft else (deal.sender_name or "sender")


_SENDER_VERBS = {"expired": "expired unanswered", "declined": "was declined"}


def sender_message(deal: Deal, kind: str, now: datetime, detail: str = "") -> dict:
    """The one wording of what the sender is told (R8.2, R8.4, R12.2), for ``notify_sender`` and for
    an import's reconcile (``import_plan.notice_rows``), which writes its rows in bulk: the keyword
    arguments of ``queue``, less the session."""
    verb = _SENDER_VERBS[kind]
    return {"kind": kind, "deal": deal, "recipient": sender_address(deal),
            "subject": f"Co-sell opportunity {deal.name!r} {verb}",
            "body": f"The opportunity {deal.name!r} for {deal.customer.name} {verb} on "
                    f"{now:%Y-%m-%d %H:%M} UTC. {detail}".strip(),
            "now": now, "dedupe_key": f"{kind}:{deal.id}"}


def notify_sender(session, deal: Deal, kind: str, now: datetime, detail: str = "") -> None:
    """R8.2, R8.4, R12.2: expiry and decline notify whoever sent the deal."""
    queue(session, **sender_message(deal, kind, now, detail))


def notify_team(session, deal: Deal, kind: str, subject: str, body: str, now: datetime, key: str) -> None:
    """R12.1: new inbound deals (and Microsoft's lapsed window) go to the deal's people."""
    recipients = {p.email.strip().lower() for p in deal.team if p.email.strip()} or {"referral-admins"}
    for email in sorted(recipients):
        queue(session, kind=kind, deal=deal, recipient=email, subject=subject, body=body,
              now=now, dedupe_key=f"{key}:{deal.id}:{email}")


#: The notices that tell the deal's sender (R8.2 expiry, R8.4 decline; R12.2).
SENDER_NOTICES = ("declined", "expired")


def deliver(session, deal: Deal, notices: list[Notice], now: datetime) -> None:
    """Queue the messages a change's notices ask for."""
    for notice in notices:
        if notice.kind in SENDER_NOTICES:
            notify_sender(session, deal, notice.kind, now, notice.detail)
        else:
            raise ValueError(f"no message for notice {notice.kind!r}")
