"""Text from users, imports and Partner Center is shown literally by every face: no terminal
escape sequences, no control characters and no bidi controls survive (tab and newline do).

One sanitiser for the dashboard, the command line (tables, ``show``, ``--json``) and exports,
so a field cannot reach one face in a form another would refuse:
- whole escape sequences go before lone control bytes, so "\\x1b[31mred" becomes "red", not
  "[31mred"; 7-bit (ESC [, ESC ], ESC P …) and 8-bit (CSI U+009B, OSC U+009D, DCS U+0090 …)
  introducers alike, with their payload up to the terminator (an OSC 52 clipboard write
  included);
- C0 and C1 controls and DEL go (tab and newline kept; ``one_line`` turns those into spaces);
- bidi overrides, embeddings and isolates (U+202A–202E, U+2066–2069) and the directional marks
  (U+200E, U+200F, U+061C) go: they make a terminal show text in another order than stored
  ("Trojan Source"), so "cod\u202eexe.pdf" could pass for something it is not;
- lone surrogates (only a JSON ``\\ud800`` escape makes them) become U+FFFD, so printing never fails.

``spreadsheet_cell`` adds OWASP's CSV-injection rule for exported cells.
"""
from __future__ import annotations

import re

_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"                           # CSI (7-bit ESC [ or 8-bit U+009B) ... final byte
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])"                  # OSC, DCS, SOS, PM, APC (7- or 8-bit) ...
    r"[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"                      # ... up to BEL or ST (7- or 8-bit)
    r"|\x1b[ -/]*[0-~]"                                           # other escapes (charset selection, ESC c …)
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"                             # C0/C1 controls and DEL (tab, newline kept)
    r"|[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"            # bidi embeddings, overrides, isolates, marks
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")

#: What a spreadsheet reads as the start of a formula (OWASP CSV injection): these, also after
#: leading spaces, tabs or carriage returns.
_FORMULA = re.compile(r"^[ \t\r\n]*[=+\-@]|^[\t\r]")


def clean(value: object) -> str:
    """The string without escape sequences, control characters or bidi controls."""
    text = "" if value is None else str(value)
    return _SURROGATE.sub("\ufffd", _ESCAPES.sub("", text))


def one_line(value: object) -> str:
    """``clean`` with line breaks and tabs turned into spaces, for table cells."""
    return " ".join(clean(value).split())


#: What JSON may carry raw but a terminal would act on: C1 controls (8-bit CSI/OSC), DEL, bidi
#: controls, the line/paragraph separators and lone surrogates (C0 is escaped by JSON itself).
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029\ud800-\udfff]")


def json_safe(text: str) -> str:
    """Serialised JSON with every character a terminal would act on written as its ``\\uXXXX``
    escape: the data stays exactly what was stored (a script reading it gets every character
    back), and printing it to a terminal is as inert as ``list``. Such characters only occur
    inside JSON strings, where the escape means the same character."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def spreadsheet_cell(value: object) -> str:
    """A CSV cell: ``clean``, and text a spreadsheet would run as a formula gets a leading
    apostrophe: a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return, also after
    leading spaces (OWASP's list)."""
    if value is None:
        return ""
    raw = "" if value is None else str(value)
    text = clean(raw)
    # Decide on the raw text's start too: a control character stripped from the front must not
    # reveal a formula that the check on the cleaned text then lets through unmarked.
    return "'" + text if _FORMULA.match(text) or _FORMULA.match(raw) else text
