"""The audit log's actions (issue 16): every security-relevant action appends exactly one entry, in the
transaction of the action. ACTIONS is the whole list; GET /api/v1/audit filters by these names.

Where an entry goes: a tenant's own actions to the tenant's chain; platform keys, tenants created and
tenants' status to the platform's chain (earmark.privacy.audit.PLATFORM).
"""

from __future__ import annotations

from earmark.identity import events

SECURITY_EVENTS = events.ACTIONS
"""Sign-in, sign-out, MFA and OAuth consent events: each app.security_events row is also an entry."""

KEYS = ("key_created", "key_revoked", "platform_key_created", "platform_key_revoked")
"""API keys: a tenant's (its chain) and the platform's (the platform chain); never the secret."""

OAUTH_CLIENTS = ("oauth_client_created", "oauth_client_revoked")
"""OAuth clients registered or revoked; never the client secret."""

USERS = ("user_created", "user_role_changed", "user_disabled", "user_enabled")
"""A tenant's users: created, their role changed, disabled or enabled again; never the password or email."""

SETTINGS = ("settings_changed",)
"""The tenant's settings: each field changed, with its old and new value."""

CATALOG = ("catalog_imported",)
"""A catalog file imported: the row counts per entity."""

EXPORTS = ("data_exported",)
"""Data that left Earmark through an export: which report and how many rows, never the rows."""

TENANTS = ("tenant_created", "tenant_status_changed", "tenant_tier_changed")
"""Tenants created and their status or tier changed (the platform chain)."""

ACTIONS = tuple(dict.fromkeys((*SECURITY_EVENTS, *KEYS, *OAUTH_CLIENTS, *USERS, *SETTINGS, *CATALOG,
                               *EXPORTS, *TENANTS)))
