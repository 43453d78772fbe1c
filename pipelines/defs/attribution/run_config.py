"""Pure functions turning a Dagster partition window and run options into dbt arguments and run config."""

from __future__ import annotations

import json
from datetime import datetime

ATTRIBUTION_OP = "attribution_dbt_assets"


def attribution_run_config(full_refresh: bool = False, tenant_id: str | None = None) -> dict:
    """Dagster run_config for the attribution dbt assets."""
    return {"ops": {ATTRIBUTION_OP: {"config": {"full_refresh": full_refresh, "tenant_id": tenant_id}}}}


def attribution_dbt_vars(start: datetime, end: datetime, *, tenant_id: str | None = None,
                         full_refresh: bool = False, run_id: str | None = None) -> dict:
    """dbt vars for a partition window [start, end) of UTC days.

    A full refresh restricted to one tenant must not drop the other tenants' rows, so it becomes an
    incremental run that recomputes every date of that tenant (attribution_all_dates).
    """
    dbt_vars: dict = {
        "attribution_start_date": start.date().isoformat(),
        "attribution_end_date": end.date().isoformat(),
    }
    if tenant_id:
        dbt_vars["attribution_tenant_id"] = tenant_id
        if full_refresh:
            dbt_vars["attribution_all_dates"] = True
    if run_id:
        dbt_vars["attribution_run_id"] = run_id
    return dbt_vars


def attribution_dbt_args(start: datetime, end: datetime, *, tenant_id: str | None = None,
                         full_refresh: bool = False, run_id: str | None = None) -> list[str]:
    """`dbt build` arguments for one run over the window."""
    dbt_vars = attribution_dbt_vars(start, end, tenant_id=tenant_id, full_refresh=full_refresh, run_id=run_id)
    # Unit tests prove the SQL, not the data: the test suite runs them; a nightly run would only pay
    # for them (about 2 s of a run whose goal is 1 s).
    args = ["build", "--vars", json.dumps(dbt_vars, sort_keys=True), "--exclude-resource-type", "unit_test"]
    if full_refresh and not tenant_id:
        args.append("--full-refresh")
    return args
