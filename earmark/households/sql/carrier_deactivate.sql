update households.carrier_list_versions set active = false where active
