"""Resources shared by every domain: the Earmark database, reached through the core."""

import dagster as dg
import psycopg

from earmark import db
from earmark.settings import get_settings
from earmark.sqlfiles import load


class EarmarkDatabase(dg.ConfigurableResource):
    """Connections to Earmark's Postgres as the transformer role (ingestion and checks)."""

    def connect(self) -> psycopg.Connection:
        return db.connect("transformer", settings=get_settings())

    def active_tenant_ids(self) -> list[str]:
        with self.connect() as conn:
            rows = conn.execute(load("pipelines", "active_tenants"))
            return [r[0] for r in rows]
