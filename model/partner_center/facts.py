"""Catalogue facts are looked up, never believed (R4.11, R6.7): the trust model of an import.

- A customer's tab (managed/unmanaged/other), federal and MACC flags and DUNS are the account
  catalogue's, found by ``customerProfile.ids`` (External -> ``account_id``, Duns -> ``duns``).
  A customer the catalogue does not know is a hand-entered customer, or an Other (DUNS)
  customer when it has a DUNS id; the latter is catalogued as an Other account (the DUNS list).
- A solution's source, co-sell readiness, MACC eligibility, incentive and registration kind
  are the solution catalogue's. A solution it does not know is catalogued from Partner
  Center's own fields of the record's solution entry: id, name, publisherName, type /
  solutionType and its incentive ``tags``.
- The ``cosell`` extension's ``customer`` and ``solutions[*]`` flags are *ignored* (a file of
  ours exported them, and the catalogue may have moved on since; a contradiction is not an
  error, the catalogue simply wins). Only a solution's ``assessment_location``, a fact of the
  deal rather than of the solution, is read from it.

What a file introduces is returned as ``Learned`` so the import adds it to the catalogue in its
own transaction and records it on the deal's history ("learned from <file>").
"""
from __future__ import annotations

from dataclasses import dataclass, field

from model.domain.enums import AccountMatch, AccountTab, RegistrationKind, SolutionSource
from model.partner_center import labels
from model.store.referral_lookups import Lookups

#: Partner Center's incentive tags (REG-2021) -> registration kind (R10.2).
_KIND_TAGS = {labels.key("Azure IP Co-sell"): RegistrationKind.AZURE_IP_COSELL,
              labels.key("Azure IP co-sell eligible"): RegistrationKind.AZURE_IP_COSELL,
              labels.key("Business Applications Premium"): RegistrationKind.BIZAPPS_PREMIUM,
              labels.key("Business Applications Standard"): RegistrationKind.BIZAPPS_STANDARD}
_MACC_TAGS = {labels.key(t) for t in ("MACC eligible", "Azure benefit eligible", "Azure IP Co-sell")}
_NOT_READY_TAGS = {labels.key(t) for t in ("Not co-sell ready", "Not cosell ready")}
_ASSESSMENT_TYPES = {labels.key(t) for t in ("Assessment", "Solution assessment", "SolutionAssessment", "SA")}
_THIRD_PARTY_TYPES = {labels.key(t) for t in ("3P", "Third party", "ThirdParty")}
_TAB_RANK = {"managed": 0, "unmanaged": 1, "other": 2}


@dataclass
class Learned:
    """Catalogue entries a batch of records introduced: the first record naming one defines it."""

    solutions: dict[str, dict] = field(default_factory=dict)   # solution_id -> solutions row
    accounts: dict[str, dict] = field(default_factory=dict)    # account_id -> accounts row
    locations: dict[str, str] = field(default_factory=dict)    # mpnId -> name (the mpnId itself)
    by_deal: dict[str, list[str]] = field(default_factory=dict)  # deal id -> what it introduced


# -- customers -----------------------------------------------------------------------------------

def customer(profile, lookups: Lookups, learned: Learned, deal_id: str) -> dict:
    """The customer columns of a deal from the catalogue's view of ``profile.ids``."""
    external = [i.id for i in profile.ids if i.profile_type == "External"]
    duns = [i.id for i in profile.ids if i.profile_type == "Duns"]
    by_duns = sorted((a for d in duns for a in lookups.accounts_by_duns.get(d, ())),
                     key=lambda a: (_TAB_RANK.get(a["tab"], 3), a["account_id"]))
    account = next((lookups.accounts_by_id[i] for i in external if i in lookups.accounts_by_id), None)
    if account is None and by_duns:
        # Chosen from the DUNS list if the DUNS list has it (R4.5, matched below), else the account itself.
        account = next((a for a in by_duns if a["tab"] == "other"), by_duns[0])
    if account is None:
        learned_id = external[0] if external else (f"DUNS-{duns[0]}" if duns else None)
        learned_account = learned.accounts.get(learned_id) if learned_id else None
        if duns and learned_account is None:
            learned_account = {"account_id": learned_id, "name": profile.name, "tab": AccountTab.OTHER.value,
                               "linked_group": None, "duns": duns[0],
                               "city": profile.address.city if profile.address else None,
                               "country": profile.address.country if profile.address else None,
                               "macc": False, "federal": False, "parent_name": None}
            learned.accounts[learned_id] = learned_account
            learned.by_deal.setdefault(deal_id, []).append(f"account {learned_id} (Other, DUNS {duns[0]})")
        # Hand-entered: no account id (R4.11: an id the catalogue lacks is no account); the file's
        # External ids are kept with Partner Center's other unmapped keys (``rows``).
        return {"customer_account_id": learned_id if learned_account is not None else None,
                "customer_duns": duns[0] if duns else None,
                "customer_source": (AccountTab.OTHER if duns else AccountTab.MANUAL).value,
                "customer_match": AccountMatch.NOT_MATCHED.value, "customer_macc": False, "customer_federal": False}
    tab = account["tab"]
    if tab in ("managed", "unmanaged"):
        match = tab
    else:  # R4.5: an Other account is matched by its DUNS number to a Microsoft account
        tabs = {a["tab"] for a in by_duns} | {a["tab"] for d in ([account["duns"]] if account["duns"] else [])
                                               for a in lookups.accounts_by_duns.get(d, ())}
        match = "managed" if "managed" in tabs else "unmanaged" if "unmanaged" in tabs else "not_matched"
    return {"customer_account_id": account["account_id"],
            "customer_duns": account["duns"] or (duns[0] if duns else None), "customer_source": tab,
            "customer_match": match, "customer_macc": account["macc"], "customer_federal": account["federal"]}


