"""The user's dashboard preferences: a TOML file in the user config dir.

What lives here is taste, not data: theme, the tab the dashboard opens on, the
grid's columns per tab (R11.3) and a keymap. Every binding of the app has an
id (``deal.accept``, ``tab.inbound`` ...); a ``[keymap]`` table maps ids to
keys and the app hands it to ``App.set_keymap``, so users remap keys without
touching code::

    theme = "nord"
    default_tab = "inbound"

    [columns]
    inbound = ["name", "customer", "stage", "value", "expires"]

    [keymap]
    "deal.accept" = "A"

The file lives in ``platformdirs.user_config_dir("cosell")``; the environment
variable ``COSELL_CONFIG_DIR`` points elsewhere (tests always do). A broken
file never stops the dashboard: defaults are used and the problem is shown.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import PrivateAttr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource,
)

from model.domain.enums import Tab

CONFIG_FILE = "config.toml"

#: Every column the deal grid knows, in display order (keys of ``tui.widgets.deal_table.COLUMNS``).
ALL_COLUMNS = (
    "favorite", "name", "customer", "stage", "value", "expires", "close_date", "kind", "sale_type", "status",
    "partner_role", "partner_program", "crm_id", "location", "sender", "updated",
)

DEFAULT_COLUMNS: dict[str, list[str]] = {
    Tab.INBOUND.value: ["favorite", "name", "customer", "stage", "value", "expires", "close_date", "sender"],
    Tab.OUTBOUND.value: ["favorite", "name", "customer", "stage", "value", "close_date", "sale_type", "crm_id"],
    Tab.FAVORITES.value: ["favorite", "name", "customer", "stage", "value", "expires", "close_date", "status"],
    Tab.CLOSED.value: ["favorite", "name", "customer", "value", "close_date", "status", "updated", "crm_id"],
}


def config_dir() -> Path:
    override = os.environ.get("COSELL_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("cosell", appauthor=False))


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


class Settings(BaseSettings):
    """Preferences; the TOML file wins over defaults, ``COSELL_THEME``/``COSELL_DEFAULT_TAB`` over the file."""

    model_config = SettingsConfigDict(env_prefix="COSELL_", extra="ignore")

    theme: str = "textual-dark"
    default_tab: Tab = Tab.INBOUND
    columns: dict[str, list[str]] = {}
    keymap: dict[str, str] = {}
    #: False when the file on disk could not be read: saving would destroy it.
    _writable: bool = PrivateAttr(default=True)

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource):
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config_path()))

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        """Unknown tabs and columns (from an older version, or a typo) are dropped, not fatal."""
        out: dict[str, list[str]] = {}
        for tab, keys in value.items():
            if tab in DEFAULT_COLUMNS:
                kept = [k for k in dict.fromkeys(keys) if k in ALL_COLUMNS]
                if kept:
                    out[tab] = kept
        return out

    def columns_for(self, tab: Tab) -> list[str]:
        """The tab's columns, always in the grid's order (so a hand-edited file cannot scramble it)."""
        chosen = set(self.columns.get(tab.value) or DEFAULT_COLUMNS[tab.value])
        return [k for k in ALL_COLUMNS if k in chosen]

    def set_columns(self, tab: Tab, keys: list[str]) -> None:
        self.columns = {**self.columns, tab.value: [k for k in ALL_COLUMNS if k in keys]}

    def save(self) -> Path | None:
        """Write the file atomically (a crash mid-write never leaves half a config)."""
        if not self._writable:
            return None
        path = config_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".toml.tmp")
        tmp.write_text(to_toml(self), encoding="utf-8")
        os.replace(tmp, path)
        return path


def _toml_str(value: str) -> str:
    # A JSON string with ASCII escapes is a valid TOML basic string.
    return json.dumps(value, ensure_ascii=True)


def to_toml(settings: Settings) -> str:
    lines = ["# cosell dashboard settings (see `?` in the app for binding ids)",
             f"theme = {_toml_str(settings.theme)}",
             f"default_tab = {_toml_str(settings.default_tab.value)}",
             "", "[columns]"]
    for tab, keys in sorted(settings.columns.items()):
        lines.append(f"{tab} = [{', '.join(_toml_str(k) for k in keys)}]")
    lines += ["", "[keymap]"]
    for binding_id, keys in sorted(settings.keymap.items()):
        lines.append(f"{_toml_str(binding_id)} = {_toml_str(keys)}")
    return "\n".join(lines) + "\n"


def load_settings() -> tuple[Settings, str | None]:
    """The settings, and a message if the file could not be used (then defaults apply)."""
    try:
        return Settings(), None
    except ValidationError as exc:
        problem = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    except (OSError, ValueError) as exc:  # tomllib.TOMLDecodeError is a ValueError
        problem = str(exc)
    # Defaults; and never overwrite the broken file, which may hold the user's keymap.
    fallback = Settings.model_construct()
    fallback._writable = False
    return fallback, f"settings file {config_path()} ignored ({problem}); using defaults"
