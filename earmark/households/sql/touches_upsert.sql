-- A touch made again unchanged keeps its loaded_at, so attribution does not recompute its dates for nothing.
insert into households.signal_touches as t (tenant_id, event_id, user_id, occurred_at, kind, channel, campaign_id,
                                            show_id, episode_id, placement_id, source_event_id)
values (%(tenant_id)s, %(event_id)s, %(user_id)s, %(occurred_at)s, %(kind)s, %(channel)s, %(campaign_id)s,
        %(show_id)s, %(episode_id)s, %(placement_id)s, %(source_event_id)s)
on conflict (tenant_id, event_id) do update
set user_id = excluded.user_id, occurred_at = excluded.occurred_at, kind = excluded.kind,
    channel = excluded.channel, campaign_id = excluded.campaign_id, show_id = excluded.show_id,
    episode_id = excluded.episode_id, placement_id = excluded.placement_id,
    source_event_id = excluded.source_event_id, loaded_at = now()
where (t.user_id, t.occurred_at, t.campaign_id, t.show_id, t.episode_id, t.placement_id)
      is distinct from (excluded.user_id, excluded.occurred_at, excluded.campaign_id, excluded.show_id,
                        excluded.episode_id, excluded.placement_id)
