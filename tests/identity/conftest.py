"""Fixtures of the identity tests: a browser-like client, a tenant with OAuth clients, and a live API for
the tests that need real parallel requests (uvicorn on a real socket, in a thread of the test process)."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from oauth_flow import PASSWORD, REDIRECT

from api.main import create_app
from api.settings import ApiSettings
from earmark import db
from earmark.identity import oauth, users


@pytest.fixture
def browser(database):
    """A client on https (the cookies are Secure), which keeps cookies between requests like a browser."""
    with TestClient(create_app(api_settings=ApiSettings()), base_url="https://testserver",
                    raise_server_exceptions=False, follow_redirects=False) as client:
        yield client


@pytest.fixture
def setup(make_tenant):
    """A tenant with an analyst and two clients: a confidential dashboard and a public single-page app."""
    tenant = make_tenant()
    with db.connect("owner") as conn:
        email = f"ana-{uuid.uuid4().hex[:8]}@example.com"
        user = users.create_user(conn, tenant.id, email, "analyst", PASSWORD)
        confidential, secret = oauth.create_client(conn, tenant.id, "Dashboard", [REDIRECT],
                                                   grant_types=["authorization_code", "refresh_token"])
        public, _ = oauth.create_client(conn, tenant.id, "Single-page app", [REDIRECT, REDIRECT + "2"],
                                        public=True)
    return tenant, user, confidential, secret, public


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
