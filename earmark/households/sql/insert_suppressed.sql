insert into households.suppressed (tenant_id, event_id, user_id, occurred_at, origin, conversion_event_id,
                                   campaign_id, kept_kind, dropped_kind)
values (%(tenant_id)s, %(event_id)s, %(user_id)s, %(occurred_at)s, 'raw', %(conversion_event_id)s, %(campaign_id)s,
        %(kept_kind)s, %(dropped_kind)s)
on conflict (tenant_id, event_id) do update
set conversion_event_id = excluded.conversion_event_id, campaign_id = excluded.campaign_id,
    kept_kind = excluded.kept_kind, dropped_kind = excluded.dropped_kind, origin = 'raw'
