"""Text from users and imports is shown literally by every face: no terminal
escape sequences and no control characters survive (tab and newline do).

Whole escape sequences are removed before lone control bytes, so
"\\x1b[31mred" becomes "red", not "[31mred".
"""
from __future__ import annotations

import re

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"               # CSI ... final byte
    r"|\x9b[0-?]*[ -/]*[@-~]"                # 8-bit CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"   # OSC ... BEL / ST
    r"|\x1b[@-Z\\-_]"                        # other two-byte escapes
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"        # C0/C1 controls (tab and newline kept)
)


def clean(value: object) -> str:
    """The string without escape sequences or control characters."""
    return _ESCAPES.sub("", "" if value is None else str(value))


def one_line(value: object) -> str:
    """``clean`` with line breaks and tabs turned into spaces, for table cells."""
    return " ".join(clean(value).split())
