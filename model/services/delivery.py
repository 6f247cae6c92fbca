"""Sending the notification outbox (R12) for a face: `cosell notify`, `cosell sweep`.

Services queue messages with the change that causes them (``model.services.outbox``);
delivering them by SMTP, at most once each, is ``model.notify``. The faces reach
both through here, so they need neither the SMTP module nor the outbox table.
"""
from __future__ import annotations

from model import notify
from model.notify import DeliveryReport, NotConfigured, SmtpConfig, load_smtp_config  # noqa: F401
from model.services.context import Ctx
from model.store import delivery as outbox

__all__ = ["DeliveryReport", "NotConfigured", "SmtpConfig", "deliver", "load_smtp_config", "outbox_size",
           "status", "waiting"]


def deliver(ctx: Ctx, config: SmtpConfig, *, digest: bool = False, limit: int | None = None) -> DeliveryReport:
    """Send what waits: one e-mail per message, or with ``digest`` one per recipient.

    A digest takes everything waiting unless ``limit`` says otherwise, so nobody's
    day is split over two e-mails; otherwise at most 500 go per run.
    """
    limit = limit or (1_000_000 if digest else 500)
    return notify.deliver(ctx, config, digest=digest, limit=limit)


def waiting(ctx: Ctx) -> int:
    """Messages not yet sent and not given up."""
    return notify.pending_count(ctx.store)


def outbox_size(ctx: Ctx) -> int:
    """Every message ever queued; a sweep's notifications are the difference before and after it."""
    with ctx.store.read() as session:
        return outbox.outbox_size(session)


def status(ctx: Ctx, limit: int = 200) -> list[outbox.Unsent]:
    """What has not gone out (waiting, retrying, given up), each with its last error: admins only,
    since subjects and addresses name deals of every location (R1.4)."""
    from model.domain.errors import AccessDenied

    if not ctx.user.is_admin:
        raise AccessDenied("only a referral admin can see the outbox (R1.4)")
    with ctx.store.read() as session:
        return outbox.unsent(session, notify.MAX_ATTEMPTS, limit)
