-- One attribution mart: its conversions dated before the cutoff. Their touches precede them, so every such
-- row came only from raw events that are gone.
delete from {mart}
where tenant_id = %(tenant_id)s and conversion_date < %(cutoff)s
