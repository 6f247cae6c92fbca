"""How the customer search shows a hit and what a chosen hit becomes (R4.2–R4.7): one result row
with every flag the user decides by, the tab whose best match leads, and the deal's ``Customer``.

Kept apart from the modal (``customer_search``) so the screen holds the interaction only.
"""
from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from model.domain.enums import AccountMatch, AccountTab
from model.domain.schemas import Account, Customer
from model.services.accounts import SearchResult
from tui.text import literal

RESULT_TABS = (AccountTab.MANAGED, AccountTab.UNMANAGED, AccountTab.OTHER)
Choice = tuple[AccountTab, Account] | Customer


def place(account: Account | Customer) -> str:
    return ", ".join(p for p in (account.city, account.country) if p)


def flags(account: Account | Customer) -> list[tuple[str, str]]:
    out = []
    if account.macc:
        out.append(("MACC", "bold green"))
    if account.federal:
        out.append(("federal", "bold yellow"))
    return out


def hit_prompt(tab: AccountTab, account: Account, *, linked: int = 0, expanded: bool = False,
               duplicate: bool = False, via_parent: bool = False, child: bool = False) -> Text:
    """One result row: name, where, and every flag the user decides by (R4.3, R4.5, R4.7, R4.6)."""
    text = Text()
    if child:
        text.append("   ↳ ", style="dim")
    elif linked:
        text.append("▾ " if expanded else "▸ ", style="bold")
    else:
        text.append("  ")
    text.append_text(literal(account.name, style="bold" if not child else ""))
    where = place(account)
    if where:
        text.append("  ")
        text.append_text(literal(where, style="dim"))
    if child or linked:
        text.append("  ")
        text.append_text(literal(f"#{account.account_id}", style="dim"))
    for label, style in flags(account):
        text.append("  ")
        text.append(label, style=style)
    if duplicate:
        text.append("  ")
        text.append("may be a duplicate", style="italic dark_orange")
    if via_parent and account.parent_name:
        text.append("  ")
        text.append("part of ", style="dim")
        text.append_text(literal(account.parent_name, style="dim"))
    if linked:
        text.append("  ")
        text.append(f"linked accounts ({linked})", style="cyan")
    return text


def best_tab(result: SearchResult) -> AccountTab | None:
    """The tab whose first hit scores highest, as the tabs show it (whole percent: two tabs both
    showing 89% are a tie), ties going to the tab order, Managed first; None without hits."""
    tops = [(round(result.tabs[t][0].score), -i, t) for i, t in enumerate(RESULT_TABS) if result.tabs.get(t)]
    return max(tops)[2] if tops else None


#: Below this width the tab titles drop "Microsoft " so the three fit on one line (80 columns).
SHORT_TABS_BELOW = 100


def tab_label(tab: AccountTab, result: SearchResult | None, *, short: bool = False) -> str:
    """A result tab's title: its count and its best score, to compare the tabs at a glance."""
    hits = result.tabs.get(tab, []) if result else []
    count = result.counts.get(tab, 0) if result else 0
    top = f", {hits[0].score:.0f}%" if hits else ""
    label = tab.label.removeprefix("Microsoft ") if short else tab.label
    return f"{label} ({count}{top})"


def tab_options(tab: AccountTab, result: SearchResult | None, expanded: set[str],
                rows: dict[str, tuple[AccountTab, Account]]) -> list[Option]:
    """The rows of one tab: each hit, and under an expanded one its linked records (R4.3).
    ``rows`` gets every option id with the account it stands for (an id shows once)."""
    options = []
    for hit in result.tabs.get(tab, []) if result else []:
        oid = f"{tab.value}|{hit.account.account_id}"
        if oid in rows:
            continue
        rows[oid] = (tab, hit.account)
        is_open = hit.account.account_id in expanded
        options.append(Option(hit_prompt(tab, hit.account, linked=len(hit.linked), expanded=is_open,
                                         duplicate=hit.possible_duplicate, via_parent=hit.via_parent), id=oid))
        if is_open:
            for acc in hit.linked:
                cid = f"{tab.value}|{acc.account_id}"
                if cid in rows:
                    continue
                rows[cid] = (tab, acc)
                options.append(Option(hit_prompt(tab, acc, child=True), id=cid))
    return options


def customer_from_choice(choice: Choice) -> Customer:
    """The deal's customer for what the modal returned (a hand-typed one passes through)."""
    if isinstance(choice, Customer):
        return choice
    tab, account = choice
    match = {AccountTab.MANAGED: AccountMatch.MANAGED, AccountTab.UNMANAGED: AccountMatch.UNMANAGED}.get(
        tab, AccountMatch.NOT_MATCHED)
    return Customer(name=account.name, account_id=account.account_id, duns=account.duns, source=tab, match=match,
                    city=account.city, country=account.country, macc=account.macc, federal=account.federal)


class ResultList(OptionList):
    """A tab's hits. ``space`` opens a row's linked records; ``left``/``right`` switch result tabs."""

    BINDINGS = [
        Binding("space", "screen.toggle_linked", "Linked accounts"),
        Binding("left", "screen.previous_tab", "Previous tab", show=False),
        Binding("right", "screen.next_tab", "Next tab", show=False),
    ]
