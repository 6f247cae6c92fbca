"""Partner Center's vocabularies as its API spells them *or* as its pages show them.

A referral downloaded from the API says ``DeploymentServices``; one typed from the portal, or
exported by a tool that copies the pages, says "Deployment services" or "deployment  Services".
Both mean the same member, so every vocabulary of a referral (partner role, marketplace intent,
help type, solution area and play, partner program, decline/lost reasons) goes through one
normalisation, ``key``: case folded, spaces, hyphens, underscores and "&"/"and" spelling
dropped. The stored value is always the API token (or the catalogue's spelling of a free-text
vocabulary), so an export writes what Partner Center's API writes.
"""
from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache

from model.domain.enums import HelpType, MarketplaceIntent, PartnerRole

_DROP = re.compile(r"[\s_\-/.,()']+")


@lru_cache(maxsize=8192)
def key(text: str) -> str:
    """The one normalisation every vocabulary is compared under (cached: a file repeats its values)."""
    return _DROP.sub("", text.casefold().replace("&", "and"))


@lru_cache(maxsize=None)
def _enum_table(enum_type: type[Enum]) -> dict[str, str]:
    table: dict[str, str] = {}
    for member in enum_type:
        for spelling in (member.value, member.name, getattr(member, "label", member.value)):
            table.setdefault(key(spelling), member.value)
    return table


#: Labels the pages show that are not our enum's label.
_EXTRA = {
    HelpType: {"unknown": HelpType.NONE.value, "nohelpneeded": HelpType.NONE.value,
               "nohelprequiredatthispointoftime": HelpType.NONE.value},
    MarketplaceIntent: {"notdecided": MarketplaceIntent.UNDECIDED.value},
}


def token(enum_type: type[Enum], text: str) -> str:
    """The API token ``text`` names in ``enum_type`` (a token or a label); ValueError if none."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} must be a string")
    return _token(enum_type, text)


@lru_cache(maxsize=4096)
def _token(enum_type: type[Enum], text: str) -> str:
    k = key(text)
    found = _enum_table(enum_type).get(k) or _EXTRA.get(enum_type, {}).get(k)
    if found is None:
        labels = ", ".join(f"{m.value} ({m.label})" if m.label != m.value else m.value for m in enum_type)
        raise ValueError(f"{text!r} is not one of: {labels}")
    return found


ATTRIBUTE_ENUMS: dict[str, type[Enum]] = {"partnerrole": PartnerRole, "customermarketplaceintent": MarketplaceIntent}
#: The attribute types as the API spells them, by normalised key.
ATTRIBUTE_TYPES = {"partnerrole": "PartnerRole", "customermarketplaceintent": "CustomerMarketplaceIntent",
                   "solutionarea": "SolutionArea", "solutionplay": "SolutionPlay",
                   "partnerprogram": "PartnerProgram"}


@lru_cache(maxsize=1)
def _free_vocabularies() -> dict[str, dict[str, str]]:
    """Solution areas, plays and partner programs: free text on a deal, but the catalogue's
    spelling when a value names one of its entries (``data.catalogue``, loaded on first use)."""
    try:
        from data import catalogue
    except ImportError:  # pragma: no cover - model used without the data package
        return {"SolutionArea": {}, "SolutionPlay": {}, "PartnerProgram": {}}
    plays = [p for ps in catalogue.SOLUTION_AREAS.values() for p in ps]
    return {"SolutionArea": {key(a): a for a in catalogue.SOLUTION_AREAS},
            "SolutionPlay": {key(p): p for p in plays},
            "PartnerProgram": {key(p): p for p in catalogue.PARTNER_PROGRAMS}}


def attribute_value(kind: str, text: str) -> str:
    """An ``additionalRequirements.attributes[]`` id in its stored spelling (``kind`` is the API type)."""
    if not isinstance(text, str) or not isinstance(kind, str):
        raise ValueError(f"{text!r} must be a string")
    return _attribute_value(kind, text)


@lru_cache(maxsize=4096)
def _attribute_value(kind: str, text: str) -> str:
    enum_type = ATTRIBUTE_ENUMS.get(key(kind))
    if enum_type is not None:
        return token(enum_type, text)
    vocabulary = _free_vocabularies().get(kind)
    if vocabulary:
        return vocabulary.get(key(text), text.strip())
    return text


def attribute_type(text: str) -> str:
    """An attribute's ``type`` as the API spells it ("partner role" -> "PartnerRole")."""
    return ATTRIBUTE_TYPES.get(key(text), text) if isinstance(text, str) else text


def free_text(kind: str, text: str | None) -> str | None:
    """``attribute_value`` for a vocabulary that is free text (partner program from the extension)."""
    if text is None:
        return None
    return attribute_value(kind, text)


def reason(text: str | None, allowed: tuple[str, ...]) -> str | None:
    """The pick-list entry a ``statusReason`` names under the one normalisation (or a unique
    prefix of one); ``text`` itself when it names none (the rules then judge it)."""
    if text is None or not text.strip():
        return text
    k = key(text)
    exact = [r for r in allowed if key(r) == k]
    if exact:
        return exact[0]
    prefixed = [r for r in allowed if key(r).startswith(k)]
    return prefixed[0] if len(prefixed) == 1 else text
