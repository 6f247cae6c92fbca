"""E-mail addresses, checked where they enter (users, deal teams, imports): pure, no network.

An address becomes an SMTP envelope recipient and a ``To:`` header, so a CR/LF, a control
character or a second address smuggled into one field must never get that far; a well-kept
parser (``email-validator``) decides, not a hand-made pattern. Deliverability (DNS) is not
checked: cosell runs on boxes without outside DNS, and Partner Center's addresses are its own.
"""
from __future__ import annotations

from functools import lru_cache

#: The longest address cosell keeps (a user's, a team member's, a message's recipient: 200
#: characters in every table). The standard allows 254; an address past 200 would pass here and
#: then be refused by PostgreSQL as "value too long" (SQLite would keep it), so it is refused here.
MAX_LENGTH = 200


@lru_cache(maxsize=65_536)
def address_problem(text: str | None) -> str | None:
    """Why ``text`` is not one e-mail address, in words; None when it is one.

    Pure, so cached: an import of 100k referrals checks the same team addresses over and over, and
    the parser was over a third of the import's time. The parser is imported on first use, so a
    read-only command never pays for it."""
    from email_validator import EmailNotValidError
    value = text or ""
    if not value.strip():
        return "an e-mail address is required"
    if any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in value):
        return f"{value!r} is not an e-mail address: it contains a line break or control character"
    if len(value.strip()) > MAX_LENGTH:
        return f"{value[:40]!r}… is too long for an e-mail address here ({len(value.strip())} characters, at most {MAX_LENGTH})"
    try:
        _validated(value)
    except EmailNotValidError as exc:
        return f"{value!r} is not an e-mail address: {exc}"
    return None


def _validated(value: str):
    from email_validator import validate_email

    address = value.strip()
    local, at, domain = address.rpartition("@")
    # A box's own users (``login@localhost``, what a first admin starts with) are mail to this
    # machine; the library refuses the special-use name, so its local part is checked alone.
    probe = f"{local}@localhost.example" if at and domain.lower() == "localhost" else address
    return validate_email(probe, check_deliverability=False, allow_smtputf8=True, test_environment=True,
                          globally_deliverable=False, allow_display_name=False)


def is_address(text: str | None) -> bool:
    return address_problem(text) is None


