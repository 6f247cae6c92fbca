"""A malformed config.toml is refused by every command that reads it: one line on stderr naming
the file and the table's key (for text that is no TOML at all: the line and column), exit 2, no
traceback, and nothing opened or created: the file is read before the database.

Who reads what: `cosell notify` the ``[smtp]`` table (``model.notify.load_smtp_config``); `cosell
sync --status`, `cosell sync` and `cosell login` the ``[partner_center]`` table
(``model.services.sync_settings.load_settings``). `cosell notify --status` reads neither: it
lists the outbox, and needs no SMTP server.
"""
from __future__ import annotations

import re

import pytest

from cosell_process import one_line, process_env, run

SMTP_READERS = [("notify",)]
PC_READERS = [("sync", "--status"), ("sync",), ("login",)]

SMTP_BAD = {
    "port not a number": ('[smtp]\nhost = "mail.example"\nport = "abc"\n', ("smtp", "port"), ("'abc'",)),
    "unknown key user": ('[smtp]\nhost = "mail.example"\nuser = "x"\n', ("smtp", "user"), ("username",)),
    "port out of range": ('[smtp]\nhost = "mail.example"\nport = 70000\n', ("smtp", "port"), ("70000",)),
}
PC_BAD = {
    "unknown key tennant": ('[partner_center]\ntennant = "x"\n', ("partner_center", "tennant"), ("tenant",)),
    "api_url not http": ('[partner_center]\napi_url = "ftp://x"\n', ("partner_center", "api_url"), ("ftp://x",)),
    "negative pull interval": ('[partner_center]\npull_interval_minutes = -1\n',
                               ("partner_center", "pull_interval_minutes"), ()),
}
NOT_TOML = {
    "not TOML": (b"this is not toml\n", ("not valid TOML", "line 1, column")),
    "not UTF-8": (b'[smtp]\nhost = "caf\xe9.example"\n[partner_center]\ntenant = "t"\n', ("not valid TOML",)),
}


@pytest.fixture
def env(tmp_path) -> dict:
    (tmp_path / "config").mkdir()
    return process_env(tmp_path)


def write_config(tmp_path, content: str | bytes):
    path = tmp_path / "config" / "config.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def names_key(line: str, table: str, key: str) -> bool:
    """``[smtp] port`` or ``smtp.port``: either way the table and the key."""
    return re.search(rf"\[{table}\] {key}\b|\b{table}\.{key}\b", line) is not None


def refused(env, tmp_path, path, argv) -> str:
    db = tmp_path / "team.db"
    line = one_line(run(env, "--db", str(db), *argv), 2)
    assert line.startswith("cosell: ") and str(path) in line, line
    assert not db.exists(), "the database was opened before the settings were checked"
    return line


def cases(table: dict, readers: list) -> list:
    return [pytest.param(*case, argv, id=f"{name}-{' '.join(argv)}")
            for name, case in table.items() for argv in readers]


@pytest.mark.parametrize("content,key,words,argv", cases(SMTP_BAD, SMTP_READERS) + cases(PC_BAD, PC_READERS))
def test_a_bad_setting_is_one_line_naming_the_file_and_the_key(env, tmp_path, content, key, words, argv):
    line = refused(env, tmp_path, write_config(tmp_path, content), argv)
    assert names_key(line, *key), line
    for word in words:
        assert word in line, (word, line)


@pytest.mark.parametrize("content,words,argv", cases(NOT_TOML, SMTP_READERS + PC_READERS))
def test_a_file_that_is_not_toml_is_one_line_naming_the_file(env, tmp_path, content, words, argv):
    line = refused(env, tmp_path, write_config(tmp_path, content), argv)
    for word in words:
        assert word in line, (word, line)


def test_a_good_config_still_works(env, tmp_path):
    write_config(tmp_path, '[smtp]\nhost = "127.0.0.1"\nport = 2525\ntls = "none"\n'
                           'from = "cosell@contoso-partner.com"\n[partner_center]\ntenant = "contoso.onmicrosoft.com"\n'
                           'client_id = "00000000-0000-0000-0000-000000000000"\npull_interval_minutes = 0\n'
                           'api_url = "https://api.partner.example/v1"\n')
    db = str(tmp_path / "team.db")
    sent = run(env, "--db", db, "notify")  # an empty outbox: no server is needed
    assert (sent.returncode, sent.stderr) == (0, "")
    assert sent.stdout.startswith("sent 0 notifications")
    status = run(env, "--db", db, "sync", "--status")
    assert (status.returncode, status.stderr) == (0, "")
    assert status.stdout.startswith("every deal is in step with Partner Center")


def test_each_command_reads_only_its_own_table(env, tmp_path):
    # A typo under [smtp] does not stop `sync --status`; one under [partner_center] does not stop
    # `notify`; and `notify --status` (the outbox, no SMTP) reads no settings at all.
    write_config(tmp_path, '[smtp]\nhost = "127.0.0.1"\nuser = "x"\n[partner_center]\ntennant = "x"\n')
    db = str(tmp_path / "team.db")
    assert names_key(one_line(run(env, "--db", db, "notify"), 2), "smtp", "user")
    assert names_key(one_line(run(env, "--db", db, "sync", "--status"), 2), "partner_center", "tennant")
    write_config(tmp_path, '[smtp]\nhost = "127.0.0.1"\nuser = "x"\n')
    assert run(env, "--db", db, "sync", "--status").returncode == 0
    status = run(env, "--db", db, "notify", "--status")
    assert (status.returncode, status.stdout.strip()) == (0, "every notification has been sent")
