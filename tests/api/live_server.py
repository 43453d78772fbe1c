"""The API as a user runs it: `earmark serve` in its own process, its log in a file, a fresh install if asked.

Used by the schemathesis runs, which must see what a client sees (uvicorn, real sockets, the server log).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
EARMARK = str(BIN / "earmark")
SCHEMATHESIS = str(BIN / "schemathesis")
# The checks the hardening issue names; schemathesis runs them in every phase.
CHECKS = ("not_a_server_error,response_schema_conformance,status_code_conformance,ignored_auth,"
          "content_type_conformance")
PHASES = "examples,coverage,fuzzing,stateful"


def earmark(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([EARMARK, *args], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def earmark_json(env: dict[str, str], *args: str) -> dict:
    return json.loads(earmark(env, *args, "--json").strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class LiveServer:
    url: str
    log: Path

    def tracebacks(self) -> list[str]:
        """Every unhandled exception the server logged (uvicorn and our handlers print 'Traceback')."""
        text = self.log.read_text(errors="replace")
        return [chunk[:2000] for chunk in text.split("Traceback (most recent call last)")[1:]]


@contextmanager
def serve(env: dict[str, str], log: Path):
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen([EARMARK, "serve", "--port", str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "earmark serve did not become healthy within 60 s"
            time.sleep(0.2)
        yield LiveServer(url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


# The sign-in pages, /me and the OAuth server answer alike whatever a tenant's data or key: one run fuzzes
# them (the fresh install's tenant key); the others leave them out, which keeps the suite's time in hand.
PEOPLE_ROUTES = r"^/(login|account|logout|oauth/|\.well-known/|api/v1/me)"


def schemathesis(server: LiveServer, key: str, max_examples: int = 100, people_routes: bool = True,
                 only: str | None = None) -> subprocess.CompletedProcess:
    """`schemathesis run` as the issue's user ran it, in every phase, from the project root (so that it
    reads schemathesis.toml there). No --max-time: with it, fuzzing and stateful testing repeat until the
    budget is spent (4 minutes a run); max_examples per operation bounds the run instead. `only`: a path
    regex the run keeps to."""
    leave_out = [] if people_routes else ["--exclude-path-regex", PEOPLE_ROUTES]
    if only:
        leave_out += ["--include-path-regex", only]
    return subprocess.run(
        [SCHEMATHESIS, "run", f"{server.url}/openapi.json", "-H", f"Authorization: Bearer {key}",
         "--checks", CHECKS, "--phases", PHASES, "--max-examples", str(max_examples), "--seed", "1",
         *leave_out],
        capture_output=True, text=True, timeout=600, cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
