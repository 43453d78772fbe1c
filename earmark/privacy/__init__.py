"""Compliance (issue 16): the audit log, the personal-data registry, data-subject requests and retention.

Framework-free like the rest of the core: the API, the CLI and the Dagster assets call these modules.
"""
