"""Company-name normalisation for customer search (R4.8).

People type customer names the way they remember them: without accents, with
"Ltd" where the register says "Limited", "Intl" for "International", words in
another order. Search compares *normalised* names so those differences cost
nothing, and leaves the fuzzy scorer to deal with real misspellings.

``normalize_name`` is what is stored in ``accounts.norm_name`` and what the
matcher indexes; queries go through the same function, so both sides agree.
All functions are pure and cheap (the catalogue import runs them a million
times).
"""
from __future__ import annotations

import re
import unicodedata

#: Bump whenever a change alters what ``normalize_name`` returns: stored
#: ``norm_name`` values written under another version are then recomputed
#: (``model.accounts.catalogue.refresh_norm_names``).
NORMALIZATION_VERSION = 1

# Letters NFKD does not decompose into "base letter + accent".
_SPECIAL_LETTERS = str.maketrans({
    "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ł": "l",
    "ı": "i", "ħ": "h", "ŧ": "t", "ŋ": "n", "ĸ": "k",
})

# Dotted and slashed abbreviations ("S.p.A.", "A/S", "Int'l") must close up
# into one token before the remaining punctuation becomes word breaks.
_CLOSE_UP = str.maketrans({".": None, "'": None, "’": None, "`": None, "´": None})
_SLASH_PAIR = re.compile(r"\b(\w)/(\w)\b")
_AND = re.compile(r"\s*[&+]\s*")
_NON_WORD = re.compile(r"[^\w]+|_")
_ASCII_PUNCTUATION = str.maketrans({
    **{chr(c): " " for c in range(128) if not chr(c).isalnum()}, ".": None, "'": None, "`": None,
})
# Combining accents left by NFKD decomposition ("é" -> "e" + U+0301).
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

#: Tokens that only say what kind of legal entity a company is. Users add,
#: drop and swap them freely ("Pvt Ltd" / "Private Limited" / nothing), so they
#: are removed from the end of a name before matching.
LEGAL_SUFFIXES = frozenset({
    "private", "pvt", "pvte", "limited", "ltd", "ltda", "inc", "incorporated", "corp",
    "corporation", "co", "cos", "company", "companies", "gmbh", "mbh", "ag", "kg", "kgaa",
    "ohg", "ug", "eg", "ab", "publ", "hb", "kb", "as", "asa", "aps", "oy", "oyj",
    "sa", "sas", "sarl", "sae", "sl", "slu", "spa", "srl", "sro", "llc", "llp", "lp",
    "plc", "pc", "pllc", "bv", "nv", "vof", "pty", "pte", "bhd", "sdn", "kk", "se",
    "ltée", "ltee", "cv", "sacv", "de", "sp", "zoo", "oo", "z", "doo", "ad", "ood", "sanv",
    "aktiebolag", "aktieselskab", "aksjeselskap", "allmennaksjeselskap", "anpartsselskab",
    "osakeyhtio", "handelsbolag", "kommanditbolag", "haftungsbeschrankt", "ek", "ev",
})

#: Connectors that dangle once the suffix after them is gone ("Smith & Co").
_DANGLING = frozenset({"and", "und", "og", "och", "et", "y", "e", "the", "of", "de"})

