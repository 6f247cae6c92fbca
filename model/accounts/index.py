"""The compact in-memory index behind customer search (R4.8).

A million accounts must fit in a few tens of megabytes, so nothing here is an
object per account: account ids live in one byte blob, each normalised name as
a run of word numbers (the forward index), the tab / city / country / linked
group of each account in small numpy arrays, and the word index in CSR form
(one int32 array of document numbers, sliced per word). A second, tiny
trigram index over the *vocabulary* finds words a few edits away from a
misspelt query word without scanning every name.

Documents are the normalised account names (document ``i`` is account row
``i``) followed by alias documents: a subsidiary's parent or merged-company
name, pointing back at the subsidiary's row.

Because it is all flat arrays, a frozen ``Index`` is stored as one file and
memory-mapped back by later processes (``model.accounts.index_file``), so the
arrays may be read-only views of a mapping and ``id_blob`` a memoryview.
"""
from __future__ import annotations

import re
from array import array
from collections import OrderedDict
from threading import Lock

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from model.accounts.normalize import fold_location, normalize_name

TAB_CODES = {"managed": 0, "unmanaged": 1, "other": 2}
MAX_WORD_CANDIDATES = 1000
MAX_PREFIX_CANDIDATES = 60
TRIGRAMS_PER_EDIT = 4  # padded trigrams one edit can spoil (a transposition: 4)

#: Country names people type, to ISO codes (the catalogue stores codes).
COUNTRY_ALIASES = {
    "usa": "US", "united states": "US", "united states of america": "US", "america": "US", "us": "US",
    "uk": "GB", "united kingdom": "GB", "great britain": "GB", "britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "sweden": "SE", "sverige": "SE", "norway": "NO", "norge": "NO",
    "denmark": "DK", "danmark": "DK", "finland": "FI", "suomi": "FI", "iceland": "IS",
    "germany": "DE", "deutschland": "DE", "austria": "AT", "osterreich": "AT", "switzerland": "CH",
    "schweiz": "CH", "suisse": "CH", "india": "IN", "bharat": "IN", "france": "FR", "spain": "ES",
    "espana": "ES", "italy": "IT", "italia": "IT", "netherlands": "NL", "nederland": "NL",
    "holland": "NL", "belgium": "BE", "ireland": "IE", "poland": "PL", "portugal": "PT",
    "canada": "CA", "mexico": "MX", "brazil": "BR", "australia": "AU", "new zealand": "NZ",
    "japan": "JP", "china": "CN", "singapore": "SG", "south africa": "ZA", "estonia": "EE",
    "latvia": "LV", "lithuania": "LT", "czechia": "CZ", "czech republic": "CZ",
}


def _trigrams(word: str) -> set[str]:
    padded = f" {word} "
    return {padded[k:k + 3] for k in range(len(padded) - 2)}


def _joined(items: list[str]) -> bytes:
    """Entries as one newline-terminated UTF-8 blob (newlines inside entries become spaces)."""
    blob = ("\n".join(items) + "\n").encode() if items else b""
    if blob.count(b"\n") != len(items):
        blob = ("\n".join(s.replace("\n", " ") for s in items) + "\n").encode()
    return blob


def _csr(keys: np.ndarray, n_keys: int, values, chunk: int = 1 << 18):
    """Group values by ``keys`` (stable): returns (ptr, grouped values).

    ``values(start, stop)`` gives the values of ``keys[start:stop]``. A
    counting sort done a chunk at a time, so building the word index of a
    million names needs a few megabytes of scratch, not a full argsort.
    """
    counts = np.bincount(keys, minlength=n_keys)
    ptr = np.zeros(n_keys + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    out = None
    cursor = ptr[:-1].copy()
    for start in range(0, len(keys), chunk):
        k = keys[start:start + chunk]
        vals = values(start, start + len(k))
        if out is None:
            out = np.empty(len(keys), dtype=vals.dtype)
        order = np.argsort(k, kind="stable")
        ks = k[order]
        first = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])  # start of each run of equal keys
        runs = np.diff(np.r_[first, len(ks)])
        out[cursor[ks] + (np.arange(len(ks)) - np.repeat(first, runs))] = vals[order]
        cursor[ks[first]] += runs
    return ptr, (out if out is not None else np.empty(0, dtype=np.int32))


