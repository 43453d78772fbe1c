"""Realistic, deterministic demo data for podcast-advertising attribution.

Modelling choices others can rely on:
- `channel` is the marketing channel: podcast, search, social, email, display, affiliate or direct
  (null on conversions). The show is not in the channel: `campaign_id` names the placement's campaign,
  `cmp-<advertiser>-<show>` for podcast (always set on podcast touches) and `cmp-<advertiser>-<channel>`
  for paid digital channels; direct visits and conversions have no campaign.
- `source` says how the event was captured: podcast_impression, pixel_visit, promo_code, vanity_url,
  survey (podcast touches a buyer's response reveals) and checkout (every conversion).
- Episodes drop weekly on each show's release weekday and listening peaks in the days after, so
  podcast impressions show a weekly cycle. Everything is drawn from numpy generators seeded by `seed`:
  same arguments, identical frame (the default `start` is today minus `days`, so pass `start` to
  reproduce a frame on another day).
"""

from earmark.demo.catalog import DemoCatalog, DemoSizeError, generate_catalog
from earmark.demo.events import EVENT_COLUMNS, EVENT_SCHEMA, generate_events
from earmark.demo.files import EVENT_FILE_FORMATS, write_event_file
from earmark.demo.tenants import demo_tenants

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_FILE_FORMATS",
    "EVENT_SCHEMA",
    "DemoCatalog",
    "DemoSizeError",
    "demo_tenants",
    "generate_catalog",
    "generate_events",
    "write_event_file",
]
