from earmark.errors import EarmarkError


class IngestFileError(EarmarkError):
    """The file as a whole cannot be ingested (unreadable, wrong format, required columns missing)."""
