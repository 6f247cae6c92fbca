"""Text from users and imports is shown literally: never parsed as Rich markup,
never allowed to carry control characters or terminal escape sequences.

Every widget that shows data goes through ``literal`` (or ``clean`` for plain
strings handed to widgets that parse markup themselves).
"""
from __future__ import annotations

import re

from rich.markup import escape
from rich.text import Text

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"      # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC ... BEL / ST
    r"|\x1b[@-Z\\-_]"                # other two-byte escapes
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # C0/C1 controls (tab and newline kept)
)


def clean(value: object) -> str:
    """The string without escape sequences or control characters."""
    return _ESCAPES.sub("", "" if value is None else str(value))


def literal(value: object, style: str = "") -> Text:
    """A Rich ``Text`` that shows exactly the characters given (markup is not interpreted)."""
    return Text(clean(value), style=style, no_wrap=False)


def markup_safe(value: object) -> str:
    """For the few places that take markup strings (notify, labels): escaped and cleaned."""
    return escape(clean(value))
