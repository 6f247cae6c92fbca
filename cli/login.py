"""`cosell login`: sign in to Partner Center with a device code (suits SSH and tmux).

Tenant and client id come from ``[partner_center]`` in config.toml; the token is cached in
the user's cache dir (mode 0600), never in the database. `cosell sync` then uses it;
COSELL_PC_TOKEN, when set, is used instead (service accounts, cron).
"""
from __future__ import annotations

import argparse

from cli import common


def _login(args) -> int:
    from model.services.sync_login import login

    who = login(say=lambda text: print(text, flush=True))
    print(f"signed in to Partner Center as {common.safe(who)}")
    return common.EXIT_OK


def register(sub) -> None:
    p = sub.add_parser("login", help="sign in to Partner Center (device code; token cached for `cosell sync`)",
                       description=__doc__.split("\n\n", 1)[1] if __doc__ else None)
    p.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.set_defaults(handler=_login)
