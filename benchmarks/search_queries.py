"""Customer-search queries with known answers, for measuring search quality (R4.8).

``generate_queries`` picks accounts from a catalogue (seeded) and writes each
name the way a person might type it: with a typo, without or with another
legal suffix ("Pvt Ltd" / "Private Limited" / nothing), abbreviated or spelled
out ("Intl" / "International"), words in another order, without accents, in
lower case, or as the parent or merged company's name (R4.8). The intended
account id is the ground truth: a good search shows it among the top three
rows of its tab (a managed record may sit in a row's linked accounts, R4.3).

Targets are accounts whose normalised name is unique in the catalogue (other
than records of the same linked group), so the right answer is well defined;
parent-name queries use parent names (normalised) that belong to one company
with at most two subsidiaries.
"""
from __future__ import annotations

import random
import unicodedata
from collections import Counter

from model.accounts.normalize import ABBREVIATIONS, LEGAL_SUFFIXES, normalize_name, raw_tokens

KINDS = (("typo", 24), ("suffix", 14), ("abbrev", 10), ("order", 12), ("accents", 10),
         ("case", 6), ("parent", 14), ("combo", 10))
_FORMS = [("Private Limited", "Pvt Ltd"), ("Pvt. Ltd.", "Private Limited"), ("Limited", "Ltd"),
          ("Ltd.", "Limited"), ("Ltd", "Limited"), ("LTD", "Limited"), ("Incorporated", "Inc"),
          ("Inc.", "Incorporated"), ("Inc", "Incorporated"), ("Corporation", "Corp"), ("Corp", "Corporation"),
          ("Aktiebolag", "AB"), ("GmbH & Co. KG", "GmbH"), ("S.p.A.", "SpA"), ("B.V.", "BV"), ("PLC", "Ltd"),
          ("plc", "Limited"), ("LLC", "Inc"), ("Company", "Co")]
_SHORT = {"International": "Intl", "Manufacturing": "Mfg", "Services": "Svcs", "Technologies": "Tech",
          "Systems": "Sys", "National": "Natl", "Group": "Grp", "Holdings": "Hldgs", "Associates": "Assoc",
          "Brothers": "Bros", "Management": "Mgmt", "Engineering": "Eng", "Department": "Dept",
          "Laboratories": "Labs", "Industries": "Inds"}
_LONG = {v: k for k, v in _SHORT.items()}
_ACCENT = {"a": "á", "e": "é", "o": "ö", "u": "ü", "i": "í", "n": "ñ"}
_KEYS = "qwertyuiopasdfghjklzxcvbnm"


def _strip_accents(text: str) -> str:
    text = text.translate(str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss"}))
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _drop_suffix(name: str) -> str:
    words = name.split()
    while len(words) > 1 and (raw_tokens(words[-1]) == [] or
                              all(t in LEGAL_SUFFIXES or t == "and" for t in raw_tokens(words[-1]))):
        words.pop()
    return " ".join(words)


def _typo(word: str, r: random.Random) -> str:
    if len(word) < 4:
        return word
    i = r.randrange(1, len(word) - 1)
    op = r.choice(("sub", "del", "ins", "swap"))
    key = r.choice(_KEYS).upper() if word.isupper() else r.choice(_KEYS)
    if op == "sub":
        return word[:i] + key + word[i + 1:]
    if op == "del":
        return word[:i] + word[i + 1:]
    if op == "ins":
        return word[:i] + key + word[i:]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]


