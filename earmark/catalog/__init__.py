"""The podcast catalog: advertisers, shows, episodes, campaigns, placements, ad slots, promo codes,
vanity URLs and deliveries (entities), their import and rules, and campaign economics (export).

Spend, CPA and ROAS are computed by dbt (dbt_project/models/marts/catalog); this package reads them.
"""
