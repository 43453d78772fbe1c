"""Earmark's framework-free core: settings, database, embedded server, migrations, tenancy, CLI.

Nothing in this package imports `pipelines` or `api`; both of those import from here.
"""
