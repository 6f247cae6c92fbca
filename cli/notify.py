"""`cosell notify [--digest]`: deliver queued notifications by SMTP (R12), for cron.

Every few minutes (`cosell notify`) each message goes out on its own; or once a
day (`cosell notify --digest`) each recipient gets one e-mail listing them all.
Exit 0 when everything went out, 3 when something failed (it is retried next
run, or given up when it cannot be delivered), 2 when SMTP is not configured.
"""
from __future__ import annotations

import argparse
import sys

from cli import common


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("give at least 1")
    return n


def _status(args) -> int:
    """What has not gone out, with each message's last error (no SMTP needed)."""
    from model.services import delivery

    ctx = common.context(args)
    rows = delivery.status(ctx)
    if args.json:
        common.print_json([{"id": r.id, "created": r.created_at, "recipient": r.recipient, "subject": r.subject,
                            "attempts": r.attempts, "given_up": r.given_up, "last_error": r.last_error}
                           for r in rows])
    elif not rows:
        print("every notification has been sent")
    else:
        common.print_table(["ID", "QUEUED", "TO", "SUBJECT", "TRIES", "STATE", "LAST ERROR"], [
            [r.id, f"{r.created_at:%Y-%m-%d %H:%M}", r.recipient, r.subject[:50], r.attempts,
             "given up" if r.given_up else ("retrying" if r.attempts else "waiting"), r.last_error or ""]
            for r in rows])
    return common.EXIT_ATTENTION if any(r.given_up for r in rows) else common.EXIT_OK


def _notify(args) -> int:
    from model.services import delivery

    if args.status:
        return _status(args)
    config = delivery.load_smtp_config()
    ctx = common.context(args)
    report = delivery.deliver(ctx, config, digest=args.digest, limit=args.limit)
    waiting = delivery.waiting(ctx)
    if args.json:
        common.print_json({"sent": report.sent, "emails": report.emails, "retrying": report.retrying,
                           "given_up": report.given_up, "waiting": waiting, "errors": report.errors})
    else:
        print(f"sent {report.sent} notification{'s' if report.sent != 1 else ''} in {report.emails} "
              f"e-mail{'s' if report.emails != 1 else ''}; {report.retrying} to retry, {report.given_up} given up, "
              f"{waiting} waiting")
        for error in dict.fromkeys(report.errors):
            print(f"cosell notify: {common.safe(error)}", file=sys.stderr)
    return common.EXIT_OK if report.ok else common.EXIT_ATTENTION


def register(sub) -> None:
    p = sub.add_parser(
        "notify", help="send queued notifications by SMTP (R12); for cron",
        description="Deliver the notification outbox by SMTP. Settings: [smtp] host, port, tls "
                    "(starttls|ssl|none), from, username, password in config.toml in the cosell config dir "
                    "($COSELL_CONFIG_DIR), or COSELL_SMTP_HOST, COSELL_SMTP_PORT, ... Failures are retried by "
                    "the next run; nothing is sent twice.")
    p.add_argument("--digest", action="store_true", help="one e-mail per recipient listing everything pending")
    p.add_argument("--limit", type=_positive,
                   help="at most this many notifications per run (default 500; a digest takes all)")
    p.add_argument("--status", action="store_true",
                   help="list what has not gone out (waiting, retrying, given up) with each last error; "
                        "exit 3 if something was given up")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(handler=_notify)
