import pytest

from earmark import db


@pytest.fixture
def events_of(database):
    """All raw.events rows of one tenant as dicts, read as the transformer (sees every tenant)."""

    def _events(tenant_id) -> dict[str, dict]:
        with db.connect("transformer") as conn:
            cur = conn.execute(
                "select event_id, user_id, occurred_at, event_type, channel, campaign_id, revenue::float8, "
                "source, currency from raw.events where tenant_id = %s order by event_id",
                [tenant_id],
            )
            names = [c.name for c in cur.description]
            return {row[0]: dict(zip(names, row, strict=True)) for row in cur}

    return _events


@pytest.fixture
def quarantine_of(database):
    def _rejected(tenant_id) -> list[tuple[int, str]]:
        with db.connect("transformer") as conn:
            return conn.execute(
                "select row_number, reason from raw.rejected_events where tenant_id = %s "
                "order by batch_id, row_number",
                [tenant_id],
            ).fetchall()

    return _rejected
