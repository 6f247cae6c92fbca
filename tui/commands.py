"""Command palette (``ctrl+p``): every action of the current screen by a namespaced name.

The commands are not a second list to keep in step with the keys: they are the
screen's active bindings. A binding ``id`` of ``deal.accept`` becomes the
command "deal: accept"; its description and key are the help line. Actions the
screen hides (``check_action`` → False) or disables (→ None) are left out, so
the palette offers exactly what the keys would do right now.
"""
from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


def command_name(binding_id: str) -> str:
    """``deal.next_stage`` → ``deal: next stage``."""
    namespace, _, name = binding_id.partition(".")
    return f"{namespace}: {name.replace('_', ' ')}" if name else namespace


class CosellCommands(Provider):
    """Commands from the bindings of the screen the palette was opened on."""

    def _commands(self):
        seen: set[str] = set()
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.id or binding.id in seen or not active.enabled or binding.id == "app.palette":
                continue
            seen.add(binding.id)
            display_key = self.app.get_key_display(binding)
            help_text = f"{display_key} · {binding.tooltip or binding.description}"
            run = partial(self.app.run_action, binding.action, active.node)
            yield command_name(binding.id), help_text, run

    async def discover(self) -> Hits:
        for name, help_text, run in sorted(self._commands(), key=lambda c: c[0]):
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, text=name, help=help_text)
