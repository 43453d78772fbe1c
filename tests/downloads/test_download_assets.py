"""The downloads assets through Dagster: a landed log is loaded once and moved, counting reruns cleanly, and
the recount sensor asks for exactly the days that are out of date."""

from __future__ import annotations

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG
from logs import episode, row, ts
from stored import add_catalog, stored_downloads, stored_outcomes, write_log

from earmark import db
from earmark.downloads.counted import stale_range
from earmark.orchestration import request_log_landing_folder
from pipelines import runner
from pipelines.defs.downloads import download_recount_sensor
from pipelines.resources import EarmarkDatabase

LOG = [row("r1", ts("2026-10-05", "10:00")), row("r2", ts("2026-10-05", "10:05")),
       row("r3", ts("2026-10-06", "09:00"), range="bytes=0-1", status=206, sent=2),
       row("bad", ts("2026-10-06", "09:30"), status="2xx")]


def test_a_landed_log_is_loaded_once_counted_and_recounted_the_same(landing, dagster_instance):
    tenant, _ = landing
    add_catalog(tenant.id, [episode()])
    folder = request_log_landing_folder(str(tenant.id))
    write_log(folder / "edge-2026-10-05.csv", LOG)

    loaded = runner.download_requests(str(tenant.id), [])
    assert loaded.success, loaded.error
    assert {k: loaded.metadata[k] for k in ("files", "rows", "loaded", "duplicates", "rejected")} == {
        "files": 1, "rows": 4, "loaded": 3, "duplicates": 0, "rejected": 1}
    assert (loaded.metadata["first_day"], loaded.metadata["last_day"]) == ("2026-10-05", "2026-10-06")
    assert not (folder / "edge-2026-10-05.csv").exists()
    assert [p.name.endswith("-edge-2026-10-05.csv") for p in (folder / "processed").iterdir()] == [True]
    assert dagster_instance.get_run_by_id(loaded.run_id).status == dg.DagsterRunStatus.SUCCESS
    assert runner.download_requests(str(tenant.id), []).metadata["files"] == 0

    context = dg.build_sensor_context(instance=dagster_instance, resources={"database": EarmarkDatabase()})
    request = download_recount_sensor(context)
    with db.connect("transformer") as conn:
        first, last = stale_range(conn)
    assert (request.tags[ASSET_PARTITION_RANGE_START_TAG], request.tags[ASSET_PARTITION_RANGE_END_TAG]) == (
        first.isoformat(), last.isoformat())
    assert first <= last and first.isoformat() <= "2026-10-05" and last.isoformat() >= "2026-10-06"

    counted = runner.count_downloads(first.isoformat(), last.isoformat())
    assert counted.success, counted.error
    once = stored_outcomes(tenant.id), stored_downloads(tenant.id)
    assert once[0] == {"r1": ("counted", "r1", "counted", "r1"),
                       "r2": ("duplicate_in_window", "r1", "duplicate_in_window", "r1"),
                       "r3": ("probe_only", None, "probe_only", None)}
    assert {(mode, d, day) for mode, d, day, *_ in once[1]} == {("fixed", "r1", "2026-10-05"),
                                                                 ("rolling", "r1", "2026-10-05")}
    assert isinstance(download_recount_sensor(dg.build_sensor_context(
        instance=dagster_instance, resources={"database": EarmarkDatabase()})), dg.SkipReason)
    again = runner.count_downloads(first.isoformat(), last.isoformat())
    assert again.success and (stored_outcomes(tenant.id), stored_downloads(tenant.id)) == once
    assert again.metadata["list_version"] == counted.metadata["list_version"]
