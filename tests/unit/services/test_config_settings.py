"""config.toml, read by two loaders: ``[smtp]`` (``model.notify.load_smtp_config``, for
``cosell notify``) and ``[partner_center]`` (``model.services.sync_settings.load_settings``, for
``cosell sync`` and ``cosell login``).

A malformed file is refused, never half-used: one line naming the file and the table's key (or
the ``COSELL_SMTP_*`` / ``COSELL_PC_*`` variable the value came from), exit code 2. A typo'd key
is refused too rather than silently ignored (``user`` for ``username``, ``tennant`` for
``tenant``), and every value is checked even when something else is missing as well.
"""
from __future__ import annotations

import pytest

from model.notify import NotConfigured, SmtpConfig, load_smtp_config
from model.services.sync_settings import DEFAULT_API_URL, SettingsError, load_settings

NOT_TOML = b"this is not toml\n"
NOT_UTF8 = b'[smtp]\nhost = "caf\xe9.example"\n'


@pytest.fixture
def config(tmp_path, monkeypatch):
    """Write config.toml (text or bytes) in a config dir of the test's own; returns its path."""
    monkeypatch.setenv("COSELL_CONFIG_DIR", str(tmp_path))
    for var in ("COSELL_PC_API_URL", "COSELL_PC_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    path = tmp_path / "config.toml"

    def write(content: str | bytes):
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    write.path = path
    return write


def refusal(exc_info, *words: str) -> str:
    """The error's message: one line, exit code 2, holding every one of ``words``."""
    message = str(exc_info.value)
    assert exc_info.value.exit_code == 2
    assert "\n" not in message, message
    for word in words:
        assert word in message, (word, message)
    return message


# -- [smtp] ----------------------------------------------------------------------------------------

SMTP_BAD = {
    "port not a number": ('[smtp]\nhost = "mail.example"\nport = "abc"\n', ("[smtp] port", "whole number", "'abc'")),
    "unknown key": ('[smtp]\nhost = "mail.example"\nuser = "x"\n', ("[smtp] user", "not a setting", "username")),
    "port out of range": ('[smtp]\nhost = "mail.example"\nport = 70000\n', ("[smtp] port", "65535", "70000")),
    "port as true": ('[smtp]\nhost = "mail.example"\nport = true\n', ("[smtp] port", "whole number")),
    "port zero": ('[smtp]\nhost = "mail.example"\nport = 0\n', ("[smtp] port", "between 1 and 65535")),
    "timeout nan": ('[smtp]\nhost = "mail.example"\ntimeout = nan\n', ("[smtp] timeout", "3600")),
    "tls unknown": ('[smtp]\nhost = "mail.example"\ntls = "tls13"\n', ("[smtp] tls", "starttls, ssl, none")),
    "smtp not a table": ('smtp = "mail.example"\n', ("smtp must be a table",)),
    "not TOML": (NOT_TOML, ("not valid TOML", "line 1")),
    "not UTF-8": (NOT_UTF8, ("not valid TOML",)),
}


@pytest.mark.parametrize("content,words", SMTP_BAD.values(), ids=SMTP_BAD.keys())
def test_a_malformed_smtp_table_names_the_file_and_the_key(config, content, words):
    path = config(content)
    with pytest.raises(NotConfigured) as err:
        load_smtp_config({})
    refusal(err, str(path), *words)


def test_a_wrong_value_is_named_even_when_no_host_is_configured_either(config):
    path = config('[smtp]\nport = "abc"\n')
    with pytest.raises(NotConfigured) as err:
        load_smtp_config({})
    message = refusal(err, f"{path} [smtp] port")
    assert "no SMTP server configured" not in message


@pytest.mark.parametrize("var,value,words", [
    ("COSELL_SMTP_PORT", "abc", ("whole number", "'abc'")),
    ("COSELL_SMTP_PORT", "70000", ("65535",)),
    ("COSELL_SMTP_TIMEOUT", "soon", ("number of seconds",)),
    ("COSELL_SMTP_TLS", "tls13", ("starttls, ssl, none",)),
])
def test_a_wrong_variable_is_named_not_the_file(config, var, value, words):
    path = config('[smtp]\nhost = "mail.example"\nport = 2525\n')
    with pytest.raises(NotConfigured) as err:
        load_smtp_config({var: value})
    message = refusal(err, f"({var})", *words)
    assert f"{path} [smtp]" not in message


def test_a_good_smtp_table_and_the_variables_over_it(config):
    config('[smtp]\nhost = "mail.example"\nport = 2525\ntls = false\nfrom = "cosell@contoso-partner.com"\n'
           'username = "relay"\npassword = "s3cret"\ntimeout = 10\n')
    assert load_smtp_config({}) == SmtpConfig(host="mail.example", port=2525, tls="none",
                                              sender="cosell@contoso-partner.com", username="relay",
                                              password="s3cret", timeout=10.0)
    over = load_smtp_config({"COSELL_SMTP_HOST": "relay.example", "COSELL_SMTP_PORT": "465",
                             "COSELL_SMTP_TLS": "ssl"})
    assert (over.host, over.port, over.tls, over.username) == ("relay.example", 465, "ssl", "relay")


def test_defaults_when_only_the_host_is_given(config):
    config('[smtp]\nhost = "mail.example"\ntls = true\n')
    cfg = load_smtp_config({})
    assert (cfg.port, cfg.tls, cfg.sender, cfg.timeout) == (587, "starttls", "cosell@localhost", 30.0)


def test_no_file_and_no_variables_says_where_the_settings_go(config):
    with pytest.raises(NotConfigured) as err:
        load_smtp_config({})
    refusal(err, "no SMTP server configured", str(config.path), "COSELL_SMTP_HOST")


def test_the_partner_center_table_is_not_the_smtp_loaders_business(config):
    config('[partner_center]\ntennant = "x"\n[smtp]\nhost = "mail.example"\n')
    assert load_smtp_config({}).host == "mail.example"


# -- [partner_center] ------------------------------------------------------------------------------

PC_BAD = {
    "unknown key": ('[partner_center]\ntennant = "x"\n', ("partner_center.tennant", "not a setting", "tenant")),
    "api_url not http": ('[partner_center]\napi_url = "ftp://x"\n',
                         ("partner_center.api_url", "http(s) URL", "ftp://x")),
    "authority not http": ('[partner_center]\nauthority = "login.example"\n', ("partner_center.authority",)),
    "negative interval": ('[partner_center]\npull_interval_minutes = -1\n', ("partner_center.pull_interval_minutes",)),
    "infinite interval": ('[partner_center]\npull_interval_minutes = inf\n', ("partner_center.pull_interval_minutes",)),
    "nan interval": ('[partner_center]\npull_interval_minutes = nan\n', ("partner_center.pull_interval_minutes",)),
    "interval as text": ('[partner_center]\npull_interval_minutes = "5"\n', ("partner_center.pull_interval_minutes",)),
    "empty tenant": ('[partner_center]\ntenant = " "\n', ("partner_center.tenant", "non-empty string")),
    "scopes not a list": ('[partner_center]\nscopes = "x"\n', ("partner_center.scopes",)),
    "not a table": ('partner_center = 1\n', ("[partner_center] must be a table",)),
    "not TOML": (NOT_TOML, ("not valid TOML", "line 1")),
    "not UTF-8": (NOT_UTF8, ("not valid TOML", "not UTF-8")),
}


@pytest.mark.parametrize("content,words", PC_BAD.values(), ids=PC_BAD.keys())
def test_a_malformed_partner_center_table_names_the_file_and_the_key(config, content, words):
    path = config(content)
    with pytest.raises(SettingsError) as err:
        load_settings()
    refusal(err, str(path), *words)


def test_the_files_api_url_is_checked_even_when_the_variable_overrides_it(config, monkeypatch):
    path = config('[partner_center]\napi_url = "ftp://x"\n')
    monkeypatch.setenv("COSELL_PC_API_URL", "https://pc.example")
    with pytest.raises(SettingsError) as err:
        load_settings()
    refusal(err, str(path), "partner_center.api_url")


def test_a_wrong_api_url_variable_is_named(config, monkeypatch):
    monkeypatch.setenv("COSELL_PC_API_URL", "ftp://pc.example")
    with pytest.raises(SettingsError) as err:
        load_settings()
    refusal(err, "COSELL_PC_API_URL", "ftp://pc.example")


def test_a_good_partner_center_table(config):
    path = config('[partner_center]\ntenant = " contoso.onmicrosoft.com "\n'
                  'client_id = "00000000-0000-0000-0000-000000000000"\npull_interval_minutes = 2.5\n'
                  'api_url = "https://pc.example/v1"\nauthority = "https://login.example/"\nscopes = ["a", "b"]\n')
    s = load_settings()
    assert (s.tenant, s.client_id, s.api_url, s.authority, s.scopes, s.pull_minutes, s.config_file) == (
        "contoso.onmicrosoft.com", "00000000-0000-0000-0000-000000000000", "https://pc.example/v1",
        "https://login.example", ("a", "b"), 2.5, path)


def test_no_file_is_the_defaults_with_the_pull_off(config):
    s = load_settings()
    assert (s.api_url, s.tenant, s.pull_minutes, s.configured) == (DEFAULT_API_URL, None, None, False)


def test_the_smtp_table_is_not_the_sync_loaders_business(config):
    config('[smtp]\nport = "abc"\nuser = "x"\n[partner_center]\ntenant = "t"\nclient_id = "c"\n')
    assert load_settings().tenant == "t"
