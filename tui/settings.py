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

The same file holds other tables (``[smtp]`` for ``cosell notify``) and the user's comments.
This module is the only one that writes it, and it changes only its own keys: ``save`` reads the
file as it is on disk now (``tomlkit``, which keeps comments, order and formatting), sets
``theme``, ``default_tab``, ``[columns]`` and ``[keymap]`` and writes it back atomically, so
choosing columns in the dashboard never drops ``[smtp]``.
"""
from __future__ import annotations

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
        """Write this module's keys into the file as it is now, keeping everything else (other
        tables such as ``[smtp]``, comments, order); atomically, with the file's mode. Returns
        None (and writes nothing) when the file on disk cannot be read as TOML."""
        if not self._writable:
            return None
        import tomlkit  # only a save needs it (30 ms of the dashboard's start otherwise)
        from tomlkit.exceptions import TOMLKitError

        path = config_path()
        try:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            doc = tomlkit.parse(text)
        except (OSError, UnicodeDecodeError, TOMLKitError):
            return None  # never overwrite what cannot be read: it may hold the user's [smtp]
        merge_into(doc, self)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
            if path.exists():
                os.chmod(tmp, path.stat().st_mode & 0o7777)  # the SMTP password stays as private
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)
            raise
        return path


def _table(doc, key: str):
    """``doc[key]`` as a table, created when missing; None when the user made it something else."""
    import tomlkit

    if key not in doc:
        doc[key] = tomlkit.table()
    found = doc[key]
    return found if isinstance(found, dict) else None


def merge_into(doc, settings: Settings) -> None:
    """Set the dashboard's own keys in ``doc`` (a ``tomlkit`` document), touching nothing else."""
    import tomlkit

    if not doc.body:
        doc.add(tomlkit.comment("cosell settings (see `?` in the app for binding ids)"))
    doc["theme"] = settings.theme
    doc["default_tab"] = settings.default_tab.value
    columns = _table(doc, "columns")
    if columns is not None:
        for tab in DEFAULT_COLUMNS:
            if tab in settings.columns:
                columns[tab] = list(settings.columns[tab])
            elif tab in columns:
                del columns[tab]
    keymap = _table(doc, "keymap")
    if keymap is not None:
        for binding_id, keys in settings.keymap.items():
            keymap[binding_id] = keys


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
