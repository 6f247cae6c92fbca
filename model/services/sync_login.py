"""Signing in to Partner Center: ``cosell login`` (device code, through ``msal``) and the token sync uses.

A device code suits SSH and tmux: cosell prints a code and a URL, the person signs in in any
browser, and msal's token cache keeps the refresh token in the user's cache dir, mode 0600
(created so, never widened), never in the database. ``COSELL_PC_TOKEN`` wins over the cache
(service accounts, cron, tests). Nothing here prompts: a sync that finds no token says how to
sign in and stops (exit 2).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from model.partner_center.client import SIGN_IN_HINT, SignInNeeded
from model.services.sync_settings import SettingsError, SyncSettings, cache_file, load_settings

FILE_MODE = 0o600


def _cache(path: Path):
    import msal

    cache = msal.SerializableTokenCache()
    try:
        cache.deserialize(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        raise SettingsError(f"cannot read the token cache {path}: {exc}; delete it and run `cosell login`") from None
    return cache


def save_cache(cache, path: Path) -> None:
    """Write the cache readable by its owner only, whatever the umask."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        os.write(fd, cache.serialize().encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _app(settings: SyncSettings, cache, http_client=None):
    import msal

    if not (settings.tenant and settings.client_id):
        raise SettingsError(f"`cosell login` needs partner_center.tenant and partner_center.client_id in "
                            f"{settings.config_file} (the Entra ID tenant and the app registration's client id)")
    kw = {"http_client": http_client} if http_client is not None else {}
    return msal.PublicClientApplication(settings.client_id, authority=f"{settings.authority}/{settings.tenant}",
                                        token_cache=cache, instance_discovery=False, **kw)


def login(*, say: Callable[[str], None] = print, settings: SyncSettings | None = None, http_client=None) -> str:
    """The device-code flow: prints msal's instructions, waits for the sign-in, caches the token.
    Returns who signed in."""
    settings = settings or load_settings()
    path = cache_file()
    cache = _cache(path)
    app = _app(settings, cache, http_client)
    try:
        flow = app.initiate_device_flow(scopes=list(settings.scopes))
    except Exception as exc:  # msal raises plain exceptions for network and discovery failures
        raise SignInNeeded(f"cannot reach the sign-in service {settings.authority}: {exc}") from None
    if "user_code" not in flow:
        raise SignInNeeded(f"the sign-in service refused a device code: {flow.get('error_description') or flow}")
    say(flow["message"])
    result = app.acquire_token_by_device_flow(flow)
    if "access_token" not in result:
        raise SignInNeeded(f"sign-in failed: {result.get('error_description') or result.get('error') or result}")
    save_cache(cache, path)
    claims = result.get("id_token_claims") or {}
    return claims.get("preferred_username") or claims.get("name") or "signed in"


def access_token(settings: SyncSettings, *, http_client=None) -> str:
    """``COSELL_PC_TOKEN``, else a token from ``cosell login``'s cache (refreshed silently if
    need be); else ``SignInNeeded`` saying how to sign in. Never prompts."""
    if settings.env_token:
        return settings.env_token
    path = cache_file()
    if not (settings.tenant and settings.client_id) or not path.exists():
        raise SignInNeeded(f"not signed in to Partner Center: {SIGN_IN_HINT}")
    cache = _cache(path)
    app = _app(settings, cache, http_client)
    accounts = app.get_accounts()
    result = None
    if accounts:
        try:
            result = app.acquire_token_silent(list(settings.scopes), account=accounts[0])
        except Exception:  # a network failure while refreshing: the same advice
            result = None
    if not result or "access_token" not in result:
        raise SignInNeeded(f"the Partner Center sign-in has expired: {SIGN_IN_HINT}")
    if cache.has_state_changed:
        save_cache(cache, path)
    return result["access_token"]
