"""Pure functions turning a Dagster partition window and run options into dbt arguments and run config.

The window, tenant and run id reach dbt as environment variables (EARMARK_ATTRIBUTION_*, read by the
macro attribution_option), not as --vars: dbt discards its partial parse whenever --vars change, and they
change on every run, so each run re-parsed the whole project (1.4 s of a 4 s dbt build). A changed
environment variable re-parses only the two models that read it. --vars still win when given (tests and
`earmark bench` pass them).
"""

from __future__ import annotations

from datetime import datetime

ATTRIBUTION_OP = "attribution_dbt_assets"


def attribution_run_config(full_refresh: bool = False, tenant_id: str | None = None,
                           recompute_window: bool = True) -> dict:
    """Dagster run_config for the attribution dbt assets."""
    config = {"full_refresh": full_refresh, "tenant_id": tenant_id, "recompute_window": recompute_window}
    return {"ops": {ATTRIBUTION_OP: {"config": config}}}


def attribution_dbt_vars(start: datetime, end: datetime, *, tenant_id: str | None = None,
                         full_refresh: bool = False, run_id: str | None = None,
                         recompute_window: bool = True) -> dict:
    """dbt vars for a partition window [start, end) of UTC days.

    A full refresh restricted to one tenant must not drop the other tenants' rows, so it becomes an
    incremental run that recomputes every date of that tenant (attribution_all_dates).
    Without recompute_window the window's days are not forced: dbt recomputes only what changed since
    each tenant's last run (its own rules in int_attribution_scopes), which `earmark run` relies on.
    """
    dbt_vars: dict = {}
    if recompute_window:
        dbt_vars["attribution_start_date"] = start.date().isoformat()
        dbt_vars["attribution_end_date"] = end.date().isoformat()
    if tenant_id:
        dbt_vars["attribution_tenant_id"] = tenant_id
        if full_refresh:
            dbt_vars["attribution_all_dates"] = True
    if run_id:
        dbt_vars["attribution_run_id"] = run_id
    return dbt_vars


# Every option a run sets, so that none is left over from the previous run of the same process.
ATTRIBUTION_OPTIONS = ("attribution_start_date", "attribution_end_date", "attribution_tenant_id",
                       "attribution_all_dates", "attribution_run_id", "attribution_dates")


def attribution_dbt_env(dbt_vars: dict) -> dict[str, str]:
    """The run's options as the environment dbt reads them in (an empty value is an unset option)."""
    def text(value: object) -> str:
        if value is None or value is False:
            return ""
        return "true" if value is True else str(value)

    return {f"EARMARK_{name.upper()}": text(dbt_vars.get(name)) for name in ATTRIBUTION_OPTIONS}


def attribution_dbt_args(full_refresh: bool = False, tenant_id: str | None = None) -> list[str]:
    """`dbt build` arguments for one run (the window travels in attribution_dbt_env)."""
    # Unit tests prove the SQL, not the data: the test suite runs them; a nightly run would only pay
    # for them (about 2 s of a run whose goal is 1 s).
    args = ["build", "--exclude-resource-type", "unit_test"]
    if full_refresh and not tenant_id:
        args.append("--full-refresh")
    return args