#: Short and long spellings of the same word map to one canonical form, so
#: "Acme Intl Mfg" and "Acme International Manufacturing" normalise alike.
ABBREVIATIONS: dict[str, str] = {
    "intl": "international", "internat": "international",
    "mfg": "manufacturing", "mfrs": "manufacturing", "mfr": "manufacturing",
    "manufacturers": "manufacturing", "manuf": "manufacturing",
    "svcs": "services", "svc": "services", "srvcs": "services", "servs": "services",
    "tech": "technologies", "techn": "technologies", "technology": "technologies",
    "technologie": "technologies", "techs": "technologies",
    "sys": "systems", "syst": "systems",
    "natl": "national",
    "grp": "group",
    "hldgs": "holdings", "hldg": "holdings", "hlds": "holdings", "holding": "holdings",
    "assoc": "associates", "assocs": "associates", "assn": "association",
    "bros": "brothers",
    "dept": "department", "depts": "department",
    "mgmt": "management", "mgt": "management", "mngmt": "management",
    "eng": "engineering", "engg": "engineering", "engr": "engineering", "engrg": "engineering",
    "ind": "industries", "inds": "industries", "indus": "industries", "industry": "industries",
    "ctr": "center", "cntr": "center", "centre": "center",
    "univ": "university", "inst": "institute",
    "dev": "development", "devel": "development",
    "distr": "distribution",
    "elec": "electric",
    "insur": "insurance",
    "labs": "laboratories", "lab": "laboratories", "laboratory": "laboratories",
    "mktg": "marketing",
    "prods": "products",
    "pharma": "pharmaceuticals",
    "solns": "solutions", "sols": "solutions",
    "constr": "construction",
    "comms": "communications", "commun": "communications",
    "telecom": "telecommunications", "telecoms": "telecommunications",
    "ents": "enterprises", "entps": "enterprises",
    "genl": "general",
    "govt": "government",
    "finl": "financial",
    "invs": "investments",
    "equip": "equipment", "eqpt": "equipment",
    "transp": "transport",
    "st": "saint", "ste": "saint", "mt": "mount",
    "und": "and", "og": "and", "och": "and", "et": "and",
}


def fold(text: str) -> str:
    """Casefold and strip accents: "Malmö Ärlig" -> "malmo arlig".

    Users rarely type accents; catalogue names often carry them.
    """
    text = text.casefold()
    if text.isascii():
        return text
    text = text.translate(_SPECIAL_LETTERS)
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def raw_tokens(text: str) -> list[str]:
    """Folded words with punctuation removed and ``&`` spelled ``and``.

    Periods and apostrophes close up ("S.p.A." -> "spa", "Int'l" -> "intl")
    because that is how abbreviations are written; other punctuation separates
    words ("Hewlett-Packard" -> "hewlett packard").
    """
    text = fold(text)
    if "&" in text or "+" in text:
        text = _AND.sub(" and ", text)
    if "/" in text:
        text = _SLASH_PAIR.sub(r"\1\2", text)  # "A/S" -> "as"
    if text.isascii():  # the common case, without a regex
        return text.translate(_ASCII_PUNCTUATION).split()
    return _NON_WORD.sub(" ", text.translate(_CLOSE_UP)).split()


def expand(tokens: list[str]) -> list[str]:
    """Canonical spelling of each word, so abbreviations match long forms."""
    get = ABBREVIATIONS.get
    return [get(t, t) for t in tokens]


def strip_legal(tokens: list[str]) -> list[str]:
    """Drop legal-form words from the end (and a leading "the").

    Only the tail is trimmed: "SA Power Networks" keeps its "SA", "Smith & Co
    Ltd" loses "and co ltd". At least one word always stays, so a name that is
    nothing but a suffix ("AB") can still be found.
    """
    end = len(tokens)
    while end > 1 and (tokens[end - 1] in LEGAL_SUFFIXES or tokens[end - 1] in _DANGLING):
        end -= 1
    start = 1 if end > 1 and tokens[0] == "the" else 0
    return tokens[start:end]


def normalize_tokens(name: str) -> list[str]:
    """The matching words of a company name, in their original order."""
    return strip_legal(expand(raw_tokens(name or "")))


def normalize_name(name: str) -> str:
    """The form stored in ``accounts.norm_name`` and compared by search."""
    return " ".join(normalize_tokens(name))


def order_key(normalized: str) -> str:
    """Word-order-insensitive key: "steel nordic" and "nordic steel" agree."""
    return " ".join(sorted(normalized.split()))


def name_key(name: str) -> str:
    """Normalised, word-order-insensitive key of a raw name (duplicate detection)."""
    return order_key(normalize_name(name))


def fold_location(text: str | None) -> str:
    """A city or country as compared by the location filter: folded, single-spaced."""
    return " ".join(_NON_WORD.sub(" ", fold(text or "")).split())
