"""R7.3, R7.5, R8, R9: what a deal may do next, as pure functions of (deal, now).

``action_violations`` is the single gate every face asks: an empty list means
the action is allowed; otherwise each entry says why not. The services call
it again inside their transaction, so a hidden button is never the only guard.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from model.domain.enums import (
    AccountTab, DealKind, Direction, HelpType, MarketplaceIntent, MicrosoftStatus, SaleType, Substatus,
)
from model.domain.errors import Violation
from model.domain.schemas import Deal
from model.domain.stages import Stage, intermediate_for

RESPONSE_WINDOW = timedelta(days=14)   # R8.2: inbound deals expire unanswered after 14 days
MICROSOFT_WINDOW = timedelta(days=14)  # R7.3: Microsoft has 14 days to decide whether to join
EARLY_WIN = timedelta(hours=72)        # R8.12


class Action(str, Enum):
    ACCEPT = "accept"
    DECLINE = "decline"
    MARK_STAGE = "stage"
    WON = "won"
    LOST = "lost"
    CLOSE_AS_ERROR = "error"
    REGISTER = "register"
    UPGRADE = "upgrade"
    INVITE_PARTNER = "invite_partner"
    INVITE_MICROSOFT = "invite_microsoft"
    EDIT = "edit"
    TEAM = "team"
    SOLUTIONS = "solutions"
    NOTE = "note"
    FAVORITE = "favorite"

    @property
    def label(self) -> str:
        return {
            "accept": "Accept", "decline": "Decline", "stage": "Mark next stage", "won": "Mark won",
            "lost": "Mark lost", "error": "Close as error", "register": "Register deal",
            "upgrade": "Upgrade private deal", "invite_partner": "Invite partner",
            "invite_microsoft": "Invite Microsoft", "edit": "Edit details", "team": "Edit team",
            "solutions": "Edit solutions", "note": "Add note", "favorite": "Toggle favorite",
        }[self.value]


# -- time windows ---------------------------------------------------------------

def expiry_for(received_at: datetime) -> datetime:
    return received_at + RESPONSE_WINDOW


def time_left(deal: Deal, now: datetime) -> timedelta | None:
    """Time until a received inbound deal expires (negative once overdue); None if it cannot expire."""
    if not deal.is_received or deal.expires_at is None:
        return None
    return deal.expires_at - now


def is_overdue(deal: Deal, now: datetime) -> bool:
    left = time_left(deal, now)
    return left is not None and left <= timedelta(0)


def expiry_band(left: timedelta | None) -> str | None:
    """Colour bands of the countdown: overdue, < 24 h, < 72 h, or fine."""
    if left is None:
        return None
    if left <= timedelta(0):
        return "overdue"
    if left < timedelta(hours=24):
        return "24h"
    if left < timedelta(hours=72):
        return "72h"
    return "ok"


def format_left(left: timedelta | None) -> str:
    """'13d 4h', '5h 12m', '12m', 'overdue'."""
    if left is None:
        return ""
    if left.total_seconds() <= 0:
        return "overdue"
    return format_span(left)


def format_span(span: timedelta) -> str:
    """A duration the way people say it: '13d 4h', '5h 12m', '12m'."""
    secs = max(int(span.total_seconds()), 0)
    days, rem = divmod(secs, 86400)
    hours, rem = divmod(rem, 3600)
    minutes = rem // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{max(minutes, 1)}m"


def microsoft_window(deal: Deal, now: datetime) -> tuple[datetime, bool] | None:
    """R7.3: (deadline, lapsed) while Microsoft is invited and has not answered."""
    if deal.microsoft_status is not MicrosoftStatus.INVITED or deal.microsoft_invited_at is None:
        return None
    deadline = deal.microsoft_invited_at + MICROSOFT_WINDOW
    return deadline, now >= deadline


# -- sale type --------------------------------------------------------------------

def sale_type_for(help_type: HelpType, share_with_microsoft: bool, invites_partners: bool,
                  kind: DealKind = DealKind.IP_COSELL) -> SaleType | None:
    """R7.1–R7.4: the two questions (and "Invite partner") decide what kind of sale this is."""
    if kind is DealKind.SOLUTION_ASSESSMENT:
        return None
    if help_type is not HelpType.NONE:
        return SaleType.CO_SELL
    if invites_partners:
        return SaleType.P2P
    return SaleType.PARTNER_LED if share_with_microsoft else SaleType.PRIVATE


def is_private(deal: Deal) -> bool:
    """R2.6/R7.1: nothing shared with Microsoft yet. A P2P deal we created is private too when
    its answers to R7's two questions were "no help" and "No", so it can be upgraded (R7.5)."""
    if deal.sale_type is SaleType.PRIVATE:
        return True
    return (deal.sale_type is SaleType.P2P and deal.direction is Direction.OUTBOUND
            and not deal.share_with_microsoft and deal.help_type is HelpType.NONE
            and deal.microsoft_status is MicrosoftStatus.NOT_INVITED)


