"""The invented advertisers and shows the demo draws from; edit here to change who appears in it.

Release weekdays follow the industry habit of dropping most episodes early in the week (0 = Monday).
Average order values are per advertiser so that revenue differs between brands, as it does in practice.
"""

from __future__ import annotations

from typing import NamedTuple


class Advertiser(NamedTuple):
    slug: str
    name: str
    domain: str
    vertical: str
    average_order_value: float


class Show(NamedTuple):
    slug: str
    name: str
    genre: str
    release_weekday: int
    downloads_per_episode: int


ADVERTISERS: tuple[Advertiser, ...] = (
    Advertiser("northwind", "Northwind Mattress", "northwindsleep.com", "home", 640.0),
    Advertiser("brightblade", "Brightblade Razors", "brightblade.com", "personal care", 38.0),
    Advertiser("kelpkitchen", "Kelp Kitchen", "kelpkitchen.com", "meal kits", 72.0),
    Advertiser("atlasvpn", "Atlas VPN", "atlasvpn.net", "software", 59.0),
    Advertiser("fernwear", "Fern Wear", "fernwear.co", "apparel", 95.0),
    Advertiser("ledgerly", "Ledgerly", "ledgerly.app", "fintech", 120.0),
    Advertiser("pawprint", "Pawprint Pet Food", "pawprint.pet", "pet", 54.0),
    Advertiser("lumenskin", "Lumen Skincare", "lumenskin.com", "beauty", 46.0),
    Advertiser("quillbooks", "Quill Audiobooks", "quillbooks.com", "media", 15.0),
    Advertiser("summitfit", "Summit Fitness", "summitfit.com", "fitness", 210.0),
)

SHOWS: tuple[Show, ...] = (
    Show("the-daily-grind", "The Daily Grind", "business", 0, 180_000),
    Show("cold-case-hour", "Cold Case Hour", "true crime", 1, 420_000),
    Show("tiny-kitchen", "Tiny Kitchen", "food", 2, 35_000),
    Show("after-the-whistle", "After the Whistle", "sports", 0, 95_000),
    Show("deep-field", "Deep Field", "science", 3, 60_000),
    Show("the-money-hour", "The Money Hour", "business", 1, 140_000),
    Show("laugh-track", "Laugh Track", "comedy", 4, 250_000),
    Show("parenting-unplugged", "Parenting Unplugged", "kids & family", 2, 48_000),
    Show("history-rewound", "History Rewound", "history", 1, 110_000),
    Show("pixel-pushers", "Pixel Pushers", "technology", 3, 70_000),
    Show("long-run", "The Long Run", "health & fitness", 0, 40_000),
    Show("screen-time", "Screen Time", "tv & film", 4, 85_000),
    Show("quiet-hours", "Quiet Hours", "fiction", 6, 30_000),
    Show("market-open", "Market Open", "news", 1, 300_000),
    Show("green-thumb", "Green Thumb", "leisure", 5, 22_000),
    Show("the-interview-desk", "The Interview Desk", "society & culture", 2, 160_000),
)

# Marketing channels other than podcast, with how a visit from each reaches the advertiser's site.
DIGITAL_CHANNELS: tuple[str, ...] = ("search", "social", "email", "display", "affiliate")
CHANNELS: tuple[str, ...] = ("podcast", *DIGITAL_CHANNELS, "direct")
