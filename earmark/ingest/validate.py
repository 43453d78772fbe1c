"""Row rules for canonical events, as polars expressions: each row is valid or gets one reason."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import polars as pl

from earmark.ingest import pixels
from earmark.ingest.errors import IngestFileError
from earmark.ingest.reader import ROW, RawFile
from earmark.privacy import pseudonyms

REQUIRED_COLUMNS = ("event_id", "user_id", "occurred_at", "event_type", "channel")
# The catalog columns name a show, an episode, a placement, or the promo code / vanity URL a touch used;
# an id the catalog does not know (yet) is kept, never rejected (reports show it as '(unknown)').
CATALOG_COLUMNS = ("show_id", "episode_id", "placement_id", "promo_code", "vanity_url")
# A site pixel's event may carry the visitor's address and user agent, a survey touch its answer (issue 17).
PIXEL_INPUTS = ("ip", "user_agent", "survey_answer")
OPTIONAL_COLUMNS = (
    "campaign_id", "revenue", "source", "currency", "tenant_id", *CATALOG_COLUMNS, *PIXEL_INPUTS,
)
CANONICAL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
EVENT_TYPES = ("touchpoint", "conversion")
MAX_FIELD_CHARS = 1000
LOADED_COLUMNS = (
    "event_id", "user_id", "occurred_at", "event_type", "channel", "campaign_id", "revenue", "source",
    "currency", *CATALOG_COLUMNS,
)
# What the pixel inputs become: present in Validated.valid only when the file has one of PIXEL_INPUTS, so a
# file without them costs nothing more. The address itself is never among them (earmark.ingest.pixels).
PIXEL_COLUMNS = ("household_key", "ip_sealed", "user_agent", "survey_answer")

# date, then 'T' or a space, then hh:mm[:ss[.fraction]], then an optional Z or ±hh[:mm].
_TIMESTAMP = (
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)


@dataclass
class Validated:
    valid: pl.DataFrame  # LOADED_COLUMNS (+ PIXEL_COLUMNS), typed, first occurrence of each event_id
    rejected: pl.DataFrame  # ROW, reason, record


def check_columns(raw: RawFile, file_name: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise IngestFileError(
            f"{file_name} lacks the required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; the header has {', '.join(raw.columns) or 'nothing'}."
        )


def validate(raw: RawFile, tenant_id: UUID, time_zone: str, file_name: str) -> Validated:
    check_columns(raw, file_name)
    rows = raw.rows.with_columns(
        pl.lit(None, dtype=pl.Utf8).alias(c) for c in OPTIONAL_COLUMNS if c not in raw.columns
    )
    text = {c: pl.col(c).str.strip_chars() for c in CANONICAL_COLUMNS}
    parsed = rows.with_columns(
        _occurred_at_with_offset(pl.col("occurred_at").str.strip_chars()).alias("__occurred_at"),
        text["revenue"].cast(pl.Float64, strict=False).alias("__revenue"),
        text["event_type"].str.to_lowercase().alias("__event_type"),
        text["currency"].str.to_uppercase().alias("__currency"),
    )
    parsed = _fill_other_timestamps(parsed, time_zone)
    has_ip, has_pixels = "ip" in raw.columns, any(c in raw.columns for c in PIXEL_INPUTS)
    keys = pixels.PixelKeys.from_settings() if has_ip else None
    if has_ip:
        parsed = parsed.with_columns(text["ip"].alias("__ip"))
        parsed = parsed.join(pixels.address_table(parsed["__ip"], keys), on="__ip", how="left",
                             maintain_order="left")
    too_long = pl.any_horizontal(pl.col(c).str.len_chars() > MAX_FIELD_CHARS for c in raw.columns)
    reason = (
        pl.when(too_long).then(pl.lit(f"a field is longer than {MAX_FIELD_CHARS} characters"))
        .when(text["event_id"].is_null() | (text["event_id"] == "")).then(pl.lit("missing event_id"))
        .when(text["user_id"].is_null() | (text["user_id"] == "")).then(pl.lit("missing user_id"))
        .when(pl.col("occurred_at").is_null()).then(pl.lit("missing occurred_at"))
        .when(pl.col("__occurred_at").is_null()).then(
            pl.format("occurred_at {} is not a valid ISO-8601 time", pl.col("occurred_at")))
        .when(pl.col("__event_type").is_null()).then(pl.lit("missing event_type"))
        .when(~pl.col("__event_type").is_in(EVENT_TYPES)).then(
            pl.format("unknown event_type {}; use touchpoint or conversion", pl.col("event_type")))
        .when((pl.col("__event_type") == "touchpoint")
              & (text["channel"].is_null() | (text["channel"] == "")))
        .then(pl.lit("touchpoint without channel"))
        .when(pl.col("revenue").is_not_null() & pl.col("__revenue").is_null()).then(
            pl.format("revenue {} is not a number", pl.col("revenue")))
        .when(pl.col("__revenue").is_nan() | pl.col("__revenue").is_infinite()).then(
            pl.lit("revenue is not a finite number"))
        .when(pl.col("__revenue") < 0).then(pl.lit("revenue is negative"))
        .when(pl.col("__currency").is_not_null() & ~pl.col("__currency").str.contains(r"^[A-Z]{3}$")).then(
            pl.format("currency {} is not a 3-letter ISO code", pl.col("currency")))
        .when(text["tenant_id"].is_not_null() & (text["tenant_id"].str.to_lowercase() != str(tenant_id)))
        .then(pl.lit("tenant_id does not match the target tenant"))
    )
    if has_ip:
        reason = reason.when(
            (pl.col("__ip") != "") & pl.col("__household_key").is_null()
        ).then(pl.format("ip {} is not an IP address", pl.col("ip")))
    checked = parsed.with_columns(reason.otherwise(None).alias("__reason"))
    # The record is the line as sent, but for its address: never stored in clear, even when rejected.
    fields = [pl.when(pl.col(c).is_not_null()).then(pl.lit(pixels.WITHHELD)).otherwise(pl.lit(""))
              if c == "ip" else pl.col(c).fill_null("") for c in raw.columns]
    rejected = checked.filter(pl.col("__reason").is_not_null()).select(
        ROW,
        pl.col("__reason").alias("reason"),
        pl.concat_str(fields, separator=",").str.slice(0, 2000).alias("record"),
    )
    good = checked.filter(pl.col("__reason").is_null())
    unique = good.filter(text["event_id"].is_first_distinct())
    valid = unique.select(
        text["event_id"].alias("event_id"),
        text["user_id"].alias("user_id"),
        pl.col("__occurred_at").alias("occurred_at"),
        pl.col("__event_type").alias("event_type"),
        text["channel"].alias("channel"),
        text["campaign_id"].alias("campaign_id"),
        pl.col("__revenue").fill_null(0.0).alias("revenue"),
        text["source"].alias("source"),
        pl.col("__currency").alias("currency"),
        *(pl.when(text[c] != "").then(text[c]).alias(c) for c in CATALOG_COLUMNS),
        *((pl.col("__household_key"), pl.col("__address")) if has_ip else ()),
        *(pl.when(text[c] != "").then(text[c]).alias(c) for c in PIXEL_INPUTS[1:] if has_pixels),
    )
    malformed = raw.malformed
    if has_ip:
        valid = _seal_addresses(valid, tenant_id, keys)
        malformed = malformed.with_columns(
            pl.col("record").map_elements(pixels.withhold_addresses, return_dtype=pl.String))
    elif has_pixels:
        valid = valid.with_columns(pl.lit(None, pl.Int64).alias("household_key"),
                                   pl.lit(None, pl.String).alias("ip_sealed"))
    return Validated(_pseudonymise_emails(valid), pl.concat([malformed, rejected]).sort(ROW))


def _seal_addresses(valid: pl.DataFrame, tenant_id: UUID, keys: pixels.PixelKeys) -> pl.DataFrame:
    """household_key and ip_sealed (bytea input text) in place of the canonical address, which is dropped."""
    return valid.with_columns(
        pl.col("__household_key").alias("household_key"),
        pixels.sealed_hex(valid, tenant_id, keys),
    ).drop("__household_key", "__address")


def _pseudonymise_emails(valid: pl.DataFrame) -> pl.DataFrame:
    """An email sent as a user id is kept only as its keyed pseudonym (earmark.privacy.pseudonyms): it is
    joined on, never read. The HMAC runs once per distinct address, and only where a user id is one."""
    emails = valid.filter(pl.col("user_id").str.contains(pseudonyms.EMAIL.pattern))["user_id"].unique()
    if emails.is_empty():
        return valid
    mapping = {email: pseudonyms.email_pseudonym(email) for email in emails.to_list()}
    return valid.with_columns(pl.col("user_id").replace(mapping))


def _occurred_at_with_offset(value: pl.Expr) -> pl.Expr:
    """The common case, parsed directly: date, 'T', time and an offset (Z, +hh, +hhmm or +hh:mm)."""
    return value.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%#z", time_unit="us", time_zone="UTC", strict=False)


def _fill_other_timestamps(parsed: pl.DataFrame, time_zone: str) -> pl.DataFrame:
    """Parse what the direct path could not (no offset, a space separator, no seconds) row-wise
    on just those rows: the general pattern is ten times slower than the direct parse."""
    retry = parsed.filter(pl.col("__occurred_at").is_null() & pl.col("occurred_at").is_not_null())
    if retry.is_empty():
        return parsed
    general = _occurred_at(pl.col("occurred_at").str.strip_chars(), time_zone)
    fixed = retry.select(ROW, general.alias("__retry"))
    return parsed.join(fixed, on=ROW, how="left", maintain_order="left").with_columns(
        pl.coalesce("__occurred_at", "__retry").alias("__occurred_at")
    ).drop("__retry")


def _occurred_at(value: pl.Expr, time_zone: str) -> pl.Expr:
    """ISO-8601 to UTC; a time without an offset is read in the tenant's time zone."""
    parts = value.str.extract_groups(_TIMESTAMP)
    fraction = parts.struct.field("4").fill_null("0")
    local = pl.format(
        "{}T{}:{}.{}", parts.struct.field("1"), parts.struct.field("2"),
        parts.struct.field("3").fill_null("00"), fraction,
    )
    offset = parts.struct.field("5").str.to_uppercase()
    offset = (
        pl.when(offset == "Z").then(pl.lit("+00:00"))
        .when(offset.str.len_chars() == 3).then(offset + ":00")
        .when(offset.str.len_chars() == 5).then(offset.str.slice(0, 3) + ":" + offset.str.slice(3, 2))
        .otherwise(offset)
    )
    with_offset = (local + offset).str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f%:z", time_unit="us", time_zone="UTC", strict=False
    )
    naive = local.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="us", strict=False)
    in_zone = naive.dt.replace_time_zone(time_zone, ambiguous="earliest", non_existent="null")
    return pl.when(offset.is_not_null()).then(with_offset).otherwise(in_zone.dt.convert_time_zone("UTC"))
