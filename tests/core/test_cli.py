"""The `earmark` command as a user runs it: JSON on stdout, one sentence on error, no traceback."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

EARMARK = str(Path(sys.executable).with_name("earmark"))


def earmark(*args, env=None, check=True):
    done = subprocess.run([EARMARK, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_tenants_create_json_then_show(database):
    created = json.loads(
        earmark("tenants", "create", "--name", "CLI Audio", "--tier", "free", "--json").stdout)
    assert (created["name"], created["tier"]) == ("CLI Audio", "free")
    shown = json.loads(earmark("tenants", "show", created["id"], "--json").stdout)
    assert shown["id"] == created["id"]
    assert shown["settings"]["lookback_days"] == 30
    assert shown["quotas"]["api_requests_per_minute"] <= 600


def test_ingest_json_counts(database, tmp_path):
    tenant = json.loads(earmark("tenants", "create", "--name", "CLI Ingest", "--json").stdout)
    path = tmp_path / "e.csv"
    path.write_text("event_id,user_id,occurred_at,event_type,channel\n"
                    "t1,u1,2026-03-01T10:00:00Z,touchpoint,podcast\n"
                    "t1,u1,2026-03-01T10:00:00Z,touchpoint,podcast\n"
                    "c1,u1,2026-03-01T11:00:00Z,purchase,\n")
    counts = json.loads(earmark("ingest", "--tenant", tenant["id"], str(path), "--json").stdout)
    assert {k: counts[k] for k in ("rows", "loaded", "duplicates", "rejected")} == {
        "rows": 3, "loaded": 1, "duplicates": 1, "rejected": 1}


def test_errors_are_one_sentence_without_traceback(database, tmp_path):
    missing = earmark("ingest", "--tenant", "not-a-uuid", str(tmp_path / "none.csv"), check=False)
    assert missing.returncode == 1
    assert "Traceback" not in missing.stderr
    assert missing.stderr.strip() == f"error: {tmp_path / 'none.csv'} does not exist or is not a file; " \
                                     "give the path of an event file."
    bad = tmp_path / "bad.csv"
    bad.write_text("event_id\nx\n")
    tenant = json.loads(earmark("tenants", "create", "--name", "CLI Errors", "--json").stdout)
    unreadable = earmark("ingest", "--tenant", tenant["id"], str(bad), check=False)
    assert unreadable.returncode == 1 and "Traceback" not in unreadable.stderr
    assert "lacks the required columns user_id, occurred_at, event_type, channel" in unreadable.stderr
    unknown = earmark("tenants", "show", "not-a-uuid", check=False)
    assert unknown.stderr.strip() == (
        "error: 'not-a-uuid' is not a tenant id (a UUID); see `earmark tenants list`.")


def test_db_url_is_usable_and_commands_start_the_server(tmp_path):
    env = {"EARMARK_HOME": str(tmp_path / "home")}
    assert earmark("db", "status", env=env, check=False).returncode == 3
    earmark("migrate", env=env)  # starts the server on its own; ordinary commands do not migrate
    listed = earmark("tenants", "list", "--json", env=env)
    assert json.loads(listed.stdout) == []
    url = earmark("db", "url", env=env).stdout.strip().splitlines()[-1]
    with psycopg.connect(url) as conn:
        assert conn.execute("select current_user").fetchone()[0] == "earmark_owner"
    assert "running" in earmark("db", "status", env=env).stdout
    assert "stopped" in earmark("db", "stop", env=env).stdout
    assert earmark("db", "status", env=env, check=False).returncode == 3


@pytest.fixture
def home_at(tmp_path, monkeypatch):
    """EARMARK_HOME pointed at tmp_path for this test (the cached settings follow, then come back)."""
    from earmark.settings import get_settings

    monkeypatch.setenv("EARMARK_HOME", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    monkeypatch.undo()
    get_settings.cache_clear()


def test_an_unexpected_failure_is_one_sentence_and_a_trace_in_a_log_file(home_at, tmp_path):
    from earmark.cli import failures

    try:
        try:
            {}["missing"]
        except KeyError as inner:
            raise RuntimeError("the exporter lost its place") from inner
    except RuntimeError as exc:
        sentence = failures.explain(exc, ["attribution", "export", "--tenant", "x"])
    assert sentence.startswith("`earmark attribution export` failed unexpectedly (RuntimeError: the exporter")
    assert "\n" not in sentence
    trace = Path(sentence.rsplit("the full trace is in ", 1)[1].rstrip("."))
    assert trace.parent == tmp_path / "logs"
    assert "KeyError" in trace.read_text() and "RuntimeError" in trace.read_text()
    # The database going away is told apart, through any wrapping.
    try:
        try:
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        except psycopg.OperationalError as inner:
            raise ValueError("step failed") from inner
    except ValueError as exc:
        assert failures.database_gone(exc)
        assert "`earmark db start`" in failures.explain(exc, ["run"])
    assert not failures.database_gone(ValueError("plain"))


def test_library_logging_goes_to_the_log_file_not_the_terminal(database, tmp_path):
    script = ("import logging, sys\n"
              "from earmark.cli import failures\n"
              "failures.install_logging()\n"
              "logging.warning('Retrying failed database connection')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "EARMARK_HOME": str(tmp_path)})
    assert done.returncode == 0 and done.stderr == ""
    assert "Retrying failed database connection" in (tmp_path / "logs" / "earmark.log").read_text()


def test_ordinary_commands_do_not_migrate_and_say_what_to_do(tmp_path):
    env = {"EARMARK_HOME": str(tmp_path / "home"), "DAGSTER_HOME": str(tmp_path / "home" / "dagster")}
    try:
        for command in (("tenants", "list"), ("keys", "list", "--platform"), ("serve",), ("run",)):
            done = earmark(*command, env=env, check=False)
            assert done.returncode == 1, command
            assert done.stderr.strip() == (
                "error: This Earmark home has no database yet; run `earmark migrate` first."), command
        assert "applied 0001" in earmark("migrate", env=env).stdout
        assert json.loads(earmark("tenants", "list", "--json", env=env).stdout) == []
        production = {**env, "EARMARK_ENV": "production"}
        refused = earmark("bench", "attribution", "--journeys", "10", env=production, check=False)
        assert refused.returncode == 1 and "refused when EARMARK_ENV=production" in refused.stderr
    finally:
        earmark("db", "stop", env=env, check=False)
