"""Customer accounts for a face: the catalogue import and the fuzzy customer search (R4).

The faces reach the account catalogue and its matcher only through here. Searches
use the stored index (``open_matcher`` for one answer, ``StoredMatcher`` for a
dashboard that stays open): built once per catalogue state, then memory-mapped by
every process (``model.accounts.stored_index``).
"""
from __future__ import annotations

from model.accounts.catalogue import import_accounts_csv, norm_is_stale, refresh_norm_names  # noqa: F401
from model.accounts.matcher import AccountMatcher, SearchResult, choosable  # noqa: F401
from model.accounts.stored_index import StoredMatcher, cache_directory, open_matcher  # noqa: F401

__all__ = ["AccountMatcher", "SearchResult", "StoredMatcher", "cache_directory", "choosable",
           "import_accounts_csv", "norm_is_stale", "open_matcher", "refresh_norm_names"]
