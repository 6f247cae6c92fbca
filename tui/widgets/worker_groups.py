"""The names of the dashboard's read workers, in one place: the widgets that start them and the
expiry watch that waits for them (``tui.expiry_watch.after_page_loads``) must agree on each name,
and a name typed twice drifts apart silently (the watch would stop waiting for that read)."""
from __future__ import annotations

#: The grid's count and first pages (one read), and its later pages.
TABLE_RELOAD = "deal-table-reload"
TABLE_PAGE = "deal-table-page"
#: The other tabs' first screens, read ahead for a tab switch.
TABLE_READ_AHEAD = "deal-table-read-ahead"
#: The header's tab counts and totals.
DASHBOARD_SUMMARY = "dashboard-summary"
