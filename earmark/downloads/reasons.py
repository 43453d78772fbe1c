"""What happened to a request, per window mode: counted, or excluded for one of ten reasons (R2, R6).

Stored as a smallint (migration 0023 holds the same table, downloads.reasons); 0 is `counted`. The order of
the eight filters is their precedence: a request gets the first one it fails.
"""

COUNTED = 0
NOT_GET = 1
BAD_STATUS = 2
UNKNOWN_EPISODE = 3
BOT_UA = 4
DATACENTER_IP = 5
APPLE_WATCH = 6
PROBE_ONLY = 7
IP_SPIKE = 8
BELOW_THRESHOLD = 9
DUPLICATE_IN_WINDOW = 10

NAMES = {
    NOT_GET: "not_get",
    BAD_STATUS: "bad_status",
    UNKNOWN_EPISODE: "unknown_episode",
    BOT_UA: "bot_ua",
    DATACENTER_IP: "datacenter_ip",
    APPLE_WATCH: "apple_watch",
    PROBE_ONLY: "probe_only",
    IP_SPIKE: "ip_spike",
    BELOW_THRESHOLD: "below_threshold",
    DUPLICATE_IN_WINDOW: "duplicate_in_window",
}
REASONS = tuple(NAMES.values())
CODES = {name: code for code, name in NAMES.items()}
MODES = ("fixed", "rolling")


def outcome(code: int) -> str:
    return "counted" if code == COUNTED else "excluded"


def reason(code: int) -> str | None:
    return NAMES.get(code)
