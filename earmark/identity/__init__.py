"""People who sign in: users of one tenant, their roles and passwords (issue 11).

Framework-free: the CLI and the API both call these functions with a connection; RLS on app.users
keeps each call inside its tenant.
"""
