"""Count a request log held in memory, through the same reader checks, preparation and rules as the
database path: for tests, notebooks and `earmark downloads` checks of a file before it is loaded."""

from __future__ import annotations

import polars as pl

from earmark.downloads import addresses, counting, prepared, reader
from earmark.downloads.lists.parse import default_texts, parse_bots, parse_cidrs

EPISODE_SCHEMA = {"episode_id": pl.String, "show_id": pl.String, "enclosure_url": pl.String,
                  "bytes_total": pl.Int64, "duration_s": pl.Float64, "id3_bytes": pl.Int64}
AD_SCHEMA = {"ad_id": pl.String, "episode_id": pl.String, "kind": pl.String, "start_byte": pl.Int64,
             "end_byte": pl.Int64}
OFFLINE_KEYS = addresses.AddressKeys(b"offline mac key".ljust(32, b"."), b"offline seal key".ljust(32, b"."))


def count_rows(rows: list[dict], episodes: list[dict], ad_slots: list[dict] | None = None, *,
               bots: str | None = None, cidrs: str | None = None, spike_threshold: int = 50
               ) -> tuple[counting.Counted, reader.Batch]:
    """rows: dicts of the log's columns as strings (missing ones empty). Returns what counting found and the
    reader's verdict (its rejected rows)."""
    default_bots, default_cidrs = default_texts()
    bot_list = parse_bots(default_bots if bots is None else bots)
    cidr_list = parse_cidrs(default_cidrs if cidrs is None else cidrs)
    frame = pl.DataFrame([{c: str(r.get(c, "")) for c in reader.COLUMNS} for r in rows],
                         schema={c: pl.String for c in reader.COLUMNS}, orient="row")
    numbered = frame.with_row_index(reader.ROW, offset=1).with_columns(pl.col(reader.ROW).cast(pl.Int64))
    checked = reader.check(numbered)
    book, strings = prepared.AddressBook(OFFLINE_KEYS, cidr_list), prepared.StringBook()
    ready = prepared.prepare(checked.valid, book, strings)
    checked.rejected = pl.concat([checked.rejected, ready.rejected])
    # A row whose ip only preparation refuses (999.1.2.3 looks like an address) is rejected, so no longer
    # valid: every row is in exactly one of the two (rows = valid + rejected).
    checked.valid = checked.valid.filter(~pl.col(reader.ROW).is_in(ready.rejected[reader.ROW].implode()))
    requests = (ready.requests.unique("request_id", keep="first", maintain_order=True)
                .join(book.stored().select("address_id", "in_datacenter"), on="address_id", how="left")
                .with_columns(kind=pl.lit(0, pl.Int8)))
    strings = strings.stored()
    catalog = counting.Catalog(pl.DataFrame(episodes, schema=EPISODE_SCHEMA, orient="row"),
                               pl.DataFrame(ad_slots or [], schema=AD_SCHEMA, orient="row"))
    counted = counting.count(requests, strings.rename({"string_id": "url_id", "value": "url"}),
                             strings.rename({"string_id": "ua_id", "value": "user_agent"}), catalog,
                             counting.Rules(bot_list, spike_threshold))
    return counted, checked
