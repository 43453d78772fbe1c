"""Event files in the canonical formats, read back as the ingestion pipeline would."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from earmark.demo import EVENT_COLUMNS, generate_events, write_event_file
from earmark.errors import EarmarkError


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    return generate_events(500, seed=2, start=date(2026, 8, 27))


def test_csv_has_the_column_header_and_iso_times_with_z(events, tmp_path):
    path = write_event_file(events, tmp_path / "events.csv", "csv")
    lines = path.read_text().splitlines()
    assert lines[0].split(",") == list(EVENT_COLUMNS)
    assert len(lines) == events.height + 1
    back = pl.read_csv(path, infer_schema=False)
    assert back["occurred_at"].str.contains(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$").all()
    parsed = back["occurred_at"].str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ", time_zone="UTC", time_unit="us")
    assert parsed.equals(events["occurred_at"], check_names=False)
    assert back["event_id"].to_list() == events["event_id"].to_list()
    assert back["revenue"].cast(pl.Float64).equals(events["revenue"])


def test_parquet_round_trips_exactly(events, tmp_path):
    path = write_event_file(events, tmp_path / "nested" / "events.parquet", "parquet")
    assert pl.read_parquet(path).equals(events)


def test_jsonl_is_one_canonical_record_per_line(events, tmp_path):
    path = write_event_file(events, tmp_path / "events.jsonl", "jsonl")
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(records) == events.height
    first = events.row(0, named=True)
    assert list(records[0]) == list(EVENT_COLUMNS)
    assert records[0]["event_id"] == first["event_id"]
    assert records[0]["occurred_at"] == first["occurred_at"].strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    conversion = next(r for r in records if r["event_type"] == "conversion")
    assert conversion["channel"] is None and conversion["campaign_id"] is None


def test_an_unknown_format_is_refused(events, tmp_path):
    with pytest.raises(EarmarkError, match="Unknown event file format 'xlsx'"):
        write_event_file(events, tmp_path / "events.xlsx", "xlsx")
