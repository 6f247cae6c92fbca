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


#: Who is told when nobody on a deal's team has an e-mail (R12.1).
NO_TEAM_EMAIL = "referral-admins"


def team_recipients(emails) -> list[str]:
    """R12.1, R7.3: a deal's people are its team's e-mails (each once, whatever its case or spaces),
    or the referral admins when none has one. The sweep's "anyone left to tell?" filter
    (``model.store.sweep.untold``) is given this rule, so it cannot pass over someone this tells."""
    return sorted({e.strip().lower() for e in emails if e and e.strip()}) or [NO_TEAM_EMAIL]


def team_key(key: str, deal_id: str, email: str) -> str:
    """The dedupe key of the message ``key`` to one of a deal's people: each is told once."""
    return f"{key}:{deal_id}:{email}"


def new_inbound_message(name: str, customer: str, sender_name: str | None, expires_at: datetime,
                        now: datetime) -> tuple[str, str]:
    """R12.1: the one wording (subject, body) of "a deal came in", for ``receive_inbound`` and for an
    import's new deals (``import_write.messages``, in bulk). A deal that arrives already past its
    14 days (an old referral in a file) is not asked for an answer it can no longer give."""
    when = f"{expires_at:%Y-%m-%d %H:%M} UTC"
    answer = (f"Answer by {when} or it expires (14 days)." if expires_at > now
              else f"Its 14 days to answer ended {when}; it will be archived as expired.")
    return (f"New co-sell opportunity: {name}",
            f"{sender_name or 'Microsoft'} sent you {name!r} for {customer}. {answer}")


def notify_team(session, deal: Deal, kind: str, subject: str, body: str, now: datetime, key: str) -> None:
    """R12.1: new inbound deals (and Microsoft's lapsed window, R7.3) go to the deal's people."""
    for email in team_recipients(p.email for p in deal.team):
        queue(session, kind=kind, deal=deal, recipient=email, subject=subject, body=body,
              now=now, dedupe_key=team_key(key, deal.id, email))


#: The notices that tell the deal's sender (R8.2 expiry, R8.4 decline; R12.2).
SENDER_NOTICES = ("declined", "expired")


def deliver(session, deal: Deal, notices: list[Notice], now: datetime) -> None:
    """Queue the messages a change's notices ask for."""
    for notice in notices:
        if notice.kind in SENDER_NOTICES:
            notify_sender(session, deal, notice.kind, now, notice.detail)
        else:
            raise ValueError(f"no message for notice {notice.kind!r}")