# -- solutions -----------------------------------------------------------------------------------

def _learned_solution(tag) -> dict:
    names = [labels.key(t) for t in tag.tag_names if t]
    kind = next((_KIND_TAGS[n] for n in names if n in _KIND_TAGS), None)
    if kind is None:
        for n in tag.tag_names:
            try:
                kind = RegistrationKind(labels.token(RegistrationKind, n))
                break
            except ValueError:
                continue
    kinds = {labels.key(tag.solution_type or ""), labels.key(tag.type or "")}
    if kinds & _ASSESSMENT_TYPES:
        source = SolutionSource.ASSESSMENT
    elif kinds & _THIRD_PARTY_TYPES:
        source = SolutionSource.THIRD_PARTY
    elif labels.key(tag.publisher_name or "") == "microsoft":
        source = SolutionSource.MICROSOFT
    else:
        source = SolutionSource.MY_COMPANY
    return {"solution_id": tag.id, "name": tag.name or tag.id, "source": source.value,
            "publisher": tag.publisher_name or "", "macc_eligible": bool(set(names) & _MACC_TAGS),
            "incentivized": kind is not None or labels.key("incentivized") in names,
            "registration_kind": kind.value if kind else None,
            "cosell_ready": not (set(names) & _NOT_READY_TAGS)}


def solutions(tags, assessment_locations: dict[str, str | None], location: str | None, lookups: Lookups,
              learned: Learned, deal_id: str) -> list[dict]:
    """The deal's solution rows: catalogue flags, or a new catalogue entry from the tag."""
    out = []
    for tag in tags:
        known = lookups.solutions.get(tag.id) or learned.solutions.get(tag.id)
        if known is None:
            row = _learned_solution(tag)
            learned.solutions[tag.id] = row
            learned.by_deal.setdefault(deal_id, []).append(f"solution {tag.id} ({row['name']})")
            known = row
        where = assessment_locations.get(tag.id)
        if known["source"] == SolutionSource.ASSESSMENT.value and not where:
            where = location  # R6.6: an assessment needs its location; Partner Center's is the deal's
        out.append({"solution_id": tag.id, "name": tag.name or known["name"],
                    "publisher": tag.publisher_name if tag.publisher_name is not None else known["publisher"],
                    "source": known["source"], "macc_eligible": known["macc_eligible"],
                    "incentivized": known["incentivized"], "registration_kind": known["registration_kind"],
                    "cosell_ready": known["cosell_ready"],
                    "assessment_location": where if known["source"] == SolutionSource.ASSESSMENT.value else None})
    return out


# -- the catalogue the creation rules ask ----------------------------------------------------------

class LookupCatalogue:
    """``model.domain.creation.Catalogue`` over a batch's lookups plus what the batch introduced,
    so ``creation_violations`` asks no query per record."""

    def __init__(self, lookups: Lookups, learned: Learned):
        self.lookups, self.learned = lookups, learned

    def account(self, account_id):
        from model.domain.schemas import Account

        row = self.lookups.accounts_by_id.get(account_id) or self.learned.accounts.get(account_id)
        if row is None:
            row = next((a for accounts in self.lookups.accounts_by_duns.values() for a in accounts
                        if a["account_id"] == account_id), None)
        if row is None:
            return None
        return Account(account_id=row["account_id"], name=row["name"], tab=AccountTab(row["tab"]),
                       linked_group=row.get("linked_group"), duns=row.get("duns"), city=row.get("city"),
                       country=row.get("country"), macc=row["macc"], federal=row["federal"])

    def solution(self, solution_id):
        from model.domain.schemas import Solution

        row = self.lookups.solutions.get(solution_id) or self.learned.solutions.get(solution_id)
        if row is None:
            return None
        return Solution(solution_id=solution_id, name=row["name"], source=SolutionSource(row["source"]),
                        publisher=row["publisher"], macc_eligible=row["macc_eligible"],
                        incentivized=row["incentivized"],
                        registration_kind=RegistrationKind(row["registration_kind"]) if row["registration_kind"]
                        else None, cosell_ready=row["cosell_ready"])

    def partner(self, partner_id_or_name):
        from model.domain.schemas import Partner

        key_ = (partner_id_or_name or "").strip()
        found = [p for p in self.lookups.partners if p["partner_id"] == key_] or \
            [p for p in self.lookups.partners if p["name"].strip().lower() == key_.lower()]
        if len(found) != 1:
            return None
        return Partner(**found[0])
