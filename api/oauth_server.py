"""authlib's framework-neutral OAuth 2 server, driven from FastAPI.

authlib's core is synchronous: a route reads the request (async), then runs the server in a worker
thread; every database step the server asks for comes back to the event loop through
`anyio.from_thread.run` and uses the API's async pool, in the client's tenant transaction. What authlib
leaves to us (see ../shared/ARCHITECTURE.md) is here: S256-only PKCE that is always required, codes that
are single-use atomically (and a reuse that ends the grant), refresh tokens that rotate with reuse
detection, and scopes a client was not registered for refused instead of narrowed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import anyio.from_thread
from anyio import CapacityLimiter
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Payload,
    OAuth2Request,
    grants,
)
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge, create_s256_code_challenge
from authlib.oauth2.rfc7636.challenge import CODE_VERIFIER_PATTERN
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from api.database import tenant_transaction
from earmark.credentials import TENANT_SCOPES
from earmark.identity import events, oauth
from earmark.settings import Settings
from earmark.sqlfiles import load

THREADS = 8


def _sql(name: str) -> str:
    return load("earmark.identity", name)


class Payload(OAuth2Payload):
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._datalist = defaultdict(list)
        for key, value in pairs:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list]:
        return self._datalist


class Request(OAuth2Request):
    """A request already read by the route: query pairs, form pairs, headers. `uri` is the issuer's URL
    for the path (authlib refuses a non-https URI; the issuer is https outside development)."""

    def __init__(self, method: str, uri: str, headers, query: str, form: list[tuple[str, str]],
                 request_id: str, parameters_in_query: bool) -> None:
        super().__init__(method, uri, headers=headers)
        self._args = dict(parse_qsl(query, keep_blank_values=True))
        self._form = dict(form)
        # The authorization endpoint's parameters are in the query (also when the consent form posts);
        # the token, revocation and introspection endpoints' only in the form body.
        pairs = parse_qsl(query, keep_blank_values=True) if parameters_in_query else form
        self.payload = Payload(pairs)
        self.request_id = request_id
        self.grant_id = None

    @property
    def args(self) -> dict:
        return self._args

    @property
    def form(self) -> dict:
        return self._form


class Code(AuthorizationCodeMixin):
    def __init__(self, row: dict) -> None:
        self.row = row

    def get_redirect_uri(self):
        return self.row["redirect_uri"]

    def get_scope(self) -> str:
        return " ".join(self.row["scopes"])


class Store:
    """The database steps, as coroutines run on the event loop (see the module's docstring)."""

    def __init__(self, pool: AsyncConnectionPool, settings: Settings) -> None:
        self.pool = pool
        self.settings = settings

    async def one(self, tenant_id, name: str, params: dict) -> dict | None:
        async with self.pool.connection() as conn, tenant_transaction(conn, tenant_id), \
                conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(_sql(name), {"tenant_id": str(tenant_id), **params})
            return await cur.fetchone() if cur.description else None

    async def client(self, client_id: str) -> oauth.Client | None:
        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(_sql("oauth_client_find"), {"client_id": client_id})
            row = await cur.fetchone()
        return oauth.Client(**row, settings=self.settings) if row else None

    async def revoke_grant(self, tenant_id, grant_id, reason: str, action: str | None, actor: str,
                           request_id: str) -> None:
        async with self.pool.connection() as conn, tenant_transaction(conn, tenant_id):
            await conn.execute(_sql("oauth_grant_revoke"), {"tenant_id": str(tenant_id), "grant_id": grant_id,
                                                            "reason": reason})
            if action:
                await events.record(conn, tenant_id, actor, action, request_id, grant_id=str(grant_id))

    async def save_code(self, client: oauth.Client, user: dict, scopes: list[str], code: str,
                        redirect_uri: str | None, challenge: str) -> None:
        async with self.pool.connection() as conn, tenant_transaction(conn, client.tenant_id), \
                conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(_sql("oauth_grant_insert"), {
                "tenant_id": client.tenant_id, "client": client.id, "user_id": user["id"], "scopes": scopes,
                "lifetime": oauth.REFRESH_ABSOLUTE})
            grant = await cur.fetchone()
            await cur.execute(_sql("oauth_code_insert"), {
                "tenant_id": client.tenant_id, "code_hash": oauth.code_hash(code, self.settings),
                "grant_id": grant["id"], "redirect_uri": redirect_uri, "code_challenge": challenge,
                "lifetime": oauth.CODE_TTL})

    async def save_tokens(self, client: oauth.Client, token: dict, grant_id, user_id,
                          refresh_scopes: list[str] | None) -> None:
        """The access token has the scopes issued now; a new refresh token keeps the scopes of the one it
        replaces (RFC 6749 section 6: a narrower refresh narrows only that access token)."""
        now = datetime.now(UTC)
        scopes = oauth.scope_list(token.get("scope"))
        async with self.pool.connection() as conn, tenant_transaction(conn, client.tenant_id), \
                conn.cursor(row_factory=dict_row) as cur:
            if grant_id is None:  # client_credentials: a grant of its own, without a user or refresh
                await cur.execute(_sql("oauth_grant_insert"), {
                    "tenant_id": client.tenant_id, "client": client.id, "user_id": user_id, "scopes": scopes,
                    "lifetime": oauth.access_ttl(self.settings)})
                grant_id = (await cur.fetchone())["id"]
            base = {"tenant_id": client.tenant_id, "grant_id": grant_id, "scopes": scopes,
                    "audience": oauth.audience(self.settings)}
            await cur.execute(_sql("oauth_token_insert"), {
                **base, "kind": "access",
                "token_hash": oauth.token_hash(token["access_token"], self.settings),
                "expires_at": now + oauth.access_ttl(self.settings)})
            if token.get("refresh_token"):
                await cur.execute(_sql("oauth_token_insert"), {
                    **base, "kind": "refresh", "expires_at": None, "scopes": refresh_scopes or scopes,
                    "token_hash": oauth.token_hash(token["refresh_token"], self.settings)})

    async def token(self, tenant_id, token_string: str) -> oauth.Token | None:
        row = await self.one(tenant_id, "oauth_token_find",
                             {"token_hash": oauth.token_hash(token_string, self.settings)})
        return oauth.Token(**row) if row else None


class Server(AuthorizationServer):
    def __init__(self, pool: AsyncConnectionPool, settings: Settings) -> None:
        super().__init__(scopes_supported=list(TENANT_SCOPES))
        self.store = Store(pool, settings)
        self.settings = settings
        # authlib's threads wait on the database; they are limited apart from anyio's shared ones, so a
        # flood of token requests cannot starve sign-in's password hashing. Built in the app's lifespan.
        self.threads = CapacityLimiter(THREADS)
        self.register_token_generator("default", self._generate)
        self.register_grant(CodeGrant, [S256Challenge(required=True)])
        self.register_grant(RotatingRefreshGrant)
        self.register_grant(ClientCredentialsGrant)
        self.register_endpoint(Revocation)
        self.register_endpoint(Introspection)

    def db(self, fn, *args):
        """Run one of the store's coroutines on the event loop from authlib's worker thread."""
        return anyio.from_thread.run(fn, *args)

    def query_client(self, client_id: str) -> oauth.Client | None:
        if not client_id or not oauth.CLIENT_ID_SHAPE.fullmatch(client_id):
            return None  # never a query for what cannot be a client id (NUL, control bytes, length)
        return self.db(self.store.client, client_id)

    def _generate(self, grant_type, client, user=None, scope=None, expires_in=None,
                  include_refresh_token=True):
        token = {"token_type": "Bearer", "access_token": oauth.new_access_token(),
                 "expires_in": int(oauth.access_ttl(self.settings).total_seconds()), "scope": scope or ""}
        if include_refresh_token:
            token["refresh_token"] = oauth.new_refresh_token()
        return token

    def save_token(self, token: dict, request: Request) -> None:
        user_id = request.user["id"] if isinstance(request.user, dict) else None
        self.db(self.store.save_tokens, request.client, token, request.grant_id, user_id,
                getattr(request, "refresh_scopes", None))

    def create_oauth2_request(self, request: Request) -> Request:
        return request

    def create_json_request(self, request):
        raise NotImplementedError("no JSON endpoints")

    def handle_response(self, status, body, headers):
        return status, body, headers

    def send_signal(self, name, *args, **kwargs) -> None:
        pass


class S256Challenge(CodeChallenge):
    """PKCE (RFC 7636) with S256 only, and always: a request without a challenge is refused."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("code_challenge is required: use PKCE with code_challenge_method=S256.",
                                      redirect_uri=redirect_uri)
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256 (plain is not accepted).",
                                      redirect_uri=redirect_uri)
        return super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code: Code) -> str:
        return authorization_code.row["code_challenge"]

    def get_authorization_code_challenge_method(self, authorization_code: Code) -> str:
        return "S256"


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def save_authorization_code(self, code: str, request: Request) -> None:
        self.server.db(self.server.store.save_code, request.client, request.user,
                       oauth.scope_list(request.scope), code, request.payload.redirect_uri,
                       request.payload.data["code_challenge"])

    def query_authorization_code(self, code: str, client: oauth.Client) -> Code | None:
        """Claim the code (single use, atomically) if this request names its client, redirect URI and
        PKCE verifier; a request that does not spends nothing. A code already used is a reuse: the grant
        it started ends, with every token it gave, and the exchange fails with invalid_grant."""
        verifier = self.request.form.get("code_verifier") or ""
        if not code or len(code) > 200 or not CODE_VERIFIER_PATTERN.match(verifier):
            return None  # authlib then answers invalid_grant (or invalid_request for the verifier)
        store = self.server.store
        code_hash = oauth.code_hash(code, self.server.settings)
        row = self.server.db(store.one, client.tenant_id, "oauth_code_claim", {
            "code_hash": code_hash, "client": client.id, "redirect_uri": self.request.payload.redirect_uri,
            "challenge": create_s256_code_challenge(verifier)})
        if row is None:
            spent = self.server.db(store.one, client.tenant_id, "oauth_code_spent", {"code_hash": code_hash})
            if spent is not None:
                self.server.db(store.revoke_grant, client.tenant_id, spent["grant_id"], "code_reuse",
                               "oauth_code_reuse", f"client:{client.client_id}", self.request.request_id)
            return None
        if not row["live"] or not row["grant_live"]:
            return None
        self.request.grant_id = row["grant_id"]
        return Code(row)

    def delete_authorization_code(self, authorization_code: Code) -> None:
        pass  # spent when claimed; kept (hashed) so a second exchange is recognised as reuse

    def authenticate_user(self, authorization_code: Code) -> dict | None:
        return _active_user(self.server, self.request.client.tenant_id, authorization_code.row["user_id"])


def _active_user(server: Server, tenant_id, user_id) -> dict | None:
    if user_id is None:
        return None
    return server.db(server.store.one, tenant_id, "oauth_user", {"user_id": user_id})


class RotatingRefreshGrant(grants.RefreshTokenGrant):
    """Every refresh returns a new refresh token; presenting a rotated one ends the whole grant."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> oauth.Token | None:
        """Check the token (client, scope asked for, user) before spending it, so a mistaken request does
        not burn it; then rotate it atomically. A rotated one presented again ends its grant."""
        client = self.request.client
        if not refresh_token.startswith(oauth.REFRESH_PREFIX) or len(refresh_token) > 200:
            return None
        store = self.server.store
        token_hash = oauth.token_hash(refresh_token, self.server.settings)
        seen = self.server.db(store.one, client.tenant_id, "oauth_token_find", {"token_hash": token_hash})
        if seen is None or seen["kind"] != "refresh":
            return None
        if seen["rotated_at"] is not None or seen["client"] != client.id:
            # A rotated token again, or one spent by another client: a stolen token. End the grant.
            self.server.db(store.revoke_grant, client.tenant_id, seen["grant_id"], "refresh_reuse",
                           "oauth_refresh_reuse", f"client:{client.client_id}", self.request.request_id)
            return None
        asked = oauth.scope_list(self.request.payload.scope)
        if not set(asked) <= set(seen["scopes"]):
            raise InvalidScopeError("A refresh can keep or narrow the grant's scopes, never widen them.")
        user_id = seen["user_id"]
        if user_id is not None and _active_user(self.server, client.tenant_id, user_id) is None:
            raise InvalidGrantError("The user of this grant is no longer active.")
        row = self.server.db(store.one, client.tenant_id, "oauth_refresh_rotate", {"token_hash": token_hash})
        if row is None:
            if seen["revoked_at"] is None and seen["grant_revoked_at"] is None and not seen["expired"]:
                # Lost a race with a concurrent refresh of the same token: that is reuse too.
                self.server.db(store.revoke_grant, client.tenant_id, seen["grant_id"], "refresh_reuse",
                               "oauth_refresh_reuse", f"client:{client.client_id}", self.request.request_id)
            return None
        self.request.grant_id = row["grant_id"]
        self.request.refresh_scopes = row["scopes"]
        return oauth.Token(**row)

    def authenticate_user(self, refresh_token: oauth.Token):
        if refresh_token.user_id is None:
            return {"id": None}
        return _active_user(self.server, refresh_token.tenant_id, refresh_token.user_id)

    def revoke_old_credential(self, refresh_token: oauth.Token) -> None:
        pass  # rotated when it was presented (oauth_refresh_rotate)


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    """A dashboard back end's own token: no user, no refresh token, only scopes it was registered for."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_token_request(self):
        super().validate_token_request()
        allowed = self.request.client.get_allowed_scope(self.request.payload.scope)
        if allowed is None:
            raise InvalidScopeError("The client was not registered for every scope it asked for.")
        self.request.scope = allowed

    def create_token_response(self):
        token = self.generate_token(scope=self.request.scope, include_refresh_token=False)
        self.save_token(token)
        return 200, token, self.TOKEN_RESPONSE_HEADER


class _TokenLookup:
    """Revocation and introspection look tokens up in the authenticated client's tenant only."""

    SUPPORTED_TOKEN_TYPES = ("access_token", "refresh_token")

    def authenticate_token(self, request: Request, client: oauth.Client):
        self.check_params(request, client)
        value = request.form["token"]
        if not value or len(value) > 200:
            return None
        token = self.server.db(self.server.store.token, client.tenant_id, value)
        return token if token and token.check_client(client) else None

    def query_token(self, token_string, token_type_hint):  # pragma: no cover - authenticate_token does it
        raise NotImplementedError


class Revocation(_TokenLookup, RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def revoke_token(self, token: oauth.Token, request: Request) -> None:
        store = self.server.store
        if token.kind == "refresh":  # RFC 7009 section 2.1: ending a refresh token ends its grant
            self.server.db(store.revoke_grant, token.tenant_id, token.grant_id, "revoked", None, "", "")
        else:
            self.server.db(store.one, token.tenant_id, "oauth_token_revoke", {"id": token.id})


class Introspection(_TokenLookup, IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def check_permission(self, token, client, request) -> bool:
        return token.check_client(client)

    def introspect_token(self, token: oauth.Token) -> dict:
        answer = {"active": True, "client_id": token.client_id, "scope": token.get_scope(),
                  "token_type": "Bearer" if token.kind == "access" else "refresh_token",
                  "exp": int(token.expires_at.timestamp()), "iat": int(token.created_at.timestamp()),
                  "aud": token.audience, "iss": self.server.settings.issuer,
                  "tenant_id": str(token.tenant_id)}
        if token.user_id is not None:
            answer["sub"] = str(token.user_id)
        return answer

