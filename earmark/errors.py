"""The errors a user can cause or fix; the CLI prints their message as one sentence, no traceback."""


class EarmarkError(Exception):
    """Base of every error whose message is meant for the person running Earmark."""
