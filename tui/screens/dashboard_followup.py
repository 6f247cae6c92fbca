"""What the dashboard's list does the moment an action went through (issue 13's morning triage).

A mixin of ``DashboardScreen``. The saved deals the action returns are applied to the grid at
once, before the reload that follows every action brings the store's rows:

- a deal that no longer belongs in the view (declined, won, lost, closed as error: off to Closed;
  a heart removed on Favorites; accepted under the "expiring" or a stage quick filter) leaves its
  row, and the rows below move up; any other deal's row shows its new state;
- the tab counts and the match count are corrected from the same saved deals (``moved``);
- after accept or decline the cursor goes to the next deal still waiting for an answer (a received
  inbound deal), not after the accepted one to wherever its new sort order puts it: triage is
  answering one received deal after another.

What belongs in a tab is the model's (``Deal.tab``, ``Deal.is_received``); the reload stays the
truth for anything else a query filters on (text, ids).
"""
from __future__ import annotations

from model.domain.enums import Tab
from model.domain.rules.lifecycle import Action
from model.domain.schemas import Deal, DealRow

#: The answers to a received deal: after them the cursor goes to the next deal waiting for one.
TRIAGE = frozenset({Action.ACCEPT, Action.DECLINE})


def waiting_for_answer(row: DealRow) -> bool:
    """A received inbound deal (R8.2: accept or decline it within 14 days): the model's rule."""
    return row.is_received


class ActionFollowUp:
    """Uses the screen's ``table``, ``tab``, quick filters and ``moved`` (``DashboardHeader``)."""

    def leaves_view(self, deal: Deal) -> bool:
        """True when the saved deal is no longer one the shown tab and quick filters list."""
        if self.tab is Tab.FAVORITES:
            if not deal.favorite:
                return True
        elif deal.tab is not self.tab:
            return True
        if self.stage is not None and deal.stage is not self.stage:
            return True
        return bool(self.expiring and not deal.is_received)

    def follow_up(self, action: Action, before: dict[str, DealRow], saved: list[Deal]) -> None:
        """Apply the saved deals to the list now; ``before`` are their rows as listed when the key was pressed."""
        table = self.table
        for deal in saved:
            row = before.get(deal.id)
            if row is None:
                continue
            leaves = self.leaves_view(deal)
            if leaves:
                table.drop_row(deal.id)
            else:
                table.update_row(deal)
            self.moved(row, deal, left_view=leaves)
        if action in TRIAGE and saved:
            # The answered deal is gone from under the cursor (declined) or no longer received (accepted).
            found = table.find_row(waiting_for_answer, table.cursor_row)
            if found is not None:
                table.move_to(found)
