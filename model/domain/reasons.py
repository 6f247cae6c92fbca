"""Pick-lists for the reasons a deal is declined (R8.4), lost (R8.11) or closed as error (R8.13).

Partner Center's own lists are not published; these are the reasons sales
teams actually give. "Other" needs notes that say what.
"""
from __future__ import annotations

DECLINE_REASONS = (
    "Not a fit for our solutions",
    "Customer not interested",
    "Insufficient information",
    "No capacity to take it on",
    "Outside our location or market",
    "Duplicate of an existing deal",
    "Other",
)
LOST_REASONS = (
    "Lost to a competitor",
    "Price",
    "Budget cut or no budget",
    "Customer chose not to proceed",
    "Timing or project delayed",
    "Technical fit",
    "Other",
)
ERROR_REASONS = (
    "Duplicate deal",
    "Wrong customer chosen",
    "Wrong deal value",
    "Created by mistake",
    "Other",
)


def match_reason(text: str | None, allowed: tuple[str, ...]) -> str | None:
    """The list entry a typed reason names (exact, case-insensitive, or a unique prefix)."""
    if not text:
        return None
    needle = text.strip().lower()
    exact = [r for r in allowed if r.lower() == needle]
    if exact:
        return exact[0]
    prefixed = [r for r in allowed if r.lower().startswith(needle)]
    return prefixed[0] if len(prefixed) == 1 else None
