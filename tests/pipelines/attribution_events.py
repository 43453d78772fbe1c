"""A two-user tenant's events for the attribution runs' tests, and its daily channel credits."""

from earmark import db

# u1: podcast, then search, then a conversion; u2: a conversion without any touch.
EVENTS = (
    "event_id,user_id,occurred_at,event_type,channel,campaign_id,revenue\n"
    "t1,u1,2026-02-20T10:00:00Z,touchpoint,podcast,cmp-a,\n"
    "t2,u1,2026-02-28T11:00:00Z,touchpoint,search,cmp-s,\n"
    "c1,u1,2026-03-01T12:00:00Z,conversion,,,100\n"
    "c2,u2,2026-03-01T13:00:00Z,conversion,,,50\n"
)


def daily_credits(tenant_id):
    with db.connect("transformer") as conn:
        return conn.execute(
            "select model, channel, campaign_id, round(conversions::numeric, 9), round(revenue::numeric, 6) "
            "from analytics.fct_daily_channel_credits where tenant_id = %s order by 1, 2, 3",
            [tenant_id],
        ).fetchall()
