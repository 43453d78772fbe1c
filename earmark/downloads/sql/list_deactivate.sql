update downloads.list_versions set active = false where active
