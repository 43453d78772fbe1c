"""The catalog's entities: one pydantic model per table, and the spec the importer, the SQL builder and
the API share (key, columns and their SQL types, references).

Field rules live in the models (types, enums, ranges, a flight's end after its start); rules that need
other rows (an unknown show, a byte range outside its episode's file) live in earmark.catalog.rules.
The same model validates an API body (JSON: numbers must be numbers) and a row of a CSV file (strings,
validated with the context {"from_text": True}: "12.5" is then a number and "a|b" a list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    model_validator,
)

from earmark.fields import IsoDate, storable, text

ADVERTISER_KINDS = ("advertiser", "partner_podcast", "own_show")
SLOTS = ("pre", "mid", "post")
PLACEMENT_KINDS = ("host_read", "produced", "dynamic_insert")
PRICING = ("cpm", "flat", "cpa")
AD_SLOT_KINDS = ("dai", "baked")
LIST_SEPARATOR = "|"  # how a CSV cell holds a list: "Sprocket and Pine|Sprocket & Pine"
# Bounds that keep every value inside its Postgres type and every flight a size a report can spread a fee
# over (a flat fee over a million days would be a million rows of spend).
MAX_MONEY = Decimal(10) ** 12
MAX_COUNT = 10**15  # bytes of a file, ids of a range
MAX_IMPRESSIONS = 10**12  # a day's impressions of one placement; sums of millions of days stay in a bigint
FIRST_DATE, LAST_DATE = date(1970, 1, 1), date(2199, 12, 31)
MAX_FLIGHT_DAYS = 3660


def _from_text(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("from_text"))


def _number(value: object, info: ValidationInfo) -> object:
    """JSON numbers only, as the schema says; a CSV cell's text is parsed by pydantic (from_text)."""
    if isinstance(value, str) and _from_text(info):
        return value.strip()
    if isinstance(value, bool | str):
        raise ValueError("use a JSON number")
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest decimal that reads back as this float: 22.5, not 22.499..
    return value


def _integer(value: object, info: ValidationInfo) -> object:
    value = _number(value, info)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _listed(value: object, info: ValidationInfo) -> object:
    if isinstance(value, str) and _from_text(info):
        return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
    return value


def _currency(value: object) -> object:
    if not isinstance(value, str):
        return value
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"{value!r} is not a 3-letter ISO 4217 currency code")
    return code


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


_CODE_NOISE = re.compile(r"[^0-9A-Za-z]")
_URL_SPACE = re.compile(r"[ \t\n\r\f\v]")
_URL_HEAD = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)+")
_URL_TAIL = re.compile(r"/*(?:[?#].*)?$", re.DOTALL)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def normalise_code(code: str) -> str:
    """ASCII letters and digits, upper-case: what a listener types at checkout. The same rule as the SQL
    function catalog.normalise_code (migration 0014), which ingestion uses; a property test holds them
    equal."""
    return _CODE_NOISE.sub("", code).upper()


def normalise_url(url: str) -> str:
    """No white space, ASCII lower-case, no schemes or "www." in front, no query, fragment or trailing
    slash (catalog.normalise_url, held equal by the same test). Applying it twice changes nothing."""
    bare = _URL_HEAD.sub("", _URL_SPACE.sub("", url).translate(_ASCII_LOWER))
    return _URL_TAIL.sub("", bare)


def _code(value: object) -> object:
    # NUL is refused as in any text, not normalised away with the other punctuation
    return normalise_code(storable(value)) if isinstance(value, str) else value


def _url(value: object) -> object:
    return normalise_url(storable(value)) if isinstance(value, str) else value


def _utc(value: datetime) -> datetime:
    """In UTC and inside the dates the catalog takes: Postgres stores offsets up to 15:59 only, and an
    instant's offset says nothing once it is an instant."""
    try:
        instant = value.astimezone(UTC)
    except OverflowError:  # a time at the calendar's edge whose UTC instant falls off it
        raise ValueError(f"{value.isoformat()} is outside {FIRST_DATE}..{LAST_DATE}") from None
    if not FIRST_DATE <= instant.date() <= LAST_DATE:
        raise ValueError(f"{value.isoformat()} is outside {FIRST_DATE}..{LAST_DATE}")
    return instant


