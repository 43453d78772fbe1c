select version, sha256, source, loaded_at from households.carrier_list_versions where active