def _release_freed_memory() -> None:
    """Hand the build's scratch memory back to the OS (glibc keeps it otherwise)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


class IndexBuilder:
    """Accumulates streamed rows ``(account_id, norm_name, name_if_norm_blank, tab,
    linked_group, city, country, parent_name)`` and freezes them into an ``Index``."""

    def __init__(self):
        self.ids = bytearray()
        self.id_ends = array("q")
        self.id_lengths: set[int] = set()
        self.tab, self.city, self.country = array("B"), array("i"), array("H")
        self.group_rows, self.group_ids = array("i"), array("i")
        self.tokens, self.ntok = array("i"), array("H")
        self.vocab: dict[str, int] = {}
        self.city_codes: dict[str | None, int] = {}
        self.cities: dict[str, int] = {}
        self.country_codes: dict[str | None, int] = {}
        self.groups: dict[str, int] = {}
        self.parents: dict[str, str] = {}
        self.alias_rows = array("i")
        self.alias_texts: list[str] = []
        self.n_rows = 0

    def _city(self, raw: str | None) -> int:
        code = self.city_codes.get(raw)
        if code is None:
            code = self.cities.setdefault(fold_location(raw), len(self.cities))
            self.city_codes[raw] = code
        return code

    def _country(self, raw: str | None) -> int:
        code = self.country_codes.get(raw)
        if code is None:
            code = self.country_codes[raw] = min(len(self.country_codes), 65535)
        return code

    def _add_tokens(self, texts: list[str]) -> None:
        """The forward index: each text's word ids (text == " ".join(words))."""
        if not texts:
            return
        get = self.vocab.setdefault
        vocab = self.vocab
        self.tokens.extend([get(t, len(vocab)) for t in " ".join(texts).split(" ")])
        self.ntok.extend([t.count(" ") + 1 for t in texts])

    def add(self, rows) -> None:
        rows = list(rows)
        if not rows:
            return
        texts = [r[1] or normalize_name(r[2] or "") for r in rows]
        if any(t.count(" ") >= 65535 for t in texts):
            texts = [" ".join(t.split(" ")[:1000]) for t in texts]
        chunk = _joined([r[0] for r in rows])
        ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
        fixed = len(self.id_lengths) < 2
        if fixed:
            self.id_lengths.update(np.unique(np.diff(ends, prepend=-1)).tolist())
            if len(self.id_lengths) > 1 and self.ids:  # widths differ after all: offsets so far
                width = len(self.ids) // self.n_rows
                self.id_ends.extend(range(width - 1, len(self.ids), width))
        if len(self.id_lengths) > 1:
            self.id_ends.extend((ends + len(self.ids)).tolist())
        self.ids += chunk
        self._add_tokens(texts)
        self.tab.extend([TAB_CODES.get(r[3], 2) for r in rows])
        self.city.extend([self._city(r[5]) for r in rows])
        self.country.extend([self._country(r[6]) for r in rows])
        groups = self.groups
        for k, r in enumerate(rows):
            if r[4]:
                self.group_rows.append(self.n_rows + k)
                self.group_ids.append(groups.setdefault(r[4], len(groups)))
            if r[7]:
                parent = self.parents.get(r[7])
                if parent is None:
                    parent = self.parents[r[7]] = normalize_name(r[7])
                if parent and parent != texts[k]:
                    self.alias_rows.append(self.n_rows + k)
                    self.alias_texts.append(parent)
        self.n_rows += len(rows)

    def finish(self) -> Index:
        self._add_tokens(self.alias_texts)
        self.alias_texts = []
        self.parents = self.city_codes = {}
        ix = Index()
        ix.n_rows, ix.n_docs = self.n_rows, self.n_rows + len(self.alias_rows)
        ix.id_blob = self.ids  # slices of a bytearray decode like bytes; no copy
        if len(self.id_lengths) == 1:
            ix.id_width, ix.id_ends = self.id_lengths.pop(), np.empty(0, dtype=np.int32)  # fixed width
        else:
            ix.id_width = 0
            ix.id_ends = np.asarray(self.id_ends, dtype=np.int64 if len(self.ids) >= 2**31 else np.int32)
        self.ids, self.id_ends = bytearray(), None
        ix.tab = np.frombuffer(self.tab, dtype=np.uint8).copy()
        ix.city = np.asarray(self.city, dtype=np.uint16 if len(self.cities) < 65535 else np.int32)
        ix.country = np.asarray(self.country, dtype=np.uint8 if len(self.country_codes) < 255 else np.uint16)
        ix.group_rows = np.frombuffer(self.group_rows, dtype=np.int32).copy()
        ix.group_ids = np.frombuffer(self.group_ids, dtype=np.int32).copy()
        ix.alias_row = np.frombuffer(self.alias_rows, dtype=np.int32).copy()
        self.tab = self.city = self.country = self.group_rows = self.group_ids = self.alias_rows = None
        ix.cities = np.array(list(self.cities) or [""])
        ix.countries = [fold_location(c).upper() for c in self.country_codes] or [""]
        # forward index (doc -> words) and its inverse (word -> docs)
        ntok = np.frombuffer(self.ntok, dtype=np.uint16)
        total = len(self.tokens)
        ix.doc_ptr = np.zeros(ix.n_docs + 1, dtype=np.int64 if total >= 2**31 else np.int32)
        np.cumsum(ntok, out=ix.doc_ptr[1:])
        ix.fwd = np.frombuffer(self.tokens, dtype=np.int32)  # shares the array's memory
        self.tokens = self.ntok = ntok = None
        n_words = len(self.vocab)
        doc_ptr = ix.doc_ptr

        def doc_of(start: int, stop: int) -> np.ndarray:
            return (np.searchsorted(doc_ptr, np.arange(start, stop), side="right") - 1).astype(np.int32)

        ix.post_ptr, ix.post_docs = _csr(ix.fwd, n_words, doc_of)
        df = np.diff(ix.post_ptr)
        ix.idf = np.log1p(max(ix.n_docs, 1) / np.maximum(df, 1)).astype(np.float32)
        # Fresh copies of the words, made after the streamed rows are gone, so the
        # vocabulary does not pin the allocator's memory pools that held those rows.
        joined, self.vocab = "\n".join(self.vocab), {}
        # a tuple of strings: the garbage collector stops scanning it after one pass
        ix.words = tuple(joined.encode().decode().split("\n")) if n_words else ()
        del joined
        ix.vocab = {w: i for i, w in enumerate(ix.words)}
        ix.word_len = np.fromiter((min(len(w), 255) for w in ix.words), dtype=np.int16, count=n_words)
        _build_trigrams(ix)
        _release_freed_memory()
        return ix


