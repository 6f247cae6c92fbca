"""R8.7 (and R8.8 for solution assessments): the sales stages and what they mean.

Stages are ordered; a deal remembers which of them were marked, because R8.9
enables Won only after *every* earlier stage was marked, not merely the last.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Stage(str, Enum):
    CREATED = "Created"
    ACCEPTED = "Accepted"
    QUALIFIED = "Qualified"
    DEVELOPED = "Developed"
    PROPOSED = "Proposed"
    NEGOTIATED = "Negotiated"
    # Solution assessment stages (R8.8: "the stages differ"; the source names
    # none, so these follow an assessment's natural course and are mandatory).
    SCOPED = "Scoped"
    ASSESSING = "Assessing"
    DELIVERED = "Delivered"
    WON = "Won"

    @property
    def label(self) -> str:
        return self.value


@dataclass(frozen=True)
class StageInfo:
    stage: Stage
    percent: int
    mcem_phase: str
    exit_criterion: str


_LISTEN = ("Listen & consult", "Qualified opportunity")
_INSPIRE = ("Inspire & design", "Customer agrees to solution and business case")
_EMPOWER = ("Empower & achieve", "Customer agreement in place")
_REALIZE = ("Realize value", "Customer signed; deployment can start")

SALES_STAGES: tuple[StageInfo, ...] = (
    StageInfo(Stage.CREATED, 10, *_LISTEN),
    StageInfo(Stage.ACCEPTED, 10, *_LISTEN),
    StageInfo(Stage.QUALIFIED, 20, *_LISTEN),
    StageInfo(Stage.DEVELOPED, 40, *_INSPIRE),
    StageInfo(Stage.PROPOSED, 60, *_EMPOWER),
    StageInfo(Stage.NEGOTIATED, 80, *_EMPOWER),
    StageInfo(Stage.WON, 100, *_REALIZE),
)

ASSESSMENT_STAGES: tuple[StageInfo, ...] = (
    StageInfo(Stage.CREATED, 10, *_LISTEN),
    StageInfo(Stage.SCOPED, 30, *_INSPIRE),
    StageInfo(Stage.ASSESSING, 60, *_EMPOWER),
    StageInfo(Stage.DELIVERED, 80, *_EMPOWER),
    StageInfo(Stage.WON, 100, *_REALIZE),
)

#: Stages a user marks between the entry stage and Won.
SALES_INTERMEDIATE = (Stage.QUALIFIED, Stage.DEVELOPED, Stage.PROPOSED, Stage.NEGOTIATED)
ASSESSMENT_INTERMEDIATE = (Stage.SCOPED, Stage.ASSESSING, Stage.DELIVERED)

_INFO = {info.stage: info for info in SALES_STAGES + ASSESSMENT_STAGES}


def info(stage: Stage) -> StageInfo:
    return _INFO[stage]


def percent(stage: Stage) -> int:
    return _INFO[stage].percent


def stages_for(is_assessment: bool) -> tuple[StageInfo, ...]:
    return ASSESSMENT_STAGES if is_assessment else SALES_STAGES


def intermediate_for(is_assessment: bool) -> tuple[Stage, ...]:
    return ASSESSMENT_INTERMEDIATE if is_assessment else SALES_INTERMEDIATE


# R8.10: words a partner's CRM (or the API's salesStage) may use for a stage.
_CRM_WORDS = {
    "created": Stage.CREATED, "new": Stage.CREATED, "prospect": Stage.CREATED,
    "accepted": Stage.ACCEPTED, "accept": Stage.ACCEPTED,
    "qualify": Stage.QUALIFIED, "qualified": Stage.QUALIFIED, "qualification": Stage.QUALIFIED,
    "develop": Stage.DEVELOPED, "developed": Stage.DEVELOPED, "discovery": Stage.DEVELOPED,
    "solution": Stage.DEVELOPED, "technical validation": Stage.DEVELOPED,
    "propose": Stage.PROPOSED, "proposed": Stage.PROPOSED, "proposal": Stage.PROPOSED, "quote": Stage.PROPOSED,
    "negotiate": Stage.NEGOTIATED, "negotiated": Stage.NEGOTIATED, "negotiation": Stage.NEGOTIATED,
    "close": Stage.NEGOTIATED, "commit": Stage.NEGOTIATED, "committed": Stage.NEGOTIATED,
    "won": Stage.WON, "closed won": Stage.WON,
    "scoped": Stage.SCOPED, "assessing": Stage.ASSESSING, "delivered": Stage.DELIVERED,
}


def map_crm_stage(value: str | int | float, *, inbound: bool = False) -> Stage:
    """R8.10: map a CRM stage word or an API percentage onto the standard stages.

    A percentage maps to the highest standard stage not above it, so a CRM that
    reports 50 % lands on Developed (40 %), not Proposed.
    """
    text = str(value).strip().lower().rstrip("%").strip()
    if text in _CRM_WORDS:
        return _CRM_WORDS[text]
    try:
        pct = float(text)
    except ValueError:
        raise ValueError(f"unknown sales stage {value!r}") from None
    if not 0 <= pct <= 100:
        raise ValueError(f"sales stage percentage {value!r} is outside 0–100")
    best = Stage.ACCEPTED if inbound else Stage.CREATED
    for info_ in SALES_STAGES:
        if info_.stage in (Stage.CREATED, Stage.ACCEPTED):
            continue
        if info_.percent <= pct:
            best = info_.stage
    return best
