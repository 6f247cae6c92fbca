"""Modal dialogs of the deal actions: each collects what one service call needs.

Dialogs never call services themselves. They return what the user typed (or
``None`` when cancelled), so ``tui.deal_actions`` owns the one path from a key
press to the store: rule check, thread worker, conflict and refusal handling.
A dialog can be reopened with the user's values and the model's refusals, so a
refused or conflicting save never loses what was typed.
"""
from tui.screens.dialogs.accept import AcceptDialog
from tui.screens.dialogs.confirm import ConfirmDialog
from tui.screens.dialogs.conflict import ConflictDialog
from tui.screens.dialogs.edit import EditDialog
from tui.screens.dialogs.note import NoteDialog
from tui.screens.dialogs.reason import ReasonDialog
from tui.screens.dialogs.register import RegisterDialog

__all__ = ["AcceptDialog", "ConfirmDialog", "ConflictDialog", "EditDialog", "NoteDialog", "ReasonDialog",
           "RegisterDialog"]
