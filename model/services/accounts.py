"""Customer accounts for a face: the catalogue import and the fuzzy customer search (R4).

The faces reach the account catalogue and its matcher only through here.
"""
from __future__ import annotations

from model.accounts.catalogue import import_accounts_csv, norm_is_stale, refresh_norm_names  # noqa: F401
from model.accounts.matcher import AccountMatcher, SearchResult, choosable  # noqa: F401

__all__ = ["AccountMatcher", "SearchResult", "choosable", "import_accounts_csv", "norm_is_stale",
           "refresh_norm_names"]
