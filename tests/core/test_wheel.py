"""A non-editable install works: the wheel holds every package's data and runs from a fresh venv.

Built without build isolation from a copy of the project (nothing written into the checkout), installed
with the lock's dependencies from uv's cache (no download), and run from outside the source tree, so
nothing can be found by accident beside the code.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow
IGNORE = shutil.ignore_patterns(".venv", ".earmark", ".git", "target", "logs", "__pycache__", "build",
                                "*.egg-info", ".pytest_cache", ".ruff_cache", ".hypothesis", ".schemathesis")


def _run(*command: str, **options) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, **options)
    assert done.returncode == 0, f"{command}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


def _shipped_in_checkout() -> set[str]:
    """Every data file the packages read at run time, as a wheel path."""
    found = set()
    for pattern in ("earmark/**/*.sql", "api/**/*.sql", "pipelines/**/*.sql", "earmark/tiers.toml",
                    "earmark/dagster.yaml", "dbt_project/**/*.sql", "dbt_project/**/*.yml",
                    "earmark/identity/*.txt", "api/templates/*.html"):
        found |= {p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern)
                  if not {"target", "logs"} & set(p.relative_to(ROOT).parts) and p.name != ".user.yml"}
    return found


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=IGNORE)
    _run(str(BIN / "python"), "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "-w", str(work / "dist"), str(source))
    (wheel,) = (work / "dist").glob("earmark-*.whl")
    venv = work / "venv"
    _run(sys._base_executable, "-m", "venv", str(venv))
    uv = str(BIN / "uv")
    # `sync` installs the lock as it stands from the wheels `make` cached; `install -r` resolves it again and,
    # offline, fails on a machine whose cache lacks a wheel's metadata (seen here: agate 1.9.1).
    _run(uv, "pip", "sync", "--quiet", "--offline", "--python", str(venv / "bin" / "python"),
         str(ROOT / "requirements.lock"))
    _run(uv, "pip", "install", "--quiet", "--offline", "--no-deps", "--python", str(venv / "bin" / "python"),
         str(wheel))
    home = work / "home"
    env = {**os.environ, "EARMARK_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    yield wheel, venv, env, work
    subprocess.run([str(venv / "bin" / "earmark"), "db", "stop"], env=env, capture_output=True, timeout=60)
    shutil.rmtree(work, ignore_errors=True)


def test_the_wheel_holds_every_package_data_file(wheel_venv):
    wheel = wheel_venv[0]
    with zipfile.ZipFile(wheel) as archive:
        inside = set(archive.namelist())
    expected = _shipped_in_checkout()
    assert {"api/sql/channels_window.sql", "earmark/sql/bootstrap.sql", "pipelines/sql/tenant_summary.sql",
            "earmark/migrations/0001_tenancy.sql", "dbt_project/dbt_project.yml",
            "earmark/identity/common_passwords.txt", "api/templates/login.html"} <= expected
    assert expected - inside == set()
    assert not [name for name in inside if "/target/" in name or name.endswith(".pyc")]


def test_the_installed_wheel_migrates_and_serves_from_a_fresh_venv(wheel_venv):
    _, venv, env, work = wheel_venv
    earmark = str(venv / "bin" / "earmark")
    outside = {"env": env, "cwd": work}  # not the checkout: nothing found beside the code by accident
    located = _run(str(venv / "bin" / "python"), "-c",
                   "import earmark, api; print(earmark.__file__, api.__file__)", **outside).stdout
    assert str(ROOT) not in located and str(venv) in located
    assert "Usage: earmark" in _run(earmark, "--help", **outside).stdout
    assert "applied 0001" in _run(earmark, "migrate", **outside).stdout
    tenant = json.loads(_run(earmark, "tenants", "create", "--name", "Wheel Audio", "--json",
                             **outside).stdout)
    key = json.loads(_run(earmark, "keys", "create", "--tenant", tenant["id"], "--json",
                          **outside).stdout)["key"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([earmark, "serve", "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.STDOUT, **outside)
    try:
        answer = None
        for _ in range(150):
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/attribution/channels",
                                   headers={"Authorization": f"Bearer {key}"}, timeout=2)
                break
            except httpx.HTTPError:
                assert server.poll() is None
                time.sleep(0.2)
        assert answer is not None and answer.status_code == 200, answer and answer.text
        assert answer.json()["rows"] == [] and answer.json()["computed_at"] is None
    finally:
        server.terminate()
        server.wait(timeout=20)
