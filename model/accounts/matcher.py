"""Fuzzy customer search over the account catalogue (R4.2-R4.8).

Built once per state of the catalogue and stored (``model.accounts.stored_index``),
searched per keystroke. Comparing a query with a million names
(``rapidfuzz.process.extract``) takes over a second and holds the GIL, so the
search runs in three cheap steps instead:

1. each query word is matched against the catalogue's *vocabulary* of words
   (exact, then within one to three edits via a trigram index, plus a prefix
   match for the word being typed), so misspellings cost little;
2. the matched words' posting lists add up an IDF-weighted score per name in
   numpy, and the best few hundred names per tab become candidates;
3. only those candidates are re-scored word by word (rapidfuzz ``cdist``,
   which releases the GIL, between the query words and the candidates' words).

Names are held compactly (one UTF-8 blob plus offsets, numpy arrays for tab,
location and linked group); full account details are read from the database
for the hits only. Parent and merged-company names are indexed as aliases of
their subsidiaries (R4.8). Managed records of one customer collapse into one
hit (R4.3); Other hits flag near-identical names (R4.5).
"""
from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from model.accounts.index import Index, IndexBuilder, location_masks
from model.accounts.normalize import normalize_tokens
from model.domain.enums import AccountTab
from model.domain.rules.customer import customer_choice_violations
from model.domain.schemas import Account

TABS = (AccountTab.MANAGED, AccountTab.UNMANAGED, AccountTab.OTHER)
ALIAS_FACTOR = 0.96      # a parent-name match ranks just below a name match (R4.8)
QUERY_SIDE = 0.65        # weight of "all typed words found" against "no extra words in the name"
MIN_WORD_SIMILARITY = 0.6
PREFIX_SIMILARITY = 0.9
MAX_WORD_MATCHES = 40    # catalogue words considered per query word
DUPLICATE_SCORE = 92.0   # token_sort_ratio at which two Other names look like one company (R4.5)
DETAIL_TTL = 30.0        # seconds a hit's details are reused between keystrokes
DETAIL_CACHE = 4096


@dataclass
class Hit:
    """One result row. ``linked``: the customer's other managed records (R4.3)."""

    account: Account
    score: float
    linked: list[Account] = field(default_factory=list)
    possible_duplicate: bool = False
    via_parent: bool = False


@dataclass
class SearchResult:
    """Hits per tab, best first; ``counts``: rows above the cut-off among scored candidates."""

    query: str
    tabs: dict[AccountTab, list[Hit]]
    counts: dict[AccountTab, int]
    more: bool = False

    def all_hits(self) -> list[tuple[AccountTab, Hit]]:
        """Every hit across tabs, best first (for a single ranked list)."""
        pairs = [(tab, hit) for tab in TABS for hit in self.tabs.get(tab, [])]
        return sorted(pairs, key=lambda p: -p[1].score)


@dataclass(frozen=True)
class _Tuning:
    pool: int          # candidates re-scored per tab
    cutoff: float      # minimum score (0-100) of a shown hit
    extra_edits: int   # edits allowed beyond the default per word
    limit_factor: int


_NORMAL = _Tuning(pool=250, cutoff=50.0, extra_edits=0, limit_factor=1)
_MORE = _Tuning(pool=1000, cutoff=30.0, extra_edits=1, limit_factor=3)


def choosable(hit_tab: AccountTab, account: Account) -> tuple[bool, str | None]:
    """Whether ``account`` may be chosen from ``hit_tab``, with the reason if not (R4.6)."""
    violations = customer_choice_violations(hit_tab, account)
    if not violations:
        return True, None
    return False, "; ".join(f"{v.message} ({v.rule})" for v in violations)


