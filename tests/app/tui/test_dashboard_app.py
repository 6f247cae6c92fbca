"""The app shell: settings and keymap, help, command palette, the one error handler."""
from __future__ import annotations

from textual import work

from model import services as svc
from model.domain.errors import ConflictError, RuleViolation, Violation
from tui.commands import CosellCommands, command_name
from tui.settings import Settings, config_path, load_settings

from dashboard_support import (  # noqa: F401  (config_dir: autouse fixture)
    bulk_deals, config_dir, make_app, pilot_test, screen_text, settle, table_of,
)


def test_settings_round_trip_and_env_override(config_dir, monkeypatch):
    settings, problem = load_settings()
    assert problem is None and settings.theme == "textual-dark"
    settings.theme = "nord"
    settings.keymap = {"deal.favorite": "h", "deal.accept": "A"}
    settings.columns = {"inbound": ["name", "value", "no-such-column"]}
    settings.save()
    again, problem = load_settings()
    assert problem is None
    assert again.theme == "nord" and again.keymap == {"deal.favorite": "h", "deal.accept": "A"}
    assert again.columns == {"inbound": ["name", "value"]}  # unknown columns are dropped
    monkeypatch.setenv("COSELL_THEME", "gruvbox")
    assert load_settings()[0].theme == "gruvbox"


def test_a_broken_settings_file_falls_back_to_defaults_and_is_never_overwritten(config_dir):
    config_path().parent.mkdir(parents=True)
    config_path().write_text('theme = "nord"\n[keymap\n"deal.accept" = "A"')
    settings, problem = load_settings()
    assert problem and "using defaults" in problem
    assert settings.theme == "textual-dark"
    assert settings.save() is None
    assert config_path().read_text().startswith('theme = "nord"')


@pilot_test
async def test_keymap_from_settings_remaps_a_binding_by_id(ctx, config_dir):
    Settings(keymap={"deal.favorite": "h"}).save()
    bulk_deals(ctx.store, 50)
    app = make_app(ctx)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        row = table_of(app).cursor_deal
        await pilot.press("f")  # no longer bound
        await settle(pilot)
        assert not svc.get_deal(ctx, row.id).favorite
        await pilot.press("h")
        await settle(pilot)
        assert svc.get_deal(ctx, row.id).favorite
        assert "h ♥" in screen_text(app).splitlines()[-1] or "h ♥" in screen_text(app)


@pilot_test
async def test_every_dashboard_binding_has_an_id_and_a_description(ctx):
    app = make_app(ctx)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        ours = [b.binding for b in app.screen.active_bindings.values()
                if b.binding.action not in ("app.focus_next", "app.focus_previous", "screen.copy_text")
                and not b.binding.action.startswith("scroll_")]
        assert ours
        for binding in ours:
            assert binding.id and "." in binding.id, binding
            assert binding.description or binding.tooltip, binding


@pilot_test
async def test_help_lists_every_key_of_the_screen(ctx):
    bulk_deals(ctx.store, 20)
    app = make_app(ctx)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        ids = {k.binding_id for k in app.screen.keys}
        assert {"deal.accept", "deal.decline", "deal.next_stage", "deal.won", "deal.lost", "deal.error",
                "deal.register", "deal.favorite", "deal.mark", "deal.open", "deal.new", "view.filter",
                "view.sort", "view.columns", "tab.inbound", "tab.closed", "nav.down", "nav.up", "app.quit",
                "app.help", "app.palette"} <= ids
        text = screen_text(app)
        assert "Accept the received deal (R8.3)" in text
        await pilot.press("escape")
        assert type(app.screen).__name__ == "DashboardScreen"


@pilot_test
async def test_command_palette_offers_every_action_by_namespaced_name(ctx):
    bulk_deals(ctx.store, 20)
    app = make_app(ctx)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        provider = CosellCommands(app.screen)
        names = [name for name, _help, _run in provider._commands()]
        assert table_of(app).cursor_deal.substatus.value == "Received"
        assert {"deal: accept", "deal: decline", "tab: closed", "view: filter", "view: columns",
                "app: help"} <= set(names)
        assert "deal: won" not in names  # the palette offers what the deal allows now (R8.2)
        hits = [hit async for hit in provider.search("tab clo")]
        assert hits and hits[0].text == "tab: closed"
        await hits[0].command()
        await settle(pilot)
        assert table_of(app).query_spec.tab.value == "closed"
        names_closed = {name for name, _h, _r in CosellCommands(app.screen)._commands()}
        assert "deal: accept" not in names_closed  # R8.14: not offered where it cannot apply
    assert command_name("deal.next_stage") == "deal: next stage"


@pilot_test
async def test_show_error_uses_the_models_words_and_worker_failures_land_there(ctx):
    app = make_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.show_error(RuleViolation(Violation("R8.9", "mark [b]Qualified[/b] first"), "mark won"))
        app.show_error(ConflictError("abcdef0123", 3, 4, changed_by="bob"))
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("mark \\[b]Qualified\\[/b] first (R8.9)" in m for m in messages), messages  # markup-safe
        assert any("changed by bob" in m for m in messages)

        @work(thread=True)
        def failing(self):
            raise RuleViolation(Violation("R9.1", "the deal is won"))

        @work(thread=True)
        def buggy(self):
            raise ZeroDivisionError("bug")

        workers = [failing(app.screen), buggy(app.screen)]
        for _ in range(200):
            if all(w.is_finished for w in workers):
                break
            await pilot.pause(0.01)
        await pilot.pause()
        assert app.is_running  # neither failure ended the session
        messages = [n.message for n in app._notifications]
        assert any("the deal is won (R9.1)" in m for m in messages)
        assert any("Something went wrong (ZeroDivisionError)" in m for m in messages)
        assert [type(e) for e in app.unexpected_errors] == [ZeroDivisionError]
