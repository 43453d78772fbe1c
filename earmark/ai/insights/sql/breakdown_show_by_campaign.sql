-- A show's spend, impressions, conversions or revenue per campaign and day (reporting model).
select economics.campaign_id as value, economics.day,
    sum(case %(metric)s
        when 'conversions' then economics.conversions
        when 'revenue' then economics.revenue
        when 'spend' then economics.spend::float8
        else economics.impressions::float8
    end) as amount
from analytics.fct_daily_economics as economics
join app.tenant_settings as settings
    on settings.tenant_id = economics.tenant_id and settings.reporting_model = economics.model
where economics.tenant_id = %(tenant_id)s and economics.show_id = %(entity_id)s
    and economics.day between %(start)s and %(end)s
group by 1, 2
