-- A rerun of the night replaces its rows.
delete from ai.campaign_predictions where tenant_id = %(tenant_id)s and as_of = %(as_of)s