def _vary(kind: str, name: str, parent: str | None, r: random.Random) -> str | None:
    """``name`` as a user might type it; None if this kind does not apply."""
    if kind == "typo" or kind == "combo":
        base = _drop_suffix(name) if kind == "combo" or r.random() < 0.5 else name
        words = base.split()
        long = [k for k, w in enumerate(words) if len(w) >= 5]
        if not long:
            return None
        k = r.choice(long)
        words[k] = _typo(words[k], r)
        if len(words[k]) >= 9 and r.random() < 0.3:
            words[k] = _typo(words[k], r)
        if kind == "combo" and len(words) > 1:
            words = words[1:] + words[:1]
        return " ".join(words)
    if kind == "suffix":
        for long_form, other in _FORMS:
            if name.endswith(" " + long_form):
                stem = name[: -len(long_form) - 1]
                return stem if r.random() < 0.5 else f"{stem} {other}"
        stem = _drop_suffix(name)
        if stem != name:  # a legal form without a usual swap (AB, GmbH, Oy...): leave it off
            return stem
        return f"{name} {r.choice(('Ltd', 'Limited', 'Inc', 'Pvt Ltd'))}"
    if kind == "abbrev":
        words = name.split()
        swapped = [_SHORT.get(w, _LONG.get(w, w)) for w in words]
        return " ".join(swapped) if swapped != words else None
    if kind == "order":
        words = _drop_suffix(name).split()
        if len(words) < 2:
            return None
        return " ".join(words[1:] + words[:1]) if r.random() < 0.5 else " ".join(reversed(words))
    if kind == "accents":
        if not name.isascii():
            return _strip_accents(name)
        spots = [i for i, c in enumerate(name) if c in _ACCENT]
        if not spots:
            return None
        i = r.choice(spots)
        return name[:i] + _ACCENT[name[i]] + name[i + 1:]
    if kind == "case":
        return _drop_suffix(name).lower().replace(" & ", " and ").replace(".", "")
    if kind == "parent":
        if not parent:
            return None
        return _drop_suffix(parent) if r.random() < 0.5 else parent
    raise ValueError(kind)


def _load(source, pool: int, r: random.Random):
    """A seeded sample of rows (id, name, tab, linked_group, parent) plus uniqueness checks."""
    from model.store import Store

    if not isinstance(source, Store):
        rows = [(a[0], a[1], a[2], a[3], a[9]) if isinstance(a, tuple) else  # data.accounts.FIELDS order
                (a.account_id, a.name, a.tab.value, a.linked_group, a.parent_name) for a in source]
        owners: dict[str, set] = {}
        for row in rows:
            owners.setdefault(normalize_name(row[1]), set()).add(row[3] or row[0])
        parents = Counter(normalize_name(row[4]) for row in rows if row[4])
        sample = r.sample(rows, min(pool, len(rows)))
        return sample, (lambda norm: len(owners.get(norm, ())) <= 1), parents
    from sqlalchemy import func, select

    from model.store.tables import AccountRecord as A

    with source.read() as session:
        total = session.scalar(select(func.count()).select_from(A)) or 0
        wanted = set(r.sample(range(total), min(pool, total)))
        sample, parents = [], Counter()
        stmt = select(A.account_id, A.name, A.tab, A.linked_group, A.parent_name).order_by(A.account_id)
        for i, row in enumerate(session.execute(stmt, execution_options={"yield_per": 20_000})):
            if row.parent_name:
                parents[normalize_name(row.parent_name)] += 1
            if i in wanted:
                sample.append(tuple(row))

    def unique(norm: str) -> bool:
        with source.read() as session:
            owners = session.scalar(select(func.count(func.distinct(func.coalesce(A.linked_group, A.account_id))))
                                    .where(A.norm_name == norm))
        return (owners or 0) <= 1

    r.shuffle(sample)
    return sample, unique, parents


def generate_queries(store_or_accounts, n: int = 200, seed: int = 7) -> list[tuple[str, str]]:
    """``n`` (query text, intended account_id) pairs, the same for the same catalogue and seed.

    ``store_or_accounts``: a ``Store`` (sampled with one streamed SELECT), a
    list of ``Account``, or rows from ``data.accounts.generate_accounts``.
    Kinds are mixed in the proportions of ``KINDS``.
    """
    r = random.Random(seed)
    sample, unique, parents = _load(store_or_accounts, max(40 * n, 2000), r)
    kinds = r.choices([k for k, _ in KINDS], [w for _, w in KINDS], k=n)
    used: set[str] = set()
    out: list[tuple[str, str]] = []
    for kind in kinds:
        for attempt, row in enumerate(sample):
            account_id, name, _tab, _group, parent = row
            if account_id in used:
                continue
            if kind == "accents" and name.isascii() and attempt < 400:
                continue  # prefer names that carry accents
            if kind == "parent" and (not parent or parents[normalize_name(parent)] > 2
                                     or not unique(normalize_name(parent))):
                continue  # the parent name must point at one small family of accounts
            query = _vary(kind, name, parent, r)
            if not query or normalize_name(query) == "" or not unique(normalize_name(name)):
                continue
            used.add(account_id)
            out.append((query, account_id))
            break
    return out
