"""Step 4: the deal team (R6.1), with people from recent deals one key away (R6.2)."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from model import services as svc
from model.domain.errors import Violation
from model.domain.rules.deal_fields import person_violations
from model.domain.schemas import DealDraft, Person
from tui.screens.dialogs.type_ahead import Input
from tui.screens.new_deal.base import FieldError, WizardStep, row, step_heading
from tui.service_call import in_thread
from tui.text import literal


def person_prompt(person: Person, number: int | None = None) -> Text:
    text = Text()
    if number is not None:
        text.append(f"{number} ", style="bold cyan")
    text.append_text(literal(person.name or "(no name)", style="bold"))
    for part in (person.phone, person.email, person.company):
        if part:
            text.append("  ")
            text.append_text(literal(part, style="dim"))
    return text


class TeamList(OptionList):
    BINDINGS = [
        Binding("delete,backspace", "remove_member", "Remove"),
        Binding("e", "edit_member", "Edit"),
    ]

    def action_remove_member(self) -> None:
        self.query_ancestor(TeamStep).remove_member()

    def action_edit_member(self) -> None:
        self.query_ancestor(TeamStep).edit_member()


class RecentList(OptionList):
    """People from recent deals: ``enter`` or the row's number adds one (R6.2)."""

    BINDINGS = [Binding(str(n), f"add_recent({n - 1})", f"Add #{n}", show=False) for n in range(1, 10)]

    def action_add_recent(self, index: int) -> None:
        self.query_ancestor(TeamStep).add_recent(index)


class TeamStep(WizardStep):
    key = "team"
    title = "Team"
    owns_fields = ("team",)

    def __init__(self) -> None:
        super().__init__()
        self.members: list[Person] = []
        self.recent: list[Person] = []

    def compose(self) -> ComposeResult:
        yield from step_heading("Team", "At least one member with name, phone and email (R6.1); "
                                        "you can change the team after creation.")
        yield Static("On this deal  (e edits · delete removes)", classes="section-title")
        yield TeamList(id="team-list")
        yield FieldError("team")
        yield Static("Add someone", classes="section-title")
        yield from row("Name", Input(id="member-name", compact=True, max_length=200))
        yield from row("Phone", Input(id="member-phone", compact=True, max_length=64))
        yield from row("Email", Input(id="member-email", compact=True, max_length=200))
        yield FieldError("member")
        yield Button("Add member", id="add-member", compact=True)
        yield Static("From your recent deals  (enter or 1–9 adds, R6.2)", classes="section-title")
        yield RecentList(id="recent-list")

    def on_mount(self) -> None:
        self._render_team()
        self.run_worker(self._load_recent(), group="recent-people", exit_on_error=False)

    async def _load_recent(self) -> None:
        people = await in_thread(self, svc.recent_people, self.ctx)
        user = self.ctx.user
        if user.email:
            me = Person(name=user.display_name or user.login, phone=user.phone, email=user.email)
            people = [me] + [p for p in people if p.email.lower() != user.email.lower()]
        self._set_recent(people)

    def _set_recent(self, people: list[Person]) -> None:
        self.recent = people
        self.query_one("#recent-list", RecentList).set_options(
            [Option(person_prompt(p, i + 1 if i < 9 else None), id=f"recent-{i}") for i, p in enumerate(people)])

    def _render_team(self) -> None:
        team = self.query_one("#team-list", TeamList)
        if self.members:
            team.set_options([Option(person_prompt(p), id=f"member-{i}") for i, p in enumerate(self.members)])
        else:
            team.set_options([Option(Text("Nobody yet: add someone below or from your recent deals.",
                                          style="italic"), id="member-none", disabled=True)])

    # -- adding and removing --------------------------------------------------------------
    def _form(self) -> Person:
        name, phone, email = (self.query_one(f"#member-{f}", Input).value.strip() for f in ("name", "phone", "email"))
        return Person(name=name, phone=phone, email=email)

    def _fill_form(self, person: Person) -> None:
        for f in ("name", "phone", "email"):
            self.query_one(f"#member-{f}", Input).value = getattr(person, f)

    def add(self, person: Person) -> bool:
        """Put ``person`` on the team if the model finds nothing missing; else show what is."""
        problems = person_violations(person, "member")
        error = self.query_one("#err-member", FieldError)
        if problems:
            self._fill_form(person)
            error.show([f"{v.field.removeprefix('member.')}: {v.message} ({v.rule})" for v in problems])
            first = problems[0].field.removeprefix("member.")
            self.query_one(f"#member-{first}", Input).focus()
            return False
        if any(m.email.lower() == person.email.lower() for m in self.members):
            error.show([f"{person.email} is already on the team"])
            return False
        error.show([])
        self.members.append(person)
        self._render_team()
        self.query_one("#err-team", FieldError).show([])
        return True

    @on(Button.Pressed, "#add-member")
    @on(Input.Submitted, "#member-email")
    def _add_from_form(self) -> None:
        if self.add(self._form()):
            self._fill_form(Person())
            self.query_one("#member-name", Input).focus()

    enter_next = ("member-name", "member-phone")

    @on(OptionList.OptionSelected, "#recent-list")
    def _recent_selected(self, event: OptionList.OptionSelected) -> None:
        self.add_recent(event.option_index)

    def add_recent(self, index: int) -> None:
        if 0 <= index < len(self.recent):
            self.add(self.recent[index].model_copy())

    def remove_member(self) -> None:
        team = self.query_one("#team-list", TeamList)
        index = team.highlighted
        if index is None or not self.members or index >= len(self.members):
            return
        del self.members[index]
        self._render_team()
        if self.members:
            team.highlighted = min(index, len(self.members) - 1)

    def edit_member(self) -> None:
        """Take the highlighted member back into the form (to fix a phone, say)."""
        index = self.query_one("#team-list", TeamList).highlighted
        if index is None or index >= len(self.members):
            return
        person = self.members.pop(index)
        self._render_team()
        self._fill_form(person)
        self.query_one("#member-name", Input).focus()

    # -- draft ------------------------------------------------------------------------------
    def load(self, draft: DealDraft) -> None:
        self.members = [p.model_copy() for p in draft.team]
        self._render_team()

    def save(self, draft: DealDraft) -> list[Violation]:
        draft.team = [p.model_copy() for p in self.members]
        return []

    def focus_first(self) -> None:
        target = "#recent-list" if not self.members and self.recent else "#member-name"
        self.query_one(target).focus()
