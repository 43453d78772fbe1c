{#
  Where a touch sits in the tenant's catalog, from whatever its event names (raw.events keeps ids as sent).

  show_id: the event's own show, else its episode's, its placement's, its promo code's or its vanity URL's
    show. '(unknown)' when the event names something the catalog does not know (yet): the next run after
    a catalog import resolves it, since a new catalog revision recomputes the tenant (int_attribution_scopes).
    '(none)' when it names nothing with a show (a search click, a campaign-wide code).
  placement_id: the event's placement if the catalog knows it, '(unknown)' if not, '(none)' without one.
  campaign_id: the event's own campaign, else its placement's, its code's or its URL's; '(none)' without.
    A campaign id the catalog does not know stays as sent here (attribution by campaign reports it);
    economics, which joins the catalog, reports it as '(unknown)'.
#}
{% macro join_catalog(events) %}
    left join {{ ref('stg_catalog__episodes') }} as catalog_episodes
        on catalog_episodes.tenant_id = {{ events }}.tenant_id
        and catalog_episodes.episode_id = {{ events }}.episode_id
    left join {{ ref('stg_catalog__placements') }} as catalog_placements
        on catalog_placements.tenant_id = {{ events }}.tenant_id
        and catalog_placements.placement_id = {{ events }}.placement_id
    left join {{ ref('stg_catalog__promo_codes') }} as catalog_codes
        on catalog_codes.tenant_id = {{ events }}.tenant_id
        and catalog_codes.code = {{ events }}.promo_code
    left join {{ ref('stg_catalog__vanity_urls') }} as catalog_urls
        on catalog_urls.tenant_id = {{ events }}.tenant_id
        and catalog_urls.url = {{ events }}.vanity_url
    left join {{ ref('stg_catalog__shows') }} as catalog_shows
        on catalog_shows.tenant_id = {{ events }}.tenant_id
        and catalog_shows.show_id = coalesce({{ events }}.show_id, catalog_episodes.show_id,
                                             catalog_placements.show_id, catalog_codes.show_id,
                                             catalog_urls.show_id)
{% endmacro %}

{% macro resolve_catalog(events) %}
        coalesce({{ events }}.campaign_id, catalog_placements.campaign_id, catalog_codes.campaign_id,
                 catalog_urls.campaign_id, '(none)') as campaign_id,
        case
            when catalog_shows.show_id is not null then catalog_shows.show_id
            when coalesce({{ events }}.show_id, catalog_episodes.show_id, catalog_placements.show_id,
                          catalog_codes.show_id, catalog_urls.show_id) is not null then '(unknown)'
            when ({{ events }}.episode_id is not null and catalog_episodes.episode_id is null)
              or ({{ events }}.placement_id is not null and catalog_placements.placement_id is null)
              or ({{ events }}.promo_code is not null and catalog_codes.code is null)
              or ({{ events }}.vanity_url is not null and catalog_urls.url is null) then '(unknown)'
            else '(none)'
        end as show_id,
        case
            when {{ events }}.placement_id is null then '(none)'
            else coalesce(catalog_placements.placement_id, '(unknown)')
        end as placement_id
{%- endmacro %}
