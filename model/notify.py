"""R12: deliver the outbox by SMTP, at most once per message, retrying failures.

Services queue messages in the same transaction as the change that causes them
(``model.services.outbox``); this module sends them, from cron
(``cosell notify``) or as one daily digest per recipient (``--digest``).

No duplicates, even with two cron jobs overlapping:
1. *claim* — one short write transaction marks up to ``limit`` unsent rows
   ``claimed_by=<this run>`` and counts the attempt; another run skips claimed
   rows until the claim's lease lapses (a run that crashed mid-way);
2. *send* — outside any transaction (SMTP can be slow), after checking the claim
   is still ours;
3. *settle* — right after each message: ``sent_at`` on success; on failure the
   claim is dropped and ``last_error`` kept, so the next run retries it. A
   permanent refusal (5xx) or a recipient without an address is given up at once;
   anything else is given up after ``MAX_ATTEMPTS``. An unreachable server (or
   one refusing our login) is nobody's message's fault: the claims are handed
   back without counting an attempt, and the messages wait for the server.

Configuration: ``[smtp]`` in ``config.toml`` in the user config dir (or
``$COSELL_CONFIG_DIR``), each key overridable by ``COSELL_SMTP_<KEY>``.
"""
from __future__ import annotations

import os
import smtplib
import socket
import ssl
import tomllib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from model.domain.errors import CosellError
from model.store import delivery as outbox
from model.store import users as user_rows
from model.store.delivery import Claimed

MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=15)
ADMINS = "referral-admins"
TLS_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class NotConfigured(CosellError):
    """SMTP is not set up: says where the settings go."""

    exit_code = 2


# -- configuration -------------------------------------------------------------------------

