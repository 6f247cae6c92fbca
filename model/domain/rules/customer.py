"""R4: which customer account may be chosen from which search tab, and what
the choice means for the deal. Pure functions: the search modal, the wizard
and ``cosell create`` all ask the same questions here.
"""
from __future__ import annotations

from model.domain.enums import AccountTab
from model.domain.errors import Violation
from model.domain.schemas import Account

NOTE_UNMANAGED = "not eligible for IP co-sell deal registration (R4.4)"
NOTE_MATCHING = ("managed status unknown until Microsoft's account matching; registration only if "
                 "matched to a Microsoft-managed account (R4.5)")
NOTE_LOCKED = "account cannot be changed after creation without support (R4.9)"


def customer_choice_violations(tab: AccountTab, account: Account | None) -> list[Violation]:
    """Every rule that stops choosing ``account`` from ``tab``.

    R4.6: federal accounts may only be chosen from the DUNS list (Other).
    R4.2: an account is chosen from the tab it is listed in. A hand-typed
    customer (``MANUAL``, no account) is always allowed.
    """
    out: list[Violation] = []
    if account is None:
        if tab is not AccountTab.MANUAL:
            out.append(Violation("R4.1", "choose a customer account from the search results", "customer"))
        return out
    if tab is not AccountTab.MANUAL and account.tab is not tab:
        out.append(Violation("R4.2", f"{account.name} is listed under {account.tab.label}, "
                                     f"not {tab.label}", "customer"))
    if account.federal and tab is not AccountTab.OTHER:
        out.append(Violation("R4.6", "federal accounts can only be chosen from the Other (DUNS) list; "
                                     "search it there", "customer"))
    return out


def customer_choice_notes(tab: AccountTab) -> list[str]:
    """What the user should know about a customer chosen from ``tab`` (shown before saving)."""
    if tab is AccountTab.UNMANAGED:
        return [NOTE_UNMANAGED]
    if tab in (AccountTab.OTHER, AccountTab.MANUAL):
        return [NOTE_MATCHING, NOTE_LOCKED]
    return []
