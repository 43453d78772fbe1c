"""A live API for the identity tests that need real parallel requests: uvicorn on a real socket, in a
thread of the test process, over the session's Postgres."""

from __future__ import annotations

import os
import socket
import threading
import time

import httpx
import pytest
import uvicorn

from api.main import create_app
from api.settings import ApiSettings


@pytest.fixture
def live_api(database):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(api_settings=ApiSettings()),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the live API did not start"
        time.sleep(0.05)
    assert httpx.get(url + "/healthz").status_code == 200
    yield url
    server.should_exit = True
    thread.join(timeout=20)


@pytest.fixture
def earmark_env() -> dict[str, str]:
    return dict(os.environ)
