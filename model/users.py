"""R1: what a valid cosell user row is. Pure: the checks see a ``User``, never the database.

Visibility (R1.3) matches a referral user's e-mail against deal teams within
their location, so a user row needs an e-mail and, for a referral user, one
location. Managing users (admins only, the last admin stays) is
``model.services.users``.
"""
from __future__ import annotations

import re
import unicodedata

from model.domain.enums import Role
from model.domain.errors import Violation
from model.domain.rules.addresses import address_problem
from model.domain.rules.deal_fields import PHONE
from model.domain.schemas import User

LOGIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,119}\$?$")


def user_violations(user: User) -> list[Violation]:
    """Every problem with a user row, all at once."""
    out = []
    if not LOGIN.match(user.login or ""):
        out.append(Violation("R1.1", f"{user.login!r} is not an OS login name", "login"))
    name_problem = display_name_problem(user.display_name)
    if name_problem:
        out.append(Violation("R1.1", name_problem, "name"))
    email = (user.email or "").strip()
    if not email:
        out.append(Violation("R1.3", "an e-mail address is required: it is how deal teams name the user", "email"))
    elif address_problem(user.email):
        out.append(Violation("R1.3", address_problem(user.email), "email"))
    if user.phone.strip() and not PHONE.match(user.phone.strip()):
        out.append(Violation("R1.1", f"{user.phone!r} is not a phone number", "phone"))
    if user.role is Role.USER and not (user.location or "").strip():
        out.append(Violation("R1.3", "a referral user has one location scope; give --location", "location"))
    return out


def display_name_problem(name: str | None) -> str | None:
    """A display name is one line of text: no CR/LF, tab, control, format (bidi) or unassigned
    characters, which would forge rows in ``users list`` or reorder what a terminal shows."""
    value = name or ""
    bad = sorted({c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")})
    if bad:
        shown = ", ".join(f"U+{ord(c):04X}" for c in bad[:5])
        return f"the display name {value!r} contains line breaks or control characters ({shown}): give one line of text"
    if len(value) > 120:
        return "the display name is longer than 120 characters"
    return None