# -- stages -------------------------------------------------------------------------

def next_stage(deal: Deal) -> Stage | None:
    """The first stage not yet marked: what `>` marks. None once only Won is left."""
    for stage in intermediate_for(deal.is_assessment):
        if stage not in deal.stages_marked:
            return stage
    return None


def missing_before_won(deal: Deal) -> list[Stage]:
    return [s for s in intermediate_for(deal.is_assessment) if s not in deal.stages_marked]


def terminal_violations(deal: Deal) -> list[Violation]:
    """R9.1, its one statement: nothing of a terminal deal changes. The gate (every action) and the
    deal invariants (every change, ``invariants.transition_violations``) both ask it, so a change
    that both check (an import) is refused once, in one wording."""
    if deal.is_terminal:
        state = "closed as error" if deal.substatus is Substatus.ERROR else deal.substatus.value.lower()
        return [Violation("R9.1", f"the deal is {state}: won, lost, declined, "
                                  "expired and error-closed deals cannot be changed")]
    return []


def _answered(deal: Deal) -> list[Violation]:
    if deal.is_received:
        return [Violation("R8.2", "accept the deal first (or decline it)")]
    return []


def stage_violations(deal: Deal, stage: Stage | None) -> list[Violation]:
    out = terminal_violations(deal) or _answered(deal)
    if out:
        return out
    track = intermediate_for(deal.is_assessment)
    if stage is None:
        return [Violation("R8.9", "every stage is marked; mark the deal won or lost")]
    if stage is Stage.WON:
        return [Violation("R8.11", "use 'won' to mark the deal won")]
    if stage not in track:
        names = ", ".join(s.value for s in track)
        return [Violation("R8.7", f"{stage.value} is not a stage of this deal; its stages are {names}")]
    if stage in deal.stages_marked:
        return [Violation("R8.7", f"{stage.value} is already marked")]
    if deal.is_assessment and stage is not next_stage(deal):
        return [Violation("R8.8", f"solution assessment stages are marked in order: mark {next_stage(deal).value} first")]
    return []


def won_violations(deal: Deal) -> list[Violation]:
    out = terminal_violations(deal) or _answered(deal)
    if out:
        return out
    missing = missing_before_won(deal)
    if missing:
        return [Violation("R8.9", "Won is enabled only after every earlier stage is marked; not yet marked: "
                                  + ", ".join(s.value for s in missing))]
    return []


def early_win_warning(deal: Deal, now: datetime) -> Violation | None:
    """R8.12: marking a registration-eligible deal won within 72 h of creation risks rejection."""
    from model.domain.rules.registration import could_register

    if not could_register(deal, now.date()):
        return None
    age = now - deal.created_at
    if age >= EARLY_WIN:
        return None
    wait = EARLY_WIN - age
    return Violation("R8.12", f"this deal could be registered, and it was created only {format_span(age)} ago: "
                              f"marking it won before 72 hours may get the registration rejected (wait {format_span(wait)})",
                     warning=True)


# -- the gate ------------------------------------------------------------------------

def action_violations(deal: Deal, action: Action, now: datetime) -> list[Violation]:
    """Why ``action`` is not possible now (empty: it is)."""
    if action is Action.FAVORITE:
        return []  # a personal tag on the row (R3.3), not an update of the deal
    if action is Action.REGISTER:
        from model.domain.rules.registration import registration_violations

        return registration_violations(deal, now)
    out = terminal_violations(deal)
    if out:
        return out
    if action in (Action.ACCEPT, Action.DECLINE):
        if not deal.is_received:
            return [Violation("R8.2", "only a received inbound deal can be accepted or declined")]
        if is_overdue(deal, now):
            return [Violation("R8.2", f"the 14-day response window ended {deal.expires_at:%Y-%m-%d %H:%M} UTC; the deal is expired")]
        return []
    if action is Action.CLOSE_AS_ERROR:
        return []  # R8.13: at any point of the workflow
    out = _answered(deal)
    if out:
        return out
    if action is Action.MARK_STAGE:
        return stage_violations(deal, next_stage(deal))
    if action is Action.WON:
        return won_violations(deal)
    if action is Action.LOST:
        return []
    if action is Action.UPGRADE:
        if not is_private(deal):
            shown = deal.sale_type.label.lower() if deal.sale_type else "a solution assessment"
            return [Violation("R7.5", f"only a private deal can be upgraded (this one is {shown})")]
        return []
    if action is Action.INVITE_MICROSOFT:
        if deal.is_assessment:
            return [Violation("R7.3", "Microsoft is not invited to solution assessment deals")]
        if deal.microsoft_status in (MicrosoftStatus.INVITED, MicrosoftStatus.ACCEPTED, MicrosoftStatus.WON):
            return [Violation("R2.3", f"Microsoft is already {deal.microsoft_status.label.lower()} on this deal")]
        return []
    if action is Action.INVITE_PARTNER:
        if deal.is_assessment:
            return [Violation("R2.3", "partners are not invited to solution assessment deals")]
        if deal.direction is Direction.INBOUND:
            return [Violation("R2.3", "only the partner that created the deal can invite other partners")]
        return []
    return []  # edit, team, solutions, note, lost: open and answered is enough


