"""The referral fields cosell does not model, kept with the deal and written back on export.

Partner Center is the system of record and its referrals carry far more than a deal needs
(``qualification``, ``target``, ``trackingInfo``, ``customerProfile.size``, address lines,
contact preferences, requirement tags...). An import keeps every key of a record, nested too,
that the export would not write itself (``TEMPLATE`` below mirrors ``to_referral``), in the
deal's ``pc_extra`` column; the export merges them back (``merge``), keys the export writes
winning. So a Partner Center record makes a lossless round trip of its keys.

Lists of objects are kept by position (a team member's ``contactPreference`` stays with the
member at that place); attributes of types cosell does not map are kept whole and appended.
A key whose value is null is kept as such, since the export leaves out what it has no value for.
"""
from __future__ import annotations

_MEMBER = {"firstName": None, "lastName": None, "phoneNumber": None, "email": None}
#: What ``to_referral.rows_to_referral`` may write; a leaf is None, a list of objects is [item].
TEMPLATE: dict = {
    "id": None, "name": None, "createdDateTime": None, "updatedDateTime": None, "status": None,
    "substatus": None, "direction": None, "type": None, "salesStage": None, "favorite": None, "eTag": None,
    "engagementId": None, "externalReferenceId": None, "campaignId": None, "statusReason": None,
    "expirationDateTime": None, "acceptedDateTime": None, "closedDateTime": None, "mpnId": None,
    "customerProfile": {"name": None, "isMatchingComplete": None, "address": {"city": None, "country": None},
                        "ids": [{"profileType": None, "id": None}], "team": [_MEMBER]},
    "consent": {"consentToToShareInfoWithOthers": None, "consentToShareReferralWithMicrosoftSellers": None},
    "details": {"dealValue": None, "currency": None, "closingDateTime": None, "notes": None,
                "requirements": {"solutions": [{"id": None, "name": None, "type": None, "publisherName": None,
                                                "solutionType": None}],
                                 "additionalRequirements": {"attributes": "attributes"}}},
    "team": [_MEMBER],
    "inviteContext": {"assistanceRequestCode": None, "invitedBy": {"organizationId": None, "organizationName": None}},
    "registrationStatus": None,
    "registrations": [{"status": None, "type": None, "registrationDateTime": None, "statusReason": None,
                       "contract": {"value": None, "currency": None}, "statusHistory": "any"}],
    "cosell": "any",
}
#: Attribute types ``rows`` maps onto deal fields; others are kept as extras.
MAPPED_ATTRIBUTES = frozenset({"PartnerRole", "SolutionArea", "SolutionPlay", "CustomerMarketplaceIntent",
                               "PartnerProgram"})


def _diff(raw, template):
    """The part of ``raw`` the template does not cover (None: nothing)."""
    if template == "any":
        return None
    if template == "attributes":
        if not isinstance(raw, list):
            return raw
        kept = [a for a in raw if not (isinstance(a, dict) and a.get("type") in MAPPED_ATTRIBUTES)]
        return {"__append__": kept} if kept else None
    if template is None:
        return None
    if isinstance(template, list):
        if not isinstance(raw, list) or not raw:
            return raw  # an empty list is kept: the export leaves empty lists out
        items = [_diff(item, template[0]) for item in raw]
        if not any(i is not None for i in items):
            return None
        return {"__items__": [i if i is not None else {} for i in items]}
    if not isinstance(raw, dict) or not raw:
        return raw
    out = {}
    for k, v in raw.items():
        if v is None or k not in template:
            out[k] = v
            continue
        sub = template[k]
        if sub is None or sub == "any":  # a mapped leaf (most keys): nothing to keep
            continue
        d = _diff(v, sub)
        if d is not None:
            out[k] = d
    return out or None


def extract(raw: dict) -> dict | None:
    """The keys of one raw referral (a dict as parsed from the file) that cosell does not map."""
    if not isinstance(raw, dict):
        return None
    return _diff(raw, TEMPLATE) or None


def merge(out: dict, extra: dict | None) -> dict:
    """``out`` (an exported referral) with the kept keys put back; ``out``'s own keys win."""
    if not extra:
        return out
    for k, v in extra.items():
        if k not in out:
            out[k] = _plain(v)
            continue
        have = out[k]
        if isinstance(v, dict) and "__append__" in v and isinstance(have, list):
            have.extend(v["__append__"])
        elif isinstance(v, dict) and "__items__" in v and isinstance(have, list):
            items = v["__items__"]
            for i, item in enumerate(items):
                if i < len(have) and isinstance(have[i], dict) and isinstance(item, dict):
                    merge(have[i], item)
                elif i >= len(have) and item:
                    have.append(_plain(item))
        elif isinstance(v, dict) and isinstance(have, dict):
            merge(have, v)
    return out


def _plain(v):
    """An extra as the file had it (markers of list positions undone) for a key the export lacks."""
    if isinstance(v, dict):
        if "__append__" in v:
            return list(v["__append__"])
        if "__items__" in v:
            return [_plain(i) for i in v["__items__"]]
        return {k: _plain(x) for k, x in v.items()}
    return v
