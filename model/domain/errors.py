"""Errors a user action can end in. Each carries messages a person can act on."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """One unmet rule: which rule, which field (if any), and what to do about it."""

    rule: str
    message: str
    field: str | None = None
    #: A warning is shown and confirmed, not a refusal (R6.7 "make sure", R8.12 "may get rejected").
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        kind = "warning: " if self.warning else ""
        return f"{kind}{where}{self.message} ({self.rule})"


def refusals(violations: list[Violation]) -> list[Violation]:
    """The violations that refuse outright (not warnings to confirm)."""
    return [v for v in violations if not v.warning]


def check(violations: list[Violation], action: str | None = None, *, confirmed: bool = False) -> list[Violation]:
    """Raise for ``violations`` unless all are warnings the user confirmed; return the confirmed warnings.

    A refusal lists every violation (warnings too, so the user sees everything at once); only
    warnings, unconfirmed, raise a ``RuleViolation`` whose ``needs_confirmation`` is true.
    """
    if refusals(violations) or (violations and not confirmed):
        raise RuleViolation(violations, action)
    return list(violations)


class CosellError(Exception):
    """Base of every error the model raises on purpose."""

    exit_code = 1


class RuleViolation(CosellError):
    """An action refused by the rules; lists every unmet rule, not just the first."""

    exit_code = 4

    def __init__(self, violations: list[Violation] | Violation, action: str | None = None):
        self.violations = [violations] if isinstance(violations, Violation) else list(violations)
        self.action = action
        #: True when every violation is a warning: asking again with the user's confirmation succeeds.
        self.needs_confirmation = bool(self.violations) and all(v.warning for v in self.violations)
        head = f"cannot {action}: " if action else ""
        super().__init__(head + "; ".join(str(v) for v in self.violations))


class ConflictError(CosellError):
    """Someone else changed the deal since it was read (optimistic version check)."""

    exit_code = 5

    def __init__(self, deal_id: str, expected: int, found: int, changed_by: str | None = None,
                 changed_what: str | None = None):
        self.deal_id, self.expected, self.found = deal_id, expected, found
        self.changed_by, self.changed_what = changed_by, changed_what
        who = f" by {changed_by}" if changed_by else ""
        what = f" ({changed_what})" if changed_what else ""
        super().__init__(
            f"deal {deal_id[:8]} was changed{who}{what} since you loaded it "
            f"(version {expected} → {found}); reload and apply your change again"
        )


class NotFound(CosellError):
    """No such deal (or one the user may not see: R1.3 makes the two look the same). Exit 2: the
    command named something that is not there; 4 is kept for a rule's refusal."""

    exit_code = 2


class AmbiguousId(CosellError):
    exit_code = 2


class ImportRejected(CosellError):
    """A file that cannot be imported; names the record and field; nothing was written."""

    exit_code = 4


class AccessDenied(CosellError):
    exit_code = 4
