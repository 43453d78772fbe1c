-- Campaign predictions of the newest night, with the model that made each campaign's.
with night as (
    select max(as_of) as as_of from ai.model_fits where task = %(task)s::text
)

select predictions.as_of, predictions.campaign_id, predictions.show_id, predictions.slot, predictions.kind,
    predictions.weeks, predictions.spend, predictions.conversions, predictions.conversions_lower,
    predictions.conversions_upper, predictions.roas, predictions.roas_lower, predictions.roas_upper,
    predictions.pooled, predictions.validation, fits.model
from ai.campaign_predictions as predictions
join night on night.as_of = predictions.as_of
left join ai.model_fits as fits
    on fits.task = 'campaign_predictions' and fits.as_of = predictions.as_of
    and fits.scope = 'campaign' and fits.entity_id = predictions.campaign_id
where (%(campaign_id)s::text is null or predictions.campaign_id = %(campaign_id)s::text)
order by predictions.campaign_id, predictions.show_id, predictions.slot
