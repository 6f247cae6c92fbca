"""Where Partner Center is and who cosell is there: settings for ``cosell sync`` and ``cosell login``.

Read from the environment first (``COSELL_PC_API_URL``, ``COSELL_PC_TOKEN``: service accounts,
cron, tests) and then from the ``[partner_center]`` table of ``config.toml`` in the cosell
config dir (``COSELL_CONFIG_DIR`` overrides it)::

    [partner_center]
    tenant = "contoso.onmicrosoft.com"     # for `cosell login`
    client_id = "00000000-0000-0000-0000-000000000000"
    pull_interval_minutes = 5              # the dashboard's periodic pull; 0 turns it off

The token ``cosell login`` obtains lives in msal's token cache in the user's cache dir
(``COSELL_CACHE_DIR`` overrides it), mode 0600, never in the database: the database is shared
by a team, a token is one person's.
"""
from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from model.domain.errors import CosellError
from model.partner_center.endpoint import DEFAULT_API_URL

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
DEFAULT_SCOPES = ("https://api.partner.microsoft.com/.default",)
DEFAULT_PULL_MINUTES = 5.0
CACHE_FILE = "msal-token-cache.json"
#: The keys ``[partner_center]`` may hold: any other (a typo such as ``tennant``) is refused, not ignored.
KEYS = ("tenant", "client_id", "pull_interval_minutes", "api_url", "authority", "scopes")


class SettingsError(CosellError):
    exit_code = 2


@dataclass(frozen=True)
class SyncSettings:
    """What sync needs to know; ``pull_minutes`` is None when the dashboard should not pull."""

    api_url: str
    env_token: str | None
    tenant: str | None
    client_id: str | None
    authority: str
    scopes: tuple[str, ...]
    pull_minutes: float | None
    config_file: Path

    @property
    def configured(self) -> bool:
        """Partner Center settings exist at all (else the dashboard's periodic pull is off)."""
        return bool(self.env_token or (self.tenant and self.client_id) or os.environ.get("COSELL_PC_API_URL"))


def config_file() -> Path:
    from model.notify import config_path

    return config_path()


def cache_dir() -> Path:
    override = os.environ.get("COSELL_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("cosell", appauthor=False))


def cache_file() -> Path:
    return cache_dir() / CACHE_FILE


def _table(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML: it is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise SettingsError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML: {exc}") from None
    table = doc.get("partner_center", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [partner_center] must be a table")
    for key in table:
        if key not in KEYS:
            raise SettingsError(f"{path}: partner_center.{key} is not a setting (the settings are {', '.join(KEYS)})")
    return table


def _text(table: dict, key: str, path: Path) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(f"{path}: partner_center.{key} must be a non-empty string")
    return value.strip()


def _url(table: dict, key: str, path: Path) -> str | None:
    value = _text(table, key, path)
    if value is not None and not value.startswith(("http://", "https://")):
        raise SettingsError(f"{path}: partner_center.{key} must be an http(s) URL, not {value!r}")
    return value


def load_settings() -> SyncSettings:
    path = config_file()
    table = _table(path)
    minutes = table.get("pull_interval_minutes", DEFAULT_PULL_MINUTES)
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not 0 <= minutes < math.inf:
        raise SettingsError(f"{path}: partner_center.pull_interval_minutes must be a number of minutes "
                            "(0 turns the dashboard's pull off)")
    scopes = table.get("scopes", list(DEFAULT_SCOPES))
    if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str) and s for s in scopes):
        raise SettingsError(f"{path}: partner_center.scopes must be a list of scope strings")
    file_url = _url(table, "api_url", path)  # checked even when the variable overrides it
    api_url = os.environ.get("COSELL_PC_API_URL") or file_url or DEFAULT_API_URL
    if not api_url.startswith(("http://", "https://")):
        raise SettingsError(f"COSELL_PC_API_URL must be an http(s) URL, not {api_url!r}")
    settings = SyncSettings(
        api_url=api_url, env_token=(os.environ.get("COSELL_PC_TOKEN") or "").strip() or None,
        tenant=_text(table, "tenant", path), client_id=_text(table, "client_id", path),
        authority=(_url(table, "authority", path) or DEFAULT_AUTHORITY).rstrip("/"), scopes=tuple(scopes),
        pull_minutes=float(minutes) or None, config_file=path)
    if not settings.configured:
        settings = SyncSettings(**{**settings.__dict__, "pull_minutes": None})
    return settings


def pull_interval(settings: SyncSettings | None = None) -> float | None:
    """Minutes between the dashboard's pulls, or None: off (no Partner Center settings, or 0)."""
    settings = settings or load_settings()
    return settings.pull_minutes if settings.configured else None