def available_actions(deal: Deal, user, now: datetime) -> dict[Action, list[Violation]]:
    """Every action with why it is not possible now (an empty list: it is). The one answer to
    "what may this deal do now" that the dashboard, the detail screen, marked-row actions and
    ``cosell show`` all ask; ``user`` is the acting ``User`` (for rules that depend on who acts)."""
    return {action: action_violations(deal, action, now) for action in Action}


def expire_violations(deal: Deal, now: datetime) -> list[Violation]:
    if not deal.is_received:
        return [Violation("R8.2", "only a received inbound deal expires")]
    if not is_overdue(deal, now):
        return [Violation("R8.2", "the deal's 14 days are not over yet")]
    return []


EDITABLE = {"name", "close_date", "value", "currency", "crm_id", "campaign_id", "marketplace_intent",
            "partner_role", "partner_program", "solution_area", "solution_play", "customer"}


def edit_violations(deal: Deal, changes: dict) -> list[Violation]:
    """R8.6 (what can change), R1.2 (location never), R4.9 (customer), R5 (values stay valid).

    ``changes`` holds typed values (the editing service converts text first).
    """
    from model.domain.rules.deal_fields import (
        customer_contact_required_violations, customer_violations, money_violations, solution_choice_violations,
    )
    from model.domain.schemas import Customer

    out = action_violations(deal, Action.EDIT, deal.updated_at) if deal.is_terminal or deal.is_received else []
    if out:
        return out
    for key in changes:
        if key == "location":
            out.append(Violation("R1.2", "the location cannot be changed after the deal is created", "location"))
        elif key not in EDITABLE:
            out.append(Violation("R8.6", f"{key.replace('_', ' ')} cannot be edited", key))
    if "customer" in changes:
        new = changes["customer"]
        if deal.customer.source in (AccountTab.OTHER, AccountTab.MANUAL):
            out.append(Violation("R4.9", "a customer chosen from Other or typed by hand cannot be changed without "
                                         "support", "customer"))
        elif not isinstance(new, Customer):
            out.append(Violation("R4.1", "choose the new customer from the account search", "customer"))
        else:
            out += customer_violations(new)
            if not deal.is_assessment:
                out += solution_choice_violations(deal.solutions, new)
            if deal.microsoft_status in (MicrosoftStatus.INVITED, MicrosoftStatus.ACCEPTED, MicrosoftStatus.WON):
                out += customer_contact_required_violations(new)
    if "name" in changes:
        name = str(changes["name"] or "").strip()
        if not name:
            out.append(Violation("R5", "a deal name is required", "name"))
        elif len(name) > 300:
            out.append(Violation("R5", "the deal name is longer than 300 characters", "name"))
    if "value" in changes or "currency" in changes:
        out += money_violations(changes.get("value", deal.value), changes.get("currency", deal.currency))
    if "close_date" in changes and changes["close_date"] is None:
        out.append(Violation("R5", "an estimated close date is required", "close_date"))
    if "marketplace_intent" in changes and not deal.is_ip_cosell:
        out.append(Violation("R5.1", "marketplace intent applies to IP co-sell deals only", "marketplace_intent"))
    elif changes.get("marketplace_intent") is MarketplaceIntent.YES:
        out += solution_choice_violations(deal.solutions, None, MarketplaceIntent.YES)
    if deal.is_services_cosell:
        for key in ("partner_role", "solution_area", "solution_play"):
            if key in changes and not changes[key]:
                out.append(Violation("R5", f"{key.replace('_', ' ')} is required for services co-sell", key))
    if deal.kind is DealKind.IP_COSELL and changes.get("partner_role"):  # pure IP only (R2.7)
        out.append(Violation("R5", "partner role is not used for IP co-sell deals", "partner_role"))
    return out


def is_received_substatus(substatus: Substatus) -> bool:
    from model.domain.schemas import RECEIVED_SUBSTATUSES

    return substatus in RECEIVED_SUBSTATUSES