# An id is the tenant's own; it may not hold a slash (it is a path segment of the API) nor start or end in
# white space.
Id = Annotated[text(200, min_length=1, pattern=r"^[^\s/](?:[^/]*[^\s/])?$"), BeforeValidator(_strip)]
Name = Annotated[text(500, min_length=1), BeforeValidator(_strip)]
Url = Annotated[text(2000, min_length=1), BeforeValidator(_strip)]
Names = Annotated[list[Name], Field(max_length=50), BeforeValidator(_listed)]
Domain = Annotated[text(253, min_length=1, pattern=r"^[a-z0-9.-]+$"), BeforeValidator(_lower)]
Domains = Annotated[list[Domain], Field(max_length=50), BeforeValidator(_listed)]
Day = Annotated[IsoDate, Field(ge=FIRST_DATE, le=LAST_DATE)]
Instant = Annotated[AwareDatetime, AfterValidator(_utc)]
Money = Annotated[Decimal, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False, decimal_places=6),
                  PlainSerializer(float, return_type=float, when_used="json"), BeforeValidator(_number)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT), BeforeValidator(_integer)]
Bytes = Annotated[int, Field(ge=1, le=MAX_COUNT), BeforeValidator(_integer)]
Seconds = Annotated[Decimal, Field(gt=0, le=10**7, allow_inf_nan=False, decimal_places=3),
                    PlainSerializer(float, return_type=float, when_used="json"), BeforeValidator(_number)]
Currency = Annotated[text(3, pattern=r"^[A-Z]{3}$"), BeforeValidator(_currency)]
Code = Annotated[text(100, min_length=1, pattern=r"^[A-Z0-9]+$"), BeforeValidator(_code)]
UrlKey = Annotated[text(2000, min_length=1), BeforeValidator(_url)]


class Entity(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class _Flight(Entity):
    """A span of days: the end is on or after the start, and a flight spans at most MAX_FLIGHT_DAYS."""

    @model_validator(mode="after")
    def _flight(self):
        starts, ends = getattr(self, "starts_on", None), getattr(self, "ends_on", None)
        if starts is not None and ends is not None:
            if ends < starts:
                raise ValueError(f"ends_on {ends} is before starts_on {starts}")
            if (ends - starts).days >= MAX_FLIGHT_DAYS:
                raise ValueError(f"the flight {starts}..{ends} is longer than {MAX_FLIGHT_DAYS} days")
        return self


class AdvertiserFields(Entity):
    name: Name
    aliases: Names = Field(default_factory=list, description="Other spellings a host may say.")
    domains: Domains = Field(default_factory=list, description="Web domains, lower-case.")
    kind: Literal[ADVERTISER_KINDS] = "advertiser"


class Advertiser(AdvertiserFields):
    advertiser_id: Id


class ShowFields(Entity):
    title: Name
    feed_url: Url | None = None
    network: Name | None = None
    hosts: Names = Field(default_factory=list, description="Host names.")


class Show(ShowFields):
    show_id: Id


class EpisodeFields(Entity):
    show_id: Id
    published_at: Instant | None = None
    enclosure_url: Url | None = None
    bytes_total: Bytes | None = Field(None, description="Size of the audio file; null when unknown.")
    duration_s: Seconds | None = None
    id3_bytes: Count | None = Field(None, description="Bytes of the ID3 header before the audio.")

    @model_validator(mode="after")
    def _header_inside_file(self):
        if self.id3_bytes is not None and self.bytes_total is not None and self.id3_bytes >= self.bytes_total:
            raise ValueError(f"id3_bytes {self.id3_bytes} is not smaller than bytes_total {self.bytes_total}")
        return self


class Episode(EpisodeFields):
    episode_id: Id


class CampaignFields(_Flight):
    advertiser_id: Id
    name: Name
    starts_on: Day
    ends_on: Day
    currency: Currency = Field(description="ISO 4217; a campaign's figures stay in its own currency.")
    budget: Money | None = None


class Campaign(CampaignFields):
    campaign_id: Id


class PlacementFields(_Flight):
    campaign_id: Id
    show_id: Id
    episode_id: Id | None = Field(None, description="Set for an ad on one episode; null for run of show.")
    slot: Literal[SLOTS]
    kind: Literal[PLACEMENT_KINDS]
    pricing: Literal[PRICING] = Field(
        description="cpm: rate per thousand impressions; flat: rate is the fee, spread evenly over the "
                    "flight's days; cpa: rate per conversion attributed under the reporting model.")
    rate: Money
    starts_on: Day | None = Field(None, description="Flight start; the campaign's when null.")
    ends_on: Day | None = Field(None, description="Flight end (inclusive); the campaign's when null.")


class Placement(PlacementFields):
    placement_id: Id


class AdSlotFields(Entity):
    episode_id: Id
    kind: Literal[AD_SLOT_KINDS]
    start_byte: Annotated[int, Field(ge=0, le=MAX_COUNT), BeforeValidator(_integer)]
    end_byte: Annotated[int, Field(ge=0, le=MAX_COUNT, description="Inclusive, as in an HTTP range."),
                        BeforeValidator(_integer)]
    placement_id: Id | None = None

    @model_validator(mode="after")
    def _range(self):
        if self.end_byte < self.start_byte:
            raise ValueError(f"end_byte {self.end_byte} is before start_byte {self.start_byte}")
        return self


class AdSlot(AdSlotFields):
    ad_id: Id


class ResponseLinkFields(Entity):
    """What a promo code or vanity URL leads to: its campaign, and its show when it is a show's own."""

    campaign_id: Id
    show_id: Id | None = None


class PromoCode(ResponseLinkFields):
    code: Code = Field(description="Stored as its letters and digits, upper-case.")


class VanityUrl(ResponseLinkFields):
    url: UrlKey = Field(description="Stored lower-case without scheme, www., query or trailing slash.")


class DeliveryFields(Entity):
    impressions: Annotated[int, Field(ge=0, le=MAX_IMPRESSIONS), BeforeValidator(_integer)]


class Delivery(DeliveryFields):
    placement_id: Id
    day: Day


@dataclass(frozen=True)
class Reference:
    """Columns of a row that name a row of another entity (by that entity's key)."""

    columns: tuple[str, ...]
    entity: str
    label: str


@dataclass(frozen=True)
class Spec:
    name: str  # the table in schema catalog, the CLI's --kind and the API's path segment
    singular: str
    model: type[Entity]
    fields_model: type[Entity]  # the model without its key: an update's body
    key: tuple[str, ...]
    types: dict[str, str]  # every column (key first) and its SQL type
    references: tuple[Reference, ...] = field(default=())

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.types)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c for c in self.types if c not in self.key)