def soft_scores(ix: Index, tokens: list[str], qweights: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Similarity 0-100 of the query words to each candidate document's words.

    Every query word is paired with its most similar word in the name (so
    word order and a misspelt first letter do not matter, unlike sorted-token
    string ratios), and every name word with its most similar query word.
    Both sides are IDF-weighted: missing a rare word ("veltrix") costs a lot,
    missing "services" little. The query side weighs more, so typing only
    part of a name still finds it. ``cdist`` releases the GIL.
    """
    starts = ix.doc_ptr[docs].astype(np.int64)
    lens = ix.doc_ptr[docs + 1].astype(np.int64) - starts
    seg = np.zeros(docs.size, dtype=np.int64)
    np.cumsum(lens[:-1], out=seg[1:])
    wids = ix.fwd[np.repeat(starts - seg, lens) + np.arange(int(lens.sum()))]
    uniq, col = np.unique(wids, return_inverse=True)
    words = [ix.words[w] for w in uniq.tolist()]
    sim = process.cdist(tokens, words, scorer=fuzz.ratio, dtype=np.float32, workers=1) / 100.0
    last = tokens[-1]
    if len(last) >= 3:  # the word being typed may be unfinished
        grows = [j for j, w in enumerate(words) if len(w) > len(last) and w.startswith(last)]
        sim[-1, grows] = np.maximum(sim[-1, grows], PREFIX_SIMILARITY)
    sim[sim < MIN_WORD_SIMILARITY] = 0.0
    per_query = np.maximum.reduceat(sim[:, col], seg, axis=1)            # query word x doc
    query_side = (qweights[:, None] * per_query).sum(axis=0) / qweights.sum()
    word_w = ix.idf[wids]
    doc_side = np.add.reduceat(word_w * sim.max(axis=0)[col], seg) / np.maximum(np.add.reduceat(word_w, seg), 1e-6)
    return 100.0 * (QUERY_SIDE * query_side + (1 - QUERY_SIDE) * doc_side)


def _max_edits(n: int, extra: int) -> int:
    """Edits tolerated in a word of length ``n``: short words must be nearly exact."""
    base = 0 if n <= 2 else 1 if n <= 5 else 2 if n <= 10 else 3
    return base + (extra if n >= 4 else 0)


class AccountMatcher:
    """The search index over the catalogue. Immutable once built; safe to share between threads."""

    def __init__(self, index: Index, source):
        self._ix = index
        self._source = source

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_store(cls, store) -> AccountMatcher:
        """Index every account with one streamed SELECT; details stay in the database.

        ``norm_name`` is used as stored unless it was written under other
        normalisation rules (then names are normalised while loading).
        """
        from model.accounts.catalogue import norm_is_stale
        from model.store.accounts import index_rows

        stale = norm_is_stale(store)  # stored under older rules: normalise the names here
        builder = IndexBuilder()
        with store.read() as session:
            for part in index_rows(session, renormalise=stale):
                builder.add(part)
        return cls(builder.finish(), _StoreSource(store))

    @classmethod
    def from_index(cls, index: Index, store) -> AccountMatcher:
        """Search ``index`` (built or loaded elsewhere: ``model.accounts.stored_index``), details from ``store``."""
        return cls(index, _StoreSource(store))

    def __len__(self) -> int:
        return self._ix.n_rows

    @property
    def nbytes(self) -> int:
        """Approximate memory held by the index."""
        return self._ix.nbytes

    choosable = staticmethod(choosable)

    # -- search -------------------------------------------------------------------
    def search(self, query: str, *, city_or_country: str | None = None, limit: int = 20,
               more: bool = False) -> SearchResult:
        """Ranked hits per tab, best first, at most ``limit`` per tab.

        ``city_or_country``: keep accounts whose city (typos tolerated) or
        country (ISO code or name) matches; "Leeds, GB" needs both. ``more``:
        "search more" (R4.8) - more edits per word, a lower cut-off, a bigger
        candidate pool and three times the rows. Takes a few milliseconds at
        a million accounts; call it from a worker thread all the same (the
        hits' details are read from the database).
        """
        tune = _MORE if more else _NORMAL
        limit = max(1, limit) * tune.limit_factor
        tokens = normalize_tokens(query or "")
        empty = SearchResult(query, {t: [] for t in TABS}, {t: 0 for t in TABS}, more)
        if not tokens or self._ix.n_rows == 0:
            return empty
        docs, weights, qweights = self._candidates(tokens, tune)
        if docs.size == 0:
            return empty
        rows = self._ix.doc_rows(docs)
        if city_or_country and city_or_country.strip():
            keep = self._location_filter(rows, city_or_country)
            docs, weights, rows = docs[keep], weights[keep], rows[keep]
        tabs = self._ix.tab[rows]
        picked = []
        for code in range(3):
            idx = np.flatnonzero(tabs == code)
            if idx.size > tune.pool:
                idx = idx[np.argpartition(-weights[idx], tune.pool)[:tune.pool]]
            picked.append(idx)
        idx = np.concatenate(picked)
        docs, rows = docs[idx], rows[idx]
        scores = soft_scores(self._ix, tokens, qweights, docs)
        alias = docs >= self._ix.n_rows
        scores = np.where(alias, scores * ALIAS_FACTOR, scores)
        return self._assemble(query, rows, docs, scores, alias, tune, limit, more)

    # -- step 1 + 2: words to candidate names -------------------------------------------
    def _word_matches(self, word: str, last: bool, tune: _Tuning) -> list[tuple[int, float]]:
        """Vocabulary words close to ``word``: (word id, similarity 0-1)."""
        ix = self._ix
        exact = ix.vocab.get(word)
        out: dict[int, float] = {}
        if exact is not None:
            out[exact] = 1.0
        n = len(word)
        edits = _max_edits(n, tune.extra_edits)
        if edits == 0 and not (last and n >= 3):
            return list(out.items())
        cands = ix.similar_words(word, edits, prefix=last and n >= 3)
        if cands.size:
            strings = [ix.words[i] for i in cands.tolist()]
            dist = process.cdist([word], strings, scorer=OSA.distance, score_cutoff=max(edits, 1),
                                 dtype=np.int32, workers=1)[0]
            for vid, s, d in zip(cands.tolist(), strings, dist.tolist()):
                if d <= edits and vid not in out:
                    out[vid] = (1.0, 0.8, 0.65, 0.5, 0.4)[min(d, 4)] * (1 - d / (2 * max(n, len(s))))
                elif last and n >= 3 and len(s) > n and s.startswith(word):
                    out.setdefault(vid, 0.75)
        if exact is None and n >= 6:  # a name typed as one word: "nordtech" for "nord tech"
            for k in range(3, n - 2):
                a, b = ix.vocab.get(word[:k]), ix.vocab.get(word[k:])
                if a is not None and b is not None:
                    out.setdefault(a, 0.9)
                    out.setdefault(b, 0.9)
        # closest first (an exact or one-edit match must never be crowded out), then rarest
        best = sorted(out.items(), key=lambda kv: (-round(kv[1], 1), -ix.idf[kv[0]]))
        return best[:MAX_WORD_MATCHES]

    def _candidates(self, tokens: list[str], tune: _Tuning):
        """Documents sharing (nearly) any query word, with IDF-weighted scores, and the
        weight of each query word (the IDF of its closest catalogue word; unknown words
        weigh as the rarest)."""
        ix = self._ix
        matches: list[tuple[int, float]] = []
        qweights = np.full(len(tokens), math.log1p(max(ix.n_docs, 1)), dtype=np.float32)
        for i, word in enumerate(tokens):
            found = self._word_matches(word, i == len(tokens) - 1, tune)
            if found:
                qweights[i] = ix.idf[max(found, key=lambda m: m[1])[0]]
            matches += found
            if i + 1 < len(tokens):  # "nord tech" typed for "nordtech"
                joined = ix.vocab.get(word + tokens[i + 1])
                if joined is not None:
                    matches.append((joined, 1.0))
        docs, weights = ix.score_postings(matches)
        return docs, weights, qweights

    def _location_filter(self, rows: np.ndarray, text: str) -> np.ndarray:
        keep = np.ones(rows.size, dtype=bool)
        for city_ok, country_ok in location_masks(self._ix, text):
            keep &= city_ok[self._ix.city[rows]] | country_ok[self._ix.country[rows]]
        return keep

    # -- step 3: ranked, collapsed hits ------------------------------------------------
    def _assemble(self, query, rows, docs, scores, alias, tune, limit, more) -> SearchResult:
        ix = self._ix
        order = np.argsort(-scores, kind="stable")
        rows_sorted = rows[order]
        _, first = np.unique(rows_sorted, return_index=True)  # best document per account
        best = order[np.sort(first)]
        best = best[scores[best] >= tune.cutoff]
        shown: dict[int, list[int]] = {0: [], 1: [], 2: []}
        counts = {t: 0 for t in TABS}
        seen_groups: set[int] = set()
        for i, row, group in zip(best.tolist(), rows[best].tolist(), ix.groups_of(rows[best]).tolist()):
            code = int(ix.tab[row])
            if code == 0 and group >= 0:
                if group in seen_groups:
                    continue  # shown as a linked record of a better-scoring row (R4.3)
                seen_groups.add(group)
            counts[TABS[code]] += 1
            if len(shown[code]) < limit:
                shown[code].append(i)
        dup = self._duplicates(shown[2], rows, docs, scores, alias)
        ids = [ix.account_id(int(rows[i])) for code in shown for i in shown[code]]
        details = self._source.accounts(ids)
        groups = [a.linked_group for a in details.values() if a.tab is AccountTab.MANAGED and a.linked_group]
        linked = self._source.linked(groups) if groups else {}
        tabs: dict[AccountTab, list[Hit]] = {}
        for code, idxs in shown.items():
            hits = []
            for i in idxs:
                acc = details.get(ix.account_id(int(rows[i])))
                if acc is None:  # deleted since the index was built
                    continue
                others = [a for a in linked.get(acc.linked_group, []) if a.account_id != acc.account_id] \
                    if code == 0 and acc.linked_group else []
                hits.append(Hit(account=acc, score=round(float(min(scores[i], 100.0)), 1), linked=others,
                                possible_duplicate=i in dup, via_parent=bool(alias[i])))
            tabs[TABS[code]] = hits
        return SearchResult(query, tabs, counts, more)

    def _duplicates(self, shown: list[int], rows, docs, scores, alias) -> set[int]:
        """Shown Other hits whose name nearly equals another scored Other account's (R4.5)."""
        if not shown:
            return set()
        # a near-identical name scores nearly the same against the query: look only there
        floor = float(scores[shown].min()) - 12.0
        pool = np.flatnonzero(~alias & (self._ix.tab[rows] == 2) & (scores >= floor)).tolist()
        if len(pool) < 2:
            return set()
        texts = {j: self._ix.doc_text(int(docs[j])) for j in pool}
        keys = [texts[i] if i in texts else self._ix.doc_text(int(docs[i])) for i in shown]
        sim = process.cdist(keys, [texts[j] for j in pool], scorer=fuzz.token_sort_ratio,
                            score_cutoff=DUPLICATE_SCORE, dtype=np.uint8, workers=1)
        pool_rows = rows[pool]
        return {i for k, i in enumerate(shown) if np.any((sim[k] >= DUPLICATE_SCORE) & (pool_rows != rows[i]))}


class _StoreSource:
    """Account details for hits, read from the database by id.

    Successive keystrokes show mostly the same accounts, so details are kept
    for a short while (``DETAIL_TTL`` seconds, at most ``DETAIL_CACHE`` of
    them): a search then reads only the accounts it has not just shown.
    """

    def __init__(self, store):
        self.store = store
        self._cache: OrderedDict[tuple[str, str], tuple[float, object]] = OrderedDict()
        self._lock = Lock()

    def _cached(self, kind: str, keys: list[str], load) -> dict:
        now = time.monotonic()
        found, missing = {}, []
        with self._lock:
            for key in keys:
                entry = self._cache.get((kind, key))
                if entry is not None and now - entry[0] < DETAIL_TTL:
                    found[key] = entry[1]
                else:
                    missing.append(key)
        if missing:
            loaded = load(missing)
            found.update(loaded)
            with self._lock:
                for key, value in loaded.items():
                    self._cache[(kind, key)] = (now, value)
                    self._cache.move_to_end((kind, key))
                while len(self._cache) > DETAIL_CACHE:
                    self._cache.popitem(last=False)
        return found

    def accounts(self, ids: list[str]) -> dict[str, Account]:
        from model.accounts.catalogue import get_accounts

        return self._cached("a", ids, lambda keys: {a.account_id: a for a in get_accounts(self.store, keys)})

    def linked(self, groups: list[str]) -> dict[str, list[Account]]:
        from model.accounts.catalogue import get_linked

        return self._cached("g", groups, lambda keys: get_linked(self.store, keys))


__all__ = ["AccountMatcher", "Hit", "SearchResult", "choosable", "TABS"]
