"""Cost management: the usage ledger measured from the pipelines, the price book, budgets and reports.

The allocation itself (usage x unit price, shared fixed costs spread by a stated rule, idle capacity as its
own line) is SQL owned by dbt: dbt_project/models/marts/cost/.
"""