def _spec(name: str, singular: str, model: type[Entity], fields_model: type[Entity], key: tuple[str, ...],
          types: dict[str, str], *references: Reference) -> Spec:
    assert tuple(types)[: len(key)] == key and set(types) == set(model.model_fields), name
    return Spec(name, singular, model, fields_model, key, types, references)


_CAMPAIGN = Reference(("campaign_id",), "campaigns", "campaign")
_SHOW = Reference(("show_id",), "shows", "show")
_EPISODE = Reference(("episode_id",), "episodes", "episode")
_PLACEMENT = Reference(("placement_id",), "placements", "placement")

# In dependency order: an entity's references are all to entities before it (the demo imports this way).
SPECS: dict[str, Spec] = {s.name: s for s in (
    _spec("advertisers", "advertiser", Advertiser, AdvertiserFields, ("advertiser_id",),
          {"advertiser_id": "text", "name": "text", "aliases": "text[]", "domains": "text[]",
           "kind": "text"}),
    _spec("shows", "show", Show, ShowFields, ("show_id",),
          {"show_id": "text", "title": "text", "feed_url": "text", "network": "text", "hosts": "text[]"}),
    _spec("episodes", "episode", Episode, EpisodeFields, ("episode_id",),
          {"episode_id": "text", "show_id": "text", "published_at": "timestamptz", "enclosure_url": "text",
           "bytes_total": "bigint", "duration_s": "numeric", "id3_bytes": "bigint"}, _SHOW),
    _spec("campaigns", "campaign", Campaign, CampaignFields, ("campaign_id",),
          {"campaign_id": "text", "advertiser_id": "text", "name": "text", "starts_on": "date",
           "ends_on": "date", "currency": "text", "budget": "numeric"},
          Reference(("advertiser_id",), "advertisers", "advertiser")),
    _spec("placements", "placement", Placement, PlacementFields, ("placement_id",),
          {"placement_id": "text", "campaign_id": "text", "show_id": "text", "episode_id": "text",
           "slot": "text", "kind": "text", "pricing": "text", "rate": "numeric", "starts_on": "date",
           "ends_on": "date"}, _CAMPAIGN, _SHOW, _EPISODE),
    _spec("ad_slots", "ad slot", AdSlot, AdSlotFields, ("ad_id",),
          {"ad_id": "text", "episode_id": "text", "kind": "text", "start_byte": "bigint",
           "end_byte": "bigint", "placement_id": "text"}, _EPISODE, _PLACEMENT),
    _spec("promo_codes", "promo code", PromoCode, ResponseLinkFields, ("code",),
          {"code": "text", "campaign_id": "text", "show_id": "text"}, _CAMPAIGN, _SHOW),
    _spec("vanity_urls", "vanity URL", VanityUrl, ResponseLinkFields, ("url",),
          {"url": "text", "campaign_id": "text", "show_id": "text"}, _CAMPAIGN, _SHOW),
    _spec("deliveries", "delivery", Delivery, DeliveryFields, ("placement_id", "day"),
          {"placement_id": "text", "day": "date", "impressions": "bigint"}, _PLACEMENT),
)}
KINDS = tuple(SPECS)


def referrers_of(name: str) -> list[tuple[Spec, Reference]]:
    """The entities (and their reference) that point at rows of `name`: what blocks a delete."""
    return [(spec, ref) for spec in SPECS.values() for ref in spec.references if ref.entity == name]