def config_dir() -> Path:
    override = os.environ.get("COSELL_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("cosell", appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.toml"


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    tls: str = "starttls"
    sender: str = "cosell@localhost"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0


#: What each ``[smtp]`` key may be in the file (a table of strings, a port as a number or text).
_SETTING_TYPES = {"host": str, "port": (int, str), "tls": (str, bool), "from": str, "username": str,
                  "password": str, "timeout": (int, float, str)}
_SETTING_WORDS = {"host": "a string", "port": "a whole number", "tls": '"starttls", "ssl" or "none"',
                  "from": "a string (an e-mail address)", "username": "a string", "password": "a string",
                  "timeout": "a number of seconds"}


def _toml_type(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    return {int: "a number", float: "a number", str: "a string", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__)


def _smtp_table(path: Path) -> dict:
    """The file's ``[smtp]`` table, every key known and of its type: a typo (``user =``) or a wrong
    type is refused here, naming the file and key, rather than left out of the settings unseen."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("smtp", {})
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise NotConfigured(f"{path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise NotConfigured(f"cannot read {path}: {exc.strerror or exc}") from None
    if not isinstance(table, dict):
        raise NotConfigured(f"{path}: smtp must be a table ([smtp] with host, port, ...), not {_toml_type(table)}")
    for key, value in table.items():
        if key not in _SETTING_TYPES:
            raise NotConfigured(f"{path}: [smtp] {key} is not a setting (the settings are "
                                f"{', '.join(_SETTING_TYPES)})")
        if not isinstance(value, _SETTING_TYPES[key]) or (isinstance(value, bool) and key != "tls"):
            raise NotConfigured(f"{path}: [smtp] {key} must be {_SETTING_WORDS[key]}, "
                                f"not {_toml_type(value)} ({value!r})")
    return table


def load_smtp_config(env: dict[str, str] | None = None) -> SmtpConfig:
    """The file's ``[smtp]`` table, then ``COSELL_SMTP_HOST|PORT|TLS|FROM|USERNAME|PASSWORD|TIMEOUT``.

    Every value is checked before "is a server configured?", so a wrong one is named (with where
    it came from: the file's table and key, or the variable) even when ``host`` is missing too."""
    env = os.environ if env is None else env
    path = config_path()
    values = dict(_smtp_table(path))
    where = {key: f"{path} [smtp] {key}" for key in values}
    for key in _SETTING_TYPES:
        if env.get(f"COSELL_SMTP_{key.upper()}"):
            values[key], where[key] = env[f"COSELL_SMTP_{key.upper()}"], f"COSELL_SMTP_{key.upper()}"
    tls = str(values.get("tls", "starttls")).strip().lower()
    tls = {"true": "starttls", "yes": "starttls", "1": "starttls", "false": "none", "no": "none", "0": "none",
           "off": "none", "": "none"}.get(tls, tls)
    if tls not in TLS_MODES:
        raise NotConfigured(f"smtp tls must be one of {', '.join(TLS_MODES)}, not {tls!r} ({where['tls']})")
    try:
        port = int(values["port"]) if "port" in values else DEFAULT_PORTS[tls]
    except ValueError:
        raise NotConfigured(f"smtp port must be a whole number, not {values.get('port')!r} ({where['port']})") from None
    if not 0 < port < 65536:
        raise NotConfigured(f"smtp port must be between 1 and 65535, not {port} ({where['port']})")
    try:
        timeout = float(values["timeout"]) if "timeout" in values else 30.0
    except ValueError:
        raise NotConfigured(f"smtp timeout must be a number of seconds, not {values.get('timeout')!r} "
                            f"({where['timeout']})") from None
    if not 0 < timeout <= 3600:  # also NaN
        raise NotConfigured(f"smtp timeout must be between 0 and 3600 seconds, not {timeout:g} ({where['timeout']})")
    sender = str(values.get("from") or "cosell@localhost")
    from model.domain.rules.addresses import address_problem

    if address_problem(sender):
        raise NotConfigured(f"smtp from: {address_problem(sender)} ({where['from']})")
    host = str(values.get("host") or "").strip()
    if not host:
        raise NotConfigured(
            f"no SMTP server configured: put host (and port, tls, from, username, password) under [smtp] in "
            f"{path}, or set COSELL_SMTP_HOST (COSELL_SMTP_PORT, COSELL_SMTP_TLS, COSELL_SMTP_FROM, ...)")
    return SmtpConfig(host=host, port=port, tls=tls, sender=sender,
                      username=values.get("username") or None, password=values.get("password") or None,
                      timeout=timeout)


# -- the outbox ------------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    sent: int = 0          # outbox rows delivered
    emails: int = 0        # e-mails handed to the server (a digest carries several rows)
    retrying: int = 0      # failed, will be tried again by the next run
    given_up: int = 0      # undeliverable: no address, refused for good, or out of attempts
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.retrying == 0 and self.given_up == 0


def pending_count(store) -> int:
    """Messages still to send (not sent, not given up)."""
    with store.read() as session:
        return outbox.pending_count(session, MAX_ATTEMPTS)


def claim(store, now: datetime, token: str, limit: int) -> list[Claimed]:
    """Take up to ``limit`` unsent, unclaimed (or lapsed) rows for this run, oldest first."""
    with store.write() as session:
        return outbox.claim(session, now, token, limit, lease=LEASE, max_attempts=MAX_ATTEMPTS)


def _still_mine(store, ids: list[int], token: str) -> bool:
    with store.read() as session:
        return outbox.still_held(session, ids, token)


def _settle(store, ids: list[int], token: str, *, sent_at: datetime | None = None, error: str | None = None,
            give_up: bool = False, refund: bool = False) -> None:
    """End this run's claim on ``ids``: sent, failed (retry), given up, or handed back (refund)."""
    if sent_at is None:
        error = (error or "failed")[:2000]
    with store.write() as session:
        outbox.settle(session, ids, token, sent_at=sent_at, error=error,
                      attempts=MAX_ATTEMPTS if give_up and sent_at is None else None, refund=refund)


def addresses(store, recipient: str) -> tuple[list[str], list[str]]:
    """Where a row goes, and the problems of addresses it cannot go to: an e-mail address as is,
    ``referral-admins`` to every admin's address. Each is checked (``rules.addresses``): one
    imported address with a CR/LF in it must not become a header, nor stop the run."""
    from model.domain.rules.addresses import address_problem

    if recipient == ADMINS:
        with store.read() as session:
            candidates = user_rows.admin_emails(session)
    elif "@" not in recipient:
        return [], [f"no e-mail address for {recipient!r}"]
    else:
        candidates = [recipient]
    good, bad = [], []
    for address in candidates:
        problem = address_problem(address)
        (bad if problem else good).append(problem or address)
    return good, bad


# -- sending ---------------------------------------------------------------------------------

class _Permanent(Exception):
    """The server refused for good (5xx): retrying would only repeat the refusal."""


def connect(config: SmtpConfig) -> smtplib.SMTP:
    if config.tls == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout,
                                                context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        if config.tls == "starttls":
            server.starttls(context=ssl.create_default_context())
    if config.username:
        server.login(config.username, config.password or "")
    return server


def _message(config: SmtpConfig, to: list[str], subject: str, body: str, now: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = config.sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject.replace("\r", " ").replace("\n", " ")
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain="cosell")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body)
    return msg


def _send(server: smtplib.SMTP, config: SmtpConfig, msg: EmailMessage, to: list[str]) -> str | None:
    """Hand one e-mail to the server; returns a note on partly refused recipients."""
    try:
        refused = server.send_message(msg, from_addr=config.sender, to_addrs=to)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if all(500 <= c < 600 for c in codes):
            raise _Permanent(f"recipients refused: {exc.recipients}") from None
        raise
    except smtplib.SMTPSenderRefused:
        raise  # our From address: a configuration problem, not this message's
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            raise _Permanent(f"{exc.smtp_code} {exc.smtp_error!r}") from None
        raise
    return f"refused: {', '.join(refused)}" if refused else None


def _digest_body(items: list[Claimed]) -> str:
    lines = [f"{len(items)} cosell notification{'s' if len(items) != 1 else ''} since the last digest:", ""]
    for item in sorted(items, key=lambda c: (c.created_at, c.id)):
        lines += [f"* {item.created_at:%Y-%m-%d %H:%M} UTC — {item.subject}", f"  {item.body}", ""]
    return "\n".join(lines).rstrip() + "\n"


def deliver(ctx, config: SmtpConfig, *, digest: bool = False, limit: int = 500) -> DeliveryReport:
    """Send what the outbox holds (claim → send → settle); see the module docstring."""
    store, now = ctx.store, ctx.now()
    token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:120]
    report = DeliveryReport()
    claimed = claim(store, now, token, limit)
    if not claimed:
        return report
    # One e-mail per row, or per recipient with --digest.
    batches: list[tuple[str, list[Claimed]]] = []
    if digest:
        groups: dict[str, list[Claimed]] = defaultdict(list)
        for item in claimed:
            groups[item.recipient].append(item)
        batches = sorted(groups.items())
    else:
        batches = [(item.recipient, [item]) for item in claimed]

    server: smtplib.SMTP | None = None
    current: list[Claimed] = []
    try:
        for n, (recipient, items) in enumerate(batches):
            ids = [i.id for i in items]
            current = items
            to, bad = addresses(store, recipient)
            if not to:
                error = "; ".join(bad) if bad else f"no e-mail address for {recipient!r}"
                _settle(store, ids, token, error=error, give_up=True)
                report.given_up += len(ids)
                report.errors.append(error)
                continue
            if digest:
                subject = f"cosell daily digest: {len(items)} notification{'s' if len(items) != 1 else ''}"
                body = _digest_body(items)
            else:
                subject, body = items[0].subject, items[0].body
            if not _still_mine(store, ids, token):
                continue  # our lease lapsed and another run took them over
            connecting = True
            try:
                if server is None:
                    server = connect(config)
                connecting = False
                try:
                    msg = _message(config, to, subject, body, now)
                except (ValueError, TypeError) as exc:  # a header the e-mail library refuses
                    raise _Permanent(f"cannot write this message as e-mail: {exc}") from None
                note = _send(server, config, msg, to)
                if bad:
                    note = "; ".join(([note] if note else []) + [f"not sent to {b}" for b in bad])
            except _Permanent as exc:
                _settle(store, ids, token, error=str(exc), give_up=True)
                report.given_up += len(ids)
                report.errors.append(str(exc))
                continue
            except (smtplib.SMTPException, OSError) as exc:
                _close(server)
                server = None  # start afresh for the next message
                if connecting or isinstance(exc, smtplib.SMTPSenderRefused):
                    # The server is unreachable, will not let us in or refuses our From address:
                    # nothing else can go out either, and it is no message's fault. Hand them all
                    # back without counting the attempt, so an outage of any length loses nothing
                    # (they wait, and `cosell notify` exits 3).
                    error = f"cannot use SMTP server {config.host}:{config.port}: {type(exc).__name__}: {exc}"
                    rest = [i.id for _, batch in batches[n:] for i in batch]
                    _settle(store, rest, token, error=error, refund=True)
                    report.retrying += len(rest)
                    report.errors.append(error)
                    break
                _fail(store, items, token, f"{type(exc).__name__}: {exc}", report)
                report.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            _settle(store, ids, token, sent_at=now, error=note)
            report.sent += len(ids)
            report.emails += 1
        current = []
    except BaseException as exc:
        # Whatever stopped this run (a bug, Ctrl-C, the database going away): the message being
        # sent keeps the attempt and gets the reason (retried, and given up only after
        # MAX_ATTEMPTS with that reason on record, never silently); the messages the run had not
        # reached are handed back without counting an attempt. ``settle`` touches only rows this
        # run still holds, so what was sent or settled stays as it is.
        error = f"delivery run stopped: {type(exc).__name__}: {exc}"
        try:
            if current:
                _fail(store, current, token, error, report)
            _settle(store, [i.id for i in claimed], token, error=error, refund=True)
        except Exception:  # noqa: BLE001 - the database itself is gone: the lease lapses instead
            pass
        raise
    finally:
        _close(server)
    return report


def _fail(store, items: list[Claimed], token: str, error: str, report: DeliveryReport) -> None:
    """A failure worth retrying; rows out of attempts are given up."""
    done = [i.id for i in items if i.attempts >= MAX_ATTEMPTS]
    again = [i.id for i in items if i.attempts < MAX_ATTEMPTS]
    if done:
        _settle(store, done, token, error=error, give_up=True)
        report.given_up += len(done)
    if again:
        _settle(store, again, token, error=error)
        report.retrying += len(again)


def _close(server: smtplib.SMTP | None) -> None:
    if server is None:
        return
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()
