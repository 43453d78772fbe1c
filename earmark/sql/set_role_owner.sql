set role earmark_owner
