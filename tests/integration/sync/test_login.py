"""`cosell login`: a device code through msal, against the stand-in's sign-in service; tenant and
client id from config.toml; the token cache in the user's cache dir, mode 0600, never in the
database; sync then uses it without prompting."""
from __future__ import annotations

import stat

import pytest

from model.partner_center.client import SignInNeeded
from model.services import sync
from model.services.sync_login import access_token, login
from model.services.sync_settings import SettingsError, load_settings
from pc_standin import AUTH_HOST, SignInRouter, pc  # noqa: F401  (fixture)
from transfer_support import counts, known_catalogue  # noqa: F401  (autouse fixture)


@pytest.fixture
def configured(tmp_path, monkeypatch, pc):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "config.toml").write_text(
        '[partner_center]\ntenant = "contoso.example"\nclient_id = "11111111-2222-3333-4444-555555555555"\n'
        f'authority = "{AUTH_HOST}"\n', encoding="utf-8")
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(conf))
    monkeypatch.setenv("COSELL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COSELL_PC_API_URL", pc.url)
    monkeypatch.delenv("COSELL_PC_TOKEN", raising=False)
    return tmp_path


def test_device_code_sign_in_caches_the_token_owner_only(configured, pc):
    said = []
    router = SignInRouter(pc)
    who = login(say=said.append, http_client=router)
    assert who == "seller@contoso-partner.com"
    assert said and "ABCD-EFGH" in said[0]                               # the code to type elsewhere
    cache = configured / "cache" / "msal-token-cache.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert "REFRESH-1" in cache.read_text()
    assert [p.rsplit("/", 1)[-1] for p, _ in pc.sign_ins] == ["devicecode", "token"]
    assert access_token(load_settings(), http_client=router) == pc.token  # sync's token, from the cache


def test_sync_uses_the_cached_sign_in_and_the_database_holds_no_token(configured, pc, ctx, monkeypatch):
    router = SignInRouter(pc)
    login(say=lambda s: None, http_client=router)
    from model.services import sync_login

    real = sync_login.access_token
    monkeypatch.setattr(sync_login, "access_token", lambda settings: real(settings, http_client=router))
    assert sync.sync_now(ctx).exit_code == 0
    [listing] = [r for r in pc.calls("GET") if r.path == "/v1.0/engagements/referrals"]
    assert listing.headers["Authorization"] == f"Bearer {pc.token}"
    with ctx.store.engine.connect() as conn:
        from sqlalchemy import text

        dump = "\n".join(str(r) for t in ("meta", "sync_state", "sync_cursor", "users")
                         for r in conn.execute(text(f"SELECT * FROM {t}")))
    assert pc.token not in dump and "REFRESH-1" not in dump


def test_login_without_tenant_or_client_id_names_the_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("COSELL_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(SettingsError) as err:
        login(say=lambda s: None)
    assert err.value.exit_code == 2 and "partner_center.tenant" in str(err.value)
    assert str(tmp_path / "config.toml") in str(err.value)
    assert not (tmp_path / "cache").exists()


def test_a_broken_config_is_one_line_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(tmp_path))
    (tmp_path / "config.toml").write_text("[partner_center\n", encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert str(tmp_path / "config.toml") in str(err.value) and err.value.exit_code == 2


def test_no_sign_in_yet_is_sign_in_needed(configured):
    with pytest.raises(SignInNeeded) as err:
        access_token(load_settings())
    assert "cosell login" in str(err.value) and err.value.exit_code == 2


def test_pull_interval_is_off_without_partner_center_settings(tmp_path, monkeypatch, configured):
    from model.services.sync_settings import pull_interval

    assert pull_interval() == 5.0
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(tmp_path / "empty"))
    monkeypatch.delenv("COSELL_PC_API_URL")
    assert pull_interval() is None
    (tmp_path / "conf" / "config.toml").write_text('[partner_center]\npull_interval_minutes = 0\n'
                                                   'tenant = "t"\nclient_id = "c"\n', encoding="utf-8")
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(tmp_path / "conf"))
    assert pull_interval() is None
