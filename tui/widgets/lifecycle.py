"""The deal's lifecycle at a glance, and the place to move it on.

Shows the stages of R8.7 (or the assessment stages, R8.8) with their %, ticks
the marked ones and highlights the current one, with its MCEM phase and exit
criterion. Its buttons request the next step; they never act themselves: the
widget posts ``ActionRequested`` and the screen runs it through
``tui.deal_actions``, so a refusal reads the same everywhere. Won stays disabled,
with the model's reason beside it, until every earlier stage is marked (R8.9).
Received inbound deals offer Accept/Decline instead (R8.2); closed deals show
their outcome and no actions (R8.14); after Won the registration's validation
progress is shown (R10.4).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Static

from model.domain.enums import Direction, RegistrationStatus, Substatus
from model.domain.rules.lifecycle import Action, available_actions, next_stage
from model.domain.rules.registration import eligibility_violations
from model.domain.schemas import Deal, User
from model.domain.stages import Stage, StageInfo, info, stages_for
from tui.text import literal

SEPARATOR = " › "
BUTTON_ACTIONS = {
    "lc-accept": Action.ACCEPT, "lc-decline": Action.DECLINE, "lc-stage": Action.MARK_STAGE,
    "lc-won": Action.WON, "lc-lost": Action.LOST, "lc-error": Action.CLOSE_AS_ERROR,
    "lc-register": Action.REGISTER,
}
OUTCOME_MARK = {Substatus.LOST: "✗ Lost", Substatus.DECLINED: "✗ Declined", Substatus.EXPIRED: "✗ Expired",
                Substatus.ERROR: "✗ Error"}


def track_for(deal: Deal) -> tuple[StageInfo, ...]:
    """The stages this deal walks: a sales deal starts at Created (ours) or Accepted (received, R8.5)."""
    stages = stages_for(deal.is_assessment)
    if deal.is_assessment:
        return stages
    skip = Stage.CREATED if deal.direction is Direction.INBOUND else Stage.ACCEPTED
    return tuple(s for s in stages if s.stage is not skip)


def stage_items(deal: Deal) -> list[Text]:
    """One Text per stage: ✓ marked, ● current (highlighted), ○ to do; a lost/declined/… deal ends in ✗."""
    track = track_for(deal)
    entry = track[0].stage
    done = set(deal.stages_marked)
    if not deal.is_received:
        done.add(entry)
    if deal.substatus is Substatus.WON:
        done.add(Stage.WON)
    current = None if deal.is_received else deal.stage
    items = []
    for step in track:
        if step.stage is Stage.WON and deal.is_terminal and deal.substatus is not Substatus.WON:
            items.append(Text(OUTCOME_MARK[deal.substatus], style="bold"))
            continue
        label = f"{step.stage.value} {step.percent}%"
        if step.stage is current:
            items.append(Text(f"● {label}", style="bold reverse"))
        elif step.stage in done:
            items.append(Text.assemble(("✓", "bold green"), f" {label}"))
        else:
            items.append(Text(f"○ {label}", style="dim"))
    return items


def wrap_items(items: list[Text], width: int) -> Text:
    """Lay the items out left to right, breaking lines between items only."""
    out = Text()
    used = 0
    for i, item in enumerate(items):
        piece = item if i == 0 else Text(SEPARATOR) + item
        if i and width > 0 and used + piece.cell_len > width:
            out.append("\n")
            piece, used = item, 0
        out.append_text(piece)
        used += piece.cell_len
    return out


def phase_text(deal: Deal) -> Text:
    if deal.is_received:
        return Text("Received: accept or decline it within 14 days, or it expires (R8.2)")
    step = info(deal.stage)
    return Text.assemble(("MCEM phase: ", "bold"), step.mcem_phase, " · ", ("exit criterion: ", "bold"),
                         step.exit_criterion)


def outcome_text(deal: Deal) -> Text:
    when = f" on {deal.closed_at:%Y-%m-%d %H:%M} UTC" if deal.closed_at else ""
    text = Text.assemble(("Closed: ", "bold"), f"{deal.substatus.label}{when}")
    if deal.status_reason:
        text.append_text(Text.assemble(" · reason: ", literal(deal.status_reason)))
    if deal.substatus is Substatus.WON:
        text.append(". The deal itself cannot change any more (R8.14); its registration can (R10.3).")
    else:
        text.append(". No further action is possible (R8.14).")
    return text


def registration_text(deal: Deal, now: datetime) -> Text:
    """R10.4: Not registered → Review pending → Action required / Approved / Rejected, with the message."""
    reg = deal.registration
    head = Text("Registration (R10.4): ", style="bold")
    if reg.status is RegistrationStatus.NONE:
        unmet = eligibility_violations(deal, now)
        if unmet:
            count = "1 criterion" if len(unmet) == 1 else f"{len(unmet)} criteria"
            return Text.assemble(head, f"not eligible ({count} unmet, listed under Registration)")
        return Text.assemble(head, "not registered yet; eligible, so register it now or later (R10.3)")
    submitted = f"✓ Submitted {reg.submitted_at:%Y-%m-%d}" if reg.submitted_at else "✓ Submitted"
    steps = [Text(submitted)]
    if reg.status is RegistrationStatus.REVIEW_PENDING:
        steps += [Text("● Review pending", style="bold reverse"), Text("○ Approved / Rejected", style="dim")]
    else:
        final_style = {RegistrationStatus.APPROVED: "bold green", RegistrationStatus.REJECTED: "bold red",
                       RegistrationStatus.ACTION_REQUIRED: "bold yellow"}.get(reg.status, "bold")
        steps += [Text("✓ Reviewed"), Text(f"● {reg.status.label}", style=final_style + " reverse")]
    text = Text.assemble(head, Text(SEPARATOR).join(steps))
    if reg.message:
        text.append_text(Text.assemble("\n", ("Message: ", "bold"), literal(reg.message)))
    return text


class StageTrack(Widget):
    """The stage line, wrapped between stages to whatever width it gets."""

    DEFAULT_CSS = "StageTrack { height: auto; }"

    def __init__(self, items: list[Text], **kw) -> None:
        super().__init__(**kw)
        self.items = items

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(wrap_items(self.items, width).plain.split("\n"))

    def render(self) -> Text:
        return wrap_items(self.items, self.content_size.width)


class LifecycleProgress(Vertical):
    """Stages, phase, the next steps as buttons, and registration progress after Won."""

    DEFAULT_CSS = (Path(__file__).with_suffix(".tcss")).read_text()
    BINDINGS = [
        Binding("left", "step(-1)", "Previous", show=False, id="lifecycle.previous"),
        Binding("right", "step(1)", "Next", show=False, id="lifecycle.next"),
    ]

    class ActionRequested(Message):
        """A lifecycle button was pressed; the screen runs the action."""

        def __init__(self, action: Action) -> None:
            super().__init__()
            self.action = action

    def __init__(self, deal: Deal | None = None, now: datetime | None = None, *, user: User | None = None,
                 **kw) -> None:
        super().__init__(**kw)
        self.deal, self.now, self.user = deal, now, user
        self.border_title = "Lifecycle"

    async def show(self, deal: Deal, now: datetime, user: User | None = None) -> None:
        """Redraw for ``deal`` at ``now`` as ``user`` sees it, keeping the focus on the same button."""
        focused = self.app.focused
        keep = focused.id if isinstance(focused, Button) and focused in self.query(Button) else None
        self.deal, self.now, self.user = deal, now, user
        await self.recompose()
        if keep:
            again = self.query(f"#{keep}")
            if again and again.first().focusable:
                again.first().focus()
            else:
                self.focus_first_button()

    def focus_first_button(self) -> bool:
        for button in self.query(Button):
            if button.focusable:
                button.focus()
                return True
        return False

    def compose(self) -> ComposeResult:
        deal, now = self.deal, self.now
        if deal is None or now is None:
            yield Static("Loading…")
            return
        yield StageTrack(stage_items(deal), id="lc-track")
        yield Static(phase_text(deal), id="lc-phase")
        why = available_actions(deal, self.user, now)
        allowed = {action for action, refused in why.items() if not refused}
        if deal.is_terminal:
            yield Static(outcome_text(deal), id="lc-outcome")
            if deal.substatus is Substatus.WON:
                yield Static(registration_text(deal, now), id="lc-registration")
                if Action.REGISTER in allowed:
                    with Horizontal(classes="lc-actions"):
                        yield Button("Register deal (r)", id="lc-register", variant="primary", compact=True)
            return
        with Horizontal(classes="lc-actions"):
            if Action.ACCEPT in allowed:
                yield Button("Accept (a)", id="lc-accept", variant="success", compact=True)
            if Action.DECLINE in allowed:
                yield Button("Decline (d)", id="lc-decline", compact=True)
            if Action.MARK_STAGE in allowed:
                yield Button(f"Mark {next_stage(deal).value} (>)", id="lc-stage", variant="primary", compact=True)
            if not deal.is_received:  # Won stays on the track, disabled with the model's reason (R8.9)
                won = Button("Won (w)", id="lc-won", variant="success", compact=True, disabled=bool(why[Action.WON]))
                if why[Action.WON]:
                    won.tooltip = "; ".join(str(v) for v in why[Action.WON])
                yield won
            if Action.LOST in allowed:
                yield Button("Lost (l)", id="lc-lost", compact=True)
            if Action.CLOSE_AS_ERROR in allowed:
                yield Button("Error (x)", id="lc-error", variant="error", compact=True,
                             tooltip="Close as error, a reason optional (R8.13)")
        if not deal.is_received and why[Action.WON]:
            yield Static(Text("; ".join(str(v) for v in why[Action.WON])), id="lc-why")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        action = BUTTON_ACTIONS.get(event.button.id or "")
        if action is not None:
            event.stop()
            self.post_message(self.ActionRequested(action))

    def action_step(self, delta: int) -> None:
        """Left/right move between the lifecycle buttons (Tab works too)."""
        buttons = [b for b in self.query(Button) if b.focusable]
        if not buttons:
            return
        current = self.app.focused
        index = buttons.index(current) if current in buttons else -1
        buttons[(index + delta) % len(buttons)].focus()
