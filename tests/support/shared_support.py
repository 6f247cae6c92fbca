"""Helpers for the shared-box tests: root test helpers, the reference catalogues, a CLI runner, a
local SMTP server.

Not a conftest.py: test modules import what they need from here by name
(``smtp_server`` is a fixture: import it into the module that uses it).
"""
from __future__ import annotations

import argparse
import base64
import email
import email.policy
import re
import socketserver
import threading
from dataclasses import dataclass, field

import pytest

from factories import (  # noqa: F401
    ADMIN, ASSESSMENT, AZURE_APP, NOW, PLAIN_APP, SELLER_SE, TEAM, ctx_as, make_draft, make_inbound, managed_customer,
)


# -- the reference catalogues ---------------------------------------------------------------------

#: (account_id, name, tab, macc, federal): the factories' customer, and one account per catalogue
#: fact a draft might misstate (R4.2, R4.6, R4.11, R6.7).
ACCOUNTS = (
    ("ACC-1", "Northwind Traders AB", "managed", False, False),
    ("ACC-MACC", "Northwind MACC AB", "managed", True, False),
    ("ACC-UNM", "Loose Unmanaged AB", "unmanaged", False, False),
    ("ACC-FED-M", "Federal Agency (managed record)", "managed", False, True),
)
#: The co-sell partner catalogue (R7.4).
PARTNERS = (("P-FAB", "Fabrikam Consulting", "6100007"),)


def seed_catalogue(store) -> None:
    """The reference data a new deal's facts are looked up in (R4.11, R6.5, R7.4): the factories'
    account and solutions, plus ``ACCOUNTS`` and ``PARTNERS``."""
    from model.store.accounts import upsert_rows
    from model.store.tables import PartnerRecord, SolutionRecord

    with store.write() as session:
        upsert_rows(session, [(a, name, tab, None, None, None, None, macc, federal, None)
                              for a, name, tab, macc, federal in ACCOUNTS])
        for s in (AZURE_APP, PLAIN_APP, ASSESSMENT):
            session.merge(SolutionRecord(solution_id=s.solution_id, name=s.name, source=s.source.value,
                                         publisher=s.publisher, macc_eligible=s.macc_eligible,
                                         incentivized=s.incentivized, cosell_ready=s.cosell_ready,
                                         registration_kind=s.registration_kind.value if s.registration_kind else None))
        for partner_id, name, mpn in PARTNERS:
            session.merge(PartnerRecord(partner_id=partner_id, name=name, mpn_id=mpn, location="Sweden"))


# -- the CLI, in-process ------------------------------------------------------------------------

@dataclass
class Result:
    code: int
    out: str
    err: str


def cosell(capsys, *argv: str) -> Result:
    """Run `cosell ARGV` through the command modules this folder tests, capturing output.

    Built from the modules themselves so these tests do not depend on which modules
    ``cli.main.COMMAND_MODULES`` lists (test_shared_box checks that separately).
    """
    from cli import common, init, notify, users

    parser = argparse.ArgumentParser(prog="cosell")
    parser.add_argument("--db")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (users, notify, init):
        module.register(sub)
    capsys.readouterr()
    try:
        code = common.run(parser.parse_args(list(argv)))
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


# -- a local SMTP server on 127.0.0.1 -----------------------------------------------------------

@dataclass
class Received:
    mail_from: str
    rcpt_to: list[str]
    data: bytes

    @property
    def message(self):
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class SmtpStub:
    """Just enough ESMTP for smtplib: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT.

    ``refuse`` maps an address to the code MAIL/RCPT answer for it (451 = try later, 550 = never).
    """

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: socketserver.ThreadingTCPServer | None = None

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def start(self) -> "SmtpStub":
        stub = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                with stub.lock:
                    stub.connections += 1
                self._w("220 stub.local ESMTP ready")
                mail_from, rcpts = None, []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    text = line.decode("utf-8", "replace").rstrip("\r\n")
                    verb = text.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self._w("250-stub.local\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 AUTH PLAIN")
                    elif verb == "HELO":
                        self._w("250 stub.local")
                    elif verb == "AUTH":
                        parts = text.split()
                        token = parts[2] if len(parts) > 2 else None
                        if token is None:
                            self._w("334 ")
                            token = self.rfile.readline().decode().strip()
                        _, user, password = base64.b64decode(token).decode().split("\0")
                        with stub.lock:
                            stub.logins.append((user, password))
                        self._w("235 2.7.0 Authentication successful")
                    elif verb == "MAIL":
                        mail_from, rcpts = _address(text), []
                        code = stub.refuse.get(mail_from)
                        self._w(f"{code} 5.7.1 not our sender" if code else "250 OK")
                    elif verb == "RCPT":
                        address = _address(text)
                        code = stub.refuse.get(address)
                        if code:
                            self._w(f"{code} {'4.2.0 try later' if code < 500 else '5.1.1 no such user'}")
                        else:
                            rcpts.append(address)
                            self._w("250 OK")
                    elif verb == "DATA":
                        if not rcpts:
                            self._w("503 no recipients")
                            continue
                        self._w("354 go ahead")
                        chunks = []
                        while True:
                            chunk = self.rfile.readline()
                            if chunk in (b".\r\n", b".\n", b""):
                                break
                            chunks.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                        with stub.lock:
                            stub.received.append(Received(mail_from, list(rcpts), b"".join(chunks)))
                        self._w("250 OK queued")
                    elif verb == "RSET":
                        mail_from, rcpts = None, []
                        self._w("250 OK")
                    elif verb == "NOOP":
                        self._w("250 OK")
                    elif verb == "QUIT":
                        self._w("221 bye")
                        return
                    else:
                        self._w("502 not implemented")

            def _w(self, text: str) -> None:
                self.wfile.write((text + "\r\n").encode())

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_to]


def _address(text: str) -> str:
    m = re.search(r"<([^>]*)>", text)
    return m.group(1) if m else text.split(":", 1)[-1].strip()


@pytest.fixture
def smtp_server():
    stub = SmtpStub().start()
    yield stub
    stub.stop()


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