def _build_trigrams(ix: Index) -> None:
    tri: dict[str, int] = {}
    tri_ids, word_ids = array("i"), array("i")
    for wid, word in enumerate(ix.words):
        for t in _trigrams(word):
            tri_ids.append(tri.setdefault(t, len(tri)))
            word_ids.append(wid)
    words = np.frombuffer(word_ids, dtype=np.int32)
    ix.tri_ptr, ix.tri_words = _csr(np.frombuffer(tri_ids, dtype=np.int32), len(tri),
                                    lambda start, stop: words[start:stop])
    ix.tri = tri


class Index:
    """Frozen search structures; read-only after ``IndexBuilder.finish``.

    Per account row: ``tab`` (0 managed, 1 unmanaged, 2 other), ``city`` and
    ``country`` codes (into ``cities`` / ``countries``), linked groups as the
    sorted pairs ``group_rows`` / ``group_ids``; ids in ``id_blob``. Per
    document: words ``fwd[doc_ptr[d]:doc_ptr[d + 1]]``. Per word: ``words``,
    ``vocab`` (word -> number), ``idf``, documents
    ``post_docs[post_ptr[w]:post_ptr[w + 1]]``.
    """

    n_rows = n_docs = 0

    def __init__(self):
        self._loc_cache: OrderedDict[str, list] = OrderedDict()
        self._loc_lock = Lock()

    @property
    def nbytes(self) -> int:
        arrays = (self.id_ends, self.doc_ptr, self.fwd, self.tab, self.city, self.country, self.group_rows,
                  self.group_ids, self.alias_row, self.post_docs, self.post_ptr, self.idf, self.word_len,
                  self.tri_words, self.tri_ptr, self.cities)
        words = sum(len(w) + 50 for w in self.words) + 110 * len(self.words)  # strings + dict/list slots
        return len(self.id_blob) + sum(a.nbytes for a in arrays) + words + 130 * len(self.tri)

    def account_id(self, row: int) -> str:
        if self.id_width:
            start = row * self.id_width
            return bytes(self.id_blob[start:start + self.id_width - 1]).decode()
        start = int(self.id_ends[row - 1]) + 1 if row else 0
        return bytes(self.id_blob[start:int(self.id_ends[row])]).decode()

    def doc_text(self, doc: int) -> str:
        """A document's normalised text, rebuilt from its word ids."""
        words = self.words
        return " ".join([words[w] for w in self.fwd[self.doc_ptr[doc]:self.doc_ptr[doc + 1]].tolist()])

    def groups_of(self, rows: np.ndarray) -> np.ndarray:
        """Linked-group number of each row, -1 for none (R4.3)."""
        if self.group_rows.size == 0:
            return np.full(rows.size, -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.group_rows, rows), self.group_rows.size - 1)
        return np.where(self.group_rows[pos] == rows, self.group_ids[pos], -1)

    def doc_rows(self, docs: np.ndarray) -> np.ndarray:
        if self.alias_row.size == 0:
            return docs
        alias = docs >= self.n_rows
        return np.where(alias, self.alias_row[np.where(alias, docs - self.n_rows, 0)], docs)

    def similar_words(self, word: str, edits: int, *, prefix: bool) -> np.ndarray:
        """Vocabulary ids that may lie within ``edits`` of ``word`` (or extend it, if ``prefix``)."""
        ids = [self.tri[t] for t in _trigrams(word) if t in self.tri]
        if not ids:
            return np.empty(0, dtype=np.int64)
        hits = np.concatenate([self.tri_words[self.tri_ptr[i]:self.tri_ptr[i + 1]] for i in ids])
        words, counts = np.unique(hits, return_counts=True)
        n = len(word)
        lens = self.word_len[words]
        close = (counts >= max(1, n - TRIGRAMS_PER_EDIT * edits)) & (np.abs(lens - n) <= edits)
        out = words[close]
        if out.size > MAX_WORD_CANDIDATES:
            out = out[np.argsort(-counts[close], kind="stable")[:MAX_WORD_CANDIDATES]]
        if prefix:
            longer = words[(counts >= n - 1) & (lens > n + edits)]
            if longer.size > MAX_PREFIX_CANDIDATES:  # most common completions first
                longer = longer[np.argsort(self.idf[longer], kind="stable")[:MAX_PREFIX_CANDIDATES]]
            out = np.concatenate([out, longer])
        return out

    def score_postings(self, matches: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        """Documents containing any matched word, scored by sum of similarity x IDF."""
        if not matches:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        vids = np.fromiter((m[0] for m in matches), dtype=np.int64, count=len(matches))
        sims = np.fromiter((m[1] for m in matches), dtype=np.float64, count=len(matches))
        starts, ends = self.post_ptr[vids], self.post_ptr[vids + 1]
        docs = np.concatenate([self.post_docs[s:e] for s, e in zip(starts.tolist(), ends.tolist())])
        weights = np.repeat(sims * self.idf[vids], ends - starts)
        if docs.size < self.n_docs // 8:
            uniq, inverse = np.unique(docs, return_inverse=True)
            scores = np.bincount(inverse, weights=weights)
        else:
            dense = np.bincount(docs, weights=weights, minlength=self.n_docs)
            uniq = np.flatnonzero(dense)
            scores = dense[uniq]
        return uniq, scores - 0.05 * (self.doc_ptr[uniq + 1] - self.doc_ptr[uniq])


def location_masks(ix: Index, text: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per comma-separated part of ``text``: which cities and which countries it names.

    A part matches a country by ISO code or common name, and a city exactly,
    by prefix, or within one or two typos. Cached: the user types the same
    location for many queries.
    """
    key = text.strip().casefold()
    with ix._loc_lock:
        if key in ix._loc_cache:
            ix._loc_cache.move_to_end(key)
            return ix._loc_cache[key]
    out = []
    for part in filter(None, (fold_location(p) for p in re.split(r"[,;/]", text))):
        code = COUNTRY_ALIASES.get(part, part.upper())
        country_ok = np.array([c == code for c in ix.countries], dtype=bool)
        city_ok = ix.cities == part
        if len(part) >= 3:
            city_ok |= np.char.startswith(ix.cities, part)
        if len(part) >= 4:
            edits = 1 if len(part) < 8 else 2
            dist = process.cdist([part], ix.cities.tolist(), scorer=OSA.distance, score_cutoff=edits,
                                 dtype=np.int32, workers=1)[0]
            city_ok |= dist <= edits
        out.append((city_ok, country_ok))
    with ix._loc_lock:
        ix._loc_cache[key] = out
        while len(ix._loc_cache) > 32:
            ix._loc_cache.popitem(last=False)
    return out
