"""Text from users and imports is shown literally: never parsed as Rich markup,
never allowed to carry control characters or terminal escape sequences.

Every widget that shows data goes through ``literal`` (or ``clean`` for plain
strings handed to widgets that parse markup themselves).
"""
from __future__ import annotations

from rich.markup import escape
from rich.text import Text

from model.domain.text import clean, one_line  # noqa: F401  (one cleaning rule for every face)


def literal(value: object, style: str = "") -> Text:
    """A Rich ``Text`` that shows exactly the characters given (markup is not interpreted)."""
    return Text(clean(value), style=style, no_wrap=False)


def markup_safe(value: object) -> str:
    """For the few places that take markup strings (notify, labels): escaped and cleaned."""
    return escape(clean(value))
